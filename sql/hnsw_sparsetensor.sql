-- linal_hnsw over sparsetensor keys: sparse codes (non-zeros only, of
-- their own size), every operator class, results equal to an exact
-- ORDER BY on small data, zero vectors, NULLs, wrong dimensions, the limit
-- of 1000 non-zeros at build and insert, quantization refused, inserts
-- after the build, VACUUM, linal_index_check and linal_index_quality.
-- Data without random(), so the output is the same everywhere.
\set VERBOSITY sqlstate
SET max_parallel_workers_per_gather = 0;
SET linal.batched_execution = off;
SET max_parallel_maintenance_workers = 0;
-- a vector of dim elements, about a third of them non-zero
CREATE FUNCTION sp_vec(i int, dim int) RETURNS sparsetensor LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY(SELECT CASE WHEN (i * 7 + j * 13) % 3 = 0
                      THEN (sin(i * 0.7::float8 + j * 0.31::float8 * (1 + i % 5))
                            + 0.5::float8 * cos(i * j * 0.01::float8))::real
                      ELSE 0 END
               FROM generate_series(1, dim) j)::real[]::sparsetensor
$$;
CREATE TABLE sp_items (id int PRIMARY KEY, v sparsetensor(40));
INSERT INTO sp_items SELECT i, sp_vec(i, 40) FROM generate_series(1, 300) i;
INSERT INTO sp_items VALUES (301, NULL), (302, '{}/40');
SELECT min(nnz), max(nnz) FROM (SELECT length(v::text) - length(replace(v::text, ':', '')) AS nnz
                                FROM sp_items WHERE id <= 300) s;

-- the index's order against the exact order: equal, every row
CREATE FUNCTION sp_same(query text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  indexed int[];
  exact int[];
BEGIN
  SET LOCAL enable_seqscan = off;
  EXECUTE 'SELECT array_agg(id) FROM (' || query || ') r' INTO indexed;
  SET LOCAL enable_seqscan = on;
  SET LOCAL enable_indexscan = off;
  EXECUTE 'SELECT array_agg(id) FROM (' || query || ') r' INTO exact;
  RETURN indexed = exact;
END $$;
SET linal.hnsw_ef_search = 400;

CREATE INDEX sp_l2 ON sp_items USING linal_hnsw (v sparsetensor_l2_ops);
CREATE INDEX sp_cos ON sp_items USING linal_hnsw (v sparsetensor_cosine_ops);
CREATE INDEX sp_ip ON sp_items USING linal_hnsw (v sparsetensor_ip_ops);
CREATE INDEX sp_l1 ON sp_items USING linal_hnsw (v sparsetensor_l1_ops);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM sp_items ORDER BY v <-> sp_vec(9, 40) LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM sp_items ORDER BY v <=> sp_vec(9, 40) LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM sp_items ORDER BY v <#> sp_vec(9, 40) LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM sp_items ORDER BY v <+> sp_vec(9, 40) LIMIT 5;
RESET enable_seqscan;
SELECT sp_same('SELECT id FROM sp_items ORDER BY v <-> sp_vec(1000, 40) LIMIT 20') AS l2,
       sp_same('SELECT id FROM sp_items ORDER BY v <=> sp_vec(1000, 40) LIMIT 20') AS cosine,
       sp_same('SELECT id FROM sp_items ORDER BY v <#> sp_vec(1000, 40) LIMIT 20') AS ip,
       sp_same('SELECT id FROM sp_items ORDER BY v <+> sp_vec(1000, 40) LIMIT 20') AS l1;
-- a query of more non-zeros than a key may have, and a sparser one
SELECT sp_same('SELECT id FROM sp_items ORDER BY v <-> ''{1:1,5:-2,33:0.5}/40'' LIMIT 20') AS l2,
       sp_same('SELECT id FROM sp_items ORDER BY v <=> ''{1:1,5:-2,33:0.5}/40'' LIMIT 20') AS cosine,
       sp_same('SELECT id FROM sp_items ORDER BY v <#> ''{1:1,5:-2,33:0.5}/40'' LIMIT 20') AS ip,
       sp_same('SELECT id FROM sp_items ORDER BY v <+> ''{1:1,5:-2,33:0.5}/40'' LIMIT 20') AS l1;
SELECT count(*) AS problems FROM linal_index_check('sp_l2');
SELECT count(*) AS problems FROM linal_index_check('sp_cos');
SELECT count(*) AS problems FROM linal_index_check('sp_ip');
SELECT count(*) AS problems FROM linal_index_check('sp_l1');

-- the zero vector is indexed but under cosine (no direction: NULL distance)
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM sp_items ORDER BY v <-> '{}/40' LIMIT 1000) r;
SELECT count(*) FROM (SELECT id FROM sp_items ORDER BY v <=> sp_vec(3, 40) LIMIT 1000) r;
SELECT id FROM sp_items ORDER BY v <-> '{}/40' LIMIT 1;
-- a NULL query returns rows, in no order
SELECT count(*) FROM (SELECT id FROM sp_items ORDER BY v <-> NULL::sparsetensor LIMIT 1000) r;
-- a query of another dimension fails as the operator does (22000)
SELECT id FROM sp_items ORDER BY v <-> '{1:1}/41' LIMIT 1;
SELECT id FROM sp_items ORDER BY v <=> '{1:1}/39' LIMIT 1;
RESET enable_seqscan;

-- inserts after the build, then deletes and VACUUM: still exact
INSERT INTO sp_items SELECT i, sp_vec(i, 40) FROM generate_series(303, 400) i;
DELETE FROM sp_items WHERE id % 3 = 0;
VACUUM sp_items;
SELECT sp_same('SELECT id FROM sp_items ORDER BY v <-> sp_vec(77, 40) LIMIT 20') AS l2,
       sp_same('SELECT id FROM sp_items ORDER BY v <=> sp_vec(77, 40) LIMIT 20') AS cosine,
       sp_same('SELECT id FROM sp_items ORDER BY v <#> sp_vec(77, 40) LIMIT 20') AS ip,
       sp_same('SELECT id FROM sp_items ORDER BY v <+> sp_vec(77, 40) LIMIT 20') AS l1;
SELECT count(*) AS problems FROM linal_index_check('sp_l2');
SELECT count(*) AS problems FROM linal_index_check('sp_cos');
SELECT count(*) AS problems FROM linal_index_check('sp_ip');
SELECT count(*) AS problems FROM linal_index_check('sp_l1');
SELECT sampled, found, recall, verdict FROM linal_index_quality('sp_l2');
SELECT sampled, found, recall, verdict FROM linal_index_quality('sp_cos');

-- quantization is for tensor and halftensor keys (22023)
CREATE INDEX ON sp_items USING linal_hnsw (v sparsetensor_l2_ops) WITH (quantization = 'int8');
CREATE INDEX ON sp_items USING linal_hnsw (v sparsetensor_ip_ops) WITH (quantization = 'binary');

-- at most 1000 non-zeros a key (54000), at build and at insert; without
-- a type modifier every key has the first one's dimension (22000)
CREATE TABLE sp_wide (id int, v sparsetensor);
INSERT INTO sp_wide SELECT 1, array_fill(1::real, ARRAY[1001])::sparsetensor;
CREATE INDEX sp_wide_l2 ON sp_wide USING linal_hnsw (v sparsetensor_l2_ops);
TRUNCATE sp_wide;
INSERT INTO sp_wide SELECT 1, array_fill(1::real, ARRAY[1000])::sparsetensor;
INSERT INTO sp_wide SELECT 2, (array_fill(1::real, ARRAY[999]) || 0::real)::sparsetensor;
CREATE INDEX sp_wide_l2 ON sp_wide USING linal_hnsw (v sparsetensor_l2_ops);
CREATE INDEX sp_wide_cos ON sp_wide USING linal_hnsw (v sparsetensor_cosine_ops);
INSERT INTO sp_wide SELECT 3, (ARRAY[3::real] || array_fill(2::real, ARRAY[999]))::sparsetensor;
INSERT INTO sp_wide SELECT 4, (array_fill(1::real, ARRAY[2000]))::sparsetensor;
INSERT INTO sp_wide SELECT 5, ('{1:1}/2000')::sparsetensor;
INSERT INTO sp_wide SELECT 6, ('{1:1}/999')::sparsetensor;
SET enable_seqscan = off;
SELECT id FROM sp_wide ORDER BY v <-> array_fill(1::real, ARRAY[1000])::sparsetensor;
SELECT id FROM sp_wide ORDER BY v <=> array_fill(1::real, ARRAY[1000])::sparsetensor;
RESET enable_seqscan;
SELECT count(*) AS problems FROM linal_index_check('sp_wide_l2');
SELECT count(*) AS problems FROM linal_index_check('sp_wide_cos');
DROP TABLE sp_wide;
CREATE TABLE sp_wider (id int, v sparsetensor(1500));
CREATE INDEX sp_wider_ip ON sp_wider USING linal_hnsw (v sparsetensor_ip_ops);
INSERT INTO sp_wider SELECT 1, array_fill(1::real, ARRAY[1500])::sparsetensor;
INSERT INTO sp_wider SELECT 2, (array_fill(1::real, ARRAY[1000]) || array_fill(0::real, ARRAY[500]))::sparsetensor;
SELECT id FROM sp_wider;
DROP TABLE sp_wider;

-- a large dimension costs nothing: a code holds only the non-zeros
CREATE TABLE sp_huge (id int, v sparsetensor(100000000));
INSERT INTO sp_huge SELECT i, ('{' || i || ':' || i || ',' || (i * 99991) % 100000000 + 1 || ':2}/100000000')::sparsetensor
  FROM generate_series(1, 50) i;
CREATE INDEX sp_huge_l1 ON sp_huge USING linal_hnsw (v sparsetensor_l1_ops);
SELECT sp_same('SELECT id FROM sp_huge ORDER BY v <+> ''{7:7,699938:2}/100000000'' LIMIT 5') AS l1;
SELECT count(*) AS problems FROM linal_index_check('sp_huge_l1');
DROP TABLE sp_huge;

-- a parallel build (the graph in shared memory), serial inserts after it
CREATE TABLE sp_par (id int, v sparsetensor(40)) WITH (parallel_workers = 2);
INSERT INTO sp_par SELECT i, sp_vec(i, 40) FROM generate_series(1, 300) i;
SET max_parallel_maintenance_workers = 2;
SET min_parallel_table_scan_size = 0;
CREATE INDEX sp_par_l2 ON sp_par USING linal_hnsw (v sparsetensor_l2_ops);
RESET max_parallel_maintenance_workers;
RESET min_parallel_table_scan_size;
SELECT sp_same('SELECT id FROM sp_par ORDER BY v <-> sp_vec(1000, 40) LIMIT 20') AS l2;
SELECT count(*) AS problems FROM linal_index_check('sp_par_l2');
DROP TABLE sp_par;

DROP TABLE sp_items;
DROP FUNCTION sp_same(text);
DROP FUNCTION sp_vec(int, int);
