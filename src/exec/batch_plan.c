/*-------------------------------------------------------------------------
 *
 * batch_plan.c
 *	  Planner half of the batched scan: a set_rel_pathlist hook that offers
 *	  a CustomPath for
 *		SELECT ... FROM t [WHERE ...] ORDER BY col <op> q LIMIT k
 *		SELECT ... FROM t WHERE col <op> q < r [AND ...]
 *	  where <op> is one of linal's distance operators (or its function), q
 *	  an expression without columns (a constant or a parameter), and t a
 *	  plain table scanned alone.
 *
 * The path competes on cost with the plain plan (a scan that calls the
 * distance function per row, then a top-N sort) and with index scans.  Its
 * cost is the sequential scan's, with the distance work charged at a
 * quarter of the per-row function call it replaces (what bench/exec
 * measures it saves, rounded down; the TOAST fetches of wide vectors in
 * full, as it does them too) and a heap of k rows instead of a sort.
 * linal.batched_execution = off withdraws the path.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_class.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"

#include "algebra/algebra.h"
#include "exec/batch_scan.h"

/* share of the plain plan's per-row distance cost the batched scan pays */
#define BATCH_DISTANCE_COST_SHARE 0.25

typedef struct DistanceMatch
{
	LinalDistance kind;
	AttrNumber	attno;
	bool		var_left;
	Expr	   *query;
	Expr	   *distance;		/* the whole distance expression */
} DistanceMatch;

typedef struct FilterMatch
{
	DistanceMatch distance;
	Expr	   *bound;
	bool		inclusive;
	Expr	   *clause;
} FilterMatch;

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;

/* a side that is fixed for the whole scan: no columns, nothing volatile */
static bool
is_scan_constant(Node *node)
{
	return !contain_var_clause(node) && !contain_volatile_functions(node) &&
		!contain_subplans(node);
}

static bool
is_column_of(Node *node, Index relid)
{
	Var		   *var = (Var *) node;

	return IsA(node, Var) && var->varno == relid && var->varlevelsup == 0 &&
		var->varattno > 0;
}

/* col <op> q, q <op> col, or the function-call form */
static bool
match_distance(Expr *expr, Index relid, DistanceMatch *match)
{
	Oid			funcid;
	List	   *args;
	Node	   *left;
	Node	   *right;

	if (IsA(expr, OpExpr))
	{
		funcid = get_opcode(((OpExpr *) expr)->opno);
		args = ((OpExpr *) expr)->args;
	}
	else if (IsA(expr, FuncExpr))
	{
		funcid = ((FuncExpr *) expr)->funcid;
		args = ((FuncExpr *) expr)->args;
	}
	else
		return false;
	if (list_length(args) != 2)
		return false;
	match->kind = linal_distance_of_function(funcid);
	if (match->kind == LINAL_DISTANCE_NONE)
		return false;
	left = linitial(args);
	right = lsecond(args);
	if (is_column_of(left, relid) && is_scan_constant(right))
	{
		match->attno = ((Var *) left)->varattno;
		match->var_left = true;
		match->query = (Expr *) right;
	}
	else if (is_column_of(right, relid) && is_scan_constant(left))
	{
		match->attno = ((Var *) right)->varattno;
		match->var_left = false;
		match->query = (Expr *) left;
	}
	else
		return false;
	match->distance = expr;
	return true;
}

/* distance < bound, distance <= bound, bound > distance, bound >= distance */
static bool
match_filter(RestrictInfo *rinfo, Index relid, FilterMatch *match)
{
	OpExpr	   *op = (OpExpr *) rinfo->clause;
	Oid			funcid;
	Node	   *left;
	Node	   *right;

	if (rinfo->pseudoconstant || !IsA(op, OpExpr) || list_length(op->args) != 2)
		return false;
	funcid = get_opcode(op->opno);
	left = linitial(op->args);
	right = lsecond(op->args);
	switch (funcid)
	{
		case F_FLOAT8LT:
		case F_FLOAT8LE:
			match->inclusive = (funcid == F_FLOAT8LE);
			if (!match_distance((Expr *) left, relid, &match->distance) || !is_scan_constant(right))
				return false;
			match->bound = (Expr *) right;
			break;
		case F_FLOAT8GT:
		case F_FLOAT8GE:
			match->inclusive = (funcid == F_FLOAT8GE);
			if (!match_distance((Expr *) right, relid, &match->distance) || !is_scan_constant(left))
				return false;
			match->bound = (Expr *) left;
			break;
		default:
			return false;
	}
	match->clause = rinfo->clause;
	return true;
}

/* ORDER BY <distance> ASC NULLS LAST as the query's only sort key */
static bool
match_order(PlannerInfo *root, Index relid, DistanceMatch *match)
{
	PathKey    *pathkey;
	ListCell   *lc;

	if (list_length(root->query_pathkeys) != 1)
		return false;
	pathkey = linitial(root->query_pathkeys);
	if (pathkey->pk_strategy != BTLessStrategyNumber || pathkey->pk_nulls_first)
		return false;
	foreach(lc, pathkey->pk_eclass->ec_members)
	{
		EquivalenceMember *member = (EquivalenceMember *) lfirst(lc);

		if (match_distance(member->em_expr, relid, match))
			return true;
	}
	return false;
}

static Cost
per_row_cost(PlannerInfo *root, Node *expr)
{
	QualCost	cost;

	cost_qual_eval_node(&cost, expr, root);
	return cost.per_tuple;
}

/*
 * The part of a distance call's cost that is its TOAST fetches
 * (distance_cost.c): the batched scan detoasts wide vectors as the plain
 * plan does, so it saves nothing of that part.
 */
static Cost
toast_cost(Expr *distance)
{
	List	   *args;
	int			stored;
	double		elements;

	if (IsA(distance, OpExpr))
		args = ((OpExpr *) distance)->args;
	else if (IsA(distance, FuncExpr))
		args = ((FuncExpr *) distance)->args;
	else
		return 0;
	elements = linal_distance_elements(args, &stored);
	if (elements < 0)
		return 0;
	return stored * (linal_distance_cost(elements, true) - linal_distance_cost(elements, false));
}

static void
linal_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti, RangeTblEntry *rte)
{
	DistanceMatch order;
	bool		has_order;
	FilterMatch filters[BATCH_MAX_FILTERS];
	int			filter_count = 0;
	double		limit_k = 0;
	ListCell   *lc;
	Path	   *seqscan;
	CustomPath *path;
	Cost		saved = 0;
	Cost		extra = 0;
	List	   *private_ints;
	List	   *filter_exprs = NIL;
	int			i;

	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);

	if (!linal_batched_execution || rel->reloptkind != RELOPT_BASEREL ||
		rte->rtekind != RTE_RELATION || rte->inh || rte->tablesample != NULL ||
		(rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_MATVIEW) ||
		!bms_is_empty(rel->lateral_relids) ||
		bms_membership(root->all_baserels) != BMS_SINGLETON ||
		root->parse->rowMarks != NIL)
		return;

	/* rows come out of a virtual slot: no system columns */
	for (i = rel->min_attr; i < 0; i++)
		if (!bms_is_empty(rel->attr_needed[i - rel->min_attr]))
			return;

	/* a LIMIT known at plan time makes the top-k heap bounded */
	has_order = root->limit_tuples > 0 && root->limit_tuples <= LINAL_BATCH_MAX_LIMIT &&
		match_order(root, rti, &order);
	if (has_order)
		limit_k = root->limit_tuples;

	foreach(lc, rel->baserestrictinfo)
	{
		if (filter_count < BATCH_MAX_FILTERS &&
			match_filter(lfirst_node(RestrictInfo, lc), rti, &filters[filter_count]))
			filter_count++;
	}
	if (!has_order && filter_count == 0)
		return;

	/* cost: a sequential scan, with the distance work done in batches */
	seqscan = create_seqscan_path(root, rel, NULL, 0);
	for (i = 0; i < filter_count; i++)
		saved += (1.0 - BATCH_DISTANCE_COST_SHARE) * rel->tuples *
			(per_row_cost(root, (Node *) filters[i].clause) - toast_cost(filters[i].distance.distance));
	if (has_order)
	{
		Cost		toast = toast_cost(order.distance);

		extra = rel->rows * (BATCH_DISTANCE_COST_SHARE * (per_row_cost(root, (Node *) order.distance) - toast) +
							 toast + cpu_operator_cost * log2(limit_k + 1.0));
	}

	path = makeNode(CustomPath);
	path->path.pathtype = T_CustomScan;
	path->path.parent = rel;
	path->path.pathtarget = rel->reltarget;
	path->path.param_info = NULL;
	path->path.parallel_aware = false;
	path->path.parallel_safe = false;
	path->path.parallel_workers = 0;
	path->path.rows = has_order ? Min(rel->rows, limit_k) : rel->rows;
	path->path.total_cost = Max(seqscan->total_cost - saved, seqscan->startup_cost) + extra;
	/* ordered output comes only after the whole scan */
	path->path.startup_cost = has_order ? path->path.total_cost : seqscan->startup_cost;
	path->path.pathkeys = has_order ? root->query_pathkeys : NIL;
	path->flags = CUSTOMPATH_SUPPORT_PROJECTION;
	path->custom_paths = NIL;

	private_ints = list_make5_int(has_order ? order.kind : LINAL_DISTANCE_NONE,
								  has_order ? order.attno : 0,
								  has_order ? order.var_left : 0,
								  (int) limit_k,
								  filter_count);
	for (i = 0; i < filter_count; i++)
	{
		private_ints = lappend_int(private_ints, filters[i].distance.kind);
		private_ints = lappend_int(private_ints, filters[i].distance.attno);
		private_ints = lappend_int(private_ints, filters[i].distance.var_left);
		private_ints = lappend_int(private_ints, filters[i].inclusive);
		filter_exprs = lappend(filter_exprs, filters[i].distance.query);
		filter_exprs = lappend(filter_exprs, filters[i].bound);
		/* remembered so PlanCustomPath leaves the clause out of the quals */
		filter_exprs = lappend(filter_exprs, filters[i].clause);
	}
	path->custom_private = list_make3(private_ints,
									  has_order ? (Node *) order.query : NULL,
									  filter_exprs);
	path->methods = &linal_batch_path_methods;
	add_path(rel, &path->path);
}

static Plan *
plan_batch_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
				List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *scan = makeNode(CustomScan);
	List	   *private_ints = linitial(best_path->custom_private);
	Node	   *order_query = lsecond(best_path->custom_private);
	List	   *path_filters = lthird(best_path->custom_private);
	List	   *filter_exprs = NIL;
	List	   *filter_clauses = NIL;
	List	   *quals = NIL;
	ListCell   *lc;
	int			i = 0;

	/* path_filters holds (query, bound, clause) triples */
	foreach(lc, path_filters)
	{
		if (i % 3 == 2)
			filter_clauses = lappend(filter_clauses, lfirst(lc));
		else
			filter_exprs = lappend(filter_exprs, lfirst(lc));
		i++;
	}
	foreach(lc, extract_actual_clauses(clauses, false))
	{
		if (!list_member(filter_clauses, lfirst(lc)))
			quals = lappend(quals, lfirst(lc));
	}

	scan->scan.plan.targetlist = tlist;
	scan->scan.plan.qual = NIL;
	scan->scan.scanrelid = rel->relid;
	scan->flags = best_path->flags;
	scan->custom_plans = NIL;
	scan->custom_exprs = list_make3(order_query, filter_exprs, quals);
	/*
	 * One inner integer list, never bare integers: other extensions (Citus)
	 * read the first element of every CustomScan's custom_private as a Node
	 * to tell their scans from others'.
	 */
	scan->custom_private = list_make1(private_ints);
	scan->custom_scan_tlist = NIL;
	scan->methods = &linal_batch_scan_methods;
	return &scan->scan.plan;
}

const CustomPathMethods linal_batch_path_methods = {
	.CustomName = BATCH_SCAN_NAME,
	.PlanCustomPath = plan_batch_path,
};

bool
linal_is_batch_scan(Plan *plan)
{
	return IsA(plan, CustomScan) && ((CustomScan *) plan)->methods == &linal_batch_scan_methods;
}

void
linal_batch_scan_init(void)
{
	RegisterCustomScanMethods(&linal_batch_scan_methods);
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = linal_set_rel_pathlist;
}
