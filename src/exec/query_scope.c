/*-------------------------------------------------------------------------
 *
 * query_scope.c
 *	  The per-statement scope of linal: executor and utility hooks that open
 *	  a scope for every statement a client runs, time it, hold its
 *	  admission slot once it does linal work, and feed linal_stats when it
 *	  ends.
 *
 * A statement is a top-level query (any query started while no scope is
 * running: a client's SELECT, a cursor's or CREATE TABLE AS's query, a
 * parallel worker's part of a plan) or a top-level DO or CALL.  Everything
 * that runs inside it, queries of functions (SPI, SQL functions), PL/pgSQL
 * expressions, triggers, set-returning functions, counts toward it and
 * opens no scope of its own: one slot and one entry in linal_stats per
 * statement, and one memory limit over all of it (memory_limit.c).  So a
 * statement whose own plan has no linal work but calls a function that
 * does (SELECT my_func()) is admitted, limited and counted like one that
 * does it itself; it takes its slot when the work begins.
 *
 * The running scope is the one whose Start, Run or Finish (or DO/CALL) is
 * on the stack: the hooks set it and put back the one before on the way
 * out, also on error.  A query's scope lives in the query's own context
 * (es_query_cxt), with a reset callback that unlinks it and gives back its
 * slot; Postgres deletes that context on every path: ExecutorEnd after
 * success, transaction or subtransaction abort after an error or cancel,
 * and backend exit.  A DO or CALL's scope lives on the stack of the utility
 * hook, which closes it on the way out.  So no scope outlives its
 * statement, and no slot leaks, without cleanup code on the error paths.
 *
 * A backend holds at most one slot: a statement that starts while an
 * earlier one still holds its slot (an open cursor) runs in that slot
 * rather than waiting for itself.  Parallel workers run in their leader's
 * slot and statement: they take no slot and are not counted.
 *
 * Planning outside a running statement (a client's query is planned
 * before it starts) gets a planning scope: constant folding, which can run
 * whole immutable functions, is held to the memory limit as well.  Linal
 * work outside any scope (deferred triggers fired at COMMIT, COPY FROM
 * input, ALTER TABLE ... USING, index expressions in CREATE INDEX) is not
 * limited.
 *
 * A statement notices linal work when one of its queries' plans has some
 * or when linal allocates a tensor inside it; PL/pgSQL expressions that
 * only compute distances (no tensor made, no query with linal work) are
 * not noticed, so they are neither admitted nor counted (they hold no
 * memory to limit).
 *
 * EXPLAIN without ANALYZE opens no statement scope.  A query with no linal
 * work pays one plan walk, a small allocation and a measure of the
 * statement roots (about 700 instructions under callgrind).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "optimizer/planner.h"
#include "tcop/utility.h"
#include "utils/memutils.h"

#include "exec/exec.h"

static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorRun_hook_type prev_ExecutorRun = NULL;
static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;
static ExecutorEnd_hook_type prev_ExecutorEnd = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;
static planner_hook_type prev_planner_hook = NULL;

/* open query scopes, newest first; linked through ->outer */
static LinalQueryScope *open_scopes = NULL;

/* the scope of the statement running now, or NULL */
static LinalQueryScope *running_scope = NULL;

LinalQueryScope *
linal_current_scope(void)
{
	return running_scope;
}

/*
 * The statement does linal work: count it, and take its slot if it has
 * none yet (this may wait, and may fail with 53000).
 */
void
linal_scope_note_work(LinalQueryScope *scope)
{
	scope->linal_work = true;
	if (!scope->admitted)
	{
		/*
		 * Marked only once the wait is over: a function that catches the
		 * timeout (53000) waits again at its next linal work rather than
		 * going on without a slot.
		 */
		scope->holds_slot = linal_admission_acquire();
		scope->admitted = true;
	}
}

static void
init_scope(LinalQueryScope *scope, MemoryContext query_context, Size baseline_bytes)
{
	memset(scope, 0, sizeof(LinalQueryScope));
	scope->query_context = query_context;
	scope->baseline_bytes = baseline_bytes;
	/* a worker runs in its leader's slot, and the leader counts the query */
	scope->admitted = IsParallelWorker();
	scope->counted = !IsParallelWorker();
	INSTR_TIME_SET_ZERO(scope->elapsed);
}

static void
close_scope(LinalQueryScope *scope)
{
	if (scope->holds_slot)
	{
		scope->holds_slot = false;
		linal_admission_release();
	}
}

static void
count_scope(LinalQueryScope *scope)
{
	if (scope->linal_work && scope->counted)
	{
		scope->peak_bytes = Max(scope->peak_bytes, linal_scope_memory(scope));
		linal_stats_query_done(scope, (uint64) INSTR_TIME_GET_MICROSEC(scope->elapsed));
	}
}

/*
 * executor state -> its own scope, for the hooks after Start (not inlined:
 * its loop variable would sit across the callers' PG_TRY)
 */
static pg_noinline LinalQueryScope *
scope_of(QueryDesc *queryDesc)
{
	LinalQueryScope *scope;

	if (queryDesc->estate == NULL)
		return NULL;
	for (scope = open_scopes; scope != NULL; scope = scope->outer)
		if (scope->query_context == queryDesc->estate->es_query_cxt)
			return scope;
	return NULL;
}

/* Memory context callback: the query's memory is going away. */
static void
scope_gone(void *arg)
{
	LinalQueryScope *scope = (LinalQueryScope *) arg;
	LinalQueryScope **link;

	for (link = &open_scopes; *link != NULL; link = &(*link)->outer)
	{
		if (*link == scope)
		{
			*link = scope->outer;
			break;
		}
	}
	/* not expected: the hooks put the running scope back before this */
	if (running_scope == scope)
		running_scope = NULL;
	close_scope(scope);
}

static bool
context_under(MemoryContext context, MemoryContext root)
{
	if (root == NULL)
		return false;
	for (; context != NULL; context = context->parent)
		if (context == root)
			return true;
	return false;
}

/* a context the statement roots do not hold, or NULL */
static MemoryContext
apart_from_roots(MemoryContext context)
{
	if (context_under(context, TopTransactionContext) ||
		context_under(context, linal_top_portal_context()))
		return NULL;
	return context;
}

static void
add_elapsed(LinalQueryScope *scope, instr_time since)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, since);
	INSTR_TIME_ADD(scope->elapsed, now);
}

/*
 * The planner folds immutable calls on constants (a whole tensor_fill, an
 * immutable function that runs a loop): outside a running statement that
 * work gets a planning scope of its own, on this stack, so it is held to
 * the memory limit too.  It takes no slot (the statement takes one when it
 * runs; taking one here as well would make a query wait twice) and is not
 * counted (the statement is, when it runs).
 */
static PlannedStmt *
linal_planner(Query *parse, const char *query_string, int cursor_options,
			  ParamListInfo bound_params)
{
	LinalQueryScope scope;
	bool		own_scope = (running_scope == NULL);
	PlannedStmt *result;

	if (own_scope)
	{
		init_scope(&scope, NULL, linal_statement_memory());
		scope.apart_context = apart_from_roots(CurrentMemoryContext);
		scope.admitted = true;
		scope.counted = false;
		running_scope = &scope;
	}
	PG_TRY();
	{
		if (prev_planner_hook)
			result = prev_planner_hook(parse, query_string, cursor_options, bound_params);
		else
			result = standard_planner(parse, query_string, cursor_options, bound_params);
	}
	PG_FINALLY();
	{
		if (own_scope)
			running_scope = NULL;
	}
	PG_END_TRY();
	return result;
}

static void
run_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

static void
linal_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	LinalScanKind scan_kind = LINAL_SCAN_NONE;
	bool		uses_linal;
	volatile bool holds_slot = false;
	bool		worker = IsParallelWorker();
	Size		baseline_bytes;
	instr_time	start;
	MemoryContext query_context;
	LinalQueryScope *scope;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
	{
		run_ExecutorStart(queryDesc, eflags);
		return;
	}
	uses_linal = linal_plan_uses_linal(queryDesc->plannedstmt, &scan_kind);

	/* inside a running statement: the query is part of it */
	if (running_scope != NULL)
	{
		if (uses_linal)
		{
			running_scope->scan_kind = Max(running_scope->scan_kind, scan_kind);
			linal_scope_note_work(running_scope);
		}
		run_ExecutorStart(queryDesc, eflags);
		return;
	}

	/* a statement: wait for a slot before the query holds anything else */
	if (uses_linal && !worker)
		holds_slot = linal_admission_acquire();
	baseline_bytes = linal_statement_memory();
	INSTR_TIME_SET_CURRENT(start);

	PG_TRY();
	{
		run_ExecutorStart(queryDesc, eflags);
		query_context = queryDesc->estate->es_query_cxt;
		scope = MemoryContextAlloc(query_context, sizeof(LinalQueryScope));
	}
	PG_CATCH();
	{
		if (holds_slot)
			linal_admission_release();
		PG_RE_THROW();
	}
	PG_END_TRY();

	init_scope(scope, query_context, baseline_bytes);
	scope->apart_context = apart_from_roots(query_context);
	scope->holds_slot = holds_slot;
	scope->admitted = scope->admitted || uses_linal;
	scope->linal_work = uses_linal;
	scope->scan_kind = scan_kind;
	add_elapsed(scope, start);
	scope->gone.func = scope_gone;
	scope->gone.arg = scope;
	MemoryContextRegisterResetCallback(query_context, &scope->gone);
	scope->outer = open_scopes;
	open_scopes = scope;
}

static void
linal_ExecutorRun(QueryDesc *queryDesc, ScanDirection direction, uint64 count,
				  bool execute_once)
{
	LinalQueryScope *scope = scope_of(queryDesc);
	LinalQueryScope *outer_running = running_scope;
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	if (scope != NULL)
		running_scope = scope;
	PG_TRY();
	{
		if (prev_ExecutorRun)
			prev_ExecutorRun(queryDesc, direction, count, execute_once);
		else
			standard_ExecutorRun(queryDesc, direction, count, execute_once);
	}
	PG_FINALLY();
	{
		running_scope = outer_running;
	}
	PG_END_TRY();
	if (scope != NULL)
		add_elapsed(scope, start);
}

static void
linal_ExecutorFinish(QueryDesc *queryDesc)
{
	LinalQueryScope *scope = scope_of(queryDesc);
	LinalQueryScope *outer_running = running_scope;
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	if (scope != NULL)
		running_scope = scope;
	PG_TRY();
	{
		/* AFTER triggers run here: they are part of the statement */
		if (prev_ExecutorFinish)
			prev_ExecutorFinish(queryDesc);
		else
			standard_ExecutorFinish(queryDesc);
	}
	PG_FINALLY();
	{
		running_scope = outer_running;
	}
	PG_END_TRY();
	if (scope != NULL)
		add_elapsed(scope, start);
}

static void
linal_ExecutorEnd(QueryDesc *queryDesc)
{
	LinalQueryScope *scope = scope_of(queryDesc);

	if (scope != NULL)
		count_scope(scope);
	/* deletes the query's context, and with it the scope (scope_gone) */
	if (prev_ExecutorEnd)
		prev_ExecutorEnd(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
}

static void
run_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
				   ProcessUtilityContext context, ParamListInfo params,
				   QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
							queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);
}

/*
 * DO and CALL run procedural code with no query of their own: at the top
 * level they are the statement, and what runs inside them counts toward
 * it.  Other utility statements that run queries (CREATE TABLE AS,
 * EXPLAIN ANALYZE, DECLARE, COPY) give each query a scope of its own.
 */
static void
linal_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
					 ProcessUtilityContext context, ParamListInfo params,
					 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *statement = pstmt->utilityStmt;
	LinalQueryScope scope;
	instr_time	start;

	if (running_scope != NULL || statement == NULL ||
		!(IsA(statement, DoStmt) || IsA(statement, CallStmt)))
	{
		run_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
						   queryEnv, dest, qc);
		return;
	}

	init_scope(&scope, NULL, linal_statement_memory());
	INSTR_TIME_SET_CURRENT(start);
	running_scope = &scope;
	PG_TRY();
	{
		run_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
						   queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		running_scope = NULL;
		close_scope(&scope);
	}
	PG_END_TRY();
	add_elapsed(&scope, start);
	count_scope(&scope);
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
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = linal_ProcessUtility;
	prev_planner_hook = planner_hook;
	planner_hook = linal_planner;
}
