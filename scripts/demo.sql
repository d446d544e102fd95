-- The demo database: a few tables to try linal on (run by scripts/demo.sh).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS linal;

DROP TABLE IF EXISTS demo_items;
CREATE TABLE demo_items (
    id        int PRIMARY KEY,
    category  int NOT NULL,
    embedding tensor(3) NOT NULL
);
-- 1000 points around three centres, deterministic
\o /dev/null
SELECT setseed(0.5);
\o
INSERT INTO demo_items
SELECT i, i % 3,
       ARRAY[(i % 3) * 10 + random(), (i % 3) * -5 + random(), random()]::real[]
FROM generate_series(1, 1000) i;

\echo
\echo 'demo_items: 1000 rows of tensor(3) embeddings in three categories.'
\echo 'Try:'
\echo '  SELECT id, embedding FROM demo_items ORDER BY id LIMIT 3;'
\echo '  SELECT shape(''[[1,2,3],[4,5,6]]''::tensor), ''[[1,2],[3,4]]''::tensor::real[];'
\echo '  SELECT embedding::jsonb FROM demo_items WHERE id = 1;'
\echo
SELECT id, category, embedding FROM demo_items ORDER BY id LIMIT 3;
