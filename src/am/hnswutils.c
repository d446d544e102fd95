/*-------------------------------------------------------------------------
 *
 * hnswutils.c
 *	  linal_hnsw: pages, element and neighbour tuples, distances, and the
 *	  layer search shared by inserts and scans.
 *
 * Reads take a shared lock on one buffer at a time and copy out what they
 * need, so a search never holds two buffer locks (and cannot deadlock with
 * the single writer).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "common/pg_prng.h"
#include "access/generic_xlog.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "am/hnsw.h"
#include "kernels/kernels.h"

/* The opclass's distance, looked up once per relcache entry (rd_amcache). */
LinalDistance
hnsw_index_distance(Relation index)
{
	Oid			proc;
	LinalDistance kind;

	if (index->rd_amcache != NULL)
		return *(LinalDistance *) index->rd_amcache;
	proc = index_getprocid(index, 1, HNSW_DISTANCE_PROC);
	kind = linal_distance_of_function(proc);

	if (kind == LINAL_DISTANCE_NONE || kind == LINAL_DISTANCE_L1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("operator class of index \"%s\" has no distance linal_hnsw supports",
						RelationGetRelationName(index)),
				 errhint("Use tensor_l2_ops, tensor_cosine_ops or tensor_ip_ops.")));
	index->rd_amcache = MemoryContextAlloc(index->rd_indexcxt, sizeof(LinalDistance));
	*(LinalDistance *) index->rd_amcache = kind;
	return kind;
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
}

void
hnsw_open(HnswIndex *hi, Relation index)
{
	HnswMetaPageData meta;

	hnsw_read_meta(index, &meta);
	hi->index = index;
	hi->kind = hnsw_index_distance(index);
	hi->dimensions = (int) meta.dimensions;
	hi->m = meta.m;
	hi->ef_construction = meta.ef_construction;
	hi->nblocks = RelationGetNumberOfBlocks(index);
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

/*
 * The vector as stored: normalised for cosine (false when it has no
 * direction: a zero vector is not indexed under cosine), else a copy.
 */
bool
hnsw_prepare_vector(LinalDistance kind, const float *in, float *out, int dim)
{
	if (kind == LINAL_DISTANCE_COSINE)
	{
		/* in double: a float4's square neither overflows nor underflows there */
		double		norm = sqrt(linal_kernels->sum_squares(in, dim));
		float		inverse;

		if (norm == 0.0 || !isfinite(norm))
			return false;

		/*
		 * 1/norm as a float4 factor is infinite for norms below about 3e-39
		 * (denormal elements) and denormal, short of bits, for norms above
		 * about 8e37: those divide in double, as l2_normalize does.
		 */
		inverse = (float) (1.0 / norm);
		if (isnormal(inverse))
			linal_kernels->mul_scalar(in, inverse, out, dim);
		else
		{
			int			i;

			for (i = 0; i < dim; i++)
				out[i] = (float) (in[i] / norm);
		}
		return true;
	}
	memcpy(out, in, sizeof(float) * dim);
	return true;
}

/*
 * Distance in the index's order: squared L2 for <->, 1 - dot of unit
 * vectors for <=>, -dot for <#>.  Monotone in the operator's value.
 */
double
hnsw_distance(LinalDistance kind, const float *a, const float *b, int dim)
{
	switch (kind)
	{
		case LINAL_DISTANCE_L2:
			return (double) linal_kernels->l2_squared(a, b, dim);
		case LINAL_DISTANCE_COSINE:
			return 1.0 - (double) linal_kernels->dot(a, b, dim);
		case LINAL_DISTANCE_NEG_IP:
			return -(double) linal_kernels->dot(a, b, dim);
		case LINAL_DISTANCE_L1:
			return (double) linal_kernels->l1(a, b, dim);
		case LINAL_DISTANCE_NONE:
			break;
	}
	elog(ERROR, "linal_hnsw: no distance");
	return 0.0;
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
hnsw_load(HnswIndex *hi, ItemPointer tid, const float *query, bool keep_vector)
{
	HnswCandidate *c = palloc0(sizeof(HnswCandidate));

	hnsw_load_into(hi, tid, query, keep_vector, c);
	return c;
}

/* hnsw_load into c; allocates only the vector copy, when asked. */
void
hnsw_load_into(HnswIndex *hi, ItemPointer tid, const float *query, bool keep_vector,
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
	buf = ReadBuffer(hi->index, ItemPointerGetBlockNumber(tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	etup = page_item(hi->index, BufferGetPage(buf), tid, HNSW_ELEMENT_TUPLE);
	c->tid = *tid;
	c->heaptid = etup->heaptid;
	c->neighbortid = etup->neighbortid;
	c->level = etup->level;
	c->parent = etup->parent;
	c->deleted = etup->deleted != 0;
	if (query != NULL)
		c->distance = hnsw_distance(hi->kind, query, etup->vec, hi->dimensions);
	if (keep_vector)
	{
		c->vec = palloc(sizeof(float) * hi->dimensions);
		memcpy(c->vec, etup->vec, sizeof(float) * hi->dimensions);
	}
	else
		c->vec = NULL;
	UnlockReleaseBuffer(buf);
}

/* The element TIDs of one layer of a neighbour tuple; returns the count. */
int
hnsw_load_neighbors(HnswIndex *hi, ItemPointer neighbortid, int layer, ItemPointerData *out)
{
	Buffer		buf = ReadBuffer(hi->index, ItemPointerGetBlockNumber(neighbortid));
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

HTAB *
hnsw_visited_table(MemoryContext context, long size)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(ItemPointerData);
	ctl.entrysize = sizeof(ItemPointerData);
	ctl.hcxt = context;
	return hash_create("linal_hnsw visited", size, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
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

static void
tidset_insert(HnswTidSet *set, uint64 key)
{
	uint32		mask = set->capacity - 1;
	uint32		i = (uint32) ((key * UINT64CONST(0x9E3779B97F4A7C15)) >> 32) & mask;

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
	uint64		key = tid_key(tid);
	uint32		mask = set->capacity - 1;
	uint32		i = (uint32) ((key * UINT64CONST(0x9E3779B97F4A7C15)) >> 32) & mask;

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

static int
nearer_first(const pairingheap_node *a, const pairingheap_node *b, void *arg)
{
	const HnswCandidate *x = pairingheap_const_container(HnswCandidate, near_node, a);
	const HnswCandidate *y = pairingheap_const_container(HnswCandidate, near_node, b);

	return x->distance < y->distance ? 1 : (x->distance > y->distance ? -1 : 0);
}

static int
farther_first(const pairingheap_node *a, const pairingheap_node *b, void *arg)
{
	const HnswCandidate *x = pairingheap_const_container(HnswCandidate, far_node, a);
	const HnswCandidate *y = pairingheap_const_container(HnswCandidate, far_node, b);

	return x->distance > y->distance ? 1 : (x->distance < y->distance ? -1 : 0);
}

static int
compare_distance(const ListCell *a, const ListCell *b)
{
	const HnswCandidate *x = lfirst(a);
	const HnswCandidate *y = lfirst(b);

	return x->distance < y->distance ? -1 : (x->distance > y->distance ? 1 : 0);
}

/*
 * The ef elements nearest to query that a best-first walk of one layer
 * finds from the entries (HNSW's SEARCH-LAYER), nearest first.  visited
 * may be shared with an earlier call on the same layer.
 */
List *
hnsw_search_layer(HnswIndex *hi, const float *query, List *entries, int ef, int layer,
				  bool keep_vectors, HnswTidSet *visited)
{
	pairingheap *near = pairingheap_allocate(nearer_first, NULL);
	pairingheap *far = pairingheap_allocate(farther_first, NULL);
	ItemPointerData *neighbors = palloc(sizeof(ItemPointerData) * 2 * hi->m);
	int			found = 0;
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, entries)
	{
		HnswCandidate *e = lfirst(lc);
		HnswCandidate *copy;

		if (!hnsw_tidset_add(visited, &e->tid))
			continue;
		copy = palloc(sizeof(HnswCandidate));
		memcpy(copy, e, sizeof(HnswCandidate));
		pairingheap_add(near, &copy->near_node);
		pairingheap_add(far, &copy->far_node);
		found++;
	}

	while (!pairingheap_is_empty(near))
	{
		HnswCandidate *c = pairingheap_container(HnswCandidate, near_node,
												 pairingheap_remove_first(near));
		HnswCandidate *f = pairingheap_container(HnswCandidate, far_node,
												 pairingheap_first(far));
		int			count;
		int			i;

		CHECK_FOR_INTERRUPTS();
		if (c->distance > f->distance && found >= ef)
			break;
		if (c->level < layer)
			continue;
		count = hnsw_load_neighbors(hi, &c->neighbortid, layer, neighbors);
		for (i = 0; i < count; i++)
		{
			HnswCandidate probe;
			HnswCandidate *e;

			if (!hnsw_tidset_add(visited, &neighbors[i]))
				continue;
			hnsw_load_into(hi, &neighbors[i], query, keep_vectors, &probe);
			f = pairingheap_container(HnswCandidate, far_node, pairingheap_first(far));
			if (found < ef || probe.distance < f->distance)
			{
				e = palloc(sizeof(HnswCandidate));
				memcpy(e, &probe, sizeof(HnswCandidate));
				pairingheap_add(near, &e->near_node);
				pairingheap_add(far, &e->far_node);
				if (++found > ef)
				{
					pairingheap_remove_first(far);
					found--;
				}
			}
			else if (probe.vec)
				pfree(probe.vec);
		}
	}

	while (!pairingheap_is_empty(far))
		result = lappend(result, pairingheap_container(HnswCandidate, far_node,
													   pairingheap_remove_first(far)));
	list_sort(result, compare_distance);
	pfree(neighbors);
	return result;
}

/*
 * Greedy descent from the entry point to just above target_layer: the
 * entry list for searching target_layer.  Empty when the graph is.
 */
List *
hnsw_search_to_layer(HnswIndex *hi, const float *query, HnswMetaPageData *meta,
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
