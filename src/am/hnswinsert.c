/*-------------------------------------------------------------------------
 *
 * hnswinsert.c
 *	  linal_hnsw: adding one element to the graph (aminsert, and the build,
 *	  which inserts row by row).
 *
 * Steps, under the update lock (one writer at a time):
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
 *	   per neighbour); on layer 0 a link is only replaced when its
 *	   target keeps another incoming link (each element counts its layer-0
 *	   in-links), so inserts never cut an element off the graph, and the new
 *	   element gets at least one in-link;
 *	5. make it the entry point if its level is the highest.
 * A crash between 3 and 5 leaves an element that is not, or not fully,
 * linked; its transaction did not commit, so the row it points to is dead.
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

/* Up to `keep` of the candidates (nearest first), by the neighbour heuristic. */
static List *
select_neighbors(HnswIndex *hi, List *candidates, int keep)
{
	List	   *selected = NIL;
	List	   *discarded = NIL;
	ListCell   *lc;

	foreach(lc, candidates)
	{
		HnswCandidate *c = lfirst(lc);
		bool		good = true;
		ListCell   *sc;

		if (c->deleted)
			continue;
		if (list_length(selected) >= keep)
			break;
		foreach(sc, selected)
		{
			HnswCandidate *s = lfirst(sc);

			if (hnsw_distance(hi->kind, c->vec, s->vec, hi->dimensions) < c->distance)
			{
				good = false;
				break;
			}
		}
		if (good)
			selected = lappend(selected, c);
		else
			discarded = lappend(discarded, c);
	}
	foreach(lc, discarded)
	{
		if (list_length(selected) >= keep)
			break;
		selected = lappend(selected, lfirst(lc));
	}
	return selected;
}

/*
 * One WAL record for `from`: on `layer`, slot `replace` (if >= 0) of its
 * links now points to the new element; with count_in its in-degree also
 * goes up by one, for the new element's own layer-0 link to it.
 */
static void
write_link(HnswIndex *hi, HnswCandidate *from, int layer, int replace, ItemPointer new_tid,
		   bool count_in)
{
	BlockNumber nblock = ItemPointerGetBlockNumber(&from->neighbortid);
	BlockNumber eblock = ItemPointerGetBlockNumber(&from->tid);
	Buffer		nbuf;
	Buffer		ebuf = InvalidBuffer;
	GenericXLogState *state;
	Page		npage;
	Page		epage;

	if (replace < 0 && !count_in)
		return;
	nbuf = ReadBuffer(hi->index, nblock);
	if (count_in && eblock != nblock)
		ebuf = ReadBuffer(hi->index, eblock);
	/* lock in block order: the only writer, but keep a fixed order anyway */
	if (ebuf != InvalidBuffer && eblock < nblock)
		LockBuffer(ebuf, BUFFER_LOCK_EXCLUSIVE);
	LockBuffer(nbuf, BUFFER_LOCK_EXCLUSIVE);
	if (ebuf != InvalidBuffer && eblock > nblock)
		LockBuffer(ebuf, BUFFER_LOCK_EXCLUSIVE);

	state = GenericXLogStart(hi->index);
	npage = GenericXLogRegisterBuffer(state, nbuf, 0);
	epage = ebuf != InvalidBuffer ? GenericXLogRegisterBuffer(state, ebuf, 0) : npage;
	if (replace >= 0)
	{
		HnswNeighborTuple ntup = (HnswNeighborTuple)
			PageGetItem(npage, PageGetItemId(npage, ItemPointerGetOffsetNumber(&from->neighbortid)));

		ntup->indextids[HNSW_LAYER_START(layer, hi->m) + replace] = *new_tid;
	}
	if (count_in)
	{
		HnswElementTuple etup = (HnswElementTuple)
			PageGetItem(epage, PageGetItemId(epage, ItemPointerGetOffsetNumber(&from->tid)));

		if (etup->indegree < PG_UINT16_MAX)
			etup->indegree++;
	}
	GenericXLogFinish(state);
	if (ebuf != InvalidBuffer)
		UnlockReleaseBuffer(ebuf);
	UnlockReleaseBuffer(nbuf);
}

static int
compare_candidates(const ListCell *a, const ListCell *b)
{
	const HnswCandidate *x = lfirst(a);
	const HnswCandidate *y = lfirst(b);

	return x->distance < y->distance ? -1 : (x->distance > y->distance ? 1 : 0);
}

/*
 * HNSW's neighbour heuristic as an order of preference over candidates
 * sorted nearest first: the diverse ones (each nearer to the base than to
 * any diverse one before it) first, then the rest, deleted ones last.
 */
static List *
preference_order(HnswIndex *hi, List *sorted)
{
	List	   *good = NIL;
	List	   *rest = NIL;
	List	   *gone = NIL;
	ListCell   *lc;

	foreach(lc, sorted)
	{
		HnswCandidate *c = lfirst(lc);
		bool		diverse = true;
		ListCell   *gc;

		if (c->deleted)
		{
			gone = lappend(gone, c);
			continue;
		}
		foreach(gc, good)
		{
			HnswCandidate *g = lfirst(gc);

			if (hnsw_distance(hi->kind, c->vec, g->vec, hi->dimensions) < c->distance)
			{
				diverse = false;
				break;
			}
		}
		if (diverse)
			good = lappend(good, c);
		else
			rest = lappend(rest, c);
	}
	return list_concat(list_concat(good, rest), gone);
}

/* Whether from -> to is an edge of a walk's tree (never when there is none). */
static bool
tree_edge(HTAB *tree, ItemPointer from, ItemPointer to)
{
	HnswTreeEntry *r;

	if (tree == NULL)
		return false;
	r = hash_search(tree, to, HASH_FIND, NULL);
	return r != NULL && ItemPointerEquals(&r->parent, from);
}

/*
 * Link `from` (a neighbour of the new element) to the new element on
 * `layer`: into a free slot, or, when its links are full, by HNSW's
 * heuristic: of its links and the new element, the least preferred one
 * (preference_order) is left out.  On layer 0 a link to a live element
 * whose count says it has no other way in is never dropped.  With `force`
 * the new element is never the one left out.  With `tree` (the walk of
 * hnsw_relink_unreachable) a link to an element whose parent in the tree
 * is `from` never goes either.  new_vec and distance (from `from` to it)
 * describe the new element.  Returns whether the link was
 * made.  On layer 0 (unless `force`, a second try) `from`'s in-degree also
 * counts the new element's own link to it.
 */
bool
hnsw_add_link(HnswIndex *hi, HnswCandidate *from, ItemPointer new_tid, const float *new_vec,
			  double distance, int layer, bool force, HTAB *tree)
{
	int			start = HNSW_LAYER_START(layer, hi->m);
	int			slots = HNSW_LAYER_SLOTS(layer, hi->m);
	ItemPointerData current[2 * HNSW_MAX_M];
	int			replace = -1;
	bool		evict_live = false;
	/* the new element links to `from` on layer 0: count it, once */
	bool		count_in = (layer == 0 && !force);
	Buffer		buf;
	HnswNeighborTuple ntup;
	int			i;

	/* read the links (no writer can change them: we are the writer) */
	buf = ReadBuffer(hi->index, ItemPointerGetBlockNumber(&from->neighbortid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	ntup = (HnswNeighborTuple) PageGetItem(BufferGetPage(buf),
										   PageGetItemId(BufferGetPage(buf),
														 ItemPointerGetOffsetNumber(&from->neighbortid)));
	if (start + slots > ntup->count)
	{
		UnlockReleaseBuffer(buf);
		write_link(hi, from, layer, -1, new_tid, count_in);
		return false;
	}
	for (i = 0; i < slots; i++)
	{
		current[i] = ntup->indextids[start + i];
		if (ItemPointerIsValid(&current[i]) && ItemPointerEquals(&current[i], new_tid))
		{
			UnlockReleaseBuffer(buf);
			write_link(hi, from, layer, -1, new_tid, count_in);
			return false;
		}
		if (!ItemPointerIsValid(&current[i]) && replace < 0)
			replace = i;
	}
	UnlockReleaseBuffer(buf);

	if (replace < 0)
	{
		List	   *cands = NIL;
		List	   *order;
		HnswCandidate *added = palloc0(sizeof(HnswCandidate));
		int			k;

		added->tid = *new_tid;
		added->distance = distance;
		added->vec = (float *) new_vec;
		added->indegree = 0;
		added->slot = -1;
		cands = lappend(cands, added);
		for (i = 0; i < slots; i++)
		{
			HnswCandidate *n = hnsw_load(hi, &current[i], from->vec, true);

			n->slot = i;
			cands = lappend(cands, n);
		}
		list_sort(cands, compare_candidates);
		order = preference_order(hi, cands);

		/* leave out the least preferred one that may go */
		for (k = list_length(order) - 1; k >= 0; k--)
		{
			HnswCandidate *c = list_nth(order, k);

			if (c == added)
			{
				if (force)
					continue;
				break;			/* the new element is left out */
			}
			if (c->deleted || layer > 0 ||
				(c->indegree >= 2 && !tree_edge(tree, &from->tid, &c->tid)))
			{
				replace = c->slot;
				evict_live = !c->deleted && layer == 0;
				break;
			}
		}
		if (replace < 0)
		{
			write_link(hi, from, layer, -1, new_tid, count_in);
			return false;
		}
		/* lower the count first: a crash in between leaves it low, which is safe */
		if (evict_live)
			hnsw_adjust_indegree(hi, &current[replace], -1);
	}

	write_link(hi, from, layer, replace, new_tid, count_in);
	return true;
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
write_element(HnswIndex *hi, HnswMetaPageData *meta, const float *vec, ItemPointer heaptid,
			  int level, List **selected)
{
	Size		esize = HNSW_ELEMENT_TUPLE_SIZE(hi->dimensions);
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

	/* both on one page when they fit, else the neighbours on a page of their own */
	if (esize + nsize + 2 * sizeof(ItemIdData) <= BLCKSZ - SizeOfPageHeaderData -
		MAXALIGN(sizeof(HnswPageOpaqueData)))
		ebuf = page_with_room(hi, meta->insert_page, esize + nsize + 2 * sizeof(ItemIdData), &new_e);
	else
	{
		ebuf = page_with_room(hi, meta->insert_page, esize + sizeof(ItemIdData), &new_e);
		nbuf = hnsw_new_buffer(hi->index, MAIN_FORKNUM);
	}
	metabuf = ReadBuffer(hi->index, HNSW_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);

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
	memcpy(etup->vec, vec, sizeof(float) * hi->dimensions);
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

	UnlockReleaseBuffer(metabuf);
	if (nbuf != InvalidBuffer)
		UnlockReleaseBuffer(nbuf);
	UnlockReleaseBuffer(ebuf);
	*meta = *m;
	return etid;
}

static void
set_entry(HnswIndex *hi, ItemPointer tid, int level)
{
	Buffer		buf = ReadBuffer(hi->index, HNSW_METAPAGE_BLKNO);
	GenericXLogState *state;
	HnswMetaPage m;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(hi->index);
	m = HnswPageGetMeta(GenericXLogRegisterBuffer(state, buf, 0));
	m->entry = *tid;
	m->entry_level = (int16) level;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

/*
 * Insert one vector (already prepared: normalised for cosine) for heaptid.
 * Allocates in CurrentMemoryContext; callers reset it.
 */
void
hnsw_insert_element(HnswIndex *hi, const float *vec, ItemPointer heaptid)
{
	HnswMetaPageData meta;
	List	   *selected[HNSW_MAX_LEVEL + 1];
	List	   *entries;
	int			level = hnsw_random_level(&pg_global_prng_state, hi->m);
	int			top;
	int			layer;
	int			in_links = 0;
	ItemPointerData tid;

	/* the neighbour tuple of any level must fit on a page */
	while (level > 0 && HNSW_NEIGHBOR_TUPLE_SIZE(level, hi->m) > BLCKSZ / 2)
		level--;
	memset(selected, 0, sizeof(selected));

	LockPage(hi->index, HNSW_METAPAGE_BLKNO, ExclusiveLock);
	hnsw_read_meta(hi->index, &meta);

	/* a level-0 element starts from a wide search of layer 1, like scans */
	if (level == 0 && ItemPointerIsValid(&meta.entry) && meta.entry_level >= 1)
	{
		HnswTidSet *visited = hnsw_tidset_create(CurrentMemoryContext, 4 * hi->ef_construction);

		entries = hnsw_search_to_layer(hi, vec, &meta, 1, true);
		entries = hnsw_search_layer(hi, vec, entries, hi->ef_construction, 1, true, visited);
	}
	else
		entries = hnsw_search_to_layer(hi, vec, &meta, level, true);
	top = ItemPointerIsValid(&meta.entry) ? Min(level, meta.entry_level) : -1;
	for (layer = top; layer >= 0; layer--)
	{
		HnswTidSet *visited = hnsw_tidset_create(CurrentMemoryContext, 4 * hi->ef_construction);
		List	   *found = hnsw_search_layer(hi, vec, entries, hi->ef_construction, layer,
											  true, visited);

		selected[layer] = select_neighbors(hi, found, HNSW_LAYER_SLOTS(layer, hi->m));
		entries = found;
	}

	tid = write_element(hi, &meta, vec, heaptid, level, selected);

	for (layer = top; layer >= 0; layer--)
	{
		ListCell   *lc;

		foreach(lc, selected[layer])
		{
			HnswCandidate *n = lfirst(lc);

			if (hnsw_add_link(hi, n, &tid, vec, n->distance, layer, false, NULL) && layer == 0)
				in_links++;
		}
	}
	/* make sure something links to the new element on layer 0 */
	if (top >= 0 && in_links == 0)
	{
		ListCell   *lc;

		foreach(lc, selected[0])
		{
			HnswCandidate *n = lfirst(lc);

			if (hnsw_add_link(hi, n, &tid, vec, n->distance, 0, true, NULL))
			{
				in_links++;
				break;
			}
		}
	}
	if (in_links > 0)
		hnsw_adjust_indegree(hi, &tid, in_links);
	if (top >= 0 && level > meta.entry_level)
		set_entry(hi, &tid, level);

	UnlockPage(hi->index, HNSW_METAPAGE_BLKNO, ExclusiveLock);
}
