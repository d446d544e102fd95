-- linal: shape questions answered from the header.

CREATE FUNCTION shape(tensor) RETURNS integer[]
	AS 'MODULE_PATHNAME', 'tensor_shape' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ndim(tensor) RETURNS integer
	AS 'MODULE_PATHNAME', 'tensor_ndim' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION numel(tensor) RETURNS integer
	AS 'MODULE_PATHNAME', 'tensor_numel' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION shape(tensor) IS 'dimensions of the tensor ({} for rank 0)';
COMMENT ON FUNCTION ndim(tensor) IS 'rank of the tensor (0 to 8)';
COMMENT ON FUNCTION numel(tensor) IS 'number of elements';
