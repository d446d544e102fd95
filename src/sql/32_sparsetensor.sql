-- linal: sparsetensor, a vector that stores only its non-zero elements
-- (src/types/sparsetensor.h), under pgvector's sparsevec names so a
-- sparsevec application moves over by renaming the type.

CREATE TYPE sparsetensor;

CREATE FUNCTION sparsetensor_in(cstring, oid, integer) RETURNS sparsetensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsetensor_out(sparsetensor) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsetensor_recv(internal, oid, integer) RETURNS sparsetensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsetensor_send(sparsetensor) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsetensor_typmod_in(cstring[]) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsetensor_typmod_out(integer) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE sparsetensor (
	INPUT = sparsetensor_in,
	OUTPUT = sparsetensor_out,
	RECEIVE = sparsetensor_recv,
	SEND = sparsetensor_send,
	TYPMOD_IN = sparsetensor_typmod_in,
	TYPMOD_OUT = sparsetensor_typmod_out,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = external,
	CATEGORY = 'L'				-- tensor's category, where tensor is preferred: an
								-- untyped literal argument still means tensor
);

COMMENT ON TYPE sparsetensor IS 'sparse float4 vector: dimension and the non-zero elements, text form {1:1.5,3:2}/5';
COMMENT ON FUNCTION sparsetensor_in(cstring, oid, integer) IS 'I/O: sparsetensor from its text form';
COMMENT ON FUNCTION sparsetensor_out(sparsetensor) IS 'I/O: text form of a sparsetensor';
COMMENT ON FUNCTION sparsetensor_recv(internal, oid, integer) IS 'I/O: sparsetensor from its binary form';
COMMENT ON FUNCTION sparsetensor_send(sparsetensor) IS 'I/O: binary form of a sparsetensor';
COMMENT ON FUNCTION sparsetensor_typmod_in(cstring[]) IS 'I/O: type modifier sparsetensor(n)';
COMMENT ON FUNCTION sparsetensor_typmod_out(integer) IS 'I/O: text of the type modifier';

-- casts, declared as pgvector declares sparsevec's: tensor and halftensor ->
-- sparsetensor implicit, sparsetensor -> tensor and halftensor and arrays ->
-- sparsetensor on assignment
CREATE FUNCTION sparsetensor(sparsetensor, integer, boolean) RETURNS sparsetensor
	AS 'MODULE_PATHNAME', 'sparsetensor_coerce_typmod' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsetensor(tensor, integer, boolean) RETURNS sparsetensor
	AS 'MODULE_PATHNAME', 'tensor_to_sparsetensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor(sparsetensor, integer, boolean) RETURNS tensor
	AS 'MODULE_PATHNAME', 'sparsetensor_to_tensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsetensor(halftensor, integer, boolean) RETURNS sparsetensor
	AS 'MODULE_PATHNAME', 'halftensor_to_sparsetensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor(sparsetensor, integer, boolean) RETURNS halftensor
	AS 'MODULE_PATHNAME', 'sparsetensor_to_halftensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsetensor(real[], integer, boolean) RETURNS sparsetensor
	AS 'MODULE_PATHNAME', 'array_to_sparsetensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsetensor(double precision[], integer, boolean) RETURNS sparsetensor
	AS 'MODULE_PATHNAME', 'array_to_sparsetensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsetensor(integer[], integer, boolean) RETURNS sparsetensor
	AS 'MODULE_PATHNAME', 'array_to_sparsetensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsetensor(numeric[], integer, boolean) RETURNS sparsetensor
	AS 'MODULE_PATHNAME', 'array_to_sparsetensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (sparsetensor AS sparsetensor) WITH FUNCTION sparsetensor(sparsetensor, integer, boolean) AS IMPLICIT;
CREATE CAST (tensor AS sparsetensor) WITH FUNCTION sparsetensor(tensor, integer, boolean) AS IMPLICIT;
CREATE CAST (sparsetensor AS tensor) WITH FUNCTION tensor(sparsetensor, integer, boolean) AS ASSIGNMENT;
CREATE CAST (halftensor AS sparsetensor) WITH FUNCTION sparsetensor(halftensor, integer, boolean) AS IMPLICIT;
CREATE CAST (sparsetensor AS halftensor) WITH FUNCTION halftensor(sparsetensor, integer, boolean) AS ASSIGNMENT;
CREATE CAST (real[] AS sparsetensor) WITH FUNCTION sparsetensor(real[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (double precision[] AS sparsetensor) WITH FUNCTION sparsetensor(double precision[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (integer[] AS sparsetensor) WITH FUNCTION sparsetensor(integer[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (numeric[] AS sparsetensor) WITH FUNCTION sparsetensor(numeric[], integer, boolean) AS ASSIGNMENT;

COMMENT ON FUNCTION sparsetensor(sparsetensor, integer, boolean) IS 'checks a sparsetensor against a type modifier';
COMMENT ON FUNCTION sparsetensor(tensor, integer, boolean) IS 'sparsetensor of a 1-d tensor (zeros dropped)';
COMMENT ON FUNCTION tensor(sparsetensor, integer, boolean) IS '1-d tensor of a sparsetensor (zeros filled in)';
COMMENT ON FUNCTION sparsetensor(halftensor, integer, boolean) IS 'sparsetensor of a 1-d halftensor (exact, zeros dropped)';
COMMENT ON FUNCTION halftensor(sparsetensor, integer, boolean) IS '1-d halftensor of a sparsetensor, rounded to nearest even; 22003 beyond +-65504';
COMMENT ON FUNCTION sparsetensor(real[], integer, boolean) IS 'sparsetensor from a 1-d array (zeros dropped)';
COMMENT ON FUNCTION sparsetensor(double precision[], integer, boolean) IS 'sparsetensor from a 1-d array (zeros dropped)';
COMMENT ON FUNCTION sparsetensor(integer[], integer, boolean) IS 'sparsetensor from a 1-d array (zeros dropped)';
COMMENT ON FUNCTION sparsetensor(numeric[], integer, boolean) IS 'sparsetensor from a 1-d array (zeros dropped)';
COMMENT ON CAST (sparsetensor AS sparsetensor) IS 'applies the type modifier (sparsetensor(n))';
COMMENT ON CAST (tensor AS sparsetensor) IS '1-d tensor to sparsetensor (implicit, as pgvector''s vector to sparsevec)';
COMMENT ON CAST (sparsetensor AS tensor) IS 'sparsetensor to 1-d tensor (assignment, as pgvector''s sparsevec to vector)';
COMMENT ON CAST (halftensor AS sparsetensor) IS '1-d halftensor to sparsetensor (implicit, as pgvector''s halfvec to sparsevec)';
COMMENT ON CAST (sparsetensor AS halftensor) IS 'sparsetensor to 1-d halftensor (assignment, as pgvector''s sparsevec to halfvec)';
COMMENT ON CAST (real[] AS sparsetensor) IS '1-d array to sparsetensor (assignment)';
COMMENT ON CAST (double precision[] AS sparsetensor) IS '1-d array to sparsetensor (assignment)';
COMMENT ON CAST (integer[] AS sparsetensor) IS '1-d array to sparsetensor (assignment)';
COMMENT ON CAST (numeric[] AS sparsetensor) IS '1-d array to sparsetensor (assignment)';

-- distances: merge walks over the stored elements
CREATE FUNCTION l2_distance(sparsetensor, sparsetensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'sparsetensor_l2_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l2_squared_distance(sparsetensor, sparsetensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'sparsetensor_l2_squared_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION inner_product(sparsetensor, sparsetensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'sparsetensor_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION negative_inner_product(sparsetensor, sparsetensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'sparsetensor_negative_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cosine_distance(sparsetensor, sparsetensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'sparsetensor_cosine_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l1_distance(sparsetensor, sparsetensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'sparsetensor_l1_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l2_norm(sparsetensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'sparsetensor_l2_norm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l2_normalize(sparsetensor) RETURNS sparsetensor
	AS 'MODULE_PATHNAME', 'sparsetensor_l2_normalize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION l2_distance(sparsetensor, sparsetensor) IS 'Euclidean (L2) distance';
COMMENT ON FUNCTION l2_squared_distance(sparsetensor, sparsetensor) IS 'squared Euclidean distance';
COMMENT ON FUNCTION inner_product(sparsetensor, sparsetensor) IS 'inner product';
COMMENT ON FUNCTION negative_inner_product(sparsetensor, sparsetensor) IS 'inner product negated, smaller is more similar';
COMMENT ON FUNCTION cosine_distance(sparsetensor, sparsetensor) IS '1 - cosine similarity; NULL for a zero vector';
COMMENT ON FUNCTION l1_distance(sparsetensor, sparsetensor) IS 'taxicab (L1) distance';
COMMENT ON FUNCTION l2_norm(sparsetensor) IS 'L2 norm (pgvector name)';
COMMENT ON FUNCTION l2_normalize(sparsetensor) IS 'divided by its L2 norm; the zero sparsetensor stays zero';

CREATE OPERATOR <-> (
	LEFTARG = sparsetensor, RIGHTARG = sparsetensor, PROCEDURE = l2_distance, COMMUTATOR = <->
);
CREATE OPERATOR <=> (
	LEFTARG = sparsetensor, RIGHTARG = sparsetensor, PROCEDURE = cosine_distance, COMMUTATOR = <=>
);
CREATE OPERATOR <#> (
	LEFTARG = sparsetensor, RIGHTARG = sparsetensor, PROCEDURE = negative_inner_product, COMMUTATOR = <#>
);
CREATE OPERATOR <+> (
	LEFTARG = sparsetensor, RIGHTARG = sparsetensor, PROCEDURE = l1_distance, COMMUTATOR = <+>
);
COMMENT ON OPERATOR <-> (sparsetensor, sparsetensor) IS 'Euclidean (L2) distance';
COMMENT ON OPERATOR <=> (sparsetensor, sparsetensor) IS 'cosine distance';
COMMENT ON OPERATOR <#> (sparsetensor, sparsetensor) IS 'negative inner product';
COMMENT ON OPERATOR <+> (sparsetensor, sparsetensor) IS 'taxicab (L1) distance';

-- comparison, btree and hash: the order of the dense vectors
CREATE FUNCTION sparsetensor_eq(sparsetensor, sparsetensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION sparsetensor_ne(sparsetensor, sparsetensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION sparsetensor_lt(sparsetensor, sparsetensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION sparsetensor_le(sparsetensor, sparsetensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION sparsetensor_gt(sparsetensor, sparsetensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION sparsetensor_ge(sparsetensor, sparsetensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION sparsetensor_cmp(sparsetensor, sparsetensor) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION sparsevec_cmp(sparsetensor, sparsetensor) RETURNS integer
	AS 'MODULE_PATHNAME', 'sparsetensor_cmp' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION sparsetensor_hash(sparsetensor) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sparsetensor_hash_extended(sparsetensor, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sparsetensor_eq(sparsetensor, sparsetensor) IS 'implementation of = operator';
COMMENT ON FUNCTION sparsetensor_ne(sparsetensor, sparsetensor) IS 'implementation of <> operator';
COMMENT ON FUNCTION sparsetensor_lt(sparsetensor, sparsetensor) IS 'implementation of < operator';
COMMENT ON FUNCTION sparsetensor_le(sparsetensor, sparsetensor) IS 'implementation of <= operator';
COMMENT ON FUNCTION sparsetensor_gt(sparsetensor, sparsetensor) IS 'implementation of > operator';
COMMENT ON FUNCTION sparsetensor_ge(sparsetensor, sparsetensor) IS 'implementation of >= operator';
COMMENT ON FUNCTION sparsetensor_cmp(sparsetensor, sparsetensor) IS 'btree comparison: -1, 0 or 1';
COMMENT ON FUNCTION sparsevec_cmp(sparsetensor, sparsetensor) IS 'btree comparison, the same as sparsetensor_cmp() (pgvector name)';
COMMENT ON FUNCTION sparsetensor_hash(sparsetensor) IS 'hash';
COMMENT ON FUNCTION sparsetensor_hash_extended(sparsetensor, bigint) IS 'hash with a seed';

CREATE OPERATOR = (
	LEFTARG = sparsetensor, RIGHTARG = sparsetensor, PROCEDURE = sparsetensor_eq,
	COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR <> (
	LEFTARG = sparsetensor, RIGHTARG = sparsetensor, PROCEDURE = sparsetensor_ne,
	COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR < (
	LEFTARG = sparsetensor, RIGHTARG = sparsetensor, PROCEDURE = sparsetensor_lt,
	COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
	LEFTARG = sparsetensor, RIGHTARG = sparsetensor, PROCEDURE = sparsetensor_le,
	COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR > (
	LEFTARG = sparsetensor, RIGHTARG = sparsetensor, PROCEDURE = sparsetensor_gt,
	COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR >= (
	LEFTARG = sparsetensor, RIGHTARG = sparsetensor, PROCEDURE = sparsetensor_ge,
	COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS sparsetensor_ops
	DEFAULT FOR TYPE sparsetensor USING btree AS
	OPERATOR 1 <,
	OPERATOR 2 <=,
	OPERATOR 3 =,
	OPERATOR 4 >=,
	OPERATOR 5 >,
	FUNCTION 1 sparsetensor_cmp(sparsetensor, sparsetensor);

CREATE OPERATOR CLASS sparsetensor_ops
	DEFAULT FOR TYPE sparsetensor USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 sparsetensor_hash(sparsetensor),
	FUNCTION 2 sparsetensor_hash_extended(sparsetensor, bigint);

COMMENT ON OPERATOR = (sparsetensor, sparsetensor) IS 'equal: same dimension and elements';
COMMENT ON OPERATOR <> (sparsetensor, sparsetensor) IS 'not equal';
COMMENT ON OPERATOR < (sparsetensor, sparsetensor) IS 'less than (elements in order, then dimension)';
COMMENT ON OPERATOR <= (sparsetensor, sparsetensor) IS 'less than or equal';
COMMENT ON OPERATOR > (sparsetensor, sparsetensor) IS 'greater than';
COMMENT ON OPERATOR >= (sparsetensor, sparsetensor) IS 'greater than or equal';
COMMENT ON OPERATOR CLASS sparsetensor_ops USING btree IS 'default btree operator class of sparsetensor';
COMMENT ON OPERATOR FAMILY sparsetensor_ops USING btree IS 'btree operators of sparsetensor';
COMMENT ON OPERATOR CLASS sparsetensor_ops USING hash IS 'default hash operator class of sparsetensor';
COMMENT ON OPERATOR FAMILY sparsetensor_ops USING hash IS 'hash operators of sparsetensor';
