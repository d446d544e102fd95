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
 * Read the vector tuples of a split vector from `first` into rest (the
 * floats after the element's), each under its own shared lock; a chain
 * of the wrong length or kind is an error.
 */
static void
read_parts(HnswIndex *hi, ItemPointer element, ItemPointer first, float *rest)
{
	int			parts = HNSW_VECTOR_TUPLES(hi->dimensions);
	ItemPointerData tid = *first;
	int			part;

	for (part = 1; part <= parts; part++)
	{
		BlockNumber blkno = ItemPointerGetBlockNumber(&tid);
		OffsetNumber off = ItemPointerGetOffsetNumber(&tid);
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
		buf = ReadBuffer(hi->index, blkno);
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
		memcpy(rest + (Size) HNSW_VECTOR_PART_DIM * (part - 1), vtup->vec,
			   sizeof(float) * HNSW_VECTOR_PART_DIM);
		tid = vtup->next;
		UnlockReleaseBuffer(buf);
	}
}

/*
 * hnsw_load_into's end for a split vector: etup is the element at c->tid,
 * on buf, share-locked; this releases buf before it reads the parts.
 * The whole vector is read only when the distance or a copy is asked for.
 */
void
hnsw_vector_load(HnswIndex *hi, Buffer buf, HnswElementTuple etup, const float *query,
				 bool keep_vector, HnswCandidate *c)
{
	int			dim = hi->dimensions;
	ItemPointerData first = *HNSW_ELEMENT_NEXT(etup, dim);
	float	   *vec = NULL;

	if (query != NULL || keep_vector)
	{
		vec = palloc(sizeof(float) * dim);
		memcpy(vec, etup->vec, sizeof(float) * HNSW_INLINE_DIM(dim));
	}
	UnlockReleaseBuffer(buf);
	c->vec = NULL;
	if (vec == NULL)
		return;
	read_parts(hi, &c->tid, &first, vec + HNSW_INLINE_DIM(dim));
	if (query != NULL)
		c->distance = hnsw_distance(hi->kind, query, vec, dim);
	if (keep_vector)
		c->vec = vec;
	else
		pfree(vec);
}
