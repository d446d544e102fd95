/*-------------------------------------------------------------------------
 *
 * stats.c
 *	  linal_stats and linal_stats_reset(): counters in shared memory,
 *	  updated when a top-level linal query ends.
 *
 * Latencies go into a histogram with four buckets per power of two of
 * microseconds (bucket b >= 1 holds [2^((b-1)/4), 2^(b/4)) us); p50 and p99
 * are read from it as the geometric middle of the bucket where the
 * percentile falls, so they are within 10% of the true value.  Counters
 * are atomics: updating them takes no lock and costs a few nanoseconds.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "exec/exec.h"
#include "kernels/kernels.h"

static int
latency_bucket(uint64 us)
{
	int			bucket;

	if (us == 0)
		return 0;
	bucket = (int) floor(4.0 * log2((double) us)) + 1;
	return Min(bucket, LINAL_LATENCY_BUCKETS - 1);
}

static void
raise_to(pg_atomic_uint64 *counter, uint64 value)
{
	uint64		seen = pg_atomic_read_u64(counter);

	while (seen < value && !pg_atomic_compare_exchange_u64(counter, &seen, value))
		;
}

void
linal_stats_query_done(LinalQueryScope *scope, uint64 elapsed_us)
{
	if (linal_shared == NULL)
		return;
	pg_atomic_fetch_add_u64(&linal_shared->queries, 1);
	pg_atomic_fetch_add_u64(&linal_shared->latency_buckets[latency_bucket(elapsed_us)], 1);
	pg_atomic_fetch_add_u64(&linal_shared->total_latency_us, elapsed_us);
	raise_to(&linal_shared->peak_query_memory_bytes, scope->peak_bytes);
	switch (scope->scan_kind)
	{
		case LINAL_SCAN_INDEX:
			pg_atomic_fetch_add_u64(&linal_shared->index_scans, 1);
			break;
		case LINAL_SCAN_BATCHED:
			pg_atomic_fetch_add_u64(&linal_shared->batched_scans, 1);
			break;
		case LINAL_SCAN_PLAIN:
			pg_atomic_fetch_add_u64(&linal_shared->plain_scans, 1);
			break;
		case LINAL_SCAN_NONE:
			break;
	}
}

void
linal_stats_count_batches(uint64 batches)
{
	if (linal_shared != NULL && batches > 0)
		pg_atomic_fetch_add_u64(&linal_shared->batches, batches);
}

/* the latency in ms below which `fraction` of the queries fall */
static double
latency_percentile_ms(const uint64 *buckets, uint64 total, double fraction)
{
	uint64		rank = (uint64) ceil(fraction * (double) total);
	uint64		seen = 0;
	int			b;

	for (b = 0; b < LINAL_LATENCY_BUCKETS; b++)
	{
		seen += buckets[b];
		if (seen >= Max(rank, 1))
			return b == 0 ? 0.0 : pow(2.0, ((double) b - 0.5) / 4.0) / 1000.0;
	}
	return 0.0;
}

#define STATS_COLUMNS 16

PG_FUNCTION_INFO_V1(linal_stats);
Datum
linal_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[STATS_COLUMNS];
	bool		nulls[STATS_COLUMNS];
	int			i = 0;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "linal_stats must return a composite type");
	Assert(tupdesc->natts == STATS_COLUMNS);
	memset(nulls, 0, sizeof(nulls));

	values[i++] = BoolGetDatum(linal_shared != NULL);
	values[i++] = CStringGetTextDatum(linal_kernels->name);
	if (linal_shared == NULL)
	{
		linal_report_shared_memory_off("linal_stats");
		for (; i < STATS_COLUMNS; i++)
			nulls[i] = true;
	}
	else
	{
		uint64		buckets[LINAL_LATENCY_BUCKETS];
		uint64		queries = 0;
		int			active;
		int			b;

		for (b = 0; b < LINAL_LATENCY_BUCKETS; b++)
		{
			buckets[b] = pg_atomic_read_u64(&linal_shared->latency_buckets[b]);
			queries += buckets[b];
		}
		SpinLockAcquire(&linal_shared->mutex);
		active = linal_shared->active_queries;
		SpinLockRelease(&linal_shared->mutex);

		values[i++] = Int64GetDatum((int64) pg_atomic_read_u64(&linal_shared->queries));
		values[i++] = Int32GetDatum(active);
		if (queries == 0)
		{
			nulls[i++] = true;
			nulls[i++] = true;
			nulls[i++] = true;
		}
		else
		{
			values[i++] = Float8GetDatum((double) pg_atomic_read_u64(&linal_shared->total_latency_us) /
										 (double) queries / 1000.0);
			values[i++] = Float8GetDatum(latency_percentile_ms(buckets, queries, 0.50));
			values[i++] = Float8GetDatum(latency_percentile_ms(buckets, queries, 0.99));
		}
		values[i++] = Int64GetDatum((int64) pg_atomic_read_u64(&linal_shared->peak_query_memory_bytes));
		values[i++] = Int64GetDatum((int64) pg_atomic_read_u64(&linal_shared->memory_limit_errors));
		values[i++] = Int64GetDatum((int64) pg_atomic_read_u64(&linal_shared->queue_waits));
		values[i++] = Int64GetDatum((int64) pg_atomic_read_u64(&linal_shared->queue_timeouts));
		values[i++] = Int64GetDatum((int64) pg_atomic_read_u64(&linal_shared->index_scans));
		values[i++] = Int64GetDatum((int64) pg_atomic_read_u64(&linal_shared->batched_scans));
		values[i++] = Int64GetDatum((int64) pg_atomic_read_u64(&linal_shared->plain_scans));
		values[i++] = Int64GetDatum((int64) pg_atomic_read_u64(&linal_shared->batches));
		values[i++] = TimestampTzGetDatum((TimestampTz) pg_atomic_read_u64(&linal_shared->reset_time));
	}
	Assert(i == STATS_COLUMNS);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(linal_stats_reset);
Datum
linal_stats_reset(PG_FUNCTION_ARGS)
{
	int			b;

	if (linal_shared == NULL)
	{
		linal_report_shared_memory_off("linal_stats");
		PG_RETURN_VOID();
	}
	pg_atomic_write_u64(&linal_shared->queries, 0);
	for (b = 0; b < LINAL_LATENCY_BUCKETS; b++)
		pg_atomic_write_u64(&linal_shared->latency_buckets[b], 0);
	pg_atomic_write_u64(&linal_shared->total_latency_us, 0);
	pg_atomic_write_u64(&linal_shared->peak_query_memory_bytes, 0);
	pg_atomic_write_u64(&linal_shared->memory_limit_errors, 0);
	pg_atomic_write_u64(&linal_shared->queue_waits, 0);
	pg_atomic_write_u64(&linal_shared->queue_timeouts, 0);
	pg_atomic_write_u64(&linal_shared->index_scans, 0);
	pg_atomic_write_u64(&linal_shared->batched_scans, 0);
	pg_atomic_write_u64(&linal_shared->plain_scans, 0);
	pg_atomic_write_u64(&linal_shared->batches, 0);
	pg_atomic_write_u64(&linal_shared->reset_time, (uint64) GetCurrentTimestamp());
	PG_RETURN_VOID();
}
