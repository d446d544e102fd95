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
 * Memory: the candidate heap grows in its own context (the caller's,
 * kept between searches); out is the caller's.
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

int
hnsw_search(const HnswGraphAccess *graph, HnswVisited *visited, HnswSearchHeap *heap,
			const HnswSearchItem *entries, int nentries, int ef, int layer,
			HnswSearchItem *out)
{
	HnswNodeId	links[2 * HNSW_MAX_M];
	HnswSearchItem probes[2 * HNSW_MAX_M];
	int			ncand = 0;
	int			nres = 0;
	int			i;

	Assert(ef >= 1);
	heap_room(heap, nentries);
	for (i = 0; i < nentries; i++)
	{
		if (!visit(visited, entries[i].id))
			continue;
		heap_push(heap->items, &ncand, &entries[i], 1);
		heap_push(out, &nres, &entries[i], -1);
		if (nres > ef)
			heap_pop(out, &nres, -1);
	}
	while (ncand > 0)
	{
		HnswSearchItem c = heap_pop(heap->items, &ncand, 1);
		int			nlinks;
		int			nfresh = 0;

		CHECK_FOR_INTERRUPTS();
		if (nres >= ef && c.distance > out[0].distance)
			break;
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
		heap_room(heap, ncand + nfresh);
		for (i = 0; i < nfresh; i++)
		{
			HnswSearchItem *p = &probes[i];
			bool		kept = nres < ef || p->distance < out[0].distance;

			if (graph->settle != NULL)
				graph->settle(graph->context, p, kept);
			if (!kept)
				continue;
			heap_push(heap->items, &ncand, p, 1);
			heap_push(out, &nres, p, -1);
			if (nres > ef)
				heap_pop(out, &nres, -1);
		}
	}
	/* empty the max-heap from the back: out ends up nearest first */
	{
		int			n = nres;

		while (n > 1)
		{
			HnswSearchItem far = heap_pop(out, &n, -1);

			out[n] = far;
		}
	}
	return nres;
}
