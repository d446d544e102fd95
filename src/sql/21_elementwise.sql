-- linal: element-wise arithmetic, scale() and normalize().

CREATE FUNCTION tensor_add(tensor, tensor) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_sub(tensor, tensor) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_mul(tensor, tensor) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_div(tensor, tensor) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tensor_add_scalar(tensor, double precision) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_sub_scalar(tensor, double precision) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_mul_scalar(tensor, double precision) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_div_scalar(tensor, double precision) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tensor_scalar_add(double precision, tensor) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_scalar_sub(double precision, tensor) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_scalar_mul(double precision, tensor) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_scalar_div(double precision, tensor) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tensor_negate(tensor) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION scale(tensor, double precision) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_scale' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- NORMALIZE is an SQL keyword (Unicode normalization of text) that always
-- resolves to pg_catalog.normalize(text), so normalize is spelled l2_normalize.
CREATE FUNCTION l2_normalize(tensor) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_normalize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION l2_normalize(tensor) IS 'divided by its L2 norm; the zero tensor stays zero';

CREATE OPERATOR + (LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = tensor_add, COMMUTATOR = +);
CREATE OPERATOR - (LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = tensor_sub);
CREATE OPERATOR * (LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = tensor_mul, COMMUTATOR = *);
CREATE OPERATOR / (LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = tensor_div);

CREATE OPERATOR + (LEFTARG = tensor, RIGHTARG = double precision, PROCEDURE = tensor_add_scalar, COMMUTATOR = +);
CREATE OPERATOR - (LEFTARG = tensor, RIGHTARG = double precision, PROCEDURE = tensor_sub_scalar);
CREATE OPERATOR * (LEFTARG = tensor, RIGHTARG = double precision, PROCEDURE = tensor_mul_scalar, COMMUTATOR = *);
CREATE OPERATOR / (LEFTARG = tensor, RIGHTARG = double precision, PROCEDURE = tensor_div_scalar);

CREATE OPERATOR + (LEFTARG = double precision, RIGHTARG = tensor, PROCEDURE = tensor_scalar_add, COMMUTATOR = +);
CREATE OPERATOR - (LEFTARG = double precision, RIGHTARG = tensor, PROCEDURE = tensor_scalar_sub);
CREATE OPERATOR * (LEFTARG = double precision, RIGHTARG = tensor, PROCEDURE = tensor_scalar_mul, COMMUTATOR = *);
CREATE OPERATOR / (LEFTARG = double precision, RIGHTARG = tensor, PROCEDURE = tensor_scalar_div);

CREATE OPERATOR - (RIGHTARG = tensor, PROCEDURE = tensor_negate);
