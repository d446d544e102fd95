-- pgvector 0.8.6's test/sql/btree.sql translated to linal's names
-- (vector -> tensor, halfvec -> halftensor, sparsevec -> sparsetensor;
-- docs/PGVECTOR_SUITE.md has the method and the counts).
-- Errors show only their SQLSTATE. Every statement gives pgvector's result.
\set VERBOSITY sqlstate

SET enable_seqscan = off;

-- tensor

CREATE TABLE t (val tensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t (val);

SELECT * FROM t WHERE val = '[1,2,3]';
SELECT * FROM t ORDER BY val;

DROP TABLE t;

-- halftensor

CREATE TABLE t (val halftensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t (val);

SELECT * FROM t WHERE val = '[1,2,3]';
SELECT * FROM t ORDER BY val;

DROP TABLE t;

-- sparsetensor

CREATE TABLE t (val sparsetensor(3));
INSERT INTO t (val) VALUES ('{}/3'), ('{1:1,2:2,3:3}/3'), ('{1:1,2:1,3:1}/3'), (NULL);
CREATE INDEX ON t (val);

SELECT * FROM t WHERE val = '{1:1,2:2,3:3}/3';
SELECT * FROM t ORDER BY val;

DROP TABLE t;
