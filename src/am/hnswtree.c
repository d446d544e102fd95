/*-------------------------------------------------------------------------
 *
 * hnswtree.c
 *	  linal_hnsw: the tree of ways in, and its repair after deletions.
 *
 * Every live element but the entry point names a parent: a live element
 * whose layer-0 list links to it.  No insert ever drops a link from an
 * element's parent (hnsw_add_link), and the parents lead to the entry
 * point, so every element has a path on layer 0 from the entry point,
 * which a scan's layer-0 search starts from (hnsw.h).
 *
 * Deletions break the tree: the descendants of a deleted element, and
 * everything but a new entry point's own subtree when the entry point is
 * replaced, no longer lead to the entry point: they are "cut".  VACUUM
 * reads every element's parent (hnsw_tree_add, while it marks the dead),
 * finds the cut elements (hnsw_tree_find_cut), notes which live elements
 * link to each of them (hnsw_tree_link, while it reads the neighbour
 * lists to repair them), and then gives them new parents
 * (hnsw_tree_repair):
 *	1. rounds over the cut elements: one that leads to the entry point again
 *	   (an ancestor was adopted) needs nothing; one that a noted element
 *	   leading to the entry point links to is adopted by it (never by one
 *	   of its descendants: those are cut too).  Only parents change, no
 *	   link does; rounds go on while they adopt, since every adoption makes
 *	   a whole subtree lead to the entry point, and the cut part shrinks
 *	   from its border with the rest, as a walk would;
 *	2. when step 1 leaves more than one live element in TREE_WALK_CUT_SHARE
 *	   cut (the entry point was deleted, say: its whole tree hung from it),
 *	   a walk of layer 0 from the entry point adopts every cut element it
 *	   reaches, by the element whose list led to it;
 *	3. a sweep finds whatever still does not lead to the entry point (no
 *	   noted link from outside its part, a cycle, a parent that is not an
 *	   element after a crash); where its parents stop leading anywhere,
 *	   that element is linked from the nearest element a search finds that
 *	   leads to the entry point (a link into a full list evicts another,
 *	   never a parent's link), or, when no search finds one (the new entry
 *	   point alone on layer 0 after nearly every row went), from the first
 *	   such element, the entry point first.
 * The first step costs no search and no walk of the graph: version 1's
 * VACUUM walked the whole graph from the entry point every time, which
 * cost more than the repair of the lists at 1M rows; the walk of step 2 is
 * for when step 1 could not do the job.
 *
 * Reachable is not findable: a search fills its ef candidates with the
 * nearest elements it meets and expands only those, so an element whose
 * in-links all come from elements farther from it than a crowd of others
 * (rows moved into a dense region after it was linked) is never met.
 * hnsw_tree_refind searches for an element's own vector and, when the
 * element is not found, has the nearest element found link to it and
 * adopt it (the link is then a way in, which no insert drops): VACUUM does
 * this for every element whose list it repaired, linal_index_repair for
 * every element (hnsw_tree_refind_all); CREATE INDEX does the same for
 * the graph it builds in memory (hnsw_graph_refind).
 *
 * Whether an element leads to the entry point is computed by following
 * its parents, and remembered: "leads" for good (a tree that leads to the
 * entry point keeps doing so while cut ones are adopted), "does not" until
 * the next adoption.
 *
 * Memory: everything lives in the tree's context (the caller's, usually
 * VACUUM's): one entry per element, and a second table of the deleted and
 * the cut elements (with up to TREE_CANDIDATES noted links each).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "commands/vacuum.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "am/hnsw.h"

/* live elements that link to a cut element, kept to choose its new parent from */
#define TREE_CANDIDATES 4

typedef enum ChainState
{
	CHAIN_UNKNOWN = 0,
	CHAIN_LEADS,				/* its parents lead to the entry point */
	CHAIN_BROKEN,				/* they did not, as of `epoch` */
	CHAIN_WALKING				/* on the path being followed now */
} ChainState;

typedef struct TreeNode
{
	ItemPointerData tid;
	ItemPointerData parent;
	int32		up;				/* the parent's node: -1 none, -2 not looked up */
	int32		mark;			/* its TreeMark, or -1 */
	bool		deleted;
	uint8		state;			/* ChainState */
	uint32		epoch;			/* of a CHAIN_BROKEN state */
} TreeNode;

/* the deleted elements and the cut ones */
typedef struct TreeMark
{
	int32		node;
	bool		deleted;
	bool		cut;			/* live, and did not lead to the root */
	bool		done;			/* leads to the root again */
	uint8		ncandidates;
	int32		depth;			/* steps up to where its parents stop leading */
	ItemPointerData candidates[TREE_CANDIDATES];
} TreeMark;

struct HnswTree
{
	MemoryContext context;
	TreeNode   *nodes;
	int64		nnodes;
	int64		nodes_capacity;
	HnswTidMap *node_of;		/* TID to node */
	TreeMark   *marks;
	int64		nmarks;
	int64		marks_capacity;
	HnswTidMap *mark_of;		/* TID to mark, for the marked only: small */
	ItemPointerData root;
	int64		ndeleted;
	uint32		epoch;			/* adoptions so far, plus one */
	TreeNode  **path;			/* scratch for following parents */
	int64		path_capacity;
};

HnswTree *
hnsw_tree_create(MemoryContext context)
{
	HnswTree   *tree = MemoryContextAllocZero(context, sizeof(HnswTree));

	tree->context = context;
	tree->nodes_capacity = 1024;
	tree->nodes = MemoryContextAllocHuge(context, sizeof(TreeNode) * tree->nodes_capacity);
	tree->node_of = hnsw_tidmap_create(context, 1024);
	tree->marks_capacity = 1024;
	tree->marks = MemoryContextAllocHuge(context, sizeof(TreeMark) * tree->marks_capacity);
	tree->mark_of = hnsw_tidmap_create(context, 1024);
	ItemPointerSetInvalid(&tree->root);
	tree->epoch = 1;
	tree->path_capacity = 1024;
	tree->path = MemoryContextAlloc(context, sizeof(TreeNode *) * tree->path_capacity);
	return tree;
}

static inline TreeNode *
node_of(HnswTree *tree, ItemPointer tid)
{
	int32		i = hnsw_tidmap_get(tree->node_of, tid);

	return i < 0 ? NULL : &tree->nodes[i];
}

/* The node's parent's node, or NULL: none, or not an element. */
static inline TreeNode *
parent_of(HnswTree *tree, TreeNode *node)
{
	if (node->up == -2)
		node->up = ItemPointerIsValid(&node->parent) ?
			hnsw_tidmap_get(tree->node_of, &node->parent) : -1;
	return node->up < 0 ? NULL : &tree->nodes[node->up];
}

static TreeMark *
mark_of(HnswTree *tree, TreeNode *node, bool create)
{
	TreeMark   *mark;

	if (node->mark >= 0 || !create)
		return node->mark >= 0 ? &tree->marks[node->mark] : NULL;
	if (tree->nmarks == tree->marks_capacity)
	{
		tree->marks_capacity *= 2;
		tree->marks = repalloc_huge(tree->marks, sizeof(TreeMark) * tree->marks_capacity);
	}
	node->mark = (int32) tree->nmarks++;
	mark = &tree->marks[node->mark];
	mark->node = (int32) (node - tree->nodes);
	mark->deleted = false;
	mark->cut = false;
	mark->done = false;
	mark->ncandidates = 0;
	mark->depth = 0;
	{
		bool		found;

		*hnsw_tidmap_insert(tree->mark_of, &node->tid, &found) = node->mark;
	}
	return mark;
}

/* The mark of tid, or NULL (one probe of the small map: per link, in VACUUM). */
static inline TreeMark *
mark_of_tid(HnswTree *tree, ItemPointer tid)
{
	int32		i = hnsw_tidmap_get(tree->mark_of, tid);

	return i < 0 ? NULL : &tree->marks[i];
}

void
hnsw_tree_add(HnswTree *tree, ItemPointer tid, ItemPointer parent, bool deleted)
{
	TreeNode   *node;
	bool		found;
	int32	   *slot = hnsw_tidmap_insert(tree->node_of, tid, &found);

	if (!found)
	{
		if (tree->nnodes == tree->nodes_capacity)
		{
			tree->nodes_capacity *= 2;
			tree->nodes = repalloc_huge(tree->nodes, sizeof(TreeNode) * tree->nodes_capacity);
		}
		*slot = (int32) tree->nnodes++;
	}
	node = &tree->nodes[*slot];
	node->tid = *tid;
	node->parent = *parent;
	node->up = -2;
	node->mark = found ? node->mark : -1;
	node->deleted = deleted;
	node->state = CHAIN_UNKNOWN;
	node->epoch = 0;
	if (deleted)
	{
		mark_of(tree, node, true)->deleted = true;
		tree->ndeleted++;
	}
}

/* Every element of the index (the end of a build). */
void
hnsw_tree_scan(HnswTree *tree, Relation index, BufferAccessStrategy strategy)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	BlockNumber blkno;

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

			if (etup->type != HNSW_ELEMENT_TUPLE)
				continue;
			ItemPointerSet(&tid, blkno, off);
			hnsw_tree_add(tree, &tid, &etup->parent, etup->deleted != 0);
		}
		UnlockReleaseBuffer(buf);
	}
}

bool
hnsw_tree_is_deleted(HnswTree *tree, ItemPointer tid)
{
	TreeMark   *mark = mark_of_tid(tree, tid);

	return mark != NULL && mark->deleted;
}

/* Whether any element is deleted. */
bool
hnsw_tree_has_deleted(HnswTree *tree)
{
	return tree->ndeleted > 0;
}

static bool leads_to_root(HnswTree *tree, TreeNode *node);

/* Once every element is added: mark the live ones that do not lead to root. */
void
hnsw_tree_find_cut(HnswTree *tree, ItemPointer root)
{
	int64		i;

	tree->root = *root;
	for (i = 0; i < tree->nnodes; i++)
	{
		TreeNode   *node = &tree->nodes[i];

		if (!node->deleted && !leads_to_root(tree, node))
			mark_of(tree, node, true)->cut = true;
	}
}

/*
 * A live element `from` links to `to`: whether `to` is deleted; and on
 * layer 0 (from not NULL), `from` is noted as a parent for `to` if it is
 * cut.  One probe of the small map of marks per link.
 */
bool
hnsw_tree_link(HnswTree *tree, ItemPointer from, ItemPointer to)
{
	TreeMark   *mark = mark_of_tid(tree, to);
	int			i;

	if (mark == NULL)
		return false;
	if (mark->deleted)
		return true;
	if (from == NULL || !mark->cut || mark->ncandidates == TREE_CANDIDATES)
		return false;
	for (i = 0; i < mark->ncandidates; i++)
	{
		if (ItemPointerEquals(&mark->candidates[i], from))
			return false;
	}
	mark->candidates[mark->ncandidates++] = *from;
	return false;
}

/* Whether the element's parents lead to the root (see the file header). */
static bool
leads_to_root(HnswTree *tree, TreeNode *node)
{
	TreeNode   *cur = node;
	int64		depth = 0;
	bool		leads;
	int64		i;

	for (;;)
	{
		if (ItemPointerEquals(&cur->tid, &tree->root))
		{
			leads = !cur->deleted;
			break;
		}
		if (cur->deleted || cur->state == CHAIN_WALKING)
		{
			leads = false;		/* gone, or a cycle */
			break;
		}
		if (cur->state == CHAIN_LEADS)
		{
			leads = true;
			break;
		}
		if (cur->state == CHAIN_BROKEN && cur->epoch == tree->epoch)
		{
			leads = false;
			break;
		}
		if (depth == tree->path_capacity)
		{
			tree->path_capacity *= 2;
			tree->path = repalloc_huge(tree->path, sizeof(TreeNode *) * tree->path_capacity);
		}
		tree->path[depth++] = cur;
		cur->state = CHAIN_WALKING;
		cur = parent_of(tree, cur);
		if (cur == NULL)
		{
			leads = false;
			break;
		}
	}
	for (i = 0; i < depth; i++)
	{
		tree->path[i]->state = leads ? CHAIN_LEADS : CHAIN_BROKEN;
		tree->path[i]->epoch = tree->epoch;
	}
	return leads;
}

static bool
tid_leads_to_root(HnswTree *tree, ItemPointer tid)
{
	TreeNode   *node = node_of(tree, tid);

	return node != NULL && leads_to_root(tree, node);
}

/* `child` is adopted by `parent`: on the page and in the tree. */
static void
adopt(HnswIndex *hi, HnswTree *tree, TreeNode *child, ItemPointer parent)
{
	hnsw_set_parent(hi, &child->tid, parent);
	child->parent = *parent;
	child->up = -2;
	child->state = CHAIN_UNKNOWN;
	/* whatever did not lead to the root may now */
	tree->epoch++;
}

/* Whether `from`'s layer-0 list links to `to` now. */
static bool
links_to(HnswIndex *hi, ItemPointer from, ItemPointer to)
{
	HnswCandidate c;
	ItemPointerData *links = palloc(sizeof(ItemPointerData) * 2 * hi->m);
	int			count;
	int			i;
	bool		found = false;

	hnsw_load_into(hi, from, NULL, false, &c);
	count = hnsw_load_neighbors(hi, &c.neighbortid, 0, links);
	for (i = 0; i < count && !found; i++)
		found = ItemPointerEquals(&links[i], to);
	pfree(links);
	return found;
}

/*
 * The ef elements nearest to vec on layer 0 that a search from the entry
 * point finds, nearest first, with their vectors: like an insert at level
 * 0, a wide search of layer 1 gives the entries.
 */
static List *
search_near(HnswIndex *hi, const void *vec, HnswMetaPageData *meta, int ef, int ef1,
			bool keep_vectors)
{
	HnswTidSet *visited = hnsw_tidset_create(CurrentMemoryContext, HNSW_SEEN_EXPECTED(ef1));
	List	   *entries;

	entries = hnsw_search_to_layer(hi, vec, meta, Min(1, meta->entry_level), keep_vectors);
	if (meta->entry_level >= 1)
		entries = hnsw_search_layer(hi, vec, entries, ef1, 1, keep_vectors, visited);
	entries = lappend(entries, hnsw_load(hi, &meta->entry, vec, keep_vectors));
	visited = hnsw_tidset_create(CurrentMemoryContext, HNSW_SEEN_EXPECTED(ef));
	return hnsw_search_layer(hi, vec, entries, ef, 0, keep_vectors, visited);
}

/*
 * A new parent for `node` from a search of ef from the entry point: the
 * nearest live element found that leads to the root and links to it, or
 * takes a link to it.
 */
static bool
adopt_by_search(HnswIndex *hi, HnswTree *tree, TreeNode *node, HnswMetaPageData *meta, int ef)
{
	HnswCandidate *lost = hnsw_load(hi, &node->tid, NULL, true);
	List	   *near = search_near(hi, lost->code, meta, ef, ef, true);
	ListCell   *lc;

	foreach(lc, near)
	{
		HnswCandidate *n = lfirst(lc);

		if (n->deleted || ItemPointerEquals(&n->tid, &node->tid) ||
			!tid_leads_to_root(tree, &n->tid))
			continue;
		if (links_to(hi, &n->tid, &node->tid) ||
			hnsw_add_link(hi, n, &node->tid, lost->code, n->distance, 0, true))
		{
			adopt(hi, tree, node, &n->tid);
			return true;
		}
	}
	return false;
}

/*
 * The last resort for an element that no search finds a way in for (the
 * new entry point can be alone on layer 0 after most rows went: its links
 * were all to the deleted): the first live element that leads to the root
 * and links to it or takes a link to it, the root first, then in the
 * tree's order.  It makes the element reachable, not findable by a search
 * for it; VACUUM's refind pass sees to that for the elements it repaired.
 */
static bool
adopt_by_any(HnswIndex *hi, HnswTree *tree, TreeNode *node)
{
	MemoryContext context = AllocSetContextCreate(CurrentMemoryContext, "linal_hnsw adopt",
												  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);
	HnswCandidate *lost = hnsw_load(hi, &node->tid, NULL, true);
	TreeNode   *root = node_of(tree, &tree->root);
	bool		adopted = false;
	int64		k;

	MemoryContextSwitchTo(old);
	for (k = -1; k < tree->nnodes && !adopted; k++)
	{
		TreeNode   *n = k < 0 ? root : &tree->nodes[k];
		HnswCandidate *from;

		if (n == NULL || n == node || (k >= 0 && n == root) || n->deleted ||
			!leads_to_root(tree, n))
			continue;
		vacuum_delay_point();
		old = MemoryContextSwitchTo(context);
		from = hnsw_load(hi, &n->tid, lost->code, true);
		adopted = links_to(hi, &n->tid, &node->tid) ||
			hnsw_add_link(hi, from, &node->tid, lost->code, from->distance, 0, true);
		MemoryContextSwitchTo(old);
		if (adopted)
			adopt(hi, tree, node, &n->tid);
	}
	MemoryContextDelete(context);
	return adopted;
}

/*
 * Where `node`'s parents stop leading anywhere: the last element before a
 * parent that is none, not an element, deleted, or already on the path.
 */
static TreeNode *
break_point(HnswTree *tree, TreeNode *node)
{
	TreeNode   *cur = node;
	uint32		stamp = ++tree->epoch;

	/* a fresh epoch: no CHAIN_BROKEN state is current, and marks the path */
	for (;;)
	{
		TreeNode   *parent;

		cur->state = CHAIN_BROKEN;
		cur->epoch = stamp;
		parent = parent_of(tree, cur);
		if (parent == NULL || parent->deleted ||
			ItemPointerEquals(&parent->tid, &tree->root) ||
			(parent->state == CHAIN_BROKEN && parent->epoch == stamp))
			return cur;
		cur = parent;
	}
}

/*
 * How many steps up a cut element's parents go before they stop leading
 * anywhere (only an order: bounded, so a cycle after a crash ends too).
 */
#define TREE_DEPTH_LIMIT 10000

static int32
cut_depth(HnswTree *tree, TreeNode *node)
{
	int32		depth = 0;

	while (depth < TREE_DEPTH_LIMIT)
	{
		TreeNode   *parent = parent_of(tree, node);

		if (parent == NULL || parent->deleted || ItemPointerEquals(&parent->tid, &tree->root))
			break;
		node = parent;
		depth++;
	}
	return depth;
}

static int
shallower_first(const void *a, const void *b)
{
	const TreeMark *x = *(const TreeMark *const *) a;
	const TreeMark *y = *(const TreeMark *const *) b;

	return x->depth < y->depth ? -1 : (x->depth > y->depth ? 1 : 0);
}

/*
 * A walk of layer 0 (breadth first, from the root, through live elements
 * only) costs about two reads per live element; a search in step 3 about
 * 15 ef_construction.  Past this share of live elements still cut, walk.
 */
#define TREE_WALK_CUT_SHARE 500

/*
 * A walk of layer 0, breadth first from `root` through live elements: each
 * element reached that is cut (every one when cut is NULL, but those
 * already so) is adopted by the element whose list led the walk to it,
 * which leads to the root.  Returns how many were adopted.
 */
static int64
walk_from_root(HnswIndex *hi, HnswTree *tree, TreeNode *root, const bool *cut)
{
	bool	   *reached;
	int32	   *queue;
	int64		head = 0;
	int64		tail = 0;
	int64		adopted = 0;
	ItemPointerData *links;

	reached = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(bool) * tree->nnodes);
	memset(reached, 0, sizeof(bool) * tree->nnodes);
	/* each node goes on the queue at most once */
	queue = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(int32) * tree->nnodes);
	links = palloc(sizeof(ItemPointerData) * HNSW_LAYER_SLOTS(0, hi->m));
	queue[tail++] = (int32) (root - tree->nodes);
	reached[root - tree->nodes] = true;
	while (head < tail)
	{
		TreeNode   *cur = &tree->nodes[queue[head++]];
		HnswCandidate element;
		int			count;
		int			i;

		vacuum_delay_point();
		hnsw_load_into(hi, &cur->tid, NULL, false, &element);
		count = hnsw_load_neighbors(hi, &element.neighbortid, 0, links);
		for (i = 0; i < count; i++)
		{
			TreeNode   *next = node_of(tree, &links[i]);
			int64		n;

			if (next == NULL || next->deleted)
				continue;
			n = next - tree->nodes;
			if (reached[n])
				continue;
			reached[n] = true;
			if (cut != NULL ? cut[n] : !ItemPointerEquals(&next->parent, &cur->tid))
			{
				adopt(hi, tree, next, &cur->tid);
				adopted++;
			}
			queue[tail++] = (int32) n;
		}
	}
	pfree(links);
	pfree(queue);
	pfree(reached);
	return adopted;
}

/*
 * Step 2: when step 1 left many elements cut, a walk adopts them.  Every
 * element the walk reaches leads to the root (the root does; one that did
 * not is adopted by the element whose list led the walk to it, which
 * does), so each adoption is by a live element that links to the child
 * and leads to the root.  After the entry point was deleted nearly every
 * element is cut, and the few links step 1 notes per element often all
 * come from cut ones: the searches of step 3 then find mostly cut
 * elements and fail, one failed search per element at up to 16
 * ef_construction each (hours at 100K rows), where the walk takes a
 * fraction of a second.
 */
static int64
adopt_by_walk(HnswIndex *hi, HnswTree *tree)
{
	TreeNode   *root = node_of(tree, &tree->root);
	bool	   *cut;
	int64		ncut = 0;
	int64		nlive = 0;
	int64		adopted;
	int64		k;

	if (root == NULL || root->deleted)
		return 0;
	/* no adoption between these: what leads is computed once per chain */
	cut = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(bool) * tree->nnodes);
	for (k = 0; k < tree->nnodes; k++)
	{
		TreeNode   *node = &tree->nodes[k];

		cut[k] = !node->deleted && !leads_to_root(tree, node);
		ncut += cut[k];
		nlive += !node->deleted;
	}
	if (ncut == 0 || ncut * TREE_WALK_CUT_SHARE <= nlive)
	{
		pfree(cut);
		return 0;
	}

	adopted = walk_from_root(hi, tree, root, cut);
	ereport(DEBUG2,
			(errmsg_internal("linal_hnsw: a walk of \"%s\" adopted %lld of %lld cut elements",
							 RelationGetRelationName(hi->index), (long long) adopted,
							 (long long) ncut)));
	pfree(cut);
	return adopted;
}

/*
 * Re-parent every live element by a walk of layer 0 from the entry point:
 * each takes as its parent the element the walk first reached it from.
 * An insert's parent is its nearest neighbour that takes the link, so the
 * chains of rows inserted on disk to the entry point grow long, and
 * deleting a tenth of the rows then cut nearly all of them (VACUUM
 * re-adopted every element of a 1M-row index built with 64 MB); a walk's
 * tree is as shallow as the graph.  For the end of a build that inserted
 * rows on disk, as the in-memory graph's write does (hnswgraph.c).
 * Returns how many parents changed.
 */
int64
hnsw_tree_flatten(HnswIndex *hi, HnswTree *tree, ItemPointer root)
{
	TreeNode   *node;

	tree->root = *root;
	node = node_of(tree, root);
	if (node == NULL || node->deleted)
		return 0;
	return walk_from_root(hi, tree, node, NULL);
}

/*
 * Give every live element a parent that leads to the entry point (see the
 * file header); the caller holds the update lock and has set the entry
 * point.  Returns how many elements were adopted; *searched counts the
 * searches that took, *left the live elements that still do not lead to
 * the entry point (none but in a pathological graph: every search failed).
 */
int64
hnsw_tree_repair(HnswIndex *hi, HnswTree *tree, int64 *searched, int64 *left)
{
	MemoryContext element_context = AllocSetContextCreate(CurrentMemoryContext,
														  "linal_hnsw tree repair",
														  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	HnswMetaPageData meta;
	TreeMark   *mark;
	TreeNode   *node;
	int64		k;
	int64		adopted = 0;
	bool		progress = true;
	TreeMark  **cut = NULL;
	int64		ncut = 0;
	int64		cut_capacity = 0;
	int			ef;

	*searched = 0;
	*left = 0;
	hnsw_read_meta(hi->index, &meta);
	if (!ItemPointerIsValid(&meta.entry))
	{
		MemoryContextDelete(element_context);
		return 0;
	}
	tree->root = meta.entry;

	/*
	 * 1. cut elements adopted by an element that links to them, in rounds;
	 * nearest to where their parents stop leading first, so that one
	 * adoption serves a whole subtree and its members need no write
	 */
	for (k = 0; k < tree->nmarks; k++)
	{
		mark = &tree->marks[k];
		if (!mark->cut)
			continue;
		if (ncut == cut_capacity)
		{
			cut_capacity = Max(1024, 2 * cut_capacity);
			cut = cut == NULL ?
				MemoryContextAllocHuge(tree->context, sizeof(TreeMark *) * cut_capacity) :
				repalloc_huge(cut, sizeof(TreeMark *) * cut_capacity);
		}
		node = &tree->nodes[mark->node];
		mark->depth = cut_depth(tree, node);
		cut[ncut++] = mark;
	}
	if (ncut > 0)
		qsort(cut, ncut, sizeof(TreeMark *), shallower_first);
	while (progress)
	{
		progress = false;
		for (k = 0; k < ncut; k++)
		{
			int			i;

			mark = cut[k];
			if (mark->done)
				continue;
			vacuum_delay_point();
			node = &tree->nodes[mark->node];
			if (leads_to_root(tree, node))
			{
				mark->done = true;
				continue;
			}
			for (i = 0; i < mark->ncandidates; i++)
			{
				ItemPointer c = &mark->candidates[i];

				if (!ItemPointerEquals(c, &node->tid) && tid_leads_to_root(tree, c))
				{
					adopt(hi, tree, node, c);
					mark->done = true;
					adopted++;
					progress = true;
					break;
				}
			}
		}
	}

	/* 2. many still cut: a walk */
	adopted += adopt_by_walk(hi, tree);

	/* 3. whatever still does not lead to the root, by searches */
	old = MemoryContextSwitchTo(element_context);
	for (ef = hi->ef_construction; ef <= 16 * hi->ef_construction; ef *= 4)
	{
		*left = 0;
		for (k = 0; k < tree->nnodes; k++)
		{
			TreeNode   *lost;

			node = &tree->nodes[k];
			if (node->deleted || leads_to_root(tree, node))
				continue;
			vacuum_delay_point();
			lost = break_point(tree, node);
			if (adopt_by_search(hi, tree, lost, &meta, ef))
			{
				adopted++;
				(*searched)++;
			}
			else if (ef * 4 > 16 * hi->ef_construction && adopt_by_any(hi, tree, lost))
				adopted++;
			else
				(*left)++;
			MemoryContextReset(element_context);
		}
		if (*left == 0)
			break;
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(element_context);
	return adopted;
}

/* Whether `ancestor` is `node` or among its parents (bounded: a cycle ends the walk). */
static bool
is_ancestor(HnswTree *tree, TreeNode *ancestor, TreeNode *node)
{
	TreeNode   *cur = node;
	int64		steps;

	for (steps = 0; cur != NULL && steps <= tree->nnodes; steps++)
	{
		if (cur == ancestor)
			return true;
		if (ItemPointerEquals(&cur->tid, &tree->root))
			return false;
		cur = parent_of(tree, cur);
	}
	return false;
}

/*
 * Make the live element at tid findable by a search for its own vector
 * (see hnswvacuum.c, which calls this for the elements whose lists it
 * repaired; the tree must be repaired first): search ef from the entry
 * point; when the element is not among the results, the nearest live
 * result that leads to the root (and is not below the element in the
 * tree) takes a link to it (by force, but never evicting another's way
 * in) and becomes its parent, so no later insert takes that link away.
 * A search for the element then reaches the elements the search reached
 * and, from the nearest, the element.  Returns whether it was relinked.
 */
bool
hnsw_tree_refind(HnswIndex *hi, HnswTree *tree, ItemPointer tid, int ef)
{
	TreeNode   *node = node_of(tree, tid);
	HnswMetaPageData meta;
	HnswCandidate *self;
	List	   *near;
	ListCell   *lc;
	int			tries = 0;

	if (node == NULL || node->deleted)
		return false;
	hnsw_read_meta(hi->index, &meta);
	if (!ItemPointerIsValid(&meta.entry) || ItemPointerEquals(tid, &meta.entry))
		return false;
	tree->root = meta.entry;
	self = hnsw_load(hi, tid, NULL, true);
	/* as a scan searches: a quarter of ef on layer 1, no vectors kept */
	near = search_near(hi, self->code, &meta, ef, Max(ef / 4, 8), false);
	foreach(lc, near)
	{
		if (ItemPointerEquals(&((HnswCandidate *) lfirst(lc))->tid, tid))
			return false;		/* found: nothing to do */
	}
	foreach(lc, near)
	{
		HnswCandidate *n = lfirst(lc);
		TreeNode   *nnode = node_of(tree, &n->tid);

		if (n->deleted || nnode == NULL || nnode->deleted ||
			!leads_to_root(tree, nnode) || is_ancestor(tree, node, nnode))
			continue;
		if (links_to(hi, &n->tid, tid) ||
			hnsw_add_link(hi, hnsw_load(hi, &n->tid, NULL, true), tid, self->code,
						  n->distance, 0, true))
		{
			adopt(hi, tree, node, &n->tid);
			return true;
		}
		/* its links are all ways in: the next nearest, a few times */
		if (++tries >= 3)
			break;
	}
	return false;
}

/*
 * hnsw_tree_refind for every live element (linal_index_repair): the tree
 * holds every element (hnsw_tree_scan); the caller holds the update lock.
 * Returns how many were relinked; *searched counts the searches.
 */
int64
hnsw_tree_refind_all(HnswIndex *hi, HnswTree *tree, int ef, int64 *searched)
{
	MemoryContext element_context = AllocSetContextCreate(CurrentMemoryContext,
														  "linal_hnsw refind",
														  ALLOCSET_DEFAULT_SIZES);
	int64		relinked = 0;
	int64		k;

	*searched = 0;
	for (k = 0; k < tree->nnodes; k++)
	{
		MemoryContext old;
		ItemPointerData tid = tree->nodes[k].tid;

		if (tree->nodes[k].deleted)
			continue;
		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(element_context);
		if (hnsw_tree_refind(hi, tree, &tid, ef))
			relinked++;
		(*searched)++;
		MemoryContextSwitchTo(old);
		MemoryContextReset(element_context);
	}
	MemoryContextDelete(element_context);
	return relinked;
}
