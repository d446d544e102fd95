-- linal_hnsw against what it does not serve: scans with no ORDER BY (an
-- index-only scan for count(*)), bitmap scans, other operators, NULL and
-- misshapen query vectors, backward cursors; empty and misshapen vectors
-- in the indexed column, through every path that indexes a row; and the
-- index scan counter of pg_stat_user_indexes.  Each works or fails with a
-- clean error: none may crash the server.
SET max_parallel_workers_per_gather = 0;
SET linal.batched_execution = off;
SET jit = off;

CREATE TABLE hrb_items (id int, e tensor(2));
INSERT INTO hrb_items SELECT i, ARRAY[i, 1]::tensor FROM generate_series(1, 500) i;
CREATE INDEX hrb_l2 ON hrb_items USING linal_hnsw (e tensor_l2_ops);
CREATE INDEX hrb_cos ON hrb_items USING linal_hnsw (e tensor_cosine_ops);
CREATE INDEX hrb_ip ON hrb_items USING linal_hnsw (e tensor_ip_ops);
ANALYZE hrb_items;

-- no ORDER BY: never the index, even with every other plan disabled
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM hrb_items;
SELECT count(*) FROM hrb_items;
EXPLAIN (COSTS OFF) SELECT id FROM hrb_items LIMIT 3;
SELECT count(*) FROM (SELECT id FROM hrb_items LIMIT 3) s;
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM hrb_items;
SELECT count(*) FROM hrb_items;
RESET enable_indexonlyscan;
-- bitmap scans: the access method has none
EXPLAIN (COSTS OFF) SELECT id FROM hrb_items ORDER BY e <-> '[3.2,1]' LIMIT 2;
RESET enable_indexscan;

-- WHERE clauses on the column never use it
EXPLAIN (COSTS OFF) SELECT count(*) FROM hrb_items WHERE e <-> '[3,1]' < 2;
SELECT count(*) FROM hrb_items WHERE e <-> '[3,1]' < 2;
SELECT count(*) FROM hrb_items WHERE e = '[3,1]' OR e IS NULL;

-- each operator uses its own class; <+> (L1) has no index on this table
EXPLAIN (COSTS OFF) SELECT id FROM hrb_items ORDER BY e <-> '[3.2,1]' LIMIT 2;
EXPLAIN (COSTS OFF) SELECT id FROM hrb_items ORDER BY e <=> '[3,1]' LIMIT 2;
EXPLAIN (COSTS OFF) SELECT id FROM hrb_items ORDER BY e <#> '[3,1]' LIMIT 2;
EXPLAIN (COSTS OFF) SELECT id FROM hrb_items ORDER BY e <+> '[3,1]' LIMIT 2;
SELECT id FROM hrb_items ORDER BY e <-> '[3.2,1]' LIMIT 2;
SELECT id FROM hrb_items ORDER BY '[3.2,1]' <-> e LIMIT 2;
DROP INDEX hrb_cos, hrb_ip;

-- query vectors: NULL (all distances NULL: rows in any order), of another
-- shape (the operator's error), empty, rank 0 and rank 2
PREPARE hrb_q(tensor) AS SELECT id FROM hrb_items ORDER BY e <-> $1 LIMIT 3;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE hrb_q(NULL);
CREATE TEMP TABLE hrb_out AS EXECUTE hrb_q(NULL);
SELECT count(*) FROM hrb_out;
EXPLAIN (COSTS OFF) SELECT id FROM hrb_items ORDER BY e <-> (SELECT NULL::tensor) LIMIT 3;
SELECT count(*) FROM (SELECT id FROM hrb_items ORDER BY e <-> (SELECT NULL::tensor) LIMIT 3) s;
EXECUTE hrb_q('[3.2,1]');
EXECUTE hrb_q('[3,1,1]');
EXECUTE hrb_q('[]');
EXECUTE hrb_q('3');
EXECUTE hrb_q('[[3,1]]');
RESET plan_cache_mode;
DEALLOCATE hrb_q;

-- cursors: SCROLL puts a Materialize above the index scan, others cannot go back
BEGIN;
DECLARE hrb_c SCROLL CURSOR FOR SELECT id FROM hrb_items ORDER BY e <-> '[3.2,1]' LIMIT 5;
FETCH 3 FROM hrb_c;
FETCH BACKWARD 2 FROM hrb_c;
FETCH FORWARD 3 FROM hrb_c;
COMMIT;
BEGIN;
DECLARE hrb_c CURSOR FOR SELECT id FROM hrb_items ORDER BY e <-> '[3.2,1]';
FETCH 2 FROM hrb_c;
FETCH BACKWARD 1 FROM hrb_c;
ROLLBACK;

-- idx_scan counts each scan and each rescan (one per outer row of a join);
-- inside a transaction the counts are not flushed yet
BEGIN;
SELECT pg_stat_get_xact_numscans('hrb_l2'::regclass) AS scans_before \gset
SELECT id FROM hrb_items ORDER BY e <-> '[3.2,1]' LIMIT 1;
SELECT pg_stat_get_xact_numscans('hrb_l2'::regclass) - :scans_before AS idx_scans;
SELECT q.n, s.id FROM (VALUES (1, '[10,1]'::tensor), (2, '[20,1]'), (3, '[30,1]')) q(n, v),
  LATERAL (SELECT id FROM hrb_items ORDER BY e <-> q.v LIMIT 1) s ORDER BY q.n;
SELECT pg_stat_get_xact_numscans('hrb_l2'::regclass) - :scans_before AS idx_scans;
COMMIT;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
SELECT idx_scan > 0 AS counted FROM pg_stat_user_indexes WHERE indexrelname = 'hrb_l2';
RESET enable_seqscan;

-- empty tensors are refused (22023) on every path that indexes a row
CREATE FUNCTION hrb_sqlstate(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  RETURN 'ok';
EXCEPTION WHEN others THEN
  RETURN SQLSTATE;
END $$;
\set VERBOSITY default
CREATE TABLE hrb_any (id int, e tensor);
-- the build, in memory: first row, later row
INSERT INTO hrb_any VALUES (1, '[]'), (2, '[1,2]'), (3, '[2,3]');
CREATE INDEX hrb_any_idx ON hrb_any USING linal_hnsw (e tensor_l2_ops);
UPDATE hrb_any SET e = '[5,5]' WHERE id = 1;
INSERT INTO hrb_any VALUES (4, '[]');
CREATE INDEX hrb_any_idx ON hrb_any USING linal_hnsw (e tensor_cosine_ops);
-- NULL instead is fine
UPDATE hrb_any SET e = NULL WHERE id = 4;
CREATE INDEX hrb_any_idx ON hrb_any USING linal_hnsw (e tensor_l2_ops);
-- inserts into a built index
INSERT INTO hrb_any VALUES (5, '[]');
-- an index built empty, whose first row is empty
CREATE TABLE hrb_empty (id int, e tensor);
CREATE TABLE hrb_matrix (e tensor(2,2));
CREATE INDEX hrb_empty_idx ON hrb_empty USING linal_hnsw (e tensor_ip_ops);
INSERT INTO hrb_empty VALUES (1, '[]');
INSERT INTO hrb_empty VALUES (1, NULL);
-- a scan of an index with no dimension yet, by any query vector
SET enable_seqscan = off;
SELECT id FROM hrb_empty ORDER BY e <#> '[]' LIMIT 1;
SELECT id FROM hrb_empty ORDER BY e <#> '[1,2]' LIMIT 1;
RESET enable_seqscan;
INSERT INTO hrb_empty VALUES (2, '[1,2]');
\set VERBOSITY terse
-- then the dimension is fixed: other dimensions and ranks are refused (22000)
SELECT q, hrb_sqlstate(q) FROM (VALUES
  ('INSERT INTO hrb_empty VALUES (3, ''[]'')'),
  ('INSERT INTO hrb_empty VALUES (3, ''[1,2,3]'')'),
  ('INSERT INTO hrb_empty VALUES (3, ''[[1,2]]'')'),
  ('CREATE INDEX ON hrb_matrix USING linal_hnsw (e tensor_l2_ops)')) v(q);
INSERT INTO hrb_empty VALUES (3, '[1,2,3]');
INSERT INTO hrb_empty VALUES (3, '[[1,2]]');
INSERT INTO hrb_empty VALUES (3, '[[1],[2]]');
INSERT INTO hrb_empty VALUES (3, '7');
INSERT INTO hrb_empty VALUES (3, '[]');
SELECT id FROM hrb_empty ORDER BY e <#> '[1,2]' LIMIT 1;
-- the build, rows of two dimensions or of rank 2
CREATE TABLE hrb_mixed (id int, e tensor);
INSERT INTO hrb_mixed VALUES (1, '[1,2]'), (2, '[1,2,3]');
CREATE INDEX ON hrb_mixed USING linal_hnsw (e tensor_l2_ops);
TRUNCATE hrb_mixed;
INSERT INTO hrb_mixed VALUES (1, '[1,2]'), (2, '[[1,2]]');
CREATE INDEX ON hrb_mixed USING linal_hnsw (e tensor_l2_ops);
TRUNCATE hrb_mixed;
INSERT INTO hrb_mixed VALUES (1, '[[1,2],[3,4]]');
CREATE INDEX ON hrb_mixed USING linal_hnsw (e tensor_l2_ops);
-- a column of rank 2 by its type (0A000)
CREATE INDEX ON hrb_matrix USING linal_hnsw (e tensor_l2_ops);
-- the build past maintenance_work_mem: the empty row comes after the spill
CREATE TABLE hrb_spill (id int, e tensor);
INSERT INTO hrb_spill SELECT i, ARRAY(SELECT sin(i * j)::real FROM generate_series(1, 256) j)::tensor
  FROM generate_series(1, 1500) i;
INSERT INTO hrb_spill VALUES (0, '[]');
SET maintenance_work_mem = '1MB';
CREATE INDEX ON hrb_spill USING linal_hnsw (e tensor_l2_ops);
RESET maintenance_work_mem;

DROP TABLE hrb_items, hrb_any, hrb_empty, hrb_mixed, hrb_matrix, hrb_spill;
DROP FUNCTION hrb_sqlstate(text);
