/*-------------------------------------------------------------------------
 *
 * hnswcheck.c
 *	  linal_index_check(regclass): verify the invariants of a linal_hnsw
 *	  graph and return one row per problem (none when healthy).
 *
 * Checked: the metapage; every page but all-zero ones (a crash's
 * leftover after extending the file) is a linal_hnsw page; the entry
 * point (an element, of the recorded level, live when any element is);
 * every live element's vector is finite (and of norm 1 under cosine),
 * and a vector longer than a page is a chain of vector tuples of the
 * right length, with no continuation that is missing or not a vector
 * tuple, none shared by two elements (vector tuples no element points to,
 * left by a crash mid-insert, are not reported); its neighbour tuple
 * exists and has (level + 2) * m slots; every link points to an element
 * (no dangling references), of a level at least the layer's, not itself,
 * not deleted; every live element whose heap row is visible now is
 * reachable from the entry point; and the tree of ways in (hnswtree.c):
 * every such element but the entry point has a parent that is a live
 * element, links to it on layer 0, and leads by its own parents to the
 * entry point.
 *
 * Who may check, and locks (hnsw_open_checked, shared with
 * linal_index_quality in hnswquality.c): EXECUTE is revoked from PUBLIC,
 * and the caller must also own the index's table or be a member of
 * pg_monitor; this is decided from the catalogs before any lock is taken,
 * so a role without the right cannot queue a lock on someone else's
 * index.  Then AccessShareLock on the table and the index (what a SELECT
 * takes: inserts, updates, deletes and VACUUM run beside it).  The
 * graph's invariants (every link answered, every parent set) hold only
 * between two inserts, and pages are read one at a time, so a walk racing
 * an insert can see the insert's half-done state as damage: a first walk
 * runs without further locks and only counts; when it counts anything, a
 * second walk under the update lock in ShareLock (inserts and VACUUM of
 * this index wait, scans and other checks do not) decides what is
 * reported.  A healthy
 * index is thus checked without making any writer wait.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "am/hnsw.h"
#include "kernels/kernels.h"

typedef struct ElementInfo
{
	ItemPointerData tid;		/* key */
	ItemPointerData heaptid;
	ItemPointerData neighbortid;
	ItemPointerData parent;
	int			level;
	bool		deleted;
	bool		reached;
	uint8		chain;			/* CHAIN_* below */
	bool		finite;			/* the floats in the element's code */
	double		sum_squares;	/* of those, under cosine */
	ItemPointerData vectortid;	/* the first vector tuple, when split */
} ElementInfo;

/* whether an element's parents lead to the entry point */
#define CHAIN_UNKNOWN 0
#define CHAIN_LEADS 1
#define CHAIN_BROKEN 2
#define CHAIN_WALKING 3

typedef struct NeighborInfo
{
	ItemPointerData tid;		/* key */
	int			count;
	ItemPointerData *slots;
} NeighborInfo;

typedef struct VectorInfo
{
	ItemPointerData tid;		/* key */
	ItemPointerData next;
	int			count;			/* 4-byte words; 0 when the tuple is too short */
	int			refs;			/* live elements whose chains hold it */
	bool		finite;
	double		sum_squares;	/* under cosine */
} VectorInfo;

typedef struct CheckState
{
	Tuplestorestate *store;
	TupleDesc	desc;
	int			problems;
} CheckState;

#define MAX_REPORTED 1000

static void
report(CheckState *cs, const char *fmt,...) pg_attribute_printf(2, 3);

static void
report(CheckState *cs, const char *fmt,...)
{
	va_list		args;
	char		buf[512];
	Datum		value;
	bool		isnull = false;

	if (++cs->problems > MAX_REPORTED || cs->store == NULL)
		return;
	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	value = CStringGetTextDatum(buf);
	tuplestore_putvalues(cs->store, cs->desc, &value, &isnull);
}

static HTAB *
table_of(const char *name, Size entry, MemoryContext context)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(ItemPointerData);
	ctl.entrysize = entry;
	ctl.hcxt = context;
	return hash_create(name, 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

#define TID_FORMAT "(%u,%u)"
#define TID_ARGS(t) ItemPointerGetBlockNumber(t), ItemPointerGetOffsetNumber(t)

/* A stored vector: finite, and of norm 1 under cosine (stored normalised). */
static void
check_vector(CheckState *cs, ItemPointer tid, bool finite, double sum_squares, double slack,
			 LinalDistance kind, HnswFormat format)
{
	if (!finite)
		report(cs, "element " TID_FORMAT ": its vector is not finite", TID_ARGS(tid));
	else if (kind == LINAL_DISTANCE_COSINE)
	{
		double		norm = sqrt(sum_squares);

		/*
		 * float4 rounding leaves a unit vector within about dim * 1e-7 of
		 * 1; float16's, of 11 bits, within about 2^-11 relative per element;
		 * an int8 code's within its residual (slack) of that
		 */
		if (fabs(norm - 1.0) > (format == LINAL_HNSW_FORMAT_FLOAT16 ? 4e-3 : 1e-3) + slack)
			report(cs, "element " TID_FORMAT ": its vector has norm %g, not 1", TID_ARGS(tid), norm);
	}
}

/*
 * A split code: its element's bytes, then HNSW_VECTOR_TUPLES(bytes)
 * vector tuples of full parts, the last with no next.
 */
static void
check_chain(CheckState *cs, HTAB *vectors, HTAB *elements, HTAB *neighbors, ElementInfo *e,
			int bytes, LinalDistance kind, HnswFormat format)
{
	int			parts = HNSW_VECTOR_TUPLES(bytes);
	ItemPointerData tid = e->vectortid;
	bool		finite = e->finite;
	double		sum_squares = e->sum_squares;
	int			part;

	for (part = 1; part <= parts; part++)
	{
		VectorInfo *v;

		if (!ItemPointerIsValid(&tid))
		{
			report(cs, "element " TID_FORMAT ": its vector chain ends after %d of %d vector tuples",
				   TID_ARGS(&e->tid), part - 1, parts);
			return;
		}
		v = hash_search(vectors, &tid, HASH_FIND, NULL);
		if (v == NULL)
		{
			bool		other = hash_search(elements, &tid, HASH_FIND, NULL) != NULL ||
				hash_search(neighbors, &tid, HASH_FIND, NULL) != NULL;

			report(cs, "element " TID_FORMAT ": vector tuple %d of its chain, " TID_FORMAT ", %s",
				   TID_ARGS(&e->tid), part, TID_ARGS(&tid),
				   other ? "is not a vector tuple" : "is missing");
			return;
		}
		if (v->count != HNSW_VECTOR_PART_COUNT)
		{
			report(cs, "vector tuple " TID_FORMAT ": a part of %d words, expected %d",
				   TID_ARGS(&tid), v->count, HNSW_VECTOR_PART_COUNT);
			return;
		}
		if (++v->refs == 2)
			report(cs, "vector tuple " TID_FORMAT " is in the chains of two elements, one " TID_FORMAT,
				   TID_ARGS(&tid), TID_ARGS(&e->tid));
		finite = finite && v->finite;
		sum_squares += v->sum_squares;
		tid = v->next;
	}
	if (ItemPointerIsValid(&tid))
	{
		report(cs, "element " TID_FORMAT ": its vector chain is longer than %d vector tuples",
			   TID_ARGS(&e->tid), parts);
		return;
	}
	check_vector(cs, &e->tid, finite, sum_squares, 0.0, kind, format);
}

/* Whether `parent`'s layer-0 list links to `child`. */
static bool
links_on_layer0(HTAB *neighbors, ElementInfo *parent, ItemPointer child, int m)
{
	NeighborInfo *n = hash_search(neighbors, &parent->neighbortid, HASH_FIND, NULL);
	int			i;

	if (n == NULL)
		return false;
	for (i = 0; i < Min(n->count, HNSW_LAYER_SLOTS(0, m)); i++)
	{
		if (ItemPointerIsValid(&n->slots[i]) && ItemPointerEquals(&n->slots[i], child))
			return true;
	}
	return false;
}

/*
 * What is wrong with a live element's parent, or NULL: none (but the entry
 * point), not a live element, no layer-0 link to it, or parents that do
 * not lead to the entry point (remembered per element, cycles included).
 */
static const char *
parent_problem(HTAB *elements, HTAB *neighbors, ElementInfo *e, HnswMetaPageData *meta, int m)
{
	ElementInfo *parent;
	ElementInfo *cur;
	List	   *path = NIL;
	bool		leads;
	ListCell   *lc;

	if (ItemPointerEquals(&e->tid, &meta->entry))
		return NULL;
	if (!ItemPointerIsValid(&e->parent))
		return "is none";
	parent = hash_search(elements, &e->parent, HASH_FIND, NULL);
	if (parent == NULL)
		return "is not an element";
	if (parent->deleted)
		return "is deleted";
	if (!links_on_layer0(neighbors, parent, &e->tid, m))
		return "does not link to it on layer 0";

	/* follow the parents up: each step is checked as the element's own */
	for (cur = e;;)
	{
		if (ItemPointerEquals(&cur->tid, &meta->entry) || cur->chain == CHAIN_LEADS)
		{
			leads = true;
			break;
		}
		if (cur->chain == CHAIN_BROKEN || cur->chain == CHAIN_WALKING)
		{
			leads = false;
			break;
		}
		cur->chain = CHAIN_WALKING;
		path = lappend(path, cur);
		parent = ItemPointerIsValid(&cur->parent) ?
			hash_search(elements, &cur->parent, HASH_FIND, NULL) : NULL;
		if (parent == NULL || parent->deleted || !links_on_layer0(neighbors, parent, &cur->tid, m))
		{
			leads = false;
			break;
		}
		cur = parent;
	}
	foreach(lc, path)
		((ElementInfo *) lfirst(lc))->chain = leads ? CHAIN_LEADS : CHAIN_BROKEN;
	list_free(path);
	return leads ? NULL : "does not lead to the entry point";
}

/*
 * Open a linal_hnsw index and its table (with the given locks) for
 * `caller` (the name of the SQL function, for messages), after checking
 * from the catalogs, with no lock held yet, that the OID is a linal_hnsw
 * index and that the user may use it: the owner of its table, or (unless
 * owner_only: the caller writes) a member of pg_monitor.
 */
Relation
hnsw_open_checked(Oid indexoid, const char *caller, bool owner_only, LOCKMODE heap_lock,
				  LOCKMODE index_lock, Relation *heap)
{
	HeapTuple	tuple;
	Form_pg_class form;
	char	   *name;
	char		relkind;
	Oid			relam;
	Oid			heapoid;
	char	   *am;
	Relation	index;

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(tuple))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", indexoid),
				 errhint("%s() takes a linal_hnsw index.", caller)));
	form = (Form_pg_class) GETSTRUCT(tuple);
	name = pstrdup(NameStr(form->relname));
	relkind = form->relkind;
	relam = form->relam;
	ReleaseSysCache(tuple);

	if (relkind != RELKIND_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an index", name),
				 errhint("%s() takes a linal_hnsw index.", caller)));
	am = get_am_name(relam);
	if (am == NULL || strcmp(am, "linal_hnsw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a linal_hnsw index", name),
				 errdetail("It uses access method \"%s\".", am ? am : "?"),
				 errhint("%s() takes a linal_hnsw index.", caller)));
	heapoid = IndexGetRelation(indexoid, true);
	if (!OidIsValid(heapoid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("index \"%s\" does not exist", name)));
	if (!linal_class_ownercheck(heapoid, GetUserId()) &&
		(owner_only || !has_privs_of_role(GetUserId(), ROLE_PG_MONITOR)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for index %s", name),
				 owner_only ?
				 errdetail("Only the owner of the index's table may run %s().", caller) :
				 errdetail("Only the owner of the index's table or a member of pg_monitor may run %s().",
						   caller)));

	/* the table first, as every other path does; either may be gone by now */
	*heap = try_table_open(heapoid, heap_lock);
	if (*heap == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("index \"%s\" does not exist", name)));
	index = try_relation_open(indexoid, index_lock);
	if (index == NULL || index->rd_rel->relkind != RELKIND_INDEX ||
		IndexGetRelation(indexoid, true) != heapoid)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("index \"%s\" does not exist", name)));
	if (!index->rd_index->indisvalid)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("index \"%s\" is not valid", name),
				 errhint("Finish or redo its CREATE INDEX CONCURRENTLY, or REINDEX it.")));
	return index;
}

/*
 * Check the graph of `index` (whose table is `heap`), reporting into cs:
 * one read of every page, each under a shared buffer lock; the caller
 * decides about the update lock.  Allocates in CurrentMemoryContext.
 */
static void
check_graph(Relation index, Relation heap, CheckState *cs)
{
	HnswMetaPageData meta;
	HTAB	   *elements;
	HTAB	   *neighbors;
	HTAB	   *vectors;
	int			dim;
	BlockNumber nblocks;
	BlockNumber blkno;
	HASH_SEQ_STATUS seq;
	ElementInfo *e;
	List	   *queue = NIL;
	int			m;
	int64		live = 0;
	Snapshot	snapshot;
	LinalDistance kind;
	HnswFormat	format;
	int			bytes;
	int			parts;
	bool		sparse;

	hnsw_read_meta(index, &meta);
	m = meta.m;
	kind = hnsw_index_distance(index);
	format = (HnswFormat) meta.format;	/* hnsw_read_meta checked it */
	elements = table_of("linal_index_check elements", sizeof(ElementInfo), CurrentMemoryContext);
	neighbors = table_of("linal_index_check neighbours", sizeof(NeighborInfo), CurrentMemoryContext);
	vectors = table_of("linal_index_check vectors", sizeof(VectorInfo), CurrentMemoryContext);
	dim = (int) meta.dimensions;
	bytes = hnsw_code_bytes(format, dim);
	/* a sparse code is in its element, of its own size (hnsw.h) */
	sparse = format == LINAL_HNSW_FORMAT_SPARSE;
	parts = sparse ? 0 : HNSW_VECTOR_TUPLES(bytes);

	/* every item of every page */
	nblocks = RelationGetNumberOfBlocks(index);
	for (blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++)
	{
		Buffer		buf = ReadBuffer(index, blkno);
		Page		page;
		OffsetNumber off;

		CHECK_FOR_INTERRUPTS();
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		/*
		 * All zeros: a crash came between extending the file and the WAL
		 * record that fills the new page.  Nothing points into it.
		 */
		if (PageIsNew(page))
			;
		else if (HnswPageGetOpaque(page)->page_id != HNSW_PAGE_ID)
			report(cs, "page %u is not a linal_hnsw page", blkno);
		else
		{
			for (off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
			{
				ItemId		itemid = PageGetItemId(page, off);
				uint8	   *item = (uint8 *) PageGetItem(page, itemid);
				ItemPointerData tid;

				ItemPointerSet(&tid, blkno, off);
				if (*item == HNSW_ELEMENT_TUPLE && dim > 0 && sparse &&
					ItemIdGetLength(itemid) < HNSW_SPARSE_ELEMENT_TUPLE_SIZE(HNSW_SPARSE_CODE_BYTES(0)))
					report(cs, "element " TID_FORMAT ": %u bytes, too few for a sparse code",
						   TID_ARGS(&tid), ItemIdGetLength(itemid));
				else if (*item == HNSW_ELEMENT_TUPLE && dim > 0 && sparse &&
						 hnsw_sparse_code_problem(((HnswElementTuple) item)->code,
												  (int) ItemIdGetLength(itemid) -
												  (int) offsetof(HnswElementTupleData, code),
												  dim) != NULL)
					report(cs, "element " TID_FORMAT ": its sparse code has %s", TID_ARGS(&tid),
						   hnsw_sparse_code_problem(((HnswElementTuple) item)->code,
													(int) ItemIdGetLength(itemid) -
													(int) offsetof(HnswElementTupleData, code),
													dim));
				else if (*item == HNSW_ELEMENT_TUPLE && dim > 0 && !sparse &&
						 ItemIdGetLength(itemid) < HNSW_ELEMENT_TUPLE_SIZE(bytes))
					report(cs, "element " TID_FORMAT ": %u bytes, expected %zu for %d dimensions",
						   TID_ARGS(&tid), ItemIdGetLength(itemid),
						   (size_t) HNSW_ELEMENT_TUPLE_SIZE(bytes), dim);
				else if (*item == HNSW_ELEMENT_TUPLE)
				{
					HnswElementTuple etup = (HnswElementTuple) item;

					e = hash_search(elements, &tid, HASH_ENTER, NULL);
					e->heaptid = etup->heaptid;
					e->neighbortid = etup->neighbortid;
					e->parent = etup->parent;
					e->level = etup->level;
					e->chain = CHAIN_UNKNOWN;
					e->deleted = etup->deleted != 0;
					e->reached = false;
					if (!e->deleted)
						live++;
					hnsw_code_stats(format, etup->code, sparse ? 0 : HNSW_INLINE_BYTES(bytes),
									&e->finite, &e->sum_squares);
					if (dim > 0 && parts > 0)
						e->vectortid = *HNSW_ELEMENT_NEXT(etup, bytes);
					else
						ItemPointerSetInvalid(&e->vectortid);
					if (!e->deleted && dim > 0 && parts == 0)
					{
						const char *problem = hnsw_code_problem(format, etup->code, bytes);

						if (problem != NULL)
							report(cs, "element " TID_FORMAT ": its %s code has %s",
								   TID_ARGS(&tid), hnsw_format_name(format), problem);
						else
							check_vector(cs, &tid, e->finite, e->sum_squares,
										 hnsw_code_norm_slack(format, etup->code), kind, format);
					}
				}
				else if (*item == HNSW_VECTOR_TUPLE)
				{
					HnswVectorTuple vtup = (HnswVectorTuple) item;
					VectorInfo *v = hash_search(vectors, &tid, HASH_ENTER, NULL);
					bool		whole = ItemIdGetLength(itemid) >= HNSW_VECTOR_TUPLE_SIZE &&
						vtup->count == HNSW_VECTOR_PART_COUNT;

					if (parts == 0)
						report(cs, "vector tuple " TID_FORMAT " in an index of %d dimensions",
							   TID_ARGS(&tid), dim);
					v->next = vtup->next;
					v->count = whole ? vtup->count : 0;
					v->refs = 0;
					v->finite = true;
					v->sum_squares = 0.0;
					if (whole)
						hnsw_code_stats(format, vtup->code, HNSW_VECTOR_PART_BYTES,
										&v->finite, &v->sum_squares);
				}
				else if (*item == HNSW_NEIGHBOR_TUPLE)
				{
					HnswNeighborTuple ntup = (HnswNeighborTuple) item;
					NeighborInfo *n = hash_search(neighbors, &tid, HASH_ENTER, NULL);

					n->count = ntup->count;
					n->slots = palloc(sizeof(ItemPointerData) * ntup->count);
					memcpy(n->slots, ntup->indextids, sizeof(ItemPointerData) * ntup->count);
				}
				else
					report(cs, "item " TID_FORMAT " is of unknown kind %d", TID_ARGS(&tid), *item);
			}
		}
		UnlockReleaseBuffer(buf);
	}

	/* the entry point */
	if (!ItemPointerIsValid(&meta.entry))
	{
		if (live > 0)
			report(cs, "no entry point, but %lld live elements", (long long) live);
	}
	else if ((e = hash_search(elements, &meta.entry, HASH_FIND, NULL)) == NULL)
		report(cs, "entry point " TID_FORMAT " is not an element", TID_ARGS(&meta.entry));
	else
	{
		if (e->level != meta.entry_level)
			report(cs, "entry point has level %d, the metapage says %d", e->level, meta.entry_level);
		if (e->deleted && live > 0)
			report(cs, "entry point " TID_FORMAT " is deleted", TID_ARGS(&meta.entry));
		e->reached = true;
		queue = lappend(queue, e);
	}

	/* links of every element */
	hash_seq_init(&seq, elements);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		NeighborInfo *n = hash_search(neighbors, &e->neighbortid, HASH_FIND, NULL);
		int			layer;

		if (e->deleted)
			continue;
		if (parts > 0)
			check_chain(cs, vectors, elements, neighbors, e, bytes, kind, format);
		if (n == NULL)
		{
			report(cs, "element " TID_FORMAT ": neighbour tuple " TID_FORMAT " is missing",
				   TID_ARGS(&e->tid), TID_ARGS(&e->neighbortid));
			continue;
		}
		if (n->count != (e->level + 2) * m)
		{
			report(cs, "element " TID_FORMAT ": %d neighbour slots, expected %d for level %d",
				   TID_ARGS(&e->tid), n->count, (e->level + 2) * m, e->level);
			continue;
		}
		for (layer = 0; layer <= e->level; layer++)
		{
			int			start = HNSW_LAYER_START(layer, m);
			int			i;

			for (i = 0; i < HNSW_LAYER_SLOTS(layer, m); i++)
			{
				ItemPointer t = &n->slots[start + i];
				ElementInfo *target;

				if (!ItemPointerIsValid(t))
					continue;
				target = hash_search(elements, t, HASH_FIND, NULL);
				if (target == NULL)
					report(cs, "element " TID_FORMAT " layer %d: dangling link to " TID_FORMAT,
						   TID_ARGS(&e->tid), layer, TID_ARGS(t));
				else if (ItemPointerEquals(t, &e->tid))
					report(cs, "element " TID_FORMAT " layer %d: links to itself",
						   TID_ARGS(&e->tid), layer);
				else if (target->level < layer)
					report(cs, "element " TID_FORMAT " layer %d: links to " TID_FORMAT " of level %d",
						   TID_ARGS(&e->tid), layer, TID_ARGS(t), target->level);
				else if (target->deleted)
					report(cs, "element " TID_FORMAT " layer %d: links to deleted " TID_FORMAT,
						   TID_ARGS(&e->tid), layer, TID_ARGS(t));
			}
		}
	}

	/* reachability from the entry point, over every layer */
	while (queue != NIL)
	{
		ElementInfo *cur = linitial(queue);
		NeighborInfo *n;
		int			i;

		queue = list_delete_first(queue);
		CHECK_FOR_INTERRUPTS();
		n = hash_search(neighbors, &cur->neighbortid, HASH_FIND, NULL);
		if (n == NULL)
			continue;
		for (i = 0; i < n->count; i++)
		{
			ElementInfo *target;

			if (!ItemPointerIsValid(&n->slots[i]))
				continue;
			target = hash_search(elements, &n->slots[i], HASH_FIND, NULL);
			if (target != NULL && !target->reached)
			{
				target->reached = true;
				queue = lappend(queue, target);
			}
		}
	}
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	hash_seq_init(&seq, elements);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		bool		all_dead = false;
		const char *problem;

		if (e->deleted)
			continue;
		problem = parent_problem(elements, neighbors, e, &meta, m);
		if (e->reached && problem == NULL)
			continue;
		/* rows of aborted inserts (a crash mid-insert) do not count */
		if (!table_index_fetch_tuple_check(heap, &e->heaptid, snapshot, &all_dead))
			continue;
		if (!e->reached)
			report(cs, "element " TID_FORMAT " of heap row " TID_FORMAT " is not reachable from the entry point",
				   TID_ARGS(&e->tid), TID_ARGS(&e->heaptid));
		if (problem != NULL)
			report(cs, "element " TID_FORMAT ": parent " TID_FORMAT " %s",
				   TID_ARGS(&e->tid), TID_ARGS(&e->parent), problem);
	}
	UnregisterSnapshot(snapshot);
}

/*
 * One pass without the update lock first: a healthy index (the usual
 * case) is checked without making inserts or VACUUM wait.  An insert in
 * progress can look like damage to that pass (an element whose links or
 * parent are not written yet), so when it finds anything, a second pass
 * under the update lock (share mode) decides, and only its findings are
 * returned.  A real problem stays until REINDEX, so the second pass sees it
 * too.
 */
PG_FUNCTION_INFO_V1(linal_index_check);
Datum
linal_index_check(PG_FUNCTION_ARGS)
{
	Oid			indexoid = PG_GETARG_OID(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CheckState	cs;
	Relation	index;
	Relation	heap;
	MemoryContext context;
	MemoryContext old;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	index = hnsw_open_checked(indexoid, "linal_index_check", false, AccessShareLock,
							  AccessShareLock, &heap);
	context = AllocSetContextCreate(CurrentMemoryContext, "linal_index_check",
									ALLOCSET_DEFAULT_SIZES);

	/* 1. counting only, beside inserts */
	cs.store = NULL;
	cs.desc = rsinfo->setDesc;
	cs.problems = 0;
	old = MemoryContextSwitchTo(context);
	check_graph(index, heap, &cs);
	MemoryContextSwitchTo(old);
	MemoryContextReset(context);

	/* 2. something looked wrong: again with no insert half done */
	if (cs.problems > 0)
	{
		cs.store = rsinfo->setResult;
		cs.problems = 0;
		LockPage(index, HNSW_METAPAGE_BLKNO, ShareLock);
		old = MemoryContextSwitchTo(context);
		check_graph(index, heap, &cs);
		MemoryContextSwitchTo(old);
		UnlockPage(index, HNSW_METAPAGE_BLKNO, ShareLock);
		if (cs.problems > MAX_REPORTED)
		{
			int			more = cs.problems - MAX_REPORTED;

			cs.problems = 0;	/* so that report() stores this line */
			report(&cs, "... and %d more problems", more);
		}
	}
	MemoryContextDelete(context);

	table_close(heap, AccessShareLock);
	index_close(index, AccessShareLock);
	return (Datum) 0;
}
