-- linal: the matrix product through OpenBLAS.

CREATE FUNCTION matmul(tensor, tensor) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_matmul' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION matmul(tensor, tensor) IS 'matrix product: (m,k)@(k,n), (m,k)@(k), (k)@(k,n), (k)@(k)';
CREATE OPERATOR @ (LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = matmul);
COMMENT ON OPERATOR @ (tensor, tensor) IS 'matrix product';
