/*-------------------------------------------------------------------------
 *
 * agg_state.h
 *	  tensor_agg_state: the transition state of sum, avg, min, max and
 *	  stack_agg over tensors, a varlena with text and binary I/O so that
 *	  partial states can leave the backend (Citus ships them between nodes
 *	  as text; parallel workers pass them in tuples).
 *
 * Layout: a fixed 56-byte header, then the values at an 8-byte aligned
 * offset: `numel` float8 sums (kind sum), `numel` float4 extremes (min,
 * max) or `count * numel` float4 rows (stack).  A stack state may carry
 * unused room after its rows (VARSIZE says how much), so appending a row
 * does not reallocate every time; text and binary output write only the
 * rows in use.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_AGG_STATE_H
#define LINAL_AGG_STATE_H

#include "postgres.h"

#include "fmgr.h"

#include "types/tensor.h"

typedef enum TensorAggKind
{
	TENSOR_AGG_SUM = 1,			/* sum and avg: float8 sums */
	TENSOR_AGG_MIN = 2,			/* float4 minima */
	TENSOR_AGG_MAX = 3,			/* float4 maxima */
	TENSOR_AGG_STACK = 4		/* float4 rows, one after another */
} TensorAggKind;

typedef struct TensorAggState
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		kind;			/* TensorAggKind */
	uint8		ndim;			/* rank of one row */
	uint16		flags;			/* reserved, always 0 */
	int64		count;			/* rows accumulated, at least 1 */
	int64		numel;			/* elements of one row */
	int32		dims[LINAL_MAX_RANK];	/* shape of one row; unused ones 0 */
	/* values follow at offset sizeof(TensorAggState), a multiple of 8 */
} TensorAggState;

#define TENSOR_AGG_STATE_VALUES(s) ((void *) ((char *) (s) + sizeof(TensorAggState)))
#define TENSOR_AGG_STATE_SUMS(s) ((double *) TENSOR_AGG_STATE_VALUES(s))
#define TENSOR_AGG_STATE_FLOATS(s) ((float *) TENSOR_AGG_STATE_VALUES(s))

/* Detoasts into an aligned value with a 4-byte header (a no-op when it already is). */
#define DatumGetTensorAggStateP(d) ((TensorAggState *) PG_DETOAST_DATUM(d))

/* bytes of one row's values: float8 sums, else float4 */
static inline Size
tensor_agg_value_bytes(TensorAggKind kind)
{
	return kind == TENSOR_AGG_SUM ? sizeof(double) : sizeof(float);
}

/* values in use: one row's for sum, min and max; count rows' for stack */
static inline int64
tensor_agg_value_count(const TensorAggState *s)
{
	return s->kind == TENSOR_AGG_STACK ? s->count * s->numel : s->numel;
}

extern TensorAggState *tensor_agg_state_allocate(TensorAggKind kind, int ndim,
												 const int32 *dims, int64 numel,
												 int64 capacity_values);
extern TensorAggState *tensor_agg_state_writable(FunctionCallInfo fcinfo, int argno);
extern void tensor_agg_require_kind(const TensorAggState *s, TensorAggKind kind,
									const char *function);
extern const char *tensor_agg_kind_name(TensorAggKind kind);

#endif							/* LINAL_AGG_STATE_H */
