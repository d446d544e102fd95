/*-------------------------------------------------------------------------
 *
 * exec.h
 *	  The execution layer: query scope and memory limit, admission control,
 *	  the batched scan and the statistics behind linal_stats.
 *
 * Everything here is Postgres integration (executor, planner and shared
 * memory hooks).  Features that need shared memory (admission control and
 * linal_stats) work only when linal is in shared_preload_libraries; without
 * it linal_shared is NULL and they report themselves off.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_EXEC_H
#define LINAL_EXEC_H

#include "nodes/execnodes.h"
#include "portability/instr_time.h"
#include "port/atomics.h"
#include "storage/spin.h"

#include "pg_compat.h"

/* ---- GUCs ---- */
extern int	linal_max_query_memory_kb;	/* 0: no limit */
extern int	linal_max_concurrent_queries;	/* 0: no limit */
extern int	linal_queue_timeout_ms; /* 0: wait until cancelled */
extern bool linal_batched_execution;
extern int	linal_batch_size;

#define LINAL_MAX_BATCH_SIZE 65536
/* the batched scan keeps at most this many rows for ORDER BY ... LIMIT k */
#define LINAL_BATCH_MAX_LIMIT 100000

/* ---- shared memory (shmem.c) ---- */

/* latency histogram: four buckets per power of two of microseconds (stats.c) */
#define LINAL_LATENCY_BUCKETS 160

/* how a query that computed distances over table rows found its rows */
typedef enum LinalScanKind
{
	LINAL_SCAN_NONE,			/* no table rows, or no linal work on them */
	LINAL_SCAN_PLAIN,
	LINAL_SCAN_BATCHED,
	LINAL_SCAN_INDEX
} LinalScanKind;

typedef struct LinalShared
{
	/* admission control: mutex protects these and the queue (admission.c) */
	slock_t		mutex;
	int			active_queries; /* linal queries running now */
	int			queue_head;		/* pgprocno of the first waiter, or -1 */
	int			queue_tail;

	/* statistics (linal_stats) */
	pg_atomic_uint64 queries;
	pg_atomic_uint64 latency_buckets[LINAL_LATENCY_BUCKETS];
	pg_atomic_uint64 total_latency_us;
	pg_atomic_uint64 peak_query_memory_bytes;
	pg_atomic_uint64 memory_limit_errors;
	pg_atomic_uint64 queue_waits;
	pg_atomic_uint64 queue_timeouts;
	pg_atomic_uint64 index_scans;
	pg_atomic_uint64 batched_scans;
	pg_atomic_uint64 plain_scans;
	pg_atomic_uint64 batches;
	pg_atomic_uint64 reset_time;	/* TimestampTz of the last reset */
} LinalShared;

extern LinalShared *linal_shared;

extern void linal_shmem_init(void);
extern void linal_report_shared_memory_off(const char *feature);

/* ---- query scope (query_scope.c) ---- */

/*
 * The scope of one statement a client (or a parallel leader) runs: a
 * top-level query, or a DO or CALL.  Queries run inside it (functions,
 * triggers, SPI) open no scope of their own; they count toward it.
 */
typedef struct LinalQueryScope
{
	struct LinalQueryScope *outer;	/* the chain of open scopes */
	MemoryContext query_context;	/* es_query_cxt of a query; NULL for DO/CALL */
	MemoryContextCallback gone;	/* on query_context: closes the scope */
	MemoryContext apart_context;	/* measured whole: not under the roots */
	bool		holds_slot;
	bool		admitted;		/* asked for a slot already (or needs none) */
	bool		linal_work;		/* did linal work: goes into linal_stats */
	bool		counted;		/* may go into linal_stats (not in a worker) */
	LinalScanKind scan_kind;
	instr_time	elapsed;		/* time inside Start, Run, Finish (or DO/CALL) */
	Size		baseline_bytes; /* statement memory when the scope opened */
	Size		peak_bytes;		/* most memory the statement added, measured */
	uint32		allocations;	/* linal allocations since the last measure */
} LinalQueryScope;

extern void linal_query_scope_init(void);

/* ---- pgvector's settings without pgvector (pgvector_settings.c) ---- */
extern void linal_pgvector_settings_init(void);
extern LinalQueryScope *linal_current_scope(void);
extern void linal_scope_note_work(LinalQueryScope *scope);

/* ---- memory limit (memory_limit.c) ---- */
extern void linal_memory_check(Size request_bytes);
extern MemoryContext linal_top_portal_context(void);
extern Size linal_statement_memory(void);
extern Size linal_scope_memory(LinalQueryScope *scope);

/* ---- admission control (admission.c) ---- */
extern Size linal_admission_shmem_size(void);
extern void linal_admission_shmem_init(void);
extern bool linal_admission_acquire(void);
extern void linal_admission_release(void);

/* ---- plan inspection (plan_inspect.c) ---- */

typedef enum LinalDistance
{
	LINAL_DISTANCE_NONE,
	LINAL_DISTANCE_L2,			/* <-> */
	LINAL_DISTANCE_COSINE,		/* <=> */
	LINAL_DISTANCE_NEG_IP,		/* <#> */
	LINAL_DISTANCE_L1,			/* <+> */
	/* of bit keys: linal_hnsw's alone (the batched scan reads tensors) */
	LINAL_DISTANCE_HAMMING,		/* <~> */
	LINAL_DISTANCE_JACCARD		/* <%> */
} LinalDistance;

extern bool linal_owns_type(Oid typid);
extern LinalDistance linal_distance_of_function(Oid funcid);
extern bool linal_is_linal_function(Oid funcid);
extern const char *linal_distance_name(LinalDistance distance);
extern const char *linal_distance_operation(LinalDistance distance);
extern bool linal_plan_uses_linal(PlannedStmt *stmt, LinalScanKind *scan_kind);

/* ---- batched scan (batch_plan.c, batch_scan.c) ---- */
extern void linal_batch_scan_init(void);
extern bool linal_is_batch_scan(Plan *plan);

/* ---- statistics (stats.c) ---- */
extern void linal_stats_query_done(LinalQueryScope *scope, uint64 elapsed_us);
extern void linal_stats_count_batches(uint64 batches);

/* ---- GUCs and hooks of the layer (exec_init.c) ---- */
extern void linal_exec_init(void);

#endif							/* LINAL_EXEC_H */
