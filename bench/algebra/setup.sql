-- Deterministic data for bench/algebra/run (setseed + random()).
CREATE EXTENSION IF NOT EXISTS linal;
SELECT setseed(0.17);
-- 1000 pairs of 768-d vectors, as real[] and as tensor
CREATE TABLE pairs768 AS
SELECT id, a, b, a::tensor AS ta, b::tensor AS tb
FROM (SELECT id,
             ARRAY(SELECT (random() * 2 - 1)::real FROM generate_series(1, 768 + 0 * id)) AS a,
             ARRAY(SELECT (random() * 2 - 1)::real FROM generate_series(1, 768 + 0 * id)) AS b
      FROM generate_series(1, 1000) id) s;
-- the same pairs kept inline in the heap: toast_tuple_target raised from its
-- 2 KB default, so 3 KB vectors are not moved to TOAST
CREATE TABLE pairs768_inline (id int, a real[], b real[], ta tensor, tb tensor)
    WITH (toast_tuple_target = 8160);
ALTER TABLE pairs768_inline ALTER COLUMN a SET STORAGE EXTERNAL, ALTER COLUMN b SET STORAGE EXTERNAL;
INSERT INTO pairs768_inline SELECT * FROM pairs768;
-- one pair of 1M-element vectors
CREATE TABLE big1m AS
SELECT a, b, a::tensor AS ta, b::tensor AS tb
FROM (SELECT ARRAY(SELECT (random() * 2 - 1)::real FROM generate_series(1, 1000000)) AS a,
             ARRAY(SELECT (random() * 2 - 1)::real FROM generate_series(1, 1000000)) AS b) s;
-- 100K rows of 128-d vectors in 10 groups, for centroids
CREATE TABLE items128 AS
SELECT id, id % 10 AS g, r, r::tensor AS v
FROM (SELECT id, ARRAY(SELECT (random() * 2 - 1 + (id % 10))::real
                       FROM generate_series(1, 128 + 0 * id)) AS r
      FROM generate_series(1, 100000) id) s;
-- two 1024x1024 matrices stored in a table (TOAST, out of line)
CREATE TABLE mats1024 AS
SELECT tensor_fill('{1024,1024}', 0.5) + reshape(a::tensor, '{1024,1024}') AS a,
       tensor_fill('{1024,1024}', 0.25) - reshape(a::tensor, '{1024,1024}') AS b
FROM (SELECT ARRAY(SELECT (random() / 8)::real FROM generate_series(1, 1048576)) AS a) s;
VACUUM ANALYZE;
