-- pgvector 0.8.6's test/sql/hnsw_bit.sql translated to linal's names
-- (USING hnsw -> USING linal_hnsw; bit, bit_hamming_ops and bit_jaccard_ops
-- keep their names; docs/PGVECTOR_SUITE.md has the method and the counts).
-- Errors show only their SQLSTATE. Where linal differs on purpose a comment
-- above the statement says how; every other statement gives pgvector's
-- result.
-- Left out: nothing.
\set VERBOSITY sqlstate

SET enable_seqscan = off;

-- hamming

CREATE TABLE t (val bit(3));
INSERT INTO t (val) VALUES (B'000'), (B'100'), (B'111'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val bit_hamming_ops);

INSERT INTO t (val) VALUES (B'110');

SELECT * FROM t ORDER BY val <~> B'111';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <~> (SELECT NULL::bit)) t2;

DROP TABLE t;

-- jaccard

CREATE TABLE t (val bit(4));
INSERT INTO t (val) VALUES (B'0000'), (B'1100'), (B'1111'), (NULL);
CREATE INDEX ON t USING linal_hnsw (val bit_jaccard_ops);

INSERT INTO t (val) VALUES (B'1110');

SELECT * FROM t ORDER BY val <%> B'1111';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <%> (SELECT NULL::bit)) t2;

DROP TABLE t;

-- varbit

CREATE TABLE t (val varbit(3));
-- differs on purpose: varbit is binary-coercible to bit, so bit_hamming_ops indexes
-- a varbit column whose values all have one length (another length is refused,
-- 22000); pgvector refuses the column's type (0A000)
CREATE INDEX ON t USING linal_hnsw (val bit_hamming_ops);
CREATE INDEX ON t USING linal_hnsw ((val::bit(3)) bit_hamming_ops);
CREATE INDEX ON t USING linal_hnsw ((val::bit(64001)) bit_hamming_ops);
DROP TABLE t;

-- dimensions

CREATE TABLE t (val bit(64000));
CREATE INDEX ON t USING linal_hnsw (val bit_hamming_ops);
DROP TABLE t;

CREATE TABLE t (val bit(64001));
CREATE INDEX ON t USING linal_hnsw (val bit_hamming_ops);
DROP TABLE t;
