-- linal: tensors made from a shape.

CREATE FUNCTION tensor_fill(shape integer[], value double precision DEFAULT 0) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_fill' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tensor_fill(integer[], double precision) IS 'a tensor of the given shape with every element set to value (default 0)';
