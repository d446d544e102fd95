-- linal_hnsw: a cosine index stores unit vectors; rows whose norms are
-- tiny (denormal elements) or huge (near the float4 limit) are normalised
-- in double, so they store finite unit vectors like any other row and
-- the index answers as the exact plan does.
SET max_parallel_workers_per_gather = 0;
SET extra_float_digits = 0;
SET linal.batched_execution = off;
CREATE TABLE hc_items (id int PRIMARY KEY, v tensor(2));
INSERT INTO hc_items VALUES
  (1, '[1e-45,0]'), (2, '[0,1e-45]'), (3, '[1e-45,1e-45]'), (4, '[-3e-39,1e-39]'),
  (5, '[2e-38,-2e-38]'), (6, '[3e38,3e38]'), (7, '[-3.4e38,1e38]'), (8, '[1e38,-2e38]'),
  (9, '[1,0]'), (10, '[0.6,0.8]'), (11, '[-1,-1]'), (12, '[0,0]');
-- one built with the rows, one filled by inserts
CREATE INDEX hc_built ON hc_items USING linal_hnsw (v tensor_cosine_ops);
CREATE TABLE hc_grown (LIKE hc_items);
CREATE INDEX hc_grown_v ON hc_grown USING linal_hnsw (v tensor_cosine_ops);
INSERT INTO hc_grown SELECT * FROM hc_items;
SELECT linal_index_check('hc_built'), linal_index_check('hc_grown_v');

-- the stored vectors are finite unit vectors: the index orders the rows as
-- the exact plan does, and returns every one (but the zero vector)
-- hc_compare(table, query, k): the k nearest rows by the index and by the
-- exact plan are the same rows (ids, sorted) at the same distances (in the
-- order returned, numbered before the aggregates, which may sort their
-- input); rows at equal distances may come in either order, so
-- each k below falls between two distances
CREATE FUNCTION hc_compare(tab text, query text, k int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  knn text := format('SELECT id, round((v <=> %L)::numeric, 6) AS d FROM %I ORDER BY v <=> %L LIMIT %s',
                     query, tab, query, k);
  indexed text;
  exact text;
  plan text := '';
  line text;
BEGIN
  SET LOCAL enable_seqscan = off;
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || knn LOOP
    plan := plan || line;
  END LOOP;
  IF plan NOT LIKE '%Index Scan%' THEN
    RETURN 'no index scan: ' || plan;
  END IF;
  EXECUTE 'SELECT string_agg(d::text, '' '' ORDER BY n) || '' | '' || string_agg(id::text, '' '' ORDER BY id) '
          'FROM (SELECT row_number() OVER () AS n, * FROM (' || knn || ') k) r' INTO indexed;
  SET LOCAL enable_seqscan = on;
  SET LOCAL enable_indexscan = off;
  EXECUTE 'SELECT string_agg(d::text, '' '' ORDER BY n) || '' | '' || string_agg(id::text, '' '' ORDER BY id) '
          'FROM (SELECT row_number() OVER () AS n, * FROM (' || knn || ') k) r' INTO exact;
  IF indexed IS DISTINCT FROM exact THEN
    RETURN 'DIFFERENT: index ' || coalesce(indexed, 'NULL') || ' exact ' || coalesce(exact, 'NULL');
  END IF;
  RETURN exact;
END $$;
SET linal.hnsw_ef_search = 100;
-- queries of every kind of norm
SELECT hc_compare('hc_items', '[1,0]', 6);
SELECT hc_compare('hc_items', '[1e-45,1e-45]', 6);
SELECT hc_compare('hc_items', '[3e38,-3e38]', 4);
SELECT hc_compare('hc_grown', '[-2e-39,-1e-39]', 5);
SELECT hc_compare('hc_grown', '[0.8,0.6]', 6);
-- every indexed row is returned by the index (11: all but the zero vector)
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM hc_items ORDER BY v <=> '[1,1]' LIMIT 20) s;
SELECT count(*) FROM (SELECT id FROM hc_grown ORDER BY v <=> '[-1,1]' LIMIT 20) s;
RESET enable_seqscan;
RESET linal.hnsw_ef_search;
DROP FUNCTION hc_compare(text, text, int);
DROP TABLE hc_items, hc_grown;
