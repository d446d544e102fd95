/*-------------------------------------------------------------------------
 *
 * hnswvector.c
 *	  linal_hnsw: vectors longer than a page, split between their element
 *	  tuple and a chain of vector tuples (the layout is in hnsw.h).
 *
 * A split vector is read a page at a time: the element's page is unlocked
 * before the first vector tuple's is locked, so a search still holds one
 * buffer lock at a time.  That is safe without holding the element's
 * page: vector tuples are written before the element that points to
 * them, and neither is ever moved or rewritten (only an element's deleted
 * flag and parent change).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"

#include "am/hnsw.h"
#include "kernels/kernels.h"

/*
 * The element's floats and, when the vector is split, the TID of its
 * first vector tuple.
 */
void
hnsw_vector_set_element(HnswElementTuple etup, const float *vec, int dim, ItemPointer first)
{
	memcpy(etup->vec, vec, sizeof(float) * HNSW_INLINE_DIM(dim));
	if (HNSW_VECTOR_TUPLES(dim) > 0)
		*HNSW_ELEMENT_NEXT(etup, dim) = *first;
}

/* Vector tuple `part` (1 to HNSW_VECTOR_TUPLES(dim)) of vec, followed by next. */
void
hnsw_vector_set_part(HnswVectorTuple vtup, const float *vec, int dim, int part, ItemPointer next)
{
	Assert(part >= 1 && part <= HNSW_VECTOR_TUPLES(dim));
	vtup->type = HNSW_VECTOR_TUPLE;
	vtup->unused = 0;
	vtup->count = HNSW_VECTOR_PART_DIM;
	vtup->next = *next;
	vtup->unused2 = 0;
	memcpy(vtup->vec, vec + HNSW_INLINE_DIM(dim) + (Size) HNSW_VECTOR_PART_DIM * (part - 1),
		   sizeof(float) * HNSW_VECTOR_PART_DIM);
}

/*
 * Write the vector tuples of vec (an insert, under the update lock), the
 * last part first so each knows the TID of the next, one WAL record each:
 * on the insert page when it has room, else on a new page (a part fills
 * it, so the insert page stays).  Sets *first to the first part's TID,
 * for the element, which is written after them.
 */
void
hnsw_vector_write(HnswIndex *hi, const float *vec, BlockNumber insert_page, ItemPointer first)
{
	int			dim = hi->dimensions;
	HnswVectorTuple vtup = palloc0(HNSW_VECTOR_TUPLE_SIZE);
	ItemPointerData next;
	int			part;

	ItemPointerSetInvalid(&next);
	for (part = HNSW_VECTOR_TUPLES(dim); part >= 1; part--)
	{
		Buffer		buf = InvalidBuffer;
		bool		is_new = true;
		GenericXLogState *state;
		Page		page;
		OffsetNumber off;

		if (insert_page != InvalidBlockNumber)
		{
			buf = ReadBuffer(hi->index, insert_page);
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
			if (PageGetFreeSpace(BufferGetPage(buf)) >= HNSW_VECTOR_TUPLE_SIZE)
				is_new = false;
			else
			{
				UnlockReleaseBuffer(buf);
				buf = InvalidBuffer;
			}
		}
		if (is_new)
			buf = hnsw_new_buffer(hi->index, MAIN_FORKNUM);

		hnsw_vector_set_part(vtup, vec, dim, part, &next);
		state = GenericXLogStart(hi->index);
		page = GenericXLogRegisterBuffer(state, buf, is_new ? GENERIC_XLOG_FULL_IMAGE : 0);
		if (is_new)
			hnsw_init_page(page, sizeof(HnswPageOpaqueData));
		off = PageAddItem(page, (Item) vtup, HNSW_VECTOR_TUPLE_SIZE, InvalidOffsetNumber, false, false);
		if (off == InvalidOffsetNumber)
			elog(ERROR, "linal_hnsw: could not add a vector tuple to page %u of \"%s\"",
				 BufferGetBlockNumber(buf), RelationGetRelationName(hi->index));
		GenericXLogFinish(state);
		ItemPointerSet(&next, BufferGetBlockNumber(buf), off);
		UnlockReleaseBuffer(buf);
	}
	pfree(vtup);
	*first = next;
}

/*
 * The part of a distance that a run of n floats adds: squared L2 adds up
 * over parts, so does L1, and so does the dot product of 1 - dot and -dot.
 */
static double
partial_distance(LinalDistance kind, const float *query, const float *vec, int n)
{
	if (kind == LINAL_DISTANCE_L2)
		return (double) linal_kernels->l2_squared(query, vec, n);
	if (kind == LINAL_DISTANCE_L1)
		return (double) linal_kernels->l1(query, vec, n);
	return (double) linal_kernels->dot(query, vec, n);
}

static double
finish_distance(LinalDistance kind, double sum)
{
	switch (kind)
	{
		case LINAL_DISTANCE_L2:
		case LINAL_DISTANCE_L1:
			return sum;
		case LINAL_DISTANCE_COSINE:
			return 1.0 - sum;
		case LINAL_DISTANCE_NEG_IP:
			return -sum;
		default:
			break;
	}
	elog(ERROR, "linal_hnsw: no distance");
	return 0.0;
}

/*
 * Read the vector tuples of a split vector from `first`, each under its
 * own shared lock: into rest (the floats after the element's), or, with
 * rest NULL, adding each part's share of the distance to query to *sum.
 * A chain of the wrong length or kind is an error.
 */
static void
read_parts(HnswIndex *hi, ItemPointer element, ItemPointer first, float *rest,
		   const float *query, double *sum)
{
	int			parts = HNSW_VECTOR_TUPLES(hi->dimensions);
	int			head = HNSW_INLINE_DIM(hi->dimensions);
	ItemPointerData tid = *first;
	int			part;

	for (part = 1; part <= parts; part++)
	{
		BlockNumber blkno = ItemPointerGetBlockNumber(&tid);
		OffsetNumber off = ItemPointerGetOffsetNumber(&tid);
		Size		start = (Size) HNSW_VECTOR_PART_DIM * (part - 1);
		Buffer		buf;
		Page		page;
		ItemId		item;
		HnswVectorTuple vtup;

		/* the index only grows: look at its size again only past the known end */
		if (ItemPointerIsValid(&tid) && blkno >= hi->nblocks)
			hi->nblocks = RelationGetNumberOfBlocks(hi->index);
		if (!ItemPointerIsValid(&tid) || blkno == HNSW_METAPAGE_BLKNO || blkno >= hi->nblocks)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" has a broken vector chain at element (%u,%u)",
							RelationGetRelationName(hi->index),
							ItemPointerGetBlockNumber(element), ItemPointerGetOffsetNumber(element)),
					 errdetail("Part %d of %d is missing.", part, parts)));
		buf = hnsw_read_block(hi, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		vtup = NULL;
		if (off >= FirstOffsetNumber && off <= PageGetMaxOffsetNumber(page))
		{
			item = PageGetItemId(page, off);
			if (ItemIdIsNormal(item) && ItemIdGetLength(item) >= HNSW_VECTOR_TUPLE_SIZE)
				vtup = (HnswVectorTuple) PageGetItem(page, item);
		}
		if (vtup == NULL || vtup->type != HNSW_VECTOR_TUPLE || vtup->count != HNSW_VECTOR_PART_DIM ||
			ItemPointerIsValid(&vtup->next) != (part < parts))
		{
			UnlockReleaseBuffer(buf);
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" has a broken vector chain at element (%u,%u)",
							RelationGetRelationName(hi->index),
							ItemPointerGetBlockNumber(element), ItemPointerGetOffsetNumber(element)),
					 errdetail("Part %d of %d, at (%u,%u), is not the vector tuple expected.",
							   part, parts, blkno, off)));
		}
		if (rest != NULL)
			memcpy(rest + start, vtup->vec, sizeof(float) * HNSW_VECTOR_PART_DIM);
		else
			*sum += partial_distance(hi->kind, query + head + start, vtup->vec,
									 HNSW_VECTOR_PART_DIM);
		tid = vtup->next;
		UnlockReleaseBuffer(buf);
	}
}

/*
 * hnsw_load_into's end for a split vector: etup is the element at c->tid,
 * on buf, share-locked; this releases buf before it reads the parts.
 * The parts are read only when the distance or a copy is asked for; for
 * the distance alone, from the pages, part by part, with no copy (a scan
 * spent a third of its time copying 4096-d vectors).
 */
void
hnsw_vector_load(HnswIndex *hi, Buffer buf, HnswElementTuple etup, const float *query,
				 bool keep_vector, HnswCandidate *c)
{
	int			dim = hi->dimensions;
	int			head = HNSW_INLINE_DIM(dim);
	ItemPointerData first = *HNSW_ELEMENT_NEXT(etup, dim);
	float	   *vec = NULL;
	double		sum = 0.0;

	c->vec = NULL;
	if (keep_vector)
	{
		vec = palloc(sizeof(float) * dim);
		memcpy(vec, etup->vec, sizeof(float) * head);
	}
	else if (query != NULL)
		sum = partial_distance(hi->kind, query, etup->vec, head);
	UnlockReleaseBuffer(buf);
	if (vec == NULL && query == NULL)
		return;
	read_parts(hi, &c->tid, &first, vec != NULL ? vec + head : NULL, query, &sum);
	if (keep_vector)
	{
		c->vec = vec;
		if (query != NULL)
			c->distance = hnsw_distance(hi->kind, query, vec, dim);
	}
	else
		c->distance = finish_distance(hi->kind, sum);
}
