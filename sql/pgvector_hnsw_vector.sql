-- pgvector 0.8.6's test/sql/hnsw_vector.sql translated to linal's names
-- (vector -> tensor, USING hnsw -> USING linal_hnsw, vector_*_ops ->
-- tensor_*_ops, hnsw.* settings -> linal.hnsw_*; docs/PGVECTOR_SUITE.md has
-- the method and the counts). Errors show only their SQLSTATE. Where linal
-- differs on purpose a comment above the statement says how; every other
-- statement gives pgvector's result.
-- Left out: nothing.
\set VERBOSITY sqlstate

SET enable_seqscan = off;

-- L2

CREATE TABLE t (val tensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val tensor_l2_ops);

INSERT INTO t (val) VALUES ('[1,2,4]');

SELECT * FROM t ORDER BY val <-> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <-> (SELECT NULL::tensor)) t2;
SELECT COUNT(*) FROM t;

TRUNCATE t;
SELECT * FROM t ORDER BY val <-> '[3,3,3]';

DROP TABLE t;

-- inner product

CREATE TABLE t (val tensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val tensor_ip_ops);

INSERT INTO t (val) VALUES ('[1,2,4]');

SELECT * FROM t ORDER BY val <#> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <#> (SELECT NULL::tensor)) t2;

DROP TABLE t;

-- cosine

CREATE TABLE t (val tensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val tensor_cosine_ops);

INSERT INTO t (val) VALUES ('[1,2,4]');

SELECT * FROM t ORDER BY val <=> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <=> '[0,0,0]') t2;
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <=> (SELECT NULL::tensor)) t2;
SELECT * FROM t CROSS JOIN LATERAL (SELECT * FROM t t2 ORDER BY val <=> t.val LIMIT 1) t2 WHERE t.val != '[0,0,0]' ORDER BY t.val;

DROP TABLE t;

-- L1

CREATE TABLE t (val tensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val tensor_l1_ops);

INSERT INTO t (val) VALUES ('[1,2,4]');

SELECT * FROM t ORDER BY val <+> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <+> (SELECT NULL::tensor)) t2;

DROP TABLE t;

-- iterative

CREATE TABLE t (val tensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val tensor_l2_ops);

SET linal.hnsw_iterative_scan = strict_order;
SET linal.hnsw_ef_search = 1;
SELECT * FROM t ORDER BY val <-> '[3,3,3]';

SET linal.hnsw_iterative_scan = relaxed_order;
SELECT * FROM t ORDER BY val <-> '[3,3,3]';

TRUNCATE t;
SELECT * FROM t ORDER BY val <-> '[3,3,3]';

RESET linal.hnsw_iterative_scan;
RESET linal.hnsw_ef_search;
DROP TABLE t;

-- unlogged

CREATE UNLOGGED TABLE t (val tensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val tensor_l2_ops);

SELECT * FROM t ORDER BY val <-> '[3,3,3]';

DROP TABLE t;

-- options

CREATE TABLE t (val tensor(3));
CREATE INDEX ON t USING linal_hnsw (val tensor_l2_ops) WITH (m = 1);
CREATE INDEX ON t USING linal_hnsw (val tensor_l2_ops) WITH (m = 101);
CREATE INDEX ON t USING linal_hnsw (val tensor_l2_ops) WITH (ef_construction = 3);
CREATE INDEX ON t USING linal_hnsw (val tensor_l2_ops) WITH (ef_construction = 1001);
-- differs on purpose: linal takes any ef_construction from 4 to 1000 whatever m is;
-- pgvector wants at least 2 * m (22023)
CREATE INDEX ON t USING linal_hnsw (val tensor_l2_ops) WITH (m = 16, ef_construction = 31);
DROP TABLE t;

SHOW linal.hnsw_ef_search;
SET linal.hnsw_ef_search = 0;
SET linal.hnsw_ef_search = 1001;

-- differs on purpose: linal's default is relaxed_order, pgvector's is off
-- (docs/SQL.md, "linal_hnsw")
SHOW linal.hnsw_iterative_scan;
SET linal.hnsw_iterative_scan = on;

SHOW linal.hnsw_max_scan_tuples;
SET linal.hnsw_max_scan_tuples = 0;

SHOW linal.hnsw_scan_mem_multiplier;
SET linal.hnsw_scan_mem_multiplier = 0;
SET linal.hnsw_scan_mem_multiplier = 1001;

-- dimensions

CREATE TABLE t (val tensor(2000));
CREATE INDEX ON t USING linal_hnsw (val tensor_l2_ops);
DROP TABLE t;

-- differs on purpose: the index below is built, as linal_hnsw indexes more than 2000
-- dimensions (up to 16000, sql/hnsw_dims.sql); pgvector refuses 2001 (54000)
CREATE TABLE t (val tensor(2001));
CREATE INDEX ON t USING linal_hnsw (val tensor_l2_ops);
DROP TABLE t;
