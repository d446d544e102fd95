-- Aggregates over rows: sum, avg, min, max (element-wise) and stack_agg,
-- with GROUP BY, NULLs, window frames and parallel plans.

CREATE TABLE agg_items (id int, category int, v tensor);
INSERT INTO agg_items VALUES
    (1, 1, '[1,10]'), (2, 1, '[3,20]'), (3, 1, NULL), (4, 2, '[-1,0.5]'),
    (5, 2, '[5,1.5]'), (6, 2, '[0,1]'), (7, 3, NULL);

SELECT sum(v), avg(v), min(v), max(v) FROM agg_items;
-- centroids per group; a group of NULLs gives NULL
SELECT category, count(v), sum(v), avg(v), min(v), max(v), stack_agg(v ORDER BY id)
FROM agg_items GROUP BY category ORDER BY category;
SELECT stack_agg(v ORDER BY id DESC) AS reversed, shape(stack_agg(v)) AS shape FROM agg_items;
-- no rows
SELECT sum(v) IS NULL AS sum_null, avg(v) IS NULL AS avg_null, stack_agg(v) IS NULL AS stack_null
FROM agg_items WHERE false;

-- matrices, rank 0, empty tensors
SELECT avg(m), max(m), stack_agg(m) FROM (VALUES ('[[1,2],[3,4]]'::tensor), ('[[3,4],[5,6]]')) AS s(m);
SELECT sum(s), avg(s), stack_agg(s) FROM (VALUES ('1'::tensor), ('2'), ('4')) AS x(s);
SELECT sum(e), stack_agg(e), shape(stack_agg(e)) FROM (VALUES ('[]'::tensor), ('[]')) AS x(e);

-- sums and means accumulate in double
SELECT round(tensor_sum(sum(v))::numeric, 2) AS sum_of_million_tenths,
       avg(v) = '[0.1]'::tensor AS mean_is_exact
FROM (SELECT '[0.1]'::tensor AS v FROM generate_series(1, 1000000)) s;

-- window frames use the inverse transition
SELECT id, avg(v) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS moving_avg,
       sum(v) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS moving_sum
FROM agg_items WHERE category = 2 ORDER BY id;
-- a frame may start with NULL rows, and once a frame holds only NULLs the
-- next row may have another shape: only the rows of one frame must agree
SELECT i, sum(v) OVER w AS moving_sum, avg(v) OVER w AS moving_avg
FROM (VALUES (1, NULL::tensor), (2, '[1,2]'), (3, NULL), (4, '[1,2,3]'), (5, '[4,5,6]')) AS s(i, v)
WINDOW w AS (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) ORDER BY i;
-- sums that rounded cannot be undone (1e30 + 1 - 1e30 is 0): such frames
-- are recomputed from their rows
SELECT i, sum(v) OVER w AS moving_sum, avg(v) OVER w AS moving_avg
FROM (VALUES (1, '[1e30,1]'::tensor), (2, '[1,1]'), (3, '[1,1]'), (4, '[2,1]')) AS s(i, v)
WINDOW w AS (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) ORDER BY i;
-- so moving frames give what each frame aggregated on its own gives, also
-- on values of 60 orders of magnitude
SELECT setseed(0.5);
CREATE TEMP TABLE agg_moving AS
SELECT i, CASE WHEN i % 13 = 0 THEN NULL
               ELSE ARRAY[(random() - 0.5) * 10 ^ (random() * 20 - 10), (i % 5) - 2,
                          (random() - 0.5) * 10 ^ (random() * 60 - 30)]::float8[]::tensor END AS v
FROM generate_series(1, 500) i;
SELECT count(*) AS frames,
       count(*) FILTER (WHERE m.s IS DISTINCT FROM f.s OR m.a IS DISTINCT FROM f.a) AS mismatches
FROM (SELECT i, sum(v) OVER w AS s, avg(v) OVER w AS a FROM agg_moving
      WINDOW w AS (ORDER BY i ROWS BETWEEN 3 PRECEDING AND 1 FOLLOWING)) m,
     LATERAL (SELECT sum(v) AS s, avg(v) AS a FROM agg_moving x
              WHERE x.i BETWEEN m.i - 3 AND m.i + 1) f;

-- errors
SELECT sum(v) FROM (VALUES ('[1,2]'::tensor), ('[1,2,3]')) AS x(v);
SELECT avg(v) FROM (VALUES ('[1,2]'::tensor), ('[[1,2]]')) AS x(v);
SELECT max(v) FROM (VALUES ('[1]'::tensor), ('1')) AS x(v);
SELECT stack_agg(v) FROM (VALUES ('[1]'::tensor), ('[1,2]')) AS x(v);
SELECT sum(v) FROM (VALUES ('[3e38]'::tensor), ('[3e38]')) AS x(v);
SELECT avg(v) FROM (VALUES ('[3e38]'::tensor), ('[3e38]')) AS x(v);
SELECT stack_agg(t) FROM (VALUES ('[[[[[[[[1]]]]]]]]'::tensor)) AS x(t);
SELECT stack_agg(array_fill(1::real, ARRAY[70000000])::tensor) FROM generate_series(1, 2);

-- parallel aggregation gives the serial answer
CREATE TABLE agg_big AS
SELECT i, i % 10 AS g, ARRAY[(i % 7) * 0.5, (i % 11) * 0.25, i % 3]::real[]::tensor AS v
FROM generate_series(1, 200000) i;
ANALYZE agg_big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT g, sum(v), avg(v), min(v), max(v) FROM agg_big GROUP BY g;
CREATE TEMP TABLE agg_parallel AS
    SELECT g, sum(v) AS s, avg(v) AS a, min(v) AS lo, max(v) AS hi, shape(stack_agg(v)) AS sh
    FROM agg_big GROUP BY g;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE agg_serial AS
    SELECT g, sum(v) AS s, avg(v) AS a, min(v) AS lo, max(v) AS hi, shape(stack_agg(v)) AS sh
    FROM agg_big GROUP BY g;
SELECT count(*) AS groups,
       bool_and(p.s = q.s AND p.lo = q.lo AND p.hi = q.hi AND p.sh = q.sh) AS exact_match,
       bool_and(norm(p.a - q.a) < 1e-6) AS avg_match
FROM agg_parallel p JOIN agg_serial q USING (g);
-- stack_agg in parallel holds every row once
SET max_parallel_workers_per_gather = 2;
SELECT shape(stack_agg(v)) AS shape, tensor_sum(stack_agg(v)) = tensor_sum(sum(v)) AS same_total FROM agg_big;
-- the leader's finalizing hash table holds one state per group, as the
-- serial one does: the states deserialized from the workers are
-- per-input-tuple garbage once combined (they used to stay in the aggregate
-- context, 2.5 times the memory here)
CREATE TABLE agg_groups AS
SELECT i % 5000 AS k, tensor_fill('{128}', i % 100) AS v FROM generate_series(1, 60000) i;
ANALYZE agg_groups;
CREATE FUNCTION pg_temp.top_node_memory(query text, OUT mode text, OUT kb bigint)
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) ' || query INTO plan;
    mode := plan -> 0 -> 'Plan' ->> 'Partial Mode';
    kb := (plan -> 0 -> 'Plan' ->> 'Peak Memory Usage')::bigint;
END
$$;
SET work_mem = '1GB'; SET enable_sort = off; SET cpu_operator_cost = 10;
SELECT mode AS parallel_mode, kb AS parallel_kb
FROM pg_temp.top_node_memory('SELECT k, sum(v), avg(v), max(v) FROM agg_groups GROUP BY k') \gset
SET max_parallel_workers_per_gather = 0;
SELECT mode AS serial_mode, kb AS serial_kb
FROM pg_temp.top_node_memory('SELECT k, sum(v), avg(v), max(v) FROM agg_groups GROUP BY k') \gset
SET max_parallel_workers_per_gather = 2;
SELECT :'parallel_mode' AS parallel_mode, :'serial_mode' AS serial_mode,
       :parallel_kb <= :serial_kb * 1.25 AS same_memory;
RESET work_mem; RESET enable_sort; RESET cpu_operator_cost;
DROP TABLE agg_groups;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

SELECT p.proname, a.aggcombinefn <> 0 AS combine, a.aggserialfn <> 0 AS serial,
       a.aggdeserialfn <> 0 AS deserial, a.aggminvtransfn <> 0 AS moving, p.proparallel
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE p.proargtypes[0] = 'tensor'::regtype ORDER BY p.proname;

DROP TABLE agg_items, agg_big;
