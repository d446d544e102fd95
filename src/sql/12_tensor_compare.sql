-- linal: equality, ordering and hashing (btree and hash operator classes).

CREATE FUNCTION tensor_eq(tensor, tensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION tensor_ne(tensor, tensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION tensor_lt(tensor, tensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION tensor_le(tensor, tensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION tensor_gt(tensor, tensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION tensor_ge(tensor, tensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION tensor_cmp(tensor, tensor) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION tensor_hash(tensor) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION tensor_hash_extended(tensor, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;

COMMENT ON FUNCTION tensor_eq(tensor, tensor) IS 'implementation of = operator';
COMMENT ON FUNCTION tensor_ne(tensor, tensor) IS 'implementation of <> operator';
COMMENT ON FUNCTION tensor_lt(tensor, tensor) IS 'implementation of < operator';
COMMENT ON FUNCTION tensor_le(tensor, tensor) IS 'implementation of <= operator';
COMMENT ON FUNCTION tensor_gt(tensor, tensor) IS 'implementation of > operator';
COMMENT ON FUNCTION tensor_ge(tensor, tensor) IS 'implementation of >= operator';
COMMENT ON FUNCTION tensor_cmp(tensor, tensor) IS 'btree comparison: -1, 0 or 1';
COMMENT ON FUNCTION tensor_hash(tensor) IS 'hash';
COMMENT ON FUNCTION tensor_hash_extended(tensor, bigint) IS 'hash with a seed';

CREATE OPERATOR = (
	LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = tensor_eq,
	COMMUTATOR = =, NEGATOR = <>,
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR <> (
	LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = tensor_ne,
	COMMUTATOR = <>, NEGATOR = =,
	RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR < (
	LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = tensor_lt,
	COMMUTATOR = >, NEGATOR = >=,
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
	LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = tensor_le,
	COMMUTATOR = >=, NEGATOR = >,
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR > (
	LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = tensor_gt,
	COMMUTATOR = <, NEGATOR = <=,
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR >= (
	LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = tensor_ge,
	COMMUTATOR = <=, NEGATOR = <,
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS tensor_ops
	DEFAULT FOR TYPE tensor USING btree AS
	OPERATOR 1 <,
	OPERATOR 2 <=,
	OPERATOR 3 =,
	OPERATOR 4 >=,
	OPERATOR 5 >,
	FUNCTION 1 tensor_cmp(tensor, tensor);

CREATE OPERATOR CLASS tensor_ops
	DEFAULT FOR TYPE tensor USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 tensor_hash(tensor),
	FUNCTION 2 tensor_hash_extended(tensor, bigint);

COMMENT ON OPERATOR = (tensor, tensor) IS 'equal: same shape and elements';
COMMENT ON OPERATOR <> (tensor, tensor) IS 'not equal';
COMMENT ON OPERATOR < (tensor, tensor) IS 'less than (elements in row-major order, then shape)';
COMMENT ON OPERATOR <= (tensor, tensor) IS 'less than or equal';
COMMENT ON OPERATOR > (tensor, tensor) IS 'greater than';
COMMENT ON OPERATOR >= (tensor, tensor) IS 'greater than or equal';
COMMENT ON OPERATOR CLASS tensor_ops USING btree IS 'default btree operator class: a total order of tensors';
COMMENT ON OPERATOR FAMILY tensor_ops USING btree IS 'btree operators of tensor';
COMMENT ON OPERATOR CLASS tensor_ops USING hash IS 'default hash operator class';
COMMENT ON OPERATOR FAMILY tensor_ops USING hash IS 'hash operators of tensor';
