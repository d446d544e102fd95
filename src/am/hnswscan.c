/*-------------------------------------------------------------------------
 *
 * hnswscan.c
 *	  linal_hnsw: index scans for ORDER BY col <op> query LIMIT k.
 *
 * The first call searches the graph with ef = linal.hnsw_ef_search and
 * returns the live elements found, nearest first.  What happens when the
 * executor asks for more rows than that (a WHERE clause filtered many out)
 * is linal.hnsw_iterative_scan, read when the scan starts:
 *
 * off: nothing more; the scan returns at most ef rows.
 *
 * relaxed_order (the default, linal's behaviour before the setting
 * existed): the scan goes on.  It widens its search to twice the ef (going
 * on from where it stopped, with the elements it set aside: it does not
 * start again), returns what it had not returned yet, nearest first, and
 * so on (an iterative scan).  Rows of a later round can be nearer than rows of an
 * earlier one: the order is exact within a round only.
 *
 * strict_order: the rows come out in nondecreasing distance, always.  The
 * scan keeps the rows it found and has not returned in a list sorted by
 * distance, merged with each round's finds; it returns a row only once
 * the row is no farther than the middle candidate of the last round (the
 * nearer half of a search is where a wider one seldom finds anything new)
 * or no further round will run.  A row that a later round finds nearer
 * than one already returned is skipped: that costs recall, never order.
 *
 * A round runs only while ef is below linal.hnsw_max_scan_tuples (the hard
 * cap), below the elements of the graph, the last round filled its ef
 * (else it saw every element it can reach), and the scan's memory is
 * within linal.hnsw_scan_mem_multiplier times work_mem.  Each scan and
 * rescan counts once in pg_stat_user_indexes.idx_scan.
 *
 * An int8 index searches on codes.  Outside strict_order it re-ranks the
 * rows itself, a window ahead (next_in_window): it reads the round's rows
 * in the order of their codes' distances, each with its exact distance
 * from the table (row_distance), and returns the nearest of the window.
 * In strict_order (and for a key that is an expression, whose value only
 * the executor computes) it gives each row of a round a lower bound of
 * its true distance (hnsw_code_bound) as its ORDER BY value, sorts the
 * round by it and sets xs_recheckorderby: the executor recomputes each
 * row's distance from the heap and re-ranks (IndexNextWithReorder), so
 * the rows come out in exact order.  A round all of whose bounds are below
 * the k-th true distance leads to the next, wider round, as a filter
 * would.  The bound is loose in many dimensions (the executor reads about
 * four rows per row returned on 768-d rows), the window is not (about one,
 * plus the window).
 *
 * A binary index (signs: far too coarse for a useful bound) re-ranks each
 * round itself: the exact distance of each candidate from its row, read
 * through the table under the scan's snapshot (rerank_results), and the
 * round sorted by it; the executor does not recheck.
 *
 * Memory: everything of a scan lives in scan_context (reset per rescan,
 * deleted at the end); the search, which its rounds widen, in
 * search_context (every element it saw, kept or set aside: the memory
 * bound counts them); a row a re-rank reads, with its detoasted value, in
 * row_context, reset per row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/relscan.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/float.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "algebra/algebra.h"
#include "am/hnsw.h"
#include "kernels/kernels.h"
#include "types/sparsetensor.h"
#include "types/tensor.h"

/*
 * Rows an int8 scan outside strict_order reads ahead of the one it returns
 * (next_in_window).  On 100K x 768 clustered rows, re-ranking the first 14
 * or the first 20 of each round gave the recall of re-ranking all of them,
 * at every ef_search from 20 to 60.
 */
#define HNSW_RERANK_AHEAD 10

/* A row a strict_order scan has found and not returned yet (or a re-rank window's). */
typedef struct HnswScanItem
{
	ItemPointerData heaptid;
	double		distance;
} HnswScanItem;

typedef struct HnswScanOpaqueData
{
	HnswIndex	hi;
	MemoryContext scan_context;
	MemoryContext search_context;
	void	   *query;			/* the query's code */
	bool		quantized;		/* int8 codes: rows get bounds */
	float	   *query_floats;	/* quantized: the query itself */
	double		query_norm;
	bool		rerank;			/* binary codes: rounds re-ranked from the rows */
	bool		rerank_window;	/* int8, not strict: rows re-ranked a window ahead */
	HnswScanItem *window;		/* rerank_window: rows read, not returned */
	int			nwindow;
	int			window_capacity;
	double		code_error;		/* rerank_window: |exact - code distance|, largest seen */
	IndexFetchTableData *fetch; /* reranks: the table, NULL: not begun */
	MemoryContext row_context;	/* reranks: one row read, reset per row */
	Datum		query_value;	/* rerank: the query, NULL: none */
	bool		query_null;
	TupleTableSlot *slot;		/* reranks: for the rows read */
	bool		started;
	bool		exhausted;
	bool		last_round;		/* no round runs after the current one */
	int			mode;			/* linal.hnsw_iterative_scan at the start */
	int			ef;
	int64		elements;
	HnswLayerSearch *search;	/* of layer 0, widened round by round */
	List	   *results;		/* of the current round, nearest first */
	int			position;
	HnswTidSet *returned;		/* heap TIDs returned (strict: ever found) */
	/* strict_order: rows found, not returned, nearest first */
	HnswScanItem *pending;
	int			npending;
	int			next_pending;
	double		bound;			/* return pending rows up to this distance */
	double		last_distance;	/* of the last row returned */
	HnswMetaPageData meta;		/* as start_scan read it */
	bool		meta_fresh;		/* not used by a search round yet */
} HnswScanOpaqueData;

typedef HnswScanOpaqueData *HnswScanOpaque;

IndexScanDesc
hnsw_begin_scan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	HnswScanOpaque so = palloc0(sizeof(HnswScanOpaqueData));

	/* the index is opened from the metapage start_scan reads */
	so->scan_context = AllocSetContextCreate(CurrentMemoryContext, "linal_hnsw scan",
											 ALLOCSET_DEFAULT_SIZES);
	so->search_context = AllocSetContextCreate(so->scan_context, "linal_hnsw scan search",
											  ALLOCSET_DEFAULT_SIZES);
	so->row_context = AllocSetContextCreate(so->scan_context, "linal_hnsw scan row",
											ALLOCSET_DEFAULT_SIZES);
	scan->opaque = so;
	/* the ORDER BY value of each row, which the executor rechecks (quantized) */
	if (norderbys > 0)
	{
		scan->xs_orderbyvals = palloc0(sizeof(Datum) * norderbys);
		scan->xs_orderbynulls = palloc0(sizeof(bool) * norderbys);
	}
	return scan;
}

void
hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));
	/* the slot holds a reference to the table's descriptor: drop it, not just its memory */
	if (so->slot != NULL)
		ExecDropSingleTupleTableSlot(so->slot);
	so->slot = NULL;
	/* the table read of a re-rank holds a buffer pin: end it before its memory goes */
	if (so->fetch != NULL)
		table_index_fetch_end(so->fetch);
	so->fetch = NULL;
	MemoryContextReset(so->scan_context);
	so->search_context = AllocSetContextCreate(so->scan_context, "linal_hnsw scan search",
											  ALLOCSET_DEFAULT_SIZES);
	so->row_context = AllocSetContextCreate(so->scan_context, "linal_hnsw scan row",
											ALLOCSET_DEFAULT_SIZES);
	so->window = NULL;
	so->nwindow = 0;
	so->code_error = 0.0;
	so->started = false;
	so->exhausted = false;
	so->last_round = false;
	so->search = NULL;
	so->results = NIL;
	so->position = 0;
	so->returned = NULL;
	so->pending = NULL;
	so->npending = 0;
	so->next_pending = 0;
}

/*
 * A query whose shape is not the index's: the distance operator's own
 * error for a tensor, the same kind of error for the other key types.
 */
static void
refuse_query(HnswIndex *hi, Datum query, const HnswValue *q)
{
	if (hi->key_format == LINAL_HNSW_FORMAT_FLOAT4)
	{
		int32		dims[1] = {hi->dimensions};
		Tensor	   *shape = tensor_allocate(1, dims);

		algebra_require_same_shape(shape, DatumGetTensorP(query), linal_distance_operation(hi->kind));
	}
	if (hi->key_format == LINAL_HNSW_FORMAT_SPARSE)
	{
		/* the operator's own error (22000) */
		SparseTensor *shape = sparsetensor_allocate(hi->dimensions, 0);

		sparsetensor_require_same_dim(shape, DatumGetSparseTensorP(query),
									  linal_distance_operation(hi->kind));
	}
	if (hi->key_format == LINAL_HNSW_FORMAT_BIT)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_LENGTH_MISMATCH),
				 errmsg("%s: bit strings of different lengths", linal_distance_operation(hi->kind)),
				 errdetail("The query has %d bits, index \"%s\" %d.", q->dimensions,
						   RelationGetRelationName(hi->index), hi->dimensions)));
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("%s: halftensor of shape %s does not fit index \"%s\" of dimension %d",
					linal_distance_operation(hi->kind), tensor_shape_string(q->rank, q->dims),
					RelationGetRelationName(hi->index), hi->dimensions)));
}

/* The query vector, prepared like the stored ones. */
static void
start_scan(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	MemoryContext old;
	ScanKey		key;
	int			query_bytes;

	/*
	 * The cost estimate keeps the planner from scans without an ORDER BY
	 * (an index-only scan for count(*)); anything else that starts one gets
	 * an error, not a search for no query.
	 */
	if (scan->numberOfOrderBys != 1 || scan->orderByData == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("linal_hnsw index \"%s\" can only be scanned in distance order",
						RelationGetRelationName(scan->indexRelation)),
				 errdetail("The scan has no ORDER BY column <op> query."),
				 errhint("Scan the table instead.")));
	/* pg_stat_user_indexes.idx_scan: once per scan or rescan, as btree counts */
	pgstat_count_index_scan(scan->indexRelation);

	old = MemoryContextSwitchTo(so->scan_context);
	key = &scan->orderByData[0];
	/* one metapage read opens the index and starts the first round */
	hnsw_read_meta(scan->indexRelation, &so->meta);
	so->meta_fresh = true;
	hnsw_close_scan(&so->hi);	/* a rescan: keep what the last one learnt */
	hnsw_open_scan(&so->hi, scan->indexRelation, &so->meta);
	so->elements = so->meta.elements;
	query_bytes = Max(so->hi.code_bytes, 1);
	so->query = palloc0(query_bytes);
	/*
	 * int8: a re-rank window, which reads the key's column; lower bounds
	 * the executor rechecks in strict_order, or for a key that is an
	 * expression (the executor computes it)
	 */
	so->quantized = so->hi.format == LINAL_HNSW_FORMAT_INT8 &&
		(linal_hnsw_iterative_scan == HNSW_ITERATIVE_SCAN_STRICT ||
		 scan->indexRelation->rd_index->indkey.values[0] == 0);
	so->rerank_window = so->hi.format == LINAL_HNSW_FORMAT_INT8 && !so->quantized;
	so->rerank = so->hi.format == LINAL_HNSW_FORMAT_BINARY;
	so->query_value = key->sk_argument;
	so->query_null = (key->sk_flags & SK_ISNULL) != 0;
	if (so->rerank || so->rerank_window)
	{
		if (scan->heapRelation == NULL)
			elog(ERROR, "linal_hnsw: a scan of quantized codes needs its table");
		so->slot = table_slot_create(scan->heapRelation, NULL);
	}
	if (so->rerank_window)
	{
		so->window_capacity = 2 * (HNSW_RERANK_AHEAD + 1);
		so->window = palloc(sizeof(HnswScanItem) * so->window_capacity);
	}
	so->query_floats = so->quantized ? palloc0(sizeof(float) * Max(so->hi.dimensions, 1)) : NULL;
	so->query_norm = 0.0;
	if (!(key->sk_flags & SK_ISNULL) && so->hi.dimensions > 0)
	{
		HnswValue	q;

		hnsw_value_read(&so->hi, key->sk_argument, &q);
		if (q.rank != 1 || q.dimensions != so->hi.dimensions)
			refuse_query(&so->hi, key->sk_argument, &q);
		/* a sparse query's code is of its own size, past a key's limit too */
		if (so->hi.format == LINAL_HNSW_FORMAT_SPARSE)
		{
			query_bytes = hnsw_value_code_bytes(&so->hi, &q);
			pfree(so->query);
			so->query = palloc0(query_bytes);
		}
		if (so->quantized)
		{
			if (so->hi.key_format == LINAL_HNSW_FORMAT_FLOAT16)
				linal_half_to_float_array(q.data, so->query_floats, so->hi.dimensions);
			else
				memcpy(so->query_floats, q.data, sizeof(float) * so->hi.dimensions);
			so->query_norm = sqrt(linal_kernels->sum_squares(so->query_floats, so->hi.dimensions));
		}
		/* a zero query under cosine has no direction: all distances are NULL anyway */
		if (!hnsw_value_encode(&so->hi, &q, so->query))
			memset(so->query, 0, query_bytes);
	}
	so->ef = Max(linal_hnsw_ef_search, 1);
	so->mode = linal_hnsw_iterative_scan;
	so->returned = hnsw_tidset_create(so->scan_context, 64);
	so->last_distance = -get_float8_infinity();
	so->started = true;
	MemoryContextSwitchTo(old);
}

/*
 * Whether another, wider round may run after the one just searched: the
 * round is still in search_context, so the scan's memory is at its peak.
 */
static bool
may_widen(HnswScanOpaque so)
{
	double		limit = (double) work_mem * 1024.0 * linal_hnsw_scan_mem_multiplier;

	if (so->mode == HNSW_ITERATIVE_SCAN_OFF)
		return false;
	if (so->ef >= linal_hnsw_max_scan_tuples || so->ef >= so->elements)
		return false;
	/* a round that did not fill its ef saw every element it can reach */
	if (list_length(so->results) < so->ef)
		return false;
	return (double) MemoryContextMemAllocated(so->scan_context, true) <= limit;
}

/*
 * strict_order: merge the live rows of the round just searched that the
 * scan has not seen before into the pending rows (both nearest first), and
 * set the bound up to which they may be returned.
 */
static void
merge_pending(HnswScanOpaque so)
{
	int			nresults = list_length(so->results);
	int			nold = so->npending - so->next_pending;
	HnswScanItem *merged;
	int			n = 0;
	int			i = so->next_pending;
	ListCell   *lc;

	/* huge: a cap of millions of candidates is allowed (the memory bound stops it) */
	merged = MemoryContextAllocExtended(so->scan_context,
										sizeof(HnswScanItem) * ((Size) nold + nresults + 1),
										MCXT_ALLOC_HUGE);
	foreach(lc, so->results)
	{
		HnswCandidate *c = lfirst(lc);

		if (c->deleted || !hnsw_tidset_add(so->returned, &c->heaptid))
			continue;
		while (i < so->npending && so->pending[i].distance <= c->distance)
			merged[n++] = so->pending[i++];
		merged[n].heaptid = c->heaptid;
		merged[n].distance = c->distance;
		n++;
	}
	while (i < so->npending)
		merged[n++] = so->pending[i++];
	if (so->pending != NULL)
		pfree(so->pending);
	so->pending = merged;
	so->npending = n;
	so->next_pending = 0;
	so->bound = so->last_round || nresults == 0 ? get_float8_infinity() :
		((HnswCandidate *) list_nth(so->results, (nresults - 1) / 2))->distance;
}

static int
compare_distance(const ListCell *a, const ListCell *b)
{
	double		da = ((HnswCandidate *) lfirst(a))->distance;
	double		db = ((HnswCandidate *) lfirst(b))->distance;

	return da < db ? -1 : da > db ? 1 : 0;
}

/*
 * A quantized index: each live result's distance becomes the lower bound
 * of its true distance (hnsw_code_bound), read from its code again (the
 * search kept no codes), and the round is sorted by it: the executor
 * rechecks each row's distance from the heap and holds rows back in its
 * reorder queue until no later row's bound can be nearer, so the rows
 * come out in exact order, re-ranked from the full vectors.
 */
static void
bound_results(HnswScanOpaque so)
{
	ListCell   *lc;

	foreach(lc, so->results)
	{
		HnswCandidate *c = lfirst(lc);
		HnswCandidate element;

		CHECK_FOR_INTERRUPTS();
		/* a row an earlier round found keeps its bound */
		if (c->deleted || hnsw_tidset_contains(so->returned, &c->heaptid))
			continue;
		hnsw_load_into(&so->hi, &c->tid, NULL, true, &element);
		c->distance = hnsw_code_bound(&so->hi, so->query_floats, so->query_norm, element.code);
		pfree(element.code);
	}
	list_sort(so->results, compare_distance);
}

/*
 * The exact distance of the row at tid: the opclass's function of the
 * query and the row's column, read from the version of the row the scan's
 * snapshot sees (false when it sees none: the executor would skip the
 * row).  NULL (cosine of no direction) is infinity: it sorts last, as in
 * ORDER BY.  Only a column is indexed (hnswbuild.c refuses an expression).
 * The row and its detoasted value live in row_context, reset per row.
 */
static bool
row_distance(IndexScanDesc scan, ItemPointer tid, double *distance)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	Relation	index = scan->indexRelation;
	ItemPointerData fetched = *tid;
	bool		call_again = false;
	bool		all_dead = false;
	bool		visible;
	bool		isnull;
	Datum		value;
	MemoryContext old;

	*distance = get_float8_infinity();
	MemoryContextReset(so->row_context);
	old = MemoryContextSwitchTo(so->row_context);
	if (so->fetch == NULL)
	{
		MemoryContextSwitchTo(so->scan_context);
		so->fetch = table_index_fetch_begin(scan->heapRelation);
		MemoryContextSwitchTo(so->row_context);
	}
	visible = table_index_fetch_tuple(so->fetch, &fetched, scan->xs_snapshot, so->slot,
									  &call_again, &all_dead);
	if (visible)
	{
		value = slot_getattr(so->slot, index->rd_index->indkey.values[0], &isnull);
		if (!isnull)
		{
			LOCAL_FCINFO(fcinfo, 2);
			Datum		d;

			InitFunctionCallInfoData(*fcinfo, index_getprocinfo(index, 1, HNSW_DISTANCE_PROC),
									 2, index->rd_indcollation[0], NULL, NULL);
			fcinfo->args[0].value = value;
			fcinfo->args[0].isnull = false;
			fcinfo->args[1].value = so->query_value;
			fcinfo->args[1].isnull = false;
			d = FunctionCallInvoke(fcinfo);
			if (!fcinfo->isnull)
				*distance = DatumGetFloat8(d);
		}
		ExecClearTuple(so->slot);
	}
	MemoryContextSwitchTo(old);
	return visible;
}

/*
 * A binary index: each live result's distance becomes its exact distance
 * from its row (row_distance; a row the snapshot does not see is left
 * last: the executor skips it too), and the round is sorted by it.  The
 * executor trusts this order (it does not recheck), so the rows come out
 * in exact order within a round, as an unquantized index gives them.
 */
static void
rerank_results(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	ListCell   *lc;

	if (so->query_null)
		return;
	foreach(lc, so->results)
	{
		HnswCandidate *c = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		/* a row an earlier round found keeps its distance */
		if (c->deleted || hnsw_tidset_contains(so->returned, &c->heaptid))
			continue;
		(void) row_distance(scan, &c->heaptid, &c->distance);
	}
	list_sort(so->results, compare_distance);
}

/* a search distance (of codes) in the operator's units: L2's is squared */
static inline double
code_estimate(const HnswScanOpaque so, double search_distance)
{
	return so->hi.kind == LINAL_DISTANCE_L2 ? sqrt(Max(search_distance, 0.0)) : search_distance;
}

/*
 * An int8 index outside strict_order: the next row of the round, re-ranked
 * in a window.  The round's rows are read in the search's order (of their
 * codes' distances), each with its exact distance from its row
 * (row_distance), into the window; the nearest of the window comes out.
 * The window reads at least HNSW_RERANK_AHEAD rows ahead, and on while the
 * next row's code distance is within twice the largest error the codes
 * have shown so far (exact against code distance, over the rows read) of
 * the window's nearest: a row that could still be nearer.  So near ties
 * (rows whose distances differ by less than the codes resolve) are read
 * together, and the k-th row returned costs about k + HNSW_RERANK_AHEAD
 * rows read, where strict_order's lower bounds make the executor read
 * every row whose bound is below the k-th distance (on 768-d rows about
 * four per row returned).  False when the round has no row left.
 */
static bool
next_in_window(IndexScanDesc scan, HnswScanItem *next)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	int			nearest = -1;
	int			i;

	for (;;)
	{
		HnswCandidate *c;
		HnswScanItem item;

		if (nearest < 0)
		{
			for (i = 0; i < so->nwindow; i++)
			{
				if (nearest < 0 || so->window[i].distance < so->window[nearest].distance)
					nearest = i;
			}
		}
		if (so->position >= list_length(so->results))
			break;
		c = list_nth(so->results, so->position);
		if (so->nwindow > HNSW_RERANK_AHEAD &&
			code_estimate(so, c->distance) - 2.0 * so->code_error > so->window[nearest].distance)
			break;
		so->position++;
		CHECK_FOR_INTERRUPTS();
		if (c->deleted || !hnsw_tidset_add(so->returned, &c->heaptid))
			continue;
		item.heaptid = c->heaptid;
		if (so->query_null)
			item.distance = c->distance;
		else if (!row_distance(scan, &c->heaptid, &item.distance))
			continue;
		if (!so->query_null && isfinite(item.distance) && isfinite(c->distance))
			so->code_error = Max(so->code_error,
								 fabs(item.distance - code_estimate(so, c->distance)));
		if (so->nwindow == so->window_capacity)
		{
			so->window_capacity *= 2;
			so->window = repalloc(so->window, sizeof(HnswScanItem) * so->window_capacity);
		}
		so->window[so->nwindow++] = item;
		nearest = -1;
	}
	if (so->nwindow == 0)
		return false;
	*next = so->window[nearest];
	so->window[nearest] = so->window[--so->nwindow];
	return true;
}

/*
 * The first round: greedy descent to layer 1, then a wider search of
 * layer 1 (a quarter of ef_search, at least 8), all of whose results
 * enter layer 0.  One greedy entry can sit in the wrong cluster of
 * clustered data; several seldom do.  Then the search of layer 0 with
 * so->ef, which later rounds widen.  False when the graph is empty.
 */
static bool
start_search(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	HnswMetaPageData meta;
	List	   *entries;
	HnswTidSet *visited;

	if (so->meta_fresh)
		meta = so->meta;
	else
		hnsw_read_meta(scan->indexRelation, &meta);
	so->meta_fresh = false;
	so->elements = meta.elements;
	entries = hnsw_search_to_layer(&so->hi, so->query, &meta, Min(1, Max(meta.entry_level, 0)), false);
	if (entries == NIL)
		return false;
	if (meta.entry_level >= 1)
	{
		visited = hnsw_tidset_create(so->search_context, HNSW_SEEN_EXPECTED(Max(so->ef / 4, 8)));
		entries = hnsw_search_layer(&so->hi, so->query, entries, Max(so->ef / 4, 8), 1, false, visited);
		/*
		 * The entry point starts layer 0 too: every element has a path
		 * from it there (the build and VACUUM see to it), so a scan that
		 * widens far enough can return every row.
		 */
		entries = lappend(entries, hnsw_load(&so->hi, &meta.entry, so->query, false));
	}
	visited = hnsw_tidset_create(so->search_context, HNSW_SEEN_EXPECTED(so->ef));
	so->search = hnsw_layer_search_start(&so->hi, so->query, entries, so->ef, 0, visited);
	return true;
}

/*
 * One search round with so->ef: the first starts the search, a later one
 * widens it (going on from where the last stopped, with what it set
 * aside), so rounds of 10, 20, 40 cost about one search of 40.  False
 * when there is nothing to search.
 */
static bool
search_round(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	MemoryContext old = MemoryContextSwitchTo(so->search_context);

	if (so->search == NULL)
	{
		if (!start_search(scan))
		{
			MemoryContextSwitchTo(old);
			return false;
		}
	}
	else
		hnsw_layer_search_widen(so->search, so->ef);
	list_free(so->results);
	so->results = hnsw_layer_search_found(so->search);
	if (so->quantized)
		bound_results(so);
	else if (so->rerank)
		rerank_results(scan);
	so->position = 0;
	MemoryContextSwitchTo(old);
	so->last_round = !may_widen(so);
	if (so->mode == HNSW_ITERATIVE_SCAN_STRICT)
		merge_pending(so);
	return true;
}

static bool
return_row(IndexScanDesc scan, ItemPointer heaptid, double distance)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	scan->xs_heaptid = *heaptid;
	scan->xs_recheck = false;
	/* a quantized index's distance is a lower bound: the executor rechecks it */
	scan->xs_recheckorderby = so->quantized;
	if (so->quantized)
	{
		scan->xs_orderbyvals[0] = Float8GetDatum(distance);
		scan->xs_orderbynulls[0] = false;
	}
	return true;
}

bool
hnsw_get_tuple(IndexScanDesc scan, ScanDirection dir)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	/* amcanbackward is false: the executor puts a Materialize in between */
	if (ScanDirectionIsBackward(dir))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("linal_hnsw index scans cannot go backward")));
	if (!so->started)
	{
		start_scan(scan);
		if (so->hi.dimensions == 0 || !search_round(scan))
			so->exhausted = true;
	}
	while (!so->exhausted)
	{
		if (so->mode == HNSW_ITERATIVE_SCAN_STRICT)
		{
			while (so->next_pending < so->npending &&
				   so->pending[so->next_pending].distance <= so->bound)
			{
				HnswScanItem *item = &so->pending[so->next_pending++];

				/* found by a wider round than a farther row returned: skip */
				if (item->distance < so->last_distance)
					continue;
				so->last_distance = item->distance;
				return return_row(scan, &item->heaptid, item->distance);
			}
		}
		else if (so->rerank_window)
		{
			HnswScanItem next;

			if (next_in_window(scan, &next))
				return return_row(scan, &next.heaptid, next.distance);
		}
		else
		{
			while (so->position < list_length(so->results))
			{
				HnswCandidate *c = list_nth(so->results, so->position++);

				if (c->deleted)
					continue;
				if (!hnsw_tidset_add(so->returned, &c->heaptid))
					continue;
				return return_row(scan, &c->heaptid, c->distance);
			}
		}
		/* the round is used up: search wider, within the bounds */
		if (so->last_round)
		{
			so->exhausted = true;
			break;
		}
		so->ef = (int) Min((int64) so->ef * 2, (int64) linal_hnsw_max_scan_tuples);
		if (!search_round(scan))
			so->exhausted = true;
	}
	return false;
}

void
hnsw_end_scan(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	if (so->fetch != NULL)
		table_index_fetch_end(so->fetch);
	if (so->slot != NULL)
		ExecDropSingleTupleTableSlot(so->slot);
	hnsw_close_scan(&so->hi);
	MemoryContextDelete(so->scan_context);
	pfree(so);
	scan->opaque = NULL;
}
