-- linal: shape operations.

CREATE FUNCTION transpose(tensor) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_transpose' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION transpose(tensor, axes integer[]) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_transpose_perm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION reshape(tensor, shape integer[]) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_reshape' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION flatten(tensor) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_flatten' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stack(VARIADIC tensor[]) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_stack' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION concat(tensor, tensor, axis integer DEFAULT 1) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_concat' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION transpose(tensor) IS 'matrix transpose; reverses the axes of higher ranks';
COMMENT ON FUNCTION transpose(tensor, integer[]) IS 'permutes the axes: result axis i is input axis axes[i] (1-based)';
COMMENT ON FUNCTION reshape(tensor, integer[]) IS 'same elements, new shape; one -1 is inferred';
COMMENT ON FUNCTION stack(VARIADIC tensor[]) IS 'tensors of one shape along a new leading axis';
COMMENT ON FUNCTION concat(tensor, tensor, integer) IS 'joins two tensors along an existing axis (1-based)';
COMMENT ON FUNCTION flatten(tensor) IS 'the elements as a 1-d tensor, in row-major order';
