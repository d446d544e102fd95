-- linal_hnsw: the HNSW index access method.
SET max_parallel_workers_per_gather = 0;
SET extra_float_digits = 0;
-- the batched scan competes with the index; these tests look at the index
SET linal.batched_execution = off;
SELECT setseed(0.5);
CREATE TABLE hn_items (id int PRIMARY KEY, cat int, v tensor(8));
INSERT INTO hn_items
SELECT id, id % 4, ARRAY(SELECT round((random() * 10)::numeric, 2)::real
                         FROM generate_series(1, 8 + 0 * id))::tensor
FROM generate_series(1, 300) id;
INSERT INTO hn_items VALUES (301, 0, NULL), (302, 1, NULL);

-- one index per operator class
CREATE INDEX hn_l2 ON hn_items USING linal_hnsw (v tensor_l2_ops);
CREATE INDEX hn_cos ON hn_items USING linal_hnsw (v tensor_cosine_ops) WITH (m = 8, ef_construction = 32);
CREATE INDEX hn_ip ON hn_items USING linal_hnsw (v tensor_ip_ops);
SELECT linal_index_check('hn_l2'), linal_index_check('hn_cos'), linal_index_check('hn_ip');

-- the planner uses them for ORDER BY distance LIMIT k (forced here: on a
-- table this small a scan is cheaper), and never for WHERE
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM hn_items ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hn_items ORDER BY v <=> '[1,2,3,4,5,6,7,8]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hn_items ORDER BY v <#> '[1,2,3,4,5,6,7,8]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hn_items WHERE v <-> '[1,2,3,4,5,6,7,8]' < 5;
EXPLAIN (COSTS OFF) SELECT id FROM hn_items ORDER BY v <+> '[1,2,3,4,5,6,7,8]' LIMIT 5;
RESET enable_seqscan;

-- with ef_search above the table size the search is exact: the index
-- answers equal the exact answers
SET linal.hnsw_ef_search = 400;
CREATE FUNCTION hn_compare(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  indexed text;
  exact text;
BEGIN
  SET LOCAL enable_seqscan = off;
  EXECUTE 'SELECT string_agg(r::text, '' '') FROM (' || query || ') r' INTO indexed;
  SET LOCAL enable_seqscan = on;
  SET LOCAL enable_indexscan = off;
  EXECUTE 'SELECT string_agg(r::text, '' '') FROM (' || query || ') r' INTO exact;
  IF indexed IS DISTINCT FROM exact THEN
    RETURN 'DIFFERENT: index ' || coalesce(indexed, 'NULL') || ' exact ' || coalesce(exact, 'NULL');
  END IF;
  RETURN coalesce(exact, '(no rows)');
END $$;
SELECT hn_compare('SELECT id FROM hn_items ORDER BY v <-> ''[1,2,3,4,5,6,7,8]'' LIMIT 8');
SELECT hn_compare('SELECT id FROM hn_items ORDER BY v <=> ''[1,2,3,4,5,6,7,8]'' LIMIT 8');
SELECT hn_compare('SELECT id FROM hn_items ORDER BY v <#> ''[1,2,3,4,5,6,7,8]'' LIMIT 8');
SELECT hn_compare('SELECT id FROM hn_items ORDER BY v <-> ''[9,1,9,1,9,1,9,1]'' LIMIT 8');
-- a filter: the scan goes on past ef_search until enough rows match
SET linal.hnsw_ef_search = 10;
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM hn_items WHERE cat = 3 ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 20) s;
SELECT count(*) FROM (SELECT id FROM hn_items WHERE id > 250 ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 40) s;
-- ... up to linal.hnsw_max_scan_tuples
SET linal.hnsw_max_scan_tuples = 10;
SELECT count(*) <= 10 AS bounded FROM (SELECT id FROM hn_items WHERE cat = 3 ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 20) s;
RESET linal.hnsw_max_scan_tuples;
RESET enable_seqscan;
SET linal.hnsw_ef_search = 400;

-- inserts after the build, deletes then VACUUM
INSERT INTO hn_items
SELECT id, id % 4, ARRAY(SELECT round((random() * 10)::numeric, 2)::real
                         FROM generate_series(1, 8 + 0 * id))::tensor
FROM generate_series(1001, 1100) id;
SELECT linal_index_check('hn_l2'), linal_index_check('hn_cos'), linal_index_check('hn_ip');
SELECT hn_compare('SELECT id FROM hn_items ORDER BY v <-> ''[1,2,3,4,5,6,7,8]'' LIMIT 8');
DELETE FROM hn_items WHERE id % 3 = 0;
VACUUM hn_items;
SELECT linal_index_check('hn_l2'), linal_index_check('hn_cos'), linal_index_check('hn_ip');
SELECT hn_compare('SELECT id FROM hn_items ORDER BY v <-> ''[1,2,3,4,5,6,7,8]'' LIMIT 8');
SELECT hn_compare('SELECT id FROM hn_items ORDER BY v <=> ''[1,2,3,4,5,6,7,8]'' LIMIT 8');
UPDATE hn_items SET v = '[5,5,5,5,5,5,5,5]' WHERE id = 1;
SELECT hn_compare('SELECT id FROM hn_items ORDER BY v <-> ''[5,5,5,5,5,5,5,5]'' LIMIT 3');
REINDEX INDEX hn_l2;
SELECT linal_index_check('hn_l2');
SELECT hn_compare('SELECT id FROM hn_items ORDER BY v <-> ''[1,2,3,4,5,6,7,8]'' LIMIT 8');

-- an empty table, and an index whose dimension comes from its first row
CREATE TABLE hn_empty (v tensor);
CREATE INDEX hn_empty_idx ON hn_empty USING linal_hnsw (v tensor_l2_ops);
SET enable_seqscan = off;
SELECT * FROM hn_empty ORDER BY v <-> '[1,2]' LIMIT 3;
INSERT INTO hn_empty VALUES ('[1,2]'), ('[3,4]'), (NULL);
SELECT v FROM hn_empty ORDER BY v <-> '[3,3]' LIMIT 3;
-- errors: another dimension, another rank, a query of another shape
INSERT INTO hn_empty VALUES ('[1,2,3]');
INSERT INTO hn_empty VALUES ('[[1,2],[3,4]]');
SELECT v FROM hn_empty ORDER BY v <-> '[1,2,3]' LIMIT 1;
RESET enable_seqscan;
CREATE TABLE hn_matrix (m tensor(2,2));
CREATE INDEX ON hn_matrix USING linal_hnsw (m tensor_l2_ops);
CREATE TABLE hn_wide (v tensor);
INSERT INTO hn_wide VALUES (tensor_fill('{16001}', 1));
CREATE INDEX ON hn_wide USING linal_hnsw (v tensor_l2_ops);
-- cosine: zero vectors are not indexed
INSERT INTO hn_empty VALUES ('[0,0]');
CREATE INDEX hn_empty_cos ON hn_empty USING linal_hnsw (v tensor_cosine_ops);
SELECT linal_index_check('hn_empty_cos');
-- options out of range
CREATE INDEX ON hn_items USING linal_hnsw (v tensor_l2_ops) WITH (m = 1);
CREATE INDEX ON hn_items USING linal_hnsw (v tensor_l2_ops) WITH (m = 101);
CREATE INDEX ON hn_items USING linal_hnsw (v tensor_l2_ops) WITH (ef_construction = 2000);
CREATE INDEX ON hn_items USING linal_hnsw (v tensor_l2_ops) WITH (lists = 3);
-- GUCs
SET linal.hnsw_ef_search = 0;
SET linal.hnsw_ef_search = 1001;
SET linal.hnsw_max_scan_tuples = 0;
-- linal_index_check on something else
SELECT linal_index_check('hn_items_pkey');
SELECT linal_index_check('hn_items');

-- parallel builds: the table's parallel_workers gives workers whatever
-- its size; the leader takes part, and builds alone when no worker starts
-- (a busy server), so nothing below depends on how many did
SET max_parallel_maintenance_workers = 2;
CREATE TABLE hn_par (id int PRIMARY KEY, v tensor(8)) WITH (parallel_workers = 2);
INSERT INTO hn_par
SELECT id, ARRAY(SELECT round((random() * 10)::numeric, 2)::real
                 FROM generate_series(1, 8 + 0 * id))::tensor
FROM generate_series(1, 900) id;
INSERT INTO hn_par VALUES (901, NULL);
CREATE INDEX hn_par_l2 ON hn_par USING linal_hnsw (v tensor_l2_ops);
CREATE INDEX hn_par_cos ON hn_par USING linal_hnsw (v tensor_cosine_ops) WITH (m = 4, ef_construction = 16);
SELECT linal_index_check('hn_par_l2'), linal_index_check('hn_par_cos');
-- every row is reachable: a scan that may go on through the whole graph returns them all
SET enable_seqscan = off;
SET linal.hnsw_max_scan_tuples = 100000;
SELECT count(*) FROM (SELECT id FROM hn_par ORDER BY v <-> '[5,5,5,5,5,5,5,5]' LIMIT 1000) s;
SELECT count(*) FROM (SELECT id FROM hn_par ORDER BY v <=> '[5,5,5,5,5,5,5,5]' LIMIT 1000) s;
RESET enable_seqscan;
RESET linal.hnsw_max_scan_tuples;
-- exact answers (ef_search above the table size)
SET linal.hnsw_ef_search = 1000;
SELECT hn_compare('SELECT id FROM hn_par ORDER BY v <-> ''[1,2,3,4,5,6,7,8]'' LIMIT 8');
SELECT hn_compare('SELECT id FROM hn_par ORDER BY v <=> ''[1,2,3,4,5,6,7,8]'' LIMIT 8');
SELECT hn_compare('SELECT id FROM hn_par ORDER BY v <-> ''[9,1,9,1,9,1,9,1]'' LIMIT 8');
-- the index goes on growing by inserts
INSERT INTO hn_par
SELECT id, ARRAY(SELECT round((random() * 10)::numeric, 2)::real
                 FROM generate_series(1, 8 + 0 * id))::tensor
FROM generate_series(1001, 1050) id;
SELECT linal_index_check('hn_par_l2');
SELECT hn_compare('SELECT id FROM hn_par ORDER BY v <-> ''[1,2,3,4,5,6,7,8]'' LIMIT 8');

-- a graph too big for maintenance_work_mem, built in parallel and then
-- serially: the rows that do not fit are inserted on disk after the graph
-- is written, and none is lost (the NOTICE's detail counts rows in memory)
CREATE TABLE hn_spill (id int PRIMARY KEY, v tensor(256)) WITH (parallel_workers = 2);
INSERT INTO hn_spill
SELECT id, ARRAY(SELECT random()::real FROM generate_series(1, 256 + 0 * id))::tensor
FROM generate_series(1, 1000) id;
SET maintenance_work_mem = '1MB';
\set VERBOSITY terse
CREATE INDEX hn_spill_par ON hn_spill USING linal_hnsw (v tensor_l2_ops);
SET max_parallel_maintenance_workers = 0;
CREATE INDEX hn_spill_serial ON hn_spill USING linal_hnsw (v tensor_l2_ops);
\set VERBOSITY default
RESET maintenance_work_mem;
RESET max_parallel_maintenance_workers;
SELECT linal_index_check('hn_spill_par'), linal_index_check('hn_spill_serial');
DROP INDEX hn_spill_serial;
SET enable_seqscan = off;
SET linal.hnsw_max_scan_tuples = 100000;
SELECT count(*) FROM (SELECT id FROM hn_spill ORDER BY v <-> (SELECT v FROM hn_spill WHERE id = 1) LIMIT 2000) s;
RESET enable_seqscan;
RESET linal.hnsw_max_scan_tuples;
SELECT hn_compare('SELECT id FROM hn_spill ORDER BY v <-> (SELECT v FROM hn_spill WHERE id = 1) LIMIT 5');
SELECT hn_compare('SELECT id FROM hn_spill ORDER BY v <-> (SELECT v FROM hn_spill WHERE id = 999) LIMIT 5');
RESET linal.hnsw_ef_search;

-- an ANALYZE between two fetches of an open scan flushes the index's
-- relcache entry and the hints cached with it; the scan's later, wider
-- rounds go on without them, to the last row
SET enable_seqscan = off;
SET linal.hnsw_ef_search = 10;
SET linal.hnsw_max_scan_tuples = 100000;
DO $$
DECLARE
  c refcursor;
  r record;
  n int := 5;
BEGIN
  OPEN c FOR SELECT id FROM hn_spill ORDER BY v <-> (SELECT v FROM hn_spill WHERE id = 1);
  MOVE FORWARD 5 IN c;
  ANALYZE hn_spill;
  LOOP
    FETCH c INTO r;
    EXIT WHEN NOT FOUND;
    n := n + 1;
  END LOOP;
  RAISE NOTICE 'rows: %', n;
END $$;
RESET enable_seqscan;
RESET linal.hnsw_ef_search;
RESET linal.hnsw_max_scan_tuples;

DROP FUNCTION hn_compare(text);
DROP TABLE hn_items, hn_empty, hn_matrix, hn_wide, hn_par, hn_spill;
