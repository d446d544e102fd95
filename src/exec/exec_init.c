/*-------------------------------------------------------------------------
 *
 * exec_init.c
 *	  The GUCs of the execution layer and the installation of its hooks.
 *
 * The GUCs that bound what one query may cost the server (memory, the
 * wait for a slot) are PGC_SUSET: a role that could raise them could lift
 * the limits they exist for.  A superuser sets them in postgresql.conf, per
 * role or database (ALTER ROLE ... SET), or grants the right (GRANT SET ON
 * PARAMETER).  A "lower only" rule for other roles is not offered: a GUC
 * check hook does not see who sets a value nor the value it replaces, so it
 * cannot tell lowering from raising reliably (SET LOCAL, RESET, reloads).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "postmaster/postmaster.h"
#include "utils/guc.h"

#include "exec/exec.h"
#include "types/tensor.h"

int			linal_max_query_memory_kb = 0;
int			linal_max_concurrent_queries = 0;
int			linal_queue_timeout_ms = 10000;
bool		linal_batched_execution = true;
int			linal_batch_size = 1024;

void
linal_exec_init(void)
{
	DefineCustomIntVariable("linal.max_query_memory",
							"Most memory a query doing linal work may hold; 0 means no limit.",
							"Measured over the query's memory contexts when linal allocates; past it the query fails with SQLSTATE 53200.",
							&linal_max_query_memory_kb,
							0, 0, MAX_KILOBYTES,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("linal.max_concurrent_queries",
							"Most queries doing linal work that run at once; 0 means no limit.",
							"Further queries wait up to linal.queue_timeout.  Needs linal in shared_preload_libraries.",
							&linal_max_concurrent_queries,
							0, 0, MAX_BACKENDS,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("linal.queue_timeout",
							"Longest wait for a linal query slot; 0 means wait until cancelled.",
							"A query that waits longer fails with SQLSTATE 53000.",
							&linal_queue_timeout_ms,
							10000, 0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("linal.batched_execution",
							 "Lets the planner use linal's batched scan for exact nearest-neighbour and distance-filter queries.",
							 NULL,
							 &linal_batched_execution,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("linal.batch_size",
							"Most rows the batched scan reads and scores as one batch.",
							NULL,
							&linal_batch_size,
							1024, 1, LINAL_MAX_BATCH_SIZE,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	linal_shmem_init();
	linal_query_scope_init();
	linal_batch_scan_init();
	linal_pgvector_settings_init();
	tensor_allocation_hook = linal_memory_check;
}
