/*-------------------------------------------------------------------------
 *
 * hnswvacuum.c
 *	  linal_hnsw: VACUUM (ambulkdelete, amvacuumcleanup).
 *
 * Under the update lock:
 *	1. every element whose heap row is dead is marked deleted (scans skip
 *	   it; its space stays until REINDEX), and every element's parent is
 *	   read into the tree of ways in (hnswtree.c);
 *	2. every neighbour list that links to a deleted element loses that link,
 *	   and the freed slots are refilled with the deleted element's own
 *	   neighbours nearest to the list's owner, so the graph stays connected
 *	   around the hole; the same read of the lists notes which live
 *	   elements link to the cut ones (live elements whose parents no
 *	   longer lead to the entry point);
 *	3. if the entry point was deleted, the live element with the highest
 *	   level becomes the entry point;
 *	4. the cut elements get new parents, from the elements that link to
 *	   them when one leads to the entry point, else from a search; so every
 *	   live element keeps a path on layer 0 from the entry point, without a
 *	   walk of the whole graph (hnswtree.c);
 *	5. every live element whose list pass 2 rewrote is searched for (as
 *	   a scan at ef_search HNSW_REFIND_EF would, the build's test too: at
 *	   ef_construction this was 57% of a VACUUM of 1M rows); one that is
 *	   not found is linked from the nearest element found, which becomes
 *	   its parent (hnsw_tree_refind): reachable is not enough, a search
 *	   must get there.
 * Every page change is one GenericXLog record.
 *
 * Most VACUUMs have nothing to do here: an insert-only table (autovacuum
 * runs on inserts too), or dead rows that were never indexed (NULL
 * vectors).  So the passes above run only when there is work:
 *	- amvacuumcleanup after no ambulkdelete (the heap had no dead rows)
 *	  reads the metapage and nothing else, unless an insert left an element
 *	  with no parent (the metapage counts those: unadopted);
 *	- ambulkdelete first asks the callback about every element, reading
 *	  the pages with shared buffer locks and no update lock (inserts go
 *	  on beside it), and repairs only when an element's row is dead.  It
 *	  asks about elements marked deleted too: a VACUUM cancelled in the
 *	  middle of a repair left their rows dead in the heap, so the next one
 *	  repairs again.
 * Neither holds the update lock when it does not repair, so autovacuum of
 * an insert-only table never makes inserts wait.
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

/*
 * Which element owns each neighbour tuple: a map from the neighbour
 * tuple's TID to a place in an array of element TIDs.
 */
typedef struct Owners
{
	HnswTidMap *map;
	ItemPointerData *elements;
	int64		count;
	int64		capacity;
} Owners;

static Owners *
owners_create(MemoryContext context)
{
	Owners	   *o = MemoryContextAlloc(context, sizeof(Owners));

	o->map = hnsw_tidmap_create(context, 1024);
	o->capacity = 1024;
	o->elements = MemoryContextAllocHuge(context, sizeof(ItemPointerData) * o->capacity);
	o->count = 0;
	return o;
}

static void
owners_add(Owners *o, ItemPointer neighbortid, ItemPointer element)
{
	bool		found;
	int32	   *slot = hnsw_tidmap_insert(o->map, neighbortid, &found);

	if (!found)
	{
		if (o->count == o->capacity)
		{
			o->capacity *= 2;
			o->elements = repalloc_huge(o->elements, sizeof(ItemPointerData) * o->capacity);
		}
		*slot = (int32) o->count++;
	}
	o->elements[*slot] = *element;
}

/* The element owning a neighbour tuple, or NULL. */
static ItemPointer
owner_of(Owners *o, ItemPointer neighbortid)
{
	int32		i = hnsw_tidmap_get(o->map, neighbortid);

	return i < 0 ? NULL : &o->elements[i];
}

/*
 * Pass 1: mark dead elements; every element and its parent into the tree;
 * note owners and the best entry.  Returns how many were newly deleted.
 */
static int64
mark_deleted(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
			 IndexBulkDeleteCallback callback, void *callback_state,
			 HnswTree *tree, Owners *owners, ItemPointer best, int *best_level)
{
	Relation	index = info->index;
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	BlockNumber blkno;
	int64		newly = 0;

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
			bool		dead;

			if (etup->type != HNSW_ELEMENT_TUPLE)
				continue;
			ItemPointerSet(&tid, blkno, off);
			owners_add(owners, &etup->neighbortid, &tid);
			dead = etup->deleted != 0;
			if (!dead && callback(&etup->heaptid, callback_state))
			{
				offsets[nmark++] = off;
				dead = true;
				newly++;
				stats->tuples_removed++;
			}
			else if (!dead)
			{
				stats->num_index_tuples++;
				if (etup->level > *best_level)
				{
					*best_level = etup->level;
					*best = tid;
				}
			}
			hnsw_tree_add(tree, &tid, &etup->parent, dead);
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

/* The new slots of one layer: live links kept, holes refilled nearest first. */
static void
repair_layer(HnswIndex *hi, HnswCandidate *owner, ItemPointerData *slots, int count,
			 int layer, HnswTree *tree)
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
		if (!ItemPointerIsValid(&slots[i]))
			continue;
		if (!hnsw_tree_is_deleted(tree, &slots[i]))
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
				if (!hnsw_tree_is_deleted(tree, &hop[j]) && !ItemPointerEquals(&hop[j], &owner->tid))
					candidates = lappend(candidates, hnsw_load(hi, &hop[j], owner->code, false));
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
				hnsw_tree_link(tree, &owner->tid, &best->tid);
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

/* The live elements whose lists pass 2 rewrote (in VACUUM's context). */
typedef struct Touched
{
	ItemPointerData *tids;
	int64		count;
	int64		capacity;
} Touched;

static void
touched_add(Touched *t, ItemPointer tid, MemoryContext context)
{
	if (t->count == t->capacity)
	{
		t->capacity = Max(1024, 2 * t->capacity);
		t->tids = t->tids == NULL ?
			MemoryContextAllocHuge(context, sizeof(ItemPointerData) * t->capacity) :
			repalloc_huge(t->tids, sizeof(ItemPointerData) * t->capacity);
	}
	t->tids[t->count++] = *tid;
}

/*
 * Pass 2: drop links to deleted elements, refilling from their neighbours;
 * note the layer-0 links of live elements to cut ones, and which elements
 * had a list rewritten (touched, in touched_context).
 */
static void
repair_links(IndexVacuumInfo *info, HnswIndex *hi, HnswTree *tree, Owners *owners,
			 MemoryContext context, Touched *touched, MemoryContext touched_context)
{
	Relation	index = info->index;
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	BlockNumber blkno;
	int			layer0 = HNSW_LAYER_SLOTS(0, hi->m);

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
			ItemPointerData ntid;
			ItemPointer owner;
			bool		repair = false;
			int			i;

			if (ntup->type != HNSW_NEIGHBOR_TUPLE)
				continue;
			ItemPointerSet(&ntid, blkno, off);
			owner = owner_of(owners, &ntid);
			if (owner == NULL || hnsw_tree_is_deleted(tree, owner))
				continue;		/* nobody reaches a deleted element's links */
			for (i = 0; i < ntup->count; i++)
			{
				if (ItemPointerIsValid(&ntup->indextids[i]) &&
					hnsw_tree_link(tree, i < layer0 ? owner : NULL, &ntup->indextids[i]))
					repair = true;
			}
			if (repair)
				todo = lappend_int(todo, off);
		}
		UnlockReleaseBuffer(buf);

		foreach(lc, todo)
		{
			MemoryContext old = MemoryContextSwitchTo(context);
			ItemPointerData ntid;
			HnswCandidate *owner;
			ItemPointerData slots[(HNSW_MAX_LEVEL + 2) * HNSW_MAX_M];
			int			nslots;
			int			layer;
			GenericXLogState *state;
			HnswNeighborTuple ntup;

			ItemPointerSet(&ntid, blkno, (OffsetNumber) lfirst_int(lc));
			owner = hnsw_load(hi, owner_of(owners, &ntid), NULL, true);
			touched_add(touched, &owner->tid, touched_context);

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
					repair_layer(hi, owner, &slots[start], count, layer, tree);
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

/* Pass 3: a new entry point when the old one was deleted. */
static void
replace_entry(Relation index, ItemPointer best, int best_level, HnswTree *tree)
{
	HnswMetaPageData meta;
	Buffer		buf;
	GenericXLogState *state;
	HnswMetaPage m;

	hnsw_read_meta(index, &meta);
	if (ItemPointerIsValid(&meta.entry) && !hnsw_tree_is_deleted(tree, &meta.entry))
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

/*
 * Whether VACUUM has anything to repair: an element the callback calls
 * dead (marked deleted or not), or an element an insert could not give a
 * parent.  Reads only, with one shared buffer lock at a time and no
 * update lock.  When not, counts the live elements into stats.
 */
static bool
needs_repair(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
			 IndexBulkDeleteCallback callback, void *callback_state)
{
	Relation	index = info->index;
	HnswMetaPageData meta;
	BlockNumber nblocks;
	BlockNumber blkno;
	double		live = 0;

	hnsw_read_meta(index, &meta);
	if (meta.unadopted > 0)
		return true;
	nblocks = RelationGetNumberOfBlocks(index);
	for (blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++)
	{
		Buffer		buf;
		Page		page;
		OffsetNumber off;
		bool		dead = false;

		vacuum_delay_point();
		buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, info->strategy);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		for (off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page) && !dead; off++)
		{
			HnswElementTuple etup = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, off));

			if (etup->type != HNSW_ELEMENT_TUPLE)
				continue;
			if (callback(&etup->heaptid, callback_state))
				dead = true;
			else if (!etup->deleted)
				live++;
		}
		UnlockReleaseBuffer(buf);
		if (dead)
			return true;
	}
	stats->num_index_tuples = live;
	return false;
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
	HnswTree   *tree;
	Owners	   *owners;
	HnswMetaPageData meta;
	ItemPointerData best;
	ItemPointerData root;
	int			best_level = -1;
	int64		newly;
	int64		adopted;
	int64		searched;
	int64		left;
	int64		relinked = 0;
	int64		i;
	Touched		touched = {NULL, 0, 0};

	/* the result belongs to the caller: allocate it before our context */
	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));
	if (!needs_repair(info, stats, callback, callback_state))
	{
		stats->num_pages = RelationGetNumberOfBlocks(index);
		return stats;
	}
	context = AllocSetContextCreate(CurrentMemoryContext, "linal_hnsw vacuum",
									ALLOCSET_DEFAULT_SIZES);
	repair_context = AllocSetContextCreate(context, "linal_hnsw vacuum repair",
										   ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(context);
	ItemPointerSetInvalid(&best);
	hnsw_open(&hi, index);
	tree = hnsw_tree_create(context);
	owners = owners_create(context);

	LockPage(index, HNSW_METAPAGE_BLKNO, ExclusiveLock);
	/* pass 4 adopts every element with no parent, whoever left it */
	hnsw_set_unadopted(index, false);
	stats->num_index_tuples = 0;
	newly = mark_deleted(info, stats, callback, callback_state, tree, owners, &best, &best_level);

	/* the entry point after pass 3: the old one, or the best live one */
	hnsw_read_meta(index, &meta);
	root = meta.entry;
	if (!ItemPointerIsValid(&root) || hnsw_tree_is_deleted(tree, &root))
		root = best;
	hnsw_tree_find_cut(tree, &root);

	/* old deletions' links went at their VACUUM; one that failed left some */
	if (hnsw_tree_has_deleted(tree))
		repair_links(info, &hi, tree, owners, repair_context, &touched, context);
	replace_entry(index, &best, best_level, tree);
	adopted = hnsw_tree_repair(&hi, tree, &searched, &left);

	/*
	 * 5. every element whose list was repaired is searched for: one the
	 * search does not find is linked from the nearest element it did find
	 * (hnsw_tree_refind).  The repair keeps the graph connected, but a
	 * neighbourhood that changed (rows deleted, updated rows' new vectors
	 * elsewhere) can leave an element reachable only from elements a
	 * search never expands: when updates moved a tenth of 20K rows to
	 * v * 0.5, a search of 400 then found only half of the other rows.
	 */
	for (i = 0; i < touched.count; i++)
	{
		MemoryContext before = MemoryContextSwitchTo(repair_context);

		vacuum_delay_point();
		if (hnsw_tree_refind(&hi, tree, &touched.tids[i], HNSW_REFIND_EF))
			relinked++;
		MemoryContextSwitchTo(before);
		MemoryContextReset(repair_context);
	}
	UnlockPage(index, HNSW_METAPAGE_BLKNO, ExclusiveLock);
	ereport(DEBUG1,
			(errmsg_internal("linal_hnsw: vacuum of \"%s\": %lld newly deleted, %lld elements adopted (%lld after a search), %lld left unreachable, %lld of %lld repaired elements relinked to be found",
							 RelationGetRelationName(index), (long long) newly,
							 (long long) adopted, (long long) searched, (long long) left,
							 (long long) relinked, (long long) touched.count)));

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

/*
 * After an ambulkdelete, its figures.  After none (the heap had no dead
 * rows), nothing was deleted: only the metapage is read, unless an insert
 * left an element to adopt.  The count of index tuples is then an
 * estimate, as btree's is when it skips its scan: the heap's rows (NULL
 * vectors are not indexed, so it can be high) but no more than the
 * elements ever inserted; estimated_count keeps it out of pg_class.
 */
IndexBulkDeleteResult *
hnsw_vacuum_cleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	HnswMetaPageData meta;

	if (info->analyze_only)
		return stats;
	if (stats == NULL)
	{
		hnsw_read_meta(info->index, &meta);
		if (meta.unadopted > 0)
			stats = hnsw_bulk_delete(info, NULL, keep_all, NULL);
		else
		{
			stats = palloc0(sizeof(IndexBulkDeleteResult));
			stats->num_index_tuples = Min((double) meta.elements, info->num_heap_tuples);
			stats->estimated_count = true;
		}
	}
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	return stats;
}
