-- linal_hnsw operator classes for sparsetensor: sparse codes (nnz, indices,
-- values), at most 1000 non-zeros a key (src/am/hnsw.h)

CREATE OPERATOR CLASS sparsetensor_l2_ops FOR TYPE sparsetensor USING linal_hnsw AS
	OPERATOR 1 <-> (sparsetensor, sparsetensor) FOR ORDER BY float_ops,
	FUNCTION 1 l2_distance(sparsetensor, sparsetensor);

CREATE OPERATOR CLASS sparsetensor_cosine_ops FOR TYPE sparsetensor USING linal_hnsw AS
	OPERATOR 1 <=> (sparsetensor, sparsetensor) FOR ORDER BY float_ops,
	FUNCTION 1 cosine_distance(sparsetensor, sparsetensor);

CREATE OPERATOR CLASS sparsetensor_ip_ops FOR TYPE sparsetensor USING linal_hnsw AS
	OPERATOR 1 <#> (sparsetensor, sparsetensor) FOR ORDER BY float_ops,
	FUNCTION 1 negative_inner_product(sparsetensor, sparsetensor);

CREATE OPERATOR CLASS sparsetensor_l1_ops FOR TYPE sparsetensor USING linal_hnsw AS
	OPERATOR 1 <+> (sparsetensor, sparsetensor) FOR ORDER BY float_ops,
	FUNCTION 1 l1_distance(sparsetensor, sparsetensor);

COMMENT ON OPERATOR CLASS sparsetensor_l2_ops USING linal_hnsw IS 'linal_hnsw on sparsetensor by L2 distance (<->), sparse codes of at most 1000 non-zeros';
COMMENT ON OPERATOR FAMILY sparsetensor_l2_ops USING linal_hnsw IS 'linal_hnsw on sparsetensor by L2 distance (<->), sparse codes of at most 1000 non-zeros';
COMMENT ON OPERATOR CLASS sparsetensor_cosine_ops USING linal_hnsw IS 'linal_hnsw on sparsetensor by cosine distance (<=>), sparse codes of at most 1000 non-zeros';
COMMENT ON OPERATOR FAMILY sparsetensor_cosine_ops USING linal_hnsw IS 'linal_hnsw on sparsetensor by cosine distance (<=>), sparse codes of at most 1000 non-zeros';
COMMENT ON OPERATOR CLASS sparsetensor_ip_ops USING linal_hnsw IS 'linal_hnsw on sparsetensor by negative inner product (<#>), sparse codes of at most 1000 non-zeros';
COMMENT ON OPERATOR FAMILY sparsetensor_ip_ops USING linal_hnsw IS 'linal_hnsw on sparsetensor by negative inner product (<#>), sparse codes of at most 1000 non-zeros';
COMMENT ON OPERATOR CLASS sparsetensor_l1_ops USING linal_hnsw IS 'linal_hnsw on sparsetensor by taxicab (L1) distance (<+>), sparse codes of at most 1000 non-zeros';
COMMENT ON OPERATOR FAMILY sparsetensor_l1_ops USING linal_hnsw IS 'linal_hnsw on sparsetensor by taxicab (L1) distance (<+>), sparse codes of at most 1000 non-zeros';
