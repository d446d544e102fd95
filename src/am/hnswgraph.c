/*-------------------------------------------------------------------------
 *
 * hnswgraph.c
 *	  linal_hnsw: building the graph in memory during CREATE INDEX, then
 *	  writing it to pages in one sequential pass.
 *
 * The in-memory insert is the on-disk one (hnswinsert.c) on arrays: the
 * same levels, layer search, neighbour heuristic, heuristic shrinking of
 * full lists and layer-0 in-degree protection, so a built graph has the
 * same properties as one grown by inserts.  While the graph fits in
 * maintenance_work_mem rows go into it; past that it is written out and the
 * remaining rows are inserted on disk.
 *
 * Writing: item placement is computed first (so every link can name its
 * target's TID), then pages are filled in order, without WAL, and WAL-logged
 * as whole pages at the end (log_newpage_range), like other index builds.
 *
 * Memory: everything lives in the graph's own context, deleted after the
 * write.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/xloginsert.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "am/hnsw.h"
#include "am/hnswgraph.h"

typedef struct Scored
{
	double		distance;
	int32		id;
} Scored;

typedef struct MemElement
{
	ItemPointerData heaptid;
	int			level;
	int			indegree;
	int32	   *links;			/* (level + 2) * m slots, -1 when empty */
	float	   *link_distances; /* distance to each link, same slots */
} MemElement;

struct HnswMemGraph
{
	HnswIndex  *hi;
	MemoryContext context;
	int64		count;
	int64		capacity;
	float	   *vectors;		/* capacity * dimensions */
	MemElement *elements;
	uint32	   *visited;		/* generation stamps, capacity */
	Scored	   *scratch;		/* candidate heap of a search, capacity */
	MemoryContext insert_context;	/* temporaries of one insert */
	uint32		generation;
	int64		entry;			/* -1 when empty */
	int			entry_level;
	Size		bytes;
	Size		budget;
	int64		expected;		/* the planner's row estimate: first capacity */
};

#define VEC(g, id) ((g)->vectors + (size_t) (id) * (g)->hi->dimensions)

HnswMemGraph *
hnsw_graph_create(HnswIndex *hi, Size budget_bytes, double expected_rows)
{
	MemoryContext context = AllocSetContextCreate(CurrentMemoryContext, "linal_hnsw graph",
												  ALLOCSET_DEFAULT_SIZES);
	HnswMemGraph *g = MemoryContextAllocZero(context, sizeof(HnswMemGraph));

	g->hi = hi;
	g->context = context;
	g->insert_context = AllocSetContextCreate(context, "linal_hnsw graph insert",
											  ALLOCSET_DEFAULT_SIZES);
	g->entry = -1;
	g->entry_level = -1;
	g->budget = budget_bytes;
	{
		/* what one element costs: its row of every array and its links */
		Size		per = sizeof(float) * hi->dimensions + sizeof(MemElement) + sizeof(uint32) +
			sizeof(Scored) + (sizeof(int32) + sizeof(float)) * 3 * hi->m;
		double		fits = (double) budget_bytes / (double) Max(per, 1);

		g->expected = (int64) Min(Min(Max(expected_rows, 0.0), fits), (double) PG_INT32_MAX);
	}
	return g;
}

void
hnsw_graph_free(HnswMemGraph *g)
{
	MemoryContextDelete(g->context);
}

int64
hnsw_graph_count(HnswMemGraph *g)
{
	return g->count;
}

/* Whether one more element of the given level fits in the budget. */
bool
hnsw_graph_has_room(HnswMemGraph *g)
{
	Size		array_bytes = sizeof(float) * g->hi->dimensions + sizeof(MemElement) +
		sizeof(uint32) + sizeof(Scored);
	Size		per = array_bytes + (sizeof(int32) + sizeof(float)) * 3 * g->hi->m;

	/* growing adds half again to the arrays: keep room for that */
	return g->bytes + per + (g->count >= g->capacity ?
							 (Size) Max(g->capacity / 2, Max(g->expected, 1024)) * array_bytes : 0)
		<= g->budget;
}

static void
grow(HnswMemGraph *g)
{
	/* start at the expected size, then grow by half: no doubling past the budget */
	int64		capacity = g->capacity == 0 ? Max(g->expected, 1024) : g->capacity + g->capacity / 2;
	Size		dim = g->hi->dimensions;

	if (g->vectors == NULL)
	{
		g->vectors = MemoryContextAllocHuge(g->context, sizeof(float) * dim * capacity);
		g->elements = MemoryContextAllocHuge(g->context, sizeof(MemElement) * capacity);
		g->visited = MemoryContextAllocHuge(g->context, sizeof(uint32) * capacity);
		g->scratch = MemoryContextAllocHuge(g->context, sizeof(Scored) * (capacity + 1));
	}
	else
	{
		g->vectors = repalloc_huge(g->vectors, sizeof(float) * dim * capacity);
		g->elements = repalloc_huge(g->elements, sizeof(MemElement) * capacity);
		g->visited = repalloc_huge(g->visited, sizeof(uint32) * capacity);
		g->scratch = repalloc_huge(g->scratch, sizeof(Scored) * (capacity + 1));
	}
	memset(g->visited + g->capacity, 0, sizeof(uint32) * (capacity - g->capacity));
	g->bytes += (capacity - g->capacity) * (sizeof(float) * dim + sizeof(MemElement) +
											sizeof(uint32) + sizeof(Scored));
	g->capacity = capacity;
}

static double
distance_to(HnswMemGraph *g, const float *q, int32 id)
{
	return hnsw_distance(g->hi->kind, q, VEC(g, id), g->hi->dimensions);
}

/* binary heaps over Scored: min-heap when sign = 1, max-heap when sign = -1 */
static bool
heap_before(const Scored *a, const Scored *b, int sign)
{
	return sign > 0 ? a->distance < b->distance : a->distance > b->distance;
}

static void
heap_push(Scored *heap, int *n, Scored item, int sign)
{
	int			i = (*n)++;

	heap[i] = item;
	while (i > 0 && heap_before(&heap[i], &heap[(i - 1) / 2], sign))
	{
		Scored		t = heap[i];

		heap[i] = heap[(i - 1) / 2];
		heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static Scored
heap_pop(Scored *heap, int *n, int sign)
{
	Scored		top = heap[0];
	int			i = 0;

	heap[0] = heap[--(*n)];
	for (;;)
	{
		int			l = 2 * i + 1;
		int			r = l + 1;
		int			best = i;
		Scored		t;

		if (l < *n && heap_before(&heap[l], &heap[best], sign))
			best = l;
		if (r < *n && heap_before(&heap[r], &heap[best], sign))
			best = r;
		if (best == i)
			break;
		t = heap[i];
		heap[i] = heap[best];
		heap[best] = t;
		i = best;
	}
	return top;
}

/* insertion sort, nearest first: for the few links of one element */
static void
sort_short(Scored *a, int n)
{
	int			i;

	for (i = 1; i < n; i++)
	{
		Scored		x = a[i];
		int			j = i - 1;

		while (j >= 0 && a[j].distance > x.distance)
		{
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = x;
	}
}

/*
 * SEARCH-LAYER on the arrays: up to ef nearest (sorted, into out, which
 * has room for ef + 1) from the entries.  Returns how many.  The candidate
 * heap holds each element at most once, so g->scratch (capacity) is room
 * enough.
 */
static int
search_layer(HnswMemGraph *g, const float *q, const Scored *entries, int nentries,
			 int ef, int layer, Scored *out)
{
	int			m = g->hi->m;
	int			ncand = 0;
	int			nres = 0;
	Scored	   *cand = g->scratch;
	int			i;

	if (++g->generation == 0)
	{
		memset(g->visited, 0, sizeof(uint32) * g->capacity);
		g->generation = 1;
	}
	for (i = 0; i < nentries; i++)
	{
		if (g->visited[entries[i].id] == g->generation)
			continue;
		g->visited[entries[i].id] = g->generation;
		heap_push(cand, &ncand, entries[i], 1);
		heap_push(out, &nres, entries[i], -1);
		if (nres > ef)
			heap_pop(out, &nres, -1);
	}
	while (ncand > 0)
	{
		Scored		c = heap_pop(cand, &ncand, 1);
		MemElement *e = &g->elements[c.id];
		int			start = HNSW_LAYER_START(layer, m);
		int			slots = HNSW_LAYER_SLOTS(layer, m);

		if (nres >= ef && c.distance > out[0].distance)
			break;
		if (e->level < layer)
			continue;
		for (i = 0; i < slots; i++)
		{
			int32		n = e->links[start + i];
			Scored		s;

			if (n < 0 || g->visited[n] == g->generation)
				continue;
			g->visited[n] = g->generation;
			s.id = n;
			s.distance = distance_to(g, q, n);
			if (nres < ef || s.distance < out[0].distance)
			{
				heap_push(cand, &ncand, s, 1);
				heap_push(out, &nres, s, -1);
				if (nres > ef)
					heap_pop(out, &nres, -1);
			}
		}
	}
	/* empty the max-heap from the back: out ends up nearest first */
	{
		int			n = nres;

		while (n > 1)
		{
			Scored		far = heap_pop(out, &n, -1);

			out[n] = far;
		}
	}
	return nres;
}

/* HNSW's heuristic order over sorted candidates (relative to a base). */
static int
preference_order(HnswMemGraph *g, const Scored *sorted, int n, Scored *order)
{
	Scored	   *rest = palloc(sizeof(Scored) * Max(n, 1));
	int			ngood = 0;
	int			nrest = 0;
	int			i;
	int			j;

	for (i = 0; i < n; i++)
	{
		bool		diverse = true;

		for (j = 0; j < ngood; j++)
		{
			if (hnsw_distance(g->hi->kind, VEC(g, sorted[i].id), VEC(g, order[j].id),
							  g->hi->dimensions) < sorted[i].distance)
			{
				diverse = false;
				break;
			}
		}
		if (diverse)
			order[ngood++] = sorted[i];
		else
			rest[nrest++] = sorted[i];
	}
	memcpy(order + ngood, rest, sizeof(Scored) * nrest);
	pfree(rest);
	return ngood + nrest;
}

/* The in-memory hnsw_add_link: see hnswinsert.c. */
static bool
add_link(HnswMemGraph *g, int32 from, int32 added, double distance, int layer, bool force)
{
	int			m = g->hi->m;
	int			start = HNSW_LAYER_START(layer, m);
	int			slots = HNSW_LAYER_SLOTS(layer, m);
	int32	   *links = g->elements[from].links + start;
	Scored		cands[2 * HNSW_MAX_M + 1];
	Scored		order[2 * HNSW_MAX_M + 1];
	int			n;
	int			k;
	int			i;

	float	   *dists = g->elements[from].link_distances + start;

	for (i = 0; i < slots; i++)
	{
		if (links[i] == added)
			return false;
		if (links[i] < 0)
		{
			links[i] = added;
			dists[i] = (float) distance;
			return true;
		}
	}
	cands[0].id = added;
	cands[0].distance = distance;
	for (i = 0; i < slots; i++)
	{
		cands[i + 1].id = links[i];
		cands[i + 1].distance = dists[i];
	}
	sort_short(cands, slots + 1);
	n = preference_order(g, cands, slots + 1, order);
	for (k = n - 1; k >= 0; k--)
	{
		int32		c = order[k].id;

		if (c == added)
		{
			if (force)
				continue;
			return false;
		}
		if (layer > 0 || g->elements[c].indegree >= 2)
		{
			for (i = 0; i < slots; i++)
			{
				if (links[i] == c)
				{
					links[i] = added;
					dists[i] = (float) distance;
					if (layer == 0)
						g->elements[c].indegree--;
					return true;
				}
			}
		}
	}
	return false;
}

void
hnsw_graph_insert(HnswMemGraph *g, const float *vec, ItemPointer heaptid)
{
	HnswIndex  *hi = g->hi;
	int			m = hi->m;
	int			ef = hi->ef_construction;
	MemoryContext old = MemoryContextSwitchTo(g->insert_context);
	int			level = hnsw_random_level(m);
	int32		id;
	MemElement *e;
	Scored	   *found = palloc(sizeof(Scored) * (ef + 2));
	Scored	   *order = palloc(sizeof(Scored) * (ef + 2));
	Scored		entries[1];
	Scored	   *selected[HNSW_MAX_LEVEL + 1];
	int			nselected[HNSW_MAX_LEVEL + 1];
	int			top;
	int			layer;
	int			in_links = 0;
	int			i;

	while (level > 0 && HNSW_NEIGHBOR_TUPLE_SIZE(level, m) > BLCKSZ / 2)
		level--;
	if (g->count >= g->capacity)
		grow(g);
	id = (int32) g->count++;
	memcpy(VEC(g, id), vec, sizeof(float) * hi->dimensions);
	e = &g->elements[id];
	e->heaptid = *heaptid;
	e->level = level;
	e->indegree = 0;
	e->links = MemoryContextAlloc(g->context, sizeof(int32) * (level + 2) * m);
	e->link_distances = MemoryContextAlloc(g->context, sizeof(float) * (level + 2) * m);
	for (i = 0; i < (level + 2) * m; i++)
		e->links[i] = -1;
	g->bytes += (sizeof(int32) + sizeof(float)) * (level + 2) * m;

	if (g->entry < 0)
	{
		g->entry = id;
		g->entry_level = level;
		MemoryContextSwitchTo(old);
		MemoryContextReset(g->insert_context);
		return;
	}

	/* greedy descent, then a wide search on each shared layer */
	entries[0].id = (int32) g->entry;
	entries[0].distance = distance_to(g, vec, entries[0].id);
	for (layer = g->entry_level; layer > Max(level, 1); layer--)
	{
		search_layer(g, vec, entries, 1, 1, layer, found);
		entries[0] = found[0];
	}
	top = Min(level, g->entry_level);
	{
		Scored	   *layer_entries = entries;
		int			nentries = 1;

		/* a level-0 element starts from a wide search of layer 1, like scans */
		if (level == 0 && g->entry_level >= 1)
		{
			nentries = search_layer(g, vec, entries, 1, ef, 1, found);
			layer_entries = palloc(sizeof(Scored) * Max(nentries, 1));
			memcpy(layer_entries, found, sizeof(Scored) * nentries);
		}

		for (layer = top; layer >= 0; layer--)
		{
			int			nfound;
			int			n;
			int			keep = HNSW_LAYER_SLOTS(layer, m);

			CHECK_FOR_INTERRUPTS();
			nfound = search_layer(g, vec, layer_entries, nentries, ef, layer, found);
			n = preference_order(g, found, nfound, order);
			nselected[layer] = Min(n, keep);
			selected[layer] = palloc(sizeof(Scored) * Max(nselected[layer], 1));
			memcpy(selected[layer], order, sizeof(Scored) * nselected[layer]);
			for (i = 0; i < nselected[layer]; i++)
			{
				e->links[HNSW_LAYER_START(layer, m) + i] = selected[layer][i].id;
				e->link_distances[HNSW_LAYER_START(layer, m) + i] = (float) selected[layer][i].distance;
			}
			/* the next layer starts from everything found here */
			layer_entries = palloc(sizeof(Scored) * Max(nfound, 1));
			memcpy(layer_entries, found, sizeof(Scored) * nfound);
			nentries = nfound;
		}
	}

	/* back-links, in-degrees */
	for (layer = top; layer >= 0; layer--)
	{
		for (i = 0; i < nselected[layer]; i++)
		{
			int32		n = selected[layer][i].id;

			if (layer == 0)
				g->elements[n].indegree++;	/* the new element links to it */
			if (add_link(g, n, id, selected[layer][i].distance, layer, false) && layer == 0)
				in_links++;
		}
	}
	if (in_links == 0)
	{
		for (i = 0; i < nselected[0]; i++)
		{
			if (add_link(g, selected[0][i].id, id, selected[0][i].distance, 0, true))
			{
				in_links++;
				break;
			}
		}
	}
	e = &g->elements[id];
	e->indegree += in_links;
	if (level > g->entry_level)
	{
		g->entry = id;
		g->entry_level = level;
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(g->insert_context);
}

/* the page position of one item, computed the way PageAddItem places it */
typedef struct Placement
{
	BlockNumber block;
	OffsetNumber offset;
	Size		lower;
	Size		upper;
} Placement;

static void
place(Placement *p, Size size, BlockNumber first_block)
{
	Size		aligned = MAXALIGN(size);

	if (p->block == InvalidBlockNumber || p->upper < aligned ||
		p->lower + sizeof(ItemIdData) > p->upper - aligned)
	{
		p->block = p->block == InvalidBlockNumber ? first_block : p->block + 1;
		p->offset = InvalidOffsetNumber;
		p->lower = SizeOfPageHeaderData;
		p->upper = BLCKSZ - MAXALIGN(sizeof(HnswPageOpaqueData));
	}
	p->offset = OffsetNumberNext(p->offset);
	p->lower += sizeof(ItemIdData);
	p->upper -= aligned;
}

/*
 * Write the graph after the metapage (block 0, already there and empty of
 * elements), WAL-log the pages, and set the metapage.
 */
void
hnsw_graph_write(HnswMemGraph *g)
{
	HnswIndex  *hi = g->hi;
	Relation	index = hi->index;
	int			m = hi->m;
	Size		esize = HNSW_ELEMENT_TUPLE_SIZE(hi->dimensions);
	MemoryContext old = MemoryContextSwitchTo(g->context);
	ItemPointerData *etids;
	ItemPointerData *ntids;
	Placement	p = {InvalidBlockNumber, InvalidOffsetNumber, 0, 0};
	BlockNumber first = RelationGetNumberOfBlocks(index);
	BlockNumber last = first;
	HnswElementTuple etup = palloc0(esize);
	HnswNeighborTuple ntup = palloc0(HNSW_NEIGHBOR_TUPLE_SIZE(HNSW_MAX_LEVEL, m));
	Buffer		buf = InvalidBuffer;
	Page		page = NULL;
	int64		i;

	Assert(first == HNSW_METAPAGE_BLKNO + 1);
	if (g->count == 0)
	{
		MemoryContextSwitchTo(old);
		return;
	}

	/* 1. where every item goes */
	etids = MemoryContextAllocHuge(g->context, sizeof(ItemPointerData) * g->count);
	ntids = MemoryContextAllocHuge(g->context, sizeof(ItemPointerData) * g->count);
	for (i = 0; i < g->count; i++)
	{
		place(&p, esize, first);
		ItemPointerSet(&etids[i], p.block, p.offset);
		place(&p, HNSW_NEIGHBOR_TUPLE_SIZE(g->elements[i].level, m), first);
		ItemPointerSet(&ntids[i], p.block, p.offset);
	}

	/* 2. the pages, in order, without WAL */
	for (i = 0; i < g->count; i++)
	{
		MemElement *e = &g->elements[i];
		Size		nsize = HNSW_NEIGHBOR_TUPLE_SIZE(e->level, m);
		int			slots = (e->level + 2) * m;
		int			k;
		int			item;

		CHECK_FOR_INTERRUPTS();
		etup->type = HNSW_ELEMENT_TUPLE;
		etup->level = (uint8) e->level;
		etup->deleted = 0;
		etup->indegree = (uint16) Min(e->indegree, PG_UINT16_MAX);
		etup->heaptid = e->heaptid;
		etup->neighbortid = ntids[i];
		memcpy(etup->vec, VEC(g, i), sizeof(float) * hi->dimensions);
		ntup->type = HNSW_NEIGHBOR_TUPLE;
		ntup->count = (uint16) slots;
		for (k = 0; k < slots; k++)
		{
			if (e->links[k] >= 0)
				ntup->indextids[k] = etids[e->links[k]];
			else
				ItemPointerSetInvalid(&ntup->indextids[k]);
		}

		for (item = 0; item < 2; item++)
		{
			ItemPointer target = item == 0 ? &etids[i] : &ntids[i];

			while (buf == InvalidBuffer || BufferGetBlockNumber(buf) != ItemPointerGetBlockNumber(target))
			{
				if (buf != InvalidBuffer)
				{
					MarkBufferDirty(buf);
					UnlockReleaseBuffer(buf);
				}
				buf = hnsw_new_buffer(index, MAIN_FORKNUM);
				page = BufferGetPage(buf);
				hnsw_init_page(page, sizeof(HnswPageOpaqueData));
				last = BufferGetBlockNumber(buf);
			}
			if (PageAddItem(page, item == 0 ? (Item) etup : (Item) ntup, item == 0 ? esize : nsize,
							InvalidOffsetNumber, false, false) != ItemPointerGetOffsetNumber(target))
				elog(ERROR, "linal_hnsw: item placement differs from the plan at (%u,%u)",
					 ItemPointerGetBlockNumber(target), ItemPointerGetOffsetNumber(target));
		}
	}
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);
	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, first, last + 1, true);

	/* 3. the metapage */
	{
		Buffer		metabuf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
		GenericXLogState *state;
		HnswMetaPage meta;

		LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
		state = GenericXLogStart(index);
		meta = HnswPageGetMeta(GenericXLogRegisterBuffer(state, metabuf, 0));
		meta->entry = etids[g->entry];
		meta->entry_level = (int16) g->entry_level;
		meta->insert_page = last;
		meta->elements = g->count;
		GenericXLogFinish(state);
		UnlockReleaseBuffer(metabuf);
	}
	MemoryContextSwitchTo(old);
}
