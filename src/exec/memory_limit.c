/*-------------------------------------------------------------------------
 *
 * memory_limit.c
 *	  linal.max_query_memory: a query that does linal work may hold at most
 *	  this much memory; past it, it fails with SQLSTATE 53200.
 *
 * What is measured is the memory the query's context tree (es_query_cxt
 * and every context under it: per-tuple memory, aggregate states, sorts)
 * holds from the allocator at the moment linal allocates a tensor or grows
 * an aggregate buffer: the memory the query is costing the backend then.
 * Walking the tree costs a little, so it is measured for every request of
 * 64 kB or more and for every 32nd smaller one; between two measures a
 * query can therefore pass the limit by at most 31 requests under 64 kB
 * (2 MB).  The request itself is counted before it is allocated, so a
 * single huge tensor is refused without being allocated.
 *
 * While the planner folds constants (no query context yet) the context it
 * works in is measured instead.
 *
 * The error leaves the session usable with its memory back: the query's
 * contexts are deleted by the abort like after any error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "exec/exec.h"
#include "types/tensor.h"

#define MEASURE_ALWAYS_BYTES ((Size) 64 * 1024)
#define MEASURE_EVERY_COUNT 32

Size
linal_scope_memory(LinalQueryScope *scope)
{
	return MemoryContextMemAllocated(scope->query_context, true);
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
	MemoryContext planning = linal_planning_context();
	Size		limit = (Size) linal_max_query_memory_kb * 1024;
	Size		held;

	if (scope == NULL)
	{
		/* constant folding while planning: not counted in the statistics */
		if (planning == NULL || linal_max_query_memory_kb == 0)
			return;
		held = MemoryContextMemAllocated(planning, true);
		if (held + request_bytes > limit)
			refuse(held, request_bytes);
		return;
	}
	if (request_bytes < MEASURE_ALWAYS_BYTES && ++scope->allocations < MEASURE_EVERY_COUNT)
		return;
	scope->allocations = 0;
	held = linal_scope_memory(scope);
	scope->peak_bytes = Max(scope->peak_bytes, held + request_bytes);
	if (linal_max_query_memory_kb != 0 && held + request_bytes > limit)
		refuse(held, request_bytes);
}
