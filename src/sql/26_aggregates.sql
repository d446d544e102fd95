-- linal: aggregates over rows, element by element, and stack_agg.
--
-- Plain aggregation keeps its state in tensor_agg_state, a type with text
-- and binary I/O (not internal), so partial states travel in tuples between
-- parallel workers and as text between Citus nodes, where the combine
-- functions merge them.  Moving window frames of sum and avg use an internal
-- state with an inverse transition.

CREATE TYPE tensor_agg_state;
CREATE FUNCTION tensor_agg_state_in(cstring) RETURNS tensor_agg_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_agg_state_out(tensor_agg_state) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_agg_state_recv(internal) RETURNS tensor_agg_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_agg_state_send(tensor_agg_state) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE tensor_agg_state (
	INPUT = tensor_agg_state_in, OUTPUT = tensor_agg_state_out,
	RECEIVE = tensor_agg_state_recv, SEND = tensor_agg_state_send,
	INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = extended
);

CREATE FUNCTION tensor_sum_transition(tensor_agg_state, tensor) RETURNS tensor_agg_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_min_transition(tensor_agg_state, tensor) RETURNS tensor_agg_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_max_transition(tensor_agg_state, tensor) RETURNS tensor_agg_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_agg_combine(tensor_agg_state, tensor_agg_state) RETURNS tensor_agg_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_sum_final(tensor_agg_state) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_avg_final(tensor_agg_state) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_extreme_final(tensor_agg_state) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tensor_sum_moving_transition(internal, tensor) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_sum_inverse(internal, tensor) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_sum_moving_final(internal) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_avg_moving_final(internal) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE sum(tensor) (
	SFUNC = tensor_sum_transition, STYPE = tensor_agg_state, FINALFUNC = tensor_sum_final,
	COMBINEFUNC = tensor_agg_combine,
	MSFUNC = tensor_sum_moving_transition, MINVFUNC = tensor_sum_inverse, MSTYPE = internal,
	MFINALFUNC = tensor_sum_moving_final,
	PARALLEL = SAFE
);
CREATE AGGREGATE avg(tensor) (
	SFUNC = tensor_sum_transition, STYPE = tensor_agg_state, FINALFUNC = tensor_avg_final,
	COMBINEFUNC = tensor_agg_combine,
	MSFUNC = tensor_sum_moving_transition, MINVFUNC = tensor_sum_inverse, MSTYPE = internal,
	MFINALFUNC = tensor_avg_moving_final,
	PARALLEL = SAFE
);
CREATE AGGREGATE min(tensor) (
	SFUNC = tensor_min_transition, STYPE = tensor_agg_state, FINALFUNC = tensor_extreme_final,
	COMBINEFUNC = tensor_agg_combine,
	PARALLEL = SAFE
);
CREATE AGGREGATE max(tensor) (
	SFUNC = tensor_max_transition, STYPE = tensor_agg_state, FINALFUNC = tensor_extreme_final,
	COMBINEFUNC = tensor_agg_combine,
	PARALLEL = SAFE
);

CREATE FUNCTION tensor_stack_transition(tensor_agg_state, tensor) RETURNS tensor_agg_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION tensor_stack_combine(tensor_agg_state, tensor_agg_state) RETURNS tensor_agg_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_stack_final(tensor_agg_state) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE stack_agg(tensor) (
	SFUNC = tensor_stack_transition, STYPE = tensor_agg_state, FINALFUNC = tensor_stack_final,
	COMBINEFUNC = tensor_stack_combine,
	PARALLEL = SAFE
);

COMMENT ON TYPE tensor_agg_state IS 'transition state of sum, avg, min, max and stack_agg over tensors';
COMMENT ON AGGREGATE avg(tensor) IS 'element-wise mean of the rows (centroid)';
COMMENT ON AGGREGATE stack_agg(tensor) IS 'rows stacked along a new leading axis';
COMMENT ON AGGREGATE sum(tensor) IS 'element-wise sum of the rows';
COMMENT ON AGGREGATE min(tensor) IS 'element-wise minimum of the rows';
COMMENT ON AGGREGATE max(tensor) IS 'element-wise maximum of the rows';

COMMENT ON FUNCTION tensor_agg_state_in(cstring) IS 'text input of tensor_agg_state';
COMMENT ON FUNCTION tensor_agg_state_out(tensor_agg_state) IS 'text output of tensor_agg_state';
COMMENT ON FUNCTION tensor_agg_state_recv(internal) IS 'binary input of tensor_agg_state';
COMMENT ON FUNCTION tensor_agg_state_send(tensor_agg_state) IS 'binary output of tensor_agg_state';
COMMENT ON FUNCTION tensor_sum_transition(tensor_agg_state, tensor) IS 'aggregate transition function of sum and avg';
COMMENT ON FUNCTION tensor_min_transition(tensor_agg_state, tensor) IS 'aggregate transition function of min';
COMMENT ON FUNCTION tensor_max_transition(tensor_agg_state, tensor) IS 'aggregate transition function of max';
COMMENT ON FUNCTION tensor_agg_combine(tensor_agg_state, tensor_agg_state) IS 'aggregate combine function of sum, avg, min and max';
COMMENT ON FUNCTION tensor_sum_final(tensor_agg_state) IS 'aggregate final function of sum';
COMMENT ON FUNCTION tensor_avg_final(tensor_agg_state) IS 'aggregate final function of avg';
COMMENT ON FUNCTION tensor_extreme_final(tensor_agg_state) IS 'aggregate final function of min and max';
COMMENT ON FUNCTION tensor_sum_moving_transition(internal, tensor) IS 'aggregate moving-window transition function of sum and avg';
COMMENT ON FUNCTION tensor_sum_inverse(internal, tensor) IS 'aggregate inverse transition function of sum and avg';
COMMENT ON FUNCTION tensor_sum_moving_final(internal) IS 'aggregate moving-window final function of sum';
COMMENT ON FUNCTION tensor_avg_moving_final(internal) IS 'aggregate moving-window final function of avg';
COMMENT ON FUNCTION tensor_stack_transition(tensor_agg_state, tensor) IS 'aggregate transition function of stack_agg';
COMMENT ON FUNCTION tensor_stack_combine(tensor_agg_state, tensor_agg_state) IS 'aggregate combine function of stack_agg';
COMMENT ON FUNCTION tensor_stack_final(tensor_agg_state) IS 'aggregate final function of stack_agg';
