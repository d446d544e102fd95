-- linal_hnsw over halftensor keys: float16 codes, every operator class,
-- results equal to an exact ORDER BY on small data, NULLs, wrong
-- dimensions, inserts after the build, VACUUM, linal_index_check and
-- linal_index_quality; and the index is about half a tensor index's size.
-- Data without random(), so the output is the same everywhere.
\set VERBOSITY sqlstate
SET max_parallel_workers_per_gather = 0;
SET linal.batched_execution = off;
SET max_parallel_maintenance_workers = 0;
CREATE FUNCTION ht_vec(i int, dim int) RETURNS real[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY(SELECT (sin(i * 0.7::float8 + j * 0.31::float8 * (1 + i % 5))
                       + 0.5::float8 * cos(i * j * 0.01::float8))::real
               FROM generate_series(1, dim) j)
$$;
CREATE TABLE ht_items (id int PRIMARY KEY, v halftensor(16));
INSERT INTO ht_items SELECT i, ht_vec(i, 16)::halftensor FROM generate_series(1, 500) i;
INSERT INTO ht_items VALUES (501, NULL);

-- the index's k nearest against the exact k nearest
CREATE FUNCTION ht_overlap(query text) RETURNS bigint LANGUAGE plpgsql AS $$
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
SET linal.hnsw_ef_search = 200;

CREATE INDEX ht_l2 ON ht_items USING linal_hnsw (v halftensor_l2_ops);
CREATE INDEX ht_cos ON ht_items USING linal_hnsw (v halftensor_cosine_ops);
CREATE INDEX ht_ip ON ht_items USING linal_hnsw (v halftensor_ip_ops);
CREATE INDEX ht_l1 ON ht_items USING linal_hnsw (v halftensor_l1_ops);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ht_items ORDER BY v <-> ht_vec(9, 16)::halftensor LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM ht_items ORDER BY v <=> ht_vec(9, 16)::halftensor LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM ht_items ORDER BY v <#> ht_vec(9, 16)::halftensor LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM ht_items ORDER BY v <+> ht_vec(9, 16)::halftensor LIMIT 5;
RESET enable_seqscan;
SELECT ht_overlap('SELECT id FROM ht_items ORDER BY v <-> ht_vec(1000, 16)::halftensor LIMIT 10') AS l2,
       ht_overlap('SELECT id FROM ht_items ORDER BY v <=> ht_vec(1000, 16)::halftensor LIMIT 10') AS cosine,
       ht_overlap('SELECT id FROM ht_items ORDER BY v <#> ht_vec(1000, 16)::halftensor LIMIT 10') AS ip,
       ht_overlap('SELECT id FROM ht_items ORDER BY v <+> ht_vec(1000, 16)::halftensor LIMIT 10') AS l1;
SELECT count(*) AS problems FROM linal_index_check('ht_l2');
SELECT count(*) AS problems FROM linal_index_check('ht_cos');
SELECT count(*) AS problems FROM linal_index_check('ht_ip');
SELECT count(*) AS problems FROM linal_index_check('ht_l1');

-- a NULL row is not indexed; a NULL query returns rows, in no order
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM ht_items ORDER BY v <-> NULL::halftensor LIMIT 1000) r;
-- a query of another dimension fails as the operator does
SELECT id FROM ht_items ORDER BY v <-> '[1,2,3]'::halftensor LIMIT 1;
RESET enable_seqscan;
-- a row of another dimension cannot be stored (the type modifier), and
-- without one the index refuses it
CREATE TABLE ht_free (id int, v halftensor);
INSERT INTO ht_free VALUES (1, '[1,2,3]'), (2, '[1,0,1]');
CREATE INDEX ht_free_l2 ON ht_free USING linal_hnsw (v halftensor_l2_ops);
INSERT INTO ht_free VALUES (3, '[1,2]');
INSERT INTO ht_free VALUES (4, '[]');
SELECT id FROM ht_free ORDER BY v <-> '[1,2,3]' LIMIT 1;
CREATE TABLE ht_mixed (id int, v halftensor);
INSERT INTO ht_mixed VALUES (1, '[1,2,3]'), (2, '[1,2]');
CREATE INDEX ON ht_mixed USING linal_hnsw (v halftensor_l2_ops);
-- a tensor opclass on a halftensor column, and the other way round
CREATE INDEX ON ht_free USING linal_hnsw (v tensor_l2_ops);
CREATE TABLE ht_tensor (v tensor(3));
CREATE INDEX ON ht_tensor USING linal_hnsw (v halftensor_l2_ops);

-- inserts after the build, deletes and VACUUM
INSERT INTO ht_items SELECT i, ht_vec(i, 16)::halftensor FROM generate_series(502, 600) i;
DELETE FROM ht_items WHERE id % 3 = 0;
VACUUM ht_items;
SELECT count(*) AS problems FROM linal_index_check('ht_l2');
SELECT count(*) AS problems FROM linal_index_check('ht_cos');
SELECT ht_overlap('SELECT id FROM ht_items ORDER BY v <-> ht_vec(7, 16)::halftensor LIMIT 10') AS l2,
       ht_overlap('SELECT id FROM ht_items ORDER BY v <=> ht_vec(7, 16)::halftensor LIMIT 10') AS cosine;
SELECT sampled, found, verdict FROM linal_index_quality('ht_l2', 100, 5);
SELECT sampled, found, verdict FROM linal_index_quality('ht_l1', 100, 5);

-- long vectors split over pages as tensors do (16000 dimensions at most)
CREATE TABLE ht_wide (id int, v halftensor(5000));
INSERT INTO ht_wide SELECT i, ht_vec(i, 5000)::halftensor FROM generate_series(1, 40) i;
CREATE INDEX ht_wide_l2 ON ht_wide USING linal_hnsw (v halftensor_l2_ops);
INSERT INTO ht_wide SELECT i, ht_vec(i, 5000)::halftensor FROM generate_series(41, 60) i;
SELECT count(*) AS problems FROM linal_index_check('ht_wide_l2');
SELECT ht_overlap('SELECT id FROM ht_wide ORDER BY v <-> ht_vec(3, 5000)::halftensor LIMIT 5') AS l2;
CREATE TABLE ht_huge (v halftensor(16001));
CREATE INDEX ON ht_huge USING linal_hnsw (v halftensor_l2_ops);

-- about half the size of the same index over tensors
CREATE TABLE ht_as_tensor AS SELECT id, v::tensor(16) AS v FROM ht_items;
CREATE TABLE ht_size (id int, h halftensor(512), t tensor(512));
INSERT INTO ht_size SELECT i, ht_vec(i, 512)::halftensor, ht_vec(i, 512)::tensor FROM generate_series(1, 400) i;
CREATE INDEX ht_size_h ON ht_size USING linal_hnsw (h halftensor_l2_ops);
CREATE INDEX ht_size_t ON ht_size USING linal_hnsw (t tensor_l2_ops);
SELECT round(pg_relation_size('ht_size_h')::numeric / pg_relation_size('ht_size_t'), 1) AS size_ratio;

DROP TABLE ht_items, ht_free, ht_mixed, ht_tensor, ht_wide, ht_huge, ht_as_tensor, ht_size;
DROP FUNCTION ht_overlap(text), ht_vec(int, int);
