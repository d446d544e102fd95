-- halftensor: float16 storage under pgvector's halfvec names.
\set VERBOSITY sqlstate

-- text form as tensor's, values rounded to the nearest float16 (ties to even)
SELECT '[1,2.5,3]'::halftensor, '[[1,2],[3,4]]'::halftensor, '3.14159'::halftensor, '[]'::halftensor;
SELECT '[[[1],[2]],[[3],[4]]]'::halftensor;
SELECT '[0.1, 1e-8, -0, 2049, 65504, 65519.99, -65504, 6e-8]'::halftensor;
-- out of range, NaN, Infinity, syntax (22003, 22P02)
SELECT '[65520]'::halftensor;
SELECT '[-1e6]'::halftensor;
SELECT '[NaN]'::halftensor;
SELECT '[1,Infinity]'::halftensor;
SELECT '[1,'::halftensor;

-- typmod as tensor's
SELECT '[1,2,3]'::halftensor(3), '[[1,2],[3,4]]'::halftensor(2,2);
SELECT '[1,2]'::halftensor(3);
CREATE TEMP TABLE ht (id int, v halftensor(3));
INSERT INTO ht VALUES (1, '[1,2,3]'), (2, '[0.1,0.2,0.3]'::tensor), (3, ARRAY[4,5,6]),
    (4, ARRAY[0.5,0.25,0.125]::real[]), (5, ARRAY[1.5,-2,3]::numeric[]);
INSERT INTO ht VALUES (6, '[1,2]');
SELECT * FROM ht ORDER BY id;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'ht'::regclass AND attname = 'v';

-- half the bytes of tensor
SELECT pg_column_size('[1,2,3,4,5,6,7,8]'::halftensor) AS half_bytes,
       pg_column_size('[1,2,3,4,5,6,7,8]'::tensor) AS tensor_bytes;

-- casts: tensor <-> halftensor, arrays, and which are implicit
SELECT '[1.1,2,3]'::tensor::halftensor, '[1.1,2,3]'::halftensor::tensor;
SELECT '[1e6]'::tensor::halftensor;
SELECT ARRAY[1,2,3]::halftensor, ARRAY[[1.5,2],[3,4]]::float8[]::halftensor, '[1,2]'::halftensor::real[];
SELECT ARRAY[70000]::halftensor;
SELECT ARRAY[1,NULL]::halftensor;
SELECT '[1,2,3]'::halftensor(3)::tensor(3);
SELECT '[1,2,3]'::tensor::halftensor(2);
SELECT castsource::regtype, casttarget::regtype, castcontext
FROM pg_cast WHERE 'halftensor'::regtype IN (castsource, casttarget)
ORDER BY 1::text, 2::text;

-- distances agree with tensor's on the same values
CREATE TEMP TABLE pairs AS
SELECT i, ARRAY(SELECT sin(i * 7 + j) * 10 FROM generate_series(1, 67) j)::halftensor AS a,
          ARRAY(SELECT cos(i * 3 + j) * 4 FROM generate_series(1, 67) j)::halftensor AS b
FROM generate_series(1, 20) i;
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE a <-> b = a::tensor <-> b::tensor) AS l2_same,
       count(*) FILTER (WHERE a <=> b = a::tensor <=> b::tensor) AS cosine_same,
       count(*) FILTER (WHERE a <#> b = a::tensor <#> b::tensor) AS neg_ip_same,
       count(*) FILTER (WHERE a <+> b = a::tensor <+> b::tensor) AS l1_same,
       count(*) FILTER (WHERE inner_product(a, b) = dot(a::tensor, b::tensor)) AS ip_same,
       count(*) FILTER (WHERE l2_norm(a) = norm(a::tensor)) AS norm_same
FROM pairs;
SELECT round(('[1,2,3]'::halftensor <-> '[3,2,1]')::numeric, 6) AS l2,
       round(('[1,2,3]'::halftensor <=> '[3,2,1]')::numeric, 6) AS cosine,
       '[1,2,3]'::halftensor <#> '[3,2,1]' AS neg_ip,
       '[1,2,3]'::halftensor <+> '[3,2,1]' AS l1,
       inner_product('[1,2,3]'::halftensor, '[3,2,1]') AS ip;
SELECT '[0,0]'::halftensor <=> '[1,2]' AS zero_cosine;
SELECT '[1,2]'::halftensor <-> '[1,2,3]';
-- a tensor operand meets a halftensor column through the implicit cast
SELECT id FROM ht ORDER BY v <-> '[1,1,1]'::tensor, id;

-- pgvector's other halfvec functions
SELECT vector_dims('[1,2,3]'::halftensor), l2_norm('[3,4]'::halftensor), vector_norm('[3,4]'::halftensor);
SELECT vector_dims('[[1,2]]'::halftensor);
SELECT l2_normalize('[3,4]'::halftensor), l2_normalize('[0,0]'::halftensor);
SELECT subvector('[1,2,3,4,5]'::halftensor, 2, 3), subvector('[1,2,3]'::halftensor, 0, 2);
SELECT subvector('[1,2,3]'::halftensor, 5, 2);
SELECT binary_quantize('[1,-2,0,0.001]'::halftensor);
SELECT '[1,2]'::halftensor || '[3]', '[[1,2]]'::halftensor || '[[3,4]]';
SELECT '[1,2]'::halftensor + '[3,4]', '[1,2]'::halftensor - '[3,4.5]', '[1,2]'::halftensor * '[3,4]';
SELECT '[60000]'::halftensor + '[60000]';
SELECT '[1,2]'::halftensor + '[1,2,3]';

-- comparisons, btree and hash
SELECT '[1,2]'::halftensor < '[1,3]', '[1,2]'::halftensor = '[1,2.0001]', '[1,2]'::halftensor <> '[1,2]',
       '[1,2]'::halftensor >= '[1,2]', '[2]'::halftensor > '[1,9]', '[1]'::halftensor <= '[1]';
SELECT halftensor_cmp('[1,2]', '[1,3]'), halftensor_cmp('[0]', '[-0]');
SELECT halftensor_hash('[1,2]') = halftensor_hash('[1,2.0001]') AS same_hash,
       halftensor_hash_extended('[1,2]', 7) = tensor_hash_extended('[1,2]', 7) AS as_tensor;
CREATE INDEX ht_btree ON ht (v);
CREATE INDEX ht_hash ON ht USING hash (v);
SET enable_seqscan = off;
SELECT id FROM ht WHERE v = '[1,2,3]';
RESET enable_seqscan;
SELECT count(DISTINCT v) FROM ht;
SELECT v FROM ht ORDER BY v;

-- sum and avg over rows, NULL rows skipped, result halftensor
CREATE TEMP TABLE hagg (g int, h halftensor);
INSERT INTO hagg VALUES (1, '[1,2]'), (1, '[2,3]'), (1, NULL), (2, '[0.5,0.25]'), (2, '[60000,0]'), (2, '[60000,0]');
SELECT g, sum(h) FILTER (WHERE g = 1), avg(h), pg_typeof(avg(h)) FROM hagg GROUP BY g ORDER BY g;
SELECT sum(h) FROM hagg WHERE g = 2;
SELECT avg(h) = avg(h::tensor)::halftensor AS avg_as_tensor FROM hagg WHERE g = 1;

-- binary: int16 rank, int16 element type 1, int32 dims, uint16 data (big-endian)
SELECT halftensor_send('[[1,2],[3,4]]'), halftensor_send('2.5'), halftensor_send('[]');
CREATE TEMP TABLE hio_src (id int, t halftensor);
INSERT INTO hio_src VALUES (1, '[1,2,3]'), (2, '[[1.5,-2],[0,6e-8]]'), (3, '7'), (4, '[]'),
    (5, '[[[1]],[[2]]]'), (6, NULL), (7, '[-0,65504]');
SELECT '/tmp/linal_regress_half_' || pg_backend_pid() || '.copy' AS copy_file \gset
COPY hio_src TO :'copy_file' WITH (FORMAT binary);
CREATE TEMP TABLE hio_dst (id int, t halftensor);
COPY hio_dst FROM :'copy_file' WITH (FORMAT binary);
SELECT s.id, s.t, d.t AS copied, halftensor_send(s.t) IS NOT DISTINCT FROM halftensor_send(d.t) AS same_bytes
FROM hio_src s JOIN hio_dst d USING (id) ORDER BY id;

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
    TRUNCATE hio_dst;
    EXECUTE format('COPY hio_dst (t) FROM %L WITH (FORMAT binary)', path);
    SELECT t::text INTO result FROM hio_dst;
    RETURN 'ok: ' || result;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
SELECT label, pg_temp.receive(payload, :'copy_file') AS result
FROM (VALUES
    ('valid vector',        '\x00010001000000023c00c000'::bytea),
    ('valid scalar',        '\x000000013c00'),
    ('empty message',       '\x'),
    ('short header',        '\x0001'),
    ('negative rank',       '\xffff0001'),
    ('rank 9',              '\x00090001'),
    ('float4 element type', '\x00010000000000013f800000'),
    ('truncated dims',      '\x0002000100000002'),
    ('negative dim',        '\x00010001ffffffff'),
    ('huge dim',            '\x000100017fffffff'),
    ('missing data',        '\x00010001000000023c00'),
    ('extra data',          '\x00010001000000013c003c00'),
    ('NaN element',         '\x00010001000000017e00'),
    ('Infinity element',    '\x0001000100000001fc00')
) AS m(label, payload);

-- every reader checks the element type: a cast WITHOUT FUNCTION (which
-- only a superuser can create) is the one SQL path that hands a halftensor
-- value to tensor code, or a tensor to halftensor code; both are refused
-- as corrupted data (XX001) instead of being misread
CREATE CAST (halftensor AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS tensor) WITHOUT FUNCTION;
CREATE CAST (tensor AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS halftensor) WITHOUT FUNCTION;
SELECT '[1,2]'::halftensor::bytea::tensor;
SELECT l2_distance('[1,2]'::halftensor::bytea::tensor, '[1,2]'::tensor);
SELECT vector_dims('[1,2]'::halftensor::bytea::tensor);
SELECT '[1,2]'::tensor::bytea::halftensor;
-- a size that does not match the header
SELECT '\x0101000002000000003c'::bytea::halftensor;
SELECT '\x0000000003000000000080'::bytea::tensor;
\set VERBOSITY default
SELECT '[1,2]'::halftensor::bytea::tensor;
\set VERBOSITY sqlstate
DROP CAST (halftensor AS bytea);
DROP CAST (bytea AS tensor);
DROP CAST (tensor AS bytea);
DROP CAST (bytea AS halftensor);
