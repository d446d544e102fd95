/*-------------------------------------------------------------------------
 *
 * hnswsearch.h
 *	  linal_hnsw: HNSW's layer search (SEARCH-LAYER), once, over a small
 *	  interface to a graph: the build's in local or dynamic shared memory
 *	  (hnswgraph.c), or the pages (hnswutils.c: inserts, scans, VACUUM).
 *
 * A node is named by a 64-bit id: a build's int32 node id, or an element
 * tuple's TID packed as block << 16 | offset (never 0).  The graph gives
 * a node's links on one layer and the distances of a batch of nodes to
 * the query (one call per neighbour list, not per node: the pages read a
 * list's elements through their prefetch pipeline, the build's graph
 * takes one lock per list).  The visited set and the two heaps are here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_HNSWSEARCH_H
#define LINAL_HNSWSEARCH_H

#include "am/hnsw.h"

typedef uint64 HnswNodeId;

/* an element tuple's TID as a node id, and back */
static inline HnswNodeId
hnsw_tid_id(const ItemPointerData *tid)
{
	return ((uint64) ItemPointerGetBlockNumberNoCheck(tid) << 16) |
		ItemPointerGetOffsetNumberNoCheck(tid);
}

static inline void
hnsw_id_tid(HnswNodeId id, ItemPointerData *tid)
{
	ItemPointerSet(tid, (BlockNumber) (id >> 16), (OffsetNumber) (id & 0xFFFF));
}

/*
 * A node a search has seen.  Distances are double: the pages' distances
 * are (a quantized scan's are lower bounds, which must not round up), and
 * the build's are floats, exact in a double, so both order alike.
 */
typedef struct HnswSearchItem
{
	double		distance;		/* to the query */
	HnswNodeId	id;
	void	   *data;			/* the graph's own (the pages: an HnswCandidate) */
} HnswSearchItem;

typedef struct HnswGraphAccess
{
	/*
	 * The ids of item's links on layer (none when its level is below) into
	 * out, which has room for 2 * HNSW_MAX_M; returns how many.
	 */
	int			(*neighbors) (void *context, const HnswSearchItem *item, int layer,
							  HnswNodeId *out);
	/* out[i] for ids[i], i < n: its distance to the query (and data) */
	void		(*distances) (void *context, const HnswNodeId *ids, int n,
							  HnswSearchItem *out);
	/*
	 * Optional: an item from distances the search keeps (its data must then
	 * outlive the call: the callback may replace it) or not (kept false).
	 */
	void		(*settle) (void *context, HnswSearchItem *item, bool kept);
	void	   *context;
} HnswGraphAccess;

/*
 * The nodes one search has seen: stamps by node id (ids below capacity, a
 * new generation per search, for a build's graph) or a TID set.
 */
typedef struct HnswVisited
{
	uint32	   *stamps;			/* dense: NULL for a set */
	int64		capacity;
	uint32		generation;
	HnswTidSet *set;
} HnswVisited;

/* a search's heap of candidates, kept between searches (it grows in context) */
typedef struct HnswSearchHeap
{
	HnswSearchItem *items;
	int			capacity;
	MemoryContext context;
} HnswSearchHeap;

extern void hnsw_search_heap_init(HnswSearchHeap *heap, MemoryContext context, int capacity);

/* a dense visited set starts a new search: nothing seen */
extern void hnsw_visited_reset(HnswVisited *visited);

/*
 * SEARCH-LAYER: up to ef nodes nearest to the query that a best-first walk
 * of layer finds from the entries, into out (room for ef + 1), nearest
 * first; returns how many.  Entries already visited are skipped.
 */
extern int	hnsw_search(const HnswGraphAccess *graph, HnswVisited *visited, HnswSearchHeap *heap,
						const HnswSearchItem *entries, int nentries, int ef, int layer,
						HnswSearchItem *out);

/* items a search keeps aside: an array that grows in its context */
typedef struct HnswSearchItems
{
	HnswSearchItem *items;
	int			count;
	int			capacity;
} HnswSearchItems;

/*
 * A search that can go on with a larger ef (a scan's next round) instead
 * of starting again: it keeps its heaps, its visited set, and the nodes it
 * saw and set aside.  Widened, it takes the set-aside nodes back and
 * expands what the narrower search did not, so it finds what a search
 * with the larger ef finds, for the work of the difference.
 */
typedef struct HnswSearchState
{
	const HnswGraphAccess *graph;
	HnswVisited *visited;
	MemoryContext context;		/* of everything below */
	int			layer;
	int			ef;
	HnswSearchHeap cand;		/* min-heap of nodes still to expand */
	int			ncand;
	HnswSearchItem *found;		/* max-heap of the ef nearest (room for ef + 1) */
	int			nfound;
	HnswSearchItems dropped;	/* seen, farther than found: never a candidate */
	HnswSearchItems evicted;	/* pushed out of found: expanded, or in cand */
} HnswSearchState;

/* a search of layer from the entries, with ef, kept in context to widen */
extern void hnsw_search_start(HnswSearchState *state, const HnswGraphAccess *graph,
							  HnswVisited *visited, MemoryContext context,
							  const HnswSearchItem *entries, int nentries, int ef, int layer);

/* go on with ef (larger than the state's) */
extern void hnsw_search_widen(HnswSearchState *state, int ef);

/* the state's nearest found, nearest first, into out (room for nfound + 1) */
extern int	hnsw_search_found(const HnswSearchState *state, HnswSearchItem *out);

#endif							/* LINAL_HNSWSEARCH_H */
