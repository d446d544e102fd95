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

CREATE FUNCTION linal_stats_reset() RETURNS void
	AS 'MODULE_PATHNAME', 'linal_stats_reset' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION linal_stats_reset() IS 'resets the statistics of linal_stats';
REVOKE ALL ON FUNCTION linal_stats_reset() FROM PUBLIC;
