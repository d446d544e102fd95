-- pgvector 0.8.6's test/sql/hnsw_sparsevec.sql translated to linal's names
-- (sparsevec -> sparsetensor, vector -> tensor, USING hnsw -> USING
-- linal_hnsw, sparsevec_*_ops -> sparsetensor_*_ops; docs/PGVECTOR_SUITE.md
-- has the method and the counts). Errors show only their SQLSTATE. Where
-- linal differs on purpose a comment above the statement says how; every
-- other statement gives pgvector's result.
-- Left out: nothing.
\set VERBOSITY sqlstate

SET enable_seqscan = off;

-- L2

CREATE TABLE t (val sparsetensor(3));
INSERT INTO t (val) VALUES ('{}/3'), ('{1:1,2:2,3:3}/3'), ('{1:1,2:1,3:1}/3'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val sparsetensor_l2_ops);

INSERT INTO t (val) VALUES ('{1:1,2:2,3:4}/3');

SELECT * FROM t ORDER BY val <-> '{1:3,2:3,3:3}/3';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <-> (SELECT NULL::sparsetensor)) t2;
SELECT COUNT(*) FROM t;

TRUNCATE t;
SELECT * FROM t ORDER BY val <-> '{1:3,2:3,3:3}/3';

DROP TABLE t;

-- inner product

CREATE TABLE t (val sparsetensor(3));
INSERT INTO t (val) VALUES ('{}/3'), ('{1:1,2:2,3:3}/3'), ('{1:1,2:1,3:1}/3'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val sparsetensor_ip_ops);

INSERT INTO t (val) VALUES ('{1:1,2:2,3:4}/3');

SELECT * FROM t ORDER BY val <#> '{1:3,2:3,3:3}/3';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <#> (SELECT NULL::sparsetensor)) t2;

DROP TABLE t;

-- cosine

CREATE TABLE t (val sparsetensor(3));
INSERT INTO t (val) VALUES ('{}/3'), ('{1:1,2:2,3:3}/3'), ('{1:1,2:1,3:1}/3'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val sparsetensor_cosine_ops);

INSERT INTO t (val) VALUES ('{1:1,2:2,3:4}/3');

SELECT * FROM t ORDER BY val <=> '{1:3,2:3,3:3}/3';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <=> '{}/3') t2;
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <=> (SELECT NULL::sparsetensor)) t2;

DROP TABLE t;

-- L1

CREATE TABLE t (val sparsetensor(3));
INSERT INTO t (val) VALUES ('{}/3'), ('{1:1,2:2,3:3}/3'), ('{1:1,2:1,3:1}/3'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val sparsetensor_l1_ops);

INSERT INTO t (val) VALUES ('{1:1,2:2,3:4}/3');

SELECT * FROM t ORDER BY val <+> '{1:3,2:3,3:3}/3';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <+> (SELECT NULL::sparsetensor)) t2;

DROP TABLE t;

-- non-zero elements

CREATE TABLE t (val sparsetensor(1001));
INSERT INTO t (val) VALUES (array_fill(1, ARRAY[1001])::tensor::sparsetensor);
CREATE INDEX ON t USING linal_hnsw (val sparsetensor_l2_ops);
TRUNCATE t;
CREATE INDEX ON t USING linal_hnsw (val sparsetensor_l2_ops);
INSERT INTO t (val) VALUES (array_fill(1, ARRAY[1001])::tensor::sparsetensor);
DROP TABLE t;
