-- pgvector's bit-vector distances on PostgreSQL's bit type (docs/SQL.md,
-- "Bit vectors"): hamming_distance / <~> and jaccard_distance / <%>.

-- values: 1010 vs 0110 differ in 2 places; 1110 and 0110 share 2 of 3 set bits
SELECT hamming_distance(B'1010', B'0110'), B'1010' <~> B'0110' AS op,
       jaccard_distance(B'1110', B'0110'), B'1110' <%> B'0110' AS op,
       pg_typeof(B'1' <~> B'1'), pg_typeof(B'1' <%> B'1');
SELECT B'11111111' <~> B'00000000' AS all_differ, B'10110' <~> B'10110' AS same,
       B'10110' <%> B'10110' AS same_jaccard, B'1100' <%> B'0011' AS disjoint;
-- no common set bit is distance 1, also for two all-zero strings (0/0), as in pgvector
SELECT B'000' <%> B'000' AS zeros, B'000' <%> B'100' AS one_zero, B'000' <~> B'000' AS zeros_hamming;
-- empty bit strings: nothing differs, nothing is shared
SELECT B'' <~> B'' AS hamming_empty, B'' <%> B'' AS jaccard_empty;
-- bit varying converts to bit
SELECT '101'::varbit <~> '111'::varbit, B'101' <%> '111'::varbit;

-- NULLs (STRICT)
SELECT hamming_distance(NULL, B'1') IS NULL AS a, jaccard_distance(B'1', NULL) IS NULL AS b,
       (NULL::bit <~> B'1') IS NULL AS c, (B'1' <%> NULL::bit) IS NULL AS d;

-- different lengths: 22026, the code PostgreSQL's own & | # use for that
\set VERBOSITY sqlstate
SELECT B'101' <~> B'10';
SELECT B'101' <%> B'1010';
SELECT B'101' & B'10';
\set VERBOSITY default
SELECT hamming_distance(B'101', B'');
SELECT jaccard_distance(B'', B'1');

-- long vectors: 4096 bits with 1000 differences, 100000 bits stored (and compressed) in a table
SELECT (repeat('1', 1000) || repeat('0', 3096))::bit(4096) <~> repeat('0', 4096)::bit(4096) AS h4096,
       (repeat('1', 1000) || repeat('0', 3096))::bit(4096) <%> repeat('1', 4096)::bit(4096) AS j4096;
CREATE TABLE bd_long (id int, v bit(100000));
INSERT INTO bd_long VALUES (1, repeat('10', 50000)::bit(100000)), (2, repeat('1100', 25000)::bit(100000));
SELECT a.v <~> b.v AS hamming, a.v <%> b.v AS jaccard
FROM bd_long a, bd_long b WHERE a.id = 1 AND b.id = 2;
DROP TABLE bd_long;

-- agreement with a plain SQL count over generate_series, for lengths around
-- every SIMD width (bytes, 8-byte words, 32- and 64-byte registers, the AVX2
-- 31-register block) and densities from all zero to all one, under every ISA
CREATE TABLE bd_rows (len int, id int, v bit varying);
INSERT INTO bd_rows
SELECT len, id,
       CASE WHEN len = 0 THEN B''::varbit
       ELSE (SELECT string_agg(CASE
                 WHEN id = 0 THEN '0'
                 WHEN id = 1 THEN '1'
                 WHEN (i * 31 + id * 17 + (i * i) % 13) % (id + 1) < 2 THEN '1'
                 ELSE '0' END, '' ORDER BY i)
             FROM generate_series(0, len - 1) i)::varbit END
FROM unnest(ARRAY[0, 1, 7, 8, 9, 63, 64, 65, 255, 256, 257, 511, 512, 513, 1000, 4096, 7937, 8192]) len,
     generate_series(0, 5) id;
CREATE TABLE bd_ref AS
SELECT a.len, a.id AS ida, b.id AS idb, a.v AS va, b.v AS vb,
       (SELECT count(*) FROM generate_series(0, a.len - 1) i
        WHERE get_bit(a.v, i) <> get_bit(b.v, i))::float8 AS hamming,
       (SELECT count(*) FROM generate_series(0, a.len - 1) i
        WHERE get_bit(a.v, i) = 1 AND get_bit(b.v, i) = 1) AS n_and,
       (SELECT count(*) FROM generate_series(0, a.len - 1) i
        WHERE get_bit(a.v, i) = 1 OR get_bit(b.v, i) = 1) AS n_or
FROM bd_rows a JOIN bd_rows b ON a.len = b.len;
SELECT count(*) AS pairs, sum(hamming) AS total_hamming, sum(n_and) AS total_and FROM bd_ref;

CREATE FUNCTION pg_temp.mismatches_per_isa() RETURNS TABLE (isa text, mismatches bigint)
LANGUAGE plpgsql AS $$
BEGIN
    FOREACH isa IN ARRAY linal_supported_isas() LOOP
        PERFORM set_config('linal.simd', isa, true);
        SELECT count(*) INTO mismatches FROM bd_ref
        WHERE (hamming_distance(va, vb) <> hamming
               OR (va <~> vb) <> hamming
               OR (vb <~> va) <> hamming
               OR jaccard_distance(va, vb) <> CASE WHEN n_and = 0 THEN 1
                                                   ELSE 1 - n_and::float8 / n_or END
               OR (va <%> vb) <> (vb <%> va));
        RETURN NEXT;
    END LOOP;
END
$$;
-- every ISA the CPU has (scalar at least) agrees
SELECT count(*) >= 1 AS some_isa, bool_and(mismatches = 0) AS all_agree FROM pg_temp.mismatches_per_isa();
DROP TABLE bd_ref, bd_rows;

-- pgvector's binary-quantized search runs unchanged: re-rank by Hamming distance
CREATE TABLE bd_items (id int, embedding tensor);
INSERT INTO bd_items VALUES (1, '[1,-1,1,-1]'), (2, '[1,1,1,1]'), (3, '[-1,-1,-1,-1]'), (4, '[1,-1,1,1]');
SELECT id, binary_quantize(embedding)::bit(4) <~> binary_quantize('[1,-1,1,-1]'::tensor) AS hamming,
       round((binary_quantize(embedding)::bit(4) <%> binary_quantize('[1,-1,1,-1]'::tensor))::numeric, 4) AS jaccard
FROM bd_items ORDER BY 2, id LIMIT 3;
DROP TABLE bd_items;

-- IMMUTABLE, STRICT, PARALLEL SAFE; both operators their own commutator
SELECT p.oid::regprocedure, p.provolatile, p.proisstrict, p.proparallel, p.prorettype::regtype
FROM pg_proc p
WHERE p.proname IN ('hamming_distance', 'jaccard_distance')
ORDER BY 1::text;
SELECT o.oprname, o.oprleft::regtype, o.oprright::regtype, o.oprcode, o.oprcom = o.oid AS self_commutator
FROM pg_operator o
WHERE o.oprname IN ('<~>', '<%>')
ORDER BY 1;
