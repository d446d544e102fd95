-- linal: the execution layer's statistics (shared memory; needs linal in
-- shared_preload_libraries, otherwise shared_memory is false and the
-- counters are NULL)
CREATE FUNCTION linal_stats(
	OUT shared_memory boolean,
	OUT kernel text,
	OUT queries bigint,
	OUT active_queries integer,
	OUT latency_mean_ms double precision,
	OUT latency_p50_ms double precision,
	OUT latency_p99_ms double precision,
	OUT peak_query_memory_bytes bigint,
	OUT memory_limit_errors bigint,
	OUT queue_waits bigint,
	OUT queue_timeouts bigint,
	OUT index_scans bigint,
	OUT batched_scans bigint,
	OUT plain_scans bigint,
	OUT batches bigint,
	OUT stats_reset timestamp with time zone)
	AS 'MODULE_PATHNAME', 'linal_stats' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION linal_stats() IS 'statistics of the linal execution layer';

CREATE VIEW linal_stats AS SELECT * FROM linal_stats();
COMMENT ON VIEW linal_stats IS 'statistics of the linal execution layer (needs shared_preload_libraries)';

-- The counters describe every role's queries (their latency, memory and
-- waits), so they are monitoring data: readable by pg_read_all_stats (and
-- so pg_monitor, a member of it) and superusers, not by PUBLIC.  The view
-- and the function behind it get the same grant, since a view's functions
-- are checked against the role that queries it.
REVOKE ALL ON FUNCTION linal_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION linal_stats() TO pg_read_all_stats;
REVOKE ALL ON linal_stats FROM PUBLIC;
GRANT SELECT ON linal_stats TO pg_read_all_stats;

-- Resetting loses everyone's counters: superusers only, like
-- pg_stat_reset(); a superuser may GRANT EXECUTE to a monitoring role.
CREATE FUNCTION linal_stats_reset() RETURNS void
	AS 'MODULE_PATHNAME', 'linal_stats_reset' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION linal_stats_reset() IS 'resets the statistics of linal_stats';
REVOKE ALL ON FUNCTION linal_stats_reset() FROM PUBLIC;
