/*-------------------------------------------------------------------------
 *
 * hnswquality.c
 *	  linal_index_quality(regclass, sample, k, threshold): how well a
 *	  linal_hnsw graph finds what it holds, measured by self-recall; and
 *	  linal_index_repair(regclass), which makes every element findable.
 *
 * linal_index_check verifies invariants (links, reachability, the tree of
 * ways in); a graph can keep them all and still search badly: every row
 * is reachable, but a search of ef_search candidates does not get there.
 * This measures that.  A sample of the table's rows visible now (and in
 * the index: not NULL, inside a partial index's predicate, not a zero
 * vector under cosine) is drawn uniformly (a reservoir over one pass of
 * the table, with a fixed seed, so the same table gives the same sample),
 * and each row's own indexed vector is looked up through the index, as
 * ORDER BY col <op> vector LIMIT k would with the session's
 * linal.hnsw_ef_search.  The row is found when it is among the first k
 * visible rows the scan returns, or when those k rows are all at least as
 * near to the vector as the row itself (ties: exact duplicates under L2
 * and cosine, where a row is at distance 0 from itself; under inner
 * product a row need not be its own nearest, so there this is a weaker
 * test).  recall = found / sampled; the verdict is 'ok' when it is at
 * least the threshold, 'low recall' otherwise (REINDEX rebuilds the
 * graph), 'empty' when nothing was sampled.
 *
 * Who may run it and locks: as linal_index_check (hnsw_open_checked), but
 * without the update lock: each lookup is an ordinary index scan under
 * one snapshot, and inserts, VACUUM and other scans run beside it.
 *
 * Memory: the sample's TIDs in the caller's context; each lookup in a
 * context reset per row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "common/pg_prng.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "am/hnsw.h"
#include "types/tensor.h"

/* a sample this large takes seconds to minutes at ef_search 40 to 1000 */
#define QUALITY_MAX_SAMPLE 100000
#define QUALITY_MAX_K 1000
#define QUALITY_SEED UINT64CONST(0x6C696E616C)	/* "linal" */

/*
 * What the index holds for the row in `slot`: the value (in per-tuple
 * memory or the slot's) into *value when asked, prepared as the index
 * stores it into vec; false when the index holds nothing for it (NULL, a
 * zero vector under cosine, a shape the index cannot hold).
 */
static bool
indexed_vector(HnswIndex *hi, IndexInfo *info, EState *estate, TupleTableSlot *slot, void *vec,
			   Datum *value)
{
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	HnswValue	v;

	GetPerTupleExprContext(estate)->ecxt_scantuple = slot;
	FormIndexDatum(info, slot, estate, values, isnull);
	if (isnull[0])
		return false;
	if (value != NULL)
		*value = values[0];
	hnsw_value_read(hi, values[0], &v);
	if (v.rank != 1 || v.dimensions != hi->dimensions)
		return false;
	/* vec has hi->code_bytes: a sparse code of more non-zeros is not indexed */
	if (hi->format == LINAL_HNSW_FORMAT_SPARSE && v.nnz > HNSW_SPARSE_MAX_NNZ)
		return false;
	return hnsw_value_encode(hi, &v, vec);
}

/* Whether the row in `slot` is in a partial index (always, for a full one). */
static bool
in_index(IndexInfo *info, ExprState *predicate, EState *estate, TupleTableSlot *slot)
{
	ExprContext *econtext = GetPerTupleExprContext(estate);

	if (predicate == NULL)
		return true;
	econtext->ecxt_scantuple = slot;
	return ExecQual(predicate, econtext);
}

PG_FUNCTION_INFO_V1(linal_index_quality);
Datum
linal_index_quality(PG_FUNCTION_ARGS)
{
	Oid			indexoid = PG_GETARG_OID(0);
	int32		sample = PG_GETARG_INT32(1);
	int32		k = PG_GETARG_INT32(2);
	double		threshold = PG_GETARG_FLOAT8(3);
	TupleDesc	desc;
	Relation	heap;
	Relation	index;
	HnswIndex	hi;
	IndexInfo  *info;
	EState	   *estate;
	ExprState  *predicate = NULL;
	TupleTableSlot *slot;
	TupleTableSlot *found_slot;
	Snapshot	snapshot;
	TableScanDesc hscan;
	ItemPointerData *tids;
	int64		seen = 0;
	int			ntids = 0;
	int			sampled = 0;
	int			found = 0;
	pg_prng_state prng;
	MemoryContext lookup_context;
	void	   *vec;
	void	   *other;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	int			i;

	if (sample < 1 || sample > QUALITY_MAX_SAMPLE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sample must be between 1 and %d, not %d", QUALITY_MAX_SAMPLE, sample)));
	if (k < 1 || k > QUALITY_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be between 1 and %d, not %d", QUALITY_MAX_K, k)));
	if (!(threshold >= 0.0 && threshold <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("threshold must be between 0 and 1, not %g", threshold)));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "linal_index_quality: return type must be a row type");

	index = hnsw_open_checked(indexoid, "linal_index_quality", false, AccessShareLock,
							  AccessShareLock, &heap);
	hnsw_open(&hi, index);
	info = BuildIndexInfo(index);
	estate = CreateExecutorState();
	if (info->ii_Predicate != NIL)
		predicate = ExecPrepareQual(info->ii_Predicate, estate);
	slot = table_slot_create(heap, NULL);
	found_slot = table_slot_create(heap, NULL);
	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	vec = palloc(Max(hi.code_bytes, 1));
	other = palloc(Max(hi.code_bytes, 1));

	/* a uniform sample of the rows visible now that the index holds */
	tids = palloc(sizeof(ItemPointerData) * sample);
	pg_prng_seed(&prng, QUALITY_SEED);
	hscan = table_beginscan(heap, snapshot, 0, NULL);
	while (table_scan_getnextslot(hscan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		ResetPerTupleExprContext(estate);
		if (!in_index(info, predicate, estate, slot))
			continue;
		seen++;
		if (ntids < sample)
			tids[ntids++] = slot->tts_tid;
		else
		{
			int64		j = (int64) pg_prng_uint64_range(&prng, 0, seen - 1);

			if (j < sample)
				tids[j] = slot->tts_tid;
		}
	}
	table_endscan(hscan);

	lookup_context = AllocSetContextCreate(CurrentMemoryContext, "linal_index_quality lookup",
										   ALLOCSET_DEFAULT_SIZES);
	for (i = 0; i < ntids && hi.dimensions > 0; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(lookup_context);
		IndexScanDesc scan;
		ScanKeyData key;
		double		self;
		int			returned = 0;
		int			nearer = 0;
		bool		hit = false;

		CHECK_FOR_INTERRUPTS();
		ResetPerTupleExprContext(estate);
		if (!table_tuple_fetch_row_version(heap, &tids[i], snapshot, slot) ||
			!indexed_vector(&hi, info, estate, slot, vec, &key.sk_argument))
		{
			MemoryContextSwitchTo(old);
			MemoryContextReset(lookup_context);
			continue;
		}
		sampled++;
		self = hnsw_distance(&hi, vec, vec);

		/*
		 * ORDER BY col <op> its own value LIMIT k, as the executor runs it;
		 * the value stays valid (per-tuple memory is reset per row only)
		 */
		ScanKeyEntryInitialize(&key, SK_ORDER_BY, 1, 1, InvalidOid,
							   index->rd_indcollation[0], InvalidOid, key.sk_argument);
		scan = index_beginscan(heap, index, snapshot, 0, 1);
		index_rescan(scan, NULL, 0, &key, 1);
		while (returned < k && index_getnext_slot(scan, ForwardScanDirection, found_slot))
		{
			returned++;
			if (ItemPointerEquals(&found_slot->tts_tid, &tids[i]))
			{
				hit = true;
				break;
			}
			if (indexed_vector(&hi, info, estate, found_slot, other, NULL) &&
				hnsw_distance(&hi, vec, other) <= self)
				nearer++;
		}
		index_endscan(scan);
		if (hit || nearer >= k)
			found++;
		MemoryContextSwitchTo(old);
		MemoryContextReset(lookup_context);
	}

	UnregisterSnapshot(snapshot);
	ExecDropSingleTupleTableSlot(slot);
	ExecDropSingleTupleTableSlot(found_slot);
	FreeExecutorState(estate);
	index_close(index, AccessShareLock);
	table_close(heap, AccessShareLock);

	values[0] = Int32GetDatum(sampled);
	values[1] = Int32GetDatum(found);
	if (sampled > 0)
		values[2] = Float8GetDatum((double) found / sampled);
	else
		nulls[2] = true;
	values[3] = Int32GetDatum(linal_hnsw_ef_search);
	values[4] = CStringGetTextDatum(sampled == 0 ? "empty" :
									(double) found / sampled >= threshold ? "ok" : "low recall");
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

/*
 * linal_index_repair(index): hnsw_tree_refind for every live element:
 * search for it (ef_construction, from the entry point, as a scan would)
 * and, when it is not found, link it from the nearest element found, which
 * becomes its parent.  For a graph whose data moved without deletes or
 * updates (VACUUM repairs what those touch), without the REINDEX (whose
 * build does the same in memory: hnsw_graph_refind) that would block
 * writes for the whole build.  The
 * owner only; ShareUpdateExclusiveLock on the table (as VACUUM: one at a
 * time, writers run) and the update lock throughout (inserts wait).
 */
PG_FUNCTION_INFO_V1(linal_index_repair);
Datum
linal_index_repair(PG_FUNCTION_ARGS)
{
	Oid			indexoid = PG_GETARG_OID(0);
	TupleDesc	desc;
	Relation	heap;
	Relation	index;
	HnswIndex	hi;
	HnswTree   *tree;
	int64		searched;
	int64		relinked;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	PreventCommandIfReadOnly("linal_index_repair()");
	PreventCommandDuringRecovery("linal_index_repair()");
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "linal_index_repair: return type must be a row type");
	index = hnsw_open_checked(indexoid, "linal_index_repair", true, ShareUpdateExclusiveLock,
							  RowExclusiveLock, &heap);
	hnsw_open(&hi, index);
	tree = hnsw_tree_create(CurrentMemoryContext);

	LockPage(index, HNSW_METAPAGE_BLKNO, ExclusiveLock);
	hnsw_tree_scan(tree, index, NULL);
	relinked = hnsw_tree_refind_all(&hi, tree, hi.ef_construction, &searched);
	UnlockPage(index, HNSW_METAPAGE_BLKNO, ExclusiveLock);

	index_close(index, RowExclusiveLock);
	table_close(heap, ShareUpdateExclusiveLock);
	values[0] = Int64GetDatum(searched);
	values[1] = Int64GetDatum(relinked);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
