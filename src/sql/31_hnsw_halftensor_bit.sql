-- linal: linal_hnsw operator classes for halftensor (float16 codes) and bit
-- (bit codes) keys; the codes' formats are in src/am/hnswcode.c
CREATE OPERATOR CLASS halftensor_l2_ops FOR TYPE halftensor USING linal_hnsw AS
	OPERATOR 1 <-> (halftensor, halftensor) FOR ORDER BY float_ops,
	FUNCTION 1 l2_distance(halftensor, halftensor);

CREATE OPERATOR CLASS halftensor_cosine_ops FOR TYPE halftensor USING linal_hnsw AS
	OPERATOR 1 <=> (halftensor, halftensor) FOR ORDER BY float_ops,
	FUNCTION 1 cosine_distance(halftensor, halftensor);

CREATE OPERATOR CLASS halftensor_ip_ops FOR TYPE halftensor USING linal_hnsw AS
	OPERATOR 1 <#> (halftensor, halftensor) FOR ORDER BY float_ops,
	FUNCTION 1 negative_inner_product(halftensor, halftensor);

CREATE OPERATOR CLASS halftensor_l1_ops FOR TYPE halftensor USING linal_hnsw AS
	OPERATOR 1 <+> (halftensor, halftensor) FOR ORDER BY float_ops,
	FUNCTION 1 l1_distance(halftensor, halftensor);

CREATE OPERATOR CLASS bit_hamming_ops FOR TYPE bit USING linal_hnsw AS
	OPERATOR 1 <~> (bit, bit) FOR ORDER BY float_ops,
	FUNCTION 1 hamming_distance(bit, bit);

CREATE OPERATOR CLASS bit_jaccard_ops FOR TYPE bit USING linal_hnsw AS
	OPERATOR 1 <%> (bit, bit) FOR ORDER BY float_ops,
	FUNCTION 1 jaccard_distance(bit, bit);

COMMENT ON OPERATOR CLASS halftensor_l2_ops USING linal_hnsw IS 'linal_hnsw on halftensor by L2 distance (<->), float16 codes';
COMMENT ON OPERATOR FAMILY halftensor_l2_ops USING linal_hnsw IS 'linal_hnsw on halftensor by L2 distance (<->), float16 codes';
COMMENT ON OPERATOR CLASS halftensor_cosine_ops USING linal_hnsw IS 'linal_hnsw on halftensor by cosine distance (<=>), float16 codes';
COMMENT ON OPERATOR FAMILY halftensor_cosine_ops USING linal_hnsw IS 'linal_hnsw on halftensor by cosine distance (<=>), float16 codes';
COMMENT ON OPERATOR CLASS halftensor_ip_ops USING linal_hnsw IS 'linal_hnsw on halftensor by negative inner product (<#>), float16 codes';
COMMENT ON OPERATOR FAMILY halftensor_ip_ops USING linal_hnsw IS 'linal_hnsw on halftensor by negative inner product (<#>), float16 codes';
COMMENT ON OPERATOR CLASS halftensor_l1_ops USING linal_hnsw IS 'linal_hnsw on halftensor by taxicab (L1) distance (<+>), float16 codes';
COMMENT ON OPERATOR FAMILY halftensor_l1_ops USING linal_hnsw IS 'linal_hnsw on halftensor by taxicab (L1) distance (<+>), float16 codes';
COMMENT ON OPERATOR CLASS bit_hamming_ops USING linal_hnsw IS 'linal_hnsw on bit by Hamming distance (<~>)';
COMMENT ON OPERATOR FAMILY bit_hamming_ops USING linal_hnsw IS 'linal_hnsw on bit by Hamming distance (<~>)';
COMMENT ON OPERATOR CLASS bit_jaccard_ops USING linal_hnsw IS 'linal_hnsw on bit by Jaccard distance (<%>)';
COMMENT ON OPERATOR FAMILY bit_jaccard_ops USING linal_hnsw IS 'linal_hnsw on bit by Jaccard distance (<%>)';
