/*-------------------------------------------------------------------------
 *
 * plan_inspect.c
 *	  What linal sees in a plan: whether a query does linal work at all,
 *	  which scan found its rows, and which functions are linal's distances.
 *
 * A function is linal's when it is a C function of the linal library (its
 * probin names the linal module); a type is linal's when its input function
 * is.  Looking at the catalog rather than at names keeps this right under
 * any schema or search_path.  The tensor type's OID is cached per backend
 * and forgotten on any change to pg_type; what a function is (linal's or
 * not, which distance) is cached per backend and forgotten on any change
 * to pg_proc, and the OID of the linal_hnsw access method on any change
 * to pg_am: the executor hook asks about every function of every plan,
 * and the catalog lookups were most of what it cost per query.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "exec/exec.h"

static Oid	tensor_type_oid = InvalidOid;
static bool invalidation_registered = false;

/* what a function is, as the plan walk asks it (TopMemoryContext) */
typedef struct FunctionFacts
{
	Oid			funcid;			/* the hash key */
	bool		linal;			/* a C function of the linal library */
	bool		tensor_work;	/* one named tensor_* */
	LinalDistance distance;
} FunctionFacts;

/* past this many functions the cache starts over: a bound, not a tuning */
#define FUNCTION_FACTS_MAX_COUNT 4096

static HTAB *function_facts = NULL;
static bool function_facts_valid = false;
static bool function_invalidation_registered = false;

static Oid	hnsw_am_oid = InvalidOid;
static bool am_invalidation_registered = false;

static void
forget_tensor_type(Datum arg, int cacheid, uint32 hashvalue)
{
	tensor_type_oid = InvalidOid;
}

/* any change to pg_proc: the next lookup starts with an empty cache */
static void
forget_function_facts(Datum arg, int cacheid, uint32 hashvalue)
{
	function_facts_valid = false;
}

static void
forget_hnsw_am(Datum arg, int cacheid, uint32 hashvalue)
{
	hnsw_am_oid = InvalidOid;
}

/*
 * The C symbol of a linal function (palloc'd), or NULL when funcid is not
 * a C function of the linal library.
 */
static char *
linal_function_symbol(Oid funcid)
{
	HeapTuple	tuple;
	Datum		probin;
	Datum		prosrc;
	bool		isnull;
	char	   *symbol = NULL;

	/*
	 * Objects below FirstUnpinnedObjectId come from bootstrap and cannot be
	 * linal's.  (Not FirstNormalObjectId: an extension created in a
	 * single-user backend gets OIDs below that.)
	 */
	if (funcid < FirstUnpinnedObjectId)
		return NULL;
	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(tuple))
		return NULL;
	if (((Form_pg_proc) GETSTRUCT(tuple))->prolang == ClanguageId)
	{
		probin = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_probin, &isnull);
		if (!isnull)
		{
			char	   *path = TextDatumGetCString(probin);
			char	   *base = strrchr(path, '/');

			base = base ? base + 1 : path;
			if (strcmp(base, "linal") == 0 || strncmp(base, "linal.", 6) == 0)
			{
				prosrc = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_prosrc, &isnull);
				if (!isnull)
					symbol = TextDatumGetCString(prosrc);
			}
			pfree(path);
		}
	}
	ReleaseSysCache(tuple);
	return symbol;
}

bool
linal_owns_type(Oid typid)
{
	HeapTuple	tuple;
	Oid			input;
	char	   *symbol;

	if (typid < FirstUnpinnedObjectId)
		return false;
	if (typid == tensor_type_oid)
		return true;
	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tuple))
		return false;
	input = ((Form_pg_type) GETSTRUCT(tuple))->typinput;
	ReleaseSysCache(tuple);
	symbol = linal_function_symbol(input);
	if (symbol == NULL)
		return false;
	pfree(symbol);
	if (!invalidation_registered)
	{
		CacheRegisterSyscacheCallback(TYPEOID, forget_tensor_type, (Datum) 0);
		invalidation_registered = true;
	}
	tensor_type_oid = typid;
	return true;
}

/* What funcid is, from the cache or the catalog. */
static FunctionFacts
function_facts_of(Oid funcid)
{
	FunctionFacts facts = {funcid, false, false, LINAL_DISTANCE_NONE};
	FunctionFacts *entry;
	char	   *symbol;

	/* bootstrap objects cannot be linal's (linal_function_symbol) */
	if (funcid < FirstUnpinnedObjectId)
		return facts;
	if (function_facts != NULL && function_facts_valid)
	{
		entry = hash_search(function_facts, &funcid, HASH_FIND, NULL);
		if (entry != NULL)
			return *entry;
	}

	symbol = linal_function_symbol(funcid);
	if (symbol != NULL)
	{
		facts.linal = true;
		facts.tensor_work = strncmp(symbol, "tensor_", 7) == 0;
		if (strcmp(symbol, "tensor_l2_distance") == 0)
			facts.distance = LINAL_DISTANCE_L2;
		else if (strcmp(symbol, "tensor_cosine_distance") == 0)
			facts.distance = LINAL_DISTANCE_COSINE;
		else if (strcmp(symbol, "tensor_negative_inner_product") == 0)
			facts.distance = LINAL_DISTANCE_NEG_IP;
		else if (strcmp(symbol, "tensor_l1_distance") == 0)
			facts.distance = LINAL_DISTANCE_L1;
		pfree(symbol);
	}

	/*
	 * Remembered only after the lookup: an invalidation during it leaves
	 * the cache invalid, and the next call starts over.
	 */
	if (!function_invalidation_registered)
	{
		CacheRegisterSyscacheCallback(PROCOID, forget_function_facts, (Datum) 0);
		function_invalidation_registered = true;
	}
	if (function_facts == NULL || !function_facts_valid ||
		hash_get_num_entries(function_facts) >= FUNCTION_FACTS_MAX_COUNT)
	{
		HASHCTL		ctl;

		if (function_facts != NULL)
			hash_destroy(function_facts);
		function_facts = NULL;
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(FunctionFacts);
		ctl.hcxt = TopMemoryContext;
		function_facts = hash_create("linal function facts", 64, &ctl,
									 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		function_facts_valid = true;
	}
	entry = hash_search(function_facts, &funcid, HASH_ENTER, NULL);
	*entry = facts;
	return facts;
}

/* whether funcid is a C function of the linal library */
bool
linal_is_linal_function(Oid funcid)
{
	char	   *symbol = linal_function_symbol(funcid);

	if (symbol == NULL)
		return false;
	pfree(symbol);
	return true;
}

LinalDistance
linal_distance_of_function(Oid funcid)
{
	return function_facts_of(funcid).distance;
}

const char *
linal_distance_name(LinalDistance distance)
{
	switch (distance)
	{
		case LINAL_DISTANCE_L2:
			return "l2 (<->)";
		case LINAL_DISTANCE_COSINE:
			return "cosine (<=>)";
		case LINAL_DISTANCE_NEG_IP:
			return "negative inner product (<#>)";
		case LINAL_DISTANCE_L1:
			return "l1 (<+>)";
		case LINAL_DISTANCE_HAMMING:
			return "hamming (<~>)";
		case LINAL_DISTANCE_JACCARD:
			return "jaccard (<%>)";
		case LINAL_DISTANCE_NONE:
			break;
	}
	return "none";
}

/* the name the distance's SQL function uses in its errors */
const char *
linal_distance_operation(LinalDistance distance)
{
	switch (distance)
	{
		case LINAL_DISTANCE_L2:
			return "l2_distance";
		case LINAL_DISTANCE_COSINE:
			return "cosine_distance";
		case LINAL_DISTANCE_NEG_IP:
			return "negative inner product";
		case LINAL_DISTANCE_L1:
			return "l1_distance";
		case LINAL_DISTANCE_HAMMING:
			return "hamming_distance";
		case LINAL_DISTANCE_JACCARD:
			return "jaccard_distance";
		case LINAL_DISTANCE_NONE:
			break;
	}
	return "distance";
}

typedef struct PlanFacts
{
	bool		uses_linal;
	bool		computes_distance;
	bool		index_scan;
	bool		batched_scan;
	bool		scans_table;
} PlanFacts;

/*
 * linal work is a call into linal: a linal function or operator, an
 * aggregate returning a tensor, a subscript of a tensor, a cast to a tensor.
 * Merely carrying a tensor column (a scan's physical target list, SELECT v)
 * is not.
 */
static bool
expression_facts(Node *node, PlanFacts *facts)
{
	if (node == NULL)
		return false;
	switch (nodeTag(node))
	{
		case T_FuncExpr:
		case T_OpExpr:
			{
				Oid			funcid = IsA(node, FuncExpr) ? ((FuncExpr *) node)->funcid :
				((OpExpr *) node)->opfuncid;

				FunctionFacts function = function_facts_of(funcid);

				if (function.distance != LINAL_DISTANCE_NONE)
					facts->uses_linal = facts->computes_distance = true;
				/* tensor_*: tensor work; linal_*: introspection, no slot */
				else if (function.linal)
				{
					if (function.tensor_work)
						facts->uses_linal = true;
				}
				else if (!facts->uses_linal && linal_owns_type(exprType(node)))
					facts->uses_linal = true;
			}
			break;
		case T_Aggref:
		case T_WindowFunc:
			/* linal's aggregates return tensors; count(v) is not linal work */
			if (linal_owns_type(exprType(node)))
				facts->uses_linal = true;
			break;
		case T_SubscriptingRef:
			if (linal_owns_type(((SubscriptingRef *) node)->refcontainertype))
				facts->uses_linal = true;
			break;
		case T_CoerceViaIO:
		case T_ArrayCoerceExpr:
			if (linal_owns_type(exprType(node)))
				facts->uses_linal = true;
			break;
		default:
			break;
	}
	return expression_tree_walker(node, expression_facts, (void *) facts);
}

static bool
is_linal_index(Oid indexid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(indexid));
	Oid			am;

	if (!HeapTupleIsValid(tuple))
		return false;
	am = ((Form_pg_class) GETSTRUCT(tuple))->relam;
	ReleaseSysCache(tuple);
	if (!OidIsValid(hnsw_am_oid))
	{
		if (!am_invalidation_registered)
		{
			CacheRegisterSyscacheCallback(AMOID, forget_hnsw_am, (Datum) 0);
			am_invalidation_registered = true;
		}
		/* InvalidOid while linal_hnsw does not exist: asked again next time */
		hnsw_am_oid = get_am_oid("linal_hnsw", true);
	}
	return OidIsValid(am) && am == hnsw_am_oid;
}

static void plan_facts(Plan *plan, PlanFacts *facts);

static void
plan_list_facts(List *plans, PlanFacts *facts)
{
	ListCell   *lc;

	foreach(lc, plans)
		plan_facts((Plan *) lfirst(lc), facts);
}

static void
plan_facts(Plan *plan, PlanFacts *facts)
{
	if (plan == NULL)
		return;
	check_stack_depth();
	expression_facts((Node *) plan->targetlist, facts);
	expression_facts((Node *) plan->qual, facts);
	switch (nodeTag(plan))
	{
		case T_SeqScan:
		case T_SampleScan:
		case T_BitmapHeapScan:
		case T_TidScan:
		case T_TidRangeScan:
			facts->scans_table = true;
			break;
		case T_IndexScan:
			facts->scans_table = true;
			expression_facts((Node *) ((IndexScan *) plan)->indexqual, facts);
			expression_facts((Node *) ((IndexScan *) plan)->indexorderby, facts);
			if (is_linal_index(((IndexScan *) plan)->indexid))
				facts->uses_linal = facts->index_scan = true;
			break;
		case T_IndexOnlyScan:
			facts->scans_table = true;
			expression_facts((Node *) ((IndexOnlyScan *) plan)->indexqual, facts);
			expression_facts((Node *) ((IndexOnlyScan *) plan)->indexorderby, facts);
			break;
		case T_CustomScan:
			expression_facts((Node *) ((CustomScan *) plan)->custom_exprs, facts);
			if (linal_is_batch_scan(plan))
				facts->uses_linal = facts->batched_scan = true;
			plan_list_facts(((CustomScan *) plan)->custom_plans, facts);
			break;
		case T_FunctionScan:
			expression_facts((Node *) ((FunctionScan *) plan)->functions, facts);
			break;
		case T_ValuesScan:
			expression_facts((Node *) ((ValuesScan *) plan)->values_lists, facts);
			break;
		case T_Result:
			expression_facts(((Result *) plan)->resconstantqual, facts);
			break;
		case T_Append:
			plan_list_facts(((Append *) plan)->appendplans, facts);
			break;
		case T_MergeAppend:
			plan_list_facts(((MergeAppend *) plan)->mergeplans, facts);
			break;
		case T_BitmapAnd:
			plan_list_facts(((BitmapAnd *) plan)->bitmapplans, facts);
			break;
		case T_BitmapOr:
			plan_list_facts(((BitmapOr *) plan)->bitmapplans, facts);
			break;
		case T_SubqueryScan:
			plan_facts(((SubqueryScan *) plan)->subplan, facts);
			break;
		default:
			break;
	}
	plan_facts(plan->lefttree, facts);
	plan_facts(plan->righttree, facts);
}

/*
 * Whether the plan does linal work, and which scan found the rows of its
 * distance computations (index > batched > plain).
 */
bool
linal_plan_uses_linal(PlannedStmt *stmt, LinalScanKind *scan_kind)
{
	PlanFacts	facts = {0};

	*scan_kind = LINAL_SCAN_NONE;
	if (stmt == NULL || stmt->commandType == CMD_UTILITY)
		return false;
	plan_facts(stmt->planTree, &facts);
	plan_list_facts(stmt->subplans, &facts);
	if (facts.index_scan)
		*scan_kind = LINAL_SCAN_INDEX;
	else if (facts.batched_scan)
		*scan_kind = LINAL_SCAN_BATCHED;
	else if (facts.computes_distance && facts.scans_table)
		*scan_kind = LINAL_SCAN_PLAIN;
	return facts.uses_linal;
}
