-- linal_hnsw: every live element is reachable from the entry point after
-- CREATE INDEX (serial, parallel, and past maintenance_work_mem), so
-- linal_index_check reports nothing and a scan can return every row.
-- Inner product on clustered data with few links is the hard case: before
-- the build re-linked what its walk misses, a quarter of these rows were
-- cut off (groups linked only among themselves, elements with no list to
-- spare a link).
SET max_parallel_workers_per_gather = 0;
SET linal.batched_execution = off;
SELECT setseed(0.42);
CREATE TABLE hr_centers AS
SELECT c, ARRAY(SELECT (random() * 4 - 2)::real FROM generate_series(1, 8 + 0 * c)) AS mu
FROM generate_series(0, 9) c;
CREATE TABLE hr_items (id int PRIMARY KEY, v tensor(8)) WITH (parallel_workers = 2);
INSERT INTO hr_items
SELECT id, ARRAY(SELECT (mu[d] + 0.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::real
                 FROM generate_series(1, 8) d)::tensor
FROM generate_series(1, 3000) id JOIN hr_centers ON c = id % 10;
ANALYZE hr_items;

SET max_parallel_maintenance_workers = 0;
CREATE INDEX hr_ip ON hr_items USING linal_hnsw (v tensor_ip_ops) WITH (m = 4);
SELECT count(*) AS problems FROM linal_index_check('hr_ip');
-- m = 2 cuts some off under L2 too
CREATE INDEX hr_l2 ON hr_items USING linal_hnsw (v tensor_l2_ops) WITH (m = 2);
SELECT count(*) AS problems FROM linal_index_check('hr_l2');
-- the leader and the workers (when they start) build one graph
SET max_parallel_maintenance_workers = 2;
CREATE INDEX hr_ip_par ON hr_items USING linal_hnsw (v tensor_ip_ops) WITH (m = 4);
SELECT count(*) AS problems FROM linal_index_check('hr_ip_par');
RESET max_parallel_maintenance_workers;

-- a scan allowed to go through the whole graph returns every row
SET enable_seqscan = off;
SET linal.hnsw_max_scan_tuples = 100000;
CREATE FUNCTION hr_all_found(query text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  found bigint;
BEGIN
  EXECUTE 'SELECT count(*) FROM (' || query || ' LIMIT 100000) s' INTO found;
  RETURN found = (SELECT count(*) FROM hr_items);
END $$;
SELECT hr_all_found('SELECT id FROM hr_items ORDER BY v <#> (SELECT v FROM hr_items WHERE id = 1)');
DROP INDEX hr_ip_par;
SELECT hr_all_found('SELECT id FROM hr_items ORDER BY v <-> (SELECT v FROM hr_items WHERE id = 1)');

-- inserts never cut an element off: a link from an element's parent
-- (its way in) is never the one a full list drops
INSERT INTO hr_items
SELECT id, ARRAY(SELECT (mu[d] + 0.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::real
                 FROM generate_series(1, 8) d)::tensor
FROM generate_series(3001, 4000) id JOIN hr_centers ON c = id % 10;
SELECT count(*) AS problems FROM linal_index_check('hr_ip');
SELECT count(*) AS problems FROM linal_index_check('hr_l2');
SELECT hr_all_found('SELECT id FROM hr_items ORDER BY v <#> (SELECT v FROM hr_items WHERE id = 1)');
-- VACUUM gives the elements it cuts off new parents, also when the entry
-- point goes (nine tenths of the rows: most likely it is among them)
DELETE FROM hr_items WHERE id % 10 = 0;
VACUUM hr_items;
SELECT count(*) AS problems FROM linal_index_check('hr_ip');
SELECT count(*) AS problems FROM linal_index_check('hr_l2');
SELECT hr_all_found('SELECT id FROM hr_items ORDER BY v <#> (SELECT v FROM hr_items WHERE id = 1)');
DELETE FROM hr_items WHERE id % 10 <> 1;
VACUUM hr_items;
SELECT count(*) AS problems FROM linal_index_check('hr_ip');
SELECT count(*) AS problems FROM linal_index_check('hr_l2');
SELECT hr_all_found('SELECT id FROM hr_items ORDER BY v <#> (SELECT v FROM hr_items WHERE id = 1)');
SELECT hr_all_found('SELECT id FROM hr_items ORDER BY v <-> (SELECT v FROM hr_items WHERE id = 1)');
RESET enable_seqscan;
RESET linal.hnsw_max_scan_tuples;
DROP FUNCTION hr_all_found(text);

-- every row replaced before one VACUUM: the new elements' parents were
-- old ones, the entry point goes with them, and nearly every element is
-- cut off at once (the walk of the repair's step 2, then searches for what
-- it cannot reach)
CREATE TABLE hr_replaced (id int, v tensor(8));
INSERT INTO hr_replaced
SELECT id, ARRAY(SELECT (mu[d] + 0.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::real
                 FROM generate_series(1, 8) d)::tensor
FROM generate_series(1, 2000) id JOIN hr_centers ON c = id % 10;
CREATE INDEX hr_replaced_l2 ON hr_replaced USING linal_hnsw (v tensor_l2_ops) WITH (m = 8);
DELETE FROM hr_replaced;
INSERT INTO hr_replaced
SELECT id, ARRAY(SELECT (mu[d] + 0.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::real
                 FROM generate_series(1, 8) d)::tensor
FROM generate_series(2001, 4000) id JOIN hr_centers ON c = id % 10;
VACUUM (INDEX_CLEANUP ON) hr_replaced;
SELECT count(*) AS problems FROM linal_index_check('hr_replaced_l2');
SET enable_seqscan = off;
SET linal.hnsw_max_scan_tuples = 100000;
SELECT count(*) FROM (SELECT id FROM hr_replaced ORDER BY v <-> (SELECT v FROM hr_replaced WHERE id = 2001)) s;
RESET enable_seqscan;
RESET linal.hnsw_max_scan_tuples;
DROP TABLE hr_replaced;

-- past maintenance_work_mem: the rows that do not fit are inserted on
-- disk after the graph is written, and what those inserts cut off is
-- re-linked at the end of the build
CREATE TABLE hr_disk (id int PRIMARY KEY, v tensor(128));
INSERT INTO hr_disk
SELECT id, ARRAY(SELECT (mu[1 + d % 8] * (1 + d % 3) + 0.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::real
                 FROM generate_series(1, 128) d)::tensor
FROM generate_series(1, 3000) id JOIN hr_centers ON c = id % 10;
ANALYZE hr_disk;
SET maintenance_work_mem = '1MB';
SET max_parallel_maintenance_workers = 0;
SET client_min_messages = warning;
CREATE INDEX hr_disk_ip ON hr_disk USING linal_hnsw (v tensor_ip_ops) WITH (m = 4);
RESET client_min_messages;
RESET max_parallel_maintenance_workers;
RESET maintenance_work_mem;
SELECT count(*) AS problems FROM linal_index_check('hr_disk_ip');

DROP TABLE hr_centers, hr_items, hr_disk;
