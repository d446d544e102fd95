-- Deterministic data for bench/exec/run: 100K x 128 clustered Gaussian
-- vectors (100 clusters), 10K- and 1K-row samples, and query vectors.
CREATE EXTENSION IF NOT EXISTS linal;
SELECT setseed(0.42);
CREATE TABLE centers AS
SELECT c, ARRAY(SELECT (random() * 4 - 2)::real FROM generate_series(1, 128 + 0 * c)) AS mu
FROM generate_series(0, 99) c;
CREATE TABLE items100k AS
SELECT id, (ARRAY(SELECT (mu[d] + 0.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::real
                  FROM generate_series(1, 128) d))::tensor(128) AS v
FROM generate_series(1, 100000) id JOIN centers ON c = id % 100;
ALTER TABLE items100k ADD PRIMARY KEY (id);
CREATE TABLE items10k AS SELECT * FROM items100k WHERE id <= 10000;
CREATE TABLE items1k AS SELECT * FROM items100k WHERE id <= 1000;
CREATE TABLE queries AS
SELECT qid, v AS q FROM items100k JOIN generate_series(1, 50) qid ON id = qid * 1999;
VACUUM ANALYZE;
