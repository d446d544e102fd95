-- sparsetensor: text and binary I/O, typmod, casts, distances, norms,
-- order, hashing and their errors (docs/SQL.md, "sparsetensor").
\set VERBOSITY sqlstate

-- text input: positions 1-based, any order (sorted on input), zeros dropped
SELECT v::sparsetensor AS parsed
FROM (VALUES ('{1:1.5,3:2}/5'), (' { 3 : 2 , 1 : 1.5 } / 5 '), ('{1:0,2:-0,3:7}/3'),
             ('{}/1'), ('{ }/3'), ('{1000000000:1}/1000000000'), ('{2:1.5e-45}/2'),
             ('{1:+2,2:-.5,3:1e2,4:3.4028235e38}/4'), ('{+1:1}/+1')) AS t(v);

-- malformed text: 22P02
SELECT '1:1}/2'::sparsetensor;
SELECT '{1:1/2'::sparsetensor;
SELECT '{1:1}'::sparsetensor;
SELECT '{1:1}/'::sparsetensor;
SELECT '{1:1}/2 x'::sparsetensor;
SELECT '{1:1,,2:1}/2'::sparsetensor;
SELECT '{1 2:1}/2'::sparsetensor;
SELECT '{1:NaN}/1'::sparsetensor;
SELECT '{1:-Infinity}/1'::sparsetensor;
SELECT '{1:inf}/1'::sparsetensor;
SELECT '{1:0x10}/1'::sparsetensor;
SELECT '[1,2]'::sparsetensor;
-- a number beyond float4 (either way): 22003
SELECT '{1:1e39}/1'::sparsetensor;
SELECT '{1:1e-50}/1'::sparsetensor;
-- positions and dimension: 22000, or 54000 beyond the limit
SELECT '{0:1}/2'::sparsetensor;
SELECT '{3:1}/2'::sparsetensor;
SELECT '{-1:1}/2'::sparsetensor;
SELECT '{99999999999999999999:1}/2'::sparsetensor;
SELECT '{1:1,1:2}/2'::sparsetensor;
SELECT '{2:1,1:1,2:3}/2'::sparsetensor;
SELECT '{1:0,1:0}/2'::sparsetensor;
SELECT '{}/0'::sparsetensor;
SELECT '{}/1000000001'::sparsetensor;
SELECT '{}/99999999999999999999999'::sparsetensor;
\set VERBOSITY default
SELECT '{1:1,1:2}/2'::sparsetensor;
SELECT '{1:1}/2 x'::sparsetensor;
\set VERBOSITY sqlstate

-- typmod
CREATE TEMP TABLE sp (id int, v sparsetensor(4));
SELECT format_type(atttypid, atttypmod) AS column_type FROM pg_attribute
WHERE attrelid = 'sp'::regclass AND attname = 'v';
INSERT INTO sp VALUES (1, '{1:1,4:-2}/4'), (2, '{}/4'), (3, NULL);
INSERT INTO sp VALUES (4, '{1:1}/3');
INSERT INTO sp VALUES (4, '[1,0,0,0]'::tensor);
INSERT INTO sp VALUES (5, ARRAY[0,0,3,0]);
INSERT INTO sp VALUES (6, ARRAY[0,0,3]);
SELECT id, v FROM sp ORDER BY id;
SELECT '{}/3'::sparsetensor(3), '{1:1}/3'::sparsetensor(3)::sparsetensor;
SELECT '{}/3'::sparsetensor(4);
SELECT '{}/3'::sparsetensor(3, 3);
SELECT '{}/3'::sparsetensor(0);
SELECT '{}/3'::sparsetensor(1000000001);
SELECT format_type('sparsetensor'::regtype, 7), format_type('sparsetensor'::regtype, -1);

-- casts: tensor and halftensor (implicit to sparsetensor, assignment back), arrays
SELECT '[0,1.5,0,-2]'::tensor::sparsetensor, '[0,0]'::tensor::sparsetensor,
       '{2:1.5,4:-2}/4'::sparsetensor::tensor, '{}/2'::sparsetensor::tensor(2);
SELECT '[0,1.5,0,-2]'::halftensor::sparsetensor, '{2:1.5,4:-2}/4'::sparsetensor::halftensor(4);
SELECT '{1:1e-8,2:1}/2'::sparsetensor::halftensor;
SELECT '{1:70000}/1'::sparsetensor::halftensor;
SELECT '{1:1}/134217729'::sparsetensor::tensor;
SELECT '[[1,0],[0,2]]'::tensor::sparsetensor;
SELECT '5'::tensor::sparsetensor;
SELECT '[]'::tensor::sparsetensor;
SELECT '[1,0]'::tensor::sparsetensor(3);
SELECT ARRAY[0,2]::sparsetensor, ARRAY[0.5,0]::numeric[]::sparsetensor,
       ARRAY[0,1e-3]::float8[]::sparsetensor, '{0,-3}'::real[]::sparsetensor(2);
SELECT ARRAY[1,NULL]::int[]::sparsetensor;
SELECT ARRAY[[1,2]]::int[]::sparsetensor;
SELECT '{}'::real[]::sparsetensor;
SELECT ARRAY[1e39]::float8[]::sparsetensor;
SELECT castcontext, castsource::regtype, casttarget::regtype FROM pg_cast
WHERE castsource = 'sparsetensor'::regtype OR casttarget = 'sparsetensor'::regtype
ORDER BY 2::text, 3::text;
-- a sparse distance is the dense distance
SELECT a, b,
       l2_distance(a, b) = l2_distance(a::tensor, b::tensor) AS l2,
       l2_squared_distance(a, b) = l2_squared_distance(a::tensor, b::tensor) AS l2sq,
       inner_product(a, b) = inner_product(a::tensor, b::tensor) AS ip,
       negative_inner_product(a, b) = negative_inner_product(a::tensor, b::tensor) AS nip,
       l1_distance(a, b) = l1_distance(a::tensor, b::tensor) AS l1,
       cosine_distance(a, b) IS NOT DISTINCT FROM cosine_distance(a::tensor, b::tensor) AS cos,
       l2_norm(a) = l2_norm(a::tensor) AS norm,
       l2_normalize(a)::tensor = l2_normalize(a::tensor) AS normalize
FROM (VALUES ('{1:1,3:3,5:5}/6'::sparsetensor, '{2:4,3:6,6:8}/6'::sparsetensor),
             ('{}/6', '{1:-1,6:2}/6'), ('{2:0.5}/6', '{}/6'), ('{6:3}/6', '{6:3}/6'),
             ('{1:1,2:2,3:3,4:4,5:5,6:6}/6', '{1:-6,2:5,3:-4,4:3,5:-2,6:1}/6')) AS t(a, b)
ORDER BY a, b;

-- distances, operators, norms
SELECT '{1:3}/2'::sparsetensor <-> '{2:4}/2', '{1:1,2:2}/2'::sparsetensor <#> '{1:3,2:4}/2',
       '{1:1}/2'::sparsetensor <=> '{1:2}/2', '{1:1}/2'::sparsetensor <+> '{2:-4}/2';
SELECT l2_norm('{1:3,2:4}/2'::sparsetensor), l2_norm('{}/2'::sparsetensor), l2_norm('{1:3e38,2:3e38}/2'::sparsetensor);
SELECT l2_normalize('{1:3,3:4}/3'::sparsetensor), l2_normalize('{}/3'::sparsetensor), l2_normalize('{1:3e38,2:1e-30}/2'::sparsetensor);
SELECT cosine_distance('{1:1}/2'::sparsetensor, '{}/2') IS NULL AS zero_is_null;
SELECT cosine_distance('{1:1e-30}/2'::sparsetensor, '{1:2e-30}/2') AS tiny_redone_in_double;
-- dimension mismatch: 22000, as for tensor shapes
SELECT l2_distance('{1:1}/2'::sparsetensor, '{1:1}/3');
SELECT l2_squared_distance('{1:1}/2'::sparsetensor, '{1:1}/3');
SELECT inner_product('{1:1}/2'::sparsetensor, '{1:1}/3');
SELECT negative_inner_product('{1:1}/2'::sparsetensor, '{1:1}/3');
SELECT cosine_distance('{1:1}/2'::sparsetensor, '{1:1}/3');
SELECT l1_distance('{1:1}/2'::sparsetensor, '{1:1}/3');
SELECT '{1:1}/2'::sparsetensor <-> '{1:1}/3';
-- overflow: 22003
SELECT l2_distance('{1:3e38}/2'::sparsetensor, '{1:-3e38}/2');
SELECT l2_squared_distance('{1:3e38}/2'::sparsetensor, '{2:3e38}/2');
SELECT inner_product('{1:3e38}/2'::sparsetensor, '{1:3e38}/2');
SELECT negative_inner_product('{1:3e38}/2'::sparsetensor, '{1:3e38}/2');
SELECT l1_distance('{1:3e38,2:3e38}/2'::sparsetensor, '{1:-3e38}/2');
\set VERBOSITY default
SELECT l2_distance('{1:1}/2'::sparsetensor, '{1:1}/3');
\set VERBOSITY sqlstate

-- order: the dense vectors element by element, then the shorter first
SELECT v, sparsetensor_cmp(v, '{2:1}/3') AS cmp, sparsevec_cmp(v, '{2:1}/3') AS pgvector_name,
       v < '{2:1}/3' AS lt, v <= '{2:1}/3' AS le, v = '{2:1}/3' AS eq,
       v <> '{2:1}/3' AS ne, v >= '{2:1}/3' AS ge, v > '{2:1}/3' AS gt
FROM (VALUES ('{2:1}/3'::sparsetensor), ('{}/3'), ('{1:-1}/3'), ('{1:1}/3'), ('{2:1,3:-1}/3'),
             ('{2:1,3:1}/3'), ('{2:1}/2'), ('{2:1}/4'), ('{2:2}/2'), ('{3:1}/3'), ('{}/1'),
             ('{2:1,4:-1}/4')) AS t(v)
ORDER BY v;
-- the same order as tensor's on the dense values of one dimension
SELECT bool_and(sign(sparsetensor_cmp(a, b)) = sign(tensor_cmp(a::tensor, b::tensor))) AS same_order
FROM (VALUES ('{}/3'::sparsetensor), ('{1:-1}/3'), ('{1:1}/3'), ('{2:1,3:-1}/3'), ('{3:2}/3'),
             ('{1:1,2:1,3:1}/3'), ('{3:-2}/3')) AS x(a),
     (VALUES ('{}/3'::sparsetensor), ('{1:-1}/3'), ('{1:1}/3'), ('{2:1,3:-1}/3'), ('{3:2}/3'),
             ('{1:1,2:1,3:1}/3'), ('{3:-2}/3')) AS y(b);

-- btree and hash indexes, hash joins, DISTINCT
CREATE TEMP TABLE sidx (id int, v sparsetensor);
INSERT INTO sidx SELECT i, ('{' || (i % 5) + 1 || ':' || (i % 3) + 1 || '}/5')::sparsetensor
FROM generate_series(1, 60) i;
CREATE INDEX ON sidx USING btree (v);
CREATE INDEX sidx_hash ON sidx USING hash (v);
SET enable_seqscan = off;
SELECT count(*) FROM sidx WHERE v = '{2:2}/5';
SET enable_bitmapscan = off;
SELECT count(*) FROM sidx WHERE v = '{2:2}/5';
RESET enable_bitmapscan;
RESET enable_seqscan;
SELECT v, count(*) FROM sidx GROUP BY v ORDER BY v LIMIT 4;
SET enable_mergejoin = off;
SELECT count(*) FROM sidx a JOIN sidx b ON a.v = b.v;
RESET enable_mergejoin;
SELECT sparsetensor_hash('{1:1}/2') = sparsetensor_hash('{1:1,2:0}/2') AS equal_hash,
       sparsetensor_hash_extended('{1:1}/2', 7) = sparsetensor_hash_extended('[1,0]'::tensor, 7) AS equal_hash_extended,
       sparsetensor_hash('{1:1}/2') <> sparsetensor_hash('{1:1}/3') AS dims_hashed;

-- binary: int32 dim, int32 nnz, int32 flags 0, int32 indices (0-based), float4 values
SELECT sparsetensor_send('{1:1.5,3:-2}/5'), sparsetensor_send('{}/1');
CREATE TEMP TABLE sio_src (id int, v sparsetensor);
INSERT INTO sio_src VALUES (1, '{1:1.5,3:-2}/5'), (2, '{}/1'), (3, NULL),
    (4, '{1000000000:1e-45}/1000000000');
SELECT '/tmp/linal_regress_sparse_' || pg_backend_pid() || '.copy' AS copy_file \gset
COPY sio_src TO :'copy_file' WITH (FORMAT binary);
CREATE TEMP TABLE sio_dst (id int, v sparsetensor);
COPY sio_dst FROM :'copy_file' WITH (FORMAT binary);
SELECT s.id, s.v, d.v AS copied, sparsetensor_send(s.v) IS NOT DISTINCT FROM sparsetensor_send(d.v) AS same_bytes
FROM sio_src s JOIN sio_dst d USING (id) ORDER BY id;

-- receive refuses malformed messages (one-row COPY BINARY files)
CREATE FUNCTION pg_temp.binary_copy_file(payload bytea) RETURNS bytea
LANGUAGE sql AS $$
    SELECT '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
        || '\x0001'::bytea || int4send(length(payload)) || payload
        || '\xffff'::bytea
$$;
CREATE FUNCTION pg_temp.receive(payload bytea, path text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    lo oid := lo_from_bytea(0, pg_temp.binary_copy_file(payload));
    result text;
BEGIN
    PERFORM lo_export(lo, path);
    PERFORM lo_unlink(lo);
    TRUNCATE sio_dst;
    EXECUTE format('COPY sio_dst (v) FROM %L WITH (FORMAT binary)', path);
    SELECT v::text INTO result FROM sio_dst;
    RETURN 'ok: ' || result;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
SELECT label, pg_temp.receive(payload, :'copy_file') AS result
FROM (VALUES
    ('valid',               '\x00000005000000020000000000000000000000023fc00000c0000000'::bytea),
    ('valid empty',         '\x000000010000000000000000'),
    ('empty message',       '\x'),
    ('short header',        '\x0000000500000001'),
    ('dim 0',               '\x000000000000000000000000'),
    ('negative dim',        '\xffffffff0000000000000000'),
    ('dim over the limit',  '\x3b9aca010000000000000000'),
    ('negative nnz',        '\x00000005ffffffff00000000'),
    ('nnz above dim',       '\x000000020000000300000000'),
    ('nnz over the limit',  '\x3b9aca000200000100000000'),
    ('flags set',           '\x000000050000000000000001'),
    ('missing data',        '\x00000005000000020000000000000000000000023fc00000'),
    ('extra data',          '\x000000050000000100000000000000003fc0000000'),
    ('index negative',      '\x000000050000000100000000ffffffff3fc00000'),
    ('index = dim',         '\x000000050000000100000000000000053fc00000'),
    ('indices unsorted',    '\x00000005000000020000000000000002000000003fc00000c0000000'),
    ('indices repeated',    '\x00000005000000020000000000000002000000023fc00000c0000000'),
    ('zero value',          '\x0000000500000001000000000000000100000000'),
    ('negative zero value', '\x0000000500000001000000000000000180000000'),
    ('NaN value',           '\x00000005000000010000000000000001ffc00000'),
    ('Infinity value',      '\x000000050000000100000000000000017f800000')
) AS m(label, payload);

-- every reader checks the header against the size: a cast WITHOUT FUNCTION
-- (which only a superuser can create) is refused as corrupted data (XX001)
CREATE CAST (bytea AS sparsetensor) WITHOUT FUNCTION;
-- the stored form is in the machine's byte order (little-endian here)
SELECT '\x05000000010000000000000000000000'::bytea::sparsetensor;
SELECT l2_norm('\x050000000500000000000000'::bytea::sparsetensor);
SELECT '\x00000000000000000000000000000000'::bytea::sparsetensor;
DROP CAST (bytea AS sparsetensor);

-- large values: 16001 non-zero elements, and a dimension beyond tensor's limit
SELECT l2_norm(array_agg(1)::sparsetensor) AS norm_of_16001_ones FROM generate_series(1, 16001);
SELECT length(sparsetensor_send(('{1:1,999999999:2}/1000000000')::sparsetensor)) AS bytes;
SELECT l2_distance('{1:1,999999999:2}/1000000000'::sparsetensor, '{999999999:-2}/1000000000');
