-- pgvector's index settings without pgvector: a WARNING with the name of
-- the setting linal reads instead, for SET, SET LOCAL and ALTER ... SET.
-- Never an error, and nothing for linal's own settings.
-- (the first tensor loads linal, whose hook gives the warning)
SELECT '[1,2]'::tensor;
SELECT count(*) FROM pg_extension WHERE extname = 'vector';

SET hnsw.ef_search = 100;
SHOW hnsw.ef_search;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 40000;
SET hnsw.scan_mem_multiplier = 2;
SET hnsw.something_else = 1;
SET ivfflat.probes = 10;
SET ivfflat.iterative_scan = relaxed_order;
BEGIN;
SET LOCAL hnsw.ef_search = 200;
SHOW hnsw.ef_search;
COMMIT;
SET SESSION hnsw.ef_search TO 300;
CREATE ROLE regress_pgv_settings;
ALTER ROLE regress_pgv_settings SET hnsw.ef_search = 100;
ALTER ROLE regress_pgv_settings SET linal.hnsw_ef_search = 100;
DROP ROLE regress_pgv_settings;
-- inside a function too: its SET is a statement of its own
DO $$ BEGIN SET hnsw.ef_search = 50; END $$;

-- no warning: linal's settings, RESET, other prefixes, SET ... TO DEFAULT
SET linal.hnsw_ef_search = 100;
SET linal.hnsw_iterative_scan = strict_order;
RESET hnsw.ef_search;
SET hnsw.ef_search TO DEFAULT;
SET myapp.hnsw = 1;
SET hnswx.ef_search = 1;
RESET ALL;
-- not caught: set_config() is a function call, not a statement
SELECT set_config('hnsw.ef_search', '60', false);
