-- linal: tensors made from a shape.

CREATE FUNCTION tensor_fill(shape integer[], value double precision DEFAULT 0) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_fill' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tensor_fill(integer[], double precision) IS 'a tensor of the given shape with every element set to value (default 0)';

-- random tensors (construct.c): without a seed VOLATILE and PARALLEL
-- RESTRICTED like random(); with one, the same seed gives the same tensor
CREATE FUNCTION tensor_random(shape integer[]) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_random' LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION tensor_random(integer[]) IS 'a tensor of the given shape with elements uniform in [0,1)';
CREATE FUNCTION tensor_random(shape integer[], seed bigint) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_random' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tensor_random(integer[], bigint) IS 'a tensor of the given shape with elements uniform in [0,1), repeatable by seed';
CREATE FUNCTION tensor_random_normal(shape integer[], mean double precision DEFAULT 0,
									 sd double precision DEFAULT 1) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_random_normal' LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION tensor_random_normal(integer[], double precision, double precision) IS 'a tensor of the given shape with normally distributed elements';
CREATE FUNCTION tensor_random_normal(shape integer[], mean double precision,
									 sd double precision, seed bigint) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_random_normal' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tensor_random_normal(integer[], double precision, double precision, bigint) IS 'a tensor of the given shape with normally distributed elements, repeatable by seed';
