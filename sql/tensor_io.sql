-- Text and binary input/output of tensor.

-- every rank from 0 to 8
SELECT '3.5'::tensor AS rank0,
       '[1,2,3]'::tensor AS rank1,
       '[[1,2],[3,4]]'::tensor AS rank2,
       '[[[1],[2]],[[3],[4]]]'::tensor AS rank3;
SELECT '[[[[[[[[7]]]]]]]]'::tensor AS rank8, ndim('[[[[[[[[7]]]]]]]]'::tensor);

-- empty tensors have a shape too
SELECT '[]'::tensor AS empty1, shape('[]'::tensor);
SELECT '[[],[],[]]'::tensor AS empty2, shape('[[],[],[]]'::tensor);
SELECT '[[[]]]'::tensor AS empty3, shape('[[[]]]'::tensor);

-- whitespace anywhere between tokens
SELECT E' \t[ [ 1 ,\n2 ] , [3,4 ]\r]\f '::tensor;
SELECT ' 42 '::tensor;

-- number forms: signs, decimals, exponents
SELECT '[+1, -2, 0.5, .25, 3., 1e3, 1E-3, -2.5e+2, 007]'::tensor;

-- the extremes of float4 survive; -0 stays -0
SELECT '[3.4028235e38, -3.4028235e38, 1.1754944e-38, 1e-45, -0, 0]'::tensor;

-- output is the shortest text that reads back to the same float
SELECT '[0.1, 0.2, 0.30000001, 1.0000001, 16777216, 123456789]'::tensor;
SELECT '[3.14159265358979]'::tensor;

-- text round trip is exact on 10000 pseudo-random floats of every magnitude
SELECT setseed(0.42);
CREATE TEMP TABLE io_floats AS
    SELECT ((random() - 0.5) * 10 ^ (random() * 60 - 30))::real AS x
    FROM generate_series(1, 10000);
SELECT count(*) AS mismatches
FROM (SELECT array_agg(x) AS xs FROM io_floats) s,
     LATERAL (SELECT s.xs::tensor AS t) tt
WHERE tt.t::text::tensor <> tt.t
   OR tt.t::real[] <> s.xs;
SELECT count(*) AS single_value_mismatches
FROM io_floats
WHERE (x::text::tensor)::real[] <> ARRAY[x]
   OR (ARRAY[x]::tensor)::text::tensor <> ARRAY[x]::tensor;

-- binary form: int16 rank, int16 element type, int32 dims, float4 data (big-endian)
SELECT tensor_send('[[1,2],[3,4]]');
SELECT tensor_send('2.5');
SELECT tensor_send('[]');

-- binary round trip through COPY BINARY
CREATE TEMP TABLE io_src (id int, t tensor);
INSERT INTO io_src VALUES
    (1, '[1,2,3]'), (2, '[[1.5,-2],[0,1e-45]]'), (3, '7'), (4, '[]'),
    (5, '[[[1]],[[2]]]'), (6, NULL), (7, '[-0]');
SELECT '/tmp/linal_regress_io_' || pg_backend_pid() || '.copy' AS copy_file \gset
COPY io_src TO :'copy_file' WITH (FORMAT binary);
CREATE TEMP TABLE io_dst (id int, t tensor);
COPY io_dst FROM :'copy_file' WITH (FORMAT binary);
SELECT s.id, s.t, d.t AS copied, s.t IS NOT DISTINCT FROM d.t AS same,
       tensor_send(s.t) IS NOT DISTINCT FROM tensor_send(d.t) AS same_bytes
FROM io_src s JOIN io_dst d USING (id) ORDER BY id;

-- receive refuses malformed messages: build a one-row COPY BINARY file
-- around a payload and load it
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
    TRUNCATE io_dst;
    EXECUTE format('COPY io_dst (t) FROM %L WITH (FORMAT binary)', path);
    SELECT t::text INTO result FROM io_dst;
    RETURN 'ok: ' || result;
EXCEPTION WHEN OTHERS THEN
    DECLARE
        detail text;
    BEGIN
        GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
        RETURN SQLSTATE || ': ' || SQLERRM || ' | ' || detail;
    END;
END
$$;
SELECT label, pg_temp.receive(payload, :'copy_file') AS result
FROM (VALUES
    ('valid vector',        '\x000100000000000240400000c0000000'::bytea),
    ('valid scalar',        '\x000000003f800000'),
    ('empty message',       '\x'),
    ('short header',        '\x0001'),
    ('negative rank',       '\xffff0000'),
    ('rank 9',              '\x00090000'),
    ('unknown element type','\x000100070000000140000000'),
    ('truncated dims',      '\x0002000000000002'),
    ('negative dim',        '\x00010000ffffffff'),
    ('huge dim',            '\x000100007fffffff'),
    ('huge shape',          '\x0002000000010000000100003f800000'),
    ('missing data',        '\x00010000000000023f800000'),
    ('extra data',          '\x00010000000000013f8000003f800000'),
    ('NaN element',         '\x00010000000000017fc00000'),
    ('Infinity element',    '\x0001000000000001ff800000'),
    ('dims after a zero',   '\x00020000000000000000000a')
) AS m(label, payload);
-- canonical empty shapes: nothing follows a zero dimension, because the
-- text form cannot show it ((0,10) would print as [])
SELECT shape(t), t FROM io_dst;

-- remove the scratch file (the program reads its input: a program that exits
-- before COPY writes gets a broken pipe)
SELECT format('cat >/dev/null; rm -f %s', :'copy_file') AS rm_command \gset
COPY (SELECT) TO PROGRAM :'rm_command';
