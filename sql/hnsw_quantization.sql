-- linal_hnsw WITH (quantization = 'int8'): the graph holds 8-bit codes
-- and is searched on them; a scan re-ranks its rows by their exact
-- distance from the table, a window ahead of the row it returns; in
-- strict_order it returns for each row a lower bound of its distance
-- instead, and the executor rechecks it from the heap and re-ranks, so
-- rows come out in exact order always.  WITH (quantization = 'binary'): the
-- graph holds signs, and a scan re-ranks its candidates by their exact
-- distance from the rows.  Options and their errors, every
-- operator class, data built to break the bound (huge, tiny, constant,
-- zero, negative, offset vectors; 1, 2, 13 and 65 dimensions), inserts,
-- VACUUM, linal_index_check, and recall on 128-d data.  Data without
-- random(), so the output is the same everywhere.
SET max_parallel_workers_per_gather = 0;
SET max_parallel_maintenance_workers = 0;
SET linal.batched_execution = off;
SET jit = off;

CREATE FUNCTION hq_sqlstate(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- options: the value, and the key types that quantize
CREATE TABLE hq_t (id int, v tensor(3));
CREATE TABLE hq_h (id int, v halftensor(3));
CREATE TABLE hq_b (id int, v bit(8));
CREATE TABLE hq_big (id int, v tensor(7977));
CREATE TABLE hq_edge (id int, v tensor(7976));
SELECT q, hq_sqlstate(q) FROM (VALUES
  ('CREATE INDEX ON hq_t USING linal_hnsw (v tensor_l2_ops) WITH (quantization = ''int8'')'),
  ('CREATE INDEX ON hq_t USING linal_hnsw (v tensor_l2_ops) WITH (quantization = ''none'')'),
  ('CREATE INDEX ON hq_t USING linal_hnsw (v tensor_l2_ops) WITH (quantization = ''binary'')'),
  ('CREATE INDEX ON hq_t USING linal_hnsw ((v * 2) tensor_l2_ops) WITH (quantization = ''binary'')'),
  ('CREATE INDEX ON hq_t USING linal_hnsw ((v * 2) tensor_l2_ops) WITH (quantization = ''int8'')'),
  ('CREATE INDEX ON hq_b USING linal_hnsw (v bit_hamming_ops) WITH (quantization = ''binary'')'),
  ('CREATE INDEX ON hq_t USING linal_hnsw (v tensor_l2_ops) WITH (quantization = ''INT8'')'),
  ('CREATE INDEX ON hq_t USING linal_hnsw (v tensor_l2_ops) WITH (quantization = '''')'),
  ('CREATE INDEX ON hq_h USING linal_hnsw (v halftensor_l2_ops) WITH (quantization = ''int8'')'),
  ('CREATE INDEX ON hq_h USING linal_hnsw (v halftensor_l2_ops) WITH (quantization = ''none'')'),
  ('CREATE INDEX ON hq_b USING linal_hnsw (v bit_hamming_ops) WITH (quantization = ''none'')'),
  ('CREATE INDEX ON hq_b USING linal_hnsw (v bit_hamming_ops) WITH (quantization = ''int8'')'),
  ('CREATE INDEX ON hq_big USING linal_hnsw (v tensor_l2_ops) WITH (quantization = ''int8'')'),
  ('CREATE INDEX ON hq_big USING linal_hnsw (v tensor_l2_ops)'),
  ('CREATE INDEX ON hq_edge USING linal_hnsw (v tensor_ip_ops) WITH (quantization = ''int8'')')
) AS t(q);
\set VERBOSITY terse
CREATE INDEX ON hq_b USING linal_hnsw (v bit_jaccard_ops) WITH (quantization = 'int8');
CREATE INDEX ON hq_t USING linal_hnsw (v tensor_l2_ops) WITH (quantization = 'int4');
\set VERBOSITY default
DROP TABLE hq_h, hq_b, hq_big, hq_edge;

-- an index with no dimension yet takes its first row's, as unquantized ones do
INSERT INTO hq_t VALUES (1, '[1,2,3]'), (2, '[3,2,1]'), (3, NULL), (4, '[0,0,0]');
SET enable_seqscan = off;
SELECT id, v <-> '[1,2,2]' AS d FROM hq_t ORDER BY v <-> '[1,2,2]' LIMIT 3;
SELECT count(*) AS problems FROM linal_index_check('hq_t_v_idx');
-- a misshapen query: the operator's own error
SELECT id FROM hq_t ORDER BY v <-> '[1,2]' LIMIT 1;
RESET enable_seqscan;
DROP TABLE hq_t;

-- a key that is an expression: the executor rechecks its lower bounds in
-- every mode (the re-rank window reads a column)
CREATE TABLE hq_x (id int, v tensor(3));
INSERT INTO hq_x SELECT i, ARRAY[sin(i), cos(i), sin(2 * i)]::real[]::tensor FROM generate_series(1, 200) i;
CREATE INDEX hq_x_expr ON hq_x USING linal_hnsw ((v * 2) tensor_l2_ops) WITH (quantization = 'int8');
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM hq_x ORDER BY (v * 2) <-> '[1,1,1]' LIMIT 5;
SELECT array_agg(id) AS indexed FROM (SELECT id FROM hq_x ORDER BY (v * 2) <-> '[1,1,1]' LIMIT 5) s;
SET enable_indexscan = off;
RESET enable_seqscan;
SELECT array_agg(id) AS exact FROM (SELECT id FROM hq_x ORDER BY (v * 2) <-> '[1,1,1]' LIMIT 5) s;
RESET enable_indexscan;
DROP TABLE hq_x;

-- data built to break the bound: each kind of row, in several dimensions
-- (half: magnitudes float16 holds, its largest, its subnormals, its smallest normals)
CREATE FUNCTION hq_vec(i int, dim int, half boolean DEFAULT false) RETURNS tensor
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY(SELECT (CASE i % 8
      WHEN 0 THEN sin(i * 0.7 + j * 1.3)
      WHEN 1 THEN CASE WHEN half THEN 6e4 ELSE 1e15 END * sin(i * 1.1 + j * 0.9)
      WHEN 2 THEN CASE WHEN half THEN 1e-5 ELSE 1e-30 END * sin(i * 0.3 + j * 2.1)
      WHEN 3 THEN CASE WHEN half THEN 3.1e-5 ELSE 2e-37 END * (2 + sin(i + j))
      WHEN 4 THEN (i % 5) - 2
      WHEN 5 THEN -100 - abs(sin(i * 0.5 + j))
      WHEN 6 THEN 1000 + CASE WHEN half THEN 0.5 ELSE 0.001 END * sin(i * 0.9 + j * 0.4)
      ELSE CASE WHEN j = 1 THEN CASE WHEN half THEN 6e4 ELSE 1e6 END ELSE cos(i * 0.2 + j) END END)::real
    FROM generate_series(1, dim) j)::tensor
$$;

-- queries whose index order is not the exact order of a scan and a sort
-- (ef_search above the rows: every row is a candidate, so the re-rank is exact)
CREATE FUNCTION hq_mismatches(tab text, op text, dim int, typ text DEFAULT 'tensor')
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  bad int := 0;
  q tensor;
  indexed float8[];
  exact float8[];
  query text := format('SELECT array_agg(d) FROM (SELECT v %s $1::%s AS d FROM %I ORDER BY v %s $1::%s LIMIT 10) s',
                       op, typ, tab, op, typ);
BEGIN
  SET LOCAL linal.hnsw_ef_search = 1000;
  FOR i IN 0..80 LOOP
    q := CASE WHEN i = 80 THEN hq_vec(4 * 5 + 2, dim) * 0 ELSE hq_vec(i, dim, typ = 'halftensor') END;
    SET LOCAL enable_seqscan = off;
    SET LOCAL enable_indexscan = on;
    EXECUTE query INTO indexed USING q;
    SET LOCAL enable_seqscan = on;
    SET LOCAL enable_indexscan = off;
    EXECUTE query INTO exact USING q;
    IF indexed IS DISTINCT FROM exact THEN
      bad := bad + 1;
    END IF;
  END LOOP;
  RETURN bad;
END $$;

CREATE FUNCTION hq_case(dim int, typ text DEFAULT 'tensor', quant text DEFAULT 'int8')
RETURNS TABLE (ops text, mismatches int, problems bigint)
LANGUAGE plpgsql AS $$
DECLARE
  tab text := CASE typ WHEN 'tensor' THEN 'hq_d' ELSE 'hq_h' END || dim ||
              CASE quant WHEN 'int8' THEN '' ELSE '_' || quant END;
  o record;
BEGIN
  EXECUTE format('CREATE TABLE %I (id int, v %s(%s))', tab, typ, dim);
  EXECUTE format('INSERT INTO %I SELECT i, hq_vec(i, %s, %L) FROM generate_series(1, 48) i',
                 tab, dim, typ = 'halftensor');
  FOR o IN SELECT * FROM (VALUES ('_l2_ops', '<->'), ('_cosine_ops', '<=>'),
                                 ('_ip_ops', '<#>'), ('_l1_ops', '<+>')) AS x(opc, op) LOOP
    EXECUTE format('CREATE INDEX %I ON %I USING linal_hnsw (v %s) WITH (quantization = %s, m = 4)',
                   tab || o.opc, tab, typ || o.opc, quant);
  END LOOP;
  -- rows inserted after the build, through aminsert
  EXECUTE format('INSERT INTO %I SELECT i, hq_vec(i, %s, %L) FROM generate_series(49, 72) i',
                 tab, dim, typ = 'halftensor');
  FOR o IN SELECT * FROM (VALUES ('_l2_ops', '<->'), ('_cosine_ops', '<=>'),
                                 ('_ip_ops', '<#>'), ('_l1_ops', '<+>')) AS x(opc, op) LOOP
    ops := typ || o.opc;
    mismatches := hq_mismatches(tab, o.op, dim, typ);
    problems := (SELECT count(*) FROM linal_index_check((tab || o.opc)::regclass));
    RETURN NEXT;
  END LOOP;
END $$;

SELECT 1 AS dim, * FROM hq_case(1);
SELECT 2 AS dim, * FROM hq_case(2);
SELECT 13 AS dim, * FROM hq_case(13);
SELECT 65 AS dim, * FROM hq_case(65);
-- halftensor keys, quantized from their float values
SELECT 13 AS dim, * FROM hq_case(13, 'halftensor');
SELECT 65 AS dim, * FROM hq_case(65, 'halftensor');
-- binary codes: each round re-ranked from the rows
SELECT 2 AS dim, * FROM hq_case(2, 'tensor', 'binary');
SELECT 65 AS dim, * FROM hq_case(65, 'tensor', 'binary');
SELECT 13 AS dim, * FROM hq_case(13, 'halftensor', 'binary');
-- the scalar kernels (codes and operators) keep the bound too
SET linal.simd = scalar;
SELECT hq_mismatches('hq_d65', '<->', 65) AS l2, hq_mismatches('hq_d65', '<=>', 65) AS cosine,
       hq_mismatches('hq_d65', '<#>', 65) AS ip, hq_mismatches('hq_d65', '<+>', 65) AS l1;
RESET linal.simd;

-- the plan: an index scan, whose ORDER BY the executor rechecks
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM hq_d2 ORDER BY v <-> '[0.5,-1]' LIMIT 3;
SELECT id, round((v <-> '[0.5,-1]')::numeric, 4) AS d FROM hq_d2 ORDER BY v <-> '[0.5,-1]' LIMIT 3;
SELECT id FROM hq_d13 ORDER BY v <-> hq_vec(16, 13) LIMIT 3;
SELECT id FROM hq_d13 ORDER BY v <=> hq_vec(16, 13) LIMIT 3;
SELECT id FROM hq_d13 ORDER BY v <#> hq_vec(16, 13) LIMIT 3;
SELECT id FROM hq_d13 ORDER BY v <+> hq_vec(16, 13) LIMIT 3;
-- strict_order and off: still exact within what the scan returns
SET linal.hnsw_iterative_scan = strict_order;
SELECT id FROM hq_d13 ORDER BY v <-> hq_vec(16, 13) LIMIT 3;
SET linal.hnsw_iterative_scan = off;
SELECT id FROM hq_d13 ORDER BY v <-> hq_vec(16, 13) LIMIT 3;
RESET linal.hnsw_iterative_scan;
RESET enable_seqscan;

-- deletes, then VACUUM
DELETE FROM hq_d65 WHERE id % 3 = 0;
VACUUM hq_d65;
SELECT count(*) AS problems FROM linal_index_check('hq_d65_l2_ops');
SELECT count(*) AS problems FROM linal_index_check('hq_d65_cosine_ops');
SELECT hq_mismatches('hq_d65', '<->', 65) AS l2, hq_mismatches('hq_d65', '<=>', 65) AS cosine,
       hq_mismatches('hq_d65', '<#>', 65) AS ip, hq_mismatches('hq_d65', '<+>', 65) AS l1;

-- ALTER INDEX ... SET (quantization) takes effect at REINDEX
SELECT pg_relation_size('hq_d65_l2_ops') AS int8_bytes \gset
ALTER INDEX hq_d65_l2_ops SET (quantization = 'none');
SELECT hq_mismatches('hq_d65', '<->', 65) AS l2;
REINDEX INDEX hq_d65_l2_ops;
SELECT pg_relation_size('hq_d65_l2_ops') > :int8_bytes AS float4_larger;
SELECT count(*) AS problems FROM linal_index_check('hq_d65_l2_ops');
ALTER INDEX hq_d65_l2_ops SET (quantization = 'int8');
REINDEX INDEX hq_d65_l2_ops;
SELECT pg_relation_size('hq_d65_l2_ops') = :int8_bytes AS int8_again;

-- recall at the default ef_search on 128-d data of 50 clusters
CREATE TABLE hq_r (id int, v tensor(128));
INSERT INTO hq_r SELECT i, ARRAY(SELECT (sin((i % 50) * 1.7 + j * 0.31) + 0.3 * sin(i * 0.37 + j * 1.9))::real
                                 FROM generate_series(1, 128) j)::tensor
  FROM generate_series(1, 5000) i;
CREATE TABLE hq_rq AS SELECT i AS qid, ARRAY(SELECT (sin((i % 50) * 1.7 + j * 0.31) + 0.3 * cos(i * 0.53 + j * 1.1))::real
                                  FROM generate_series(1, 128) j)::tensor AS q
  FROM generate_series(1, 40) i;
CREATE FUNCTION hq_recall(op text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  hits int := 0;
  r record;
  indexed int[];
  exact int[];
BEGIN
  FOR r IN SELECT * FROM hq_rq ORDER BY qid LOOP
    SET LOCAL enable_seqscan = off;
    SET LOCAL enable_indexscan = on;
    EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM hq_r ORDER BY v %s $1 LIMIT 10) s', op)
      INTO indexed USING r.q;
    SET LOCAL enable_seqscan = on;
    SET LOCAL enable_indexscan = off;
    EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM hq_r ORDER BY v %s $1 LIMIT 10) s', op)
      INTO exact USING r.q;
    hits := hits + (SELECT count(*) FROM unnest(indexed) a WHERE a = ANY (exact));
  END LOOP;
  RETURN hits / (10.0 * (SELECT count(*) FROM hq_rq));
END $$;
CREATE INDEX hq_r_l2 ON hq_r USING linal_hnsw (v tensor_l2_ops) WITH (quantization = 'int8');
SELECT hq_recall('<->') >= 0.95 AS l2_recall;
-- outside strict_order the scan re-ranks the rows itself, a window ahead:
-- a LIMIT 10 takes 10 rows from the index, in exact order; in
-- strict_order the executor rechecks lower bounds and takes more
CREATE FUNCTION hq_taken(mode text, OUT rows_taken bigint, OUT exact_order bool)
LANGUAGE plpgsql AS $$
DECLARE
  before bigint := pg_stat_get_xact_tuples_returned('hq_r_l2'::regclass);
  query tensor := (SELECT q FROM hq_rq WHERE qid = 7);
  d float8[];
BEGIN
  PERFORM set_config('linal.hnsw_iterative_scan', mode, true);
  SET LOCAL enable_seqscan = off;
  SELECT array_agg(x) INTO d FROM (SELECT v <-> query AS x FROM hq_r ORDER BY v <-> query LIMIT 10) o;
  rows_taken := pg_stat_get_xact_tuples_returned('hq_r_l2'::regclass) - before;
  exact_order := d = (SELECT array_agg(x ORDER BY x) FROM unnest(d) x);
END $$;
SELECT m, t.* FROM unnest(ARRAY['relaxed_order', 'off']) m, hq_taken(m) t;
SELECT t.rows_taken > 10 AS strict_takes_more, t.exact_order FROM hq_taken('strict_order') t;
-- strict_order: the bound holds for every operator class
SET linal.hnsw_iterative_scan = strict_order;
SELECT hq_mismatches('hq_d13', '<->', 13) AS l2, hq_mismatches('hq_d13', '<=>', 13) AS cosine,
       hq_mismatches('hq_d13', '<#>', 13) AS ip, hq_mismatches('hq_d13', '<+>', 13) AS l1;
SELECT hq_mismatches('hq_h65', '<->', 65, 'halftensor') AS l2, hq_mismatches('hq_h65', '<=>', 65, 'halftensor') AS cosine,
       hq_mismatches('hq_h65', '<#>', 65, 'halftensor') AS ip, hq_mismatches('hq_h65', '<+>', 65, 'halftensor') AS l1;
SELECT hq_recall('<->') >= 0.95 AS l2_recall_strict;
RESET linal.hnsw_iterative_scan;
SELECT count(*) AS problems FROM linal_index_check('hq_r_l2');
SELECT sampled, verdict FROM linal_index_quality('hq_r_l2', 100);
DROP INDEX hq_r_l2;
CREATE INDEX hq_r_cos ON hq_r USING linal_hnsw (v tensor_cosine_ops) WITH (quantization = 'int8');
SELECT hq_recall('<=>') >= 0.95 AS cosine_recall;
DROP INDEX hq_r_cos;
CREATE INDEX hq_r_ip ON hq_r USING linal_hnsw (v tensor_ip_ops) WITH (quantization = 'int8');
SELECT hq_recall('<#>') >= 0.95 AS ip_recall;
SELECT pg_relation_size('hq_r_ip') AS int8_bytes \gset
DROP INDEX hq_r_ip;
-- binary: 128 signs hardly tell this data's rows apart (recall is low at
-- the default ef_search); a wide search, re-ranked, finds them
CREATE INDEX hq_r_bin ON hq_r USING linal_hnsw (v tensor_l2_ops) WITH (quantization = 'binary');
SELECT count(*) AS problems FROM linal_index_check('hq_r_bin');
SET linal.hnsw_ef_search = 1000;
SELECT hq_recall('<->') >= 0.95 AS binary_recall_ef1000;
RESET linal.hnsw_ef_search;
SELECT pg_relation_size('hq_r_bin') < :int8_bytes AS binary_smaller;
DROP INDEX hq_r_bin;
-- the codes are 24 + 128 bytes, not 512: with the links, about half the size
CREATE INDEX hq_r_ip ON hq_r USING linal_hnsw (v tensor_ip_ops);
SELECT :int8_bytes < 0.6 * pg_relation_size('hq_r_ip') AS int8_smaller;
-- the planner charges a quantized index its re-rank (about ef_search rows
-- read from the table): of two indexes alike but for it, it takes the
-- unquantized one, and a quantized one alone costs more from the start
EXPLAIN (COSTS OFF) SELECT id FROM hq_r ORDER BY v <#> tensor_fill('{128}', 0.5) LIMIT 5;
CREATE INDEX hq_r_ip8 ON hq_r USING linal_hnsw (v tensor_ip_ops) WITH (quantization = 'int8');
EXPLAIN (COSTS OFF) SELECT id FROM hq_r ORDER BY v <#> tensor_fill('{128}', 0.5) LIMIT 5;
CREATE FUNCTION hq_startup_cost() RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON) SELECT id FROM hq_r ORDER BY v <#> tensor_fill(''{128}'', 0.5) LIMIT 5'
    INTO plan;
  RETURN (plan -> 0 -> 'Plan' ->> 'Startup Cost')::float8;
END $$;
SELECT hq_startup_cost() AS unquantized_cost \gset
DROP INDEX hq_r_ip;
SELECT hq_startup_cost() > :unquantized_cost AS int8_costs_more;
DROP INDEX hq_r_ip8;

-- the graph of an int8 build holds codes, not floats: 1 MB holds 500 rows
-- of 768 dimensions (about 1.1 KB a node) where a float4 index's graph
-- (about 3.4 KB a node) does not, and says so; the int8 index is whole
CREATE TABLE hq_mem (id int, v tensor(768));
INSERT INTO hq_mem SELECT i, ARRAY(SELECT sin(i * 0.7 + j * 0.013 * (1 + i % 7))::real
                                   FROM generate_series(1, 768) j)::tensor
  FROM generate_series(1, 500) i;
SET maintenance_work_mem = '1MB';
\set VERBOSITY terse
CREATE INDEX hq_mem_q8 ON hq_mem USING linal_hnsw (v tensor_l2_ops) WITH (quantization = 'int8');
CREATE INDEX hq_mem_f ON hq_mem USING linal_hnsw (v tensor_l2_ops);
\set VERBOSITY default
RESET maintenance_work_mem;
DROP INDEX hq_mem_f;
SELECT count(*) AS problems FROM linal_index_check('hq_mem_q8');
SET enable_seqscan = off;
SET linal.hnsw_iterative_scan = off;
SELECT count(*) AS own_nearest FROM hq_mem
WHERE id = (SELECT x.id FROM hq_mem x ORDER BY x.v <-> hq_mem.v LIMIT 1);
RESET linal.hnsw_iterative_scan;
RESET enable_seqscan;
DROP TABLE hq_mem;

DROP TABLE hq_d1, hq_d2, hq_d13, hq_d65, hq_h13, hq_h65, hq_d2_binary, hq_d65_binary,
  hq_h13_binary, hq_r, hq_rq;
DROP FUNCTION hq_startup_cost(), hq_case(int, text, text), hq_mismatches(text, text, int, text), hq_vec(int, int, boolean),
  hq_recall(text), hq_sqlstate(text), hq_taken(text);
