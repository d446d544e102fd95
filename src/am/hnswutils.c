/*-------------------------------------------------------------------------
 *
 * hnswutils.c
 *	  linal_hnsw: pages, element and neighbour tuples, distances, and the
 *	  pages as a graph for the layer search (hnswsearch.c) of inserts,
 *	  scans and VACUUM.
 *
 * Reads take a shared lock on one buffer at a time and copy out what they
 * need, so a search never holds two buffer locks (and cannot deadlock with
 * the inserts, which hold two only in block order: hnsw.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "common/pg_prng.h"
#include "access/generic_xlog.h"
#include "miscadmin.h"
#include "storage/buf_internals.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "algebra/algebra.h"
#include "am/hnsw.h"
#include "am/hnswsearch.h"
#include "kernels/kernels.h"

/*
 * What a backend keeps per index in its relcache entry (rd_amcache, in
 * rd_indexcxt; gone when the entry is rebuilt, as after REINDEX): the
 * opclass's distance, and for each block the buffer it was last read
 * into.  A scan pins a block through its hint (ReadRecentBuffer checks
 * that the buffer still holds it) instead of the buffer mapping table,
 * and knows the page's address before it pins it, to prefetch the line
 * pointers and tuples of a whole neighbour list at once.  And the size
 * the index had when a scan last looked (it only grows until REINDEX,
 * which gives a new entry), so a scan needs no lseek to learn it.
 * The hints are part of the one allocation: the relcache frees
 * rd_amcache alone when it reloads an open index's entry.
 */
typedef struct HnswRelCache
{
	LinalDistance kind;
	HnswFormat	key_format;		/* of the opclass's key type */
	HnswFormat	format;			/* what a build writes: key_format, or quantized */
	BlockNumber nblocks;		/* at least this many blocks; 0: not known */
	BlockNumber nhints;			/* hints for the blocks below this */
	Buffer		hints[FLEXIBLE_ARRAY_MEMBER];	/* InvalidBuffer: not known */
} HnswRelCache;

/* blocks with a hint at most: 4 MB of hints, an index of 8 GB */
#define HNSW_PREFETCH_STRIDE 64		/* bytes: a cache line of x86 and most arm64 */
#define HNSW_MAX_HINTS (1 << 20)

/*
 * The metric of a halftensor or bit opclass's distance function: linal's
 * function of that SQL name over two keys of the type (tensor's are known
 * by their C symbols, linal_distance_of_function).
 */
static LinalDistance
distance_of_named_function(Oid proc, Oid keytype)
{
	char	   *name;
	Oid		   *argtypes;
	int			nargs;
	LinalDistance kind = LINAL_DISTANCE_NONE;

	if (!linal_is_linal_function(proc))
		return LINAL_DISTANCE_NONE;
	get_func_signature(proc, &argtypes, &nargs);
	name = get_func_name(proc);
	if (nargs == 2 && argtypes[0] == keytype && argtypes[1] == keytype && name != NULL)
	{
		if (strcmp(name, "l2_distance") == 0)
			kind = LINAL_DISTANCE_L2;
		else if (strcmp(name, "cosine_distance") == 0)
			kind = LINAL_DISTANCE_COSINE;
		else if (strcmp(name, "negative_inner_product") == 0)
			kind = LINAL_DISTANCE_NEG_IP;
		else if (strcmp(name, "l1_distance") == 0)
			kind = LINAL_DISTANCE_L1;
		else if (strcmp(name, "hamming_distance") == 0)
			kind = LINAL_DISTANCE_HAMMING;
		else if (strcmp(name, "jaccard_distance") == 0)
			kind = LINAL_DISTANCE_JACCARD;
	}
	return kind;
}

static HnswRelCache *
rel_cache(Relation index)
{
	Oid			proc;
	LinalDistance kind;
	HnswFormat	format;
	HnswRelCache *rc;

	if (index->rd_amcache != NULL)
		return (HnswRelCache *) index->rd_amcache;
	proc = index_getprocid(index, 1, HNSW_DISTANCE_PROC);
	format = hnsw_format_of_type(index->rd_opcintype[0]);
	if (format == LINAL_HNSW_FORMAT_FLOAT4)
		kind = linal_distance_of_function(proc);
	else if ((int) format >= 0)
		kind = distance_of_named_function(proc, index->rd_opcintype[0]);
	else
		kind = LINAL_DISTANCE_NONE;

	if (kind == LINAL_DISTANCE_NONE || hnsw_code_distance(format, kind) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("operator class of index \"%s\" has no distance linal_hnsw supports",
						RelationGetRelationName(index)),
				 errhint("Use tensor_l2_ops, tensor_cosine_ops, tensor_ip_ops or tensor_l1_ops; "
						 "halftensor_l2_ops, halftensor_cosine_ops, halftensor_ip_ops or halftensor_l1_ops; "
						 "bit_hamming_ops or bit_jaccard_ops; "
						 "sparsetensor_l2_ops, sparsetensor_cosine_ops, sparsetensor_ip_ops or sparsetensor_l1_ops.")));
	rc = MemoryContextAllocZero(index->rd_indexcxt, offsetof(HnswRelCache, hints));
	rc->kind = kind;
	rc->key_format = format;
	/* a quantization the key type does not take is hnsw_build's error */
	rc->format = format;
	if (format == LINAL_HNSW_FORMAT_FLOAT4 || format == LINAL_HNSW_FORMAT_FLOAT16)
	{
		if (hnsw_option_quantization(index) == HNSW_QUANTIZATION_INT8)
			rc->format = LINAL_HNSW_FORMAT_INT8;
		else if (hnsw_option_quantization(index) == HNSW_QUANTIZATION_BINARY)
			rc->format = LINAL_HNSW_FORMAT_BINARY;
	}
	index->rd_amcache = rc;
	return rc;
}

/*
 * The format a build of the index writes: its key type's, or int8 or
 * binary for tensor and halftensor keys WITH (quantization = ...).  An open index reads the
 * metapage's (an ALTER INDEX ... SET (quantization) since the build only
 * takes effect at REINDEX).
 */
HnswFormat
hnsw_index_format(Relation index)
{
	return rel_cache(index)->format;
}

/* The format of the opclass's key type, looked up once per relcache entry. */
HnswFormat
hnsw_key_format(Relation index)
{
	return rel_cache(index)->key_format;
}

/* The opclass's distance, looked up once per relcache entry. */
LinalDistance
hnsw_index_distance(Relation index)
{
	return rel_cache(index)->kind;
}

/*
 * The hints are read through rd_amcache at every use, never through a
 * pointer kept since hnsw_open: a relcache flush while a scan is open (an
 * ANALYZE between two FETCHes of a cursor, in one transaction) frees
 * rd_amcache, and growing the hints moves it.  A flushed cache just has
 * no hints until the next read makes it again.
 */
static inline Buffer
hint_of(HnswIndex *hi, BlockNumber blkno)
{
	HnswRelCache *rc = (HnswRelCache *) hi->index->rd_amcache;

	return rc != NULL && blkno < rc->nhints ? rc->hints[blkno] : InvalidBuffer;
}

/*
 * Pin a block of the index (no lock): through its hint when the buffer
 * still holds it, else the buffer manager's way, and remember where.
 */
static Buffer
read_hinted(HnswIndex *hi, BlockNumber blkno)
{
	HnswRelCache *rc;
	Buffer		hint = hint_of(hi, blkno);
	Buffer		buf;

	if (BufferIsValid(hint) &&
		ReadRecentBuffer(LINAL_REL_LOCATOR(hi->index), MAIN_FORKNUM, blkno, hint))
		return hint;
	buf = ReadBuffer(hi->index, blkno);
	rc = rel_cache(hi->index);
	if (blkno >= rc->nhints && blkno < HNSW_MAX_HINTS)
	{
		BlockNumber n = Min(Max(Max(rc->nhints * 2, blkno + 1), hi->nblocks), HNSW_MAX_HINTS);

		rc = repalloc(rc, offsetof(HnswRelCache, hints) + sizeof(Buffer) * n);
		memset(rc->hints + rc->nhints, 0, sizeof(Buffer) * (n - rc->nhints));
		rc->nhints = n;
		hi->index->rd_amcache = rc;
	}
	if (blkno < rc->nhints)
		rc->hints[blkno] = buf;
	return buf;
}

/* read_hinted for the vector tuples of split vectors (hnswvector.c) */
Buffer
hnsw_read_block(HnswIndex *hi, BlockNumber blkno)
{
	return read_hinted(hi, blkno);
}

/*
 * Fetch ahead what reading the element at tid will touch, from its
 * block's hint: the buffer's descriptor and the page's line pointer.  No
 * pin and no lock: the addresses are those of shared memory whatever the
 * buffer holds now, and a prefetch of a wrong one costs only bandwidth.
 */
/* always inlined: gcc takes a void function of prefetches alone for pure, and drops its calls */
static pg_attribute_always_inline void
prefetch_item(HnswIndex *hi, ItemPointer tid)
{
	Buffer		hint = hint_of(hi, ItemPointerGetBlockNumber(tid));

	if (hint > 0)
	{
		HNSW_PREFETCH(GetBufferDescriptor(hint - 1));
		HNSW_PREFETCH(BufferGetBlock(hint));	/* the page header */
		HNSW_PREFETCH(PageGetItemId((Page) BufferGetBlock(hint), ItemPointerGetOffsetNumber(tid)));
	}
}

/*
 * Then the tuple itself, through the line pointer prefetched before: read
 * without a pin or a lock, so only as an address to prefetch (items never
 * move; a line pointer read while the buffer changes hands is just a
 * wasted prefetch, bounded to the page).
 */
static pg_attribute_always_inline void
prefetch_tuple(HnswIndex *hi, ItemPointer tid, Size bytes)
{
	Buffer		hint = hint_of(hi, ItemPointerGetBlockNumber(tid));

	if (hint > 0)
	{
		Page		page = (Page) BufferGetBlock(hint);
		ItemId		item = PageGetItemId(page, ItemPointerGetOffsetNumber(tid));
		Size		off = ItemIdGetOffset(item);
		Size		done;

		if (off == 0 || off + bytes > BLCKSZ)
			return;
		for (done = 0; done < bytes; done += HNSW_PREFETCH_STRIDE)
			HNSW_PREFETCH((char *) page + off + done);
	}
}

void
hnsw_read_meta(Relation index, HnswMetaPageData *meta)
{
	Buffer		buf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	Page		page;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	memcpy(meta, HnswPageGetMeta(page), sizeof(HnswMetaPageData));
	UnlockReleaseBuffer(buf);
	if (meta->magic != HNSW_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is not a linal_hnsw index",
						RelationGetRelationName(index))));
	if (meta->version != HNSW_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("linal_hnsw index \"%s\" has on-disk version %u, this linal reads version %d",
						RelationGetRelationName(index), meta->version, HNSW_VERSION),
				 errhint("Rebuild it with REINDEX INDEX %s.",
						 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(index)),
													RelationGetRelationName(index)))));
	/* the opclass's key type, and the codes on disk, must agree */
	if (!hnsw_format_fits_key((HnswFormat) meta->format, hnsw_key_format(index)))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("linal_hnsw index \"%s\" holds codes of format %u, its operator class indexes %s",
						RelationGetRelationName(index), meta->format,
						hnsw_format_name(hnsw_key_format(index)))));
}

void
hnsw_open(HnswIndex *hi, Relation index)
{
	HnswMetaPageData meta;

	hnsw_read_meta(index, &meta);
	hi->index = index;
	hi->kind = rel_cache(index)->kind;
	hi->key_format = rel_cache(index)->key_format;
	hnsw_set_format(hi, (HnswFormat) meta.format, (int) meta.dimensions);
	hi->m = meta.m;
	hi->ef_construction = meta.ef_construction;
	hi->nblocks = RelationGetNumberOfBlocks(index);
}

/*
 * hnsw_open for a scan, from the metapage it has just read: the size is
 * the one the last scan of this backend saw (hnsw_load_into looks again
 * at the first TID past it), so opening costs no I/O and no system call.
 */
void
hnsw_open_scan(HnswIndex *hi, Relation index, const HnswMetaPageData *meta)
{
	HnswRelCache *rc = rel_cache(index);

	hi->index = index;
	hi->kind = rc->kind;
	hi->key_format = rc->key_format;
	hnsw_set_format(hi, (HnswFormat) meta->format, (int) meta->dimensions);
	hi->m = meta->m;
	hi->ef_construction = meta->ef_construction;
	hi->nblocks = rc->nblocks;
}

/* The end of a scan: what it learnt of the size is for the next one. */
void
hnsw_close_scan(HnswIndex *hi)
{
	HnswRelCache *rc;

	if (hi->index == NULL)
		return;					/* never opened */
	rc = (HnswRelCache *) hi->index->rd_amcache;
	if (rc != NULL)
		rc->nblocks = Max(rc->nblocks, hi->nblocks);
}

/* A new page at the end of the index, exclusively locked. */
Buffer
hnsw_new_buffer(Relation index, ForkNumber fork)
{
	Buffer		buf;

	LockRelationForExtension(index, ExclusiveLock);
	buf = ReadBufferExtended(index, fork, P_NEW, RBM_NORMAL, NULL);
	UnlockRelationForExtension(index, ExclusiveLock);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	return buf;
}

void
hnsw_init_page(Page page, Size special)
{
	PageInit(page, BLCKSZ, special);
	HnswPageGetOpaque(page)->page_id = HNSW_PAGE_ID;
}

static void *
page_item(Relation index, Page page, ItemPointer tid, int type)
{
	OffsetNumber offset = ItemPointerGetOffsetNumber(tid);
	ItemId		item;
	uint8	   *data;

	if (offset < FirstOffsetNumber || offset > PageGetMaxOffsetNumber(page))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" refers to a missing item (%u,%u)",
						RelationGetRelationName(index),
						ItemPointerGetBlockNumber(tid), offset)));
	item = PageGetItemId(page, offset);
	data = (uint8 *) PageGetItem(page, item);
	if (!ItemIdIsNormal(item) || *data != type)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has an item of the wrong kind at (%u,%u)",
						RelationGetRelationName(index),
						ItemPointerGetBlockNumber(tid), offset)));
	return data;
}

/*
 * The element at tid, with its distance to query (when given) and a copy
 * of its vector (when asked), in CurrentMemoryContext.
 */
HnswCandidate *
hnsw_load(HnswIndex *hi, ItemPointer tid, const void *query, bool keep_vector)
{
	HnswCandidate *c = palloc0(sizeof(HnswCandidate));

	hnsw_load_into(hi, tid, query, keep_vector, c);
	return c;
}

/* hnsw_load into c; allocates only the vector copy, when asked. */
void
hnsw_load_into(HnswIndex *hi, ItemPointer tid, const void *query, bool keep_vector,
			   HnswCandidate *c)
{
	Buffer		buf;
	HnswElementTuple etup;

	/* the index only grows: look at its size again only past the known end */
	if (ItemPointerGetBlockNumber(tid) >= hi->nblocks)
		hi->nblocks = RelationGetNumberOfBlocks(hi->index);
	if (ItemPointerGetBlockNumber(tid) == HNSW_METAPAGE_BLKNO ||
		ItemPointerGetBlockNumber(tid) >= hi->nblocks)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" refers to a missing page %u",
						RelationGetRelationName(hi->index), ItemPointerGetBlockNumber(tid))));
	buf = read_hinted(hi, ItemPointerGetBlockNumber(tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	etup = page_item(hi->index, BufferGetPage(buf), tid, HNSW_ELEMENT_TUPLE);
	c->tid = *tid;
	c->heaptid = etup->heaptid;
	c->neighbortid = etup->neighbortid;
	c->level = etup->level;
	c->parent = etup->parent;
	c->deleted = etup->deleted != 0;
	if (hnsw_vector_tuples(hi) > 0)
	{
		/* a code longer than a page: its parts are read after this lock */
		hnsw_vector_load(hi, buf, etup, query, keep_vector, c);
		return;
	}
	/* a sparse code's length is read from the page: within its item, or an error */
	if (hi->format == LINAL_HNSW_FORMAT_SPARSE &&
		(HNSW_SPARSE_NNZ(etup->code) > HNSW_SPARSE_MAX_NNZ ||
		 HNSW_SPARSE_ELEMENT_TUPLE_SIZE(hnsw_code_size(hi, etup->code)) >
		 ItemIdGetLength(PageGetItemId(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid)))))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has a sparse code longer than its element at (%u,%u)",
						RelationGetRelationName(hi->index), ItemPointerGetBlockNumber(tid),
						ItemPointerGetOffsetNumber(tid)),
				 errhint("REINDEX it.")));
	if (query != NULL)
		c->distance = hnsw_distance(hi, query, etup->code);
	if (keep_vector)
	{
		int			bytes = hnsw_code_size(hi, etup->code);

		c->code = palloc(bytes);
		memcpy(c->code, etup->code, bytes);
	}
	else
		c->code = NULL;
	UnlockReleaseBuffer(buf);
}

/*
 * hnsw_load_into for the n elements at tids (one neighbour list's unseen
 * ones): what reading them touches is fetched ahead from the blocks'
 * hints, in a pipeline: element i's descriptor and line pointer first,
 * its tuple (through that line pointer) HNSW_PREFETCH_AHEAD elements
 * later, and it is read (under a pin and a shared lock of its buffer, one
 * buffer at a time) another HNSW_PREFETCH_AHEAD later.  So the cache
 * misses of a list overlap without more of them in flight than the
 * memory system takes.  On 100K x 128 at ef_search 40 a scan's CPU time
 * was a third lower than with no prefetching, and a fifth lower than with
 * every prefetch issued up front, which stalls on the prefetches themselves.
 */
#define HNSW_PREFETCH_AHEAD 3

void
hnsw_load_batch(HnswIndex *hi, const ItemPointerData *tids, int n, const void *query,
				bool keep_vectors, HnswCandidate *out)
{
	/* a sparse code's own size is known only once read: its start */
	Size		bytes = offsetof(HnswElementTupleData, code) +
		(hi->format == LINAL_HNSW_FORMAT_SPARSE ? HNSW_PREFETCH_STRIDE :
		 HNSW_INLINE_BYTES(hi->code_bytes));
	int			d = HNSW_PREFETCH_AHEAD;
	int			i;

	for (i = 0; i < n + 2 * d; i++)
	{
		if (i < n)
			prefetch_item(hi, (ItemPointer) &tids[i]);
		if (i >= d && i - d < n)
			prefetch_tuple(hi, (ItemPointer) &tids[i - d], bytes);
		if (i >= 2 * d)
			hnsw_load_into(hi, (ItemPointer) &tids[i - 2 * d], query, keep_vectors,
						   &out[i - 2 * d]);
	}
}

/* The element TIDs of one layer of a neighbour tuple; returns the count. */
int
hnsw_load_neighbors(HnswIndex *hi, ItemPointer neighbortid, int layer, ItemPointerData *out)
{
	Buffer		buf = read_hinted(hi, ItemPointerGetBlockNumber(neighbortid));
	HnswNeighborTuple ntup;
	int			start = HNSW_LAYER_START(layer, hi->m);
	int			slots = HNSW_LAYER_SLOTS(layer, hi->m);
	int			count = 0;
	int			i;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	ntup = page_item(hi->index, BufferGetPage(buf), neighbortid, HNSW_NEIGHBOR_TUPLE);
	if (start + slots <= ntup->count)
	{
		for (i = 0; i < slots; i++)
			if (ItemPointerIsValid(&ntup->indextids[start + i]))
				out[count++] = ntup->indextids[start + i];
	}
	UnlockReleaseBuffer(buf);
	return count;
}

/* Set an element's parent (hnswtree.c): one WAL record. */
void
hnsw_set_parent(HnswIndex *hi, ItemPointer tid, ItemPointer parent)
{
	Buffer		buf = ReadBuffer(hi->index, ItemPointerGetBlockNumber(tid));
	GenericXLogState *state;
	Page		page;
	HnswElementTuple etup;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(hi->index);
	page = GenericXLogRegisterBuffer(state, buf, 0);
	etup = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumber(tid)));
	Assert(etup->type == HNSW_ELEMENT_TUPLE);
	etup->parent = *parent;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/*
 * Count an insert that left its element with no parent (add), or clear the
 * count when a repair under the exclusive update lock is about to adopt
 * every such element: VACUUM walks the graph only when there is something
 * to do (hnswvacuum.c).  One WAL record.  An index written before the
 * field existed has it in the hole above pd_lower (zero, as PageInit left
 * it): the first write moves pd_lower over it, so that it is logged.
 */
void
hnsw_set_unadopted(Relation index, bool add)
{
	Buffer		buf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	GenericXLogState *state;
	Page		page;
	HnswMetaPage meta;
	LocationIndex lower;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	meta = HnswPageGetMeta(BufferGetPage(buf));
	if (!add && meta->unadopted == 0)
	{
		UnlockReleaseBuffer(buf);
		return;
	}
	state = GenericXLogStart(index);
	page = GenericXLogRegisterBuffer(state, buf, 0);
	meta = HnswPageGetMeta(page);
	lower = ((char *) meta + sizeof(HnswMetaPageData)) - (char *) page;
	if (((PageHeader) page)->pd_lower < lower)
		((PageHeader) page)->pd_lower = lower;
	if (add)
		meta->unadopted = meta->unadopted < PG_UINT32_MAX ? meta->unadopted + 1 : PG_UINT32_MAX;
	else
		meta->unadopted = 0;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

HnswTidSet *
hnsw_tidset_create(MemoryContext context, int expected)
{
	HnswTidSet *set = MemoryContextAlloc(context, sizeof(HnswTidSet));
	uint32		capacity = 64;

	while (capacity < (uint32) Max(expected, 1) * 2 && capacity < (1U << 30))
		capacity <<= 1;
	set->keys = MemoryContextAllocZero(context, sizeof(uint64) * capacity);
	set->capacity = capacity;
	set->count = 0;
	set->context = context;
	return set;
}

static inline uint64
tid_key(ItemPointer tid)
{
	/* never 0: offsets start at 1 */
	return ((uint64) ItemPointerGetBlockNumber(tid) << 16) | ItemPointerGetOffsetNumber(tid);
}

/* Fibonacci hashing: TIDs of one page differ only in their low bits */
static inline uint32
tid_slot(uint64 key, uint32 mask)
{
	return (uint32) ((key * UINT64CONST(0x9E3779B97F4A7C15)) >> 32) & mask;
}

static void
tidset_insert(HnswTidSet *set, uint64 key)
{
	uint32		mask = set->capacity - 1;
	uint32		i = tid_slot(key, mask);

	while (set->keys[i] != 0 && set->keys[i] != key)
		i = (i + 1) & mask;
	if (set->keys[i] == 0)
	{
		set->keys[i] = key;
		set->count++;
	}
}

/* Add tid; true when it was not in the set yet. */
bool
hnsw_tidset_add(HnswTidSet *set, ItemPointer tid)
{
	return hnsw_tidset_add_key(set, tid_key(tid));
}

bool
hnsw_tidset_contains(const HnswTidSet *set, ItemPointer tid)
{
	uint64		key = tid_key(tid);
	uint32		mask = set->capacity - 1;
	uint32		i = tid_slot(key, mask);

	while (set->keys[i] != 0)
	{
		if (set->keys[i] == key)
			return true;
		i = (i + 1) & mask;
	}
	return false;
}

/* Add a TID as its key (block << 16 | offset: hnsw_tid_id); true when new. */
bool
hnsw_tidset_add_key(HnswTidSet *set, uint64 key)
{
	uint32		mask = set->capacity - 1;
	uint32		i = tid_slot(key, mask);

	while (set->keys[i] != 0)
	{
		if (set->keys[i] == key)
			return false;
		i = (i + 1) & mask;
	}
	set->keys[i] = key;
	set->count++;
	if (set->count * 2 > set->capacity)
	{
		/* grow to keep the probes short */
		uint64	   *old = set->keys;
		uint32		old_capacity = set->capacity;
		uint32		j;

		set->capacity *= 2;
		set->keys = MemoryContextAllocZero(set->context, sizeof(uint64) * set->capacity);
		set->count = 0;
		for (j = 0; j < old_capacity; j++)
			if (old[j] != 0)
				tidset_insert(set, old[j]);
		pfree(old);
	}
	return true;
}

HnswTidMap *
hnsw_tidmap_create(MemoryContext context, int64 expected)
{
	HnswTidMap *map = MemoryContextAlloc(context, sizeof(HnswTidMap));
	uint32		capacity = 64;

	while ((int64) capacity < Max(expected, 1) * 2 && capacity < (1U << 31))
		capacity <<= 1;
	map->keys = MemoryContextAllocHuge(context, sizeof(uint64) * capacity);
	memset(map->keys, 0, sizeof(uint64) * capacity);
	map->values = MemoryContextAllocHuge(context, sizeof(int32) * capacity);
	map->capacity = capacity;
	map->count = 0;
	map->context = context;
	return map;
}

static void
tidmap_grow(HnswTidMap *map)
{
	uint64	   *old_keys = map->keys;
	int32	   *old_values = map->values;
	uint32		old_capacity = map->capacity;
	uint32		mask;
	uint32		j;

	if (map->capacity >= (1U << 31))
		elog(ERROR, "linal_hnsw: too many elements for a TID map");
	map->capacity *= 2;
	mask = map->capacity - 1;
	map->keys = MemoryContextAllocHuge(map->context, sizeof(uint64) * map->capacity);
	memset(map->keys, 0, sizeof(uint64) * map->capacity);
	map->values = MemoryContextAllocHuge(map->context, sizeof(int32) * map->capacity);
	for (j = 0; j < old_capacity; j++)
	{
		uint32		i;

		if (old_keys[j] == 0)
			continue;
		for (i = tid_slot(old_keys[j], mask); map->keys[i] != 0; i = (i + 1) & mask)
			;
		map->keys[i] = old_keys[j];
		map->values[i] = old_values[j];
	}
	pfree(old_keys);
	pfree(old_values);
}

/* The value slot of tid, added (with value -1) if it was not there. */
int32 *
hnsw_tidmap_insert(HnswTidMap *map, ItemPointer tid, bool *found)
{
	uint64		key = tid_key(tid);
	uint32		mask;
	uint32		i;

	if ((map->count + 1) * 2 > map->capacity)
		tidmap_grow(map);
	mask = map->capacity - 1;
	for (i = tid_slot(key, mask); map->keys[i] != 0; i = (i + 1) & mask)
	{
		if (map->keys[i] == key)
		{
			*found = true;
			return &map->values[i];
		}
	}
	map->keys[i] = key;
	map->values[i] = -1;
	map->count++;
	*found = false;
	return &map->values[i];
}

/* The value of tid, or -1. */
int32
hnsw_tidmap_get(HnswTidMap *map, ItemPointer tid)
{
	uint64		key = tid_key(tid);
	uint32		mask = map->capacity - 1;
	uint32		i;

	for (i = tid_slot(key, mask); map->keys[i] != 0; i = (i + 1) & mask)
	{
		if (map->keys[i] == key)
			return map->values[i];
	}
	return -1;
}

/* the pages as a graph to search (hnswsearch.h): ids are element TIDs */
typedef struct PageGraph
{
	HnswIndex  *hi;
	const void *query;
	bool		keep_vectors;
	ItemPointerData tids[2 * HNSW_MAX_M];
	HnswCandidate probes[2 * HNSW_MAX_M];
} PageGraph;

static int
page_neighbors(void *context, const HnswSearchItem *item, int layer, HnswNodeId *out)
{
	PageGraph  *pg = (PageGraph *) context;
	HnswCandidate *c = (HnswCandidate *) item->data;
	int			count;
	int			i;

	if (c->level < layer)
		return 0;
	count = hnsw_load_neighbors(pg->hi, &c->neighbortid, layer, pg->tids);
	for (i = 0; i < count; i++)
		out[i] = hnsw_tid_id(&pg->tids[i]);
	return count;
}

static void
page_distances(void *context, const HnswNodeId *ids, int n, HnswSearchItem *out)
{
	PageGraph  *pg = (PageGraph *) context;
	int			i;

	for (i = 0; i < n; i++)
		hnsw_id_tid(ids[i], &pg->tids[i]);
	hnsw_load_batch(pg->hi, pg->tids, n, pg->query, pg->keep_vectors, pg->probes);
	for (i = 0; i < n; i++)
	{
		out[i].distance = pg->probes[i].distance;
		out[i].id = ids[i];
		out[i].data = &pg->probes[i];
	}
}

/* a probe the search keeps is copied out of the batch; one it drops frees its code */
static void
page_settle(void *context, HnswSearchItem *item, bool kept)
{
	HnswCandidate *c = (HnswCandidate *) item->data;

	if (kept)
	{
		HnswCandidate *copy = palloc(sizeof(HnswCandidate));

		memcpy(copy, c, sizeof(HnswCandidate));
		item->data = copy;
	}
	else if (c->code != NULL)
		pfree(c->code);
}

/* the entries' copies as the search's items */
static HnswSearchItem *
entry_items(List *entries, int *n)
{
	HnswSearchItem *items = palloc(sizeof(HnswSearchItem) * Max(list_length(entries), 1));
	ListCell   *lc;

	*n = 0;
	foreach(lc, entries)
	{
		HnswCandidate *copy = palloc(sizeof(HnswCandidate));

		memcpy(copy, lfirst(lc), sizeof(HnswCandidate));
		items[*n].distance = copy->distance;
		items[*n].id = hnsw_tid_id(&copy->tid);
		items[*n].data = copy;
		(*n)++;
	}
	return items;
}

/*
 * The ef elements nearest to query that a best-first walk of one layer
 * finds from the entries (HNSW's SEARCH-LAYER, hnswsearch.c), nearest
 * first, each a new HnswCandidate.  visited may be shared with an earlier
 * call on the same layer.
 */
List *
hnsw_search_layer(HnswIndex *hi, const void *query, List *entries, int ef, int layer,
				  bool keep_vectors, HnswTidSet *visited)
{
	PageGraph  *pg = palloc(sizeof(PageGraph));
	HnswGraphAccess graph = {page_neighbors, page_distances, page_settle, pg};
	HnswVisited seen = {NULL, 0, 0, visited};
	HnswSearchHeap heap;
	int			n;
	HnswSearchItem *items = entry_items(entries, &n);
	HnswSearchItem *out = palloc(sizeof(HnswSearchItem) * (ef + 1));
	List	   *result = NIL;
	int			i;

	pg->hi = hi;
	pg->query = query;
	pg->keep_vectors = keep_vectors;
	hnsw_search_heap_init(&heap, CurrentMemoryContext, 2 * ef);
	n = hnsw_search(&graph, &seen, &heap, items, n, ef, layer, out);
	for (i = 0; i < n; i++)
		result = lappend(result, out[i].data);
	pfree(heap.items);
	pfree(items);
	pfree(out);
	pfree(pg);
	return result;
}

/* a search of the pages that a scan widens round by round (hnswsearch.h) */
struct HnswLayerSearch
{
	PageGraph	pg;
	HnswGraphAccess graph;
	HnswVisited seen;
	HnswSearchState state;
};

/*
 * hnsw_search_layer without vectors, resumable: everything it keeps (the
 * candidates it saw included) lives in CurrentMemoryContext, as does
 * visited.
 */
HnswLayerSearch *
hnsw_layer_search_start(HnswIndex *hi, const void *query, List *entries, int ef, int layer,
						HnswTidSet *visited)
{
	HnswLayerSearch *search = palloc0(sizeof(HnswLayerSearch));
	int			n;
	HnswSearchItem *items = entry_items(entries, &n);

	search->pg.hi = hi;
	search->pg.query = query;
	search->pg.keep_vectors = false;
	search->graph.neighbors = page_neighbors;
	search->graph.distances = page_distances;
	search->graph.settle = page_settle;
	search->graph.context = &search->pg;
	search->seen.set = visited;
	hnsw_search_start(&search->state, &search->graph, &search->seen, CurrentMemoryContext,
					  items, n, ef, layer);
	pfree(items);
	return search;
}

/* go on with a larger ef, in the search's memory */
void
hnsw_layer_search_widen(HnswLayerSearch *search, int ef)
{
	MemoryContext old = MemoryContextSwitchTo(search->state.context);

	hnsw_search_widen(&search->state, ef);
	MemoryContextSwitchTo(old);
}

/* the ef nearest found so far, nearest first: the search's own candidates */
List *
hnsw_layer_search_found(HnswLayerSearch *search)
{
	HnswSearchItem *out = palloc(sizeof(HnswSearchItem) * ((Size) search->state.nfound + 1));
	int			n = hnsw_search_found(&search->state, out);
	List	   *result = NIL;
	int			i;

	for (i = 0; i < n; i++)
		result = lappend(result, out[i].data);
	pfree(out);
	return result;
}

/*
 * Greedy descent from the entry point to just above target_layer: the
 * entry list for searching target_layer.  Empty when the graph is.
 */
List *
hnsw_search_to_layer(HnswIndex *hi, const void *query, HnswMetaPageData *meta,
					 int target_layer, bool keep_vectors)
{
	List	   *entries;
	int			layer;

	if (!ItemPointerIsValid(&meta->entry))
		return NIL;
	entries = list_make1(hnsw_load(hi, &meta->entry, query, keep_vectors));
	for (layer = meta->entry_level; layer > target_layer; layer--)
	{
		HnswTidSet *visited = hnsw_tidset_create(CurrentMemoryContext, 64);
		List	   *nearest = hnsw_search_layer(hi, query, entries, 1, layer, keep_vectors, visited);

		entries = list_make1(linitial(nearest));
	}
	return entries;
}

/* HNSW's level distribution: floor(-ln(U) / ln(m)), capped; U from `prng`. */
int
hnsw_random_level(pg_prng_state *prng, int m)
{
	double		u = pg_prng_double(prng);
	int			level;

	if (u <= 0.0)
		u = 1e-300;
	level = (int) floor(-log(u) / log((double) m));
	return Min(level, HNSW_MAX_LEVEL);
}
