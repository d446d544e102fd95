/*-------------------------------------------------------------------------
 *
 * hnswbuild.c
 *	  linal_hnsw: CREATE INDEX (ambuild, ambuildempty) and aminsert.
 *
 * The build writes the metapage, then builds the graph in memory
 * (hnswgraph.c, the same algorithm as aminsert) while it fits in
 * maintenance_work_mem, writes it out in one pass, and inserts any rows
 * left on disk through aminsert's code.  When the planner's rules for
 * parallel index builds (plan_create_index_workers: the table's size or
 * its parallel_workers option, max_parallel_maintenance_workers) give
 * workers, and the column's type fixes the dimension, the graph is built
 * by the leader and the workers together (hnswparallel.c).  Progress goes
 * to pg_stat_progress_create_index (tuples done); CHECK_FOR_INTERRUPTS
 * runs in every search, so a build can be cancelled.
 *
 * The dimension of an index comes from the column's type modifier
 * (tensor(128)) or else from the first row indexed; every vector must have
 * it, and an empty one ([]) is refused, as it would leave the index with no
 * dimension (22023: store NULL instead).  NULLs are not indexed; under
 * cosine, zero vectors are not either (they have no direction; their
 * distance is NULL).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tableam.h"
#include "access/xact.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "optimizer/plancat.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "storage/smgr.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "am/hnsw.h"
#include "am/hnswgraph.h"
#include "types/tensor.h"

typedef struct BuildState
{
	HnswIndex	hi;
	HnswGraph  *graph;			/* NULL once the build went to disk */
	double		index_tuples;
	int64		on_disk;		/* rows inserted on disk */
	int64		orphans;		/* of those, how many no neighbour took */
	MemoryContext tuple_context;
} BuildState;

/* dimension (bits of a bit key) from the column's type modifier, or 0 */
static int
typmod_dimensions(Relation index)
{
	int32		typmod = TupleDescAttr(RelationGetDescr(index), 0)->atttypmod;
	int32		dims[LINAL_MAX_RANK];
	int			rank;

	if (typmod < 0)
		return 0;
	if (hnsw_key_format(index) == LINAL_HNSW_FORMAT_BIT ||
		hnsw_key_format(index) == LINAL_HNSW_FORMAT_SPARSE)
		return typmod;
	rank = tensor_typmod_shape(typmod, dims);
	if (rank != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("linal_hnsw indexes only 1-d tensors"),
				 errdetail("The column is of type %s with rank %d.",
						   hnsw_key_format(index) == LINAL_HNSW_FORMAT_FLOAT16 ? "halftensor" : "tensor",
						   rank)));
	return dims[0];
}

static void
check_dimensions(HnswFormat format, int dimensions)
{
	if (format == LINAL_HNSW_FORMAT_BIT && dimensions > HNSW_MAX_BITS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("linal_hnsw indexes bit strings of at most %d bits", HNSW_MAX_BITS),
				 errdetail("The bit strings have %d bits.", dimensions),
				 errhint("A bit key's code must fit in one index page.")));
	if (format == LINAL_HNSW_FORMAT_INT8 && dimensions > HNSW_INT8_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("linal_hnsw quantizes vectors of at most %d dimensions to int8",
						HNSW_INT8_MAX_DIM),
				 errdetail("The vectors have %d dimensions.", dimensions),
				 errhint("An int8 code must fit in one index page; use quantization = 'none'.")));
	/* a sparse code's size is of its non-zeros (hnsw_build_prepare_value) */
	if (format != LINAL_HNSW_FORMAT_BIT && format != LINAL_HNSW_FORMAT_SPARSE &&
		dimensions > HNSW_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("linal_hnsw indexes vectors of at most %d dimensions", HNSW_MAX_DIM),
				 errdetail("The vectors have %d dimensions.", dimensions)));
}

/*
 * WITH (quantization): tensor and halftensor keys quantize, bit and
 * sparsetensor keys do not
 */
static void
check_quantization(Relation index)
{
	HnswQuantization q = hnsw_option_quantization(index);
	HnswFormat	key = hnsw_key_format(index);

	if (q != HNSW_QUANTIZATION_NONE && key == LINAL_HNSW_FORMAT_SPARSE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("linal_hnsw option quantization = '%s' is only for tensor and halftensor keys",
						hnsw_quantization_name(q)),
				 errdetail("Index \"%s\" has sparsetensor keys.", RelationGetRelationName(index)),
				 errhint("Sparse codes keep only the non-zeros already: use quantization = 'none'.")));
	if (q != HNSW_QUANTIZATION_NONE && key == LINAL_HNSW_FORMAT_BIT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("linal_hnsw option quantization = '%s' is only for tensor and halftensor keys",
						hnsw_quantization_name(q)),
				 errdetail("Index \"%s\" has bit keys.", RelationGetRelationName(index)),
				 errhint("Bit keys are compact already: use quantization = 'none'.")));
	/* a scan re-ranks binary candidates from the rows' column */
	if (q == HNSW_QUANTIZATION_BINARY && index->rd_index->indkey.values[0] == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("linal_hnsw option quantization = 'binary' needs a column, not an expression"),
				 errdetail("Index \"%s\" is on an expression.", RelationGetRelationName(index)),
				 errhint("Index a column, or use quantization = 'int8'.")));
}

/* An empty index's metapage: no entry point, no elements. */
static void
fill_metapage(Relation index, Page page, int dimensions)
{
	HnswMetaPage meta;

	hnsw_init_page(page, sizeof(HnswPageOpaqueData));
	meta = HnswPageGetMeta(page);
	meta->magic = HNSW_MAGIC;
	meta->version = HNSW_VERSION;
	meta->dimensions = (uint32) dimensions;
	meta->m = (uint16) hnsw_option_m(index);
	meta->ef_construction = (uint16) hnsw_option_ef_construction(index);
	ItemPointerSetInvalid(&meta->entry);
	meta->entry_level = -1;
	meta->insert_page = InvalidBlockNumber;
	meta->elements = 0;
	meta->unadopted = 0;
	meta->format = (uint32) hnsw_index_format(index);
	((PageHeader) page)->pd_lower = ((char *) meta + sizeof(HnswMetaPageData)) - (char *) page;
}

static void
write_metapage(Relation index, int dimensions)
{
	Buffer		buf = hnsw_new_buffer(index, MAIN_FORKNUM);
	GenericXLogState *state;
	Page		page;

	Assert(BufferGetBlockNumber(buf) == HNSW_METAPAGE_BLKNO);
	state = GenericXLogStart(index);
	page = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);
	fill_metapage(index, page, dimensions);
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/* An index with no dimension yet takes the first vector's. */
static void
set_dimensions(HnswIndex *hi, int dimensions)
{
	Buffer		buf = ReadBuffer(hi->index, HNSW_METAPAGE_BLKNO);
	GenericXLogState *state;
	HnswMetaPage meta;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(hi->index);
	meta = HnswPageGetMeta(GenericXLogRegisterBuffer(state, buf, 0));
	/* elements but no dimension: empty vectors, which earlier builds let in */
	if (meta->dimensions == 0 && meta->elements > 0)
	{
		GenericXLogAbort(state);
		UnlockReleaseBuffer(buf);
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("linal_hnsw index \"%s\" holds vectors of no dimension",
						RelationGetRelationName(hi->index)),
				 errhint("Set the empty tensors to NULL and REINDEX it.")));
	}
	if (meta->dimensions == 0)
		meta->dimensions = (uint32) dimensions;
	hnsw_set_format(hi, hi->format, (int) meta->dimensions);
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/*
 * An indexed value as the build graph and hnsw_insert_element take it --
 * the code to store, or for an int8 index the floats the code will be
 * made of (hnsw_value_floats: the graph and the insert's search measure
 * from them exactly; hnsw_rows_are_floats) -- or NULL when the value is not indexed (a zero
 * vector under cosine).  Refuses values that do not fit.
 */
void *
hnsw_build_prepare_value(HnswIndex *hi, Datum value)
{
	HnswValue	v;
	void	   *code;

	hnsw_value_read(hi, value, &v);
	if (v.rank != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("linal_hnsw indexes only 1-d tensors"),
				 errdetail("Index \"%s\" got a tensor of shape %s.",
						   RelationGetRelationName(hi->index),
						   tensor_shape_string(v.rank, v.dims))));
	/*
	 * An empty vector would leave the dimension at 0 (or take rows of
	 * another dimension later): refuse it, as any other misfit.
	 */
	if (v.dimensions == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("linal_hnsw cannot index an empty %s",
						hi->format == LINAL_HNSW_FORMAT_BIT ? "bit string" : "tensor"),
				 errdetail("Index \"%s\" got a %s of %s (0).",
						   RelationGetRelationName(hi->index),
						   hi->format == LINAL_HNSW_FORMAT_BIT ? "bit string" : "tensor",
						   hi->format == LINAL_HNSW_FORMAT_BIT ? "length" : "shape"),
				 errhint("Store NULL for a row without a vector: NULLs are not indexed.")));
	check_dimensions(hi->format, v.dimensions);
	if (hi->dimensions == 0)
	{
		LockPage(hi->index, HNSW_METAPAGE_BLKNO, ExclusiveLock);
		set_dimensions(hi, v.dimensions);
		UnlockPage(hi->index, HNSW_METAPAGE_BLKNO, ExclusiveLock);
	}
	if (v.dimensions != hi->dimensions)
	{
		if (hi->format == LINAL_HNSW_FORMAT_BIT)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("bit string of length %d does not fit index \"%s\" of length %d",
							v.dimensions, RelationGetRelationName(hi->index), hi->dimensions),
					 errdetail("Every bit string of a linal_hnsw index has the same length.")));
		if (hi->format == LINAL_HNSW_FORMAT_SPARSE)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("sparsetensor of dimension %d does not fit index \"%s\" of dimension %d",
							v.dimensions, RelationGetRelationName(hi->index), hi->dimensions),
					 errdetail("Every sparsetensor of a linal_hnsw index has the same dimension.")));
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("tensor of shape (%d) does not fit index \"%s\" of dimension %d",
						v.dimensions, RelationGetRelationName(hi->index), hi->dimensions),
				 errdetail("Every vector of a linal_hnsw index has the same number of elements.")));
	}
	/* a sparse code is whole in its element, on one page */
	if (hi->format == LINAL_HNSW_FORMAT_SPARSE && v.nnz > HNSW_SPARSE_MAX_NNZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("linal_hnsw indexes sparsetensors of at most %d non-zero elements",
						HNSW_SPARSE_MAX_NNZ),
				 errdetail("Index \"%s\" got a sparsetensor with %d non-zero elements.",
						   RelationGetRelationName(hi->index), v.nnz),
				 errhint("A sparse code must fit in one index page.")));
	if (hnsw_rows_are_floats(hi))
	{
		float	   *floats = palloc(sizeof(float) * hi->dimensions);

		return hnsw_value_floats(hi, &v, floats) ? floats : NULL;
	}
	code = palloc(hnsw_value_code_bytes(hi, &v));
	if (!hnsw_value_encode(hi, &v, code))
		return NULL;
	return code;
}

/*
 * A sparse index's graph sizes its memory by the mean code: from the
 * column's statistics (the mean sparsetensor's bytes, less its 16-byte
 * header, and the code's 4), when it has some.
 */
static void
sparse_code_mean(Relation heap, Relation index, HnswIndex *hi)
{
	AttrNumber	attnum = index->rd_index->indkey.values[0];
	int32		width;

	if (hi->format != LINAL_HNSW_FORMAT_SPARSE || attnum <= 0)
		return;
	width = get_attavgwidth(RelationGetRelid(heap), attnum);
	if (width > 16)
		hi->code_bytes_mean = Min(HNSW_SPARSE_CODE_BYTES(0) + (width - 16), hi->code_bytes);
}

/*
 * The rows the build expects: the heap's size now times its density at the
 * last VACUUM or ANALYZE; *measured is false when there was none and the
 * density is a guess from the column widths.
 */
static double
expected_rows(Relation heap, bool *measured)
{
	BlockNumber pages;
	double		tuples;
	double		allvisfrac;

	estimate_rel_size(heap, NULL, &pages, &tuples, &allvisfrac);
	*measured = heap->rd_rel->reltuples >= 0;
	return Max(tuples, 0.0);
}

/* The graph outgrew maintenance_work_mem: what the rest of the build costs. */
void
hnsw_build_notice_spill(int64 rows_in_graph)
{
	ereport(NOTICE,
			(errmsg("linal_hnsw graph does not fit in maintenance_work_mem"),
			 errdetail("The graph in memory holds %lld rows; the remaining rows are inserted on disk, which is several times slower.",
					   (long long) rows_in_graph),
			 errhint("Raise maintenance_work_mem for this CREATE INDEX.")));
}

/*
 * After rows were inserted on disk (past maintenance_work_mem): give a
 * parent to those that no neighbour took a link to (`orphans`: every link
 * of theirs was its target's way in), as VACUUM does, so the new index
 * has a path to every element; then search for every element, on the
 * pages, as the graph in memory was searched before it was written
 * (hnsw_graph_refind), and link the ones missed (hnsw_tree_refind): each
 * row inserted on disk took links that pushed earlier rows' in-links out;
 * last, re-parent every element by a walk from the entry point
 * (hnsw_tree_flatten), as the graph in memory was.
 */
void
hnsw_build_finish_on_disk(HnswIndex *hi, bool orphans)
{
	MemoryContext context = AllocSetContextCreate(CurrentMemoryContext, "linal_hnsw build tree",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);
	HnswTree   *tree = hnsw_tree_create(context);
	HnswMetaPageData meta;
	int64		adopted = 0;
	int64		searched = 0;
	int64		left = 0;
	int64		refound;
	int64		flattened;

	LockPage(hi->index, HNSW_METAPAGE_BLKNO, ExclusiveLock);
	if (orphans)
		hnsw_set_unadopted(hi->index, false);
	hnsw_tree_scan(tree, hi->index, NULL);
	if (orphans)
	{
		hnsw_read_meta(hi->index, &meta);
		hnsw_tree_find_cut(tree, &meta.entry);
		adopted = hnsw_tree_repair(hi, tree, &searched, &left);
	}
	/* as in memory: not under inner product, where an element need not be its own nearest */
	refound = hi->kind == LINAL_DISTANCE_NEG_IP ? 0 :
		hnsw_tree_refind_all(hi, tree, HNSW_REFIND_EF, &searched);
	/* a shallow tree of ways in, which deletions then seldom cut */
	hnsw_read_meta(hi->index, &meta);
	flattened = hnsw_tree_flatten(hi, tree, &meta.entry);
	UnlockPage(hi->index, HNSW_METAPAGE_BLKNO, ExclusiveLock);
	ereport(DEBUG1,
			(errmsg_internal("linal_hnsw: build of \"%s\" adopted %lld orphans inserted on disk, %lld left, linked %lld of %lld elements that a search for their own vector missed, and gave %lld elements the parent a walk reached them from",
							 RelationGetRelationName(hi->index), (long long) adopted,
							 (long long) left, (long long) refound, (long long) searched,
							 (long long) flattened)));
	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
}

static void
build_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
			   bool tupleIsAlive, void *arg)
{
	BuildState *bs = (BuildState *) arg;
	MemoryContext old;
	void	   *vec;

	if (isnull[0])
		return;
	old = MemoryContextSwitchTo(bs->tuple_context);
	vec = hnsw_build_prepare_value(&bs->hi, values[0]);
	if (vec != NULL)
	{
		if (bs->graph != NULL && !hnsw_graph_insert(bs->graph, vec, tid))
		{
			/* maintenance_work_mem is full: write the graph, go on on disk */
			hnsw_build_notice_spill(hnsw_graph_count(bs->graph));
			hnsw_graph_write(bs->graph, true);
			hnsw_graph_free(bs->graph);
			bs->graph = NULL;
		}
		if (bs->graph == NULL)
		{
			bs->on_disk++;
			if (!hnsw_insert_element(&bs->hi, vec, tid))
				bs->orphans++;
		}
		bs->index_tuples++;
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) bs->index_tuples);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tuple_context);
}

IndexBuildResult *
hnsw_build(Relation heap, Relation index, IndexInfo *indexInfo)
{
	BuildState	bs;
	IndexBuildResult *result = palloc(sizeof(IndexBuildResult));
	int			dimensions = typmod_dimensions(index);
	double		expected;
	bool		measured;
	int			nworkers = 0;

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));
	check_quantization(index);
	check_dimensions(hnsw_index_format(index), dimensions);
	write_metapage(index, dimensions);

	hnsw_open(&bs.hi, index);
	sparse_code_mean(heap, index, &bs.hi);
	expected = expected_rows(heap, &measured);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, (int64) expected);

	/*
	 * index_build asks the planner for workers only for btree: ask here.  A
	 * shared graph needs its layout before the first row, so its dimension
	 * must come from the column's type.
	 */
	if (dimensions > 0 && !IsInParallelMode())
		nworkers = plan_create_index_workers(RelationGetRelid(heap), RelationGetRelid(index));

	/*
	 * A shared graph cannot grow: make room for a fifth more rows than a
	 * measured density gives, twice a guessed one (a graph that fills up
	 * sends the rest of the rows to disk, slowly); maintenance_work_mem
	 * bounds it either way.
	 */
	if (nworkers > 0 &&
		hnsw_build_parallel(heap, index, indexInfo, &bs.hi, nworkers,
							expected * (measured ? 1.2 : 2.0), result))
		return result;

	bs.index_tuples = 0;
	bs.on_disk = 0;
	bs.orphans = 0;
	bs.tuple_context = AllocSetContextCreate(CurrentMemoryContext, "linal_hnsw build tuple",
											 ALLOCSET_DEFAULT_SIZES);
	/* a local graph grows: start from a measured estimate, or small */
	bs.graph = hnsw_graph_create(&bs.hi, (Size) maintenance_work_mem * 1024,
								 measured ? expected : 0);
	result->heap_tuples = table_index_build_scan(heap, index, indexInfo, true, true,
												 build_callback, &bs, NULL);
	if (bs.graph != NULL)
	{
		hnsw_graph_write(bs.graph, true);
		hnsw_graph_free(bs.graph);
	}
	if (bs.on_disk > 0)
		hnsw_build_finish_on_disk(&bs.hi, bs.orphans > 0);
	MemoryContextDelete(bs.tuple_context);
	result->index_tuples = bs.index_tuples;
	return result;
}

/*
 * The init fork of an unlogged index: its metapage, which crash recovery
 * and promotion copy over the main fork.  GenericXLog logs nothing for an
 * unlogged relation, so the page is written past shared buffers (as the
 * fork's first block: index_build has just created it empty), logged
 * as a full page (a standby, and a recovery that recreates the file, get
 * it from the WAL) and synced at once (a checkpoint that began before the
 * WAL record would not flush it).
 */
void
hnsw_build_empty(Relation index)
{
	PGAlignedBlock page;

	fill_metapage(index, (Page) page.data, typmod_dimensions(index));
	PageSetChecksumInplace((Page) page.data, HNSW_METAPAGE_BLKNO);
	smgrextend(RelationGetSmgr(index), INIT_FORKNUM, HNSW_METAPAGE_BLKNO, page.data, true);
	log_newpage(&LINAL_REL_LOCATOR(index), INIT_FORKNUM,
				HNSW_METAPAGE_BLKNO, (Page) page.data, true);
	smgrimmedsync(RelationGetSmgr(index), INIT_FORKNUM);
}

bool
hnsw_insert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
			Relation heap, IndexUniqueCheck checkUnique, bool indexUnchanged,
			IndexInfo *indexInfo)
{
	MemoryContext context;
	MemoryContext old;
	HnswIndex	hi;
	void	   *vec;

	if (isnull[0])
		return false;
	context = AllocSetContextCreate(CurrentMemoryContext, "linal_hnsw insert",
									ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(context);
	hnsw_open(&hi, index);
	vec = hnsw_build_prepare_value(&hi, values[0]);
	if (vec != NULL)
		hnsw_insert_element(&hi, vec, heap_tid);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	return false;
}
