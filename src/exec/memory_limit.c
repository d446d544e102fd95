/*-------------------------------------------------------------------------
 *
 * memory_limit.c
 *	  linal.max_query_memory: a statement that does linal work may add at
 *	  most this much memory; past it, it fails with SQLSTATE 53200.
 *
 * What is measured is the statement, not one query: the memory that the
 * transaction's context tree (TopTransactionContext: SPI and PL/pgSQL
 * function memory, PL/pgSQL expressions, trigger state) and the portals'
 * tree (TopPortalContext: every query's executor state, cursors, DO and
 * CALL) hold from the allocator, less what they held when the statement's
 * scope opened (query_scope.c).  So tensors that pile up in a function's
 * variables, or across the queries a function runs, count as one; memory
 * of earlier statements of the transaction does not.  It is measured when
 * linal allocates a tensor or grows an aggregate buffer.  Walking the trees
 * costs a little, so it is measured for every request of 64 kB or more
 * and for every 32nd smaller one; between two measures a statement can
 * therefore pass the limit by at most 31 requests under 64 kB (2 MB).  The
 * request itself is counted before it is allocated, so a single huge
 * tensor is refused without being allocated.
 *
 * While the planner folds constants of a statement (its scope opens only
 * when it runs), a planning scope measures the same roots and, in full,
 * the context the planner works in (MessageContext for a client's query).
 *
 * The error leaves the session usable with its memory back: the
 * statement's contexts are deleted by the abort like after any error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "exec/exec.h"
#include "types/tensor.h"

#define MEASURE_ALWAYS_BYTES ((Size) 64 * 1024)
#define MEASURE_EVERY_COUNT 32

/*
 * The parent of every portal's context.  Postgres does not export it; it is
 * made once per backend under TopMemoryContext and never deleted, so it is
 * looked up by name once.
 */
MemoryContext
linal_top_portal_context(void)
{
	static MemoryContext top_portal = NULL;
	MemoryContext child;

	if (top_portal != NULL)
		return top_portal;
	for (child = TopMemoryContext->firstchild; child != NULL; child = child->nextchild)
	{
		if (strcmp(child->name, "TopPortalContext") == 0)
		{
			top_portal = child;
			break;
		}
	}
	return top_portal;
}

/* what the statement roots hold now (see the top of the file) */
Size
linal_statement_memory(void)
{
	MemoryContext top_portal = linal_top_portal_context();
	Size		bytes = 0;

	if (TopTransactionContext != NULL)
		bytes += MemoryContextMemAllocated(TopTransactionContext, true);
	if (top_portal != NULL)
		bytes += MemoryContextMemAllocated(top_portal, true);
	return bytes;
}

/* what the scope's statement added since it began */
Size
linal_scope_memory(LinalQueryScope *scope)
{
	Size		now = linal_statement_memory();
	Size		added = now > scope->baseline_bytes ? now - scope->baseline_bytes : 0;

	if (scope->apart_context != NULL)
		added += MemoryContextMemAllocated(scope->apart_context, true);
	return added;
}

static void
refuse(Size held, Size request_bytes)
{
	if (linal_shared != NULL)
		pg_atomic_fetch_add_u64(&linal_shared->memory_limit_errors, 1);
	ereport(ERROR,
			(errcode(ERRCODE_OUT_OF_MEMORY),
			 errmsg("query memory limit of linal exceeded"),
			 errdetail("The query holds %zu kB and needs %zu kB more; linal.max_query_memory is %d kB.",
					   held / 1024, (request_bytes + 1023) / 1024,
					   linal_max_query_memory_kb),
			 errhint("Raise linal.max_query_memory, or work on fewer or smaller tensors per query.")));
}

void
linal_memory_check(Size request_bytes)
{
	LinalQueryScope *scope = linal_current_scope();
	Size		limit = (Size) linal_max_query_memory_kb * 1024;
	Size		held;

	/* outside any statement (see the top of query_scope.c) */
	if (scope == NULL)
		return;
	linal_scope_note_work(scope);
	if (request_bytes < MEASURE_ALWAYS_BYTES && ++scope->allocations < MEASURE_EVERY_COUNT)
		return;
	scope->allocations = 0;
	held = linal_scope_memory(scope);
	scope->peak_bytes = Max(scope->peak_bytes, held + request_bytes);
	if (linal_max_query_memory_kb != 0 && held + request_bytes > limit)
		refuse(held, request_bytes);
}
