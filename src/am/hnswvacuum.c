/*-------------------------------------------------------------------------
 *
 * hnswvacuum.c
 *	  linal_hnsw: VACUUM (ambulkdelete, amvacuumcleanup).
 *
 * Under the update lock:
 *	1. every element whose heap row is dead is marked deleted (scans skip
 *	   it; its space stays until REINDEX);
 *	2. every neighbour list that links to a deleted element loses that link,
 *	   and the freed slots are refilled with the deleted element's own
 *	   neighbours nearest to the list's owner, so the graph stays connected
 *	   around the hole; layer-0 in-degrees follow (the deleted element's
 *	   own links stop counting, refilled links count);
 *	3. if the entry point was deleted, the live element with the highest
 *	   level becomes the entry point;
 *	4. live elements no longer reachable from the entry point (their
 *	   in-links all came from deleted elements) are linked back from the
 *	   nearest reachable elements.
 * Every page change is one GenericXLog record.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "am/hnsw.h"

typedef struct OwnerEntry
{
	ItemPointerData neighbortid;	/* key */
	ItemPointerData element;
	bool		repair;
} OwnerEntry;

static HTAB *
owner_table(MemoryContext context)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(ItemPointerData);
	ctl.entrysize = sizeof(OwnerEntry);
	ctl.hcxt = context;
	return hash_create("linal_hnsw owners", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* Pass 1: mark dead elements; note owners, deleted elements and the best entry. */
static List *
mark_deleted(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
			 IndexBulkDeleteCallback callback, void *callback_state,
			 HTAB *deleted, HTAB *owners, ItemPointer best, int *best_level)
{
	List	   *newly = NIL;
	Relation	index = info->index;
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	BlockNumber blkno;

	for (blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++)
	{
		Buffer		buf;
		Page		page;
		OffsetNumber offsets[MaxOffsetNumber];
		int			nmark = 0;
		OffsetNumber off;

		vacuum_delay_point();
		buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, info->strategy);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		page = BufferGetPage(buf);
		for (off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
		{
			HnswElementTuple etup = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
			ItemPointerData tid;
			OwnerEntry *owner;

			if (etup->type != HNSW_ELEMENT_TUPLE)
				continue;
			ItemPointerSet(&tid, blkno, off);
			owner = hash_search(owners, &etup->neighbortid, HASH_ENTER, NULL);
			owner->element = tid;
			owner->repair = false;
			if (etup->deleted)
				hash_search(deleted, &tid, HASH_ENTER, NULL);
			else if (callback(&etup->heaptid, callback_state))
			{
				offsets[nmark++] = off;
				hash_search(deleted, &tid, HASH_ENTER, NULL);
				{
					ItemPointer ntid = palloc(sizeof(ItemPointerData));

					*ntid = etup->neighbortid;
					newly = lappend(newly, ntid);
				}
				stats->tuples_removed++;
			}
			else
			{
				stats->num_index_tuples++;
				if (etup->level > *best_level)
				{
					*best_level = etup->level;
					*best = tid;
				}
			}
		}
		if (nmark > 0)
		{
			GenericXLogState *state = GenericXLogStart(index);
			Page		wpage = GenericXLogRegisterBuffer(state, buf, 0);
			int			i;

			for (i = 0; i < nmark; i++)
				((HnswElementTuple) PageGetItem(wpage, PageGetItemId(wpage, offsets[i])))->deleted = 1;
			GenericXLogFinish(state);
		}
		UnlockReleaseBuffer(buf);
	}
	return newly;
}

/*
 * A deleted element's own layer-0 links no longer lead anywhere: lower the
 * in-degree of their live targets.
 */
static void
forget_out_links(HnswIndex *hi, List *newly, HTAB *deleted)
{
	ItemPointerData *targets = palloc(sizeof(ItemPointerData) * 2 * hi->m);
	ListCell   *lc;

	foreach(lc, newly)
	{
		int			count = hnsw_load_neighbors(hi, (ItemPointer) lfirst(lc), 0, targets);
		int			i;

		for (i = 0; i < count; i++)
		{
			bool		gone;

			hash_search(deleted, &targets[i], HASH_FIND, &gone);
			if (!gone)
				hnsw_adjust_indegree(hi, &targets[i], -1);
		}
	}
	pfree(targets);
}

/* The new slots of one layer: live links kept, holes refilled nearest first. */
static void
repair_layer(HnswIndex *hi, HnswCandidate *owner, ItemPointerData *slots, int count,
			 int layer, HTAB *deleted)
{
	ItemPointerData *kept = palloc(sizeof(ItemPointerData) * count);
	ItemPointerData *hop = palloc(sizeof(ItemPointerData) * 2 * hi->m);
	List	   *candidates = NIL;
	int			nkept = 0;
	int			i;
	int			j;
	ListCell   *lc;

	for (i = 0; i < count; i++)
	{
		bool		is_deleted;

		if (!ItemPointerIsValid(&slots[i]))
			continue;
		hash_search(deleted, &slots[i], HASH_FIND, &is_deleted);
		if (!is_deleted)
		{
			kept[nkept++] = slots[i];
			continue;
		}
		/* the deleted neighbour's own live neighbours are the candidates */
		{
			HnswCandidate *d = hnsw_load(hi, &slots[i], NULL, false);
			int			nhop = d->level >= layer ?
				hnsw_load_neighbors(hi, &d->neighbortid, layer, hop) : 0;

			for (j = 0; j < nhop; j++)
			{
				bool		gone;

				hash_search(deleted, &hop[j], HASH_FIND, &gone);
				if (!gone && !ItemPointerEquals(&hop[j], &owner->tid))
					candidates = lappend(candidates, hnsw_load(hi, &hop[j], owner->vec, false));
			}
		}
	}
	/* nearest candidates first, skipping ones already linked */
	while (nkept < count && candidates != NIL)
	{
		HnswCandidate *best = NULL;
		bool		present = false;

		foreach(lc, candidates)
		{
			HnswCandidate *c = lfirst(lc);

			if (best == NULL || c->distance < best->distance)
				best = c;
		}
		candidates = list_delete_ptr(candidates, best);
		for (j = 0; j < nkept; j++)
			if (ItemPointerEquals(&kept[j], &best->tid))
				present = true;
		if (!present && best->level >= layer)
		{
			kept[nkept++] = best->tid;
			if (layer == 0)
				hnsw_adjust_indegree(hi, &best->tid, +1);
		}
	}
	for (i = 0; i < count; i++)
	{
		if (i < nkept)
			slots[i] = kept[i];
		else
			ItemPointerSetInvalid(&slots[i]);
	}
}

/* Pass 2: drop links to deleted elements, refilling from their neighbours. */
static void
repair_links(IndexVacuumInfo *info, HnswIndex *hi, HTAB *deleted, HTAB *owners,
			 MemoryContext context)
{
	Relation	index = info->index;
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	BlockNumber blkno;

	for (blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++)
	{
		Buffer		buf;
		Page		page;
		OffsetNumber off;
		List	   *todo = NIL;
		ListCell   *lc;

		vacuum_delay_point();
		/* which neighbour tuples of this page link to deleted elements */
		buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, info->strategy);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		for (off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
		{
			HnswNeighborTuple ntup = (HnswNeighborTuple) PageGetItem(page, PageGetItemId(page, off));
			int			i;

			if (ntup->type != HNSW_NEIGHBOR_TUPLE)
				continue;
			for (i = 0; i < ntup->count; i++)
			{
				bool		gone;

				if (!ItemPointerIsValid(&ntup->indextids[i]))
					continue;
				hash_search(deleted, &ntup->indextids[i], HASH_FIND, &gone);
				if (gone)
				{
					todo = lappend_int(todo, off);
					break;
				}
			}
		}
		UnlockReleaseBuffer(buf);

		foreach(lc, todo)
		{
			MemoryContext old = MemoryContextSwitchTo(context);
			ItemPointerData ntid;
			OwnerEntry *entry;
			bool		owner_gone;
			HnswCandidate *owner;
			ItemPointerData slots[(HNSW_MAX_LEVEL + 2) * HNSW_MAX_M];
			int			nslots;
			int			layer;
			GenericXLogState *state;
			HnswNeighborTuple ntup;

			ItemPointerSet(&ntid, blkno, (OffsetNumber) lfirst_int(lc));
			entry = hash_search(owners, &ntid, HASH_FIND, NULL);
			if (entry == NULL)
			{
				MemoryContextSwitchTo(old);
				continue;
			}
			hash_search(deleted, &entry->element, HASH_FIND, &owner_gone);
			if (owner_gone)
			{
				MemoryContextSwitchTo(old);
				continue;		/* nobody reaches a deleted element's links */
			}
			owner = hnsw_load(hi, &entry->element, NULL, true);

			/* read the slots, compute the repair without any lock held */
			buf = ReadBuffer(index, blkno);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			ntup = (HnswNeighborTuple) PageGetItem(BufferGetPage(buf),
												   PageGetItemId(BufferGetPage(buf), ItemPointerGetOffsetNumber(&ntid)));
			nslots = Min(ntup->count, (int) lengthof(slots));
			memcpy(slots, ntup->indextids, sizeof(ItemPointerData) * nslots);
			UnlockReleaseBuffer(buf);
			for (layer = 0; layer <= owner->level; layer++)
			{
				int			start = HNSW_LAYER_START(layer, hi->m);
				int			count = HNSW_LAYER_SLOTS(layer, hi->m);

				if (start + count <= nslots)
					repair_layer(hi, owner, &slots[start], count, layer, deleted);
			}

			buf = ReadBuffer(index, blkno);
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
			state = GenericXLogStart(index);
			page = GenericXLogRegisterBuffer(state, buf, 0);
			ntup = (HnswNeighborTuple) PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumber(&ntid)));
			memcpy(ntup->indextids, slots, sizeof(ItemPointerData) * nslots);
			GenericXLogFinish(state);
			UnlockReleaseBuffer(buf);
			MemoryContextSwitchTo(old);
			MemoryContextReset(context);
		}
	}
}

/*
 * Pass 4 (and the end of a build that inserted rows on disk): live
 * elements no longer reachable from the entry point.  Deletions cut them
 * off (all their in-links came from deleted elements, or from other such
 * elements), and so can inserts: the in-degree protection keeps a link
 * into every element, but a group of elements can end up linked only
 * among themselves.
 *
 * A walk of layer 0 from the entry point (which a scan's layer-0 search
 * starts from, among others, so a scan that goes on long enough finds
 * every element) reaches elements along a tree (each one's parent is the
 * element it was first reached from).
 * Each live element it missed is linked from the nearest reached element
 * a search from the entry point finds for it that takes the link, and
 * what it leads to is walked in turn, so a cut-off group costs one link.
 * A link into a full list evicts another, but never a link of the tree,
 * so the repair cuts nothing off and one pass is enough; an element no
 * candidate takes is tried again with a wider search.  The same is done
 * on the arrays of an in-memory build (hnswgraph.c).
 *
 * Returns how many links were made; *left is how many live elements are
 * still unreachable.  The caller holds the update lock.
 */
typedef struct TidQueue
{
	ItemPointerData *items;
	int64		head;
	int64		tail;
	int64		capacity;
} TidQueue;

static void
queue_push(TidQueue *q, ItemPointer tid)
{
	if (q->tail == q->capacity)
	{
		q->capacity *= 2;
		q->items = repalloc_huge(q->items, sizeof(ItemPointerData) * q->capacity);
	}
	q->items[q->tail++] = *tid;
}

/*
 * Walk layer 0 from `start`, reached from `from` (invalid for the entry
 * point): each element not in the tree yet joins it, with the element it
 * was reached from as its parent.  Returns how many joined.
 */
static int64
walk_from(HnswIndex *hi, ItemPointer start, ItemPointer from, HTAB *tree, TidQueue *q)
{
	ItemPointerData *links = palloc(sizeof(ItemPointerData) * 2 * hi->m);
	HnswTreeEntry *r;
	bool		found;
	int64		joined = 1;

	r = hash_search(tree, start, HASH_ENTER, &found);
	if (found)
		return 0;
	r->parent = *from;
	q->head = q->tail = 0;
	queue_push(q, start);
	while (q->head < q->tail)
	{
		ItemPointerData tid = q->items[q->head++];
		HnswCandidate c;
		int			count;
		int			i;

		vacuum_delay_point();
		hnsw_load_into(hi, &tid, NULL, false, &c);
		count = hnsw_load_neighbors(hi, &c.neighbortid, 0, links);
		for (i = 0; i < count; i++)
		{
			r = hash_search(tree, &links[i], HASH_ENTER, &found);
			if (!found)
			{
				r->parent = tid;
				queue_push(q, &links[i]);
				joined++;
			}
		}
	}
	pfree(links);
	return joined;
}

/* Link `tid` from the nearest reached element of a search of ef that takes it. */
static bool
link_from_reachable(HnswIndex *hi, ItemPointer tid, HnswMetaPageData *meta, int ef,
					HTAB *tree, TidQueue *q)
{
	HnswCandidate *lost = hnsw_load(hi, tid, NULL, true);
	HnswTidSet *visited = hnsw_tidset_create(CurrentMemoryContext, 4 * ef);
	List	   *entries;
	List	   *near;
	ListCell   *lc;

	/* like an insert at level 0: a wide search of layer 1 gives the entries */
	entries = hnsw_search_to_layer(hi, lost->vec, meta, Min(1, meta->entry_level), true);
	if (meta->entry_level >= 1)
		entries = hnsw_search_layer(hi, lost->vec, entries, ef, 1, true, visited);
	visited = hnsw_tidset_create(CurrentMemoryContext, 4 * ef);
	near = hnsw_search_layer(hi, lost->vec, entries, ef, 0, true, visited);
	foreach(lc, near)
	{
		HnswCandidate *n = lfirst(lc);

		if (n->deleted || ItemPointerEquals(&n->tid, tid) ||
			hash_search(tree, &n->tid, HASH_FIND, NULL) == NULL)
			continue;
		if (hnsw_add_link(hi, n, tid, lost->vec, n->distance, 0, true, tree))
		{
			hnsw_adjust_indegree(hi, tid, +1);
			walk_from(hi, tid, &n->tid, tree, q);
			return true;
		}
	}
	return false;
}

int64
hnsw_relink_unreachable(HnswIndex *hi, BufferAccessStrategy strategy, int64 *left)
{
	Relation	index = hi->index;
	MemoryContext context = AllocSetContextCreate(CurrentMemoryContext, "linal_hnsw relink",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext element_context = AllocSetContextCreate(context, "linal_hnsw relink element",
														  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	BlockNumber blkno;
	HnswMetaPageData meta;
	HASHCTL		ctl;
	HTAB	   *tree;
	TidQueue	q;
	ItemPointerData *lost;
	int64		nlost = 0;
	int64		lost_capacity = 64;
	int64		relinked = 0;
	ItemPointerData none;
	int			ef;

	*left = 0;
	hnsw_read_meta(index, &meta);
	if (!ItemPointerIsValid(&meta.entry))
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(context);
		return 0;
	}
	ctl.keysize = sizeof(ItemPointerData);
	ctl.entrysize = sizeof(HnswTreeEntry);
	ctl.hcxt = context;
	tree = hash_create("linal_hnsw tree", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	q.capacity = 1024;
	q.items = palloc(sizeof(ItemPointerData) * q.capacity);
	ItemPointerSetInvalid(&none);
	walk_from(hi, &meta.entry, &none, tree, &q);

	/* live elements the walk did not reach */
	lost = palloc(sizeof(ItemPointerData) * lost_capacity);
	for (blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++)
	{
		Buffer		buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, strategy);
		Page		page;
		OffsetNumber off;

		vacuum_delay_point();
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		for (off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
		{
			HnswElementTuple etup = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
			ItemPointerData tid;

			if (etup->type != HNSW_ELEMENT_TUPLE || etup->deleted)
				continue;
			ItemPointerSet(&tid, blkno, off);
			if (hash_search(tree, &tid, HASH_FIND, NULL) != NULL)
				continue;
			if (nlost == lost_capacity)
			{
				lost_capacity *= 2;
				lost = repalloc_huge(lost, sizeof(ItemPointerData) * lost_capacity);
			}
			lost[nlost++] = tid;
		}
		UnlockReleaseBuffer(buf);
	}

	for (ef = hi->ef_construction; ef <= 16 * hi->ef_construction; ef *= 4)
	{
		int64		i;

		*left = 0;
		for (i = 0; i < nlost; i++)
		{
			if (hash_search(tree, &lost[i], HASH_FIND, NULL) != NULL)
				continue;
			vacuum_delay_point();
			MemoryContextSwitchTo(element_context);
			if (link_from_reachable(hi, &lost[i], &meta, ef, tree, &q))
				relinked++;
			else
				(*left)++;
			MemoryContextSwitchTo(context);
			MemoryContextReset(element_context);
		}
		if (*left == 0)
			break;
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	return relinked;
}

static void
replace_entry(Relation index, ItemPointer best, int best_level, HTAB *deleted)
{
	HnswMetaPageData meta;
	bool		gone = false;
	Buffer		buf;
	GenericXLogState *state;
	HnswMetaPage m;

	hnsw_read_meta(index, &meta);
	if (ItemPointerIsValid(&meta.entry))
		hash_search(deleted, &meta.entry, HASH_FIND, &gone);
	if (!gone)
		return;
	buf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(index);
	m = HnswPageGetMeta(GenericXLogRegisterBuffer(state, buf, 0));
	if (best_level >= 0)
	{
		m->entry = *best;
		m->entry_level = (int16) best_level;
	}
	else
	{
		ItemPointerSetInvalid(&m->entry);
		m->entry_level = -1;
	}
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
}

IndexBulkDeleteResult *
hnsw_bulk_delete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
				 IndexBulkDeleteCallback callback, void *callback_state)
{
	Relation	index = info->index;
	MemoryContext context;
	MemoryContext repair_context;
	MemoryContext old;
	HnswIndex	hi;
	HTAB	   *deleted;
	HTAB	   *owners;
	ItemPointerData best;
	int			best_level = -1;
	List	   *newly;
	int64		left;

	/* the result belongs to the caller: allocate it before our context */
	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));
	context = AllocSetContextCreate(CurrentMemoryContext, "linal_hnsw vacuum",
									ALLOCSET_DEFAULT_SIZES);
	repair_context = AllocSetContextCreate(context, "linal_hnsw vacuum repair",
										   ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(context);
	ItemPointerSetInvalid(&best);
	hnsw_open(&hi, index);
	deleted = hnsw_visited_table(context, 1024);
	owners = owner_table(context);

	LockPage(index, HNSW_METAPAGE_BLKNO, ExclusiveLock);
	stats->num_index_tuples = 0;
	newly = mark_deleted(info, stats, callback, callback_state, deleted, owners, &best, &best_level);
	forget_out_links(&hi, newly, deleted);
	if (hash_get_num_entries(deleted) > 0)
	{
		repair_links(info, &hi, deleted, owners, repair_context);
		replace_entry(index, &best, best_level, deleted);
		hnsw_relink_unreachable(&hi, info->strategy, &left);
	}
	UnlockPage(index, HNSW_METAPAGE_BLKNO, ExclusiveLock);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	stats->num_pages = RelationGetNumberOfBlocks(index);
	return stats;
}

static bool
keep_all(ItemPointer tid, void *state)
{
	return false;
}

IndexBulkDeleteResult *
hnsw_vacuum_cleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (info->analyze_only)
		return stats;
	/* no bulk delete ran: count the live elements (deletes nothing) */
	if (stats == NULL)
		stats = hnsw_bulk_delete(info, NULL, keep_all, NULL);
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	return stats;
}
