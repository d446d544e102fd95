-- linal_pgvector: pgvector beside linal in one database, and columns
-- converted in place between vector and tensor.  pg_regress has created
-- linal in public.

-- Both extensions in one schema collide (array_to_vector(...) exists in
-- both), whichever is created first.
\set VERBOSITY sqlstate
CREATE EXTENSION vector;
DROP EXTENSION linal;
CREATE EXTENSION vector;
CREATE EXTENSION linal;
DROP EXTENSION vector;
CREATE EXTENSION linal;
\set VERBOSITY default

-- The supported way: pgvector in a schema of its own, on the search path
-- after public, so a name both define resolves to linal's.
CREATE SCHEMA pgvector;
CREATE EXTENSION vector SCHEMA pgvector;
CREATE EXTENSION linal_pgvector;
SET search_path = public, pgvector;
SELECT pg_typeof(array_to_vector('{1,2}'::real[], -1, true)) AS unqualified,
       pg_typeof(pgvector.array_to_vector('{1,2}'::real[], -1, true)) AS qualified;
SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname IN ('linal', 'vector', 'linal_pgvector') ORDER BY 1;
SELECT castsource::regtype, casttarget::regtype, castcontext, castmethod
FROM pg_cast WHERE castsource = 'tensor'::regtype AND casttarget = 'vector'::regtype
   OR castsource = 'vector'::regtype AND casttarget = 'tensor'::regtype ORDER BY 1;

-- The elements survive both ways bit for bit.
SELECT v::tensor AS t, v::tensor::vector = v AS same, v::tensor::real[] = v::real[] AS same_elements
FROM (VALUES ('[0.1,-3.4e38,1e-38,3]'::vector), ('[1]'::vector)) AS x(v) ORDER BY 2;

-- The typmod is the target type's: applied after the cast.
SELECT '[1,2,3]'::vector::tensor(3), '[1,2,3]'::tensor::vector(3);
SELECT '[1,2,3]'::vector::tensor(2);
SELECT '[1,2,3]'::vector::tensor(3,1);
SELECT '[1,2]'::tensor::vector(3);
SELECT NULL::vector::tensor IS NULL AS null_to_null, NULL::tensor::vector IS NULL AS null_back;

-- What a vector cannot hold: rank other than 1, no elements, over 16000.
\set VERBOSITY sqlstate
SELECT '[[1,2],[3,4]]'::tensor::vector;
SELECT '5'::tensor::vector;
SELECT '[]'::tensor::vector;
SELECT array_fill(1, ARRAY[16001])::tensor::vector;
\set VERBOSITY default
SELECT '[[1,2],[3,4]]'::tensor::vector;
SELECT '[]'::tensor::vector;
SELECT array_fill(1, ARRAY[16001])::tensor::vector;
SELECT vector_dims(array_fill(1, ARRAY[16000])::tensor::vector) AS max_dims;
SELECT numel(array_fill(2, ARRAY[16000])::vector::tensor) AS max_numel;

-- Assignment casts do not take part in operator resolution: mixing the two
-- types is an error, not a silent pick of one library's operator.
SELECT '[1,2,3]'::vector <-> '[1,2,3]'::tensor;

-- A pgvector table converted in place, NULLs included, and back.
CREATE TABLE items (id integer PRIMARY KEY, embedding vector(3));
INSERT INTO items VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0,0,1]'), (4, NULL), (5, '[1,1,0]');
CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);
-- a pgvector index must go first: its operator class does not take tensors
ALTER TABLE items ALTER COLUMN embedding TYPE tensor(3) USING embedding::tensor(3);
DROP INDEX items_embedding_idx;
ALTER TABLE items ALTER COLUMN embedding TYPE tensor(3) USING embedding::tensor(3);
CREATE INDEX items_embedding_idx ON items USING linal_hnsw (embedding tensor_l2_ops) WITH (m = 16, ef_construction = 64);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'embedding';
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '[1,0.1,0]' LIMIT 2;
SELECT id FROM items ORDER BY embedding <-> '[1,0.1,0]' LIMIT 2;
RESET enable_seqscan;
SELECT * FROM items ORDER BY id;
-- and back, without USING (the cast is an assignment cast)
DROP INDEX items_embedding_idx;
ALTER TABLE items ALTER COLUMN embedding TYPE vector(3);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'embedding';
SELECT * FROM items ORDER BY id;

-- INSERT ... SELECT between a vector and a tensor column, both ways.
CREATE TABLE items_t (id integer, embedding tensor(3));
INSERT INTO items_t SELECT id, embedding FROM items;
INSERT INTO items (id, embedding) SELECT id + 10, embedding FROM items_t WHERE id < 3;
SELECT * FROM items_t ORDER BY id;
SELECT * FROM items WHERE id > 10 ORDER BY id;
-- a wrong length fails the target's typmod
INSERT INTO items_t VALUES (9, '[1,2]'::vector);
-- a tensor column that is not 1-d cannot become a vector column
CREATE TABLE grids (g tensor);
INSERT INTO grids VALUES ('[1,2]'), ('[[1,2],[3,4]]');
ALTER TABLE grids ALTER COLUMN g TYPE vector;

-- A stored 16000-dimension vector (toasted) converts like a short one.
CREATE TABLE wide (v vector);
INSERT INTO wide SELECT array_fill(i, ARRAY[16000])::vector FROM generate_series(1, 2) AS i;
SELECT numel(v::tensor), tensor_sum(v::tensor), vector_dims(v::tensor::vector) FROM wide ORDER BY 2;

DROP TABLE items, items_t, grids, wide;
DROP EXTENSION linal_pgvector;

-- Without linal_pgvector, real[] converts both ways.
SELECT '[1,2,3]'::vector::real[]::tensor AS via_array, '[1,2,3]'::tensor::real[]::vector AS back;
DROP EXTENSION vector;
DROP SCHEMA pgvector;
RESET search_path;

-- The other way round works too: linal in a schema of its own, pgvector in
-- public; then the shared names resolve to pgvector's.
DROP EXTENSION linal;
CREATE SCHEMA linal;
CREATE EXTENSION linal SCHEMA linal;
CREATE EXTENSION vector;
CREATE EXTENSION linal_pgvector;
SET search_path = public, linal;
SELECT pg_typeof(array_to_vector('{1,2}'::real[], -1, true)) AS unqualified,
       pg_typeof(linal.array_to_vector('{1,2}'::real[], -1, true)) AS qualified;
CREATE TABLE items (id integer, embedding vector(3));
INSERT INTO items VALUES (1, '[1,2,3]'), (2, '[4,5,6]');
ALTER TABLE items ALTER COLUMN embedding TYPE tensor(3);
CREATE INDEX ON items USING linal_hnsw (embedding tensor_l2_ops);
SET enable_seqscan = off;
SELECT id, embedding FROM items ORDER BY embedding <-> '[3,1,2]' LIMIT 1;
RESET enable_seqscan;
DROP TABLE items;
DROP EXTENSION linal_pgvector;
DROP EXTENSION vector;
DROP EXTENSION linal;
DROP SCHEMA linal;
RESET search_path;
CREATE EXTENSION linal;
