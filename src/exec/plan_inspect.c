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
 * and forgotten on any change to pg_type.
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
#include "utils/inval.h"
#include "utils/syscache.h"

#include "exec/exec.h"

static Oid	tensor_type_oid = InvalidOid;
static bool invalidation_registered = false;

static void
forget_tensor_type(Datum arg, int cacheid, uint32 hashvalue)
{
	tensor_type_oid = InvalidOid;
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

LinalDistance
linal_distance_of_function(Oid funcid)
{
	char	   *symbol = linal_function_symbol(funcid);
	LinalDistance distance = LINAL_DISTANCE_NONE;

	if (symbol == NULL)
		return LINAL_DISTANCE_NONE;
	if (strcmp(symbol, "tensor_l2_distance") == 0)
		distance = LINAL_DISTANCE_L2;
	else if (strcmp(symbol, "tensor_cosine_distance") == 0)
		distance = LINAL_DISTANCE_COSINE;
	else if (strcmp(symbol, "tensor_negative_inner_product") == 0)
		distance = LINAL_DISTANCE_NEG_IP;
	else if (strcmp(symbol, "tensor_l1_distance") == 0)
		distance = LINAL_DISTANCE_L1;
	pfree(symbol);
	return distance;
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
	char	   *symbol;

	if (node == NULL)
		return false;
	switch (nodeTag(node))
	{
		case T_FuncExpr:
		case T_OpExpr:
			{
				Oid			funcid = IsA(node, FuncExpr) ? ((FuncExpr *) node)->funcid :
				((OpExpr *) node)->opfuncid;

				if (linal_distance_of_function(funcid) != LINAL_DISTANCE_NONE)
					facts->uses_linal = facts->computes_distance = true;
				else if (!facts->uses_linal && (symbol = linal_function_symbol(funcid)) != NULL)
				{
					/* tensor_*: tensor work; linal_*: introspection, no slot */
					if (strncmp(symbol, "tensor_", 7) == 0)
						facts->uses_linal = true;
					pfree(symbol);
				}
				else if (linal_owns_type(exprType(node)))
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
	char	   *name;
	bool		result;

	if (!HeapTupleIsValid(tuple))
		return false;
	am = ((Form_pg_class) GETSTRUCT(tuple))->relam;
	ReleaseSysCache(tuple);
	name = get_am_name(am);
	result = name != NULL && strcmp(name, "linal_hnsw") == 0;
	if (name)
		pfree(name);
	return result;
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
