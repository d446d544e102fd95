/*-------------------------------------------------------------------------
 *
 * shmem.c
 *	  linal's shared memory: one LinalShared struct holding the admission
 *	  counter and the statistics of linal_stats, and the admission queue
 *	  (one entry per PGPROC, admission.c).
 *
 * Shared memory exists only when linal is loaded by
 * shared_preload_libraries (PostgreSQL 15 wants it requested in
 * shmem_request_hook and created in shmem_startup_hook).  Loaded on demand,
 * linal_shared stays NULL: admission control and linal_stats report that
 * they are off, everything else works.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"

#include "exec/exec.h"

LinalShared *linal_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
linal_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(add_size(MAXALIGN(sizeof(LinalShared)),
									MAXALIGN(linal_admission_shmem_size())));
}

static void
linal_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	linal_shared = ShmemInitStruct("linal", sizeof(LinalShared), &found);
	if (!found)
	{
		int			i;

		SpinLockInit(&linal_shared->mutex);
		linal_shared->active_queries = 0;
		pg_atomic_init_u64(&linal_shared->queries, 0);
		for (i = 0; i < LINAL_LATENCY_BUCKETS; i++)
			pg_atomic_init_u64(&linal_shared->latency_buckets[i], 0);
		pg_atomic_init_u64(&linal_shared->total_latency_us, 0);
		pg_atomic_init_u64(&linal_shared->peak_query_memory_bytes, 0);
		pg_atomic_init_u64(&linal_shared->memory_limit_errors, 0);
		pg_atomic_init_u64(&linal_shared->queue_waits, 0);
		pg_atomic_init_u64(&linal_shared->queue_timeouts, 0);
		pg_atomic_init_u64(&linal_shared->index_scans, 0);
		pg_atomic_init_u64(&linal_shared->batched_scans, 0);
		pg_atomic_init_u64(&linal_shared->plain_scans, 0);
		pg_atomic_init_u64(&linal_shared->batches, 0);
		pg_atomic_init_u64(&linal_shared->reset_time, (uint64) GetCurrentTimestamp());
	}
	linal_admission_shmem_init();
	LWLockRelease(AddinShmemInitLock);
}

/* Called from _PG_init: only the postmaster's preload can add shared memory. */
void
linal_shmem_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = linal_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = linal_shmem_startup;
}

/* NOTICE, once per backend, that a shared-memory feature is unavailable. */
void
linal_report_shared_memory_off(const char *feature)
{
	static bool reported = false;

	if (reported || linal_shared != NULL)
		return;
	reported = true;
	ereport(NOTICE,
			(errmsg("%s is off because linal is not in shared_preload_libraries", feature),
			 errhint("Add linal to shared_preload_libraries and restart the server.")));
}
