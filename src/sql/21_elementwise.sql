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
COMMENT ON FUNCTION tensor_add(tensor, tensor) IS 'implementation of + operator';
COMMENT ON FUNCTION tensor_sub(tensor, tensor) IS 'implementation of - operator';
COMMENT ON FUNCTION tensor_mul(tensor, tensor) IS 'implementation of * operator';
COMMENT ON FUNCTION tensor_div(tensor, tensor) IS 'implementation of / operator';
COMMENT ON FUNCTION tensor_add_scalar(tensor, double precision) IS 'implementation of + operator';
COMMENT ON FUNCTION tensor_sub_scalar(tensor, double precision) IS 'implementation of - operator';
COMMENT ON FUNCTION tensor_mul_scalar(tensor, double precision) IS 'implementation of * operator';
COMMENT ON FUNCTION tensor_div_scalar(tensor, double precision) IS 'implementation of / operator';
COMMENT ON FUNCTION tensor_scalar_add(double precision, tensor) IS 'implementation of + operator';
COMMENT ON FUNCTION tensor_scalar_sub(double precision, tensor) IS 'implementation of - operator';
COMMENT ON FUNCTION tensor_scalar_mul(double precision, tensor) IS 'implementation of * operator';
COMMENT ON FUNCTION tensor_scalar_div(double precision, tensor) IS 'implementation of / operator';
COMMENT ON FUNCTION tensor_negate(tensor) IS 'implementation of unary - operator';
COMMENT ON FUNCTION scale(tensor, double precision) IS 'every element multiplied by a number';

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

COMMENT ON OPERATOR + (tensor, tensor) IS 'add element by element (a rank-0 side broadcasts)';
COMMENT ON OPERATOR - (tensor, tensor) IS 'subtract element by element (a rank-0 side broadcasts)';
COMMENT ON OPERATOR * (tensor, tensor) IS 'multiply element by element (a rank-0 side broadcasts)';
COMMENT ON OPERATOR / (tensor, tensor) IS 'divide element by element (a rank-0 side broadcasts)';
COMMENT ON OPERATOR + (tensor, double precision) IS 'add a number to every element';
COMMENT ON OPERATOR - (tensor, double precision) IS 'subtract a number from every element';
COMMENT ON OPERATOR * (tensor, double precision) IS 'multiply every element by a number';
COMMENT ON OPERATOR / (tensor, double precision) IS 'divide every element by a number';
COMMENT ON OPERATOR + (double precision, tensor) IS 'add a number to every element';
COMMENT ON OPERATOR - (double precision, tensor) IS 'a number minus every element';
COMMENT ON OPERATOR * (double precision, tensor) IS 'multiply every element by a number';
COMMENT ON OPERATOR / (double precision, tensor) IS 'a number divided by every element';
COMMENT ON OPERATOR - (NONE, tensor) IS 'negate every element';
