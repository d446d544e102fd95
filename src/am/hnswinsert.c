/*-------------------------------------------------------------------------
 *
 * hnswinsert.c
 *	  linal_hnsw: adding one element to the graph (aminsert, and the build,
 *	  which inserts row by row).
 *
 * Steps, under the update lock in share mode (RowExclusiveLock: inserts run
 * together; VACUUM's repair and linal_index_check's confirming pass wait),
 * or exclusively for an element that will be the new entry point:
 *	1. draw the element's level; descend greedily to it from the entry;
 *	2. on each layer from there down to 0, search ef_construction candidates
 *	   and keep up to m (2m on layer 0) by HNSW's neighbour heuristic
 *	   (a candidate is kept if it is nearer to the new element than to any
 *	   neighbour kept before it; the rest fill the remaining slots);
 *	3. write the element and its neighbour tuple (one WAL record, which also
 *	   updates the metapage);
 *	4. link each neighbour back to it: into a free slot, or, when the
 *	   neighbour's links are full, by the same heuristic over its links and
 *	   the new element, leaving out the least preferred (one WAL record
 *	   per neighbour); on layer 0 a link is never replaced when it is its
 *	   target's way in (the target's parent is the neighbour), so inserts
 *	   never cut an element off the graph;
 *	5. the first neighbour that took a layer-0 link, among those that have
 *	   a parent themselves or are the entry point, becomes the new
 *	   element's parent (if none did, the nearest such candidate that takes
 *	   one by force), written in the same WAL record as that link, so that
 *	   another insert never sees the link without the parent; the tree of
 *	   ways in is in hnswtree.c;
 *	6. make it the entry point if its level is the highest: its layer-0
 *	   list then links to the old entry point, which it adopts, in the same
 *	   WAL record as the metapage's change.
 * A crash between 3 and 6 leaves an element that is not, or not fully,
 * linked; its transaction did not commit, so the row it points to is dead.
 * No committed element hangs from it: until step 5 it has no parent, so no
 * other insert takes it as one (it can find it through an upper layer,
 * whose back-links come first).
 *
 * Concurrent inserts: each holds one buffer lock at a time, but for the
 * element's write (metapage, then the insert page, then a new page), the
 * link that makes a parent (the two pages in block order) and the new
 * entry point's (metapage, then the old entry's page, under the exclusive
 * update lock): always in block order; none waits for the update lock while
 * holding a buffer lock.  A back-link is chosen from a copy of the list
 * read under a shared lock and written only if the list is unchanged
 * under the exclusive lock, else chosen again (hnsw_add_link): no insert
 * overwrites a link another has just made.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/float.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "am/hnsw.h"
#include "am/hnswheuristic.h"

/* the heuristic's pair distance over loaded candidates (hnswheuristic.h) */
typedef struct InsertPairs
{
	HnswIndex  *hi;
	HnswCandidate **cands;
} InsertPairs;

static pg_attribute_always_inline double
insert_pair_distance(void *context, int i, int k)
{
	InsertPairs *c = (InsertPairs *) context;

	return hnsw_distance(c->hi, c->cands[i]->code, c->cands[k]->code);
}

/*
 * Up to `keep` of the candidates (nearest first), by the neighbour
 * heuristic; deleted ones are never kept.
 */
static List *
select_neighbors(HnswIndex *hi, List *candidates, int keep)
{
	int			n = 0;
	HnswCandidate **cands = palloc(sizeof(HnswCandidate *) * Max(list_length(candidates), 1));
	double	   *dists = palloc(sizeof(double) * Max(list_length(candidates), 1));
	int		   *order = palloc(sizeof(int) * Max(list_length(candidates), 1));
	InsertPairs pairs = {hi, cands};
	List	   *selected = NIL;
	ListCell   *lc;
	int			i;

	foreach(lc, candidates)
	{
		HnswCandidate *c = lfirst(lc);

		if (c->deleted)
			continue;
		cands[n] = c;
		dists[n] = c->distance;
		n++;
	}
	hnsw_heuristic_order(dists, n, keep, insert_pair_distance, &pairs, order);
	for (i = 0; i < Min(n, keep); i++)
		selected = lappend(selected, cands[order[i]]);
	pfree(cands);
	pfree(dists);
	pfree(order);
	return selected;
}

/*
 * One WAL record: on `layer`, slot `replace` of `from`'s links now points
 * to the new element, if the layer's links are still `seen` (another
 * insert may have changed them since they were read).  With `adopt`, the
 * same record makes `from` the new element's parent: a list never links
 * to an element whose parent it is without that parent being written
 * (another insert deciding whether the link is a way in reads it).  Two
 * pages are locked in block order.  Returns whether it wrote.
 */
static bool
write_link(HnswIndex *hi, HnswCandidate *from, int layer, const ItemPointerData *seen,
		   int replace, ItemPointer new_tid, bool adopt)
{
	BlockNumber nblk = ItemPointerGetBlockNumber(&from->neighbortid);
	BlockNumber eblk = ItemPointerGetBlockNumber(new_tid);
	Buffer		nbuf = ReadBuffer(hi->index, nblk);
	Buffer		ebuf = InvalidBuffer;
	GenericXLogState *state;
	Page		page;
	HnswNeighborTuple ntup;
	HnswElementTuple etup;
	int			start = HNSW_LAYER_START(layer, hi->m);

	if (adopt && eblk != nblk)
	{
		ebuf = ReadBuffer(hi->index, eblk);
		if (eblk < nblk)
			LockBuffer(ebuf, BUFFER_LOCK_EXCLUSIVE);
	}
	LockBuffer(nbuf, BUFFER_LOCK_EXCLUSIVE);
	if (BufferIsValid(ebuf) && eblk > nblk)
		LockBuffer(ebuf, BUFFER_LOCK_EXCLUSIVE);
	ntup = (HnswNeighborTuple)
		PageGetItem(BufferGetPage(nbuf),
					PageGetItemId(BufferGetPage(nbuf), ItemPointerGetOffsetNumber(&from->neighbortid)));
	if (memcmp(&ntup->indextids[start], seen,
			   sizeof(ItemPointerData) * HNSW_LAYER_SLOTS(layer, hi->m)) != 0)
	{
		if (BufferIsValid(ebuf))
			UnlockReleaseBuffer(ebuf);
		UnlockReleaseBuffer(nbuf);
		return false;
	}
	state = GenericXLogStart(hi->index);
	page = GenericXLogRegisterBuffer(state, nbuf, 0);
	ntup = (HnswNeighborTuple)
		PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumber(&from->neighbortid)));
	ntup->indextids[start + replace] = *new_tid;
	if (adopt)
	{
		if (BufferIsValid(ebuf))
			page = GenericXLogRegisterBuffer(state, ebuf, 0);
		etup = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumber(new_tid)));
		Assert(etup->type == HNSW_ELEMENT_TUPLE);
		etup->parent = from->tid;
	}
	GenericXLogFinish(state);
	if (BufferIsValid(ebuf))
		UnlockReleaseBuffer(ebuf);
	UnlockReleaseBuffer(nbuf);
	return true;
}

/* which candidates of choose_replaced must stay: a parent's link, and with force the new one */
typedef struct InsertKept
{
	HnswCandidate **sorted;
	HnswCandidate *from;
	int			layer;
	bool		force;
} InsertKept;

static bool
insert_kept(void *context, int k)
{
	InsertKept *c = (InsertKept *) context;

	if (c->sorted[k]->slot < 0)
		return c->force;
	return c->layer == 0 && ItemPointerEquals(&c->sorted[k]->parent, &c->from->tid);
}

/*
 * Which of `from`'s full list of links (cands[1..slots], cands[0] the new
 * element) to replace by the new element: a deleted link (the farthest),
 * else the least preferred of the links and the new element by HNSW's
 * heuristic, never a link that is its target's way in (layer 0, parent
 * `from`), nor with `force` the new element.  Returns the slot, or -1 when
 * the new element is left out or every link is protected.  The
 * candidates are ordered by a stable sort of their distances, the
 * new one first, then the slots: as the build's lists, which keep their
 * links sorted and put a new one before those as near as it.
 */
static int
choose_replaced(HnswIndex *hi, HnswCandidate *from, HnswCandidate **cands, int n, int layer,
				bool force)
{
	HnswCandidate *sorted[2 * HNSW_MAX_M + 1];
	double		dists[2 * HNSW_MAX_M + 1];
	bool		diverse[2 * HNSW_MAX_M + 1];
	InsertPairs pairs = {hi, sorted};
	int			gone = -1;
	int			i;
	int			k;

	Assert(n <= 2 * HNSW_MAX_M + 1);
	for (i = 0; i < n; i++)
	{
		HnswCandidate *c = cands[i];
		double		d = c->distance;

		for (k = i; k > 0 && dists[k - 1] > d; k--)
		{
			sorted[k] = sorted[k - 1];
			dists[k] = dists[k - 1];
		}
		sorted[k] = c;
		dists[k] = d;
	}
	for (i = 0; i < n; i++)
	{
		if (sorted[i]->deleted)
			gone = i;
	}
	if (gone >= 0)
		return sorted[gone]->slot;
	hnsw_heuristic_flags(dists, n, 0, NULL, n, insert_pair_distance, &pairs, diverse);
	{
		InsertKept	kept = {sorted, from, layer, force};

		k = hnsw_heuristic_evict(diverse, n, insert_kept, &kept);
	}
	return k < 0 ? -1 : sorted[k]->slot;
}

/*
 * Link `from` (a neighbour of the new element) to the new element on
 * `layer`: into a free slot, or, when its links are full, by HNSW's
 * heuristic: of its links and the new element, the least preferred one
 * (choose_replaced) is left out.  On layer 0 a link to a live element
 * whose parent is `from` is never dropped (its way in: hnswtree.c).  With
 * `force` the new element is never the one left out.  new_vec and
 * distance (from `from` to it) describe the new element.  Returns whether
 * the link was made.
 */
static bool
add_link(HnswIndex *hi, HnswCandidate *from, ItemPointer new_tid, const void *new_vec,
		 double distance, int layer, bool force, bool adopt)
{
	int			start = HNSW_LAYER_START(layer, hi->m);
	int			slots = HNSW_LAYER_SLOTS(layer, hi->m);
	ItemPointerData current[2 * HNSW_MAX_M];

	/*
	 * Read the links, choose, and write only if they are still the ones
	 * read: the choice loads other elements (other buffers), so it is made
	 * with no lock held, and another insert may link to `from` meanwhile;
	 * then choose again from what it wrote.
	 */
	for (;;)
	{
		int			replace = -1;
		Buffer		buf;
		HnswNeighborTuple ntup;
		int			i;

		CHECK_FOR_INTERRUPTS();
		buf = ReadBuffer(hi->index, ItemPointerGetBlockNumber(&from->neighbortid));
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		ntup = (HnswNeighborTuple) PageGetItem(BufferGetPage(buf),
											   PageGetItemId(BufferGetPage(buf),
															 ItemPointerGetOffsetNumber(&from->neighbortid)));
		if (start + slots > ntup->count)
		{
			UnlockReleaseBuffer(buf);
			return false;
		}
		memcpy(current, &ntup->indextids[start], sizeof(ItemPointerData) * slots);
		UnlockReleaseBuffer(buf);
		for (i = 0; i < slots; i++)
		{
			if (ItemPointerIsValid(&current[i]) && ItemPointerEquals(&current[i], new_tid))
				return false;
			if (!ItemPointerIsValid(&current[i]) && replace < 0)
				replace = i;
		}

		if (replace < 0)
		{
			HnswCandidate *cands[2 * HNSW_MAX_M + 1];
			HnswCandidate *added = palloc0(sizeof(HnswCandidate));

			added->tid = *new_tid;
			added->distance = distance;
			added->code = (void *) new_vec;
			added->slot = -1;
			cands[0] = added;
			for (i = 0; i < slots; i++)
			{
				cands[i + 1] = hnsw_load(hi, &current[i], from->code, true);
				cands[i + 1]->slot = i;
			}

			/*
			 * a parent is written with the link from it (write_link), so a
			 * target linked here whose parent is not `from` never gets
			 * `from` as its parent through this link
			 */
			replace = choose_replaced(hi, from, cands, slots + 1, layer, force);
			if (replace < 0)
				return false;
		}

		if (write_link(hi, from, layer, current, replace, new_tid, adopt))
			return true;
	}
}

bool
hnsw_add_link(HnswIndex *hi, HnswCandidate *from, ItemPointer new_tid, const void *new_vec,
			  double distance, int layer, bool force)
{
	return add_link(hi, from, new_tid, new_vec, distance, layer, force, false);
}

/* A page with `needed` free bytes: the insert page, or a new one. */
static Buffer
page_with_room(HnswIndex *hi, BlockNumber insert_page, Size needed, bool *is_new)
{
	if (insert_page != InvalidBlockNumber)
	{
		Buffer		buf = ReadBuffer(hi->index, insert_page);

		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		if (PageGetFreeSpace(BufferGetPage(buf)) >= needed)
		{
			*is_new = false;
			return buf;
		}
		UnlockReleaseBuffer(buf);
	}
	*is_new = true;
	return hnsw_new_buffer(hi->index, MAIN_FORKNUM);
}

/*
 * Write the element and its neighbour tuple, and the metapage's insert
 * page and count (and entry point, when the graph was empty), in one WAL
 * record.  Returns the element's TID.
 */
static ItemPointerData
write_element(HnswIndex *hi, HnswMetaPageData *meta, const void *vec, ItemPointer heaptid,
			  int level, List **selected)
{
	Size		esize = hnsw_element_size(hi, vec);
	Size		nsize = HNSW_NEIGHBOR_TUPLE_SIZE(level, hi->m);
	HnswElementTuple etup = palloc0(esize);
	HnswNeighborTuple ntup = palloc0(nsize);
	bool		new_e;
	Buffer		ebuf;
	Buffer		nbuf = InvalidBuffer;
	Buffer		metabuf;
	GenericXLogState *state;
	Page		epage;
	Page		npage;
	Page		metapage;
	HnswMetaPage m;
	ItemPointerData etid;
	int			layer;
	int			slots = (level + 2) * hi->m;
	int			i;
	ItemPointerData first;
	BlockNumber insert_page;

	/*
	 * A vector longer than a page: its vector tuples first, in records of
	 * their own (GenericXLog takes too few pages for one); a crash before
	 * the element's record leaves them unreferenced, until REINDEX.
	 */
	ItemPointerSetInvalid(&first);
	if (hnsw_vector_tuples(hi) > 0)
		hnsw_vector_write(hi, vec, meta->insert_page, &first);

	/* the neighbour tuple */
	ntup->type = HNSW_NEIGHBOR_TUPLE;
	ntup->count = slots;
	for (i = 0; i < slots; i++)
		ItemPointerSetInvalid(&ntup->indextids[i]);
	for (layer = 0; layer <= level; layer++)
	{
		ListCell   *lc;

		i = HNSW_LAYER_START(layer, hi->m);
		foreach(lc, selected[layer])
			ntup->indextids[i++] = ((HnswCandidate *) lfirst(lc))->tid;
	}

	/*
	 * The metapage first (block order: its lock is held while the pages
	 * are chosen, so concurrent inserts read the insert page one at a
	 * time and the newest), then both on one page when they fit, else the
	 * neighbours on a page of their own.
	 */
	metabuf = ReadBuffer(hi->index, HNSW_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	insert_page = HnswPageGetMeta(BufferGetPage(metabuf))->insert_page;
	if (esize + nsize + 2 * sizeof(ItemIdData) <= BLCKSZ - SizeOfPageHeaderData -
		MAXALIGN(sizeof(HnswPageOpaqueData)))
		ebuf = page_with_room(hi, insert_page, esize + nsize + 2 * sizeof(ItemIdData), &new_e);
	else
	{
		ebuf = page_with_room(hi, insert_page, esize + sizeof(ItemIdData), &new_e);
		nbuf = hnsw_new_buffer(hi->index, MAIN_FORKNUM);
	}

	state = GenericXLogStart(hi->index);
	epage = GenericXLogRegisterBuffer(state, ebuf, new_e ? GENERIC_XLOG_FULL_IMAGE : 0);
	if (new_e)
		hnsw_init_page(epage, sizeof(HnswPageOpaqueData));
	npage = epage;
	if (nbuf != InvalidBuffer)
	{
		npage = GenericXLogRegisterBuffer(state, nbuf, GENERIC_XLOG_FULL_IMAGE);
		hnsw_init_page(npage, sizeof(HnswPageOpaqueData));
	}
	metapage = GenericXLogRegisterBuffer(state, metabuf, 0);

	ItemPointerSet(&etid, BufferGetBlockNumber(ebuf), OffsetNumberNext(PageGetMaxOffsetNumber(epage)));
	etup->type = HNSW_ELEMENT_TUPLE;
	etup->level = (uint8) level;
	etup->heaptid = *heaptid;
	ItemPointerSetInvalid(&etup->parent);	/* set once a neighbour links to it */
	hnsw_element_set_code(hi, etup, vec, &first);
	ItemPointerSet(&etup->neighbortid, BufferGetBlockNumber(nbuf != InvalidBuffer ? nbuf : ebuf),
				   npage == epage ? OffsetNumberNext(ItemPointerGetOffsetNumber(&etid)) :
				   FirstOffsetNumber);
	if (PageAddItem(epage, (Item) etup, esize, InvalidOffsetNumber, false, false) !=
		ItemPointerGetOffsetNumber(&etid) ||
		PageAddItem(npage, (Item) ntup, nsize, InvalidOffsetNumber, false, false) !=
		ItemPointerGetOffsetNumber(&etup->neighbortid))
		elog(ERROR, "linal_hnsw: could not add an element to page %u of \"%s\"",
			 BufferGetBlockNumber(ebuf), RelationGetRelationName(hi->index));

	m = HnswPageGetMeta(metapage);
	m->insert_page = BufferGetBlockNumber(nbuf != InvalidBuffer ? nbuf : ebuf);
	m->elements++;
	if (!ItemPointerIsValid(&m->entry))
	{
		m->entry = etid;
		m->entry_level = (int16) level;
	}
	GenericXLogFinish(state);

	*meta = *m;
	if (nbuf != InvalidBuffer)
		UnlockReleaseBuffer(nbuf);
	UnlockReleaseBuffer(ebuf);
	UnlockReleaseBuffer(metabuf);
	return etid;
}

/*
 * The new element becomes the entry point, and the parent of the old one
 * (its layer-0 list links to it): one WAL record, so the tree leads to an
 * entry point at every moment.
 */
static void
set_entry(HnswIndex *hi, ItemPointer tid, int level, ItemPointer old_entry)
{
	Buffer		metabuf = ReadBuffer(hi->index, HNSW_METAPAGE_BLKNO);
	Buffer		ebuf = ReadBuffer(hi->index, ItemPointerGetBlockNumber(old_entry));
	GenericXLogState *state;
	HnswMetaPage m;
	Page		epage;
	HnswElementTuple etup;

	/* block order, the metapage first */
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	LockBuffer(ebuf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(hi->index);
	m = HnswPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
	epage = GenericXLogRegisterBuffer(state, ebuf, 0);
	m->entry = *tid;
	m->entry_level = (int16) level;
	etup = (HnswElementTuple) PageGetItem(epage, PageGetItemId(epage, ItemPointerGetOffsetNumber(old_entry)));
	etup->parent = *tid;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(ebuf);
	UnlockReleaseBuffer(metabuf);
}

/* The list with a link to `tid` (replacing its least preferred link when full). */
static List *
with_link_to(HnswIndex *hi, List *selected, ItemPointer tid, const void *vec, int slots)
{
	ListCell   *lc;

	foreach(lc, selected)
	{
		if (ItemPointerEquals(&((HnswCandidate *) lfirst(lc))->tid, tid))
			return selected;
	}
	if (list_length(selected) >= slots)
		selected = list_delete_last(selected);
	return lappend(selected, hnsw_load(hi, tid, vec, true));
}

/*
 * Whether a neighbour may become a new element's parent: it leads to the
 * entry point itself (it is the entry point, or it has a parent).  An
 * element whose own insert is still linking it has no parent yet, though
 * another insert can find it through an upper layer; were it to adopt, a
 * crash before its own parent is written would leave the adopted element
 * hanging from a row that never committed.
 */
static bool
leads_to_entry(HnswCandidate *n, HnswMetaPageData *meta)
{
	return ItemPointerIsValid(&n->parent) || ItemPointerEquals(&n->tid, &meta->entry);
}

/*
 * Insert one vector (already prepared, hnsw_build_prepare_value: the code,
 * normalised for cosine; for an int8 index the floats) for heaptid.
 * An int8 index's new element is searched for with its floats against
 * the codes on the pages (hnsw_float_code_distance, through `search`, a
 * copy of hi with that distance), so only the stored side carries a
 * quantization error; what compares two stored elements (the heuristic)
 * and what is written use its code.
 * Allocates in CurrentMemoryContext; callers reset it.  Returns false when
 * no neighbour took a link to the new element, not even by force (all
 * their links were their targets' ways in): it is then cut off until
 * VACUUM adopts it.
 */
bool
hnsw_insert_element(HnswIndex *hi, const void *vec, ItemPointer heaptid)
{
	HnswIndex	search = *hi;
	const void *code = vec;
	HnswMetaPageData meta;
	List	   *selected[HNSW_MAX_LEVEL + 1];
	List	   *entries;
	List	   *found0 = NIL;
	int			level = hnsw_random_level(&pg_global_prng_state, hi->m);
	LOCKMODE	lockmode = RowExclusiveLock;
	int			top;
	int			layer;
	bool		root;
	ItemPointerData tid;
	ItemPointerData parent;
	ListCell   *lc;

	/* the neighbour tuple of any level must fit on a page */
	while (level > 0 && HNSW_NEIGHBOR_TUPLE_SIZE(level, hi->m) > BLCKSZ / 2)
		level--;
	memset(selected, 0, sizeof(selected));
	ItemPointerSetInvalid(&parent);
	if (hnsw_rows_are_floats(hi))
	{
		void	   *encoded = palloc(hi->code_bytes);

		hnsw_floats_encode(hi, vec, encoded);
		code = encoded;
		search.distance = hnsw_float_code_distance(hi->format, hi->kind);
	}

	/*
	 * Inserts share the update lock (RowExclusiveLock: compatible with
	 * itself, not with VACUUM's ExclusiveLock nor linal_index_check's
	 * ShareLock).  One that will be the new entry point takes it
	 * exclusively for the whole insert, and looks again once it has it;
	 * the entry point changes only under that lock, so a shared insert's
	 * view of it stays true.
	 */
	LockPage(hi->index, HNSW_METAPAGE_BLKNO, lockmode);
	hnsw_read_meta(hi->index, &meta);
	if (!ItemPointerIsValid(&meta.entry) || level > meta.entry_level)
	{
		UnlockPage(hi->index, HNSW_METAPAGE_BLKNO, lockmode);
		lockmode = ExclusiveLock;
		LockPage(hi->index, HNSW_METAPAGE_BLKNO, lockmode);
		hnsw_read_meta(hi->index, &meta);
	}

	/* a level-0 element starts from a wide search of layer 1, like scans */
	if (level == 0 && ItemPointerIsValid(&meta.entry) && meta.entry_level >= 1)
	{
		HnswTidSet *visited = hnsw_tidset_create(CurrentMemoryContext, HNSW_SEEN_EXPECTED(hi->ef_construction));

		entries = hnsw_search_to_layer(&search, vec, &meta, 1, true);
		entries = hnsw_search_layer(&search, vec, entries, hi->ef_construction, 1, true, visited);
	}
	else
		entries = hnsw_search_to_layer(&search, vec, &meta, level, true);
	top = ItemPointerIsValid(&meta.entry) ? Min(level, meta.entry_level) : -1;
	for (layer = top; layer >= 0; layer--)
	{
		HnswTidSet *visited = hnsw_tidset_create(CurrentMemoryContext, HNSW_SEEN_EXPECTED(hi->ef_construction));
		List	   *found = hnsw_search_layer(&search, vec, entries, hi->ef_construction, layer,
											  true, visited);

		selected[layer] = select_neighbors(hi, found, HNSW_LAYER_SLOTS(layer, hi->m));
		entries = found;
		if (layer == 0)
			found0 = found;
	}
	/* the first element, or one above the entry point: the new entry point */
	root = top < 0 || level > meta.entry_level;
	if (root && top >= 0)
		selected[0] = with_link_to(&search, selected[0], &meta.entry, vec,
								   HNSW_LAYER_SLOTS(0, hi->m));

	tid = write_element(hi, &meta, code, heaptid, level, selected);

	/*
	 * Back-links; the first neighbour that takes one on layer 0 is the
	 * parent, written in the same WAL record as its link (write_link).
	 */
	for (layer = top; layer >= 0; layer--)
	{
		foreach(lc, selected[layer])
		{
			HnswCandidate *n = lfirst(lc);
			bool		adopt = layer == 0 && !root && !ItemPointerIsValid(&parent) &&
				leads_to_entry(n, &meta);

			if (add_link(hi, n, &tid, code, n->distance, layer, false, adopt) && adopt)
				parent = n->tid;
		}
	}
	/* none did: by force, from the neighbours, then from the other candidates */
	if (!root && !ItemPointerIsValid(&parent))
	{
		foreach(lc, found0)
		{
			HnswCandidate *n = lfirst(lc);

			if (!n->deleted && leads_to_entry(n, &meta) &&
				add_link(hi, n, &tid, code, n->distance, 0, true, true))
			{
				parent = n->tid;
				break;
			}
		}
	}
	if (root && top >= 0)
		set_entry(hi, &tid, level, &meta.entry);
	/* cut off: the next VACUUM must walk the graph to adopt it */
	if (!root && !ItemPointerIsValid(&parent))
		hnsw_set_unadopted(hi->index, true);

	UnlockPage(hi->index, HNSW_METAPAGE_BLKNO, lockmode);
	return root || ItemPointerIsValid(&parent);
}
