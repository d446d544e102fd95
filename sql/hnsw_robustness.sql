-- linal_hnsw against what it does not serve: scans with no ORDER BY (an
-- index-only scan for count(*)), bitmap scans, other operators, NULL and
-- misshapen query vectors, backward cursors; empty and misshapen vectors
-- in the indexed column, through every path that indexes a row; and the
-- index scan counter of pg_stat_user_indexes.  Each works or fails with a
-- clean error: none may crash the server.
SET max_parallel_workers_per_gather = 0;
SET linal.batched_execution = off;
SET jit = off;

CREATE TABLE hr_items (id int, e tensor(2));
INSERT INTO hr_items SELECT i, ARRAY[i, 1]::tensor FROM generate_series(1, 500) i;
CREATE INDEX hr_l2 ON hr_items USING linal_hnsw (e tensor_l2_ops);
CREATE INDEX hr_cos ON hr_items USING linal_hnsw (e tensor_cosine_ops);
CREATE INDEX hr_ip ON hr_items USING linal_hnsw (e tensor_ip_ops);
ANALYZE hr_items;

-- no ORDER BY: never the index, even with every other plan disabled
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM hr_items;
SELECT count(*) FROM hr_items;
EXPLAIN (COSTS OFF) SELECT id FROM hr_items LIMIT 3;
SELECT count(*) FROM (SELECT id FROM hr_items LIMIT 3) s;
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM hr_items;
SELECT count(*) FROM hr_items;
RESET enable_indexonlyscan;
-- bitmap scans: the access method has none
EXPLAIN (COSTS OFF) SELECT id FROM hr_items ORDER BY e <-> '[3.2,1]' LIMIT 2;
RESET enable_indexscan;

-- WHERE clauses on the column never use it
EXPLAIN (COSTS OFF) SELECT count(*) FROM hr_items WHERE e <-> '[3,1]' < 2;
SELECT count(*) FROM hr_items WHERE e <-> '[3,1]' < 2;
SELECT count(*) FROM hr_items WHERE e = '[3,1]' OR e IS NULL;

-- each operator uses its own class; <+> (L1) has none
EXPLAIN (COSTS OFF) SELECT id FROM hr_items ORDER BY e <-> '[3.2,1]' LIMIT 2;
EXPLAIN (COSTS OFF) SELECT id FROM hr_items ORDER BY e <=> '[3,1]' LIMIT 2;
EXPLAIN (COSTS OFF) SELECT id FROM hr_items ORDER BY e <#> '[3,1]' LIMIT 2;
EXPLAIN (COSTS OFF) SELECT id FROM hr_items ORDER BY e <+> '[3,1]' LIMIT 2;
SELECT id FROM hr_items ORDER BY e <-> '[3.2,1]' LIMIT 2;
SELECT id FROM hr_items ORDER BY '[3.2,1]' <-> e LIMIT 2;
DROP INDEX hr_cos, hr_ip;

-- query vectors: NULL (all distances NULL: rows in any order), of another
-- shape (the operator's error), empty, rank 0 and rank 2
PREPARE hr_q(tensor) AS SELECT id FROM hr_items ORDER BY e <-> $1 LIMIT 3;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE hr_q(NULL);
CREATE TEMP TABLE hr_out AS EXECUTE hr_q(NULL);
SELECT count(*) FROM hr_out;
EXPLAIN (COSTS OFF) SELECT id FROM hr_items ORDER BY e <-> (SELECT NULL::tensor) LIMIT 3;
SELECT count(*) FROM (SELECT id FROM hr_items ORDER BY e <-> (SELECT NULL::tensor) LIMIT 3) s;
EXECUTE hr_q('[3.2,1]');
EXECUTE hr_q('[3,1,1]');
EXECUTE hr_q('[]');
EXECUTE hr_q('3');
EXECUTE hr_q('[[3,1]]');
RESET plan_cache_mode;
DEALLOCATE hr_q;

-- cursors: SCROLL puts a Materialize above the index scan, others cannot go back
BEGIN;
DECLARE hr_c SCROLL CURSOR FOR SELECT id FROM hr_items ORDER BY e <-> '[3.2,1]' LIMIT 5;
FETCH 3 FROM hr_c;
FETCH BACKWARD 2 FROM hr_c;
FETCH FORWARD 3 FROM hr_c;
COMMIT;
BEGIN;
DECLARE hr_c CURSOR FOR SELECT id FROM hr_items ORDER BY e <-> '[3.2,1]';
FETCH 2 FROM hr_c;
FETCH BACKWARD 1 FROM hr_c;
ROLLBACK;

-- idx_scan counts each scan and each rescan (one per outer row of a join);
-- inside a transaction the counts are not flushed yet
BEGIN;
SELECT pg_stat_get_xact_numscans('hr_l2'::regclass) AS scans_before \gset
SELECT id FROM hr_items ORDER BY e <-> '[3.2,1]' LIMIT 1;
SELECT pg_stat_get_xact_numscans('hr_l2'::regclass) - :scans_before AS idx_scans;
SELECT q.n, s.id FROM (VALUES (1, '[10,1]'::tensor), (2, '[20,1]'), (3, '[30,1]')) q(n, v),
  LATERAL (SELECT id FROM hr_items ORDER BY e <-> q.v LIMIT 1) s ORDER BY q.n;
SELECT pg_stat_get_xact_numscans('hr_l2'::regclass) - :scans_before AS idx_scans;
COMMIT;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
SELECT idx_scan > 0 AS counted FROM pg_stat_user_indexes WHERE indexrelname = 'hr_l2';
RESET enable_seqscan;

-- empty tensors are refused (22023) on every path that indexes a row
CREATE FUNCTION hr_sqlstate(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  RETURN 'ok';
EXCEPTION WHEN others THEN
  RETURN SQLSTATE;
END $$;
\set VERBOSITY default
CREATE TABLE hr_any (id int, e tensor);
-- the build, in memory: first row, later row
INSERT INTO hr_any VALUES (1, '[]'), (2, '[1,2]'), (3, '[2,3]');
CREATE INDEX hr_any_idx ON hr_any USING linal_hnsw (e tensor_l2_ops);
UPDATE hr_any SET e = '[5,5]' WHERE id = 1;
INSERT INTO hr_any VALUES (4, '[]');
CREATE INDEX hr_any_idx ON hr_any USING linal_hnsw (e tensor_cosine_ops);
-- NULL instead is fine
UPDATE hr_any SET e = NULL WHERE id = 4;
CREATE INDEX hr_any_idx ON hr_any USING linal_hnsw (e tensor_l2_ops);
-- inserts into a built index
INSERT INTO hr_any VALUES (5, '[]');
-- an index built empty, whose first row is empty
CREATE TABLE hr_empty (id int, e tensor);
CREATE TABLE hr_matrix (e tensor(2,2));
CREATE INDEX hr_empty_idx ON hr_empty USING linal_hnsw (e tensor_ip_ops);
INSERT INTO hr_empty VALUES (1, '[]');
INSERT INTO hr_empty VALUES (1, NULL);
-- a scan of an index with no dimension yet, by any query vector
SET enable_seqscan = off;
SELECT id FROM hr_empty ORDER BY e <#> '[]' LIMIT 1;
SELECT id FROM hr_empty ORDER BY e <#> '[1,2]' LIMIT 1;
RESET enable_seqscan;
INSERT INTO hr_empty VALUES (2, '[1,2]');
\set VERBOSITY terse
-- then the dimension is fixed: other dimensions and ranks are refused (22000)
SELECT q, hr_sqlstate(q) FROM (VALUES
  ('INSERT INTO hr_empty VALUES (3, ''[]'')'),
  ('INSERT INTO hr_empty VALUES (3, ''[1,2,3]'')'),
  ('INSERT INTO hr_empty VALUES (3, ''[[1,2]]'')'),
  ('CREATE INDEX ON hr_matrix USING linal_hnsw (e tensor_l2_ops)')) v(q);
INSERT INTO hr_empty VALUES (3, '[1,2,3]');
INSERT INTO hr_empty VALUES (3, '[[1,2]]');
INSERT INTO hr_empty VALUES (3, '[[1],[2]]');
INSERT INTO hr_empty VALUES (3, '7');
INSERT INTO hr_empty VALUES (3, '[]');
SELECT id FROM hr_empty ORDER BY e <#> '[1,2]' LIMIT 1;
-- the build, rows of two dimensions or of rank 2
CREATE TABLE hr_mixed (id int, e tensor);
INSERT INTO hr_mixed VALUES (1, '[1,2]'), (2, '[1,2,3]');
CREATE INDEX ON hr_mixed USING linal_hnsw (e tensor_l2_ops);
TRUNCATE hr_mixed;
INSERT INTO hr_mixed VALUES (1, '[1,2]'), (2, '[[1,2]]');
CREATE INDEX ON hr_mixed USING linal_hnsw (e tensor_l2_ops);
TRUNCATE hr_mixed;
INSERT INTO hr_mixed VALUES (1, '[[1,2],[3,4]]');
CREATE INDEX ON hr_mixed USING linal_hnsw (e tensor_l2_ops);
-- a column of rank 2 by its type (0A000)
CREATE INDEX ON hr_matrix USING linal_hnsw (e tensor_l2_ops);
-- the build past maintenance_work_mem: the empty row comes after the spill
CREATE TABLE hr_spill (id int, e tensor);
INSERT INTO hr_spill SELECT i, ARRAY(SELECT sin(i * j)::real FROM generate_series(1, 256) j)::tensor
  FROM generate_series(1, 1500) i;
INSERT INTO hr_spill VALUES (0, '[]');
SET maintenance_work_mem = '1MB';
CREATE INDEX ON hr_spill USING linal_hnsw (e tensor_l2_ops);
RESET maintenance_work_mem;

DROP TABLE hr_items, hr_any, hr_empty, hr_mixed, hr_matrix, hr_spill;
DROP FUNCTION hr_sqlstate(text);
