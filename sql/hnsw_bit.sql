-- linal_hnsw over bit keys: bit codes, bit_hamming_ops and
-- bit_jaccard_ops, results equal to an exact ORDER BY on small data,
-- NULLs, wrong lengths, all-zero strings under Jaccard, inserts after the
-- build, VACUUM, linal_index_check and linal_index_quality, the length
-- limit.  Data without random(), so the output is the same everywhere.
\set VERBOSITY sqlstate
SET max_parallel_workers_per_gather = 0;
SET linal.batched_execution = off;
SET max_parallel_maintenance_workers = 0;
CREATE FUNCTION bt_bits(i int, len int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(CASE WHEN sin(i * 0.7::float8 + j * 0.37::float8 * (1 + i % 5)) > 0.2 THEN '1' ELSE '0' END, '')
  FROM generate_series(1, len) j
$$;
CREATE TABLE bt_items (id int PRIMARY KEY, v bit(100));
INSERT INTO bt_items SELECT i, bt_bits(i, 100)::bit(100) FROM generate_series(1, 500) i;
INSERT INTO bt_items VALUES (501, NULL), (502, repeat('0', 100)::bit(100)), (503, repeat('0', 100)::bit(100));

CREATE FUNCTION bt_overlap(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  indexed int[];
  exact int[];
BEGIN
  SET LOCAL enable_seqscan = off;
  EXECUTE 'SELECT array_agg(d ORDER BY d) FROM (' || query || ') r' INTO indexed;
  SET LOCAL enable_seqscan = on;
  SET LOCAL enable_indexscan = off;
  EXECUTE 'SELECT array_agg(d ORDER BY d) FROM (' || query || ') r' INTO exact;
  -- ties: compare the distances found, not the rows
  RETURN CASE WHEN indexed = exact THEN 10 ELSE -1 END;
END $$;
SET linal.hnsw_ef_search = 200;

CREATE INDEX bt_ham ON bt_items USING linal_hnsw (v bit_hamming_ops);
CREATE INDEX bt_jac ON bt_items USING linal_hnsw (v bit_jaccard_ops);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM bt_items ORDER BY v <~> bt_bits(9, 100)::bit(100) LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM bt_items ORDER BY v <%> bt_bits(9, 100)::bit(100) LIMIT 5;
RESET enable_seqscan;
SELECT bt_overlap('SELECT v <~> bt_bits(1000, 100)::bit(100) AS d FROM bt_items ORDER BY v <~> bt_bits(1000, 100)::bit(100) LIMIT 10') AS hamming,
       bt_overlap('SELECT v <%> bt_bits(1000, 100)::bit(100) AS d FROM bt_items ORDER BY v <%> bt_bits(1000, 100)::bit(100) LIMIT 10') AS jaccard;
-- all-zero strings: Jaccard distance 1 to everything, found all the same
SET enable_seqscan = off;
SELECT id, v <%> repeat('0', 100)::bit(100) AS d FROM bt_items
  WHERE id > 500 ORDER BY v <%> repeat('0', 100)::bit(100) LIMIT 3;
SELECT count(*) FROM (SELECT id FROM bt_items ORDER BY v <%> repeat('0', 100)::bit(100) LIMIT 1000) r;
SELECT count(*) FROM (SELECT id FROM bt_items ORDER BY v <~> NULL::bit(100) LIMIT 1000) r;
-- a query of another length fails
SELECT id FROM bt_items ORDER BY v <~> B'101' LIMIT 1;
RESET enable_seqscan;
SELECT count(*) AS problems FROM linal_index_check('bt_ham');
SELECT count(*) AS problems FROM linal_index_check('bt_jac');

-- a bit varying column (bit_hamming_ops takes it as bit): every string
-- must have the first one's length, at the build and at an insert
CREATE TABLE bt_free (id int, v bit varying);
INSERT INTO bt_free VALUES (1, B'1010'), (2, B'0110');
CREATE INDEX bt_free_ham ON bt_free USING linal_hnsw (v bit_hamming_ops);
INSERT INTO bt_free VALUES (3, B'101');
INSERT INTO bt_free VALUES (4, B'1011');
SET enable_seqscan = off;
SELECT id, v <~> B'1011' AS d FROM bt_free ORDER BY v <~> B'1011' LIMIT 3;
RESET enable_seqscan;
CREATE TABLE bt_mixed (id int, v bit varying);
INSERT INTO bt_mixed VALUES (1, B'1010'), (2, B'10');
CREATE INDEX ON bt_mixed USING linal_hnsw (v bit_jaccard_ops);
-- a tensor column under a bit opclass
CREATE TABLE bt_tensor (v tensor(4));
CREATE INDEX ON bt_tensor USING linal_hnsw (v bit_hamming_ops);

-- inserts after the build, deletes and VACUUM
INSERT INTO bt_items SELECT i, bt_bits(i, 100)::bit(100) FROM generate_series(504, 600) i;
DELETE FROM bt_items WHERE id % 3 = 0;
VACUUM bt_items;
SELECT count(*) AS problems FROM linal_index_check('bt_ham');
SELECT count(*) AS problems FROM linal_index_check('bt_jac');
SELECT bt_overlap('SELECT v <~> bt_bits(7, 100)::bit(100) AS d FROM bt_items ORDER BY v <~> bt_bits(7, 100)::bit(100) LIMIT 10') AS hamming;
SELECT sampled, verdict FROM linal_index_quality('bt_ham', 100, 5);

-- the length limit: one index page of code, 64000 bits
CREATE TABLE bt_long (v bit(64000));
INSERT INTO bt_long SELECT bt_bits(i, 64000)::bit(64000) FROM generate_series(1, 3) i;
CREATE INDEX bt_long_ham ON bt_long USING linal_hnsw (v bit_hamming_ops);
INSERT INTO bt_long SELECT bt_bits(i, 64000)::bit(64000) FROM generate_series(4, 5) i;
SELECT count(*) AS problems FROM linal_index_check('bt_long_ham');
SET enable_seqscan = off;
SELECT v <~> bt_bits(4, 64000)::bit(64000) AS d FROM bt_long ORDER BY v <~> bt_bits(4, 64000)::bit(64000) LIMIT 1;
RESET enable_seqscan;
CREATE TABLE bt_too_long (v bit(64001));
CREATE INDEX ON bt_too_long USING linal_hnsw (v bit_hamming_ops);
\set VERBOSITY default
CREATE INDEX ON bt_too_long USING linal_hnsw (v bit_hamming_ops);

DROP TABLE bt_items, bt_free, bt_mixed, bt_tensor, bt_long, bt_too_long;
DROP FUNCTION bt_overlap(text), bt_bits(int, int);
