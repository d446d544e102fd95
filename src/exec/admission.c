/*-------------------------------------------------------------------------
 *
 * admission.c
 *	  Admission control: at most linal.max_concurrent_queries queries doing
 *	  linal work run at once; the others wait, in arrival order, up to
 *	  linal.queue_timeout.
 *
 * The counter of running linal queries and a queue of waiting backends live
 * in shared memory under one spinlock.  The queue is a doubly linked list
 * through an array with one entry per PGPROC (indexed by pgprocno), so a
 * waiter can leave from anywhere in it (cancel, timeout, exit) in O(1).
 *
 * Service is first come, first served, with hand-off: a backend that frees
 * a slot while others wait does not give the slot back to the pool, it
 * marks the head of the queue admitted (the slot stays counted in
 * active_queries) and sets that backend's latch.  A newly arriving query
 * joins the tail whenever anyone waits, even if it finds a slot free for a
 * moment.  So no query can overtake one that arrived before it: under load
 * the wait is the queue length times the service time, the same for every
 * query, and the tail of the latency distribution stays close to its
 * median.  (The condition variable used before woke waiters in order, but a
 * woken waiter went to the back of the queue when a new arrival took the
 * slot first, and some queries waited many rounds.)
 *
 * A wake-up cannot be lost: the admitted state is set under the spinlock
 * before the latch, and a waiter looks at its state after every latch
 * reset.  Waiters still wake every ADMISSION_POLL_MS to admit heads of the
 * queue themselves when slots are free, which only happens after
 * linal.max_concurrent_queries was raised.
 *
 * A waiter that leaves the queue after it was admitted (its cancel arrived
 * at the same moment) passes the slot on.  A slot is given back when its
 * query's memory goes away (query_scope.c), which Postgres guarantees on
 * success, error and cancel; a backend that exits leaves the queue and
 * gives back what it still holds (before_shmem_exit); a backend that
 * crashes makes the postmaster reinitialise shared memory.  So slots do not
 * leak and the queue does not stall.
 *
 * The counter is kept even with no limit (0): it is "active_queries" in
 * linal_stats.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/twophase.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"

#include "exec/exec.h"

/* a waiter looks for free slots on its own this often (limit raised) */
#define ADMISSION_POLL_MS 1000

#define NO_PROC (-1)

typedef enum WaiterState
{
	WAITER_IDLE,				/* not in the queue */
	WAITER_QUEUED,
	WAITER_ADMITTED				/* taken off the queue with a slot */
} WaiterState;

/* one per PGPROC, in shared memory; protected by linal_shared->mutex */
typedef struct AdmissionWaiter
{
	int			prev;			/* pgprocno, or NO_PROC */
	int			next;
	WaiterState state;
} AdmissionWaiter;

static AdmissionWaiter *waiters = NULL;

/* slots this backend holds now: 0 or 1 */
static int	my_slots = 0;
static bool exit_callback_registered = false;

static int
waiter_count(void)
{
	/* every PGPROC: backends, auxiliary processes, prepared transactions */
	return MaxBackends + NUM_AUXILIARY_PROCS + max_prepared_xacts;
}

Size
linal_admission_shmem_size(void)
{
	return mul_size(waiter_count(), sizeof(AdmissionWaiter));
}

/* Called from the shared memory startup hook, under AddinShmemInitLock. */
void
linal_admission_shmem_init(void)
{
	bool		found;

	waiters = ShmemInitStruct("linal admission queue",
							  linal_admission_shmem_size(), &found);
	if (!found)
	{
		int			i;

		linal_shared->queue_head = NO_PROC;
		linal_shared->queue_tail = NO_PROC;
		for (i = 0; i < waiter_count(); i++)
		{
			waiters[i].prev = NO_PROC;
			waiters[i].next = NO_PROC;
			waiters[i].state = WAITER_IDLE;
		}
	}
}

/* ---- the queue; all under linal_shared->mutex ---- */

static bool
slot_free_locked(void)
{
	return linal_max_concurrent_queries == 0 ||
		linal_shared->active_queries < linal_max_concurrent_queries;
}

static void
enqueue_locked(int procno)
{
	AdmissionWaiter *w = &waiters[procno];

	w->prev = linal_shared->queue_tail;
	w->next = NO_PROC;
	if (w->prev == NO_PROC)
		linal_shared->queue_head = procno;
	else
		waiters[w->prev].next = procno;
	linal_shared->queue_tail = procno;
	w->state = WAITER_QUEUED;
}

static void
unlink_locked(int procno)
{
	AdmissionWaiter *w = &waiters[procno];

	Assert(w->state == WAITER_QUEUED);
	if (w->prev == NO_PROC)
		linal_shared->queue_head = w->next;
	else
		waiters[w->prev].next = w->next;
	if (w->next == NO_PROC)
		linal_shared->queue_tail = w->prev;
	else
		waiters[w->next].prev = w->prev;
	w->prev = NO_PROC;
	w->next = NO_PROC;
	w->state = WAITER_IDLE;
}

/*
 * Admit waiters from the head of the queue while slots are free, after
 * first giving back one slot if give_back.  Each admitted backend is woken
 * by its latch, set outside the spinlock.
 */
static void
admit_waiters(bool give_back)
{
	for (;;)
	{
		int			procno = NO_PROC;

		SpinLockAcquire(&linal_shared->mutex);
		if (give_back)
		{
			Assert(linal_shared->active_queries > 0);
			linal_shared->active_queries--;
			give_back = false;
		}
		if (linal_shared->queue_head != NO_PROC && slot_free_locked())
		{
			procno = linal_shared->queue_head;
			unlink_locked(procno);
			waiters[procno].state = WAITER_ADMITTED;
			linal_shared->active_queries++;
		}
		SpinLockRelease(&linal_shared->mutex);
		if (procno == NO_PROC)
			break;
		SetLatch(&ProcGlobal->allProcs[procno].procLatch);
	}
}

/*
 * Leave the queue (cancel, error, exit).  Returns whether this backend had
 * been admitted: then it holds a slot, which it keeps if keep_slot and
 * passes on otherwise.
 */
static bool
leave_queue(bool keep_slot)
{
	AdmissionWaiter *w = &waiters[LINAL_MY_PROCNO];
	bool		admitted = false;

	SpinLockAcquire(&linal_shared->mutex);
	if (w->state == WAITER_QUEUED)
		unlink_locked(LINAL_MY_PROCNO);
	else if (w->state == WAITER_ADMITTED)
	{
		w->state = WAITER_IDLE;
		admitted = true;
	}
	SpinLockRelease(&linal_shared->mutex);
	if (admitted && !keep_slot)
		admit_waiters(true);
	return admitted;
}

static void
release_on_exit(int code, Datum arg)
{
	if (waiters != NULL)
		(void) leave_queue(false);
	while (my_slots > 0)
		linal_admission_release();
}

/* Wait on the queue until admitted; errors out after linal.queue_timeout. */
static void
wait_for_slot(void)
{
	TimestampTz wait_start = GetCurrentTimestamp();

	pg_atomic_fetch_add_u64(&linal_shared->queue_waits, 1);
	PG_TRY();
	{
		for (;;)
		{
			long		timeout_ms = ADMISSION_POLL_MS;
			bool		admitted;

			SpinLockAcquire(&linal_shared->mutex);
			admitted = (waiters[LINAL_MY_PROCNO].state == WAITER_ADMITTED);
			if (admitted)
				waiters[LINAL_MY_PROCNO].state = WAITER_IDLE;
			SpinLockRelease(&linal_shared->mutex);
			if (admitted)
				break;

			if (linal_queue_timeout_ms > 0)
			{
				long		waited_ms = (long) ((GetCurrentTimestamp() - wait_start) / 1000);

				timeout_ms = Min(linal_queue_timeout_ms - waited_ms, timeout_ms);
				if (timeout_ms <= 0)
				{
					/* admitted at the last moment: keep the slot */
					if (leave_queue(true))
						break;
					pg_atomic_fetch_add_u64(&linal_shared->queue_timeouts, 1);
					ereport(ERROR,
							(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
							 errmsg("linal query waited %d ms for one of %d query slots",
									linal_queue_timeout_ms, linal_max_concurrent_queries),
							 errdetail("linal.max_concurrent_queries queries doing linal work were running the whole time."),
							 errhint("Retry later, or raise linal.max_concurrent_queries or linal.queue_timeout.")));
				}
			}

			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 timeout_ms, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			/* cancel, statement_timeout and termination end the wait */
			CHECK_FOR_INTERRUPTS();
			/* free slots with waiters happen only after the limit was raised */
			admit_waiters(false);
		}
	}
	PG_CATCH();
	{
		(void) leave_queue(false);
		PG_RE_THROW();
	}
	PG_END_TRY();
}

/*
 * Take a slot for a statement doing linal work, waiting if all are taken
 * or others wait already.  Returns whether a slot was taken: false when
 * shared memory is off, in parallel workers, or when this backend holds one
 * already (a statement that started while an open cursor's statement holds
 * the slot runs in it: waiting would be waiting for itself).
 */
bool
linal_admission_acquire(void)
{
	bool		taken = false;

	if (linal_shared == NULL)
	{
		if (linal_max_concurrent_queries > 0)
			linal_report_shared_memory_off("linal admission control");
		return false;
	}
	/*
	 * A parallel worker runs part of its leader's query, in the leader's
	 * slot: waiting for a slot of its own would wait for the leader, which
	 * waits for its workers.
	 */
	if (my_slots > 0 || IsParallelWorker())
		return false;
	if (!exit_callback_registered)
	{
		before_shmem_exit(release_on_exit, (Datum) 0);
		exit_callback_registered = true;
	}

	Assert(waiters[LINAL_MY_PROCNO].state == WAITER_IDLE);
	SpinLockAcquire(&linal_shared->mutex);
	if (linal_shared->queue_head == NO_PROC && slot_free_locked())
	{
		linal_shared->active_queries++;
		taken = true;
	}
	else
		enqueue_locked(LINAL_MY_PROCNO);
	SpinLockRelease(&linal_shared->mutex);

	if (!taken)
	{
		/* others wait with slots free only if the limit was raised */
		admit_waiters(false);
		wait_for_slot();
	}
	my_slots++;
	return true;
}

/*
 * Give back this backend's slot.  At backend exit, release_on_exit may have
 * given it back already when the abort of the open transaction deletes the
 * query's memory and calls this again: then there is nothing to give.
 */
void
linal_admission_release(void)
{
	Assert(linal_shared != NULL);
	if (my_slots == 0)
		return;
	my_slots--;
	/* hands the slot to the head of the queue, if anyone waits */
	admit_waiters(true);
}
