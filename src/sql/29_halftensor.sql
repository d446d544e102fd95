-- linal: halftensor, tensors of IEEE 754 binary16 elements (half the bytes),
-- under pgvector's halfvec names so a halfvec application moves over by
-- renaming the type.

CREATE TYPE halftensor;

CREATE FUNCTION halftensor_in(cstring, oid, integer) RETURNS halftensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor_out(halftensor) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor_recv(internal, oid, integer) RETURNS halftensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor_send(halftensor) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- the typmod is tensor's: halftensor(n), halftensor(r,c)
CREATE TYPE halftensor (
	INPUT = halftensor_in,
	OUTPUT = halftensor_out,
	RECEIVE = halftensor_recv,
	SEND = halftensor_send,
	TYPMOD_IN = tensor_typmod_in,
	TYPMOD_OUT = tensor_typmod_out,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = external,
	CATEGORY = 'L'				-- tensor's category, where tensor is preferred
);

COMMENT ON TYPE halftensor IS 'N-dimensional float16 tensor (rank 0 to 8), half the bytes of tensor';
COMMENT ON FUNCTION halftensor_in(cstring, oid, integer) IS 'I/O: halftensor from its text form';
COMMENT ON FUNCTION halftensor_out(halftensor) IS 'I/O: text form of a halftensor';
COMMENT ON FUNCTION halftensor_recv(internal, oid, integer) IS 'I/O: halftensor from its binary form';
COMMENT ON FUNCTION halftensor_send(halftensor) IS 'I/O: binary form of a halftensor';

-- casts, declared as pgvector declares halfvec's: tensor -> halftensor is
-- implicit (a tensor query vector meets a halftensor column), halftensor ->
-- tensor and -> real[] on assignment, arrays -> halftensor on assignment
CREATE FUNCTION halftensor(halftensor, integer, boolean) RETURNS halftensor
	AS 'MODULE_PATHNAME', 'halftensor_coerce_typmod' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor(tensor, integer, boolean) RETURNS halftensor
	AS 'MODULE_PATHNAME', 'tensor_to_halftensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION tensor(halftensor, integer, boolean) RETURNS tensor
	AS 'MODULE_PATHNAME', 'halftensor_to_tensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor(real[], integer, boolean) RETURNS halftensor
	AS 'MODULE_PATHNAME', 'array_to_halftensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor(double precision[], integer, boolean) RETURNS halftensor
	AS 'MODULE_PATHNAME', 'array_to_halftensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor(integer[], integer, boolean) RETURNS halftensor
	AS 'MODULE_PATHNAME', 'array_to_halftensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor(numeric[], integer, boolean) RETURNS halftensor
	AS 'MODULE_PATHNAME', 'array_to_halftensor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor_to_real_array(halftensor) RETURNS real[]
	AS 'MODULE_PATHNAME', 'halftensor_to_float4_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (halftensor AS halftensor) WITH FUNCTION halftensor(halftensor, integer, boolean) AS IMPLICIT;
CREATE CAST (tensor AS halftensor) WITH FUNCTION halftensor(tensor, integer, boolean) AS IMPLICIT;
CREATE CAST (halftensor AS tensor) WITH FUNCTION tensor(halftensor, integer, boolean) AS ASSIGNMENT;
CREATE CAST (real[] AS halftensor) WITH FUNCTION halftensor(real[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (double precision[] AS halftensor) WITH FUNCTION halftensor(double precision[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (integer[] AS halftensor) WITH FUNCTION halftensor(integer[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (numeric[] AS halftensor) WITH FUNCTION halftensor(numeric[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (halftensor AS real[]) WITH FUNCTION halftensor_to_real_array(halftensor) AS ASSIGNMENT;

COMMENT ON FUNCTION halftensor(halftensor, integer, boolean) IS 'checks a halftensor against a type modifier';
COMMENT ON FUNCTION halftensor(tensor, integer, boolean) IS 'halftensor of a tensor, rounded to nearest even; 22003 beyond +-65504';
COMMENT ON FUNCTION tensor(halftensor, integer, boolean) IS 'tensor of a halftensor (exact)';
COMMENT ON FUNCTION halftensor(real[], integer, boolean) IS 'halftensor from an array of the same shape';
COMMENT ON FUNCTION halftensor(double precision[], integer, boolean) IS 'halftensor from an array of the same shape';
COMMENT ON FUNCTION halftensor(integer[], integer, boolean) IS 'halftensor from an array of the same shape';
COMMENT ON FUNCTION halftensor(numeric[], integer, boolean) IS 'halftensor from an array of the same shape';
COMMENT ON FUNCTION halftensor_to_real_array(halftensor) IS 'array of the same shape';
COMMENT ON CAST (halftensor AS halftensor) IS 'applies the type modifier (halftensor(n), halftensor(r,c))';
COMMENT ON CAST (tensor AS halftensor) IS 'rounds to float16 (implicit, as pgvector''s vector to halfvec)';
COMMENT ON CAST (halftensor AS tensor) IS 'exact widening to float4 (assignment, as pgvector''s halfvec to vector)';
COMMENT ON CAST (real[] AS halftensor) IS 'array to halftensor of the same shape (assignment)';
COMMENT ON CAST (double precision[] AS halftensor) IS 'array to halftensor of the same shape (assignment)';
COMMENT ON CAST (integer[] AS halftensor) IS 'array to halftensor of the same shape (assignment)';
COMMENT ON CAST (numeric[] AS halftensor) IS 'array to halftensor of the same shape (assignment)';
COMMENT ON CAST (halftensor AS real[]) IS 'halftensor to array of the same shape (assignment)';

-- distances: the half kernels, accumulated as tensor's
CREATE FUNCTION l2_distance(halftensor, halftensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'halftensor_l2_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION inner_product(halftensor, halftensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'halftensor_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION negative_inner_product(halftensor, halftensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'halftensor_negative_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cosine_distance(halftensor, halftensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'halftensor_cosine_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l1_distance(halftensor, halftensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'halftensor_l1_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION l2_distance(halftensor, halftensor) IS 'Euclidean (L2) distance';
COMMENT ON FUNCTION inner_product(halftensor, halftensor) IS 'inner product';
COMMENT ON FUNCTION negative_inner_product(halftensor, halftensor) IS 'inner product negated, smaller is more similar';
COMMENT ON FUNCTION cosine_distance(halftensor, halftensor) IS '1 - cosine similarity; NULL for a zero vector';
COMMENT ON FUNCTION l1_distance(halftensor, halftensor) IS 'taxicab (L1) distance';

CREATE OPERATOR <-> (
	LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = l2_distance, COMMUTATOR = <->
);
CREATE OPERATOR <=> (
	LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = cosine_distance, COMMUTATOR = <=>
);
CREATE OPERATOR <#> (
	LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = negative_inner_product, COMMUTATOR = <#>
);
CREATE OPERATOR <+> (
	LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = l1_distance, COMMUTATOR = <+>
);
COMMENT ON OPERATOR <-> (halftensor, halftensor) IS 'Euclidean (L2) distance';
COMMENT ON OPERATOR <=> (halftensor, halftensor) IS 'cosine distance';
COMMENT ON OPERATOR <#> (halftensor, halftensor) IS 'negative inner product';
COMMENT ON OPERATOR <+> (halftensor, halftensor) IS 'taxicab (L1) distance';

-- pgvector's other halfvec functions
CREATE FUNCTION vector_dims(halftensor) RETURNS integer
	AS 'MODULE_PATHNAME', 'halftensor_vector_dims' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l2_norm(halftensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'halftensor_l2_norm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_norm(halftensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'halftensor_l2_norm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION l2_normalize(halftensor) RETURNS halftensor
	AS 'MODULE_PATHNAME', 'halftensor_l2_normalize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION subvector(halftensor, start integer, count integer) RETURNS halftensor
	AS 'MODULE_PATHNAME', 'halftensor_subvector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION binary_quantize(halftensor) RETURNS bit
	AS 'MODULE_PATHNAME', 'halftensor_binary_quantize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION vector_dims(halftensor) IS 'length of a 1-d halftensor (pgvector name)';
COMMENT ON FUNCTION l2_norm(halftensor) IS 'L2 norm (pgvector name)';
COMMENT ON FUNCTION vector_norm(halftensor) IS 'L2 norm, the same as l2_norm()';
COMMENT ON FUNCTION l2_normalize(halftensor) IS 'divided by its L2 norm; the zero halftensor stays zero';
COMMENT ON FUNCTION subvector(halftensor, integer, integer) IS 'count elements of a 1-d halftensor from start (1-based, clipped like substring)';
COMMENT ON FUNCTION binary_quantize(halftensor) IS 'one bit per element, 1 where it is greater than 0';

-- element-wise arithmetic and concatenation (results rounded to float16)
CREATE FUNCTION halftensor_add(halftensor, halftensor) RETURNS halftensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor_sub(halftensor, halftensor) RETURNS halftensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor_mul(halftensor, halftensor) RETURNS halftensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor_concat(halftensor, halftensor) RETURNS halftensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION halftensor_add(halftensor, halftensor) IS 'implementation of + operator';
COMMENT ON FUNCTION halftensor_sub(halftensor, halftensor) IS 'implementation of - operator';
COMMENT ON FUNCTION halftensor_mul(halftensor, halftensor) IS 'implementation of * operator';
COMMENT ON FUNCTION halftensor_concat(halftensor, halftensor) IS 'implementation of the || operator: concat along axis 1';
CREATE OPERATOR + (LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = halftensor_add, COMMUTATOR = +);
CREATE OPERATOR - (LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = halftensor_sub);
CREATE OPERATOR * (LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = halftensor_mul, COMMUTATOR = *);
CREATE OPERATOR || (LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = halftensor_concat);
COMMENT ON OPERATOR + (halftensor, halftensor) IS 'element-wise sum';
COMMENT ON OPERATOR - (halftensor, halftensor) IS 'element-wise difference';
COMMENT ON OPERATOR * (halftensor, halftensor) IS 'element-wise product';
COMMENT ON OPERATOR || (halftensor, halftensor) IS 'concatenation along the first axis (pgvector''s halfvec ||)';

-- comparison, btree and hash: tensor's order and hash on the same values
CREATE FUNCTION halftensor_eq(halftensor, halftensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION halftensor_ne(halftensor, halftensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION halftensor_lt(halftensor, halftensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION halftensor_le(halftensor, halftensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION halftensor_gt(halftensor, halftensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION halftensor_ge(halftensor, halftensor) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION halftensor_cmp(halftensor, halftensor) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION halftensor_hash(halftensor) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor_hash_extended(halftensor, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION halftensor_eq(halftensor, halftensor) IS 'implementation of = operator';
COMMENT ON FUNCTION halftensor_ne(halftensor, halftensor) IS 'implementation of <> operator';
COMMENT ON FUNCTION halftensor_lt(halftensor, halftensor) IS 'implementation of < operator';
COMMENT ON FUNCTION halftensor_le(halftensor, halftensor) IS 'implementation of <= operator';
COMMENT ON FUNCTION halftensor_gt(halftensor, halftensor) IS 'implementation of > operator';
COMMENT ON FUNCTION halftensor_ge(halftensor, halftensor) IS 'implementation of >= operator';
COMMENT ON FUNCTION halftensor_cmp(halftensor, halftensor) IS 'btree comparison: -1, 0 or 1';
COMMENT ON FUNCTION halftensor_hash(halftensor) IS 'hash';
COMMENT ON FUNCTION halftensor_hash_extended(halftensor, bigint) IS 'hash with a seed';

CREATE OPERATOR = (
	LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = halftensor_eq,
	COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR <> (
	LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = halftensor_ne,
	COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR < (
	LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = halftensor_lt,
	COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
	LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = halftensor_le,
	COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR > (
	LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = halftensor_gt,
	COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR >= (
	LEFTARG = halftensor, RIGHTARG = halftensor, PROCEDURE = halftensor_ge,
	COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS halftensor_ops
	DEFAULT FOR TYPE halftensor USING btree AS
	OPERATOR 1 <,
	OPERATOR 2 <=,
	OPERATOR 3 =,
	OPERATOR 4 >=,
	OPERATOR 5 >,
	FUNCTION 1 halftensor_cmp(halftensor, halftensor);

CREATE OPERATOR CLASS halftensor_ops
	DEFAULT FOR TYPE halftensor USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 halftensor_hash(halftensor),
	FUNCTION 2 halftensor_hash_extended(halftensor, bigint);

COMMENT ON OPERATOR = (halftensor, halftensor) IS 'equal: same shape and elements';
COMMENT ON OPERATOR <> (halftensor, halftensor) IS 'not equal';
COMMENT ON OPERATOR < (halftensor, halftensor) IS 'less than (elements in row-major order, then shape)';
COMMENT ON OPERATOR <= (halftensor, halftensor) IS 'less than or equal';
COMMENT ON OPERATOR > (halftensor, halftensor) IS 'greater than';
COMMENT ON OPERATOR >= (halftensor, halftensor) IS 'greater than or equal';
COMMENT ON OPERATOR CLASS halftensor_ops USING btree IS 'default btree operator class of halftensor';
COMMENT ON OPERATOR FAMILY halftensor_ops USING btree IS 'btree operators of halftensor';
COMMENT ON OPERATOR CLASS halftensor_ops USING hash IS 'default hash operator class of halftensor';
COMMENT ON OPERATOR FAMILY halftensor_ops USING hash IS 'hash operators of halftensor';

-- sum and avg over rows: tensor's state and combine, result rounded to half
CREATE FUNCTION halftensor_sum_transition(tensor_agg_state, halftensor) RETURNS tensor_agg_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION halftensor_sum_final(tensor_agg_state) RETURNS halftensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halftensor_avg_final(tensor_agg_state) RETURNS halftensor
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION halftensor_sum_transition(tensor_agg_state, halftensor) IS 'transition of sum(halftensor) and avg(halftensor)';
COMMENT ON FUNCTION halftensor_sum_final(tensor_agg_state) IS 'final function of sum(halftensor)';
COMMENT ON FUNCTION halftensor_avg_final(tensor_agg_state) IS 'final function of avg(halftensor)';
CREATE AGGREGATE sum(halftensor) (
	SFUNC = halftensor_sum_transition, STYPE = tensor_agg_state, FINALFUNC = halftensor_sum_final,
	COMBINEFUNC = tensor_agg_combine, PARALLEL = SAFE
);
CREATE AGGREGATE avg(halftensor) (
	SFUNC = halftensor_sum_transition, STYPE = tensor_agg_state, FINALFUNC = halftensor_avg_final,
	COMBINEFUNC = tensor_agg_combine, PARALLEL = SAFE
);
COMMENT ON AGGREGATE sum(halftensor) IS 'element-wise sum over rows (accumulated in double, rounded to half)';
COMMENT ON AGGREGATE avg(halftensor) IS 'element-wise mean over rows (accumulated in double, rounded to half)';
