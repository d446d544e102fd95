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
 * The element's bytes of a code of `bytes` bytes and, when the code is
 * split, the TID of its first vector tuple.
 */
void
hnsw_vector_set_element(HnswElementTuple etup, const void *code, int bytes, ItemPointer first)
{
	memcpy(etup->code, code, HNSW_INLINE_BYTES(bytes));
	if (HNSW_VECTOR_TUPLES(bytes) > 0)
		*HNSW_ELEMENT_NEXT(etup, bytes) = *first;
}

/*
 * The code of an element of hi: hnsw_vector_set_element of code_bytes, or
 * a sparse code whole, of its own size (hnsw.h).
 */
void
hnsw_element_set_code(const HnswIndex *hi, HnswElementTuple etup, const void *code,
					  ItemPointer first)
{
	if (hi->format == LINAL_HNSW_FORMAT_SPARSE)
		memcpy(etup->code, code, hnsw_code_size(hi, code));
	else
		hnsw_vector_set_element(etup, code, hi->code_bytes, first);
}

/* Vector tuple `part` (1 to HNSW_VECTOR_TUPLES(bytes)) of code, followed by next. */
void
hnsw_vector_set_part(HnswVectorTuple vtup, const void *code, int bytes, int part, ItemPointer next)
{
	Assert(part >= 1 && part <= HNSW_VECTOR_TUPLES(bytes));
	vtup->type = HNSW_VECTOR_TUPLE;
	vtup->unused = 0;
	vtup->count = HNSW_VECTOR_PART_COUNT;
	vtup->next = *next;
	vtup->unused2 = 0;
	memcpy(vtup->code,
		   (const char *) code + HNSW_INLINE_BYTES(bytes) + (Size) HNSW_VECTOR_PART_BYTES * (part - 1),
		   HNSW_VECTOR_PART_BYTES);
}

/*
 * Write the vector tuples of vec (an insert, under the update lock), the
 * last part first so each knows the TID of the next, one WAL record each:
 * on the insert page when it has room, else on a new page (a part fills
 * it, so the insert page stays).  Sets *first to the first part's TID,
 * for the element, which is written after them.
 */
void
hnsw_vector_write(HnswIndex *hi, const void *code, BlockNumber insert_page, ItemPointer first)
{
	int			bytes = hi->code_bytes;
	HnswVectorTuple vtup = palloc0(HNSW_VECTOR_TUPLE_SIZE);
	ItemPointerData next;
	int			part;

	ItemPointerSetInvalid(&next);
	for (part = HNSW_VECTOR_TUPLES(bytes); part >= 1; part--)
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

		hnsw_vector_set_part(vtup, code, bytes, part, &next);
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
 * Read the vector tuples of a split code from `first`, each under its own
 * shared lock: into rest (the bytes after the element's), or, with rest
 * NULL, adding each part's share of the distance to query to *sum (squared
 * L2 adds up over parts, so does L1, and so does the dot product of 1 -
 * dot and -dot: hnsw_code_sum).  A chain of the wrong length or kind is an
 * error.
 */
static void
read_parts(HnswIndex *hi, ItemPointer element, ItemPointer first, char *rest,
		   const char *query, double *sum)
{
	int			parts = HNSW_VECTOR_TUPLES(hi->code_bytes);
	int			head = HNSW_INLINE_BYTES(hi->code_bytes);
	HnswCodeDistance partial = rest == NULL ? hnsw_code_sum(hi->format, hi->kind) : NULL;
	ItemPointerData tid = *first;
	int			part;

	for (part = 1; part <= parts; part++)
	{
		BlockNumber blkno = ItemPointerGetBlockNumber(&tid);
		OffsetNumber off = ItemPointerGetOffsetNumber(&tid);
		Size		start = (Size) HNSW_VECTOR_PART_BYTES * (part - 1);
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
		if (vtup == NULL || vtup->type != HNSW_VECTOR_TUPLE || vtup->count != HNSW_VECTOR_PART_COUNT ||
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
			memcpy(rest + start, vtup->code, HNSW_VECTOR_PART_BYTES);
		else
			*sum += partial(query + head + start, vtup->code, HNSW_VECTOR_PART_BYTES);
		tid = vtup->next;
		UnlockReleaseBuffer(buf);
	}
}

/*
 * hnsw_load_into's end for a split code: etup is the element at c->tid,
 * on buf, share-locked; this releases buf before it reads the parts.
 * The parts are read only when the distance or a copy is asked for; for
 * the distance alone, from the pages, part by part, with no copy (a scan
 * spent a third of its time copying 4096-d vectors).
 */
void
hnsw_vector_load(HnswIndex *hi, Buffer buf, HnswElementTuple etup, const void *query,
				 bool keep_vector, HnswCandidate *c)
{
	int			bytes = hi->code_bytes;
	int			head = HNSW_INLINE_BYTES(bytes);
	ItemPointerData first = *HNSW_ELEMENT_NEXT(etup, bytes);
	char	   *code = NULL;
	double		sum = 0.0;

	c->code = NULL;
	if (keep_vector)
	{
		code = palloc(bytes);
		memcpy(code, etup->code, head);
	}
	else if (query != NULL)
		sum = hnsw_code_sum(hi->format, hi->kind) (query, etup->code, head);
	UnlockReleaseBuffer(buf);
	if (code == NULL && query == NULL)
		return;
	read_parts(hi, &c->tid, &first, code != NULL ? code + head : NULL, query, &sum);
	if (keep_vector)
	{
		c->code = code;
		if (query != NULL)
			c->distance = hnsw_distance(hi, query, code);
	}
	else
		c->distance = hnsw_code_finish(hi->kind, sum);
}
