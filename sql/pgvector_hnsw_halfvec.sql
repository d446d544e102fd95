-- pgvector 0.8.6's test/sql/hnsw_halfvec.sql translated to linal's names
-- (halfvec -> halftensor, USING hnsw -> USING linal_hnsw, halfvec_*_ops ->
-- halftensor_*_ops; docs/PGVECTOR_SUITE.md has the method and the counts).
-- Errors show only their SQLSTATE. Where linal differs on purpose a comment
-- above the statement says how; every other statement gives pgvector's
-- result.
-- Left out: nothing.
\set VERBOSITY sqlstate

SET enable_seqscan = off;

-- L2

CREATE TABLE t (val halftensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val halftensor_l2_ops);

INSERT INTO t (val) VALUES ('[1,2,4]');

SELECT * FROM t ORDER BY val <-> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <-> (SELECT NULL::halftensor)) t2;
SELECT COUNT(*) FROM t;

TRUNCATE t;
SELECT * FROM t ORDER BY val <-> '[3,3,3]';

DROP TABLE t;

-- inner product

CREATE TABLE t (val halftensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val halftensor_ip_ops);

INSERT INTO t (val) VALUES ('[1,2,4]');

SELECT * FROM t ORDER BY val <#> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <#> (SELECT NULL::halftensor)) t2;

DROP TABLE t;

-- cosine

CREATE TABLE t (val halftensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val halftensor_cosine_ops);

INSERT INTO t (val) VALUES ('[1,2,4]');

SELECT * FROM t ORDER BY val <=> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <=> '[0,0,0]') t2;
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <=> (SELECT NULL::halftensor)) t2;

DROP TABLE t;

-- L1

CREATE TABLE t (val halftensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val halftensor_l1_ops);

INSERT INTO t (val) VALUES ('[1,2,4]');

SELECT * FROM t ORDER BY val <+> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <+> (SELECT NULL::halftensor)) t2;

DROP TABLE t;

-- dimensions

CREATE TABLE t (val halftensor(4000));
CREATE INDEX ON t USING linal_hnsw (val halftensor_l2_ops);
DROP TABLE t;

CREATE TABLE t (val halftensor(4001));
-- differs on purpose: linal_hnsw indexes halftensors of up to 16000 dimensions
-- (a key's float16 code may span pages); pgvector stops at 4000 (54000)
CREATE INDEX ON t USING linal_hnsw (val halftensor_l2_ops);
DROP TABLE t;
