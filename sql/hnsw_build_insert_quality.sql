-- linal_hnsw: a graph built by CREATE INDEX (hnswgraph.c, in memory) and
-- one grown by inserting the same rows one by one into an empty index
-- (hnswinsert.c, on pages) are of the same quality: both choose
-- neighbours and shrink full lists by one heuristic (hnswheuristic.h) over
-- the same layer search.  Self-recall (linal_index_quality, k = 1) at a
-- small ef_search, where a worse graph shows; levels are random, so the
-- numbers vary a little from run to run (measured: built 0.970 to 0.979
-- and inserted 0.970 to 0.980 at ef_search 4, both 0.993 to 0.996 at 8):
-- the checks keep a margin.
SET max_parallel_workers_per_gather = 0;
SET max_parallel_maintenance_workers = 0;
SELECT setseed(0.25);
-- 20 clusters of 200 rows in 32 dimensions, noise as wide as the centres' spread
CREATE TABLE bq_centres AS
SELECT c, ARRAY(SELECT (random() * 2 - 1)::real FROM generate_series(1, 32 + 0 * c)) AS a
FROM generate_series(0, 19) c;
CREATE TABLE bq_items (id int PRIMARY KEY, v tensor(32)) WITH (autovacuum_enabled = off);
INSERT INTO bq_items
SELECT id, ARRAY(SELECT (x + 1.5 * (random() * 2 - 1))::real
                 FROM unnest((SELECT a FROM bq_centres WHERE c = id % 20)) x)::tensor
FROM generate_series(1, 4000) id;
CREATE TABLE bq_copy (LIKE bq_items) WITH (autovacuum_enabled = off);
CREATE INDEX bq_built ON bq_items USING linal_hnsw (v tensor_l2_ops)
	WITH (m = 8, ef_construction = 32);
CREATE INDEX bq_inserted ON bq_copy USING linal_hnsw (v tensor_l2_ops)
	WITH (m = 8, ef_construction = 32);
INSERT INTO bq_copy SELECT * FROM bq_items ORDER BY id;

CREATE FUNCTION bq_compare(ef int, floor float8, margin float8)
RETURNS TABLE (ef_search int, built_ok bool, inserted_ok bool, same_quality bool)
LANGUAGE plpgsql AS $$
DECLARE
	built float8;
	inserted float8;
BEGIN
	PERFORM set_config('linal.hnsw_ef_search', ef::text, true);
	SELECT recall INTO built FROM linal_index_quality('bq_built', 2000, 1);
	SELECT recall INTO inserted FROM linal_index_quality('bq_inserted', 2000, 1);
	RAISE DEBUG 'ef_search %: built %, inserted %', ef, built, inserted;
	RETURN QUERY SELECT ef, built >= floor, inserted >= floor, abs(built - inserted) <= margin;
END
$$;
SELECT * FROM bq_compare(4, 0.94, 0.025);
SELECT * FROM bq_compare(8, 0.98, 0.01);
-- a search for each row's own vector, as a scan at ef_search 10 searches,
-- finds it in a built graph: the build linked every element that such a
-- search missed (hnsw_graph_refind; measured without it: 0.9968 here),
-- serially and with parallel workers
SET linal.hnsw_ef_search = 10;
SELECT recall >= 0.999 AS built_rows_found FROM linal_index_quality('bq_built', 4000, 1);
CREATE TABLE bq_par (LIKE bq_items) WITH (autovacuum_enabled = off, parallel_workers = 2);
INSERT INTO bq_par SELECT * FROM bq_items;
SET max_parallel_maintenance_workers = 2;
CREATE INDEX bq_par_built ON bq_par USING linal_hnsw (v tensor_l2_ops)
	WITH (m = 8, ef_construction = 32);
SET max_parallel_maintenance_workers = 0;
SELECT recall >= 0.999 AS parallel_built_rows_found FROM linal_index_quality('bq_par_built', 4000, 1);
SELECT count(*) AS problems FROM linal_index_check('bq_par_built');
-- and a build past maintenance_work_mem, whose rows that did not fit were
-- inserted on disk: it searches for every element on the pages
SET maintenance_work_mem = '1MB';
SET client_min_messages = warning;
CREATE INDEX bq_spilled ON bq_items USING linal_hnsw (v tensor_l2_ops)
	WITH (m = 8, ef_construction = 32);
RESET client_min_messages;
RESET maintenance_work_mem;
SELECT recall >= 0.999 AS spilled_rows_found FROM linal_index_quality('bq_spilled', 4000, 1);
SELECT count(*) AS problems FROM linal_index_check('bq_spilled');
RESET linal.hnsw_ef_search;
SELECT count(*) AS problems FROM linal_index_check('bq_built');
SELECT count(*) AS problems FROM linal_index_check('bq_inserted');
DROP FUNCTION bq_compare(int, float8, float8);
DROP TABLE bq_items, bq_copy, bq_par, bq_centres;
