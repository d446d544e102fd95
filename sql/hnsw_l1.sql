-- tensor_l1_ops: linal_hnsw ordered by the taxicab distance <+>.  Recall
-- against the exact answer, long vectors (split over pages), NULL, empty
-- and misshapen vectors, and the check and quality functions.
SET max_parallel_workers_per_gather = 0;
SET linal.batched_execution = off;
SET jit = off;
SELECT setseed(0.25);
CREATE TABLE hl_items (id int PRIMARY KEY, v tensor(16));
INSERT INTO hl_items
SELECT id, ARRAY(SELECT (random() * 20 - 10)::real FROM generate_series(1, 16 + 0 * id))::tensor
FROM generate_series(1, 2000) id;
INSERT INTO hl_items VALUES (2001, NULL);
CREATE INDEX hl_l1 ON hl_items USING linal_hnsw (v tensor_l1_ops);
SELECT linal_index_check('hl_l1');
ANALYZE hl_items;

-- the planner uses it for ORDER BY <+> LIMIT k, not for the other operators
EXPLAIN (COSTS OFF) SELECT id FROM hl_items ORDER BY v <+> '[1,2,3,4,5,6,7,8,1,2,3,4,5,6,7,8]' LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM hl_items ORDER BY v <-> '[1,2,3,4,5,6,7,8,1,2,3,4,5,6,7,8]' LIMIT 10;

-- recall of the top 10 over 20 queries (rows of the table), with a generous ef
SET linal.hnsw_ef_search = 100;
CREATE TEMP TABLE hl_queries AS SELECT id AS qid, v AS q FROM hl_items WHERE id % 100 = 7;
CREATE TEMP TABLE hl_exact AS
SELECT qid, id FROM hl_queries, LATERAL (
	SELECT id FROM hl_items ORDER BY v <+> q, id LIMIT 10) e;
SET enable_seqscan = off;
CREATE TEMP TABLE hl_indexed AS
SELECT qid, id FROM hl_queries, LATERAL (
	SELECT id FROM hl_items ORDER BY v <+> q LIMIT 10) i;
RESET enable_seqscan;
SELECT count(*) AS indexed_rows FROM hl_indexed;
SELECT (SELECT count(*) FROM hl_indexed JOIN hl_exact USING (qid, id))::float8 /
	   (SELECT count(*) FROM hl_exact) >= 0.9 AS recall_ok;
-- the index's rows come in L1 order
SET enable_seqscan = off;
SELECT bool_and(d >= prev) AS ordered FROM (
	SELECT d, lag(d, 1, '-Infinity') OVER () AS prev FROM (
		SELECT v <+> '[1,2,3,4,5,6,7,8,1,2,3,4,5,6,7,8]' AS d FROM hl_items
		ORDER BY v <+> '[1,2,3,4,5,6,7,8,1,2,3,4,5,6,7,8]' LIMIT 50) s) o;
RESET enable_seqscan;
SELECT sampled, recall >= 0.9 AS good, verdict IS NOT NULL AS has_verdict
FROM linal_index_quality('hl_l1', 200, 10);

-- a parallel build gives the same graph quality
ALTER TABLE hl_items SET (parallel_workers = 2);
SET max_parallel_maintenance_workers = 2;
CREATE INDEX hl_l1_par ON hl_items USING linal_hnsw (v tensor_l1_ops);
RESET max_parallel_maintenance_workers;
SELECT linal_index_check('hl_l1_par');
SELECT sampled, recall >= 0.9 AS good FROM linal_index_quality('hl_l1_par', 200, 10);
DROP INDEX hl_l1_par;

-- inserts after the build, and an exact hit finds its row
INSERT INTO hl_items VALUES (3000, '[9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9]');
SET enable_seqscan = off;
SELECT id FROM hl_items ORDER BY v <+> '[9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9.5]' LIMIT 1;
-- query vectors: NULL gives rows in any order, others the operator's errors
SELECT count(*) FROM (SELECT id FROM hl_items ORDER BY v <+> NULL LIMIT 3) s;
SELECT id FROM hl_items ORDER BY v <+> '[1,2,3]' LIMIT 3;
SELECT id FROM hl_items ORDER BY v <+> '[]' LIMIT 3;
RESET enable_seqscan;
SELECT linal_index_check('hl_l1');

-- empty and misshapen vectors in the column: the same errors as the other classes
CREATE TABLE hl_untyped (id int, v tensor);
INSERT INTO hl_untyped VALUES (1, '[1,2]'), (2, NULL);
CREATE INDEX hl_untyped_l1 ON hl_untyped USING linal_hnsw (v tensor_l1_ops);
INSERT INTO hl_untyped VALUES (3, '[1,2,3]');
INSERT INTO hl_untyped VALUES (4, '[]');
INSERT INTO hl_untyped VALUES (5, '[[1,2]]');
INSERT INTO hl_untyped VALUES (6, '[3,4]');
SET enable_seqscan = off;
SELECT id FROM hl_untyped ORDER BY v <+> '[3,3]' LIMIT 5;
RESET enable_seqscan;

-- vectors longer than a page: distances add up over the parts
CREATE TABLE hl_long (id int, v tensor(4100));
INSERT INTO hl_long SELECT i, array_fill(i::real, ARRAY[4100])::tensor FROM generate_series(1, 30) i;
CREATE INDEX hl_long_l1 ON hl_long USING linal_hnsw (v tensor_l1_ops);
SET enable_seqscan = off;
SELECT id FROM hl_long ORDER BY v <+> array_fill(7.2::real, ARRAY[4100])::tensor LIMIT 3;
RESET enable_seqscan;
SELECT linal_index_check('hl_long_l1');

DROP TABLE hl_items, hl_untyped, hl_long;
