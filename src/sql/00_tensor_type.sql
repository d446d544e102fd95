-- linal: the tensor type, its I/O and its type modifier.
\echo Use "CREATE EXTENSION linal" to load this file. \quit

CREATE TYPE tensor;

CREATE FUNCTION tensor_in(cstring, oid, integer) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_out(tensor) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_recv(internal, oid, integer) RETURNS tensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_send(tensor) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_typmod_in(cstring[]) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor_typmod_out(integer) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE tensor (
	INPUT = tensor_in,
	OUTPUT = tensor_out,
	RECEIVE = tensor_recv,
	SEND = tensor_send,
	TYPMOD_IN = tensor_typmod_in,
	TYPMOD_OUT = tensor_typmod_out,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = external,
	-- linal's own type category, tensor preferred in it: a function with a
	-- tensor and a halftensor variant, called with untyped literals
	-- (l2_distance('[1,2]', '[3,4]')), resolves to the tensor one
	CATEGORY = 'L',
	PREFERRED = true
);

COMMENT ON TYPE tensor IS 'N-dimensional float4 tensor (rank 0 to 8)';
COMMENT ON FUNCTION tensor_in(cstring, oid, integer) IS 'I/O: tensor from its text form';
COMMENT ON FUNCTION tensor_out(tensor) IS 'I/O: text form of a tensor';
COMMENT ON FUNCTION tensor_recv(internal, oid, integer) IS 'I/O: tensor from its binary form';
COMMENT ON FUNCTION tensor_send(tensor) IS 'I/O: binary form of a tensor';
COMMENT ON FUNCTION tensor_typmod_in(cstring[]) IS 'I/O: type modifier tensor(n) or tensor(r,c)';
COMMENT ON FUNCTION tensor_typmod_out(integer) IS 'I/O: text form of a type modifier';

-- Applies the typmod on assignment and on casts such as ::tensor(3).
CREATE FUNCTION tensor(tensor, integer, boolean) RETURNS tensor
	AS 'MODULE_PATHNAME', 'tensor_coerce_typmod' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (tensor AS tensor) WITH FUNCTION tensor(tensor, integer, boolean) AS IMPLICIT;
COMMENT ON FUNCTION tensor(tensor, integer, boolean) IS 'checks a tensor against a type modifier';
COMMENT ON CAST (tensor AS tensor) IS 'applies the type modifier (tensor(n), tensor(r,c))';
