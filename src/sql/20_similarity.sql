-- linal: similarity and distance functions and the distance operators
-- (pgvector's convention: <-> L2, <=> cosine distance, <#> negative inner
-- product, <+> L1).

-- the planner's cost of a distance or similarity call grows with the
-- elements and the TOAST fetches (distance_cost.c)
CREATE FUNCTION tensor_distance_support(internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION dot(tensor, tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_dot' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
	SUPPORT tensor_distance_support;
CREATE FUNCTION cosine_similarity(tensor, tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_cosine_similarity' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
	SUPPORT tensor_distance_support;
CREATE FUNCTION cosine_distance(tensor, tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_cosine_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
	SUPPORT tensor_distance_support;
CREATE FUNCTION l2_distance(tensor, tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_l2_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
	SUPPORT tensor_distance_support;
CREATE FUNCTION l2_squared_distance(tensor, tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_l2_squared_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
	SUPPORT tensor_distance_support;
CREATE FUNCTION l1_distance(tensor, tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_l1_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
	SUPPORT tensor_distance_support;
CREATE FUNCTION negative_inner_product(tensor, tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_negative_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
	SUPPORT tensor_distance_support;
CREATE FUNCTION correlate(tensor, tensor) RETURNS double precision
	AS 'MODULE_PATHNAME', 'tensor_correlate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
	SUPPORT tensor_distance_support;

COMMENT ON FUNCTION cosine_similarity(tensor, tensor) IS 'cosine of the angle; NULL if a side has zero norm';
COMMENT ON FUNCTION correlate(tensor, tensor) IS 'Pearson correlation coefficient; NULL if a side is constant';
COMMENT ON FUNCTION tensor_distance_support(internal) IS 'planner support: cost of a distance call by its elements';
COMMENT ON FUNCTION dot(tensor, tensor) IS 'inner product of two tensors of the same shape';
COMMENT ON FUNCTION cosine_distance(tensor, tensor) IS '1 - cosine similarity; NULL if a side has zero norm';
COMMENT ON FUNCTION l2_distance(tensor, tensor) IS 'Euclidean (L2) distance';
COMMENT ON FUNCTION l2_squared_distance(tensor, tensor) IS 'squared Euclidean distance';
COMMENT ON FUNCTION l1_distance(tensor, tensor) IS 'taxicab (L1) distance';
COMMENT ON FUNCTION negative_inner_product(tensor, tensor) IS 'inner product negated, smaller is more similar';

CREATE OPERATOR <-> (
	LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = l2_distance, COMMUTATOR = <->
);
CREATE OPERATOR <=> (
	LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = cosine_distance, COMMUTATOR = <=>
);
CREATE OPERATOR <#> (
	LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = negative_inner_product, COMMUTATOR = <#>
);
CREATE OPERATOR <+> (
	LEFTARG = tensor, RIGHTARG = tensor, PROCEDURE = l1_distance, COMMUTATOR = <+>
);

COMMENT ON OPERATOR <-> (tensor, tensor) IS 'Euclidean (L2) distance';
COMMENT ON OPERATOR <=> (tensor, tensor) IS 'cosine distance';
COMMENT ON OPERATOR <#> (tensor, tensor) IS 'negative inner product';
COMMENT ON OPERATOR <+> (tensor, tensor) IS 'taxicab (L1) distance';
