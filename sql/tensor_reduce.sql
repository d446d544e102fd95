-- Reductions over one tensor: tensor_sum, tensor_min, tensor_max, mean,
-- stdev (population), norm; whole tensor and along an axis.

SELECT tensor_sum('[[1,2],[3,4]]') AS sum, tensor_min('[[1,-2],[3,4]]') AS min,
       tensor_max('[[1,-2],[3,4]]') AS max, mean('[[1,2],[3,4]]') AS mean,
       round(stdev('[[1,2],[3,4]]')::numeric, 10) AS stdev, norm('[[1,2],[2,4]]') AS norm;
SELECT tensor_sum('7'), mean('7'), stdev('7'), norm('-7'), tensor_min('7'), tensor_max('7');

-- stdev is the population standard deviation, computed in two passes:
-- a large offset does not cancel the spread
SELECT stdev('[2,4,4,4,5,5,7,9]') AS population_two,
       round(stdev('[1000001,1000002,1000003]')::numeric, 10) AS offset,
       round(stdev(('[' || repeat('100000.5,', 999) || '100001.5]')::tensor)::numeric, 10) AS one_outlier;
-- sums accumulate in double: 1M copies of 0.1 (float4)
SELECT round(tensor_sum(array_fill(0.1::real, ARRAY[1000000])::tensor)::numeric, 3) AS million_tenths,
       round((0.1::real::float8 * 1000000)::numeric, 3) AS expected;

-- along an axis: 1-based, negative from the end; the axis goes away
SELECT tensor_sum('[[1,2,3],[4,5,6]]', 1) AS sum_rows, tensor_sum('[[1,2,3],[4,5,6]]', 2) AS sum_cols,
       tensor_sum('[[1,2,3],[4,5,6]]', -1) AS sum_last, tensor_sum('[1,2,3]', 1) AS to_rank0;
SELECT mean('[[1,2,3],[4,5,6]]', 1) AS mean1, tensor_min('[[1,5,3],[4,2,6]]', 1) AS min1,
       tensor_max('[[1,5,3],[4,2,6]]', 2) AS max2, norm('[[3,0],[4,0]]', 1) AS norm1,
       stdev('[[1,2],[3,6]]', 1) AS stdev1, stdev('[[1,2],[3,6]]', 2) AS stdev2;
SELECT tensor_sum(t, 1) AS a1, tensor_sum(t, 2) AS a2, tensor_sum(t, 3) AS a3
FROM (SELECT '[[[1,2],[3,4]],[[5,6],[7,8]]]'::tensor AS t) s;
SELECT mean(t, 2), tensor_max(t, -3), norm(t, 2) FROM (SELECT '[[[1,2],[3,4]],[[5,6],[7,8]]]'::tensor AS t) s;
-- stdev along a leading axis goes through the columns in blocks of 1024:
-- 2500 columns give what each column gives on its own
SELECT shape(stdev(m, 1)) AS shape,
       norm(stdev(m, 1) - stdev(transpose(m), 2)) <= 1e-6 * norm(stdev(m, 1)) AS same_as_columns,
       (stdev(m, 1))[2500]::real = stdev(m[:][2500])::real AS last_column
FROM (SELECT reshape(array_agg(((i * 7919) % 1009 - 500) / 7.0 ORDER BY i)::float8[]::tensor,
                     '{7,2500}') AS m
      FROM generate_series(1, 7 * 2500) i) s;

-- nothing to reduce: sum and norm are 0, the others NULL
SELECT tensor_sum('[]') AS sum, norm('[]') AS norm, mean('[]') IS NULL AS mean_null,
       stdev('[]') IS NULL AS stdev_null, tensor_min('[]') IS NULL AS min_null,
       tensor_max('[[],[]]') IS NULL AS max_null;
SELECT tensor_sum('[[],[]]', 2) AS sum_empty_axis, norm('[[],[]]', 2) AS norm_empty_axis,
       mean('[[],[]]', 2) IS NULL AS mean_null, tensor_min('[[],[]]', -1) IS NULL AS min_null,
       tensor_sum('[[],[]]', 1) AS sum_over_rows;
SELECT tensor_sum(NULL::tensor) IS NULL, tensor_sum('[1]', NULL) IS NULL;

-- errors
SELECT tensor_sum('[[1,2],[3,4]]', 3);
SELECT tensor_sum('[[1,2],[3,4]]', 0);
SELECT mean('[1,2]', -2);
SELECT tensor_sum('5', 1);
SELECT tensor_sum('[[3e38],[3e38]]', 1);
SELECT mean('[[3e38,3e38]]', 2) AS no_overflow_in_mean;

-- every kernel family agrees with a double-precision reference
CREATE TEMP TABLE reduce_data AS
SELECT i,
       array_agg(((i::bigint * 7919 + j::bigint * 104729) % 2001 - 1000) / 250.0 ORDER BY j)::real[] AS a
FROM generate_series(1, 60) i, LATERAL generate_series(1, (i * 53) % 500 + 1) j
GROUP BY i;
CREATE TEMP TABLE reduce_reference AS
SELECT i, sum(x::float8) AS sum, min(x) AS min, max(x) AS max, avg(x::float8) AS mean,
       stddev_pop(x::float8) AS stdev, sqrt(sum(x::float8 * x::float8)) AS norm,
       sum(abs(x::float8)) AS scale
FROM reduce_data, unnest(a) AS x
GROUP BY i;
CREATE FUNCTION pg_temp.reduce_mismatches(isa text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
    PERFORM set_config('linal.simd', isa, true);
    SELECT count(*) INTO bad
    FROM reduce_data d JOIN reduce_reference r USING (i)
    WHERE abs(tensor_sum(d.a::tensor) - r.sum) > 1e-12 * r.scale
       OR tensor_min(d.a::tensor) <> r.min OR tensor_max(d.a::tensor) <> r.max
       OR abs(mean(d.a::tensor) - r.mean) > 1e-12 * r.scale
       OR abs(stdev(d.a::tensor) - r.stdev) > 1e-9 * (r.stdev + 1)
       OR abs(norm(d.a::tensor) - r.norm) > 1e-12 * (r.norm + 1);
    RETURN bad;
END
$$;
SELECT coalesce(string_agg(isa, ',') FILTER (WHERE bad > 0), 'none') AS failing_isas,
       count(*) >= 1 AS ran
FROM (SELECT isa, pg_temp.reduce_mismatches(isa) AS bad
      FROM unnest(linal_supported_isas()) AS isa) per_isa;

-- axis reductions agree with the whole-tensor ones on each slice
SELECT bool_and(tensor_sum(m, 2) = tensor_sum(m, -1)) AS same_axis,
       bool_and(abs(tensor_sum(tensor_sum(m, 1)) - tensor_sum(m)) < 1e-3) AS sums_agree
FROM (SELECT ARRAY[a[1:5], a[6:10]]::tensor AS m FROM reduce_data WHERE cardinality(a) >= 10) s;

SELECT proname, count(*) AS overloads, bool_and(provolatile = 'i' AND proisstrict AND proparallel = 's') AS marked
FROM pg_proc WHERE proname IN ('tensor_sum', 'tensor_min', 'tensor_max', 'mean', 'stdev', 'norm')
GROUP BY proname ORDER BY proname;
