-- linal: reductions over the elements of one tensor, whole or along an axis.

CREATE FUNCTION tensor_sum(tensor) RETURNS double precision
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_sum(tensor, axis integer) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_sum_axis' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_min(tensor) RETURNS real
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_min(tensor, axis integer) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_min_axis' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_max(tensor) RETURNS real
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_max(tensor, axis integer) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_max_axis' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean(tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean(tensor, axis integer) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_mean_axis' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stdev(tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_stdev' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stdev(tensor, axis integer) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_stdev_axis' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION norm(tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_norm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION norm(tensor, axis integer) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_norm_axis' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION stdev(tensor) IS 'population standard deviation of the elements (divides by n)';
COMMENT ON FUNCTION norm(tensor) IS 'L2 (Frobenius) norm of the elements';
COMMENT ON FUNCTION tensor_sum(tensor) IS 'sum of the elements';
COMMENT ON FUNCTION tensor_sum(tensor, integer) IS 'sums along an axis (1-based, negative from the end)';
COMMENT ON FUNCTION tensor_min(tensor) IS 'smallest element; NULL if there are none';
COMMENT ON FUNCTION tensor_min(tensor, integer) IS 'minima along an axis';
COMMENT ON FUNCTION tensor_max(tensor) IS 'largest element; NULL if there are none';
COMMENT ON FUNCTION tensor_max(tensor, integer) IS 'maxima along an axis';
COMMENT ON FUNCTION mean(tensor) IS 'mean of the elements; NULL if there are none';
COMMENT ON FUNCTION mean(tensor, integer) IS 'means along an axis';
COMMENT ON FUNCTION stdev(tensor, integer) IS 'population standard deviations along an axis';
COMMENT ON FUNCTION norm(tensor, integer) IS 'L2 norms along an axis';
