/*-------------------------------------------------------------------------
 *
 * batch_scan.c
 *	  Executor half of the batched scan (custom scan "LinalBatchScan").
 *
 * The scan reads the table in batches of linal.batch_size rows.  For each
 * row it evaluates the ordinary quals, then copies the row's vector of each
 * distance into a packed, contiguous block (one per distance: the ORDER BY
 * distance and each distance filter).  A full batch is scored by one kernel
 * call per distance (dot_batch / l2_squared_batch; cosine and L1 walk the
 * packed block), which is bit-identical to the per-row operator, and then:
 *	- with ORDER BY ... LIMIT k: rows that pass the filters enter a max-heap
 *	  of the k best (ties keep the earlier row); after the scan the heap is
 *	  sorted and returned, followed, while fewer than k rows came out, by
 *	  rows whose distance is NULL (where ORDER BY ... ASC puts them);
 *	- without: the batch's rows that pass the filters are returned.
 *
 * Rows are remembered by TID and fetched again (same snapshot) only when
 * they are returned, so the scan copies no tuples.  On a heap table with no
 * other quals the scan reads tuples straight from the page (heap_getnext),
 * without storing each one in a slot.  Values are read in place when they are plain inline varlenas with a
 * 4-byte header; other values (short header, compressed, TOAST) are
 * detoasted into batch memory.  Errors match the operator's: a row whose
 * shape differs from the query raises the same 22000, an overflow 22003.
 *
 * Memory: per-row work in the ExprContext's per-tuple memory (reset per
 * row); detoasted values, packed blocks and the batch's TIDs in
 * batch_context (reset per batch); the query vectors and the top-k heap in
 * scan_context (reset on rescan); all under the query's context.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/heapam.h"
#include "access/tableam.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "utils/memutils.h"

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
	float	   *packed;			/* batch_size rows of numel floats */
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
	bool		heap_direct;	/* heap table, no quals: read tuples in place */
	bool		started;
	bool		scan_done;
	uint64		sequence;

	/* the current batch: rows by TID, fetched again only if returned */
	ItemPointerData *tids;
	int			row_count;
	int			emit_position;	/* filter-only mode: next row to return */
	bool	   *passes;

	/* ORDER BY: heap of the k best, then NULL-distance rows in scan order */
	HeapEntry  *heap;
	int			heap_count;
	ItemPointerData *null_rows;
	int			null_count;
	bool		sorted;

	/* EXPLAIN ANALYZE and linal_stats */
	uint64		batches;
	uint64		batches_reported;
	uint64		rows_scored;
} BatchScanState;

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
	List	   *ints = list_copy(cscan->custom_private);
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

	state->heap_direct = state->quals == NULL &&
		node->ss.ss_currentRelation->rd_tableam == GetHeapamTableAmRoutine();
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
	d->query = isnull ? NULL : (Tensor *) PG_DETOAST_DATUM_COPY(value);
	MemoryContextSwitchTo(old);
	if (d->bound_state != NULL)
	{
		value = ExecEvalExprSwitchContext(d->bound_state, econtext, &isnull);
		d->bound_null = isnull;
		d->bound = isnull ? 0.0 : DatumGetFloat8(value);
	}
	ResetExprContext(econtext);
}

static void
start_scan(BatchScanState *state)
{
	EState	   *estate = state->css.ss.ps.state;
	int			i;

	if (state->order)
		start_distance(state, state->order);
	for (i = 0; i < state->filter_count; i++)
		start_distance(state, &state->filters[i]);
	if (state->scan == NULL)
		state->scan = table_beginscan(state->css.ss.ss_currentRelation,
									  estate->es_snapshot, 0, NULL);
	if (state->order)
	{
		state->heap = MemoryContextAlloc(state->scan_context,
										 sizeof(HeapEntry) * state->limit_k);
		state->null_rows = MemoryContextAlloc(state->scan_context,
											  sizeof(ItemPointerData) * state->limit_k);
	}
	state->started = true;
}

/* Room in batch_context for one batch; after every reset of it. */
static void
allocate_batch(BatchScanState *state)
{
	int			n = state->batch_size;
	MemoryContext old = MemoryContextSwitchTo(state->batch_context);
	int			i;

	state->tids = palloc(sizeof(ItemPointerData) * n);
	state->passes = palloc(sizeof(bool) * n);
	for (i = -1; i < state->filter_count; i++)
	{
		BatchDistance *d = i < 0 ? state->order : &state->filters[i];
		size_t		numel;

		if (d == NULL)
			continue;
		numel = d->query ? (size_t) TENSOR_NUMEL(d->query) : 0;
		tensor_note_allocation(sizeof(float) * numel * n);
		d->packed = palloc(sizeof(float) * Max(numel * n, 1));
		d->raw = palloc(sizeof(float) * n);
		d->row_null = palloc(sizeof(bool) * n);
		d->score = palloc(sizeof(double) * n);
		d->score_null = palloc(sizeof(bool) * n);
	}
	MemoryContextSwitchTo(old);
}

/* Copy row `row`'s value of d's column into the packed block. */
static void
pack_datum(BatchDistance *d, Datum value, bool isnull, int row)
{
	Tensor	   *t;
	size_t		numel;

	if (d->query == NULL)
	{
		d->row_null[row] = true;
		return;
	}
	d->row_null[row] = isnull;
	if (isnull)
		return;
	/* in place for plain 4-byte-header values, else a copy in batch memory */
	t = (Tensor *) PG_DETOAST_DATUM(value);
	/* vectors are the common case: compare their one dimension inline */
	if (t->ndim != d->query->ndim ||
		(t->ndim == 1 ? t->dims[0] != d->query->dims[0] : !tensor_same_shape(t, d->query)))
	{
		if (d->var_left)
			algebra_require_same_shape(t, d->query, linal_distance_operation(d->kind));
		else
			algebra_require_same_shape(d->query, t, linal_distance_operation(d->kind));
	}
	numel = (size_t) TENSOR_NUMEL(d->query);
	memcpy(d->packed + (size_t) row * numel, TENSOR_DATA(t), sizeof(float) * numel);
	if ((Pointer) t != DatumGetPointer(value))
		pfree(t);
}

/* The operator's value for every packed row, as the operator computes it. */
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
	if (d->kind == LINAL_DISTANCE_L2)
		linal_kernels->l2_squared_batch(q, d->packed, numel, count, d->raw);
	else if (d->kind == LINAL_DISTANCE_NEG_IP)
		linal_kernels->dot_batch(q, d->packed, numel, count, d->raw);

	for (row = 0; row < count; row++)
	{
		const float *x = d->packed + (size_t) row * numel;
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

static void
pack_slot(BatchDistance *d, TupleTableSlot *slot, int row)
{
	bool		isnull = true;
	Datum		value = d->query ? slot_getattr(slot, d->attno, &isnull) : (Datum) 0;

	pack_datum(d, value, isnull, row);
}

/*
 * A heap table and no quals: read tuples straight from the scan's current
 * page and take the vector where it lies (the scan holds the page's pin
 * until it moves on, and the vector is copied into the packed block
 * before that), skipping the slot.
 */
static bool
fill_batch_heap(BatchScanState *state)
{
	TupleDesc	desc = RelationGetDescr(state->css.ss.ss_currentRelation);
	int			i;

	while (state->row_count < state->batch_size)
	{
		HeapTuple	tuple;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		tuple = heap_getnext(state->scan, ForwardScanDirection);
		if (tuple == NULL)
		{
			state->scan_done = true;
			break;
		}
		old = MemoryContextSwitchTo(state->batch_context);
		for (i = -1; i < state->filter_count; i++)
		{
			BatchDistance *d = i < 0 ? state->order : &state->filters[i];
			bool		isnull = true;
			Datum		value;

			if (d == NULL)
				continue;
			value = d->query ? heap_getattr(tuple, d->attno, desc, &isnull) : (Datum) 0;
			pack_datum(d, value, isnull, state->row_count);
		}
		state->tids[state->row_count] = tuple->t_self;
		MemoryContextSwitchTo(old);
		state->row_count++;
	}
	return state->row_count > 0;
}

/* Read up to batch_size rows that pass the quals; false at the end. */
static bool
fill_batch(BatchScanState *state)
{
	TupleTableSlot *slot = state->table_slot;
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	int			i;

	MemoryContextReset(state->batch_context);
	allocate_batch(state);
	state->row_count = 0;
	state->emit_position = 0;
	if (state->heap_direct)
		fill_batch_heap(state);
	while (!state->heap_direct && state->row_count < state->batch_size)
	{
		MemoryContext old;

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

		old = MemoryContextSwitchTo(state->batch_context);
		if (state->order)
			pack_slot(state->order, slot, state->row_count);
		for (i = 0; i < state->filter_count; i++)
			pack_slot(&state->filters[i], slot, state->row_count);
		state->tids[state->row_count] = slot->tts_tid;
		MemoryContextSwitchTo(old);
		state->row_count++;
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

/* Offer the current batch's rows to the top-k heap. */
static void
keep_best(BatchScanState *state)
{
	BatchDistance *d = state->order;
	int			row;

	for (row = 0; row < state->row_count; row++)
	{
		HeapEntry	entry;

		state->sequence++;
		if (!state->passes[row])
			continue;
		if (d->score_null[row])
		{
			if (state->null_count < state->limit_k)
				state->null_rows[state->null_count++] =
					state->tids[row];
			continue;
		}
		entry.score = d->score[row];
		entry.sequence = state->sequence;
		if (state->heap_count == state->limit_k)
		{
			if (!entry_worse(&state->heap[0], &entry))
				continue;
			entry.tid = state->tids[row];
			state->heap[0] = entry;
			sift_down(state->heap, state->heap_count, 0);
		}
		else
		{
			entry.tid = state->tids[row];
			state->heap[state->heap_count] = entry;
			sift_up(state->heap, state->heap_count);
			state->heap_count++;
		}
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

/* The row at tid, as the scan saw it (same snapshot), in the scan slot. */
static TupleTableSlot *
emit(BatchScanState *state, ItemPointer tid)
{
	TupleTableSlot *slot = state->css.ss.ss_ScanTupleSlot;

	if (!table_tuple_fetch_row_version(state->css.ss.ss_currentRelation, tid,
									   state->css.ss.ps.state->es_snapshot,
									   state->table_slot))
		elog(ERROR, "batched scan could not fetch again the row at (%u,%u)",
			 ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid));
	return ExecCopySlot(slot, state->table_slot);
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
			MemoryContextReset(state->batch_context);
			qsort(state->heap, state->heap_count, sizeof(HeapEntry), compare_entries);
			state->sorted = true;
			state->emit_position = 0;
		}
		position = state->emit_position++;
		if (position < state->heap_count)
			return emit(state, &state->heap[position].tid);
		position -= state->heap_count;
		if (position < state->null_count)
			return emit(state, &state->null_rows[position]);
		return ExecClearTuple(slot);
	}

	for (;;)
	{
		while (state->emit_position < state->row_count)
		{
			int			row = state->emit_position++;

			if (state->passes[row])
				return emit(state, &state->tids[row]);
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
	if (state->scan != NULL)
		table_rescan(state->scan, NULL);
	MemoryContextReset(state->batch_context);
	MemoryContextReset(state->scan_context);
	state->started = false;
	state->scan_done = false;
	state->sorted = false;
	state->sequence = 0;
	state->tids = NULL;
	state->row_count = 0;
	state->emit_position = 0;
	state->heap_count = 0;
	state->null_count = 0;
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
