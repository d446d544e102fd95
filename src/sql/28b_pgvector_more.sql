-- linal: pgvector's aggregate transition functions by their names, over
-- pgvector's state {count, sum_1, ..., sum_n} (docs/SQL.md, "pgvector
-- names"). linal's own avg(tensor) and sum(tensor) do not use them.

CREATE FUNCTION vector_accum(double precision[], tensor) RETURNS double precision[]
	AS 'MODULE_PATHNAME', 'tensor_pgvector_accum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION vector_accum(double precision[], tensor) IS 'pgvector''s avg transition: the state {count, sums} with a 1-d tensor added';

CREATE FUNCTION vector_combine(double precision[], double precision[]) RETURNS double precision[]
	AS 'MODULE_PATHNAME', 'tensor_pgvector_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION vector_combine(double precision[], double precision[]) IS 'pgvector''s avg combine: two states {count, sums} as one';

CREATE FUNCTION vector_avg(double precision[]) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_pgvector_avg' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION vector_avg(double precision[]) IS 'pgvector''s avg final function: the mean of a state {count, sums}; NULL for no rows';
