-- Equality, ordering and hashing: operators, btree and hash operator
-- classes, and what they enable (ORDER BY, GROUP BY, DISTINCT, joins, indexes).

SELECT '[1,2]'::tensor = '[1,2]' AS eq, '[1,2]'::tensor <> '[1,3]' AS ne,
       '[1,2]'::tensor < '[1,3]' AS lt, '[1,2]'::tensor <= '[1,2]' AS le,
       '[2]'::tensor > '[1,9]' AS gt, '[1,2]'::tensor >= '[1,2]' AS ge;
-- same elements, different shapes are different tensors
SELECT '[1,2,3,4]'::tensor = '[[1,2],[3,4]]' AS flat_vs_matrix,
       '[[1,2],[3,4]]'::tensor = '[[1,2,3,4]]' AS two_by_two_vs_one_by_four,
       '[]'::tensor = '[[]]' AS empty_vs_empty;
-- -0 equals 0, and hashes alike
SELECT '[0, -0]'::tensor = '[-0, 0]' AS signed_zero,
       tensor_hash('[0, -0]') = tensor_hash('[-0, 0]') AS same_hash,
       tensor_hash_extended('[-0]', 7) = tensor_hash_extended('[0]', 7) AS same_hash64;
SELECT tensor_cmp('[1]', '[2]'), tensor_cmp('[2]', '[1]'), tensor_cmp('[1]', '[1]');

-- the total order: elements first, then fewer elements, then rank, then dims
CREATE TEMP TABLE cmp_t (id int, t tensor);
INSERT INTO cmp_t VALUES
    (1, '[1,2,3]'), (2, '[1,2]'), (3, '[[1,2]]'), (4, '[[1],[2]]'), (5, '[0.5]'),
    (6, '[]'), (7, '[[]]'), (8, '5'), (9, '[-1,100]'), (10, '[1,2,3]'), (11, NULL),
    (12, '[[1,2,3]]');
SELECT id, t FROM cmp_t ORDER BY t, id;
SELECT id, t FROM cmp_t ORDER BY t DESC NULLS LAST, id;
SELECT t, count(*) FROM cmp_t GROUP BY t ORDER BY t;
SELECT DISTINCT t FROM cmp_t ORDER BY t;
SELECT min(id), max(id) FROM cmp_t WHERE t = '[1,2,3]';

-- hash aggregation and sort-based aggregation agree
SET enable_sort = off;
SELECT count(*) AS groups FROM (SELECT t FROM cmp_t GROUP BY t) g;
RESET enable_sort;
SET enable_hashagg = off;
SELECT count(*) AS groups FROM (SELECT t FROM cmp_t GROUP BY t) g;
RESET enable_hashagg;

-- joins: hash join and merge join on tensor keys
CREATE TEMP TABLE cmp_u AS SELECT id, t FROM cmp_t;
ANALYZE cmp_t, cmp_u;
SET enable_mergejoin = off; SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT a.id, b.id FROM cmp_t a JOIN cmp_u b ON a.t = b.t;
SELECT a.id, b.id FROM cmp_t a JOIN cmp_u b ON a.t = b.t ORDER BY 1, 2;
RESET enable_mergejoin; SET enable_hashjoin = off;
EXPLAIN (COSTS OFF) SELECT a.id, b.id FROM cmp_t a JOIN cmp_u b ON a.t = b.t;
SELECT a.id, b.id FROM cmp_t a JOIN cmp_u b ON a.t = b.t ORDER BY 1, 2;
RESET enable_hashjoin; RESET enable_nestloop;

-- btree and hash indexes
CREATE TABLE cmp_indexed (id int, t tensor);
INSERT INTO cmp_indexed
    SELECT i, ARRAY[i % 100, i / 100]::real[]::tensor FROM generate_series(1, 5000) i;
CREATE INDEX cmp_indexed_btree ON cmp_indexed (t);
CREATE INDEX cmp_indexed_hash ON cmp_indexed USING hash (t);
ANALYZE cmp_indexed;
SET enable_seqscan = off; SET enable_bitmapscan = off;
DROP INDEX cmp_indexed_hash;
EXPLAIN (COSTS OFF) SELECT id FROM cmp_indexed WHERE t = '[7,3]';
SELECT id FROM cmp_indexed WHERE t = '[7,3]';
SELECT id FROM cmp_indexed WHERE t < '[0,2]' ORDER BY t;
CREATE INDEX cmp_indexed_hash ON cmp_indexed USING hash (t);
DROP INDEX cmp_indexed_btree;
EXPLAIN (COSTS OFF) SELECT id FROM cmp_indexed WHERE t = '[7,3]';
SELECT id FROM cmp_indexed WHERE t = '[7,3]';
SELECT id FROM cmp_indexed WHERE t = '[-0,1]';
RESET enable_seqscan; RESET enable_bitmapscan;
-- a unique index refuses duplicates, -0 and 0 included
CREATE UNIQUE INDEX cmp_unique ON cmp_indexed (t);
INSERT INTO cmp_indexed VALUES (0, '[0,1]');
INSERT INTO cmp_indexed VALUES (0, '[-0,1]');
DROP TABLE cmp_indexed;

-- the extended hash with seed 0 has the standard hash in its low 32 bits
-- (the hash opclass contract); other seeds give other hashes
SELECT bool_and((tensor_hash(t)::bigint & 4294967295) = (tensor_hash_extended(t, 0) & 4294967295))
           AS seed0_low_bits_match,
       bool_and(tensor_hash_extended(t, 0) <> tensor_hash_extended(t, 1)) AS seeds_differ
FROM (VALUES ('5'::tensor), ('-0'), ('[]'), ('[[],[]]'), ('[1,2,3]'), ('[[1,2],[3,-0]]'),
             ('[[[[[[[[1]]]]]]]]')) AS v(t);

-- hash partitioning uses the extended hash
CREATE TABLE cmp_parts (t tensor) PARTITION BY HASH (t);
CREATE TABLE cmp_parts_0 PARTITION OF cmp_parts FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE cmp_parts_1 PARTITION OF cmp_parts FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO cmp_parts SELECT ARRAY[i]::real[]::tensor FROM generate_series(1, 100) i;
SELECT count(*) > 0 AS p0_used FROM cmp_parts_0;
SELECT count(*) > 0 AS p1_used FROM cmp_parts_1;
SELECT count(*) FROM cmp_parts WHERE t = '[42]';
DROP TABLE cmp_parts;
