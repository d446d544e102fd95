-- Element-wise arithmetic: + - * / between tensors, with scalars (both
-- orders), unary minus, scale(), l2_normalize().

SELECT '[1,2,3]'::tensor + '[10,20,30]' AS add, '[1,2,3]'::tensor - '[10,20,30]' AS sub,
       '[1,2,3]'::tensor * '[10,20,30]' AS mul, '[1,2,3]'::tensor / '[10,20,30]' AS div;
SELECT '[[1,2],[3,4]]'::tensor * '[[2,2],[2,2]]' AS matrix, -'[[1,-2],[0,4]]'::tensor AS negated;

-- numbers on either side; integers and numerics resolve to double precision
SELECT '[1,2]'::tensor + 1 AS plus_int, '[1,2]'::tensor * 2.5 AS times_numeric,
       2 * '[1,2]'::tensor AS int_times, '[1,2]'::tensor - 0.5 AS minus,
       10 - '[1,2]'::tensor AS int_minus, '[1,2]'::tensor / 4 AS over_int,
       1 / '[2,4]'::tensor AS reciprocal, '[1,2]'::tensor * 1.5::real AS times_real;
-- rank-0 tensors broadcast from either side
SELECT '[1,2]'::tensor + '10'::tensor AS right_scalar, '10'::tensor - '[1,2]' AS left_scalar,
       '3'::tensor * '4'::tensor AS both_scalar;
SELECT scale('[1,-2,3]', 2), scale('[[1,2]]', -0.5);

-- l2_normalize: unit norm; the zero tensor stays zero
SELECT l2_normalize('[3,4]') AS unit, l2_normalize('[[0,3],[0,4]]') AS matrix,
       l2_normalize('[0,0]') AS zero, round(norm(l2_normalize('[1,2,3,4,5]'))::numeric, 6) AS norm;
-- norms whose inverse is no float4 (infinite below about 3e-39, denormal
-- above about 8e37) divide in double: no Infinity/NaN, no lost bits
SELECT l2_normalize('[1e-45, 0]') AS denormal, l2_normalize('[3e-39, -4e-39]') AS tiny,
       l2_normalize('[3e38, 3e38, 3e38]') AS huge,
       l2_normalize('[3e38, 3e38, 3e38]') = l2_normalize('[1, 1, 1]') AS huge_as_ones;

-- empty tensors stay empty; NULL in, NULL out
SELECT '[]'::tensor + '[]' AS empty, '[]'::tensor * 3 AS empty_scaled,
       '[[],[]]'::tensor - '[[],[]]' AS empty2;
SELECT '[1]'::tensor + NULL::tensor IS NULL AS null_tensor,
       '[1]'::tensor * NULL::float8 IS NULL AS null_scalar;

-- errors: shapes, division by zero, overflow, bad scalars
SELECT '[1,2]'::tensor + '[1,2,3]';
SELECT '[[1,2],[3,4]]'::tensor * '[1,2,3,4]';
SELECT '[1,2]'::tensor / '[1,0]';
SELECT '[1,2]'::tensor / 0;
SELECT 1 / '[1,0,3]'::tensor;
SELECT '[0]'::tensor / '[0]';
SELECT '[3e38]'::tensor * 2;
SELECT '[3e38]'::tensor + '[3e38]';
SELECT -3e38 - '[3e38]'::tensor;
SELECT '[1e-30]'::tensor / 1e-30;
-- a scalar that underflows float4 is out of range as float4 input has it,
-- not a zero divisor
SELECT '[1]'::tensor / 1e-50;
SELECT '[1]'::tensor * 1e-50;
-- the zero divisor past the first 2^20-element chunk is named by its own index
SELECT tensor_fill('{1048579}', 1) / concat(tensor_fill('{1048576}', 1), '[1,1,0]'::tensor);
SELECT 1 / concat(tensor_fill('{1048576}', 1), '[1,1,0]'::tensor);
SELECT '[1]'::tensor * 'NaN'::float8;
SELECT '[1]'::tensor + 'Infinity'::float8;
SELECT '[1]'::tensor * 1e300;
SELECT scale('[1]', 1e39);

-- operators and their properties
SELECT oprname, oprleft::regtype, oprright::regtype, oprcom::regoperator AS commutator
FROM pg_operator
WHERE oprname IN ('+', '-', '*', '/') AND 'tensor'::regtype IN (oprleft, oprright)
ORDER BY oprname, oprleft::regtype::text, oprright::regtype::text;
SELECT proname, provolatile, proisstrict, proparallel FROM pg_proc
WHERE proname IN ('tensor_add', 'tensor_scalar_div', 'tensor_negate', 'scale', 'l2_normalize')
ORDER BY proname;

-- every kernel family gives bit-for-bit what real arithmetic in SQL gives,
-- on vectors of awkward lengths (element-wise ops are single IEEE operations)
CREATE TEMP TABLE arith_pairs AS
SELECT i,
       array_agg(((i::bigint * 7919 + j::bigint * 104729) % 2001 - 1000) / 250.0 ORDER BY j)::real[] AS a,
       array_agg(((i::bigint * 15485863 + j::bigint * 32452843) % 1999 + 1) / 333.0 ORDER BY j)::real[] AS b
FROM generate_series(1, 60) i, LATERAL generate_series(1, (i * 37) % 200 + 1) j
GROUP BY i;
CREATE TEMP TABLE arith_reference AS
SELECT i,
       array_agg(x + y ORDER BY o) AS sum, array_agg(x - y ORDER BY o) AS diff,
       array_agg(x * y ORDER BY o) AS prod, array_agg(x / y ORDER BY o) AS quot,
       array_agg(x * 1.5::real ORDER BY o) AS scaled, array_agg(2.0::real - x ORDER BY o) AS from_two
FROM arith_pairs, unnest(a, b) WITH ORDINALITY AS u(x, y, o)
GROUP BY i;
CREATE FUNCTION pg_temp.arith_mismatches(isa text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
    PERFORM set_config('linal.simd', isa, true);
    SELECT count(*) INTO bad
    FROM arith_pairs p JOIN arith_reference r USING (i)
    WHERE (p.a::tensor + p.b::tensor) <> r.sum::tensor
       OR (p.a::tensor - p.b::tensor) <> r.diff::tensor
       OR (p.a::tensor * p.b::tensor) <> r.prod::tensor
       OR (p.a::tensor / p.b::tensor) <> r.quot::tensor
       OR (p.a::tensor * 1.5) <> r.scaled::tensor
       OR (2 - p.a::tensor) <> r.from_two::tensor;
    RETURN bad;
END
$$;
SELECT coalesce(string_agg(isa, ',') FILTER (WHERE bad > 0), 'none') AS failing_isas,
       count(*) >= 1 AS ran
FROM (SELECT isa, pg_temp.arith_mismatches(isa) AS bad
      FROM unnest(linal_supported_isas()) AS isa) per_isa;
