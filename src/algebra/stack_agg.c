/*-------------------------------------------------------------------------
 *
 * stack_agg.c
 *	  stack_agg(tensor): rows into one tensor with a new leading axis, in
 *	  aggregation order (so ORDER BY inside the call orders the rows).
 *
 * n rows of shape s give shape (n, s...).  Rows must share one shape; NULL
 * rows are skipped; no rows give NULL.  The state is a tensor_agg_state of
 * kind stack (agg_state.h): the rows one after another, with room to grow.
 * A row that fits is appended in place; when the room runs out a state
 * twice as large is built and returned (Postgres copies it into the
 * aggregate context and frees the old one), so appending stays amortized
 * O(row).  It is refused (54000) before the result would pass the tensor
 * size limits.  Partial states (parallel workers, Citus shards) are
 * concatenated in the order they are combined, so without ORDER BY the row
 * order is unspecified, as for array_agg.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

#include "algebra/agg_state.h"
#include "algebra/algebra.h"

/* floats of room a new state starts with (unless its rows are empty) */
#define STACK_MIN_CAPACITY 64

static int64
capacity_values(const TensorAggState *s)
{
	return (int64) ((VARSIZE(s) - sizeof(TensorAggState)) / sizeof(float));
}

/*
 * s with `count` more rows appended: s itself when they fit, else a larger
 * copy in CurrentMemoryContext.
 */
static TensorAggState *
append_rows(TensorAggState *s, const float *rows, int64 count)
{
	int64		total_rows = s->count + count;
	int64		needed = total_rows * s->numel;
	int64		used = s->count * s->numel;

	if (total_rows > LINAL_MAX_DIM || needed > LINAL_MAX_ELEMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("stack_agg result would exceed the tensor size limits"),
				 errdetail("%lld rows of shape %s; a tensor holds at most %d elements.",
						   (long long) total_rows, tensor_shape_string(s->ndim, s->dims),
						   LINAL_MAX_ELEMENTS)));
	if (needed > capacity_values(s))
	{
		int64		capacity = Max(capacity_values(s) * 2, Max(needed, STACK_MIN_CAPACITY));
		TensorAggState *larger;

		capacity = Min(capacity, (int64) LINAL_MAX_ELEMENTS);
		larger = tensor_agg_state_allocate(TENSOR_AGG_STACK, s->ndim, s->dims, s->numel,
										   capacity);
		larger->count = s->count;
		/* the room after the rows is never read: output and final stop at count */
		memcpy(TENSOR_AGG_STATE_FLOATS(larger), TENSOR_AGG_STATE_FLOATS(s),
			   sizeof(float) * used);
		s = larger;
	}
	if (count * s->numel > 0)
		memcpy(TENSOR_AGG_STATE_FLOATS(s) + used, rows, sizeof(float) * count * s->numel);
	s->count = total_rows;
	return s;
}

static void
require_row_shape(const TensorAggState *s, int ndim, const int32 *dims)
{
	if (s->ndim != ndim || memcmp(s->dims, dims, sizeof(int32) * ndim) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("stack_agg needs rows of the same shape"),
				 errdetail("Earlier rows have shape %s, this row has shape %s.",
						   tensor_shape_string(s->ndim, s->dims),
						   tensor_shape_string(ndim, dims))));
}

PG_FUNCTION_INFO_V1(tensor_stack_transition);
Datum
tensor_stack_transition(PG_FUNCTION_ARGS)
{
	TensorAggState *state;
	Tensor	   *t;
	int64		numel;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	t = PG_GETARG_TENSOR_P(1);
	numel = TENSOR_NUMEL(t);
	CHECK_FOR_INTERRUPTS();
	if (PG_ARGISNULL(0))
	{
		if (t->ndim >= LINAL_MAX_RANK)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("stack_agg of rank-%d tensors would exceed the maximum rank of %d",
							t->ndim, LINAL_MAX_RANK)));
		state = tensor_agg_state_allocate(TENSOR_AGG_STACK, t->ndim, t->dims, numel, 0);
	}
	else
	{
		state = tensor_agg_state_writable(fcinfo, 0);
		tensor_agg_require_kind(state, TENSOR_AGG_STACK, "tensor_stack_transition");
		require_row_shape(state, t->ndim, t->dims);
	}
	PG_RETURN_POINTER(append_rows(state, TENSOR_DATA(t), 1));
}

/* strict: Postgres takes the first non-NULL partial state as it is */
PG_FUNCTION_INFO_V1(tensor_stack_combine);
Datum
tensor_stack_combine(PG_FUNCTION_ARGS)
{
	TensorAggState *a = tensor_agg_state_writable(fcinfo, 0);
	TensorAggState *b = DatumGetTensorAggStateP(PG_GETARG_DATUM(1));

	CHECK_FOR_INTERRUPTS();
	tensor_agg_require_kind(a, TENSOR_AGG_STACK, "tensor_stack_combine");
	tensor_agg_require_kind(b, TENSOR_AGG_STACK, "tensor_stack_combine");
	require_row_shape(a, b->ndim, b->dims);
	PG_RETURN_POINTER(append_rows(a, TENSOR_AGG_STATE_FLOATS(b), b->count));
}

PG_FUNCTION_INFO_V1(tensor_stack_final);
Datum
tensor_stack_final(PG_FUNCTION_ARGS)
{
	TensorAggState *s = DatumGetTensorAggStateP(PG_GETARG_DATUM(0));
	int32		dims[LINAL_MAX_RANK];
	Tensor	   *result;

	tensor_agg_require_kind(s, TENSOR_AGG_STACK, "tensor_stack_final");
	dims[0] = (int32) s->count;
	memcpy(dims + 1, s->dims, sizeof(int32) * s->ndim);
	result = tensor_allocate(s->ndim + 1, dims);
	memcpy(TENSOR_DATA(result), TENSOR_AGG_STATE_FLOATS(s), sizeof(float) * TENSOR_NUMEL(result));
	PG_RETURN_TENSOR_P(result);
}
