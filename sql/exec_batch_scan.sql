-- The batched scan (LinalBatchScan): plans, and the same answers as the
-- plain plan for every distance, filter form, NULLs, errors and rescans.
SET max_parallel_workers_per_gather = 0;
SET extra_float_digits = 0;
SELECT setseed(0.25);
CREATE TABLE bs_items (id int PRIMARY KEY, cat int, v tensor);
INSERT INTO bs_items
SELECT id, id % 5,
       ARRAY(SELECT round((random() * 20 - 10)::numeric, 3)::real
             FROM generate_series(1, 8 + 0 * id))::tensor
FROM generate_series(1, 3000) id;
UPDATE bs_items SET v = NULL WHERE id % 500 = 0;
ANALYZE bs_items;
CREATE TABLE bs_queries (qid int, q tensor);
INSERT INTO bs_queries VALUES
  (1, '[1,2,3,4,5,6,7,8]'), (2, '[-3,0.5,2,-1,0,4,-2,1]'), (3, '[9,-9,9,-9,9,-9,9,-9]');

-- plans: the custom scan for ORDER BY distance LIMIT k and distance filters
-- (scalar kernels so the plan text is the same on every CPU)
SET linal.simd = scalar;
EXPLAIN (COSTS OFF) SELECT id FROM bs_items ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM bs_items WHERE cat = 2 ORDER BY v <=> '[1,2,3,4,5,6,7,8]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM bs_items WHERE v <#> '[1,2,3,4,5,6,7,8]' < -50;
EXPLAIN (COSTS OFF) SELECT id FROM bs_items WHERE 20 >= l1_distance(v, '[1,2,3,4,5,6,7,8]');
-- not for: no LIMIT, descending order, a join, a volatile query vector
EXPLAIN (COSTS OFF) SELECT id FROM bs_items ORDER BY v <-> '[1,2,3,4,5,6,7,8]';
EXPLAIN (COSTS OFF) SELECT id FROM bs_items ORDER BY v <-> '[1,2,3,4,5,6,7,8]' DESC LIMIT 5;
EXPLAIN (COSTS OFF) SELECT i.id FROM bs_items i JOIN bs_queries q ON q.qid = i.cat ORDER BY i.v <-> '[1,2,3,4,5,6,7,8]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM bs_items ORDER BY v <-> tensor_fill('{8}', random()) LIMIT 5;
-- EXPLAIN ANALYZE counts batches
SET linal.batch_size = 1000;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT id FROM bs_items ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 3;
-- the switch
SET linal.batched_execution = off;
EXPLAIN (COSTS OFF) SELECT id FROM bs_items ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 5;
RESET linal.batched_execution;
RESET linal.simd;

-- Each query runs batched (with a batch size that leaves a partial last
-- batch) and plain; the two answers must be identical.
CREATE FUNCTION bs_compare(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  batched text;
  plain text;
BEGIN
  SET LOCAL linal.batch_size = 7;
  SET LOCAL linal.batched_execution = on;
  EXECUTE 'SELECT string_agg(r::text, '' '') FROM (' || query || ') r' INTO batched;
  SET LOCAL linal.batched_execution = off;
  EXECUTE 'SELECT string_agg(r::text, '' '') FROM (' || query || ') r' INTO plain;
  IF batched IS DISTINCT FROM plain THEN
    RETURN 'DIFFERENT: batched ' || coalesce(batched, 'NULL') || ' plain ' || coalesce(plain, 'NULL');
  END IF;
  RETURN coalesce(plain, '(no rows)');
END $$;

SELECT bs_compare('SELECT id FROM bs_items ORDER BY v <-> ''[1,2,3,4,5,6,7,8]'' LIMIT 10');
SELECT bs_compare('SELECT id FROM bs_items ORDER BY v <=> ''[1,2,3,4,5,6,7,8]'' LIMIT 10');
SELECT bs_compare('SELECT id FROM bs_items ORDER BY v <#> ''[1,2,3,4,5,6,7,8]'' LIMIT 10');
SELECT bs_compare('SELECT id FROM bs_items ORDER BY v <+> ''[1,2,3,4,5,6,7,8]'' LIMIT 10');
SELECT bs_compare('SELECT id FROM bs_items ORDER BY ''[1,2,3,4,5,6,7,8]'' <=> v LIMIT 10');
SELECT bs_compare('SELECT id FROM bs_items ORDER BY l2_distance(v, ''[-3,0.5,2,-1,0,4,-2,1]'') LIMIT 10');
SELECT bs_compare('SELECT id, round((v <-> ''[1,2,3,4,5,6,7,8]'')::numeric, 3) FROM bs_items ORDER BY v <-> ''[1,2,3,4,5,6,7,8]'' LIMIT 5 OFFSET 3');
SELECT bs_compare('SELECT id FROM bs_items WHERE cat IN (1, 3) ORDER BY v <-> ''[9,-9,9,-9,9,-9,9,-9]'' LIMIT 10');
SELECT bs_compare('SELECT count(*), sum(id), min(id), max(id) FROM bs_items WHERE v <-> ''[1,2,3,4,5,6,7,8]'' < 16');
SELECT bs_compare('SELECT count(*), sum(id), min(id), max(id) FROM bs_items WHERE v <=> ''[1,2,3,4,5,6,7,8]'' <= 0.3 AND cat = 4');
SELECT bs_compare('SELECT count(*), sum(id), min(id), max(id) FROM bs_items WHERE -100 > v <#> ''[1,2,3,4,5,6,7,8]''');
SELECT bs_compare('SELECT count(*), sum(id), min(id), max(id) FROM bs_items WHERE v <+> ''[1,2,3,4,5,6,7,8]'' < 30 AND v <-> ''[1,2,3,4,5,6,7,8]'' < 14');
SELECT bs_compare('SELECT id FROM bs_items WHERE v <-> ''[1,2,3,4,5,6,7,8]'' < 18 ORDER BY v <=> ''[9,-9,9,-9,9,-9,9,-9]'' LIMIT 4');
-- NULL rows sort last: they fill the answer when fewer rows qualify
-- (the order among NULLs is unspecified, so compare the rows as a set)
SELECT bs_compare('SELECT id FROM (SELECT id FROM bs_items WHERE id > 2980 OR id % 500 = 0 ORDER BY v <-> ''[1,2,3,4,5,6,7,8]'' LIMIT 30) s ORDER BY id');
SELECT bs_compare('SELECT id FROM bs_items WHERE id > 2980 OR id % 500 = 0 ORDER BY v <-> ''[1,2,3,4,5,6,7,8]'' LIMIT 19');
-- a NULL query vector or bound
SELECT bs_compare('SELECT count(*) FROM (SELECT id FROM bs_items ORDER BY v <-> NULL::tensor LIMIT 5) s');
SELECT bs_compare('SELECT id FROM bs_items WHERE v <-> ''[1,2,3,4,5,6,7,8]'' < NULL::float8');
-- a LIMIT beyond the table
SELECT bs_compare('SELECT count(*) FROM (SELECT id FROM bs_items ORDER BY v <-> ''[1,2,3,4,5,6,7,8]'' LIMIT 5000) s');
-- rescans: the query vector comes from the outer row
SELECT bs_compare('SELECT q.qid, (SELECT i.id FROM bs_items i ORDER BY i.v <-> q.q LIMIT 1) FROM bs_queries q ORDER BY q.qid');
-- a prepared statement (custom plan with the parameter as a constant)
PREPARE bs_knn(tensor) AS SELECT id FROM bs_items ORDER BY v <-> $1 LIMIT 3;
EXECUTE bs_knn('[1,2,3,4,5,6,7,8]');
SET linal.simd = scalar;
EXPLAIN (COSTS OFF) EXECUTE bs_knn('[1,2,3,4,5,6,7,8]');
RESET linal.simd;
DEALLOCATE bs_knn;
-- parallel settings do not change answers
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT bs_compare('SELECT id FROM bs_items ORDER BY v <-> ''[1,2,3,4,5,6,7,8]'' LIMIT 10');
SELECT bs_compare('SELECT count(*), sum(id), min(id), max(id) FROM bs_items WHERE v <-> ''[1,2,3,4,5,6,7,8]'' < 16');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SET max_parallel_workers_per_gather = 0;

-- values read where they lie on the page (64-d: a 4-byte header, inline),
-- values kept out of line (700-d: TOAST), dead rows, and rows returned
-- with their vectors straight from the page
CREATE TABLE bs_wide (id int, v tensor);
INSERT INTO bs_wide
SELECT id, ARRAY(SELECT round((random() * 2 - 1)::numeric, 3)::real
                 FROM generate_series(1, CASE WHEN id % 7 = 0 THEN 700 ELSE 64 END + 0 * id))::tensor
FROM generate_series(1, 700) id;
SELECT count(*) FILTER (WHERE pg_column_size(v) > 2000) AS toasted,
       count(*) FILTER (WHERE pg_column_size(v) < 2000) AS inline
FROM bs_wide;
DELETE FROM bs_wide WHERE id % 10 = 3;
CREATE TABLE bs_wide_q AS SELECT 1 AS n, v FROM bs_wide WHERE id = 1 UNION ALL SELECT 2, v FROM bs_wide WHERE id = 14;
SELECT bs_compare('SELECT id FROM bs_wide WHERE numel(v) = 64 ORDER BY v <-> (SELECT v FROM bs_wide_q WHERE n = 1) LIMIT 10');
SELECT bs_compare('SELECT id FROM bs_wide WHERE numel(v) = 700 ORDER BY v <=> (SELECT v FROM bs_wide_q WHERE n = 2) LIMIT 10');
SELECT bs_compare('SELECT id FROM bs_wide WHERE id % 7 <> 0 ORDER BY v <#> (SELECT v FROM bs_wide_q WHERE n = 1) LIMIT 10');
SELECT bs_compare('SELECT count(*), sum(id) FROM bs_wide WHERE id % 7 <> 0 AND v <-> (SELECT v FROM bs_wide_q WHERE n = 1) < 6.5');
SELECT bs_compare('SELECT count(*), md5(string_agg(id || '':'' || v::text, '','' ORDER BY id)) FROM bs_wide WHERE id % 7 <> 0 AND v <+> (SELECT v FROM bs_wide_q WHERE n = 1) < 40');
-- a 700-d query against 64-d rows: the operator's shape error
SELECT id FROM bs_wide ORDER BY v <-> (SELECT v FROM bs_wide_q WHERE n = 2) LIMIT 3;
-- a table AM other than the built-in heap goes through its slots
CREATE ACCESS METHOD bs_other_heap TYPE TABLE HANDLER heap_tableam_handler;
CREATE TABLE bs_wide_other USING bs_other_heap AS SELECT * FROM bs_wide;
SET linal.simd = scalar;
EXPLAIN (COSTS OFF) SELECT id FROM bs_wide_other ORDER BY v <-> '[1]' LIMIT 10;
RESET linal.simd;
SELECT bs_compare('SELECT id FROM bs_wide_other WHERE numel(v) = 64 ORDER BY v <-> (SELECT v FROM bs_wide_q WHERE n = 1) LIMIT 10');
SELECT bs_compare('SELECT count(*), md5(string_agg(id || '':'' || v::text, '','' ORDER BY id)) FROM bs_wide_other WHERE id % 7 <> 0 AND v <+> (SELECT v FROM bs_wide_q WHERE n = 1) < 40');
SELECT bs_compare('SELECT id FROM bs_wide_other WHERE numel(v) = 700 ORDER BY v <=> (SELECT v FROM bs_wide_q WHERE n = 2) LIMIT 10');
DROP TABLE bs_wide, bs_wide_q, bs_wide_other;
DROP ACCESS METHOD bs_other_heap;

-- errors are the operator's, in both modes
INSERT INTO bs_items VALUES (5001, 0, '[1,2,3]');
SELECT id FROM bs_items ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 3;
SELECT id FROM bs_items WHERE v <=> '[1,2,3,4,5,6,7,8]' < 0.1;
SET linal.batched_execution = off;
SELECT id FROM bs_items ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 3;
RESET linal.batched_execution;
DELETE FROM bs_items WHERE id = 5001;
INSERT INTO bs_items VALUES (5002, 0, '[3e38,3e38,3e38,3e38,3e38,3e38,3e38,3e38]');
SELECT id FROM bs_items ORDER BY v <-> '[-3e38,-3e38,-3e38,-3e38,-3e38,-3e38,-3e38,-3e38]' LIMIT 3;
DELETE FROM bs_items WHERE id = 5002;

-- the GUCs
SET linal.batch_size = 0;
SET linal.batch_size = 65537;
SET linal.batched_execution = maybe;
SHOW linal.batch_size;
RESET linal.batch_size;
SHOW linal.batch_size;

DROP FUNCTION bs_compare(text);
DROP TABLE bs_items, bs_queries;
