-- tensor_random and tensor_random_normal: random tensors made server-side.
-- Random values are never printed: the tests check shapes, bounds, means and
-- that a seed repeats.

SELECT shape(tensor_random('{3,4}')) AS uniform, shape(tensor_random_normal('{2,0,5}')) AS empty,
       shape(tensor_random('{}')) AS rank0, shape(tensor_random('{5}', 1)) AS seeded,
       shape(tensor_random_normal('{7}', 0, 1, 1)) AS seeded_normal;

-- a seed gives the same tensor every time, different seeds different ones
SELECT tensor_random('{100}', 42) = tensor_random('{100}', 42) AS same_seed,
       tensor_random('{100}', 42) <> tensor_random('{100}', 43) AS other_seed,
       tensor_random_normal('{100}', 3, 2, -7) = tensor_random_normal('{100}', 3, 2, -7) AS same_seed_normal,
       tensor_random_normal('{100}', 0, 1, 1) <> tensor_random_normal('{100}', 0, 1, 2) AS other_seed_normal,
       -- the first elements of a longer tensor of the same seed
       tensor_random('{100}', 5) = subvector(tensor_random('{200}', 5), 1, 100) AS prefix;
-- and without one, each call draws anew, also row by row
SELECT count(DISTINCT tensor_random('{8}')) AS distinct_rows FROM generate_series(1, 50);

-- uniform: in [0,1), mean 1/2, sd 1/sqrt(12) = 0.2887 (bounds are > 10 sigma)
SELECT tensor_min(t) >= 0 AS min_ok, tensor_max(t) < 1 AS max_ok,
       abs(mean(t) - 0.5) < 0.01 AS mean_ok, abs(stdev(t) - 0.2887) < 0.01 AS sd_ok
FROM (SELECT tensor_random('{200000}') AS t) s;
SELECT tensor_min(t) >= 0 AS min_ok, tensor_max(t) < 1 AS max_ok,
       abs(mean(t) - 0.5) < 0.01 AS mean_ok
FROM (SELECT tensor_random('{100,1000}', 12345) AS t) s;

-- normal: mean and sd as asked, defaults 0 and 1; sd 0 gives the mean
SELECT abs(mean(t)) < 0.02 AS mean_ok, abs(stdev(t) - 1) < 0.02 AS sd_ok
FROM (SELECT tensor_random_normal('{200000}') AS t) s;
SELECT abs(mean(t) - 5) < 0.05 AS mean_ok, abs(stdev(t) - 2) < 0.05 AS sd_ok,
       abs(l1_distance(t, tensor_fill('{200000}', 5)) / 200000 / 2 - sqrt(2 / pi())) < 0.01 AS mean_abs_deviation_ok
FROM (SELECT tensor_random_normal('{200000}', 5, 2, 99) AS t) s;
SELECT tensor_random_normal('{3}', -1.5, 0) AS constant, tensor_random_normal('{3}', 4, 0, 1) AS seeded_constant;

-- bad input
SELECT tensor_random('{2,-1}');
SELECT tensor_random('{1,NULL}');
SELECT tensor_random('{{1}}');
SELECT tensor_random('{1,1,1,1,1,1,1,1,1}');
SELECT tensor_random('{100000,100000}');
SELECT tensor_random_normal('{100000,100000}', 0, 1, 1);
SELECT tensor_random_normal('{3}', 0, -1);
SELECT tensor_random_normal('{3}', 'NaN', 1);
SELECT tensor_random_normal('{3}', 0, 'Infinity');
SELECT tensor_random_normal('{3}', 1e300, 1e300);
SELECT tensor_random(NULL) IS NULL AS a, tensor_random('{1}', NULL) IS NULL AS b,
       tensor_random_normal('{1}', NULL) IS NULL AS c, tensor_random_normal('{1}', 0, 1, NULL) IS NULL AS d;

-- linal.max_query_memory holds: refused before the elements are drawn
SET linal.max_query_memory = '4MB';
\set VERBOSITY terse
SELECT numel(tensor_random('{1024,1024,2}'));
SELECT numel(tensor_random_normal('{1024,1024,2}', 0, 1, 1));
\set VERBOSITY default
SELECT numel(tensor_random('{1000}')) AS small_passes;
RESET linal.max_query_memory;

-- like random(): unseeded VOLATILE and PARALLEL RESTRICTED; seeded IMMUTABLE
SELECT p.oid::regprocedure, p.provolatile, p.proisstrict, p.proparallel
FROM pg_proc p WHERE p.proname IN ('tensor_random', 'tensor_random_normal') ORDER BY p.oid::regprocedure::text;
