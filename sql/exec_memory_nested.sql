-- linal.max_query_memory holds for linal work done inside functions: the
-- statement a client sent is what is measured, whatever runs inside it
-- (PL/pgSQL statements and expressions, SQL functions inlined or not, DO
-- blocks, set-returning functions, triggers), and memory that piles up
-- across the inner queries counts as a whole.
-- the library loads with the first use of a tensor (without preload)
SELECT '[1]'::tensor IS NOT NULL AS linal_loaded;
\set VERBOSITY terse
CREATE TABLE mn_rows AS SELECT id FROM generate_series(1, 40) id;
-- PL/pgSQL: one large tensor in an expression (no query of its own)
CREATE FUNCTION mn_one_big(n int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE t tensor;
BEGIN
  t := tensor_fill(ARRAY[n, 1024], 1);
  RETURN numel(t);
END $$;
-- PL/pgSQL: 256 kB tensors kept in a variable, from expressions or queries
CREATE FUNCTION mn_keep(n int, via_query bool) RETURNS int LANGUAGE plpgsql AS $$
DECLARE kept tensor[] := '{}';
  t tensor;
BEGIN
  FOR i IN 1..n LOOP
    IF via_query THEN
      SELECT tensor_fill('{65536}', i) INTO t;
    ELSE
      t := tensor_fill('{65536}', i);
    END IF;
    kept := kept || t;
  END LOOP;
  RETURN array_length(kept, 1);
END $$;
-- SQL functions: inlined, and not (two statements)
CREATE FUNCTION mn_sql_inlined(n int) RETURNS bigint LANGUAGE sql AS $$
  SELECT numel(tensor_fill(ARRAY[n, 1024], 1))
$$;
CREATE FUNCTION mn_sql_called(n int) RETURNS tensor LANGUAGE sql AS $$
  SELECT 1;
  SELECT tensor_fill(ARRAY[n], n);
$$;
-- set-returning
CREATE FUNCTION mn_srf(n int) RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..3 LOOP
    RETURN NEXT numel(tensor_fill(ARRAY[n, 1024], i));
  END LOOP;
END $$;
SET linal.max_query_memory = '4MB';
-- under the limit all of them work
SELECT mn_one_big(256), mn_keep(4, false), mn_keep(4, true),
       mn_sql_inlined(256), numel(mn_sql_called(1000));
SELECT sum(n) FROM mn_srf(256) n;
-- past it each fails with 53200
SELECT mn_one_big(2048);
SELECT mn_keep(40, false);
SELECT mn_keep(40, true);
SELECT mn_sql_inlined(2048);
SELECT numel(mn_sql_called(2048 * 1024));
SELECT sum(n) FROM mn_srf(2048) n;
-- the top level of the statement has no linal work: tensors piling up in
-- an aggregate over a function that makes them one by one
SELECT array_length(array_agg(mn_sql_called(65536)), 1) FROM mn_rows;
SELECT count(*) FROM mn_rows WHERE mn_keep(id, false) > 0;
-- DO blocks
DO $$
DECLARE t tensor;
BEGIN
  t := tensor_fill('{2048,1024}', 1);
END $$;
DO $$
DECLARE kept tensor[] := '{}';
BEGIN
  FOR i IN 1..40 LOOP
    kept := kept || tensor_fill('{65536}', i);
  END LOOP;
END $$;
-- procedures
CREATE PROCEDURE mn_proc(n int) LANGUAGE plpgsql AS $$
DECLARE t tensor;
BEGIN
  t := tensor_fill(ARRAY[n, 1024], 1);
END $$;
CALL mn_proc(256);
CALL mn_proc(2048);
-- triggers: the INSERT itself does no linal work
CREATE TABLE mn_items (id int, v tensor);
CREATE FUNCTION mn_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.v := tensor_fill(ARRAY[NEW.id, 1024], 1);
  RETURN NEW;
END $$;
CREATE TRIGGER mn_fill BEFORE INSERT ON mn_items FOR EACH ROW EXECUTE FUNCTION mn_fill();
INSERT INTO mn_items (id) VALUES (256);
INSERT INTO mn_items (id) VALUES (2048);
CREATE FUNCTION mn_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mn_keep(40, false);
  RETURN NULL;
END $$;
CREATE TRIGGER mn_after AFTER INSERT ON mn_items FOR EACH ROW EXECUTE FUNCTION mn_after();
INSERT INTO mn_items (id) VALUES (1);
SELECT id, numel(v) FROM mn_items ORDER BY id;
-- an immutable function on constants runs while the query is planned
CREATE FUNCTION mn_folded() RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$
DECLARE kept tensor[] := '{}';
BEGIN
  FOR i IN 1..40 LOOP
    kept := kept || tensor_fill('{65536}', i);
  END LOOP;
  RETURN array_length(kept, 1);
END $$;
SELECT mn_folded();
EXPLAIN (COSTS OFF) SELECT mn_folded();
-- the error is caught inside the function like any other, and the session
-- goes on with its memory back
DO $$
BEGIN
  PERFORM mn_keep(40, false);
EXCEPTION WHEN out_of_memory THEN
  RAISE NOTICE 'caught: %', SQLSTATE;
END $$;
SELECT mn_one_big(256), mn_keep(4, false);
-- without a limit
SET linal.max_query_memory = 0;
SELECT mn_keep(40, false), mn_one_big(2048), mn_folded();
RESET linal.max_query_memory;
DROP FUNCTION mn_folded();
DROP TABLE mn_items;
DROP FUNCTION mn_fill();
DROP FUNCTION mn_after();
DROP PROCEDURE mn_proc(int);
DROP FUNCTION mn_srf(int);
DROP FUNCTION mn_sql_called(int);
DROP FUNCTION mn_sql_inlined(int);
DROP FUNCTION mn_keep(int, bool);
DROP FUNCTION mn_one_big(int);
DROP TABLE mn_rows;
