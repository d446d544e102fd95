-- linal: aggregates over rows, element by element, and stack_agg.

CREATE FUNCTION tensor_sum_transition(internal, tensor) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_sum_moving_transition(internal, tensor) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_sum_inverse(internal, tensor) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_min_transition(internal, tensor) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_max_transition(internal, tensor) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_agg_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_agg_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_agg_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_sum_final(internal) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_avg_final(internal) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_extreme_final(internal) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE sum(tensor) (
	SFUNC = tensor_sum_transition, STYPE = internal, FINALFUNC = tensor_sum_final,
	COMBINEFUNC = tensor_agg_combine, SERIALFUNC = tensor_agg_serialize,
	DESERIALFUNC = tensor_agg_deserialize,
	MSFUNC = tensor_sum_moving_transition, MINVFUNC = tensor_sum_inverse, MSTYPE = internal,
	MFINALFUNC = tensor_sum_final,
	PARALLEL = SAFE
);
CREATE AGGREGATE avg(tensor) (
	SFUNC = tensor_sum_transition, STYPE = internal, FINALFUNC = tensor_avg_final,
	COMBINEFUNC = tensor_agg_combine, SERIALFUNC = tensor_agg_serialize,
	DESERIALFUNC = tensor_agg_deserialize,
	MSFUNC = tensor_sum_moving_transition, MINVFUNC = tensor_sum_inverse, MSTYPE = internal,
	MFINALFUNC = tensor_avg_final,
	PARALLEL = SAFE
);
CREATE AGGREGATE min(tensor) (
	SFUNC = tensor_min_transition, STYPE = internal, FINALFUNC = tensor_extreme_final,
	COMBINEFUNC = tensor_agg_combine, SERIALFUNC = tensor_agg_serialize,
	DESERIALFUNC = tensor_agg_deserialize,
	PARALLEL = SAFE
);
CREATE AGGREGATE max(tensor) (
	SFUNC = tensor_max_transition, STYPE = internal, FINALFUNC = tensor_extreme_final,
	COMBINEFUNC = tensor_agg_combine, SERIALFUNC = tensor_agg_serialize,
	DESERIALFUNC = tensor_agg_deserialize,
	PARALLEL = SAFE
);

CREATE FUNCTION tensor_stack_transition(internal, tensor) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_stack_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_stack_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_stack_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_stack_final(internal) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE stack_agg(tensor) (
	SFUNC = tensor_stack_transition, STYPE = internal, FINALFUNC = tensor_stack_final,
	COMBINEFUNC = tensor_stack_combine, SERIALFUNC = tensor_stack_serialize,
	DESERIALFUNC = tensor_stack_deserialize,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE avg(tensor) IS 'element-wise mean of the rows (centroid)';
COMMENT ON AGGREGATE stack_agg(tensor) IS 'rows stacked along a new leading axis';
COMMENT ON AGGREGATE sum(tensor) IS 'element-wise sum of the rows';
COMMENT ON AGGREGATE min(tensor) IS 'element-wise minimum of the rows';
COMMENT ON AGGREGATE max(tensor) IS 'element-wise maximum of the rows';

COMMENT ON FUNCTION tensor_sum_transition(internal, tensor) IS 'aggregate transition function of sum and avg';
COMMENT ON FUNCTION tensor_sum_moving_transition(internal, tensor) IS 'aggregate moving-window transition function of sum and avg';
COMMENT ON FUNCTION tensor_sum_inverse(internal, tensor) IS 'aggregate inverse transition function of sum and avg';
COMMENT ON FUNCTION tensor_min_transition(internal, tensor) IS 'aggregate transition function of min';
COMMENT ON FUNCTION tensor_max_transition(internal, tensor) IS 'aggregate transition function of max';
COMMENT ON FUNCTION tensor_agg_combine(internal, internal) IS 'aggregate combine function of sum, avg, min and max';
COMMENT ON FUNCTION tensor_agg_serialize(internal) IS 'aggregate serial function of sum, avg, min and max';
COMMENT ON FUNCTION tensor_agg_deserialize(bytea, internal) IS 'aggregate deserial function of sum, avg, min and max';
COMMENT ON FUNCTION tensor_sum_final(internal) IS 'aggregate final function of sum';
COMMENT ON FUNCTION tensor_avg_final(internal) IS 'aggregate final function of avg';
COMMENT ON FUNCTION tensor_extreme_final(internal) IS 'aggregate final function of min and max';
COMMENT ON FUNCTION tensor_stack_transition(internal, tensor) IS 'aggregate transition function of stack_agg';
COMMENT ON FUNCTION tensor_stack_combine(internal, internal) IS 'aggregate combine function of stack_agg';
COMMENT ON FUNCTION tensor_stack_serialize(internal) IS 'aggregate serial function of stack_agg';
COMMENT ON FUNCTION tensor_stack_deserialize(bytea, internal) IS 'aggregate deserial function of stack_agg';
COMMENT ON FUNCTION tensor_stack_final(internal) IS 'aggregate final function of stack_agg';
