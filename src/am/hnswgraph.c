/*-------------------------------------------------------------------------
 *
 * hnswgraph.c
 *	  linal_hnsw: the graph of CREATE INDEX, built in memory and then
 *	  written to pages in one sequential pass.
 *
 * One implementation serves both builds: the serial one, where the graph
 * lives in backend-local memory and grows within maintenance_work_mem, and
 * the parallel one (hnswparallel.c), where it lives in one area of dynamic
 * shared memory that every participant inserts into at once.  Nothing in
 * the graph is a pointer: elements are numbered (ids), an element's node is
 * at id * node_bytes in the node array, and its upper-layer lists at an
 * offset into the upper area, so the graph reads the same at whatever
 * address a process maps it.
 *
 * The algorithm is the on-disk insert's (hnswinsert.c) on arrays: the same
 * levels, layer search (one implementation: hnswsearch.c), neighbour
 * heuristic and heuristic shrinking of full lists (one implementation:
 * hnswheuristic.h) and protection of each element's way in (its parent's
 * link), so a graph built here, serially or in parallel, has the
 * properties of one grown by inserts.  Before it is written, elements
 * that a search for their own vector misses are linked from what it finds
 * (hnsw_graph_refind), and a walk of the finished graph gives the pages
 * their tree of ways in (hnswtree.c) and re-links what it does not reach
 * (relink_unreachable).
 *
 * Layout.  A node holds its lock, its parent, heap TID, level,
 * the offset of its upper lists, its code (what the pages will hold), then
 * its layer-0 list.  An int8 index's rows come as floats
 * (hnsw_value_floats) and the node holds their code: an insert searches
 * code to code (a quarter of the bytes of floats, one integer dot
 * product), then measures what each layer's search found by the distance
 * of the row's floats to each code, and chooses the links by that
 * distance (rescore), as an on-disk insert does; the heuristic compares
 * two elements by their codes, as there.  So the build reads a quarter of
 * the bytes it would read on floats, a node is a third of a float4
 * index's at 768 dimensions, and the graph is as good as one built on
 * floats (docs/BENCHMARKS.md).  A
 * sparse code has a size of its own: the node holds its offset instead,
 * and the code is bump-allocated in the upper area after the node's upper
 * lists (node_code), so no node reserves the largest code.  A list
 * (the links of one layer) holds a count, the link ids sorted nearest first
 * with no holes, each link's distance, and whether each link is "diverse"
 * in HNSW's heuristic (nearer to this element than to every diverse link
 * before it).  Keeping those flags lets a link into a full list cost only
 * the checks the new candidate can change, not the whole heuristic again
 * (add_link); any other change to a list marks its flags stale.
 *
 * Concurrency (parallel build).  Ids and upper-area bytes come from two
 * atomic bump counters; when either runs out the area is marked full and
 * every later insert returns false (hnswparallel.c then spills the row).
 * Each node's LWLock guards its lists: a search holds it shared while it
 * copies one list, add_link exclusively while it rewrites one, and nobody
 * holds two node locks.  A node's parent is set once, by the insert of the
 * node, under the lock of the parent it names (add_link), so whoever
 * evicts from that parent's list, under the same lock, sees it.  The entry
 * point is under entry_lock: an insert whose level is above the entry's
 * holds it exclusively for the whole insert (it becomes the new entry), so
 * nobody starts from an entry about to be replaced; other inserts hold it
 * shared only to read the entry.  Lock order: entry_lock, then one node.
 * A node's vector, level and heap TID are written before its id is
 * published (in a list, under that list's lock, or as the entry) and never
 * change after.  The serial build, and a parallel one whose workers did not
 * start, take no locks.
 *
 * Memory: a local graph lives in its own context; every participant's
 * visited marks and candidate heap are local (and counted in the budget);
 * a shared area belongs to the parallel context's segment.
 *
 * Writing: item placement is computed first (so every link can name its
 * target's TID), then pages are filled in order, without WAL, and WAL-logged
 * as whole pages at the end (log_newpage_range), like other index builds.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/xloginsert.h"
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/bufmgr.h"
#include "storage/lwlock.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "am/hnsw.h"
#include "am/hnswgraph.h"
#include "am/hnswheuristic.h"
#include "am/hnswsearch.h"
#include "kernels/kernels.h"


typedef struct Scored
{
	float		distance;
	int32		id;
} Scored;

/* The links of one layer: ids[count] nearest first, then their distances and flags. */
typedef struct LinkList
{
	uint8		count;
	bool		flags_valid;	/* diverse[] describes the list as it is now */
	uint16		unused;
	int32		ids[FLEXIBLE_ARRAY_MEMBER];
	/* then float dists[slots], then bool diverse[slots] */
} LinkList;

#define LIST_BYTES(slots) \
	MAXALIGN(offsetof(LinkList, ids) + (sizeof(int32) + sizeof(float) + sizeof(bool)) * (slots))
#define LIST_DISTS(l, slots) ((float *) ((l)->ids + (slots)))
#define LIST_DIVERSE(l, slots) ((bool *) ((l)->ids + 2 * (slots)))

typedef struct GraphNode
{
	LWLock		lock;			/* its lists; used only by concurrent builds */
	pg_atomic_uint32 parent;	/* its way in (hnswtree.c): an id, or NO_PARENT */
	ItemPointerData heaptid;
	uint8		level;
	uint8		unused;
	uint64		upper;			/* offset of its lists of layers 1..level */
	/*
	 * then the code (code_bytes) -- or, for a sparse code, its offset
	 * (uint64) in the upper area -- then the layer-0 LinkList (2m slots)
	 */
} GraphNode;

#define NODE_VEC_OFFSET MAXALIGN(sizeof(GraphNode))
#define NO_PARENT PG_UINT32_MAX

/*
 * The graph's header: at the start of a shared area (nodes and upper area
 * follow it), or in local memory (nodes and upper area allocated apart).
 */
typedef struct GraphArea
{
	int			dimensions;		/* 0 in a local graph until the first row */
	int			m;
	int			lwlock_tranche;
	int64		capacity;		/* nodes */
	Size		nodes_offset;	/* shared area: from the header */
	Size		upper_offset;
	Size		upper_bytes;
	pg_atomic_uint64 count;		/* ids handed out (may pass capacity) */
	pg_atomic_uint64 upper_used;
	pg_atomic_uint32 full;		/* an allocation failed: insert no more */
	LWLock		entry_lock;
	int32		entry;			/* -1 while the graph is empty */
	int32		entry_level;
} GraphArea;

struct HnswGraph
{
	HnswIndex  *hi;
	GraphArea  *area;
	char	   *nodes;
	char	   *upper;
	bool		local;			/* local memory: may grow */
	bool		concurrent;		/* other processes insert too: take locks */
	/* the layout, copied for the inner loops */
	int			dimensions;
	int			code_bytes;		/* of a node's code */
	bool		floats;			/* int8: rows come as floats, nodes hold codes */
	HnswCodeDistance row_distance;	/* int8: of a row's floats to a code */
	bool		sparse;			/* codes of their own sizes, in the upper area */
	Size		code_mean;		/* sparse: upper-area bytes expected per code */
	HnswCodeDistance code_distance;
	int			m;
	Size		node_bytes;
	Size		list0_offset;
	Size		upper_list_bytes;
	/* a local graph grows within this */
	Size		budget;
	int64		expected;
	/* this participant's own */
	HnswVisited visited;		/* generation stamps, one per node */
	HnswSearchHeap cand;		/* candidate heap of a search */
	HnswSearchItem *items;		/* a search's entries and results */
	int			items_capacity;
	const void *query;			/* of the search under way */
	pg_prng_state prng;
	MemoryContext context;
	MemoryContext insert_context;	/* temporaries of one insert */
};

#define NODE(g, id) ((GraphNode *) ((g)->nodes + (Size) (id) * (g)->node_bytes))
#define VEC(g, id) node_code(g, NODE(g, id))

/*
 * A node's code: in the node, or for a sparse code (of its own size) in
 * the upper area, bump-allocated after its lists, at the offset the node
 * holds; so no node reserves the largest code.
 */
static inline const void *
node_code(const HnswGraph *g, const GraphNode *node)
{
	const char *slot = (const char *) node + NODE_VEC_OFFSET;

	if (likely(!g->sparse))
		return slot;
	return g->upper + *(const uint64 *) slot;
}

/* upper-area space reserved whatever the row count: small graphs' luck */
#define UPPER_RESERVE(list_bytes) ((Size) 64 * HNSW_MAX_LEVEL * (list_bytes))

StaticAssertDecl(sizeof(float) == sizeof(int32), "LinkList packs floats after int32s");

static void
set_layout(HnswGraph *g, HnswIndex *hi, int dimensions, int m)
{
	g->dimensions = dimensions;
	g->floats = hnsw_rows_are_floats(hi);
	g->code_bytes = hnsw_code_bytes(hi->format, dimensions);
	g->sparse = hi->format == LINAL_HNSW_FORMAT_SPARSE;
	g->code_mean = g->sparse ? MAXALIGN(hi->code_bytes_mean) : 0;
	g->code_distance = hi->distance;
	g->row_distance = g->floats ? hnsw_float_code_distance(hi->format, hi->kind) : NULL;
	g->m = m;
	g->list0_offset = NODE_VEC_OFFSET + MAXALIGN(g->sparse ? sizeof(uint64) : g->code_bytes);
	g->node_bytes = g->list0_offset + LIST_BYTES(2 * m);
	g->upper_list_bytes = LIST_BYTES(m);
}

/*
 * Upper-area bytes per node on average, a quarter to spare: levels average
 * 1 / (m - 1); and a sparse code of the expected size.
 */
static Size
upper_bytes_per_node(HnswGraph *g)
{
	return (g->upper_list_bytes * 5) / (4 * (g->m - 1)) + 1 + g->code_mean;
}

static HnswGraph *
new_handle(HnswIndex *hi)
{
	MemoryContext context = AllocSetContextCreate(CurrentMemoryContext, "linal_hnsw graph",
												  ALLOCSET_DEFAULT_SIZES);
	HnswGraph  *g = MemoryContextAllocZero(context, sizeof(HnswGraph));

	g->hi = hi;
	g->context = context;
	g->insert_context = AllocSetContextCreate(context, "linal_hnsw graph insert",
											  ALLOCSET_DEFAULT_SIZES);
	/* every participant draws its own levels, whatever the process's seed */
	pg_prng_seed(&g->prng, pg_prng_uint64(&pg_global_prng_state) ^ (uint64) MyProcPid);
	hnsw_search_heap_init(&g->cand, context, 1024);
	return g;
}

static void
init_area_header(GraphArea *a, int dimensions, int m, int lwlock_tranche)
{
	a->dimensions = dimensions;
	a->m = m;
	a->lwlock_tranche = lwlock_tranche;
	pg_atomic_init_u64(&a->count, 0);
	pg_atomic_init_u64(&a->upper_used, 0);
	pg_atomic_init_u32(&a->full, 0);
	a->entry = -1;
	a->entry_level = -1;
}

HnswGraph *
hnsw_graph_create(HnswIndex *hi, Size budget_bytes, double expected_rows)
{
	HnswGraph  *g = new_handle(hi);
	GraphArea  *a = MemoryContextAllocZero(g->context, sizeof(GraphArea));

	init_area_header(a, 0, hi->m, 0);
	g->area = a;
	g->local = true;
	g->concurrent = false;
	g->budget = budget_bytes;
	g->expected = (int64) Min(Max(expected_rows, 0.0), (double) PG_INT32_MAX);
	/* the layout waits for the dimension, which may come with the first row */
	return g;
}

/* The area's layout for a node capacity: header, nodes, upper area. */
static Size
area_bytes_for(HnswGraph *g, int64 capacity, Size *nodes_offset, Size *upper_offset,
			   Size *upper_bytes)
{
	*nodes_offset = TYPEALIGN(PG_CACHE_LINE_SIZE, sizeof(GraphArea));
	*upper_offset = *nodes_offset + (Size) capacity * g->node_bytes;
	*upper_bytes = UPPER_RESERVE(g->upper_list_bytes) + (Size) capacity * upper_bytes_per_node(g);
	return *upper_offset + *upper_bytes;
}

Size
hnsw_graph_area_size(HnswIndex *hi, Size budget_bytes, double rows, int participants)
{
	HnswGraph	layout;
	Size		nodes_offset;
	Size		upper_offset;
	Size		upper_bytes;
	Size		fixed;
	Size		per_node;
	double		capacity;

	if (hi->dimensions <= 0)
		elog(ERROR, "linal_hnsw: shared graph of index \"%s\" has no dimension",
			 RelationGetRelationName(hi->index));
	set_layout(&layout, hi, hi->dimensions, hi->m);
	fixed = area_bytes_for(&layout, 0, &nodes_offset, &upper_offset, &upper_bytes);
	/* every participant also keeps a visited mark per node */
	per_node = layout.node_bytes + upper_bytes_per_node(&layout) + sizeof(uint32) * participants;
	capacity = Max(rows, 0.0) + 1024;
	capacity = Min(capacity, budget_bytes > fixed ? (double) ((budget_bytes - fixed) / per_node) : 0);
	capacity = Max(Min(capacity, (double) PG_INT32_MAX), 1);
	return area_bytes_for(&layout, (int64) capacity, &nodes_offset, &upper_offset, &upper_bytes);
}

void
hnsw_graph_area_init(void *area, Size area_bytes, HnswIndex *hi, int lwlock_tranche)
{
	GraphArea  *a = (GraphArea *) area;
	HnswGraph	layout;
	Size		fixed;

	set_layout(&layout, hi, hi->dimensions, hi->m);
	init_area_header(a, hi->dimensions, hi->m, lwlock_tranche);
	fixed = area_bytes_for(&layout, 0, &a->nodes_offset, &a->upper_offset, &a->upper_bytes);
	/* the inverse of area_bytes_for */
	a->capacity = (int64) ((area_bytes - fixed) /
						   (layout.node_bytes + upper_bytes_per_node(&layout)));
	area_bytes_for(&layout, a->capacity, &a->nodes_offset, &a->upper_offset, &a->upper_bytes);
	Assert(a->upper_offset + a->upper_bytes <= area_bytes);
	LWLockInitialize(&a->entry_lock, lwlock_tranche);
}

HnswGraph *
hnsw_graph_attach(HnswIndex *hi, void *area, bool concurrent)
{
	HnswGraph  *g = new_handle(hi);
	GraphArea  *a = (GraphArea *) area;

	Assert(a->dimensions == hi->dimensions && a->m == hi->m);
	g->area = a;
	g->local = false;
	g->concurrent = concurrent;
	set_layout(g, hi, a->dimensions, a->m);
	g->nodes = (char *) area + a->nodes_offset;
	g->upper = (char *) area + a->upper_offset;
	g->visited.capacity = a->capacity;
	g->visited.stamps = MemoryContextAllocHuge(g->context, sizeof(uint32) * a->capacity);
	memset(g->visited.stamps, 0, sizeof(uint32) * a->capacity);
	return g;
}

void
hnsw_graph_free(HnswGraph *g)
{
	MemoryContextDelete(g->context);
}

int64
hnsw_graph_count(HnswGraph *g)
{
	return (int64) Min(pg_atomic_read_u64(&g->area->count), (uint64) g->area->capacity);
}

/* what a local graph holds, with the given node capacity and upper area */
static Size
local_bytes(HnswGraph *g, int64 capacity, Size upper_bytes)
{
	return (Size) capacity * (g->node_bytes + sizeof(uint32)) + upper_bytes +
		sizeof(HnswSearchItem) * (g->cand.capacity + g->items_capacity);
}

/* Make room in a local graph for one more node needing upper_need bytes. */
static bool
grow_local(HnswGraph *g, Size upper_need)
{
	GraphArea  *a = g->area;
	int64		count = (int64) pg_atomic_read_u64(&a->count);
	Size		used = (Size) pg_atomic_read_u64(&a->upper_used);

	if (count >= a->capacity)
	{
		/* start at the expected size, then grow by half: no doubling past the budget */
		int64		capacity = a->capacity == 0 ? Max(g->expected, 1024) : a->capacity + a->capacity / 2;
		Size		other = local_bytes(g, 0, a->upper_bytes);
		/* leave the upper area room to grow with the nodes */
		int64		fits = g->budget > other ?
			(int64) ((g->budget - other) /
					 (g->node_bytes + sizeof(uint32) + upper_bytes_per_node(g))) : 0;

		capacity = Min(capacity, Min(fits, (int64) PG_INT32_MAX));
		if (capacity <= count)
			return false;
		if (g->nodes == NULL)
		{
			g->nodes = MemoryContextAllocHuge(g->context, g->node_bytes * capacity);
			g->visited.stamps = MemoryContextAllocHuge(g->context, sizeof(uint32) * capacity);
		}
		else
		{
			g->nodes = repalloc_huge(g->nodes, g->node_bytes * capacity);
			g->visited.stamps = repalloc_huge(g->visited.stamps, sizeof(uint32) * capacity);
		}
		memset(g->visited.stamps + a->capacity, 0, sizeof(uint32) * (capacity - a->capacity));
		a->capacity = g->visited.capacity = capacity;
	}
	if (used + upper_need > a->upper_bytes)
	{
		Size		bytes = Max(a->upper_bytes + a->upper_bytes / 2,
								UPPER_RESERVE(g->upper_list_bytes) +
								(Size) a->capacity * upper_bytes_per_node(g));
		Size		other = local_bytes(g, a->capacity, 0);

		if (other + bytes > g->budget)
			bytes = g->budget > other ? g->budget - other : 0;
		if (bytes < used + upper_need)
			return false;
		g->upper = g->upper == NULL ? MemoryContextAllocHuge(g->context, bytes) :
			repalloc_huge(g->upper, bytes);
		a->upper_bytes = bytes;
	}
	return true;
}

/*
 * A node id and upper-area offset for an element of `level` (and, after
 * its lists, code_bytes for a sparse code), or false when the graph is
 * full (from then on for every caller).
 */
static bool
allocate(HnswGraph *g, int level, Size code_bytes, int32 *id, uint64 *upper)
{
	GraphArea  *a = g->area;
	Size		need = (Size) level * g->upper_list_bytes + MAXALIGN(code_bytes);
	uint64		n;

	if (pg_atomic_read_u32(&a->full) != 0)
		return false;
	if (g->local)
	{
		/* one process: plain reads and writes of the counters */
		if ((pg_atomic_read_u64(&a->count) >= (uint64) a->capacity ||
			 pg_atomic_read_u64(&a->upper_used) + need > a->upper_bytes) &&
			!grow_local(g, need))
			goto full;
		*upper = pg_atomic_read_u64(&a->upper_used);
		pg_atomic_write_u64(&a->upper_used, *upper + need);
		n = pg_atomic_read_u64(&a->count);
		pg_atomic_write_u64(&a->count, n + 1);
		*id = (int32) n;
		return true;
	}
	*upper = 0;
	if (need > 0)
	{
		*upper = pg_atomic_fetch_add_u64(&a->upper_used, need);
		if (*upper + need > a->upper_bytes)
			goto full;
	}
	n = pg_atomic_fetch_add_u64(&a->count, 1);
	if (n >= (uint64) a->capacity)
		goto full;
	*id = (int32) n;
	return true;

full:
	pg_atomic_write_u32(&a->full, 1);
	return false;
}

static inline LinkList *
node_list(HnswGraph *g, GraphNode *node, int layer)
{
	if (layer == 0)
		return (LinkList *) ((char *) node + g->list0_offset);
	return (LinkList *) (g->upper + node->upper + (Size) (layer - 1) * g->upper_list_bytes);
}

static inline void
node_lock(HnswGraph *g, GraphNode *node, LWLockMode mode)
{
	if (g->concurrent)
		LWLockAcquire(&node->lock, mode);
}

static inline void
node_unlock(HnswGraph *g, GraphNode *node)
{
	if (g->concurrent)
		LWLockRelease(&node->lock);
}

/*
 * The graph keeps distances in float: the code's distance narrowed (for
 * float4 codes the float the kernels summed, or 1 - dot rounded once)
 */
static inline float
distance(HnswGraph *g, const void *a, const void *b)
{
	return (float) g->code_distance(a, b, g->code_bytes);
}

static inline uint32
parent_of(HnswGraph *g, int32 id)
{
	return pg_atomic_read_u32(&NODE(g, id)->parent);
}

/* insertion sort, nearest first (stable): for the few links of one element */
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

/* The graph to search (hnswsearch.h): ids are node ids. */
static int
graph_neighbors(void *context, const HnswSearchItem *item, int layer, HnswNodeId *out)
{
	HnswGraph  *g = (HnswGraph *) context;
	GraphNode  *node = NODE(g, (int32) item->id);
	LinkList   *l;
	int			n;
	int			i;

	if (node->level < layer)
		return 0;
	l = node_list(g, node, layer);
	/* a copy, under the node's lock */
	node_lock(g, node, LW_SHARED);
	n = l->count;
	for (i = 0; i < n; i++)
		out[i] = (uint32) l->ids[i];
	node_unlock(g, node);
	return n;
}

static void
graph_distances(void *context, const HnswNodeId *ids, int n, HnswSearchItem *out)
{
	HnswGraph  *g = (HnswGraph *) context;
	int			i;

	/* start loading every vector, then read them */
	for (i = 0; i < n; i++)
		HNSW_PREFETCH(VEC(g, (int32) ids[i]));
	for (i = 0; i < n; i++)
	{
		out[i].id = ids[i];
		out[i].distance = distance(g, g->query, VEC(g, (int32) ids[i]));
		out[i].data = NULL;
	}
}

/*
 * SEARCH-LAYER on the arrays (hnswsearch.c): up to ef nearest (sorted,
 * into out, which has room for ef + 1) from the entries.  Returns how
 * many.
 */
static int
search_layer(HnswGraph *g, const void *q, const Scored *entries, int nentries,
			 int ef, int layer, Scored *out)
{
	HnswGraphAccess graph = {graph_neighbors, graph_distances, NULL, g};
	int			need = nentries + ef + 1;
	int			nres;
	int			i;

	if (need > g->items_capacity)
	{
		g->items_capacity = Max(need, 2 * g->items_capacity);
		g->items = g->items == NULL ?
			MemoryContextAlloc(g->context, sizeof(HnswSearchItem) * g->items_capacity) :
			repalloc(g->items, sizeof(HnswSearchItem) * g->items_capacity);
	}
	for (i = 0; i < nentries; i++)
	{
		g->items[i].distance = entries[i].distance;
		g->items[i].id = (uint32) entries[i].id;
		g->items[i].data = NULL;
	}
	g->query = q;
	hnsw_visited_reset(&g->visited);
	nres = hnsw_search(&graph, &g->visited, &g->cand, g->items, nentries, ef, layer,
					   g->items + nentries);
	for (i = 0; i < nres; i++)
	{
		/* float distances, exact in the search's doubles */
		out[i].distance = (float) g->items[nentries + i].distance;
		out[i].id = (int32) g->items[nentries + i].id;
	}
	return nres;
}

/*
 * What a search found (n, nearest first), for the links of an element
 * whose row came as floats (vec; an int8 index): by the distance of those
 * floats to each code, into out, nearest first, as an on-disk insert
 * measures them.  For any other row the search's distances are these
 * already: returns found.
 */
static Scored *
rescore(HnswGraph *g, const void *vec, Scored *found, int n, Scored *out)
{
	int			i;

	if (!g->floats)
		return found;
	for (i = 0; i < n; i++)
		HNSW_PREFETCH(VEC(g, found[i].id));
	for (i = 0; i < n; i++)
	{
		out[i].id = found[i].id;
		out[i].distance = (float) g->row_distance(vec, VEC(g, found[i].id), g->code_bytes);
	}
	/* nearly in order already */
	sort_short(out, n);
	return out;
}

/* the heuristic's pair distance over candidates' vectors, found once per call */
typedef struct GraphPairs
{
	HnswGraph  *g;
	const void *vecs[Max(2 * HNSW_MAX_M + 1, HNSW_MAX_EF_CONSTRUCTION + 1)];
} GraphPairs;

static void
graph_pairs_init(GraphPairs *pairs, HnswGraph *g, const int32 *ids, int n)
{
	int			i;

	Assert(n <= lengthof(pairs->vecs));
	pairs->g = g;
	for (i = 0; i < n; i++)
		pairs->vecs[i] = VEC(g, ids[i]);
}

static pg_attribute_always_inline double
graph_pair_distance(void *context, int i, int k)
{
	GraphPairs *c = (GraphPairs *) context;

	return distance(c->g, c->vecs[i], c->vecs[k]);
}

/*
 * The first `limit` of HNSW's order of preference over sorted candidates
 * (relative to a base), into order; returns how many (hnswheuristic.h).
 */
static int
preference_order(HnswGraph *g, const Scored *sorted, int n, int limit, Scored *order)
{
	int32	   *ids = palloc(sizeof(int32) * Max(n, 1));
	double	   *dists = palloc(sizeof(double) * Max(n, 1));
	int		   *pick = palloc(sizeof(int) * Max(n, 1));
	GraphPairs	pairs;
	int			i;

	for (i = 0; i < n; i++)
	{
		ids[i] = sorted[i].id;
		dists[i] = sorted[i].distance;
	}
	graph_pairs_init(&pairs, g, ids, n);
	hnsw_heuristic_order(dists, n, limit, graph_pair_distance, &pairs, pick);
	n = Min(n, limit);
	for (i = 0; i < n; i++)
		order[i] = sorted[pick[i]];
	pfree(ids);
	pfree(dists);
	pfree(pick);
	return n;
}

/* The heuristic's flags of a whole list (sorted nearest first). */
static void
compute_flags(HnswGraph *g, const int32 *ids, const double *dists, int n, bool *diverse)
{
	GraphPairs	pairs;

	graph_pairs_init(&pairs, g, ids, n);
	hnsw_heuristic_flags(dists, n, 0, NULL, n, graph_pair_distance, &pairs, diverse);
}

/* The heuristic's flags of a list (its float distances). */
static void
compute_list_flags(HnswGraph *g, const int32 *ids, const float *dists, int n, bool *diverse)
{
	double		ldist[2 * HNSW_MAX_M];
	int			i;

	for (i = 0; i < n; i++)
		ldist[i] = dists[i];
	compute_flags(g, ids, ldist, n, diverse);
}

/* which candidates of add_link must stay: a parent's link, and with force the new one */
typedef struct GraphKept
{
	HnswGraph  *g;
	const int32 *cid;
	int			added;
	bool		force;
	int			layer;
	int32		from;
} GraphKept;

static pg_attribute_always_inline bool
graph_kept(void *context, int k)
{
	GraphKept  *c = (GraphKept *) context;

	if (k == c->added)
		return c->force;
	return c->layer == 0 && parent_of(c->g, c->cid[k]) == (uint32) c->from;
}

/*
 * The in-memory hnsw_add_link (see hnswinsert.c): link `from` to `added`
 * on `layer`, into a free place, or, when the list is full, by HNSW's
 * heuristic over the links and the new one: the least preferred that may
 * go (non-diverse ones farthest first, then diverse ones farthest first;
 * on layer 0 not a link that is its target's way in, its parent) is left
 * out.  With `force` the new element is never the one left out.  A
 * layer-0 link to an element with no parent yet makes `from` its parent
 * (under from's lock, so nobody evicts the link before it is protected).
 * Returns whether the link was made.
 *
 * The heuristic is not recomputed from scratch: the list keeps each link's
 * flag, and the new candidate at position p changes nothing before p; if it
 * is not diverse it changes nothing after p either; if it is, the ones
 * after p are checked again, except pairs of links already found diverse
 * together.  Evicting a non-diverse link leaves every flag true; evicting
 * a diverse one makes them stale.  The flags (and the choice) are what a
 * full recomputation gives.
 */
static bool
add_link(HnswGraph *g, int32 from, int32 added, float dist, int layer, bool force)
{
	GraphNode  *node = NODE(g, from);
	int			slots = HNSW_LAYER_SLOTS(layer, g->m);
	LinkList   *l = node_list(g, node, layer);
	int32	   *ids = l->ids;
	float	   *dists = LIST_DISTS(l, slots);
	bool	   *flags = LIST_DIVERSE(l, slots);
	int32		cid[2 * HNSW_MAX_M + 1];
	double		cdist[2 * HNSW_MAX_M + 1];	/* the list's floats, exact */
	bool		cdiv[2 * HNSW_MAX_M + 1];
	bool		odiv[2 * HNSW_MAX_M + 1];
	bool		linked = false;
	int			n;
	int			p;
	int			i;
	int			k;

	node_lock(g, node, LW_EXCLUSIVE);
	n = l->count;
	for (i = 0; i < n; i++)
	{
		if (ids[i] == added)
			goto done;
	}
	/* before links as near as it: a stable sort of [added, links...] */
	for (p = 0; p < n && dists[p] < dist; p++)
		;
	if (n < slots)
	{
		memmove(ids + p + 1, ids + p, sizeof(int32) * (n - p));
		memmove(dists + p + 1, dists + p, sizeof(float) * (n - p));
		ids[p] = added;
		dists[p] = dist;
		l->count = n + 1;
		l->flags_valid = false;
		linked = true;
		goto done;
	}
	if (!l->flags_valid)
	{
		compute_list_flags(g, ids, dists, n, flags);
		l->flags_valid = true;
	}
#ifdef USE_ASSERT_CHECKING
	else
	{
		bool		full[2 * HNSW_MAX_M];

		compute_list_flags(g, ids, dists, n, full);
		Assert(memcmp(full, flags, sizeof(bool) * n) == 0);
	}
#endif

	/* the candidates in order, the new one at p */
	for (i = 0, k = 0; i <= n; i++)
	{
		if (i == p)
		{
			cid[i] = added;
			cdist[i] = dist;
			cdiv[i] = odiv[i] = false;
			continue;
		}
		cid[i] = ids[k];
		cdist[i] = dists[k];
		cdiv[i] = odiv[i] = flags[k];
		k++;
	}
	{
		GraphPairs	pairs;

		graph_pairs_init(&pairs, g, cid, n + 1);
		hnsw_heuristic_flags(cdist, n + 1, p, odiv, n + 1, graph_pair_distance, &pairs, cdiv);
	}

#ifdef USE_ASSERT_CHECKING
	{
		bool		full[2 * HNSW_MAX_M + 1];

		compute_flags(g, cid, cdist, n + 1, full);
		Assert(memcmp(full, cdiv, sizeof(bool) * (n + 1)) == 0);
	}
#endif

	/* leave out the least preferred one that may go: never a parent's link */
	{
		GraphKept	kept = {g, cid, p, force, layer, from};

		k = hnsw_heuristic_evict(cdiv, n + 1, graph_kept, &kept);
	}
	if (k >= 0 && k != p)
	{
		int			kept = 0;

		for (i = 0; i <= n; i++)
		{
			if (i == k)
				continue;
			ids[kept] = cid[i];
			dists[kept] = (float) cdist[i];
			flags[kept] = cdiv[i];
			kept++;
		}
		Assert(kept == slots);
		/* only a diverse link's going can change the others' flags */
		l->flags_valid = !cdiv[k];
		linked = true;
	}

done:
	if (linked && layer == 0 && parent_of(g, added) == NO_PARENT)
		pg_atomic_write_u32(&NODE(g, added)->parent, (uint32) from);
	node_unlock(g, node);
	return linked;
}

/* Store an element's selected links of one layer (nearest first). */
static void
set_links(HnswGraph *g, GraphNode *node, int layer, const Scored *selected, int n)
{
	int			slots = HNSW_LAYER_SLOTS(layer, g->m);
	LinkList   *l = node_list(g, node, layer);
	Scored		sorted[2 * HNSW_MAX_M];
	int			i;

	Assert(n <= slots);
	memcpy(sorted, selected, sizeof(Scored) * n);
	sort_short(sorted, n);
	for (i = 0; i < n; i++)
	{
		l->ids[i] = sorted[i].id;
		LIST_DISTS(l, slots)[i] = sorted[i].distance;
	}
	l->count = (uint8) n;
	l->flags_valid = false;
}

/*
 * The entries of layer Min(level, entry_level) for vec: a greedy descent
 * from the entry point and, for a level-0 element, a wide search of layer
 * 1 (ef1 candidates), like scans.  found has room for Max(ef1, 1) + 1;
 * *entries is allocated in CurrentMemoryContext.  Returns how many.
 */
static int
descend(HnswGraph *g, const void *vec, int level, int ef1, int32 entry, int entry_level,
		Scored *found, Scored **entries)
{
	Scored	   *e = palloc(sizeof(Scored) * (Max(ef1, 1) + 1));
	int			n = 1;
	int			layer;

	e[0].id = entry;
	e[0].distance = distance(g, vec, VEC(g, entry));
	for (layer = entry_level; layer > Max(level, 1); layer--)
	{
		search_layer(g, vec, e, 1, 1, layer, found);
		e[0] = found[0];
	}
	if (level == 0 && entry_level >= 1)
	{
		n = search_layer(g, vec, e, 1, ef1, 1, found);
		memcpy(e, found, sizeof(Scored) * n);
	}
	*entries = e;
	return n;
}

bool
hnsw_graph_insert(HnswGraph *g, const void *vec, ItemPointer heaptid)
{
	GraphArea  *a = g->area;
	int			m = g->hi->m;
	int			ef = g->hi->ef_construction;
	int			level = hnsw_random_level(&g->prng, m);
	MemoryContext old;
	int32		id;
	uint64		upper;
	GraphNode  *e;
	const void *own_code;
	Scored	   *found;
	Scored	   *exact;
	Scored	   *near = NULL;
	Scored	   *order;
	Scored	   *selected[HNSW_MAX_LEVEL + 1];
	int			nselected[HNSW_MAX_LEVEL + 1];
	int32		entry;
	int			entry_level;
	bool		entry_held = false;
	int			top;
	int			layer;
	int			nfound0 = 0;
	int			i;

	while (level > 0 && HNSW_NEIGHBOR_TUPLE_SIZE(level, m) > BLCKSZ / 2)
		level--;
	if (g->node_bytes == 0)
	{
		/*
		 * A local graph learns its dimension with its first row (never 0:
		 * hnsw_build_prepare_value refuses empty vectors)
		 */
		if (!g->local || g->hi->dimensions <= 0)
			elog(ERROR, "linal_hnsw: graph of index \"%s\" has no dimension",
				 RelationGetRelationName(g->hi->index));
		set_layout(g, g->hi, g->hi->dimensions, m);
		a->dimensions = g->dimensions;
	}
	if (!allocate(g, level, g->sparse ? (Size) hnsw_code_size(g->hi, vec) : 0, &id, &upper))
		return false;

	e = NODE(g, id);
	if (g->concurrent)
		LWLockInitialize(&e->lock, a->lwlock_tranche);
	pg_atomic_init_u32(&e->parent, NO_PARENT);
	e->heaptid = *heaptid;
	e->level = (uint8) level;
	e->upper = upper;
	if (g->sparse)
	{
		uint64		code = upper + (uint64) level * g->upper_list_bytes;

		memcpy(g->upper + code, vec, hnsw_code_size(g->hi, vec));
		*(uint64 *) ((char *) e + NODE_VEC_OFFSET) = code;
	}
	else if (g->floats)
		hnsw_floats_encode(g->hi, vec, (char *) e + NODE_VEC_OFFSET);
	else
		memcpy((char *) e + NODE_VEC_OFFSET, vec, g->code_bytes);
	own_code = VEC(g, id);
	for (layer = 0; layer <= level; layer++)
	{
		node_list(g, e, layer)->count = 0;
		node_list(g, e, layer)->flags_valid = false;
	}

	/* the entry point; one that this element will replace stays locked */
	if (g->concurrent)
		LWLockAcquire(&a->entry_lock, LW_SHARED);
	entry = a->entry;
	entry_level = a->entry_level;
	if (g->concurrent && (entry < 0 || level > entry_level))
	{
		LWLockRelease(&a->entry_lock);
		LWLockAcquire(&a->entry_lock, LW_EXCLUSIVE);
		entry = a->entry;
		entry_level = a->entry_level;
		entry_held = (entry < 0 || level > entry_level);
	}
	if (g->concurrent && !entry_held)
		LWLockRelease(&a->entry_lock);
	if (entry < 0)
	{
		a->entry = id;
		a->entry_level = level;
		if (entry_held)
			LWLockRelease(&a->entry_lock);
		return true;
	}

	old = MemoryContextSwitchTo(g->insert_context);
	found = palloc(sizeof(Scored) * (ef + 2));
	exact = palloc(sizeof(Scored) * (ef + 2));
	order = palloc(sizeof(Scored) * (ef + 2));

	/*
	 * greedy descent, then a wide search on each shared layer, all on
	 * codes; the links are chosen among what each search found, nearest
	 * to the row's own vector first
	 */
	top = Min(level, entry_level);
	{
		Scored	   *layer_entries;
		int			nentries = descend(g, own_code, level, ef, entry, entry_level, found,
									   &layer_entries);

		for (layer = top; layer >= 0; layer--)
		{
			int			nfound;

			CHECK_FOR_INTERRUPTS();
			nfound = search_layer(g, own_code, layer_entries, nentries, ef, layer, found);
			near = rescore(g, vec, found, nfound, exact);
			nselected[layer] = preference_order(g, near, nfound, HNSW_LAYER_SLOTS(layer, m),
												order);
			selected[layer] = palloc(sizeof(Scored) * Max(nselected[layer], 1));
			memcpy(selected[layer], order, sizeof(Scored) * nselected[layer]);
			/* not published yet: nobody else reads these lists */
			set_links(g, e, layer, selected[layer], nselected[layer]);
			/* the next layer starts from everything found here */
			layer_entries = palloc(sizeof(Scored) * Max(nfound, 1));
			memcpy(layer_entries, found, sizeof(Scored) * nfound);
			nentries = nfound;
			nfound0 = nfound;	/* near holds layer 0's at the end */
		}
	}

	/* back-links; the first neighbour to take one on layer 0 is the parent */
	for (layer = top; layer >= 0; layer--)
	{
		for (i = 0; i < nselected[layer]; i++)
			add_link(g, selected[layer][i].id, id, selected[layer][i].distance, layer, false);
	}
	/* none did: by force, from the nearest candidates (neighbours or not) */
	for (i = 0; i < nfound0 && parent_of(g, id) == NO_PARENT; i++)
		add_link(g, near[i].id, id, near[i].distance, 0, true);
	if (entry_held || (!g->concurrent && level > entry_level))
	{
		a->entry = id;
		a->entry_level = level;
	}
	if (entry_held)
		LWLockRelease(&a->entry_lock);
	MemoryContextSwitchTo(old);
	MemoryContextReset(g->insert_context);
	return true;
}

/*
 * Walk layer 0 from `start` (reached from `from`, or NO_PARENT for the
 * entry point): each element not reached yet takes as its parent the
 * element it was first reached from.  queue has room for every node.
 * Returns how many it reached.  Only for a finished graph: nobody
 * inserts, so no locks.
 */
static int64
mark_reached(HnswGraph *g, int32 start, uint32 from, bool *reached, int32 *queue)
{
	int64		head = 0;
	int64		tail = 0;

	if (reached[start])
		return 0;
	reached[start] = true;
	pg_atomic_write_u32(&NODE(g, start)->parent, from);
	queue[tail++] = start;
	while (head < tail)
	{
		int32		id = queue[head++];
		LinkList   *l = node_list(g, NODE(g, id), 0);
		int			i;

		for (i = 0; i < l->count; i++)
		{
			int32		n = l->ids[i];

			if (!reached[n])
			{
				reached[n] = true;
				pg_atomic_write_u32(&NODE(g, n)->parent, (uint32) id);
				queue[tail++] = n;
			}
		}
	}
	return tail;
}

/*
 * Link `id` on layer 0 from the nearest of the reached elements that a
 * search of `ef` from the entry point finds for it and that takes the
 * link (add_link never drops a parent's link).  Returns that element, or
 * -1.
 */
static int32
link_from_reachable(HnswGraph *g, int32 id, int ef, const bool *reached)
{
	const void *vec = VEC(g, id);
	Scored	   *found = palloc(sizeof(Scored) * (ef + 2));
	Scored	   *entries;
	int			nentries = descend(g, vec, 0, g->hi->ef_construction, g->area->entry,
								   g->area->entry_level, found, &entries);
	int			nfound = search_layer(g, vec, entries, nentries, ef, 0, found);
	int			i;

	for (i = 0; i < nfound; i++)
	{
		if (found[i].id == id || !reached[found[i].id])
			continue;
		if (add_link(g, found[i].id, id, found[i].distance, 0, true))
			return found[i].id;
	}
	return -1;
}

/*
 * Before the graph is written: the tree of ways in (hnswtree.c) that the
 * pages will hold, and a path on layer 0 from the entry point to every
 * element.  The parents the inserts chose protect a link into every
 * element, but they need not lead to the entry point: the entry point
 * changes as elements of higher levels come, and a new element's link
 * can find no list to take it.
 *
 * A walk of layer 0 from the entry point reaches elements along a tree:
 * each one's parent is now the element it was first reached from.  Each
 * element the walk missed is linked from the nearest reached element that
 * takes the link, becomes its child, and what it leads to is walked in
 * turn (a cut-off group costs one link).  A link into a full list evicts
 * another, never a parent's, so nothing reached is cut off by the repair
 * and one pass is enough; an element no candidate takes is tried again
 * with a wider search.  Returns how many links were made; *left is how
 * many elements are still unreachable (none but in a pathological graph).
 */
static int64
relink_unreachable(HnswGraph *g, int64 *left)
{
	int64		count = hnsw_graph_count(g);
	bool	   *reached;
	int32	   *queue;
	int64		nreached;
	int64		relinked = 0;
	int			ef;
	MemoryContext old;

	*left = 0;
	if (count == 0)
		return 0;
	reached = MemoryContextAllocHuge(g->context, sizeof(bool) * count);
	queue = MemoryContextAllocHuge(g->context, sizeof(int32) * count);
	memset(reached, 0, sizeof(bool) * count);
	old = MemoryContextSwitchTo(g->insert_context);
	nreached = mark_reached(g, g->area->entry, NO_PARENT, reached, queue);
	for (ef = g->hi->ef_construction; nreached < count && ef <= 16 * g->hi->ef_construction; ef *= 4)
	{
		int64		id;

		for (id = 0; id < count && nreached < count; id++)
		{
			int32		from;

			if (reached[id])
				continue;
			CHECK_FOR_INTERRUPTS();
			from = link_from_reachable(g, (int32) id, ef, reached);
			if (from >= 0)
			{
				relinked++;
				nreached += mark_reached(g, (int32) id, (uint32) from, reached, queue);
			}
			MemoryContextReset(g->insert_context);
		}
	}
	*left = count - nreached;
	MemoryContextSwitchTo(old);
	pfree(reached);
	pfree(queue);
	return relinked;
}

/*
 * Make elements findable: reachable is not findable (hnswtree.c), since a
 * search expands only its ef nearest candidates, and an element whose
 * in-links all come from elements that a search for it meets late is
 * never met.  Such elements were 2% to 5% of 200K clustered rows, and the
 * true neighbours of queries are among them as often: recall then stops
 * near 0.95 to 0.98 at any ef_search, lower in one build than another.
 * Each element of [first, end) is searched for with its own vector as a
 * scan at ef_search HNSW_REFIND_EF searches (layer 1 as wide as
 * REFIND_EF1); one the search misses (nor finds a copy of) is linked from
 * the nearest element found that takes the link (by force: the least
 * preferred link of that list goes, never a way in), through which the
 * same search then reaches it.  Not under inner product, where an element
 * need not be its own nearest.  After every insert, before the graph is
 * written: a serial pass costs about a sixth of a serial build; a
 * parallel build shares the ids out (hnswparallel.c), locking as inserts
 * do.  Returns how many were linked.
 */
#define REFIND_EF1 Max(HNSW_REFIND_EF / 4, 8)

int64
hnsw_graph_refind(HnswGraph *g, int64 first, int64 end)
{
	int32		entry = g->area->entry;
	int			entry_level = g->area->entry_level;
	Scored	   *found = palloc(sizeof(Scored) * (Max(HNSW_REFIND_EF, REFIND_EF1) + 2));
	int64		relinked = 0;
	int64		id;
	MemoryContext old = MemoryContextSwitchTo(g->insert_context);

	/* under inner product an element need not be its own nearest: skip */
	if (g->hi->kind == LINAL_DISTANCE_NEG_IP)
		end = first;
	end = Min(end, hnsw_graph_count(g));
	for (id = first; id < end; id++)
	{
		const void *vec = VEC(g, id);
		Scored	   *entries;
		int			nentries;
		int			nfound;
		int			i;

		if (id == entry)
			continue;
		CHECK_FOR_INTERRUPTS();
		nentries = descend(g, vec, 0, REFIND_EF1, entry, entry_level, found, &entries);
		nfound = search_layer(g, vec, entries, nentries, HNSW_REFIND_EF, 0, found);
		/* found, or a copy of it (distance 0) */
		for (i = 0; i < nfound && found[i].id != id && found[i].distance > 0; i++)
			;
		if (i == nfound)		/* missed */
		{
			for (i = 0; i < nfound; i++)
			{
				if (add_link(g, found[i].id, (int32) id, found[i].distance, 0, true))
				{
					relinked++;
					break;
				}
			}
		}
		MemoryContextReset(g->insert_context);
	}
	MemoryContextSwitchTo(old);
	pfree(found);
	return relinked;
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
place(Placement *p, Size size, BlockNumber *next_block)
{
	Size		aligned = MAXALIGN(size);

	if (p->block == InvalidBlockNumber || p->upper < aligned ||
		p->lower + sizeof(ItemIdData) > p->upper - aligned)
	{
		p->block = (*next_block)++;
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
hnsw_graph_write(HnswGraph *g, bool refind)
{
	HnswIndex  *hi = g->hi;
	Relation	index = hi->index;
	int			m = hi->m;
	int64		count = hnsw_graph_count(g);
	/* every element's size, but a sparse code's own (hnsw_element_size) */
	Size		esize = g->sparse ? 0 : HNSW_ELEMENT_TUPLE_SIZE(hi->code_bytes);
	int			parts = hnsw_vector_tuples(hi);
	MemoryContext old = MemoryContextSwitchTo(g->context);
	ItemPointerData *etids;
	ItemPointerData *ntids;
	BlockNumber *vblocks = NULL;
	Placement	p = {InvalidBlockNumber, InvalidOffsetNumber, 0, 0};
	BlockNumber first = RelationGetNumberOfBlocks(index);
	BlockNumber next_block = first;
	BlockNumber last = first;
	BlockNumber insert_page;
	HnswElementTuple etup = palloc0(g->sparse ?
									HNSW_SPARSE_ELEMENT_TUPLE_SIZE(hi->code_bytes) : esize);
	HnswVectorTuple vtup = parts > 0 ? palloc0(HNSW_VECTOR_TUPLE_SIZE) : NULL;
	HnswNeighborTuple ntup = palloc0(HNSW_NEIGHBOR_TUPLE_SIZE(HNSW_MAX_LEVEL, m));
	Buffer		buf = InvalidBuffer;
	Page		page = NULL;
	int64		i;

	Assert(first == HNSW_METAPAGE_BLKNO + 1);
	if (count == 0)
	{
		MemoryContextSwitchTo(old);
		return;
	}

	/* 0. every element findable (unless done already) and reachable from the entry point */
	{
		int64		left;
		int64		refound = refind ? hnsw_graph_refind(g, 0, count) : 0;
		int64		relinked = relink_unreachable(g, &left);

		if (refind)
			ereport(DEBUG1,
					(errmsg_internal("linal_hnsw: build of \"%s\" linked %lld elements that a search for their own vector missed",
									 RelationGetRelationName(index), (long long) refound)));
		ereport(DEBUG1,
				(errmsg_internal("linal_hnsw: build of \"%s\" re-linked %lld unreachable elements, %lld left",
								 RelationGetRelationName(index), (long long) relinked,
								 (long long) left)));
	}

	/* 1. where every item goes */
	etids = MemoryContextAllocHuge(g->context, sizeof(ItemPointerData) * count);
	ntids = MemoryContextAllocHuge(g->context, sizeof(ItemPointerData) * count);
	if (parts > 0)
		vblocks = MemoryContextAllocHuge(g->context, sizeof(BlockNumber) * count);
	for (i = 0; i < count; i++)
	{
		place(&p, g->sparse ? hnsw_element_size(hi, VEC(g, i)) : esize, &next_block);
		ItemPointerSet(&etids[i], p.block, p.offset);
		place(&p, HNSW_NEIGHBOR_TUPLE_SIZE(NODE(g, i)->level, m), &next_block);
		ItemPointerSet(&ntids[i], p.block, p.offset);
		/* a split vector's parts fill a page each: the next ones, in order */
		if (parts > 0)
		{
			vblocks[i] = next_block;
			next_block += parts;
		}
	}

	/* 2. the pages, in order, without WAL */
	for (i = 0; i < count; i++)
	{
		GraphNode  *e = NODE(g, i);
		Size		nsize = HNSW_NEIGHBOR_TUPLE_SIZE(e->level, m);
		int			slots = (e->level + 2) * m;
		const void *vec = VEC(g, i);
		int			layer;
		int			k;
		int			item;

		CHECK_FOR_INTERRUPTS();
		if (g->sparse)
		{
			/* the bytes past a shorter code are zero, as an insert's */
			esize = hnsw_element_size(hi, VEC(g, i));
			memset(etup, 0, esize);
		}
		etup->type = HNSW_ELEMENT_TUPLE;
		etup->level = e->level;
		etup->deleted = 0;
		if (parent_of(g, (int32) i) == NO_PARENT)
			ItemPointerSetInvalid(&etup->parent);
		else
			etup->parent = etids[parent_of(g, (int32) i)];
		etup->heaptid = e->heaptid;
		etup->neighbortid = ntids[i];
		{
			ItemPointerData vfirst;

			if (parts > 0)
				ItemPointerSet(&vfirst, vblocks[i], FirstOffsetNumber);
			else
				ItemPointerSetInvalid(&vfirst);
			hnsw_element_set_code(hi, etup, vec, &vfirst);
		}
		ntup->type = HNSW_NEIGHBOR_TUPLE;
		ntup->count = (uint16) slots;
		for (k = 0; k < slots; k++)
			ItemPointerSetInvalid(&ntup->indextids[k]);
		for (layer = 0; layer <= e->level; layer++)
		{
			LinkList   *l = node_list(g, e, layer);

			for (k = 0; k < l->count; k++)
				ntup->indextids[HNSW_LAYER_START(layer, m) + k] = etids[l->ids[k]];
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
				last = Max(last, BufferGetBlockNumber(buf));
			}
			if (PageAddItem(page, item == 0 ? (Item) etup : (Item) ntup, item == 0 ? esize : nsize,
							InvalidOffsetNumber, false, false) != ItemPointerGetOffsetNumber(target))
				elog(ERROR, "linal_hnsw: item placement differs from the plan at (%u,%u)",
					 ItemPointerGetBlockNumber(target), ItemPointerGetOffsetNumber(target));
		}

		/* then the vector tuples, a page each, while the element's page stays locked */
		for (k = 1; k <= parts; k++)
		{
			Buffer		vbuf = hnsw_new_buffer(index, MAIN_FORKNUM);
			Page		vpage = BufferGetPage(vbuf);
			ItemPointerData next;

			if (k < parts)
				ItemPointerSet(&next, vblocks[i] + k, FirstOffsetNumber);
			else
				ItemPointerSetInvalid(&next);
			hnsw_vector_set_part(vtup, vec, hi->code_bytes, k, &next);
			hnsw_init_page(vpage, sizeof(HnswPageOpaqueData));
			if (BufferGetBlockNumber(vbuf) != vblocks[i] + k - 1 ||
				PageAddItem(vpage, (Item) vtup, HNSW_VECTOR_TUPLE_SIZE, InvalidOffsetNumber,
							false, false) != FirstOffsetNumber)
				elog(ERROR, "linal_hnsw: vector tuple placement differs from the plan at block %u",
					 BufferGetBlockNumber(vbuf));
			last = BufferGetBlockNumber(vbuf);
			MarkBufferDirty(vbuf);
			UnlockReleaseBuffer(vbuf);
		}
	}
	insert_page = BufferGetBlockNumber(buf);
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
		meta->entry = etids[g->area->entry];
		meta->entry_level = (int16) g->area->entry_level;
		meta->insert_page = insert_page;	/* not a vector tuple's page: that is full */
		meta->elements = count;
		GenericXLogFinish(state);
		UnlockReleaseBuffer(metabuf);
	}
	MemoryContextSwitchTo(old);
}
