/*-------------------------------------------------------------------------
 *
 * query_scope.c
 *	  The per-query scope of linal: executor hooks that open a scope for
 *	  every query whose plan does linal work, time it, hold its admission
 *	  slot and feed linal_stats when it ends.
 *
 * A scope lives in a memory context made under the query's own context
 * (es_query_cxt), with a reset callback that unlinks it and gives back its
 * admission slot.  Postgres deletes the query's context on every path:
 * ExecutorEnd after success, transaction or subtransaction abort after an
 * error or cancel, and backend exit.  So nothing of a scope outlives its
 * query, and no slot leaks, without any cleanup code on the error paths.
 *
 * Scopes nest: a query run from a function (SPI) opens an inner scope.  Only
 * the outermost one takes an admission slot and is counted in linal_stats;
 * the memory limit applies to each query's own context.
 *
 * The planner hook only marks the context planning allocates in, so
 * constant folding of linal calls is held to the memory limit as well.
 *
 * Queries with no linal work (no tensor values, functions or linal scans in
 * the plan) and EXPLAIN without ANALYZE get no scope: they pay one plan
 * walk and nothing else.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/executor.h"
#include "optimizer/planner.h"
#include "utils/memutils.h"

#include "exec/exec.h"

static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorRun_hook_type prev_ExecutorRun = NULL;
static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;
static ExecutorEnd_hook_type prev_ExecutorEnd = NULL;
static planner_hook_type prev_planner_hook = NULL;

/* while planning: the context planning allocates in (constant folding) */
static MemoryContext planning_context = NULL;

/* innermost open scope; the chain is linked through ->outer */
static LinalQueryScope *current_scope = NULL;

LinalQueryScope *
linal_current_scope(void)
{
	return current_scope;
}

MemoryContext
linal_planning_context(void)
{
	return planning_context;
}

/*
 * The planner folds immutable calls on constants (a whole tensor_fill, a
 * product of two literals): their allocations count against the memory
 * limit too, measured over the context the planner works in.
 */
static PlannedStmt *
linal_planner(Query *parse, const char *query_string, int cursor_options,
			  ParamListInfo bound_params)
{
	MemoryContext outer = planning_context;
	PlannedStmt *result;

	planning_context = CurrentMemoryContext;
	PG_TRY();
	{
		if (prev_planner_hook)
			result = prev_planner_hook(parse, query_string, cursor_options, bound_params);
		else
			result = standard_planner(parse, query_string, cursor_options, bound_params);
	}
	PG_FINALLY();
	{
		planning_context = outer;
	}
	PG_END_TRY();
	return result;
}

/* executor state -> scope, for the hooks after Start */
static LinalQueryScope *
scope_of(QueryDesc *queryDesc)
{
	LinalQueryScope *scope;

	for (scope = current_scope; scope != NULL; scope = scope->outer)
		if (queryDesc->estate != NULL && scope->query_context == queryDesc->estate->es_query_cxt)
			return scope;
	return NULL;
}

/* Memory context callback: the query's memory is going away. */
static void
scope_gone(void *arg)
{
	LinalQueryScope *scope = (LinalQueryScope *) arg;
	LinalQueryScope **link;

	for (link = &current_scope; *link != NULL; link = &(*link)->outer)
	{
		if (*link == scope)
		{
			*link = scope->outer;
			break;
		}
	}
	if (scope->holds_slot)
	{
		scope->holds_slot = false;
		linal_admission_release();
	}
}

static void
add_elapsed(LinalQueryScope *scope, instr_time since)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, since);
	INSTR_TIME_ADD(scope->elapsed, now);
}

static void
linal_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	LinalScanKind scan_kind = LINAL_SCAN_NONE;
	bool		top_level = (current_scope == NULL);
	volatile bool holds_slot = false;
	instr_time	start;
	MemoryContext context;
	LinalQueryScope *scope;
	MemoryContextCallback *callback;

	if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) ||
		!linal_plan_uses_linal(queryDesc->plannedstmt, &scan_kind))
	{
		if (prev_ExecutorStart)
			prev_ExecutorStart(queryDesc, eflags);
		else
			standard_ExecutorStart(queryDesc, eflags);
		return;
	}

	/* wait for a slot before the query holds anything else */
	if (top_level)
		holds_slot = linal_admission_acquire();
	INSTR_TIME_SET_CURRENT(start);

	PG_TRY();
	{
		if (prev_ExecutorStart)
			prev_ExecutorStart(queryDesc, eflags);
		else
			standard_ExecutorStart(queryDesc, eflags);

		context = AllocSetContextCreate(queryDesc->estate->es_query_cxt,
										"linal query scope",
										ALLOCSET_SMALL_SIZES);
		scope = MemoryContextAllocZero(context, sizeof(LinalQueryScope));
		callback = MemoryContextAlloc(context, sizeof(MemoryContextCallback));
	}
	PG_CATCH();
	{
		if (holds_slot)
			linal_admission_release();
		PG_RE_THROW();
	}
	PG_END_TRY();

	scope->context = context;
	scope->query_context = queryDesc->estate->es_query_cxt;
	scope->outer = current_scope;
	scope->holds_slot = holds_slot;
	scope->counted = top_level;
	scope->scan_kind = scan_kind;
	INSTR_TIME_SET_ZERO(scope->elapsed);
	add_elapsed(scope, start);
	callback->func = scope_gone;
	callback->arg = scope;
	MemoryContextRegisterResetCallback(context, callback);
	current_scope = scope;
}

static void
linal_ExecutorRun(QueryDesc *queryDesc, ScanDirection direction, uint64 count,
				  bool execute_once)
{
	LinalQueryScope *scope = scope_of(queryDesc);
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	if (prev_ExecutorRun)
		prev_ExecutorRun(queryDesc, direction, count, execute_once);
	else
		standard_ExecutorRun(queryDesc, direction, count, execute_once);
	if (scope != NULL)
		add_elapsed(scope, start);
}

static void
linal_ExecutorFinish(QueryDesc *queryDesc)
{
	LinalQueryScope *scope = scope_of(queryDesc);
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	if (prev_ExecutorFinish)
		prev_ExecutorFinish(queryDesc);
	else
		standard_ExecutorFinish(queryDesc);
	if (scope != NULL)
		add_elapsed(scope, start);
}

static void
linal_ExecutorEnd(QueryDesc *queryDesc)
{
	LinalQueryScope *scope = scope_of(queryDesc);

	if (scope != NULL && scope->counted)
	{
		Size		held = linal_scope_memory(scope);

		scope->peak_bytes = Max(scope->peak_bytes, held);
		linal_stats_query_done(scope, (uint64) INSTR_TIME_GET_MICROSEC(scope->elapsed));
	}
	/* deletes the query's context, and with it the scope (scope_gone) */
	if (prev_ExecutorEnd)
		prev_ExecutorEnd(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
}

void
linal_query_scope_init(void)
{
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = linal_ExecutorStart;
	prev_ExecutorRun = ExecutorRun_hook;
	ExecutorRun_hook = linal_ExecutorRun;
	prev_ExecutorFinish = ExecutorFinish_hook;
	ExecutorFinish_hook = linal_ExecutorFinish;
	prev_ExecutorEnd = ExecutorEnd_hook;
	ExecutorEnd_hook = linal_ExecutorEnd;
	prev_planner_hook = planner_hook;
	planner_hook = linal_planner;
}
