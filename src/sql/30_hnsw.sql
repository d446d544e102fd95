-- linal: the linal_hnsw index access method (HNSW graph over 1-d tensors)
CREATE FUNCTION linal_hnsw_handler(internal) RETURNS index_am_handler
	AS 'MODULE_PATHNAME', 'linal_hnsw_handler' LANGUAGE C;

CREATE ACCESS METHOD linal_hnsw TYPE INDEX HANDLER linal_hnsw_handler;
COMMENT ON ACCESS METHOD linal_hnsw IS 'HNSW graph index for ORDER BY tensor distance LIMIT k';
COMMENT ON FUNCTION linal_hnsw_handler(internal) IS 'index access method handler of linal_hnsw';

CREATE OPERATOR CLASS tensor_l2_ops FOR TYPE tensor USING linal_hnsw AS
	OPERATOR 1 <-> (tensor, tensor) FOR ORDER BY float_ops,
	FUNCTION 1 l2_distance(tensor, tensor);

CREATE OPERATOR CLASS tensor_cosine_ops FOR TYPE tensor USING linal_hnsw AS
	OPERATOR 1 <=> (tensor, tensor) FOR ORDER BY float_ops,
	FUNCTION 1 cosine_distance(tensor, tensor);

CREATE OPERATOR CLASS tensor_ip_ops FOR TYPE tensor USING linal_hnsw AS
	OPERATOR 1 <#> (tensor, tensor) FOR ORDER BY float_ops,
	FUNCTION 1 negative_inner_product(tensor, tensor);

CREATE OPERATOR CLASS tensor_l1_ops FOR TYPE tensor USING linal_hnsw AS
	OPERATOR 1 <+> (tensor, tensor) FOR ORDER BY float_ops,
	FUNCTION 1 l1_distance(tensor, tensor);

COMMENT ON OPERATOR CLASS tensor_l2_ops USING linal_hnsw IS 'linal_hnsw by L2 distance (<->)';
COMMENT ON OPERATOR FAMILY tensor_l2_ops USING linal_hnsw IS 'linal_hnsw by L2 distance (<->)';
COMMENT ON OPERATOR CLASS tensor_cosine_ops USING linal_hnsw IS 'linal_hnsw by cosine distance (<=>)';
COMMENT ON OPERATOR FAMILY tensor_cosine_ops USING linal_hnsw IS 'linal_hnsw by cosine distance (<=>)';
COMMENT ON OPERATOR CLASS tensor_ip_ops USING linal_hnsw IS 'linal_hnsw by negative inner product (<#>)';
COMMENT ON OPERATOR FAMILY tensor_ip_ops USING linal_hnsw IS 'linal_hnsw by negative inner product (<#>)';
COMMENT ON OPERATOR CLASS tensor_l1_ops USING linal_hnsw IS 'linal_hnsw by taxicab (L1) distance (<+>)';
COMMENT ON OPERATOR FAMILY tensor_l1_ops USING linal_hnsw IS 'linal_hnsw by taxicab (L1) distance (<+>)';

-- one row per problem in the graph; no rows when it is healthy (the caller
-- must own the table or be in pg_monitor, and be granted EXECUTE)
CREATE FUNCTION linal_index_check(regclass) RETURNS SETOF text
	AS 'MODULE_PATHNAME', 'linal_index_check' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
REVOKE ALL ON FUNCTION linal_index_check(regclass) FROM PUBLIC;

-- self-recall of a sample of rows looked up through the index (hnswquality.c)
CREATE FUNCTION linal_index_quality(index regclass, sample int DEFAULT 1000, k int DEFAULT 10,
		threshold double precision DEFAULT 0.9,
		OUT sampled int, OUT found int, OUT recall double precision, OUT ef_search int,
		OUT verdict text)
	AS 'MODULE_PATHNAME', 'linal_index_quality' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
REVOKE ALL ON FUNCTION linal_index_quality(regclass, int, int, double precision) FROM PUBLIC;

-- search for every element and link the ones not found (hnswquality.c)
CREATE FUNCTION linal_index_repair(index regclass, OUT searched bigint, OUT relinked bigint)
	AS 'MODULE_PATHNAME', 'linal_index_repair' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION linal_index_repair(regclass) FROM PUBLIC;
COMMENT ON FUNCTION linal_index_check(regclass) IS 'problems found in a linal_hnsw index graph, one per row';
COMMENT ON FUNCTION linal_index_quality(regclass, int, int, double precision) IS 'self-recall of a sample of rows looked up through a linal_hnsw index, with a verdict';
COMMENT ON FUNCTION linal_index_repair(regclass) IS 'searches for every element of a linal_hnsw index and links those not found';
