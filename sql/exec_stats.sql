-- linal_stats and linal_stats_reset().  With linal in
-- shared_preload_libraries the counters run (expected/exec_stats.out);
-- loaded on demand they are NULL and a NOTICE says why
-- (expected/exec_stats_1.out).
CREATE TABLE st_items AS
SELECT id, tensor_fill(ARRAY[4], id % 17) AS v FROM generate_series(1, 100) id;
ANALYZE st_items;
SELECT linal_stats_reset();
SELECT shared_memory, kernel = linal_kernel_isa() AS kernel_ok, queries, active_queries
FROM linal_stats;
-- one batched scan, one plain scan, one query that scans no table
SELECT count(*) FROM (SELECT id FROM st_items ORDER BY v <-> '[1,1,1,1]' LIMIT 3) s;
SELECT count(*) FROM st_items WHERE v <-> '[1,1,1,1]' < 3;
SET linal.batched_execution = off;
SELECT count(*) FROM st_items WHERE v <-> '[1,1,1,1]' < 3;
RESET linal.batched_execution;
SELECT numel(tensor_fill(ARRAY[n], 1)) FROM generate_series(3, 3) n;
-- queries without linal work are not counted
SELECT count(*) FROM st_items WHERE id < 10;
SELECT count(v) FROM st_items;
SELECT queries, active_queries, batched_scans, plain_scans, index_scans,
       batches >= 1 AS batched, latency_p50_ms > 0 AS p50, latency_p99_ms >= latency_p50_ms AS p99,
       latency_mean_ms > 0 AS mean, peak_query_memory_bytes > 0 AS peak,
       memory_limit_errors, queue_waits, queue_timeouts
FROM linal_stats;
-- memory limit errors are counted
SET linal.max_query_memory = '1MB';
SELECT numel(tensor_fill(ARRAY[n, n], 1)) FROM generate_series(1000, 1000) n;
RESET linal.max_query_memory;
SELECT memory_limit_errors FROM linal_stats;
SELECT linal_stats_reset();
SELECT queries, batched_scans, plain_scans, memory_limit_errors, stats_reset <= now() AS reset_ok
FROM linal_stats;
-- only superusers reset
CREATE ROLE st_user;
SET ROLE st_user;
SELECT linal_stats_reset();
RESET ROLE;
DROP ROLE st_user;
DROP TABLE st_items;
