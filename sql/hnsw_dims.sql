-- linal_hnsw: vectors longer than a page (above 2000 dimensions), whose
-- elements hold the head of the vector and chains of vector tuples the
-- rest, through every path that writes or reads them: the build (in
-- memory, parallel, and past maintenance_work_mem), inserts, VACUUM,
-- scans and linal_index_check.  Data without random(), so the output is
-- the same everywhere.
SET max_parallel_workers_per_gather = 0;
SET linal.batched_execution = off;
CREATE TABLE hd_items (id int PRIMARY KEY, v tensor(4096)) WITH (parallel_workers = 2);
CREATE FUNCTION hd_vec(i int, dim int) RETURNS tensor LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY(SELECT (sin(i * 0.7::float8 + j * 0.013::float8 * (1 + i % 7))
                       + 0.25::float8 * cos(i * j * 0.001::float8 + i))::real
               FROM generate_series(1, dim) j)::tensor
$$;
INSERT INTO hd_items SELECT i, hd_vec(i, 4096) FROM generate_series(1, 300) i;
ANALYZE hd_items;

-- how many of the index's k nearest are the exact k nearest
CREATE FUNCTION hd_overlap(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  indexed int[];
  exact int[];
BEGIN
  SET LOCAL enable_seqscan = off;
  EXECUTE 'SELECT array_agg(id) FROM (' || query || ') r' INTO indexed;
  SET LOCAL enable_seqscan = on;
  SET LOCAL enable_indexscan = off;
  EXECUTE 'SELECT array_agg(id) FROM (' || query || ') r' INTO exact;
  RETURN (SELECT count(*) FROM unnest(indexed) a JOIN unnest(exact) b ON a = b);
END $$;
SET linal.hnsw_ef_search = 400;

-- one index per operator class
SET max_parallel_maintenance_workers = 0;
CREATE INDEX hd_l2 ON hd_items USING linal_hnsw (v tensor_l2_ops);
CREATE INDEX hd_cos ON hd_items USING linal_hnsw (v tensor_cosine_ops);
CREATE INDEX hd_ip ON hd_items USING linal_hnsw (v tensor_ip_ops);
SELECT count(*) AS problems FROM linal_index_check('hd_l2');
SELECT count(*) AS problems FROM linal_index_check('hd_cos');
SELECT count(*) AS problems FROM linal_index_check('hd_ip');
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM hd_items ORDER BY v <-> (SELECT v FROM hd_items WHERE id = 1) LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM hd_items ORDER BY v <=> (SELECT v FROM hd_items WHERE id = 1) LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM hd_items ORDER BY v <#> (SELECT v FROM hd_items WHERE id = 1) LIMIT 10;
RESET enable_seqscan;
SELECT hd_overlap('SELECT id FROM hd_items ORDER BY v <-> hd_vec(1000, 4096) LIMIT 10') AS l2,
       hd_overlap('SELECT id FROM hd_items ORDER BY v <=> hd_vec(1000, 4096) LIMIT 10') AS cosine,
       hd_overlap('SELECT id FROM hd_items ORDER BY v <#> hd_vec(1000, 4096) LIMIT 10') AS ip;
SELECT hd_overlap('SELECT id FROM hd_items ORDER BY v <-> (SELECT v FROM hd_items WHERE id = 7) LIMIT 10') AS l2,
       hd_overlap('SELECT id FROM hd_items ORDER BY v <=> (SELECT v FROM hd_items WHERE id = 7) LIMIT 10') AS cosine,
       hd_overlap('SELECT id FROM hd_items ORDER BY v <#> (SELECT v FROM hd_items WHERE id = 7) LIMIT 10') AS ip;
-- a row's own vector is its nearest
SET enable_seqscan = off;
SELECT id FROM hd_items ORDER BY v <-> (SELECT v FROM hd_items WHERE id = 150) LIMIT 1;
RESET enable_seqscan;

-- inserts after the build (their vector tuples go first, in WAL records of their own)
INSERT INTO hd_items SELECT i, hd_vec(i, 4096) FROM generate_series(301, 350) i;
SELECT count(*) AS problems FROM linal_index_check('hd_l2');
SELECT count(*) AS problems FROM linal_index_check('hd_cos');
SELECT count(*) AS problems FROM linal_index_check('hd_ip');
SELECT hd_overlap('SELECT id FROM hd_items ORDER BY v <-> hd_vec(1000, 4096) LIMIT 10') AS l2,
       hd_overlap('SELECT id FROM hd_items ORDER BY v <=> hd_vec(1000, 4096) LIMIT 10') AS cosine,
       hd_overlap('SELECT id FROM hd_items ORDER BY v <#> hd_vec(1000, 4096) LIMIT 10') AS ip;
SET enable_seqscan = off;
SELECT id FROM hd_items ORDER BY v <=> (SELECT v FROM hd_items WHERE id = 350) LIMIT 1;
RESET enable_seqscan;

-- deletes, then VACUUM (it reads the vectors of the elements it re-links)
DELETE FROM hd_items WHERE id % 3 = 0;
VACUUM hd_items;
SELECT count(*) AS problems FROM linal_index_check('hd_l2');
SELECT count(*) AS problems FROM linal_index_check('hd_cos');
SELECT count(*) AS problems FROM linal_index_check('hd_ip');
SELECT hd_overlap('SELECT id FROM hd_items ORDER BY v <-> hd_vec(1000, 4096) LIMIT 10') AS l2,
       hd_overlap('SELECT id FROM hd_items ORDER BY v <=> hd_vec(1000, 4096) LIMIT 10') AS cosine,
       hd_overlap('SELECT id FROM hd_items ORDER BY v <#> hd_vec(1000, 4096) LIMIT 10') AS ip;
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM hd_items ORDER BY v <-> hd_vec(1000, 4096) LIMIT 1000) s;
RESET enable_seqscan;
DROP INDEX hd_cos, hd_ip;

-- a parallel build (the graph in shared memory) ...
SET max_parallel_maintenance_workers = 2;
CREATE INDEX hd_l2_par ON hd_items USING linal_hnsw (v tensor_l2_ops);
RESET max_parallel_maintenance_workers;
SELECT count(*) AS problems FROM linal_index_check('hd_l2_par');
-- ... and one past maintenance_work_mem (about 60 rows fit in 1 MB: the
-- rest are inserted on disk after the graph is written)
SET maintenance_work_mem = '1MB';
SET client_min_messages = warning;
CREATE INDEX hd_ip_disk ON hd_items USING linal_hnsw (v tensor_ip_ops);
RESET client_min_messages;
RESET maintenance_work_mem;
SELECT count(*) AS problems FROM linal_index_check('hd_ip_disk');
DROP INDEX hd_l2;
SELECT hd_overlap('SELECT id FROM hd_items ORDER BY v <-> hd_vec(1000, 4096) LIMIT 10') AS l2,
       hd_overlap('SELECT id FROM hd_items ORDER BY v <#> hd_vec(1000, 4096) LIMIT 10') AS ip;
DROP TABLE hd_items;

-- just above one page (one float in the element) ...
CREATE TABLE hd_2001 (id int PRIMARY KEY, v tensor(2001));
INSERT INTO hd_2001 SELECT i, hd_vec(i, 2001) FROM generate_series(1, 200) i;
CREATE INDEX hd_2001_cos ON hd_2001 USING linal_hnsw (v tensor_cosine_ops);
INSERT INTO hd_2001 SELECT i, hd_vec(i, 2001) FROM generate_series(201, 250) i;
SELECT count(*) AS problems FROM linal_index_check('hd_2001_cos');
SELECT hd_overlap('SELECT id FROM hd_2001 ORDER BY v <=> hd_vec(1000, 2001) LIMIT 10') AS cosine;
DROP TABLE hd_2001;

-- an index built empty, whose dimension (3000) comes from its first insert
CREATE TABLE hd_untyped (id int PRIMARY KEY, v tensor);
CREATE INDEX hd_untyped_ip ON hd_untyped USING linal_hnsw (v tensor_ip_ops);
INSERT INTO hd_untyped SELECT i, hd_vec(i, 3000) FROM generate_series(1, 40) i;
SELECT count(*) AS problems FROM linal_index_check('hd_untyped_ip');
SELECT hd_overlap('SELECT id FROM hd_untyped ORDER BY v <#> hd_vec(1000, 3000) LIMIT 10') AS ip;
DROP TABLE hd_untyped;

-- ... and at the maximum, 16000 (seven vector tuples a vector)
CREATE TABLE hd_max (id int PRIMARY KEY, v tensor(16000));
INSERT INTO hd_max SELECT i, hd_vec(i, 16000) FROM generate_series(1, 30) i;
CREATE INDEX hd_max_l2 ON hd_max USING linal_hnsw (v tensor_l2_ops);
INSERT INTO hd_max SELECT i, hd_vec(i, 16000) FROM generate_series(31, 40) i;
SELECT count(*) AS problems FROM linal_index_check('hd_max_l2');
SELECT hd_overlap('SELECT id FROM hd_max ORDER BY v <-> hd_vec(1000, 16000) LIMIT 10') AS l2;
-- one more is refused
CREATE TABLE hd_over (v tensor(16001));
CREATE INDEX ON hd_over USING linal_hnsw (v tensor_l2_ops);
CREATE TABLE hd_over_untyped (v tensor);
INSERT INTO hd_over_untyped VALUES (tensor_fill('{16001}', 1));
CREATE INDEX ON hd_over_untyped USING linal_hnsw (v tensor_l2_ops);
DROP TABLE hd_max, hd_over, hd_over_untyped;
DROP FUNCTION hd_overlap(text), hd_vec(int, int);
