-- linal.hnsw_iterative_scan and linal.hnsw_scan_mem_multiplier: what a
-- linal_hnsw scan does when a filter leaves fewer rows than the LIMIT asks.
-- off stops after one search of ef_search candidates, relaxed_order (the
-- default) and strict_order search wider; strict_order returns rows in
-- nondecreasing distance; the memory bound stops the widening.
SET max_parallel_workers_per_gather = 0;
SET linal.batched_execution = off;
SET jit = off;
SELECT setseed(0.75);
CREATE TABLE hi_items (id int PRIMARY KEY, cat int, v tensor(8));
INSERT INTO hi_items
SELECT id, id % 50, ARRAY(SELECT (random() * 10)::real FROM generate_series(1, 8 + 0 * id))::tensor
FROM generate_series(1, 3000) id;
CREATE INDEX hi_l2 ON hi_items USING linal_hnsw (v tensor_l2_ops);
ANALYZE hi_items;
SET enable_seqscan = off;
SET linal.hnsw_ef_search = 10;

SHOW linal.hnsw_iterative_scan;
SHOW linal.hnsw_scan_mem_multiplier;
EXPLAIN (COSTS OFF) SELECT id FROM hi_items WHERE cat = 3 ORDER BY v <-> '[5,5,5,5,5,5,5,5]' LIMIT 30;

-- 60 rows have cat = 3 (2%)
CREATE FUNCTION hi_rows(lim int) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM (SELECT id FROM hi_items WHERE cat = 3
		ORDER BY v <-> '[5,5,5,5,5,5,5,5]' LIMIT lim) s $$;
-- rows out of distance order among those returned
CREATE FUNCTION hi_disorder(lim int) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FILTER (WHERE d < prev) FROM (
		SELECT d, lag(d) OVER () AS prev FROM (
			SELECT v <-> '[5,5,5,5,5,5,5,5]' AS d FROM hi_items WHERE cat = 3
			ORDER BY v <-> '[5,5,5,5,5,5,5,5]' LIMIT lim) s) o $$;

-- off: one search of 10 candidates, so at most 10 rows before the filter
SET linal.hnsw_iterative_scan = off;
SELECT hi_rows(30) <= 10 AS at_most_ef;
-- without a filter off still returns up to ef rows, in order
SELECT count(*) FROM (SELECT id FROM hi_items ORDER BY v <-> '[5,5,5,5,5,5,5,5]' LIMIT 30) s;

-- relaxed_order: wider searches until the LIMIT is met
SET linal.hnsw_iterative_scan = relaxed_order;
SELECT hi_rows(30);
SELECT hi_rows(100);

-- strict_order: the LIMIT met too, and never a row nearer than the one before
SET linal.hnsw_iterative_scan = strict_order;
SELECT hi_rows(30);
SELECT hi_disorder(30), hi_disorder(60);
SELECT hi_rows(60) >= 50 AS most_rows;
SET linal.hnsw_ef_search = 1;
SELECT hi_disorder(60);
SET linal.hnsw_ef_search = 10;
-- without a filter, with every row: still in order
SELECT bool_and(d >= prev) AS ordered, count(*) FROM (
	SELECT d, lag(d, 1, '-Infinity') OVER () AS prev FROM (
		SELECT v <-> '[2,8,2,8,2,8,2,8]' AS d FROM hi_items
		ORDER BY v <-> '[2,8,2,8,2,8,2,8]' LIMIT 3000) s) o;

-- the memory bound: at work_mem 64kB the first rounds already exceed it,
-- so the scan stops before the LIMIT; a larger multiplier lets it go on
SET linal.hnsw_iterative_scan = relaxed_order;
SET work_mem = '64kB';
SELECT hi_rows(30) < 30 AS stopped_by_memory;
SET linal.hnsw_scan_mem_multiplier = 1000;
SELECT hi_rows(30);
SET linal.hnsw_iterative_scan = strict_order;
SELECT hi_rows(30);
RESET linal.hnsw_scan_mem_multiplier;
SELECT hi_rows(30) < 30 AS stopped_by_memory;
RESET work_mem;
-- the hard cap still applies at any multiplier
SET linal.hnsw_max_scan_tuples = 10;
SET linal.hnsw_scan_mem_multiplier = 1000;
SELECT hi_rows(30) <= 10 AS capped;
RESET linal.hnsw_max_scan_tuples;
RESET linal.hnsw_scan_mem_multiplier;
RESET enable_seqscan;

-- a wider round goes on from where the last stopped: rounds of 10, 20
-- and 40 read about the pages of one search of 40 (restarting each round
-- read twice as many), and find what it finds.  A filter no row passes
-- and a cap of 40 make the rounds 10, 20, 40.
CREATE FUNCTION hi_pages(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	plan json;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, FORMAT JSON) ' || q INTO plan;
	RETURN (plan->0->'Plan'->>'Shared Hit Blocks')::bigint +
		(plan->0->'Plan'->>'Shared Read Blocks')::bigint;
END $$;
CREATE FUNCTION hi_widened(tbl text) RETURNS TABLE (mode text, about_one_search bool, found_of_40 bigint)
LANGUAGE plpgsql AS $$
DECLARE
	q text := format('SELECT id FROM %I %%s ORDER BY v <-> ''[5,5,5,5,5,5,5,5]'' LIMIT 40', tbl);
	one_search bigint;
	m text;
BEGIN
	SET LOCAL enable_seqscan = off;
	SET LOCAL linal.hnsw_iterative_scan = off;
	SET LOCAL linal.hnsw_ef_search = 40;
	one_search := hi_pages(format(q, ''));
	SET LOCAL linal.hnsw_ef_search = 10;
	SET LOCAL linal.hnsw_max_scan_tuples = 40;
	FOREACH m IN ARRAY ARRAY['relaxed_order', 'strict_order'] LOOP
		PERFORM set_config('linal.hnsw_iterative_scan', m, true);
		mode := m;
		about_one_search := hi_pages(format(q, 'WHERE cat = -1')) < 1.3 * one_search;
		-- what the widened scan returns, against the exact 40 nearest
		EXECUTE format('SELECT count(*) FROM (%s) s WHERE id IN (SELECT id FROM %I
			ORDER BY v::real[]::tensor <-> ''[5,5,5,5,5,5,5,5]'' LIMIT 40)', format(q, ''), tbl)
			INTO found_of_40;
		RETURN NEXT;
	END LOOP;
END $$;
SELECT * FROM hi_widened('hi_items');
-- an int8 index: its rounds widen as the executor re-ranks the rows
CREATE TABLE hi_q8 AS SELECT * FROM hi_items;
CREATE INDEX ON hi_q8 USING linal_hnsw (v tensor_l2_ops) WITH (quantization = 'int8');
ANALYZE hi_q8;
SELECT * FROM hi_widened('hi_q8');
DROP TABLE hi_q8;

-- bad values
SET linal.hnsw_iterative_scan = strict;
SET linal.hnsw_scan_mem_multiplier = 0.5;
SET linal.hnsw_scan_mem_multiplier = 1001;
-- anyone may set them (they trade recall and order, within the caps)
CREATE ROLE hi_user;
SET ROLE hi_user;
SET linal.hnsw_iterative_scan = strict_order;
SET linal.hnsw_scan_mem_multiplier = 2;
SET linal.hnsw_max_scan_tuples = 10;
RESET ROLE;
DROP ROLE hi_user;
RESET linal.hnsw_iterative_scan;
RESET linal.hnsw_scan_mem_multiplier;
DROP FUNCTION hi_rows(int), hi_disorder(int), hi_pages(text), hi_widened(text);
DROP TABLE hi_items;
