-- pgvector 0.8.6's test/sql/copy.sql translated to linal's names
-- (vector -> tensor, halfvec -> halftensor, sparsevec -> sparsetensor;
-- docs/PGVECTOR_SUITE.md has the method and the counts).
-- Errors show only their SQLSTATE. Every statement gives pgvector's result.
\set VERBOSITY sqlstate

-- tensor

CREATE TABLE t (val tensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);

CREATE TABLE t2 (val tensor(3));

\copy t TO 'results/tensor.bin' WITH (FORMAT binary)
\copy t2 FROM 'results/tensor.bin' WITH (FORMAT binary)

SELECT * FROM t2 ORDER BY val;

DROP TABLE t;
DROP TABLE t2;

-- halftensor

CREATE TABLE t (val halftensor(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);

CREATE TABLE t2 (val halftensor(3));

\copy t TO 'results/halftensor.bin' WITH (FORMAT binary)
\copy t2 FROM 'results/halftensor.bin' WITH (FORMAT binary)

SELECT * FROM t2 ORDER BY val;

DROP TABLE t;
DROP TABLE t2;

-- sparsetensor

CREATE TABLE t (val sparsetensor(3));
INSERT INTO t (val) VALUES ('{}/3'), ('{1:1,2:2,3:3}/3'), ('{1:1,2:1,3:1}/3'), (NULL);

CREATE TABLE t2 (val sparsetensor(3));

\copy t TO 'results/sparsetensor.bin' WITH (FORMAT binary)
\copy t2 FROM 'results/sparsetensor.bin' WITH (FORMAT binary)

SELECT * FROM t2 ORDER BY val;

DROP TABLE t;
DROP TABLE t2;
