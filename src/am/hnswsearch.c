/*-------------------------------------------------------------------------
 *
 * hnswsearch.c
 *	  linal_hnsw: HNSW's layer search (SEARCH-LAYER), one implementation
 *	  for every graph (hnswsearch.h): a best-first walk from the entries,
 *	  a min-heap of candidates still to expand and a max-heap of the ef
 *	  nearest found, stopping when the nearest candidate left is farther
 *	  than the farthest of ef found.
 *
 * Per expanded node, one call for its links and one for the distances of
 * those not seen yet; the graph behind them decides how it reads (locks,
 * buffers, prefetching).  Ties between equal distances fall the same way
 * whatever the graph, so a build and the pages walk alike.
 *
 * A scan's search is resumable (HnswSearchState): it also keeps the nodes
 * the walk set aside (probes farther than the ef found, nodes pushed out
 * of them, the candidate it stopped at), so a round with a larger ef goes
 * on from there instead of walking the same nodes again.  The build and
 * inserts take the plain search, where the setting-aside compiles away.
 *
 * Memory: the candidate heap grows in its own context (the caller's,
 * kept between searches); out is the caller's; a resumable search's all
 * in the context it was started in.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "am/hnswsearch.h"

void
hnsw_search_heap_init(HnswSearchHeap *heap, MemoryContext context, int capacity)
{
	heap->capacity = Max(capacity, 16);
	heap->context = context;
	heap->items = MemoryContextAlloc(context, sizeof(HnswSearchItem) * heap->capacity);
}

void
hnsw_visited_reset(HnswVisited *visited)
{
	Assert(visited->stamps != NULL);
	if (++visited->generation == 0)
	{
		memset(visited->stamps, 0, sizeof(uint32) * visited->capacity);
		visited->generation = 1;
	}
}

/* true when id was not seen yet by this search (and now is) */
static inline bool
visit(HnswVisited *visited, HnswNodeId id)
{
	if (visited->stamps != NULL)
	{
		Assert(id < (uint64) visited->capacity);
		if (visited->stamps[id] == visited->generation)
			return false;
		visited->stamps[id] = visited->generation;
		return true;
	}
	return hnsw_tidset_add_key(visited->set, id);
}

/* binary heaps of items: the nearest on top when sign = 1, the farthest when -1 */
static inline bool
before(const HnswSearchItem *a, const HnswSearchItem *b, int sign)
{
	return sign > 0 ? a->distance < b->distance : a->distance > b->distance;
}

static inline void
heap_push(HnswSearchItem *heap, int *n, const HnswSearchItem *item, int sign)
{
	int			i = (*n)++;

	while (i > 0 && before(item, &heap[(i - 1) / 2], sign))
	{
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = *item;
}

static inline HnswSearchItem
heap_pop(HnswSearchItem *heap, int *n, int sign)
{
	HnswSearchItem top = heap[0];
	HnswSearchItem last = heap[--(*n)];
	int			i = 0;

	for (;;)
	{
		int			child = 2 * i + 1;

		if (child >= *n)
			break;
		if (child + 1 < *n && before(&heap[child + 1], &heap[child], sign))
			child++;
		if (!before(&heap[child], &last, sign))
			break;
		heap[i] = heap[child];
		i = child;
	}
	if (*n > 0)
		heap[i] = last;
	return top;
}

static inline void
heap_room(HnswSearchHeap *heap, int needed)
{
	if (needed > heap->capacity)
	{
		heap->capacity = Max(needed, 2 * heap->capacity);
		heap->items = repalloc_huge(heap->items, sizeof(HnswSearchItem) * heap->capacity);
	}
}

/* a resumable search sets item aside (its context): a wider round takes it back */
static void
set_aside(HnswSearchState *state, HnswSearchItems *items, const HnswSearchItem *item)
{
	if (items->count == items->capacity)
	{
		items->capacity = Max(64, 2 * items->capacity);
		items->items = items->items == NULL ?
			MemoryContextAllocHuge(state->context, sizeof(HnswSearchItem) * items->capacity) :
			repalloc_huge(items->items, sizeof(HnswSearchItem) * items->capacity);
	}
	items->items[items->count++] = *item;
}

/* item into the ef nearest found; one pushed out is set aside when resumable */
static pg_attribute_always_inline void
keep_found(HnswSearchItem *found, int *nfound, const HnswSearchItem *item, int ef,
		   HnswSearchState *resumable)
{
	heap_push(found, nfound, item, -1);
	if (*nfound > ef)
	{
		HnswSearchItem far = heap_pop(found, nfound, -1);

		if (resumable != NULL)
			set_aside(resumable, &resumable->evicted, &far);
	}
}

/*
 * The walk itself: expand the nearest candidate until the nearest left is
 * farther than the farthest of ef found.  resumable (NULL for a plain
 * search) keeps what the walk drops: the probes not kept, the nodes pushed
 * out of found, and the candidate it stopped at.
 */
static pg_attribute_always_inline void
walk(const HnswGraphAccess *graph, HnswVisited *visited, HnswSearchHeap *heap, int *ncand,
	 HnswSearchItem *found, int *nfound, int ef, int layer, HnswSearchState *resumable)
{
	HnswNodeId	links[2 * HNSW_MAX_M];
	HnswSearchItem probes[2 * HNSW_MAX_M];
	int			i;

	while (*ncand > 0)
	{
		HnswSearchItem c = heap_pop(heap->items, ncand, 1);
		int			nlinks;
		int			nfresh = 0;

		CHECK_FOR_INTERRUPTS();
		if (*nfound >= ef && c.distance > found[0].distance)
		{
			/* a wider search goes on from here (the pop left room) */
			if (resumable != NULL)
				heap_push(heap->items, ncand, &c, 1);
			break;
		}
		nlinks = graph->neighbors(graph->context, &c, layer, links);
		Assert(nlinks <= 2 * HNSW_MAX_M);
		for (i = 0; i < nlinks; i++)
		{
			if (visit(visited, links[i]))
				links[nfresh++] = links[i];
		}
		if (nfresh == 0)
			continue;
		graph->distances(graph->context, links, nfresh, probes);
		heap_room(heap, *ncand + nfresh);
		for (i = 0; i < nfresh; i++)
		{
			HnswSearchItem *p = &probes[i];
			bool		kept = *nfound < ef || p->distance < found[0].distance;

			/* a resumable search keeps the data of a probe it drops too */
			if (graph->settle != NULL)
				graph->settle(graph->context, p, kept || resumable != NULL);
			if (!kept)
			{
				if (resumable != NULL)
					set_aside(resumable, &resumable->dropped, p);
				continue;
			}
			heap_push(heap->items, ncand, p, 1);
			keep_found(found, nfound, p, ef, resumable);
		}
	}
}

/* the entries not visited yet start the walk */
static pg_attribute_always_inline void
seed(HnswVisited *visited, HnswSearchHeap *heap, int *ncand, HnswSearchItem *found,
	 int *nfound, const HnswSearchItem *entries, int nentries, int ef,
	 HnswSearchState *resumable)
{
	int			i;

	heap_room(heap, *ncand + nentries);
	for (i = 0; i < nentries; i++)
	{
		if (!visit(visited, entries[i].id))
			continue;
		heap_push(heap->items, ncand, &entries[i], 1);
		keep_found(found, nfound, &entries[i], ef, resumable);
	}
}

/* a max-heap of n emptied from the back: nearest first */
static void
sort_found(HnswSearchItem *found, int n)
{
	while (n > 1)
	{
		HnswSearchItem far = heap_pop(found, &n, -1);

		found[n] = far;
	}
}

int
hnsw_search(const HnswGraphAccess *graph, HnswVisited *visited, HnswSearchHeap *heap,
			const HnswSearchItem *entries, int nentries, int ef, int layer,
			HnswSearchItem *out)
{
	int			ncand = 0;
	int			nres = 0;

	Assert(ef >= 1);
	seed(visited, heap, &ncand, out, &nres, entries, nentries, ef, NULL);
	walk(graph, visited, heap, &ncand, out, &nres, ef, layer, NULL);
	sort_found(out, nres);
	return nres;
}

void
hnsw_search_start(HnswSearchState *state, const HnswGraphAccess *graph, HnswVisited *visited,
				  MemoryContext context, const HnswSearchItem *entries, int nentries,
				  int ef, int layer)
{
	Assert(ef >= 1);
	memset(state, 0, sizeof(HnswSearchState));
	state->graph = graph;
	state->visited = visited;
	state->context = context;
	state->layer = layer;
	state->ef = ef;
	hnsw_search_heap_init(&state->cand, context, 2 * ef);
	state->found = MemoryContextAllocHuge(context, sizeof(HnswSearchItem) * ((Size) ef + 1));
	seed(visited, &state->cand, &state->ncand, state->found, &state->nfound,
		 entries, nentries, ef, state);
	walk(graph, visited, &state->cand, &state->ncand, state->found, &state->nfound,
		 ef, layer, state);
}

/*
 * The nodes set aside go back: the dropped ones become candidates, and
 * all compete for the wider found (what it pushes out is set aside again).
 * Then the walk goes on from the candidates left.
 */
void
hnsw_search_widen(HnswSearchState *state, int ef)
{
	HnswSearchItems dropped = state->dropped;
	HnswSearchItems evicted = state->evicted;
	int			i;

	Assert(ef > state->ef);
	state->ef = ef;
	state->found = repalloc_huge(state->found, sizeof(HnswSearchItem) * ((Size) ef + 1));
	memset(&state->dropped, 0, sizeof(HnswSearchItems));
	memset(&state->evicted, 0, sizeof(HnswSearchItems));
	heap_room(&state->cand, state->ncand + dropped.count);
	for (i = 0; i < dropped.count; i++)
	{
		heap_push(state->cand.items, &state->ncand, &dropped.items[i], 1);
		keep_found(state->found, &state->nfound, &dropped.items[i], ef, state);
	}
	for (i = 0; i < evicted.count; i++)
		keep_found(state->found, &state->nfound, &evicted.items[i], ef, state);
	if (dropped.items != NULL)
		pfree(dropped.items);
	if (evicted.items != NULL)
		pfree(evicted.items);
	walk(state->graph, state->visited, &state->cand, &state->ncand, state->found,
		 &state->nfound, ef, state->layer, state);
}

int
hnsw_search_found(const HnswSearchState *state, HnswSearchItem *out)
{
	memcpy(out, state->found, sizeof(HnswSearchItem) * state->nfound);
	sort_found(out, state->nfound);
	return state->nfound;
}
