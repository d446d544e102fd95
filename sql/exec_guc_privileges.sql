-- The settings that bound what one statement may cost the server
-- (linal.max_query_memory, linal.queue_timeout, linal.blas_threads,
-- linal.hnsw_max_scan_tuples) are for superusers: any other role gets
-- 42501, for raising and lowering alike; the other settings stay open.
-- the library loads with the first use of a tensor (without preload)
SELECT '[1]'::tensor IS NOT NULL AS linal_loaded;
SELECT name, context FROM pg_settings WHERE name LIKE 'linal.%' ORDER BY name;
CREATE ROLE regress_linal_guc_user;
CREATE FUNCTION guc_try_set(setting text, value text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config(setting, value, false);
  RETURN 'set: ' || current_setting(setting);
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SET linal.max_query_memory = '4MB';
SET ROLE regress_linal_guc_user;
SELECT setting, guc_try_set(setting, value)
FROM (VALUES ('linal.max_query_memory', '0'), ('linal.max_query_memory', '1MB'),
             ('linal.queue_timeout', '0'), ('linal.blas_threads', '8'),
             ('linal.hnsw_max_scan_tuples', '1000000'),
             ('linal.max_concurrent_queries', '0'),
             ('linal.simd', 'scalar'), ('linal.batched_execution', 'off'),
             ('linal.batch_size', '64'), ('linal.hnsw_ef_search', '100')) AS s(setting, value);
\set VERBOSITY terse
SET linal.max_query_memory = '1GB';
BEGIN;
SET LOCAL linal.queue_timeout = 0;
ROLLBACK;
RESET linal.max_query_memory;
ALTER ROLE CURRENT_USER SET linal.max_query_memory = 0;
CREATE FUNCTION pg_temp.guc_lift() RETURNS int LANGUAGE sql SET linal.max_query_memory = 0 AS 'SELECT 1';
-- the superuser's limit holds for the role
SHOW linal.max_query_memory;
SELECT numel(tensor_fill('{1024,1024,2}', 1)) FROM generate_series(1, 1);
RESET ROLE;
-- a superuser may hand one setting to a role
GRANT SET ON PARAMETER linal.queue_timeout TO regress_linal_guc_user;
SET ROLE regress_linal_guc_user;
SET linal.queue_timeout = '2s';
SHOW linal.queue_timeout;
RESET ROLE;
REVOKE SET ON PARAMETER linal.queue_timeout FROM regress_linal_guc_user;
RESET linal.queue_timeout;
RESET linal.max_query_memory;
RESET linal.simd;
RESET linal.batched_execution;
RESET linal.batch_size;
RESET linal.hnsw_ef_search;
DROP FUNCTION guc_try_set(text, text);
DROP ROLE regress_linal_guc_user;
