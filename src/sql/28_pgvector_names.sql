-- linal: pgvector's function names for tensors, so a pgvector application
-- moves over by renaming its types (docs/SQL.md, "pgvector names").
-- cosine_distance, l2_distance, l1_distance, l2_normalize and the distance
-- operators already have pgvector's names; these add the rest.

CREATE FUNCTION vector_dims(tensor) RETURNS integer
	AS 'MODULE_PATHNAME', 'tensor_vector_dims' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION vector_dims(tensor) IS 'length of a 1-d tensor (pgvector name)';

CREATE FUNCTION vector_norm(tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_norm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION vector_norm(tensor) IS 'L2 norm, the same as norm() (pgvector name)';

CREATE FUNCTION l2_norm(tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_norm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION l2_norm(tensor) IS 'L2 norm, the same as norm() (pgvector name for halfvec and sparsevec)';

CREATE FUNCTION inner_product(tensor, tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_dot' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
	SUPPORT tensor_distance_support;
COMMENT ON FUNCTION inner_product(tensor, tensor) IS 'inner product, the same as dot() (pgvector name)';

CREATE FUNCTION vector_cmp(tensor, tensor) RETURNS integer
	AS 'MODULE_PATHNAME', 'tensor_cmp' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION vector_cmp(tensor, tensor) IS 'btree comparison, the same as tensor_cmp() (pgvector name)';

CREATE FUNCTION subvector(tensor, start integer, count integer) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_subvector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION subvector(tensor, integer, integer) IS 'count elements of a 1-d tensor from start (1-based, clipped like substring)';

CREATE FUNCTION binary_quantize(tensor) RETURNS bit
	AS 'MODULE_PATHNAME', 'tensor_binary_quantize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION binary_quantize(tensor) IS 'one bit per element, 1 where it is greater than 0';

CREATE FUNCTION tensor_concat_first_axis(tensor, tensor) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tensor_concat_first_axis(tensor, tensor) IS 'implementation of the || operator: concat along axis 1';
CREATE OPERATOR || (LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = tensor_concat_first_axis);
COMMENT ON OPERATOR || (tensor, tensor) IS 'concatenation along the first axis (pgvector''s vector ||)';

-- pgvector's casts from arrays go through array_to_vector(array, typmod,
-- explicit), which its own tests and some applications call by name; a 1-d
-- tensor(n) has pgvector's typmod n, so these are the cast functions again
CREATE FUNCTION array_to_vector(real[], integer, boolean) RETURNS tensor
	AS 'MODULE_PATHNAME', 'array_to_tensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_vector(double precision[], integer, boolean) RETURNS tensor
	AS 'MODULE_PATHNAME', 'array_to_tensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_vector(integer[], integer, boolean) RETURNS tensor
	AS 'MODULE_PATHNAME', 'array_to_tensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION array_to_vector(numeric[], integer, boolean) RETURNS tensor
	AS 'MODULE_PATHNAME', 'array_to_tensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION array_to_vector(real[], integer, boolean) IS 'tensor from an array, checked against a typmod (pgvector name of the cast)';
COMMENT ON FUNCTION array_to_vector(double precision[], integer, boolean) IS 'tensor from an array, checked against a typmod (pgvector name of the cast)';
COMMENT ON FUNCTION array_to_vector(integer[], integer, boolean) IS 'tensor from an array, checked against a typmod (pgvector name of the cast)';
COMMENT ON FUNCTION array_to_vector(numeric[], integer, boolean) IS 'tensor from an array, checked against a typmod (pgvector name of the cast)';
