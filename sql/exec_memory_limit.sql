-- linal.max_query_memory: queries past the limit fail with 53200 and the
-- session goes on.
-- the library loads with the first use of a tensor (without preload)
SELECT '[1]'::tensor IS NOT NULL AS linal_loaded;
\set VERBOSITY terse
SHOW linal.max_query_memory;
CREATE TABLE ml_rows AS
SELECT id, tensor_fill(ARRAY[256], id) AS v FROM generate_series(1, 5000) id;
SET linal.max_query_memory = '4MB';
SHOW linal.max_query_memory;
-- small work passes
SELECT numel(v + v) FROM ml_rows WHERE id = 1;
SELECT shape(sum(v)) FROM ml_rows;
-- a result larger than the limit is refused before it is allocated
SELECT numel(tensor_fill('{1024,1024,2}', 1)) FROM ml_rows WHERE id = 1;
-- also when the planner folds the call on constants
SELECT numel(tensor_fill('{1024,1024,2}', 1));
-- growing aggregate state
SELECT shape(stack_agg(v)) FROM ml_rows;
-- the session is usable, and its memory is back
SELECT count(*) FROM ml_rows WHERE v <-> tensor_fill('{256}', 0) < 1000;
SELECT numel(v * 2) FROM ml_rows WHERE id = 5000;
-- inside a function and a savepoint the error is caught like any other
DO $$
BEGIN
  PERFORM numel(tensor_fill('{1024,1024,2}', 1)) FROM ml_rows WHERE id = 1;
EXCEPTION WHEN out_of_memory THEN
  RAISE NOTICE 'caught: %', SQLSTATE;
END $$;
BEGIN;
SAVEPOINT s;
SELECT shape(stack_agg(v)) FROM ml_rows;
ROLLBACK TO SAVEPOINT s;
SELECT shape(stack_agg(v)) FROM ml_rows WHERE id <= 10;
COMMIT;
-- no limit
SET linal.max_query_memory = 0;
SELECT shape(stack_agg(v)) FROM ml_rows;
RESET linal.max_query_memory;
-- invalid settings
-- only the SQLSTATE: the server's message shows the range with units from 16 on
\set VERBOSITY sqlstate
SET linal.max_query_memory = -1;
\set VERBOSITY default
SET linal.max_query_memory = '1TB';
SET linal.max_query_memory = 'lots';
DROP TABLE ml_rows;
