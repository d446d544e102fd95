/*-------------------------------------------------------------------------
 *
 * hnswparallel.c
 *	  linal_hnsw: CREATE INDEX with parallel workers.
 *
 * index_build asks the planner for workers only for btree, so hnsw_build
 * calls plan_create_index_workers itself and comes here when it gets some.
 * The leader makes a parallel context whose segment holds
 *	 - the shared state below, followed by a parallel heap scan;
 *	 - the graph's area (hnswgraph.c), sized for the rows the heap's size
 *	   suggests and within maintenance_work_mem;
 *	 - the query text, and every worker's buffer and WAL usage;
 * launches the workers and takes part itself, so a build whose workers do
 * not start (none free) runs the same way, alone.  Every participant scans
 * its share of the heap (table_index_build_scan over the parallel scan)
 * and inserts each row into the one shared graph.  Once every row is in,
 * the leader launches the workers again for a second phase: each
 * participant takes ranges of the graph's elements and searches for each
 * one with its own vector, linking the ones the search misses
 * (hnsw_graph_refind), as the serial build does before it writes.
 *
 * A full graph: from then on every participant appends its rows (heap TID
 * and vector) to its own file in a shared file set.  After the second
 * phase the leader writes the graph (hnsw_graph_write, as a serial build
 * does), then launches the workers again for a third phase: each
 * participant takes spill files one at a time and inserts their rows on
 * disk through aminsert's code, as concurrent INSERTs do (the update lock
 * on the metapage is a page lock, and page locks conflict within a lock
 * group, PostgreSQL 13 and later; the lists are changed under buffer
 * locks).  No row is lost: the leader takes part, and inserts every file
 * alone when no worker starts.  Then the leader searches for every element
 * on the pages (hnsw_build_finish_on_disk), since the rows inserted on disk
 * pushed in-links out of the lists that the second phase had made
 * findable.
 *
 * Progress: workers cannot report for the leader's command, so the count
 * of rows in the graph is kept in shared memory and the leader reports it
 * (PROGRESS_CREATEIDX_TUPLES_DONE) while it scans, then counts on as it
 * inserts spilled rows.
 *
 * Errors and cancels: a worker's error is raised again in the leader; the
 * leader's abort terminates the workers and detaches the segment, which
 * frees the graph and deletes the spill files.  An aborting process
 * releases its LWLocks, and nobody waits for a lock while holding one that
 * could be waited for in turn (hnswgraph.c), so no lock is held forever.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>

#include "access/parallel.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "executor/instrument.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/buffile.h"
#include "storage/lwlock.h"
#include "storage/sharedfileset.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "am/hnsw.h"
#include "am/hnswgraph.h"

/* keys of the segment's table of contents ("LHSN" and a number) */
#define HNSW_KEY_SHARED			UINT64CONST(0x4C48534E00000001)
#define HNSW_KEY_GRAPH			UINT64CONST(0x4C48534E00000002)
#define HNSW_KEY_QUERY_TEXT		UINT64CONST(0x4C48534E00000003)
#define HNSW_KEY_BUFFER_USAGE	UINT64CONST(0x4C48534E00000004)
#define HNSW_KEY_WAL_USAGE		UINT64CONST(0x4C48534E00000005)

typedef struct HnswBuildShared
{
	/* set by the leader before the workers start */
	Oid			heaprelid;
	Oid			indexrelid;
	bool		isconcurrent;
	int			lwlock_tranche;
	/* rows in the graph (progress) and rows spilled to files */
	pg_atomic_uint64 rows_in_graph;
	pg_atomic_uint64 rows_spilled;
	/* the second phase: every element searched for (hnsw_graph_refind) */
	bool		refinding;		/* set by the leader before relaunching */
	pg_atomic_uint64 next_refind;	/* the first id of the next range to take */
	pg_atomic_uint64 refound;	/* elements linked */
	/* the third phase: spill files inserted on disk */
	bool		inserting;		/* set by the leader before relaunching */
	int			files;			/* spill files: the leader's (-1), then 0.. */
	pg_atomic_uint32 next_file; /* the next file to take, counted from 0 */
	pg_atomic_uint64 rows_inserted;
	pg_atomic_uint64 orphans;	/* spilled rows no neighbour took */
	/* heap tuples scanned, summed as the participants finish */
	slock_t		mutex;
	double		heap_tuples;
	SharedFileSet fileset;
	/* a ParallelTableScanDesc follows at BUFFERALIGN(sizeof(HnswBuildShared)) */
} HnswBuildShared;

#define SHARED_SCAN(shared) \
	((ParallelTableScanDesc) ((char *) (shared) + BUFFERALIGN(sizeof(HnswBuildShared))))

/* One participant (the leader or a worker), in its own memory. */
typedef struct Participant
{
	HnswBuildShared *shared;
	HnswIndex	hi;
	HnswGraph  *graph;
	bool		leader;
	BufFile    *spill;			/* NULL until its first row that did not fit */
	MemoryContext context;		/* lives as long as the participation */
	MemoryContext tuple_context;	/* reset per row */
} Participant;

/* An LWLock tranche for the graph's locks, taken once per backend. */
static int	hnsw_build_tranche = 0;

#define SPILL_NAME_LEN 32

static void
spill_name(char *name, int participant)
{
	if (participant < 0)
		snprintf(name, SPILL_NAME_LEN, "linal_hnsw.leader");
	else
		snprintf(name, SPILL_NAME_LEN, "linal_hnsw.%d", participant);
}

static void
spill_row(Participant *p, ItemPointer tid, const void *vec)
{
	if (p->spill == NULL)
	{
		char		name[SPILL_NAME_LEN];
		MemoryContext old = MemoryContextSwitchTo(p->context);

		spill_name(name, p->leader ? -1 : ParallelWorkerNumber);
		p->spill = BufFileCreateFileSet(&p->shared->fileset.fs, name);
		MemoryContextSwitchTo(old);
	}
	BufFileWrite(p->spill, tid, sizeof(ItemPointerData));
	/*
	 * what the on-disk insert takes (an int8 index's floats); a sparse
	 * code's first bytes are its length (nnz): it is written whole
	 */
	BufFileWrite(p->spill, (void *) vec, hnsw_row_size(&p->hi, vec));
	pg_atomic_fetch_add_u64(&p->shared->rows_spilled, 1);
}

static void
participant_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
					 bool tupleIsAlive, void *arg)
{
	Participant *p = (Participant *) arg;
	MemoryContext old;
	void	   *vec;

	if (isnull[0])
		return;
	old = MemoryContextSwitchTo(p->tuple_context);
	vec = hnsw_build_prepare_value(&p->hi, values[0]);
	if (vec != NULL)
	{
		/* once the graph is full it stays full: no need to ask again */
		if (p->spill == NULL && hnsw_graph_insert(p->graph, vec, tid))
		{
			uint64		done = pg_atomic_add_fetch_u64(&p->shared->rows_in_graph, 1);

			if (p->leader)
				pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) done);
		}
		else
			spill_row(p, tid, vec);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(p->tuple_context);
}

/* Scan this participant's share of the heap into the graph. */
static void
participate(Participant *p, Relation heap, Relation index, IndexInfo *indexInfo)
{
	TableScanDesc scan;
	double		heap_tuples;

	p->context = CurrentMemoryContext;
	p->tuple_context = AllocSetContextCreate(CurrentMemoryContext, "linal_hnsw build tuple",
											 ALLOCSET_DEFAULT_SIZES);
	scan = table_beginscan_parallel(heap, SHARED_SCAN(p->shared));
	heap_tuples = table_index_build_scan(heap, index, indexInfo, true, p->leader,
										 participant_callback, p, scan);
	if (p->spill != NULL)
	{
		BufFileClose(p->spill);
		p->spill = NULL;
	}
	SpinLockAcquire(&p->shared->mutex);
	p->shared->heap_tuples += heap_tuples;
	SpinLockRelease(&p->shared->mutex);
	MemoryContextDelete(p->tuple_context);
}

/*
 * The row after a spilled row's TID into vec (vec_bytes): a fixed size (a
 * code, or an int8 index's floats), or a sparse code's length (nnz)
 * and then the rest; false
 * when the file ends early or holds a length past vec.
 */
static bool
read_spilled_code(Participant *p, BufFile *file, void *vec, Size vec_bytes)
{
	Size		head = sizeof(uint32);
	Size		bytes;

	if (p->hi.format != LINAL_HNSW_FORMAT_SPARSE)
		return BufFileRead(file, vec, vec_bytes) == vec_bytes;
	if (BufFileRead(file, vec, head) != head ||
		HNSW_SPARSE_NNZ(vec) > HNSW_SPARSE_MAX_NNZ)
		return false;
	bytes = (Size) hnsw_code_size(&p->hi, vec);
	Assert(bytes <= vec_bytes);
	return BufFileRead(file, (char *) vec + head, bytes - head) == bytes - head;
}

/*
 * Insert the rows of one spill file on disk (the graph is written); the
 * leader reports progress, counted over all participants.
 */
static void
insert_spilled(Participant *p, int participant)
{
	char		name[SPILL_NAME_LEN];
	/* the largest row: every row's size but a sparse code's */
	Size		vec_bytes = hnsw_rows_are_floats(&p->hi) ? hnsw_row_size(&p->hi, NULL) :
		(Size) p->hi.code_bytes;
	void	   *vec;
	MemoryContext context;
	BufFile    *file;

	spill_name(name, participant);
	file = BufFileOpenFileSet(&p->shared->fileset.fs, name, O_RDONLY, true);
	if (file == NULL)
		return;					/* this one spilled nothing */
	vec = palloc(vec_bytes);
	context = AllocSetContextCreate(CurrentMemoryContext, "linal_hnsw spilled row",
									ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		ItemPointerData tid;
		size_t		got = BufFileRead(file, &tid, sizeof(tid));
		MemoryContext old;
		uint64		done;

		CHECK_FOR_INTERRUPTS();
		if (got == 0)
			break;
		if (got != sizeof(tid) || !read_spilled_code(p, file, vec, vec_bytes))
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read the rows linal_hnsw set aside in temporary file \"%s\"",
							name)));
		old = MemoryContextSwitchTo(context);
		if (!hnsw_insert_element(&p->hi, vec, &tid))
			pg_atomic_fetch_add_u64(&p->shared->orphans, 1);
		MemoryContextSwitchTo(old);
		MemoryContextReset(context);
		done = pg_atomic_add_fetch_u64(&p->shared->rows_inserted, 1);
		if (p->leader)
			pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE,
										 (int64) (pg_atomic_read_u64(&p->shared->rows_in_graph) + done));
	}
	BufFileClose(file);
	MemoryContextDelete(context);
	pfree(vec);
}

/* The second phase: take ranges of ids until none is left. */
#define REFIND_RANGE 1024

static void
refind_ranges(Participant *p)
{
	int64		count = hnsw_graph_count(p->graph);

	for (;;)
	{
		int64		first = (int64) pg_atomic_fetch_add_u64(&p->shared->next_refind, REFIND_RANGE);

		if (first >= count)
			break;
		pg_atomic_fetch_add_u64(&p->shared->refound,
								(uint64) hnsw_graph_refind(p->graph, first, first + REFIND_RANGE));
	}
}

/* The third phase: take spill files until none is left. */
static void
insert_spill_files(Participant *p)
{
	for (;;)
	{
		uint32		file = pg_atomic_fetch_add_u32(&p->shared->next_file, 1);

		if ((int) file >= p->shared->files)
			break;
		/* file 0 is the leader's, named -1; then worker k's, named k */
		insert_spilled(p, (int) file - 1);
	}
}

/* Entry point of a worker (CreateParallelContext names it). */
void
hnsw_parallel_build_main(dsm_segment *seg, shm_toc *toc)
{
	HnswBuildShared *shared = shm_toc_lookup(toc, HNSW_KEY_SHARED, false);
	BufferUsage *buffer_usage;
	WalUsage   *wal_usage;
	LOCKMODE	heap_lockmode;
	LOCKMODE	index_lockmode;
	Relation	heap;
	Relation	index;
	IndexInfo  *indexInfo;
	Participant p;

	debug_query_string = shm_toc_lookup(toc, HNSW_KEY_QUERY_TEXT, true);
	pgstat_report_activity(STATE_RUNNING, debug_query_string);

	/* the modes index.c holds in the leader: no conflict within the lock group */
	if (!shared->isconcurrent)
	{
		heap_lockmode = ShareLock;
		index_lockmode = AccessExclusiveLock;
	}
	else
	{
		heap_lockmode = ShareUpdateExclusiveLock;
		index_lockmode = RowExclusiveLock;
	}
	heap = table_open(shared->heaprelid, heap_lockmode);
	index = index_open(shared->indexrelid, index_lockmode);
	indexInfo = BuildIndexInfo(index);
	indexInfo->ii_Concurrent = shared->isconcurrent;
	SharedFileSetAttach(&shared->fileset, seg);
	LWLockRegisterTranche(shared->lwlock_tranche, "linal_hnsw_build");

	memset(&p, 0, sizeof(p));
	p.shared = shared;
	p.leader = false;
	hnsw_open(&p.hi, index);

	InstrStartParallelQuery();
	if (shared->inserting)
		insert_spill_files(&p);
	else
	{
		p.graph = hnsw_graph_attach(&p.hi, shm_toc_lookup(toc, HNSW_KEY_GRAPH, false), true);
		if (shared->refinding)
			refind_ranges(&p);
		else
			participate(&p, heap, index, indexInfo);
		hnsw_graph_free(p.graph);
	}
	buffer_usage = shm_toc_lookup(toc, HNSW_KEY_BUFFER_USAGE, false);
	wal_usage = shm_toc_lookup(toc, HNSW_KEY_WAL_USAGE, false);
	InstrEndParallelQuery(&buffer_usage[ParallelWorkerNumber], &wal_usage[ParallelWorkerNumber]);

	index_close(index, index_lockmode);
	table_close(heap, heap_lockmode);
}

bool
hnsw_build_parallel(Relation heap, Relation index, IndexInfo *indexInfo, HnswIndex *hi,
					int nworkers, double graph_rows, IndexBuildResult *result)
{
	ParallelContext *pcxt;
	Snapshot	snapshot;
	Size		shared_bytes;
	Size		graph_bytes;
	Size		query_len = 0;
	HnswBuildShared *shared;
	void	   *area;
	BufferUsage *buffer_usage;
	WalUsage   *wal_usage;
	Participant p;
	int64		in_graph;
	int64		spilled;
	int64		done;
	bool		refound_apart;
	int			i;

	Assert(nworkers > 0 && hi->dimensions > 0);
	if (hnsw_build_tranche == 0)
		hnsw_build_tranche = LWLockNewTrancheId();
	LWLockRegisterTranche(hnsw_build_tranche, "linal_hnsw_build");

	EnterParallelMode();
	pcxt = CreateParallelContext("linal", "hnsw_parallel_build_main", nworkers);

	/* what a serial build would see: every tuple, or an MVCC snapshot for CONCURRENTLY */
	snapshot = indexInfo->ii_Concurrent ? RegisterSnapshot(GetTransactionSnapshot()) : SnapshotAny;

	shared_bytes = add_size(BUFFERALIGN(sizeof(HnswBuildShared)),
							table_parallelscan_estimate(heap, snapshot));
	graph_bytes = hnsw_graph_area_size(hi, (Size) maintenance_work_mem * 1024, graph_rows,
									   nworkers + 1);
	shm_toc_estimate_chunk(&pcxt->estimator, shared_bytes);
	shm_toc_estimate_chunk(&pcxt->estimator, graph_bytes);
	shm_toc_estimate_chunk(&pcxt->estimator, mul_size(sizeof(BufferUsage), pcxt->nworkers));
	shm_toc_estimate_chunk(&pcxt->estimator, mul_size(sizeof(WalUsage), pcxt->nworkers));
	shm_toc_estimate_keys(&pcxt->estimator, 4);
	if (debug_query_string)
	{
		query_len = strlen(debug_query_string);
		shm_toc_estimate_chunk(&pcxt->estimator, query_len + 1);
		shm_toc_estimate_keys(&pcxt->estimator, 1);
	}
	InitializeParallelDSM(pcxt);
	if (pcxt->seg == NULL)
	{
		/* no segment to be had (too many in use): build serially */
		if (IsMVCCSnapshot(snapshot))
			UnregisterSnapshot(snapshot);
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		return false;
	}

	shared = shm_toc_allocate(pcxt->toc, shared_bytes);
	shared->heaprelid = RelationGetRelid(heap);
	shared->indexrelid = RelationGetRelid(index);
	shared->isconcurrent = indexInfo->ii_Concurrent;
	shared->lwlock_tranche = hnsw_build_tranche;
	pg_atomic_init_u64(&shared->rows_in_graph, 0);
	pg_atomic_init_u64(&shared->rows_spilled, 0);
	shared->refinding = false;
	pg_atomic_init_u64(&shared->next_refind, 0);
	pg_atomic_init_u64(&shared->refound, 0);
	shared->inserting = false;
	shared->files = 0;
	pg_atomic_init_u32(&shared->next_file, 0);
	pg_atomic_init_u64(&shared->rows_inserted, 0);
	pg_atomic_init_u64(&shared->orphans, 0);
	SpinLockInit(&shared->mutex);
	shared->heap_tuples = 0;
	SharedFileSetInit(&shared->fileset, pcxt->seg);
	table_parallelscan_initialize(heap, SHARED_SCAN(shared), snapshot);
	shm_toc_insert(pcxt->toc, HNSW_KEY_SHARED, shared);

	area = shm_toc_allocate(pcxt->toc, graph_bytes);
	hnsw_graph_area_init(area, graph_bytes, hi, hnsw_build_tranche);
	shm_toc_insert(pcxt->toc, HNSW_KEY_GRAPH, area);

	buffer_usage = shm_toc_allocate(pcxt->toc, mul_size(sizeof(BufferUsage), pcxt->nworkers));
	shm_toc_insert(pcxt->toc, HNSW_KEY_BUFFER_USAGE, buffer_usage);
	wal_usage = shm_toc_allocate(pcxt->toc, mul_size(sizeof(WalUsage), pcxt->nworkers));
	shm_toc_insert(pcxt->toc, HNSW_KEY_WAL_USAGE, wal_usage);
	if (debug_query_string)
	{
		char	   *query = shm_toc_allocate(pcxt->toc, query_len + 1);

		memcpy(query, debug_query_string, query_len + 1);
		shm_toc_insert(pcxt->toc, HNSW_KEY_QUERY_TEXT, query);
	}

	LaunchParallelWorkers(pcxt);
	ereport(DEBUG1,
			(errmsg_internal("linal_hnsw: parallel build of \"%s\" with %d of %d workers launched",
							 RelationGetRelationName(index), pcxt->nworkers_launched, nworkers)));

	/* take part; alone (no worker started) there is nothing to lock against */
	memset(&p, 0, sizeof(p));
	p.shared = shared;
	p.hi = *hi;
	p.leader = true;
	p.graph = hnsw_graph_attach(&p.hi, area, pcxt->nworkers_launched > 0);
	participate(&p, heap, index, indexInfo);
	WaitForParallelWorkersToFinish(pcxt);
	for (i = 0; i < pcxt->nworkers_launched; i++)
		InstrAccumParallelQuery(&buffer_usage[i], &wal_usage[i]);

	in_graph = (int64) pg_atomic_read_u64(&shared->rows_in_graph);
	spilled = (int64) pg_atomic_read_u64(&shared->rows_spilled);
	Assert(hnsw_graph_count(p.graph) == in_graph);
	done = in_graph;
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, done);
	if (spilled > 0)
		hnsw_build_notice_spill(in_graph);
	refound_apart = pcxt->nworkers_launched > 0;
	if (refound_apart)
	{
		/* the second phase: every participant searches for ranges of elements */
		shared->refinding = true;
		ReinitializeParallelDSM(pcxt);
		LaunchParallelWorkers(pcxt);
		refind_ranges(&p);
		WaitForParallelWorkersToFinish(pcxt);
		for (i = 0; i < pcxt->nworkers_launched; i++)
			InstrAccumParallelQuery(&buffer_usage[i], &wal_usage[i]);
		shared->refinding = false;
		ereport(DEBUG1,
				(errmsg_internal("linal_hnsw: build of \"%s\" linked " UINT64_FORMAT " elements that a search for their own vector missed, with %d workers",
								 RelationGetRelationName(index),
								 pg_atomic_read_u64(&shared->refound), pcxt->nworkers_launched)));
	}
	/* alone, the leader searches for them as it writes */
	hnsw_graph_write(p.graph, !refound_apart);
	if (spilled > 0)
	{
		/* the third phase: every participant inserts whole spill files */
		shared->files = pcxt->nworkers_launched + 1;
		shared->inserting = true;
		if (pcxt->nworkers_launched > 0)
		{
			ReinitializeParallelDSM(pcxt);
			LaunchParallelWorkers(pcxt);
		}
		ereport(DEBUG1,
				(errmsg_internal("linal_hnsw: inserting " INT64_FORMAT " spilled rows of \"%s\" with %d workers",
								 spilled, RelationGetRelationName(index), pcxt->nworkers_launched)));
		insert_spill_files(&p);
		WaitForParallelWorkersToFinish(pcxt);
		for (i = 0; i < pcxt->nworkers_launched; i++)
			InstrAccumParallelQuery(&buffer_usage[i], &wal_usage[i]);
		done += (int64) pg_atomic_read_u64(&shared->rows_inserted);
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, done);
		hnsw_build_finish_on_disk(&p.hi, pg_atomic_read_u64(&shared->orphans) > 0);
	}
	Assert(done == in_graph + spilled);
	result->heap_tuples = shared->heap_tuples;
	result->index_tuples = (double) done;

	hnsw_graph_free(p.graph);
	if (IsMVCCSnapshot(snapshot))
		UnregisterSnapshot(snapshot);
	DestroyParallelContext(pcxt);
	ExitParallelMode();
	return true;
}
