-- The planner's cost of a distance call (tensor_distance_support): it grows
-- with the elements the typmod or a constant tells, and with the TOAST
-- fetches of a stored wide vector; linal_hnsw's cost estimate charges the
-- same distance, so a search of wide vectors is chosen over a plain scan
-- that would detoast every row.  Data without random().
SET max_parallel_workers_per_gather = 0;
CREATE FUNCTION dc_vec(i int, dim int) RETURNS tensor LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY(SELECT sin(i * 0.7::float8 + j * 0.013::float8)::real
               FROM generate_series(1, dim) j)::tensor
$$;
CREATE TABLE dc_any (id int, v tensor);
CREATE TABLE dc_small (id int, v tensor(4));
CREATE TABLE dc_wide (id int, v tensor(4096));
INSERT INTO dc_any SELECT i, dc_vec(i, 4) FROM generate_series(1, 1000) i;
INSERT INTO dc_small SELECT i, dc_vec(i, 4) FROM generate_series(1, 1000) i;
INSERT INTO dc_wide SELECT i, dc_vec(i, 4096) FROM generate_series(1, 1000) i;
ANALYZE dc_any, dc_small, dc_wide;

-- what a query's plan costs in all
CREATE FUNCTION dc_cost(query text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  plan json;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
  RETURN (plan -> 0 -> 'Plan' ->> 'Total Cost')::float8;
END
$$;
-- what one call of expr costs per row of tab (its 1000 rows)
CREATE FUNCTION dc_per_call(tab text, expr text) RETURNS numeric LANGUAGE sql AS $$
  SELECT round(((dc_cost(format('SELECT %s FROM %s', expr, tab)) -
                 dc_cost(format('SELECT 1 FROM %s', tab))) / 1000)::numeric, 4)
$$;

-- no typmod, no constant: the declared cost (one cpu_operator_cost)
SELECT dc_per_call('dc_any', 'v <-> v') AS untyped;
-- tensor(4): about the declared cost
SELECT dc_per_call('dc_small', 'v <-> v') AS small,
       dc_per_call('dc_small', 'l2_distance(v, v)') AS small_function;
-- a constant tells the elements of an untyped column's call
SELECT dc_per_call('dc_any', $$v <-> '[1,2,3,4]'$$) AS untyped_const;
-- tensor(4096): the kernel's share, and the TOAST fetch of each stored side
SELECT dc_per_call('dc_wide', 'v <-> v') AS wide_two_columns,
       dc_per_call('dc_wide', 'v <-> (SELECT v FROM dc_wide WHERE id = 1)') AS wide_one_column;
-- every distance and similarity function has it
SELECT p.proname, p.prosupport::regproc
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'linal'
WHERE p.prosupport <> 0 ORDER BY 1;

-- the plans: a search of a third of the elements beats detoasting 1000
-- wide rows, but not a plain scan of 1000 small rows
CREATE INDEX ON dc_small USING linal_hnsw (v tensor_l2_ops);
CREATE INDEX ON dc_wide USING linal_hnsw (v tensor_l2_ops);
SET linal.hnsw_ef_search = 10;
SET linal.batched_execution = off;
EXPLAIN (COSTS OFF) SELECT id FROM dc_wide ORDER BY v <-> (SELECT v FROM dc_wide WHERE id = 1) LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM dc_small ORDER BY v <-> '[0,0,0,0]' LIMIT 10;
SET linal.batched_execution = on;
EXPLAIN (COSTS OFF) SELECT id FROM dc_wide ORDER BY v <-> (SELECT v FROM dc_wide WHERE id = 1) LIMIT 10;
-- and the search's answer is the exact one (a search of every element)
SET linal.hnsw_ef_search = 400;
SELECT array_agg(id) AS nearest FROM (SELECT id FROM dc_wide ORDER BY v <-> (SELECT v FROM dc_wide WHERE id = 1) LIMIT 5) s;
SET enable_indexscan = off;
SELECT array_agg(id) AS exact FROM (SELECT id FROM dc_wide ORDER BY v <-> (SELECT v FROM dc_wide WHERE id = 1) LIMIT 5) s;
RESET enable_indexscan;
RESET linal.batched_execution;
RESET linal.hnsw_ef_search;

-- the support function itself: internal, not callable from SQL
SELECT proname, proisstrict, prorettype::regtype FROM pg_proc WHERE proname = 'tensor_distance_support';
DROP TABLE dc_any, dc_small, dc_wide;
DROP FUNCTION dc_vec, dc_cost, dc_per_call;
