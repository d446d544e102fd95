/*-------------------------------------------------------------------------
 *
 * hnsw.c
 *	  linal_hnsw: the access method handler, its options (m,
 *	  ef_construction), its GUCs and its cost estimate.
 *
 * The index serves only ORDER BY col <op> query (amcanorderbyop), with
 * <op> the operator of its class: <-> (tensor_l2_ops), <=> (tensor_cosine_ops),
 * <#> (tensor_ip_ops) or <+> (tensor_l1_ops).  It has no search operators, so WHERE clauses
 * never choose it, and it is not used without an ORDER BY: such paths (an
 * index-only scan for count(*)) cost infinity, and hnswscan.c refuses them.
 *
 * Cost: a search visits about ef_search * 2m elements on layer 0 plus m per
 * upper layer; each visit is a (mostly cached) page access and a distance:
 * that is the startup cost.  Returning every row costs far more (hnsw_cost_estimate), so
 * only queries with a LIMIT pick the index over a scan and a sort.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/amapi.h"
#include "access/genam.h"
#include "access/reloptions.h"
#include "commands/vacuum.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/selfuncs.h"

#include "algebra/algebra.h"
#include "am/hnsw.h"

int			linal_hnsw_ef_search = 40;
int			linal_hnsw_max_scan_tuples = 20000;
int			linal_hnsw_iterative_scan = HNSW_ITERATIVE_SCAN_RELAXED;
double		linal_hnsw_scan_mem_multiplier = 1.0;

static const struct config_enum_entry iterative_scan_options[] = {
	{"off", HNSW_ITERATIVE_SCAN_OFF, false},
	{"relaxed_order", HNSW_ITERATIVE_SCAN_RELAXED, false},
	{"strict_order", HNSW_ITERATIVE_SCAN_STRICT, false},
	{NULL, 0, false}
};

static relopt_kind hnsw_relopt_kind;

static const char *const quantization_names[] = {
	[HNSW_QUANTIZATION_NONE] = "none",
	[HNSW_QUANTIZATION_INT8] = "int8",
	[HNSW_QUANTIZATION_BINARY] = "binary",
};

const char *
hnsw_quantization_name(HnswQuantization q)
{
	return (unsigned) q < lengthof(quantization_names) ? quantization_names[q] : "unknown";
}

/* -1 for a name that is not a quantization */
static int
quantization_of_name(const char *value)
{
	int			i;

	for (i = 0; i < (int) lengthof(quantization_names); i++)
	{
		if (value != NULL && strcmp(value, quantization_names[i]) == 0)
			return i;
	}
	return -1;
}

static void
validate_quantization(const char *value)
{
	if (value != NULL && quantization_of_name(value) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for linal_hnsw option \"quantization\": \"%s\"", value),
				 errdetail("Valid values are \"none\", \"int8\" and \"binary\".")));
}

void
linal_hnsw_init(void)
{
	hnsw_relopt_kind = add_reloption_kind();
	add_int_reloption(hnsw_relopt_kind, "m", "Links per element and layer (2m on layer 0).",
					  HNSW_DEFAULT_M, HNSW_MIN_M, HNSW_MAX_M, AccessExclusiveLock);
	add_int_reloption(hnsw_relopt_kind, "ef_construction",
					  "Candidates searched when an element is inserted.",
					  HNSW_DEFAULT_EF_CONSTRUCTION, HNSW_MIN_EF_CONSTRUCTION,
					  HNSW_MAX_EF_CONSTRUCTION, AccessExclusiveLock);
	/* read by a build: a changed value takes effect at REINDEX */
	add_string_reloption(hnsw_relopt_kind, "quantization",
						 "Codes the graph is searched on: none (the keys' own format), int8 or binary.",
						 "none", validate_quantization, AccessExclusiveLock);

	DefineCustomIntVariable("linal.hnsw_ef_search",
							"Candidates a linal_hnsw index scan keeps (recall against speed).",
							NULL,
							&linal_hnsw_ef_search,
							40, 1, 1000,
							PGC_USERSET, 0, NULL, NULL, NULL);
	/* superuser only: it bounds the time and memory of one scan */
	DefineCustomIntVariable("linal.hnsw_max_scan_tuples",
							"Largest candidate list an iterative linal_hnsw scan grows to when filters remove rows.",
							NULL,
							&linal_hnsw_max_scan_tuples,
							20000, 1, INT_MAX,
							PGC_SUSET, 0, NULL, NULL, NULL);
	/* user: they only trade recall and order against time, within the caps above */
	DefineCustomEnumVariable("linal.hnsw_iterative_scan",
							 "What a linal_hnsw scan does when filters leave fewer rows than asked for.",
							 "off: one search of ef_search candidates; relaxed_order: wider searches, rows of a later one may be nearer; strict_order: wider searches, rows in distance order.",
							 &linal_hnsw_iterative_scan,
							 HNSW_ITERATIVE_SCAN_RELAXED, iterative_scan_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("linal.hnsw_scan_mem_multiplier",
							 "Memory an iterative linal_hnsw scan may hold, as a multiple of work_mem.",
							 "Past it the scan searches no wider; linal.hnsw_max_scan_tuples still caps it.",
							 &linal_hnsw_scan_mem_multiplier,
							 1.0, 1.0, 1000.0,
							 PGC_USERSET, 0, NULL, NULL, NULL);
}

static bytea *
hnsw_options(Datum reloptions, bool validate)
{
	static const relopt_parse_elt table[] = {
		{"m", RELOPT_TYPE_INT, offsetof(HnswOptions, m)},
		{"ef_construction", RELOPT_TYPE_INT, offsetof(HnswOptions, ef_construction)},
		{"quantization", RELOPT_TYPE_STRING, offsetof(HnswOptions, quantization)},
	};

	return (bytea *) build_reloptions(reloptions, validate, hnsw_relopt_kind,
									  sizeof(HnswOptions), table, lengthof(table));
}

int
hnsw_option_m(Relation index)
{
	HnswOptions *opts = (HnswOptions *) index->rd_options;

	return opts ? opts->m : HNSW_DEFAULT_M;
}

int
hnsw_option_ef_construction(Relation index)
{
	HnswOptions *opts = (HnswOptions *) index->rd_options;

	return opts ? opts->ef_construction : HNSW_DEFAULT_EF_CONSTRUCTION;
}

HnswQuantization
hnsw_option_quantization(Relation index)
{
	HnswOptions *opts = (HnswOptions *) index->rd_options;
	int			q;

	if (opts == NULL || opts->quantization == 0)
		return HNSW_QUANTIZATION_NONE;
	q = quantization_of_name((const char *) opts + opts->quantization);
	return q < 0 ? HNSW_QUANTIZATION_NONE : (HnswQuantization) q;
}

static void
hnsw_cost_estimate(PlannerInfo *root, IndexPath *path, double loop_count,
				   Cost *startup_cost, Cost *total_cost, Selectivity *selectivity,
				   double *correlation, double *pages)
{
	GenericCosts costs;
	double		tuples = Max(path->indexinfo->tuples, 1.0);
	int			m;
	double		visited;
	BlockNumber index_pages;
	double		page_cost;
	double		search_cost;
	Node	   *orderby;
	double		elements;
	int			stored_args;
	double		element_pages;
	HnswFormat	format;
	HnswQuantization quantization;
	Relation	index;

	if (path->indexorderbys == NIL)
	{
		/*
		 * Only ORDER BY uses the index.  The planner still offers paths
		 * without one (an index-only scan for count(*)): make them lose to
		 * any other plan, even one with disable_cost (enable_seqscan off).
		 */
		*startup_cost = *total_cost = get_float8_infinity();
		*selectivity = 0;
		*correlation = 0;
		*pages = 0;
		return;
	}
	/* the planner holds a lock on the index already */
	index = index_open(path->indexinfo->indexoid, NoLock);
	m = hnsw_option_m(index);
	quantization = hnsw_option_quantization(index);
	index_close(index, NoLock);
	visited = linal_hnsw_ef_search * 2.0 * m + m * log(tuples) / log((double) m);
	visited = Min(visited, tuples);

	MemSet(&costs, 0, sizeof(costs));
	costs.numIndexTuples = visited;
	genericcostestimate(root, path, loop_count, &costs);

	/*
	 * genericcostestimate charges every page as a random read from disk.  A
	 * graph search comes back to the same hot pages again and again: an
	 * index that fits in effective_cache_size is charged two tuples' CPU
	 * per page an element is on (more than one above 2000 dimensions), a
	 * larger one a random read per page.  Then a distance per element, the
	 * same cost a plain scan's distance call is charged (distance_cost.c),
	 * without its TOAST fetch: the index has its own copy of the vector.
	 */
	orderby = (Node *) linitial(path->indexorderbys);
	format = hnsw_format_of_type(path->indexinfo->opcintype[0]);
	/* a sparse distance's work is of its non-zeros, which no plan tells */
	elements = IsA(orderby, OpExpr) && format != LINAL_HNSW_FORMAT_SPARSE ?
		linal_distance_elements(((OpExpr *) orderby)->args, &stored_args) : -1;
	/* bit codes are never split; elements of a bit string are 32 bits each */
	element_pages = 1 + (elements > 0 && (format == LINAL_HNSW_FORMAT_FLOAT4 ||
										  format == LINAL_HNSW_FORMAT_FLOAT16) ?
						 HNSW_VECTOR_TUPLES(hnsw_code_bytes(format, (int) Min(elements, HNSW_MAX_DIM))) : 0);
	index_pages = Max(path->indexinfo->pages, 1);
	if (index_pages <= effective_cache_size)
		page_cost = visited * element_pages * 2 * cpu_tuple_cost;
	else
		page_cost = Min((double) index_pages, visited * element_pages) * random_page_cost;
	search_cost = page_cost + visited *
		(cpu_index_tuple_cost + linal_distance_cost(Max(elements, 1), false));

	/*
	 * A quantized index's results are re-ranked from the table: charged as
	 * ef rows' heap tuples (a page each, cached or not as the index's pages
	 * are), each with the exact distance and its TOAST fetch.  That is what
	 * a binary scan reads; an int8 scan's window reads fewer for a small
	 * LIMIT, its strict_order lower bounds about as many.
	 */
	if (quantization != HNSW_QUANTIZATION_NONE)
		search_cost += Min(linal_hnsw_ef_search, tuples) *
			((path->indexinfo->rel->pages <= effective_cache_size ?
			  2 * cpu_tuple_cost : random_page_cost) +
			 linal_distance_cost(Max(elements, 1), true));

	/*
	 * The search runs before the first row comes out.  Rows past the first
	 * search need wider searches, each about a page and a distance per row:
	 * so a query that wants all rows in order (no LIMIT) costs more than a
	 * scan and a sort, and does not choose the index, while LIMIT k pays
	 * only the startup and a k/N share of the rest.
	 */
	*startup_cost = search_cost;
	*total_cost = search_cost +
		tuples * (random_page_cost + 10 * cpu_operator_cost);
	*selectivity = costs.indexSelectivity;
	*correlation = 0;
	*pages = costs.numIndexPages;
}

static bool
hnsw_validate(Oid opclassoid)
{
	return true;
}

PG_FUNCTION_INFO_V1(linal_hnsw_handler);
Datum
linal_hnsw_handler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *am = makeNode(IndexAmRoutine);

	am->amstrategies = 0;
	am->amsupport = 1;
	am->amoptsprocnum = 0;
	am->amcanorder = false;
	am->amcanorderbyop = true;
	am->amcanbackward = false;
	am->amcanunique = false;
	am->amcanmulticol = false;
	am->amoptionalkey = true;
	am->amsearcharray = false;
	am->amsearchnulls = false;
	am->amstorage = false;
	am->amclusterable = false;
	am->ampredlocks = false;
	am->amcanparallel = false;
	am->amcaninclude = false;
	am->amusemaintenanceworkmem = false;
	am->amparallelvacuumoptions = VACUUM_OPTION_PARALLEL_BULKDEL;
	am->amkeytype = InvalidOid;

	am->ambuild = hnsw_build;
	am->ambuildempty = hnsw_build_empty;
	am->aminsert = hnsw_insert;
	am->ambulkdelete = hnsw_bulk_delete;
	am->amvacuumcleanup = hnsw_vacuum_cleanup;
	am->amcanreturn = NULL;
	am->amcostestimate = hnsw_cost_estimate;
	am->amoptions = hnsw_options;
	am->amproperty = NULL;
	am->ambuildphasename = NULL;
	am->amvalidate = hnsw_validate;
	am->amadjustmembers = NULL;
	am->ambeginscan = hnsw_begin_scan;
	am->amrescan = hnsw_rescan;
	am->amgettuple = hnsw_get_tuple;
	am->amgetbitmap = NULL;
	am->amendscan = hnsw_end_scan;
	am->ammarkpos = NULL;
	am->amrestrpos = NULL;
	am->amestimateparallelscan = NULL;
	am->aminitparallelscan = NULL;
	am->amparallelrescan = NULL;

	PG_RETURN_POINTER(am);
}
