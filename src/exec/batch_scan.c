/*-------------------------------------------------------------------------
 *
 * batch_scan.c
 *	  Executor half of the batched scan (custom scan "LinalBatchScan").
 *
 * The scan reads the table in batches of up to linal.batch_size rows.  For
 * each row it evaluates the ordinary quals, then notes where the row's
 * vector of each distance lies (the ORDER BY distance and each distance
 * filter).  A full batch is scored by one kernel call per distance over
 * those row pointers (dot_batch / l2_squared_batch; cosine and L1 walk
 * them), bit-identical to the per-row operator, and then:
 *	- with ORDER BY ... LIMIT k: rows that pass the filters enter a max-heap
 *	  of the k best (ties keep the earlier row in scan order); after the
 *	  scan the heap is sorted and returned, followed, while fewer than k rows
 *	  came out, by rows whose distance is NULL (where ORDER BY ... ASC puts
 *	  them), the first in scan order;
 *	- without: the batch's rows that pass the filters are returned.
 *
 * On a heap table (the usual case) nothing is copied: the scan reads each
 * page with the heap's page-at-a-time visibility check and scores vectors
 * where they lie on the page, which the batch keeps pinned (at most
 * BATCH_MAX_PAGES pages, so a batch ends early on pages of few rows).
 * Values that are not plain inline varlenas with a 4-byte header (short
 * header, compressed, TOAST) are detoasted into batch memory.  Filter-only
 * scans return rows straight from their pinned page; ORDER BY scans
 * remember rows by TID and fetch the k winners again (same snapshot).
 * Other table AMs go through their slot, with each vector copied.
 * Errors match the operator's: a row whose shape differs from the query
 * raises the same 22000, an overflow 22003.
 *
 * Memory: per-row work in the ExprContext's per-tuple memory (reset per
 * row); detoasted and copied values in batch_context (reset per batch, and
 * a batch ends early past BATCH_MAX_COPY_BYTES of them); the query
 * vectors, the batch's row arrays, the pin list and the top-k heaps in
 * scan_context (reset on rescan); all under the query's context.  Pins are
 * dropped per batch, at the end and on rescan, and by the resource owner
 * on error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/detoast.h"
#include "access/heapam.h"
#include "access/tableam.h"
#include "catalog/pg_am.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "nodes/makefuncs.h"
#include "utils/memutils.h"
#include "utils/ruleutils.h"

#include "algebra/algebra.h"
#include "exec/batch_scan.h"
#include "types/tensor.h"

/* One distance computed per row: the ORDER BY one or a filter. */
typedef struct BatchDistance
{
	LinalDistance kind;
	AttrNumber	attno;
	bool		var_left;
	ExprState  *query_state;
	ExprState  *bound_state;	/* filters only */
	bool		inclusive;		/* filters: <= rather than < */

	/* set when the scan starts (scan_context) */
	Tensor	   *query;			/* NULL when the query expression is NULL */
	bool		bound_null;
	double		bound;

	/* per batch (batch_context) */
	const float **rows;			/* each row's vector: on its page, or a copy */
	float	   *raw;			/* kernel output per row */
	bool	   *row_null;		/* the row's value is NULL */
	double	   *score;			/* the operator's value per row */
	bool	   *score_null;
} BatchDistance;

typedef struct HeapEntry
{
	double		score;
	uint64		sequence;		/* scan order: the earlier row wins ties */
	ItemPointerData tid;
} HeapEntry;

typedef struct BatchScanState
{
	CustomScanState css;
	ExprState  *quals;
	BatchDistance *order;		/* NULL without ORDER BY */
	BatchDistance filters[BATCH_MAX_FILTERS];
	int			filter_count;
	int			limit_k;
	int			batch_size;		/* linal.batch_size when the scan began */

	MemoryContext scan_context;
	MemoryContext batch_context;
	TableScanDesc scan;
	TupleTableSlot *table_slot; /* the table AM's slot the scan reads into */
	bool		started;
	bool		scan_done;
	uint64		sequence;		/* slot path: rows read so far */

	/*
	 * Heap path: pages are read in place.  The pages the current batch
	 * points into stay pinned (pins, scan_context) until the next batch.
	 */
	bool		heap_pages;
	BlockNumber next_block;
	int			page_remaining; /* visible tuples of the scan's page not read */
	Buffer	   *pins;
	int			pin_count;

	/* the current batch */
	Size		batch_bytes;	/* copied into batch_context */
	ItemPointerData *tids;
	uint64	   *sequences;		/* scan order of each row */
	Buffer	   *buffers;		/* heap path: the pinned page of each row */
	int			row_count;
	int			emit_position;	/* filter-only mode: next row to return */
	bool	   *passes;

	/* ORDER BY: heap of the k best, then NULL-distance rows in scan order */
	HeapEntry  *heap;
	int			heap_count;
	HeapEntry  *null_rows;
	int			null_count;
	bool		sorted;

	/* EXPLAIN ANALYZE and linal_stats */
	uint64		batches;
	uint64		batches_reported;
	uint64		rows_scored;
} BatchScanState;

/*
 * A batch pins at most this many heap pages.  A backend tracks its first 8
 * pinned buffers in an array and any more in a hash table, which costs a
 * lookup per pin; 6 leaves room for the slot's page and an outer plan's.
 * Measured on 100K x 128 (docs/BENCHMARKS.md): 6 pages is as fast as 8-16
 * and faster than 1.
 */
#define BATCH_MAX_PAGES 6

/*
 * A batch ends early once the values it had to copy (detoasted, or from a
 * slot) pass this, so large tensors do not multiply by linal.batch_size.
 */
#define BATCH_MAX_COPY_BYTES ((Size) 16 * 1024 * 1024)

/* kind, attno, var_left from the front of the integer list */
static void
init_distance(BatchDistance *d, List **ints)
{
	d->kind = (LinalDistance) linitial_int(*ints);
	d->attno = (AttrNumber) lsecond_int(*ints);
	d->var_left = lthird_int(*ints) != 0;
	*ints = list_delete_first_n(*ints, 3);
}

static Node *
create_batch_scan_state(CustomScan *cscan)
{
	BatchScanState *state = (BatchScanState *) newNode(sizeof(BatchScanState), T_CustomScanState);

	state->css.methods = &linal_batch_exec_methods;
	state->css.flags = cscan->flags;
	return (Node *) state;
}

static void
begin_batch_scan(CustomScanState *node, EState *estate, int eflags)
{
	BatchScanState *state = (BatchScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *ints = list_copy(linitial(cscan->custom_private));
	Expr	   *order_query = linitial(cscan->custom_exprs);
	List	   *filter_exprs = lsecond(cscan->custom_exprs);
	List	   *quals = lthird(cscan->custom_exprs);
	LinalDistance order_kind = (LinalDistance) linitial_int(ints);
	int			i;

	/*
	 * The quals run on the table AM's slot, not on the custom scan's virtual
	 * one: compile them for that slot type, or they would skip deforming.
	 */
	state->table_slot = table_slot_create(node->ss.ss_currentRelation, &estate->es_tupleTable);
	{
		const TupleTableSlotOps *scan_ops = node->ss.ps.scanops;

		node->ss.ps.scanops = state->table_slot->tts_ops;
		state->quals = ExecInitQual(quals, &node->ss.ps);
		node->ss.ps.scanops = scan_ops;
	}
	if (order_kind != LINAL_DISTANCE_NONE)
	{
		state->order = palloc0(sizeof(BatchDistance));
		init_distance(state->order, &ints);
		state->order->query_state = ExecInitExpr(order_query, &node->ss.ps);
	}
	else
		ints = list_delete_first_n(ints, 3);
	state->limit_k = linitial_int(ints);
	state->filter_count = lsecond_int(ints);
	ints = list_delete_first_n(ints, 2);
	Assert(state->filter_count <= BATCH_MAX_FILTERS);
	for (i = 0; i < state->filter_count; i++)
	{
		BatchDistance *f = &state->filters[i];

		init_distance(f, &ints);
		f->inclusive = linitial_int(ints) != 0;
		ints = list_delete_first(ints);
		f->query_state = ExecInitExpr(list_nth(filter_exprs, 2 * i), &node->ss.ps);
		f->bound_state = ExecInitExpr(list_nth(filter_exprs, 2 * i + 1), &node->ss.ps);
	}

	state->batch_size = linal_batch_size;
	state->scan_context = AllocSetContextCreate(estate->es_query_cxt,
												"linal batch scan",
												ALLOCSET_DEFAULT_SIZES);
	state->batch_context = AllocSetContextCreate(estate->es_query_cxt,
												 "linal batch scan batch",
												 ALLOCSET_DEFAULT_SIZES);
}

/* The query tensor and bound of a distance, once per scan. */
static void
start_distance(BatchScanState *state, BatchDistance *d)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	bool		isnull;
	Datum		value;
	MemoryContext old;

	value = ExecEvalExprSwitchContext(d->query_state, econtext, &isnull);
	old = MemoryContextSwitchTo(state->scan_context);
	d->query = isnull ? NULL :
		tensor_check_value((Tensor *) PG_DETOAST_DATUM_COPY(value), LINAL_ELEM_FLOAT4);
	MemoryContextSwitchTo(old);
	if (d->bound_state != NULL)
	{
		value = ExecEvalExprSwitchContext(d->bound_state, econtext, &isnull);
		d->bound_null = isnull;
		d->bound = isnull ? 0.0 : DatumGetFloat8(value);
	}
	ResetExprContext(econtext);
}

/* Room for one batch's rows, in scan_context: every batch reuses it. */
static void
allocate_batch(BatchScanState *state)
{
	int			n = state->batch_size;
	MemoryContext old = MemoryContextSwitchTo(state->scan_context);
	int			i;

	state->tids = palloc(sizeof(ItemPointerData) * n);
	state->sequences = palloc(sizeof(uint64) * n);
	state->buffers = palloc(sizeof(Buffer) * n);
	state->passes = palloc(sizeof(bool) * n);
	for (i = -1; i < state->filter_count; i++)
	{
		BatchDistance *d = i < 0 ? state->order : &state->filters[i];

		if (d == NULL)
			continue;
		d->rows = palloc(sizeof(float *) * n);
		d->raw = palloc(sizeof(float) * n);
		d->row_null = palloc(sizeof(bool) * n);
		d->score = palloc(sizeof(double) * n);
		d->score_null = palloc(sizeof(bool) * n);
	}
	MemoryContextSwitchTo(old);
}

static void
start_scan(BatchScanState *state)
{
	Relation	rel = state->css.ss.ss_currentRelation;
	EState	   *estate = state->css.ss.ps.state;
	int			i;

	if (state->order)
		start_distance(state, state->order);
	for (i = 0; i < state->filter_count; i++)
		start_distance(state, &state->filters[i]);
	if (state->scan == NULL)
	{
		/* no synchronized start: pages in order, so ties keep scan order */
		state->scan = table_beginscan_strat(rel, estate->es_snapshot, 0, NULL,
											true, false);
		/*
		 * Pages are read in place only for the built-in heap (another AM, even
		 * one on heap's handler, takes the slot path, which tests can reach
		 * that way), and only with page-at-a-time visibility, which is what
		 * makes reading in place safe.
		 */
		state->heap_pages = rel->rd_rel->relam == HEAP_TABLE_AM_OID &&
			(state->scan->rs_flags & SO_ALLOW_PAGEMODE) != 0;
	}
	state->next_block = 0;
	state->page_remaining = 0;
	if (state->heap_pages)
		state->pins = MemoryContextAlloc(state->scan_context, sizeof(Buffer) * BATCH_MAX_PAGES);
	allocate_batch(state);
	if (state->order)
	{
		state->heap = MemoryContextAlloc(state->scan_context,
										 sizeof(HeapEntry) * state->limit_k);
		state->null_rows = MemoryContextAlloc(state->scan_context,
											  sizeof(HeapEntry) * state->limit_k);
	}
	state->started = true;
}

/* Unpin the pages of the finished batch. */
static void
release_pins(BatchScanState *state)
{
	while (state->pin_count > 0)
		ReleaseBuffer(state->pins[--state->pin_count]);
}

/*
 * Note where row `row`'s vector of d's column lies.  Plain 4-byte-header
 * values are used where they are (on a pinned page, or in the slot path's
 * copy); others (short header, compressed, TOAST) are detoasted into batch
 * memory.
 */
static void
take_datum(BatchScanState *state, BatchDistance *d, Datum value, bool isnull, int row)
{
	Tensor	   *t;

	d->row_null[row] = isnull || d->query == NULL;
	d->rows[row] = NULL;
	if (d->row_null[row])
		return;
	/* plain 4-byte-header values are read in place without a call */
	if (VARATT_IS_EXTENDED(DatumGetPointer(value)))
	{
		Size		bytes = toast_raw_datum_size(value);

		MemoryContext old;

		tensor_note_allocation(bytes);
		state->batch_bytes += bytes;
		old = MemoryContextSwitchTo(state->batch_context);
		t = (Tensor *) PG_DETOAST_DATUM(value);
		MemoryContextSwitchTo(old);
	}
	else
		t = (Tensor *) DatumGetPointer(value);
	tensor_check_value(t, LINAL_ELEM_FLOAT4);
	/* vectors are the common case: compare their one dimension inline */
	if (t->ndim != d->query->ndim ||
		(t->ndim == 1 ? t->dims[0] != d->query->dims[0] : !tensor_same_shape(t, d->query)))
	{
		if (d->var_left)
			algebra_require_same_shape(t, d->query, linal_distance_operation(d->kind));
		else
			algebra_require_same_shape(d->query, t, linal_distance_operation(d->kind));
	}
	d->rows[row] = TENSOR_DATA(t);
}

/*
 * Note the current row's vector of every distance: from a heap tuple on a
 * pinned page, or else from the slot, copied when the slot's values do not
 * last until the batch is scored.
 */
static void
take_row(BatchScanState *state, HeapTuple tuple, TupleTableSlot *slot, bool copy)
{
	TupleDesc	desc = RelationGetDescr(state->css.ss.ss_currentRelation);
	int			row = state->row_count;
	int			i;

	for (i = -1; i < state->filter_count; i++)
	{
		BatchDistance *d = i < 0 ? state->order : &state->filters[i];
		bool		isnull = true;
		Datum		value = (Datum) 0;

		if (d == NULL)
			continue;
		if (d->query != NULL)
			value = tuple != NULL ? heap_getattr(tuple, d->attno, desc, &isnull) :
				slot_getattr(slot, d->attno, &isnull);
		take_datum(state, d, value, isnull, row);
		if (copy && !d->row_null[row])
		{
			size_t		bytes = sizeof(float) * TENSOR_NUMEL(d->query);
			float	   *to;

			tensor_note_allocation(bytes);
			state->batch_bytes += bytes;
			to = MemoryContextAlloc(state->batch_context, bytes);
			memcpy(to, d->rows[row], bytes);
			d->rows[row] = to;
		}
	}
}

/* The operator's value for every row, as the operator computes it. */
static void
score_batch(BatchDistance *d, int count)
{
	size_t		numel = d->query ? (size_t) TENSOR_NUMEL(d->query) : 0;
	const float *q = d->query ? TENSOR_DATA(d->query) : NULL;
	int			row;

	if (d->query == NULL)
	{
		for (row = 0; row < count; row++)
			d->score_null[row] = true;
		return;
	}

	/*
	 * NULL rows have no vector: point them at the query so the one kernel
	 * call covers the batch; their result is not used.
	 */
	for (row = 0; row < count; row++)
		if (d->row_null[row])
			d->rows[row] = q;
	if (d->kind == LINAL_DISTANCE_L2)
		linal_kernels->l2_squared_batch(q, d->rows, numel, count, d->raw);
	else if (d->kind == LINAL_DISTANCE_NEG_IP)
		linal_kernels->dot_batch(q, d->rows, numel, count, d->raw);

	for (row = 0; row < count; row++)
	{
		const float *x = d->rows[row];
		double		similarity;

		d->score_null[row] = d->row_null[row];
		if (d->row_null[row])
			continue;
		switch (d->kind)
		{
			case LINAL_DISTANCE_L2:
				d->score[row] = algebra_finite_result(sqrt((double) d->raw[row]), "l2_distance");
				break;
			case LINAL_DISTANCE_NEG_IP:
				d->score[row] = -algebra_finite_result(d->raw[row], "negative inner product");
				break;
			case LINAL_DISTANCE_L1:
				d->score[row] = algebra_finite_result(linal_kernels->l1(x, q, numel), "l1_distance");
				break;
			case LINAL_DISTANCE_COSINE:
				/* the operator's argument order: cosine_parts is symmetric only up to rounding */
				if (d->var_left ? algebra_cosine_similarity(x, q, numel, &similarity)
					: algebra_cosine_similarity(q, x, numel, &similarity))
					d->score[row] = 1.0 - similarity;
				else
					d->score_null[row] = true;
				break;
			case LINAL_DISTANCE_NONE:
			case LINAL_DISTANCE_HAMMING:
			case LINAL_DISTANCE_JACCARD:
				Assert(false);
				break;
		}
	}
}

static bool
passes_filters(BatchScanState *state, int row)
{
	int			i;

	for (i = 0; i < state->filter_count; i++)
	{
		BatchDistance *f = &state->filters[i];

		if (f->bound_null || f->score_null[row])
			return false;
		if (f->inclusive ? !(f->score[row] <= f->bound) : !(f->score[row] < f->bound))
			return false;
	}
	return true;
}

/* The heap tuple at tid, on the pinned page `buffer` of block tid's. */
static void
page_tuple(Relation rel, Buffer buffer, const ItemPointerData *tid, HeapTuple tuple)
{
	Page		page = BufferGetPage(buffer);
	ItemId		item = PageGetItemId(page, ItemPointerGetOffsetNumberNoCheck(tid));

	Assert(BufferGetBlockNumber(buffer) == ItemPointerGetBlockNumberNoCheck(tid));
	tuple->t_data = (HeapTupleHeader) PageGetItem(page, item);
	tuple->t_len = ItemIdGetLength(item);
	tuple->t_tableOid = RelationGetRelid(rel);
	tuple->t_self = *tid;
}

/*
 * Ask for every cache line of a tuple now: the batch reads its header
 * first and its vector only when the batch is scored, and without this
 * each tuple costs a memory round trip per line (measured: a quarter of
 * the scan's time).
 */
static inline void
prefetch_tuple(HeapTuple tuple)
{
	const char *start = (const char *) tuple->t_data;
	uint32		offset;

	for (offset = 0; offset < tuple->t_len; offset += 64)
		__builtin_prefetch(start + offset);
}

/*
 * Heap path: the visible tuples of each page (page-at-a-time visibility,
 * as a sequential scan decides it), read where they lie.  A page's tuples
 * are taken from the last to the first: rows are placed from the end of a
 * page backwards, so this reads memory upwards, which the CPU prefetches.
 * The batch keeps scan order in `sequences`, so ties break as in a
 * sequential scan.
 */
static void
fill_batch_heap(BatchScanState *state)
{
	HeapScanDesc hscan = (HeapScanDesc) state->scan;
	Relation	rel = state->css.ss.ss_currentRelation;
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;

	/* a page the last batch did not finish is still the scan's */
	if (state->page_remaining > 0)
	{
		IncrBufferRefCount(hscan->rs_cbuf);
		state->pins[state->pin_count++] = hscan->rs_cbuf;
	}
	while (state->row_count < state->batch_size && state->batch_bytes < BATCH_MAX_COPY_BYTES)
	{
		HeapTupleData tuple;
		ItemPointerData tid;
		Buffer		buffer;

		if (state->page_remaining == 0)
		{
			if (state->next_block >= hscan->rs_nblocks)
			{
				state->scan_done = true;
				break;
			}
			if (state->pin_count == BATCH_MAX_PAGES)
				break;
			CHECK_FOR_INTERRUPTS();
			linal_heap_read_page(state->scan, state->next_block);
			state->next_block++;
			state->page_remaining = hscan->rs_ntuples;
			if (state->page_remaining == 0)
				continue;
			IncrBufferRefCount(hscan->rs_cbuf);
			state->pins[state->pin_count++] = hscan->rs_cbuf;
		}
		buffer = hscan->rs_cbuf;
		ItemPointerSet(&tid, hscan->rs_cblock, hscan->rs_vistuples[--state->page_remaining]);
		page_tuple(rel, buffer, &tid, &tuple);
		prefetch_tuple(&tuple);

		if (state->quals != NULL)
		{
			ResetExprContext(econtext);
			ExecStoreBufferHeapTuple(&tuple, state->table_slot, buffer);
			econtext->ecxt_scantuple = state->table_slot;
			if (!ExecQual(state->quals, econtext))
				continue;
		}
		take_row(state, state->quals != NULL ? NULL : &tuple, state->table_slot, false);
		state->tids[state->row_count] = tuple.t_self;
		state->sequences[state->row_count] =
			(uint64) ItemPointerGetBlockNumber(&tuple.t_self) << 16 |
			ItemPointerGetOffsetNumber(&tuple.t_self);
		state->buffers[state->row_count] = buffer;
		state->row_count++;
	}
	if (state->quals != NULL)
		ExecClearTuple(state->table_slot);
}

/*
 * Other table AMs: rows through the AM's slot.  A slot's values last only
 * until the next row, so each vector is copied into batch memory.
 */
static void
fill_batch_slots(BatchScanState *state)
{
	TupleTableSlot *slot = state->table_slot;
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;

	while (state->row_count < state->batch_size && state->batch_bytes < BATCH_MAX_COPY_BYTES)
	{

		CHECK_FOR_INTERRUPTS();
		if (!table_scan_getnextslot(state->scan, ForwardScanDirection, slot))
		{
			state->scan_done = true;
			break;
		}
		ResetExprContext(econtext);
		econtext->ecxt_scantuple = slot;
		if (state->quals != NULL && !ExecQual(state->quals, econtext))
			continue;

		take_row(state, NULL, slot, true);
		state->tids[state->row_count] = slot->tts_tid;
		state->sequences[state->row_count] = state->sequence++;
		state->buffers[state->row_count] = InvalidBuffer;
		state->row_count++;
	}
}

/* Read up to batch_size rows that pass the quals and score them; false at the end. */
static bool
fill_batch(BatchScanState *state)
{
	int			i;

	release_pins(state);
	MemoryContextReset(state->batch_context);
	state->batch_bytes = 0;
	state->row_count = 0;
	state->emit_position = 0;
	while (state->row_count == 0 && !state->scan_done)
	{
		/* pages whose rows all failed the quals need no pin */
		release_pins(state);
		if (state->heap_pages)
			fill_batch_heap(state);
		else
			fill_batch_slots(state);
	}
	if (state->row_count == 0)
		return false;

	if (state->order)
		score_batch(state->order, state->row_count);
	for (i = 0; i < state->filter_count; i++)
		score_batch(&state->filters[i], state->row_count);
	for (i = 0; i < state->row_count; i++)
		state->passes[i] = passes_filters(state, i);
	state->batches++;
	state->rows_scored += state->row_count;
	return true;
}

/* max-heap order: the worst row (largest score, then latest) on top */
static bool
entry_worse(const HeapEntry *a, const HeapEntry *b)
{
	return a->score > b->score || (a->score == b->score && a->sequence > b->sequence);
}

static void
sift_down(HeapEntry *heap, int count, int at)
{
	for (;;)
	{
		int			worst = at;
		int			left = 2 * at + 1;
		int			right = left + 1;
		HeapEntry	swap;

		if (left < count && entry_worse(&heap[left], &heap[worst]))
			worst = left;
		if (right < count && entry_worse(&heap[right], &heap[worst]))
			worst = right;
		if (worst == at)
			return;
		swap = heap[at];
		heap[at] = heap[worst];
		heap[worst] = swap;
		at = worst;
	}
}

static void
sift_up(HeapEntry *heap, int at)
{
	while (at > 0)
	{
		int			parent = (at - 1) / 2;
		HeapEntry	swap;

		if (!entry_worse(&heap[at], &heap[parent]))
			return;
		swap = heap[at];
		heap[at] = heap[parent];
		heap[parent] = swap;
		at = parent;
	}
}

/* Offer an entry to a max-heap of at most limit entries. */
static void
offer(HeapEntry *heap, int *count, int limit, const HeapEntry *entry)
{
	if (*count == limit)
	{
		if (!entry_worse(&heap[0], entry))
			return;
		heap[0] = *entry;
		sift_down(heap, *count, 0);
	}
	else
	{
		heap[*count] = *entry;
		sift_up(heap, *count);
		(*count)++;
	}
}

/*
 * Offer the current batch's rows to the top-k heap; rows whose distance is
 * NULL to a heap of the first k of them in scan order (score 0).
 */
static void
keep_best(BatchScanState *state)
{
	BatchDistance *d = state->order;
	int			row;

	for (row = 0; row < state->row_count; row++)
	{
		HeapEntry	entry;

		if (!state->passes[row])
			continue;
		entry.sequence = state->sequences[row];
		entry.tid = state->tids[row];
		if (d->score_null[row])
		{
			entry.score = 0.0;
			offer(state->null_rows, &state->null_count, state->limit_k, &entry);
			continue;
		}
		entry.score = d->score[row];
		offer(state->heap, &state->heap_count, state->limit_k, &entry);
	}
}

static int
compare_entries(const void *a, const void *b)
{
	const HeapEntry *x = (const HeapEntry *) a;
	const HeapEntry *y = (const HeapEntry *) b;

	if (entry_worse(x, y))
		return 1;
	if (entry_worse(y, x))
		return -1;
	return 0;
}

/*
 * The table slot's row in the scan slot, by reference: the table slot
 * keeps its page pinned until the next row, as long as the values must last.
 */
static TupleTableSlot *
emit_table_slot(BatchScanState *state)
{
	TupleTableSlot *slot = state->css.ss.ss_ScanTupleSlot;
	int			natts = slot->tts_tupleDescriptor->natts;

	slot_getallattrs(state->table_slot);
	ExecClearTuple(slot);
	memcpy(slot->tts_values, state->table_slot->tts_values, sizeof(Datum) * natts);
	memcpy(slot->tts_isnull, state->table_slot->tts_isnull, sizeof(bool) * natts);
	return ExecStoreVirtualTuple(slot);
}

/* The row at tid, as the scan saw it (same snapshot), fetched again. */
static TupleTableSlot *
emit_fetched(BatchScanState *state, ItemPointer tid)
{
	if (!table_tuple_fetch_row_version(state->css.ss.ss_currentRelation, tid,
									   state->css.ss.ps.state->es_snapshot,
									   state->table_slot))
		elog(ERROR, "batched scan could not fetch again the row at (%u,%u)",
			 ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid));
	return emit_table_slot(state);
}

/* A row of the current batch: from its pinned page, else fetched again. */
static TupleTableSlot *
emit_batch_row(BatchScanState *state, int row)
{
	HeapTupleData tuple;
	Buffer		buffer = state->buffers[row];

	if (!BufferIsValid(buffer))
		return emit_fetched(state, &state->tids[row]);
	page_tuple(state->css.ss.ss_currentRelation, buffer, &state->tids[row], &tuple);
	ExecStoreBufferHeapTuple(&tuple, state->table_slot, buffer);
	return emit_table_slot(state);
}

/* ExecScan's access method: the next row, or an empty slot at the end. */
static TupleTableSlot *
next_row(ScanState *node)
{
	BatchScanState *state = (BatchScanState *) node;
	TupleTableSlot *slot = node->ss_ScanTupleSlot;

	if (!state->started)
		start_scan(state);

	if (state->order)
	{
		int			position;

		if (!state->sorted)
		{
			while (!state->scan_done && fill_batch(state))
				keep_best(state);
			release_pins(state);
			MemoryContextReset(state->batch_context);
			qsort(state->heap, state->heap_count, sizeof(HeapEntry), compare_entries);
			qsort(state->null_rows, state->null_count, sizeof(HeapEntry), compare_entries);
			state->sorted = true;
			state->emit_position = 0;
		}
		position = state->emit_position++;
		if (position < state->heap_count)
			return emit_fetched(state, &state->heap[position].tid);
		position -= state->heap_count;
		if (position < state->null_count)
			return emit_fetched(state, &state->null_rows[position].tid);
		return ExecClearTuple(slot);
	}

	for (;;)
	{
		while (state->emit_position < state->row_count)
		{
			int			row = state->emit_position++;

			if (state->passes[row])
				return emit_batch_row(state, row);
		}
		if (state->scan_done || !fill_batch(state))
			return ExecClearTuple(slot);
	}
}

static bool
recheck_row(ScanState *node, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
exec_batch_scan(CustomScanState *node)
{
	return ExecScan(&node->ss, next_row, recheck_row);
}

static void
report_batches(BatchScanState *state)
{
	linal_stats_count_batches(state->batches - state->batches_reported);
	state->batches_reported = state->batches;
}

static void
end_batch_scan(CustomScanState *node)
{
	BatchScanState *state = (BatchScanState *) node;

	report_batches(state);
	release_pins(state);
	if (state->scan != NULL)
		table_endscan(state->scan);
	state->scan = NULL;
	MemoryContextDelete(state->batch_context);
	MemoryContextDelete(state->scan_context);
}

static void
rescan_batch_scan(CustomScanState *node)
{
	BatchScanState *state = (BatchScanState *) node;

	report_batches(state);
	release_pins(state);
	ExecClearTuple(state->table_slot);
	if (state->scan != NULL)
		table_rescan(state->scan, NULL);
	MemoryContextReset(state->batch_context);
	MemoryContextReset(state->scan_context);
	state->started = false;
	state->scan_done = false;
	state->sorted = false;
	state->sequence = 0;
	state->tids = NULL;
	state->page_remaining = 0;
	state->row_count = 0;
	state->emit_position = 0;
	state->heap_count = 0;
	state->null_count = 0;
}

/* The scan's other quals, as EXPLAIN shows a sequential scan's Filter. */
static void
explain_quals(CustomScanState *node, List *ancestors, ExplainState *es)
{
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *quals = lthird(cscan->custom_exprs);
	List	   *context;

	if (quals == NIL)
		return;
	context = set_deparse_context_plan(es->deparse_cxt, (Plan *) cscan, ancestors);
	ExplainPropertyText("Filter",
						deparse_expression((Node *) make_ands_explicit(quals), context,
										   es->verbose, false),
						es);
}

static void
explain_batch_scan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	BatchScanState *state = (BatchScanState *) node;
	int			i;

	if (state->order)
	{
		ExplainPropertyText("Order By Distance", linal_distance_name(state->order->kind), es);
		ExplainPropertyInteger("Top K", NULL, state->limit_k, es);
	}
	for (i = 0; i < state->filter_count; i++)
		ExplainPropertyText("Distance Filter", linal_distance_name(state->filters[i].kind), es);
	explain_quals(node, ancestors, es);
	ExplainPropertyInteger("Batch Size", NULL, state->batch_size, es);
	ExplainPropertyText("Kernel", linal_kernels->name, es);
	if (es->analyze)
	{
		ExplainPropertyInteger("Batches", NULL, (int64) state->batches, es);
		ExplainPropertyInteger("Rows Scored", NULL, (int64) state->rows_scored, es);
	}
}

CustomScanMethods linal_batch_scan_methods = {
	.CustomName = BATCH_SCAN_NAME,
	.CreateCustomScanState = create_batch_scan_state,
};

const CustomExecMethods linal_batch_exec_methods = {
	.CustomName = BATCH_SCAN_NAME,
	.BeginCustomScan = begin_batch_scan,
	.ExecCustomScan = exec_batch_scan,
	.EndCustomScan = end_batch_scan,
	.ReScanCustomScan = rescan_batch_scan,
	.ExplainCustomScan = explain_batch_scan,
};
