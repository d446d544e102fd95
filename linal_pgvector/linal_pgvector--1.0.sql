-- linal_pgvector: casts between pgvector's types and linal's (vector and
-- tensor, halfvec and halftensor), so a column converts in place
-- (docs/MIGRATING.md).
--
-- The casts are assignment casts both ways: ALTER TABLE ... ALTER COLUMN
-- ... TYPE (with or without USING) and INSERT ... SELECT between a vector
-- and a tensor column convert without a written cast, while operator and
-- function resolution never use them, so an expression mixing a vector and
-- a tensor is an error rather than a silent choice of one library's
-- operator.  Type modifiers are applied by the target type's own length
-- coercion after the cast: ::tensor(3), ::vector(3), ::halftensor(3).

\echo Use "CREATE EXTENSION linal_pgvector" to load this file. \quit

CREATE FUNCTION vector_to_tensor(vector) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_to_vector(tensor) RETURNS vector
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (vector AS tensor) WITH FUNCTION vector_to_tensor(vector) AS ASSIGNMENT;
CREATE CAST (tensor AS vector) WITH FUNCTION tensor_to_vector(tensor) AS ASSIGNMENT;

COMMENT ON FUNCTION vector_to_tensor(vector) IS 'pgvector vector to 1-d tensor (same elements)';
COMMENT ON FUNCTION tensor_to_vector(tensor) IS '1-d tensor of 1 to 16000 elements to pgvector vector';
COMMENT ON CAST (vector AS tensor) IS 'pgvector vector to 1-d tensor (assignment)';
COMMENT ON CAST (tensor AS vector) IS '1-d tensor to pgvector vector (assignment)';

CREATE FUNCTION halfvec_to_halftensor(halfvec) RETURNS halftensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor_to_halfvec(halftensor) RETURNS halfvec
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (halfvec AS halftensor) WITH FUNCTION halfvec_to_halftensor(halfvec) AS ASSIGNMENT;
CREATE CAST (halftensor AS halfvec) WITH FUNCTION halftensor_to_halfvec(halftensor) AS ASSIGNMENT;

COMMENT ON FUNCTION halfvec_to_halftensor(halfvec) IS 'pgvector halfvec to 1-d halftensor (same float16 elements)';
COMMENT ON FUNCTION halftensor_to_halfvec(halftensor) IS '1-d halftensor of 1 to 16000 elements to pgvector halfvec';
COMMENT ON CAST (halfvec AS halftensor) IS 'pgvector halfvec to 1-d halftensor (assignment)';
COMMENT ON CAST (halftensor AS halfvec) IS '1-d halftensor to pgvector halfvec (assignment)';
