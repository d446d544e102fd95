/*-------------------------------------------------------------------------
 *
 * hnswscan.c
 *	  linal_hnsw: index scans for ORDER BY col <op> query LIMIT k.
 *
 * The first call searches the graph with ef = linal.hnsw_ef_search and
 * returns the live elements found, nearest first.  When the executor asks
 * for more rows than that (a WHERE clause filtered many out), the scan goes
 * on: it searches again with twice the ef, returns what it had not returned
 * yet, nearest first, and so on until ef reaches
 * linal.hnsw_max_scan_tuples or the whole graph (an iterative scan).  Rows
 * of a later round can be nearer than rows of an earlier one: the order is
 * exact within a round only, as usual for approximate search.  Each scan
 * and rescan counts once in pg_stat_user_indexes.idx_scan.
 *
 * Memory: everything of a scan lives in scan_context (reset per rescan,
 * deleted at the end); each search round in round_context.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relscan.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "algebra/algebra.h"
#include "am/hnsw.h"
#include "types/tensor.h"

typedef struct HnswScanOpaqueData
{
	HnswIndex	hi;
	MemoryContext scan_context;
	MemoryContext round_context;
	float	   *query;
	bool		started;
	bool		exhausted;
	int			ef;
	int64		elements;
	List	   *results;		/* of the current round, nearest first */
	int			position;
	HnswTidSet *returned;		/* heap TIDs returned so far */
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
	so->round_context = AllocSetContextCreate(so->scan_context, "linal_hnsw scan round",
											  ALLOCSET_DEFAULT_SIZES);
	scan->opaque = so;
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
	MemoryContextReset(so->scan_context);
	so->round_context = AllocSetContextCreate(so->scan_context, "linal_hnsw scan round",
											  ALLOCSET_DEFAULT_SIZES);
	so->started = false;
	so->exhausted = false;
	so->results = NIL;
	so->position = 0;
	so->returned = NULL;
}

/* The query vector, prepared like the stored ones. */
static void
start_scan(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	MemoryContext old;
	ScanKey		key;

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
	so->query = palloc0(sizeof(float) * Max(so->hi.dimensions, 1));
	if (!(key->sk_flags & SK_ISNULL) && so->hi.dimensions > 0)
	{
		Tensor	   *q = DatumGetTensorP(key->sk_argument);

		if (q->ndim != 1 || q->dims[0] != so->hi.dimensions)
		{
			int32		dims[1] = {so->hi.dimensions};
			Tensor	   *shape = tensor_allocate(1, dims);

			algebra_require_same_shape(shape, q, linal_distance_operation(so->hi.kind));
		}
		/* a zero query under cosine has no direction: all distances are NULL anyway */
		if (!hnsw_prepare_vector(so->hi.kind, TENSOR_DATA(q), so->query, so->hi.dimensions))
			memset(so->query, 0, sizeof(float) * so->hi.dimensions);
	}
	so->ef = Max(linal_hnsw_ef_search, 1);
	so->returned = hnsw_tidset_create(so->scan_context, 64);
	so->started = true;
	MemoryContextSwitchTo(old);
}

/* One search round with so->ef; false when there is nothing to search. */
static bool
search_round(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	MemoryContext old;
	HnswMetaPageData meta;
	List	   *entries;
	HnswTidSet *visited;

	MemoryContextReset(so->round_context);
	old = MemoryContextSwitchTo(so->round_context);
	/* a later round sees the graph as it is now */
	if (so->meta_fresh)
		meta = so->meta;
	else
		hnsw_read_meta(scan->indexRelation, &meta);
	so->meta_fresh = false;
	so->elements = meta.elements;
	/*
	 * Greedy descent to layer 1, then a wider search of layer 1 (a quarter
	 * of ef_search, at least 8): its results are all entry points of layer
	 * 0.  One greedy entry can sit in the wrong cluster of clustered data;
	 * several seldom do.
	 */
	entries = hnsw_search_to_layer(&so->hi, so->query, &meta, Min(1, Max(meta.entry_level, 0)), false);
	if (entries == NIL)
	{
		MemoryContextSwitchTo(old);
		return false;
	}
	if (meta.entry_level >= 1)
	{
		visited = hnsw_tidset_create(so->round_context, HNSW_SEEN_EXPECTED(Max(so->ef / 4, 8)));
		entries = hnsw_search_layer(&so->hi, so->query, entries, Max(so->ef / 4, 8), 1, false, visited);
		/*
		 * The entry point starts layer 0 too: every element has a path
		 * from it there (the build and VACUUM see to it), so a scan that
		 * widens far enough can return every row.
		 */
		entries = lappend(entries, hnsw_load(&so->hi, &meta.entry, so->query, false));
	}
	visited = hnsw_tidset_create(so->round_context, HNSW_SEEN_EXPECTED(so->ef));
	so->results = hnsw_search_layer(&so->hi, so->query, entries, so->ef, 0, false, visited);
	so->position = 0;
	MemoryContextSwitchTo(old);
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
		while (so->position < list_length(so->results))
		{
			HnswCandidate *c = list_nth(so->results, so->position++);
			if (c->deleted)
				continue;
			if (!hnsw_tidset_add(so->returned, &c->heaptid))
				continue;
			scan->xs_heaptid = c->heaptid;
			scan->xs_recheck = false;
			scan->xs_recheckorderby = false;
			return true;
		}
		/* the round is used up: search wider, within the bound */
		if (so->ef >= linal_hnsw_max_scan_tuples || so->ef >= so->elements)
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

	hnsw_close_scan(&so->hi);
	MemoryContextDelete(so->scan_context);
	pfree(so);
	scan->opaque = NULL;
}
