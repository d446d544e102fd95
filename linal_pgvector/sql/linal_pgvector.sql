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

-- halfvec <-> halftensor: the same float16 bits both ways.
SELECT castsource::regtype, casttarget::regtype, castcontext, castmethod
FROM pg_cast WHERE castsource = 'halftensor'::regtype AND casttarget = 'halfvec'::regtype
   OR castsource = 'halfvec'::regtype AND casttarget = 'halftensor'::regtype ORDER BY 1;
SELECT h::halftensor AS t, h::halftensor::halfvec = h AS same, h::halftensor::real[] = h::real[] AS same_elements
FROM (VALUES ('[0.1,-65504,6e-8,3]'::halfvec), ('[1]'::halfvec)) AS x(h) ORDER BY 2;
SELECT '[1,2,3]'::halfvec::halftensor(3), '[1,2,3]'::halftensor::halfvec(3);
SELECT '[1,2,3]'::halfvec::halftensor(2);
SELECT '[1,2]'::halftensor::halfvec(3);
SELECT NULL::halfvec::halftensor IS NULL AS null_to_null, NULL::halftensor::halfvec IS NULL AS null_back;
\set VERBOSITY sqlstate
SELECT '[[1,2],[3,4]]'::halftensor::halfvec;
SELECT '[]'::halftensor::halfvec;
SELECT array_fill(1, ARRAY[16001])::halftensor::halfvec;
\set VERBOSITY default
SELECT '[[1,2],[3,4]]'::halftensor::halfvec;
SELECT flatten('[[1,2],[3,4]]'::halftensor::tensor)::halftensor::halfvec;
SELECT array_fill(1, ARRAY[16001])::halftensor::halfvec;
SELECT vector_dims(array_fill(1, ARRAY[16000])::halftensor::halfvec) AS max_dims;
SELECT '[1,2]'::halfvec <-> '[1,2]'::halftensor;
-- no direct cast across element types: go through the type of the same family
SELECT '[1,2]'::halfvec::tensor;
SELECT '[1,2]'::halfvec::halftensor::tensor AS widened, '[1,2]'::vector::tensor::halftensor AS rounded;
CREATE TABLE hitems (id integer, embedding halfvec(3));
INSERT INTO hitems VALUES (1, '[1,2,3]'), (2, NULL), (3, '[0.5,-0.25,65504]');
ALTER TABLE hitems ALTER COLUMN embedding TYPE halftensor(3);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'hitems'::regclass AND attname = 'embedding';
SELECT * FROM hitems ORDER BY id;
ALTER TABLE hitems ALTER COLUMN embedding TYPE halfvec(3);
SELECT * FROM hitems ORDER BY id;
DROP TABLE hitems;

-- bit: both extensions define hamming_distance, jaccard_distance, <~> and
-- <%> on bit; the search path picks linal's, the schema pgvector's.
SELECT hamming_distance('1010'::bit(4), '0110'), pgvector.hamming_distance('1010'::bit(4), '0110'),
       '1010'::bit(4) <%> '0110', '1010'::bit(4) OPERATOR(pgvector.<%>) '0110';
SELECT e.extname, o.oid::regoperator, o.oprcode::regprocedure
FROM pg_operator o JOIN pg_depend d ON d.objid = o.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid
WHERE o.oprname IN ('<~>', '<%>') AND o.oprleft = 'bit'::regtype ORDER BY 1, o.oprname;
SELECT e.extname AS unqualified_names_are FROM pg_extension e
JOIN pg_depend d ON d.refobjid = e.oid AND d.deptype = 'e'
WHERE d.objid IN ('hamming_distance(bit,bit)'::regprocedure, 'jaccard_distance(bit,bit)'::regprocedure,
                  '<~>(bit,bit)'::regoperator, '<%>(bit,bit)'::regoperator)
GROUP BY 1;

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
