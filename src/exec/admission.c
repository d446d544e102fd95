/*-------------------------------------------------------------------------
 *
 * admission.c
 *	  Admission control: at most linal.max_concurrent_queries queries doing
 *	  linal work run at once; the others wait, up to linal.queue_timeout.
 *
 * The counter of running linal queries lives in shared memory under a
 * spinlock; waiters sleep on a condition variable, so a wait is
 * interruptible (cancel, statement_timeout, termination) and costs no CPU.
 * A freed slot wakes one waiter, not all: with hundreds of clients queued,
 * waking every one per finished query costs more than the queries.  A
 * waiter that was woken but then leaves (timeout, cancel) could swallow the
 * wake-up, so waiters also look again every WAIT_POLL_MS on their own.
 * A slot is given back when its query's memory goes away (query_scope.c),
 * which Postgres guarantees on success, error and cancel; a backend that
 * exits gives back what it still holds (before_shmem_exit); a backend that
 * crashes makes the postmaster reinitialise shared memory.  So slots do not
 * leak.
 *
 * The counter is kept even with no limit (0): it is "active_queries" in
 * linal_stats.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "storage/ipc.h"
#include "utils/timestamp.h"

#include "exec/exec.h"

#define WAIT_POLL_MS 100

/* slots this backend holds now: 0 or 1 */
static int	my_slots = 0;
static bool exit_callback_registered = false;

static void
release_on_exit(int code, Datum arg)
{
	while (my_slots > 0)
		linal_admission_release();
}

static bool
try_take_slot(void)
{
	bool		taken = false;

	SpinLockAcquire(&linal_shared->mutex);
	if (linal_max_concurrent_queries == 0 ||
		linal_shared->active_queries < linal_max_concurrent_queries)
	{
		linal_shared->active_queries++;
		taken = true;
	}
	SpinLockRelease(&linal_shared->mutex);
	return taken;
}

/*
 * Take a slot for a statement doing linal work, waiting if all are taken.
 * Returns whether a slot was taken: false when shared memory is off, or
 * when this backend holds one already (a statement that started while an
 * open cursor's statement holds the slot runs in it: waiting would be
 * waiting for itself).
 */
bool
linal_admission_acquire(void)
{
	TimestampTz wait_start = 0;
	bool		waiting = false;

	if (linal_shared == NULL)
	{
		if (linal_max_concurrent_queries > 0)
			linal_report_shared_memory_off("linal admission control");
		return false;
	}
	if (my_slots > 0)
		return false;
	if (!exit_callback_registered)
	{
		before_shmem_exit(release_on_exit, (Datum) 0);
		exit_callback_registered = true;
	}

	while (!try_take_slot())
	{
		long		timeout_ms = WAIT_POLL_MS;

		if (!waiting)
		{
			waiting = true;
			wait_start = GetCurrentTimestamp();
			pg_atomic_fetch_add_u64(&linal_shared->queue_waits, 1);
			ConditionVariablePrepareToSleep(&linal_shared->slot_freed);
			continue;			/* test again now that we are on the queue */
		}
		if (linal_queue_timeout_ms > 0)
		{
			long		waited_ms = (long) ((GetCurrentTimestamp() - wait_start) / 1000);

			timeout_ms = Min(linal_queue_timeout_ms - waited_ms, WAIT_POLL_MS);
			if (timeout_ms <= 0)
			{
				ConditionVariableCancelSleep();
				/* pass on a wake-up this backend may have taken */
				ConditionVariableSignal(&linal_shared->slot_freed);
				pg_atomic_fetch_add_u64(&linal_shared->queue_timeouts, 1);
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
						 errmsg("linal query waited %d ms for one of %d query slots",
								linal_queue_timeout_ms, linal_max_concurrent_queries),
						 errdetail("linal.max_concurrent_queries queries doing linal work were running the whole time."),
						 errhint("Retry later, or raise linal.max_concurrent_queries or linal.queue_timeout.")));
			}
		}
		/* checks for interrupts: cancel and statement_timeout end the wait */
		ConditionVariableTimedSleep(&linal_shared->slot_freed, timeout_ms, PG_WAIT_EXTENSION);
	}
	if (waiting)
		ConditionVariableCancelSleep();
	my_slots++;
	return true;
}

void
linal_admission_release(void)
{
	Assert(linal_shared != NULL && my_slots > 0);
	SpinLockAcquire(&linal_shared->mutex);
	linal_shared->active_queries--;
	SpinLockRelease(&linal_shared->mutex);
	my_slots--;
	ConditionVariableSignal(&linal_shared->slot_freed);
}
