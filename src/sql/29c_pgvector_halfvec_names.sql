-- linal: pgvector's halfvec functions that halftensor lacked under their
-- pgvector names (docs/SQL.md, "halftensor"): the btree comparison and the
-- avg transition functions over pgvector's state {count, sum_1, ..., sum_n}.
-- linal's own avg(halftensor) and sum(halftensor) do not use them.

CREATE FUNCTION halfvec_cmp(halftensor, halftensor) RETURNS integer
	AS 'MODULE_PATHNAME', 'halftensor_cmp' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION halfvec_cmp(halftensor, halftensor) IS 'btree comparison, the same as halftensor_cmp() (pgvector name)';

CREATE FUNCTION halfvec_accum(double precision[], halftensor) RETURNS double precision[]
	AS 'MODULE_PATHNAME', 'halftensor_pgvector_accum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION halfvec_accum(double precision[], halftensor) IS 'pgvector''s avg transition: the state {count, sums} with a 1-d halftensor added';

CREATE FUNCTION halfvec_combine(double precision[], double precision[]) RETURNS double precision[]
	AS 'MODULE_PATHNAME', 'halftensor_pgvector_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION halfvec_combine(double precision[], double precision[]) IS 'pgvector''s avg combine: two states {count, sums} as one';

CREATE FUNCTION halfvec_avg(double precision[]) RETURNS halftensor
	AS 'MODULE_PATHNAME', 'halftensor_pgvector_avg' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION halfvec_avg(double precision[]) IS 'pgvector''s avg final function: the mean of a state {count, sums} as a halftensor; NULL for no rows';
