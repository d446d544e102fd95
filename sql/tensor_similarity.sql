-- Similarity and distance: dot, cosine_similarity, cosine_distance,
-- l2_distance, l2_squared_distance, l1_distance, negative_inner_product,
-- correlate, and the operators <->, <=>, <#>, <+>.

SELECT dot('[1,2,3]', '[4,5,6]'),
       l2_distance('[1,2,3]', '[4,6,3]'),
       l2_squared_distance('[1,2,3]', '[4,6,3]'),
       l1_distance('[1,2,3]', '[4,6,3]'),
       negative_inner_product('[1,2,3]', '[4,5,6]');
SELECT cosine_similarity('[1,0]', '[0,1]') AS orthogonal,
       cosine_similarity('[1,2]', '[2,4]') AS parallel,
       cosine_similarity('[1,2]', '[-1,-2]') AS opposite,
       cosine_distance('[1,2]', '[-1,-2]') AS distance_opposite;
SELECT round(correlate('[1,2,3,4]', '[2,4,6,8.5]')::numeric, 6) AS nearly_linear,
       correlate('[1,2,3]', '[3,2,1]') AS anti,
       -- centring in double keeps a large common offset harmless
       round(correlate('[1000001,1000002,1000003]', '[1,2,3]')::numeric, 6) AS offset;

-- operators, both argument orders (they commute)
SELECT '[1,2,3]'::tensor <-> '[4,6,3]' AS l2, '[4,6,3]'::tensor <-> '[1,2,3]' AS l2_swapped,
       '[1,0]'::tensor <=> '[1,1]' AS cosine, '[1,2]'::tensor <#> '[3,4]' AS neg_ip,
       '[1,2]'::tensor <+> '[3,5]' AS l1;
SELECT oprname, oprcom::regoperator FROM pg_operator
WHERE oprname IN ('<->', '<=>', '<#>', '<+>') AND oprleft = 'tensor'::regtype
ORDER BY oprname;

-- any rank compares element-wise when the shapes match
SELECT dot('[[1,2],[3,4]]', '[[1,1],[1,1]]'), '[[1,2],[3,4]]'::tensor <-> '[[1,2],[3,5]]';
SELECT dot('7', '6') AS rank0;

-- zero vectors: cosine and correlation are undefined, so NULL
SELECT cosine_similarity('[0,0]', '[1,1]') IS NULL AS cos_null,
       ('[0,0]'::tensor <=> '[1,1]') IS NULL AS dist_null,
       correlate('[1,1,1]', '[1,2,3]') IS NULL AS constant_null,
       correlate('[1]', '[2]') IS NULL AS one_element_null;
-- a NULL distance sorts last and drops out of filters
SELECT v FROM (VALUES ('[0,0]'::tensor), ('[1,0]'), ('[0,1]')) AS t(v)
ORDER BY v <=> '[1,0.1]', v;
SELECT count(*) FROM (VALUES ('[0,0]'::tensor), ('[1,0]')) AS t(v)
WHERE cosine_similarity(v, '[1,0]') > 0.5;

-- empty tensors
SELECT dot('[]', '[]'), l2_distance('[]', '[]'), l1_distance('[]', '[]'),
       cosine_similarity('[]', '[]') IS NULL AS cos_null;

-- shape mismatch: 22000 with both shapes
SELECT dot('[1,2,3]', '[1,2]');
SELECT '[1,2,3,4]'::tensor <-> '[[1,2],[3,4]]';
SELECT cosine_similarity('5', '[5]');

-- overflow: 22003
SELECT dot('[3e38, 3e38]', '[3e38, 3e38]');
SELECT '[3e38]'::tensor <-> '[-3e38]';
-- big values that do not overflow are fine
SELECT '[1e18]'::tensor <-> '[-1e18]';
-- cosine of elements whose float4 squares overflow (beyond about 1e19) or
-- underflow (below about 1e-19) is worked out in double: not 0, NULL or NaN
SELECT round(cosine_similarity('[2e19, 2e19]', '[1, 1]')::numeric, 12) AS huge,
       round(('[2e19, 2e19]'::tensor <=> '[1, 1]')::numeric, 12) AS huge_distance,
       round(cosine_similarity('[1e-23, 1e-23]', '[1e-23, 2e-23]')::numeric, 6) AS tiny,
       round(cosine_similarity('[3e38, -3e38, 1]', '[3e38, 3e38, 1]')::numeric, 12) AS extreme,
       cosine_similarity('[1e-45]', '[1e-45]') AS denormal;

-- the same answers from every kernel family this CPU has, compared with a
-- double-precision reference over 200 random vector pairs of awkward lengths
CREATE TEMP TABLE sim_pairs AS
SELECT i, n,
       array_agg(((i::bigint * 7919 + j::bigint * 104729) % 2001 - 1000) / 250.0)::real[] AS a,
       array_agg(((i::bigint * 15485863 + j::bigint * 32452843) % 1999 - 999) / 333.0)::real[] AS b
FROM generate_series(1, 200) i,
     LATERAL (SELECT (i * 37) % 300 + 1 AS n) sz,
     LATERAL generate_series(1, sz.n) j
GROUP BY i, n;
CREATE TEMP TABLE sim_reference AS
SELECT i,
       sum(x::float8 * y::float8) AS dot,
       sqrt(sum((x::float8 - y::float8) ^ 2)) AS l2,
       sum(abs(x::float8 - y::float8)) AS l1,
       sum(x::float8 * y::float8) / sqrt(sum(x::float8 ^ 2) * sum(y::float8 ^ 2)) AS cos,
       sum(abs(x::float8 * y::float8)) AS scale
FROM sim_pairs, unnest(a, b) AS u(x, y)
GROUP BY i;
CREATE FUNCTION pg_temp.similarity_errors(isa text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
    PERFORM set_config('linal.simd', isa, true);
    SELECT count(*) INTO bad
    FROM sim_pairs p JOIN sim_reference r USING (i)
    WHERE abs(dot(p.a::tensor, p.b::tensor) - r.dot) > 1e-5 * r.scale + 1e-6
       OR abs(l2_distance(p.a::tensor, p.b::tensor) - r.l2) > 1e-5 * r.l2 + 1e-6
       OR abs(l1_distance(p.a::tensor, p.b::tensor) - r.l1) > 1e-5 * r.l1 + 1e-6
       OR abs(cosine_similarity(p.a::tensor, p.b::tensor) - r.cos) > 1e-5;
    RETURN bad;
END
$$;
SELECT coalesce(string_agg(isa, ',') FILTER (WHERE errors > 0), 'none') AS failing_isas,
       count(*) >= 1 AS ran
FROM (SELECT isa, pg_temp.similarity_errors(isa) AS errors
      FROM unnest(linal_supported_isas()) AS isa) per_isa;
SELECT array_length(linal_supported_isas(), 1) >= 1 AS has_scalar,
       'scalar' = ANY (linal_supported_isas()) AS scalar_listed;
