/*-------------------------------------------------------------------------
 *
 * aggregates.c
 *	  Aggregates over rows, element by element: sum(tensor), avg(tensor)
 *	  (centroids), min(tensor), max(tensor); stack_agg is in stack_agg.c.
 *
 * Every row must have the shape of the first non-NULL row (22000 names both
 * shapes); NULL rows are skipped; no rows give NULL.  sum and avg add in
 * double, so a million rows keep float4 precision, and the result is
 * checked against float4 overflow (22003).
 *
 * Two state types:
 *	- tensor_agg_state (agg_state.h) for plain aggregation.  It has text and
 *	  binary I/O, so Postgres passes partial states between parallel workers
 *	  in tuples and Citus ships them between nodes as text, combining them
 *	  with tensor_agg_combine.  The transition functions update the state in
 *	  place (tensor_agg_state_writable): one row costs O(row).
 *	- internal (ElementAggState) for moving window frames, which only
 *	  Postgres's window code uses: sum and avg have an inverse transition,
 *	  so moving frames cost one add and one subtract per row while the sums
 *	  stay exact (see tensor_sum_moving_transition).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "fmgr.h"
#include "miscadmin.h"

#include "algebra/agg_state.h"
#include "algebra/algebra.h"

/* the moving-frame state of sum and avg */
typedef struct ElementAggState
{
	int64		count;			/* rows in the frame */
	int			ndim;
	int32		dims[LINAL_MAX_RANK];
	int64		numel;
	double	   *sums;			/* numel sums */
	bool		rounded;		/* an addition or subtraction rounded */
} ElementAggState;

static MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *name)
{
	MemoryContext context;

	if (!AggCheckCallContext(fcinfo, &context))
		elog(ERROR, "%s called in non-aggregate context", name);
	return context;
}

static void
require_same_shape(int have_ndim, const int32 *have_dims, int ndim, const int32 *dims)
{
	if (have_ndim != ndim || memcmp(have_dims, dims, sizeof(int32) * ndim) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("aggregated tensors must all have the same shape"),
				 errdetail("Earlier rows have shape %s, this row has shape %s.",
						   tensor_shape_string(have_ndim, have_dims),
						   tensor_shape_string(ndim, dims))));
}

static int64
add_counts(int64 a, int64 b)
{
	int64		sum;

	if (pg_add_s64_overflow(a, b, &sum))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("tensor aggregate row count out of range")));
	return sum;
}

/* values op= x, element by element, for a state of the given kind */
static void
accumulate(TensorAggKind kind, void *values, const float *x, int64 numel)
{
	int64		i;

	if (kind == TENSOR_AGG_SUM)
	{
		double	   *sums = (double *) values;

		for (i = 0; i < numel; i++)
			sums[i] += x[i];
	}
	else if (kind == TENSOR_AGG_MIN)
	{
		float	   *e = (float *) values;

		for (i = 0; i < numel; i++)
			if (x[i] < e[i])
				e[i] = x[i];
	}
	else
	{
		float	   *e = (float *) values;

		for (i = 0; i < numel; i++)
			if (x[i] > e[i])
				e[i] = x[i];
	}
}

/*
 * The transition of sum/avg, min and max.  The first row makes a state in
 * per-tuple memory (Postgres copies it into the aggregate context); later
 * rows update that state in place.
 */
static Datum
transition(FunctionCallInfo fcinfo, TensorAggKind kind, const char *name)
{
	TensorAggState *state;
	Tensor	   *t;
	int64		numel;
	int64		i;

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
		state = tensor_agg_state_allocate(kind, t->ndim, t->dims, numel, numel);
		state->count = 1;
		if (kind == TENSOR_AGG_SUM)
			for (i = 0; i < numel; i++)
				TENSOR_AGG_STATE_SUMS(state)[i] = TENSOR_DATA(t)[i];
		else
			memcpy(TENSOR_AGG_STATE_FLOATS(state), TENSOR_DATA(t), sizeof(float) * numel);
		PG_RETURN_POINTER(state);
	}
	state = tensor_agg_state_writable(fcinfo, 0);
	tensor_agg_require_kind(state, kind, name);
	require_same_shape(state->ndim, state->dims, t->ndim, t->dims);
	accumulate(kind, TENSOR_AGG_STATE_VALUES(state), TENSOR_DATA(t), numel);
	state->count = add_counts(state->count, 1);
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(tensor_sum_transition);
Datum
tensor_sum_transition(PG_FUNCTION_ARGS)
{
	return transition(fcinfo, TENSOR_AGG_SUM, "tensor_sum_transition");
}

PG_FUNCTION_INFO_V1(tensor_min_transition);
Datum
tensor_min_transition(PG_FUNCTION_ARGS)
{
	return transition(fcinfo, TENSOR_AGG_MIN, "tensor_min_transition");
}

PG_FUNCTION_INFO_V1(tensor_max_transition);
Datum
tensor_max_transition(PG_FUNCTION_ARGS)
{
	return transition(fcinfo, TENSOR_AGG_MAX, "tensor_max_transition");
}

/*
 * Combines two partial states of sum/avg, min or max (strict: Postgres
 * takes the first non-NULL state as it is).  Both may come from outside
 * (another node's text), so kinds and shapes are checked.
 */
PG_FUNCTION_INFO_V1(tensor_agg_combine);
Datum
tensor_agg_combine(PG_FUNCTION_ARGS)
{
	TensorAggState *a = tensor_agg_state_writable(fcinfo, 0);
	TensorAggState *b = DatumGetTensorAggStateP(PG_GETARG_DATUM(1));
	int64		i;

	CHECK_FOR_INTERRUPTS();
	if (a->kind != b->kind || a->kind == TENSOR_AGG_STACK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tensor_agg_combine cannot combine states of kinds %s and %s",
						tensor_agg_kind_name((TensorAggKind) a->kind),
						tensor_agg_kind_name((TensorAggKind) b->kind)),
				 a->kind == TENSOR_AGG_STACK ?
				 errhint("stack_agg states combine with tensor_stack_combine.") : 0));
	require_same_shape(a->ndim, a->dims, b->ndim, b->dims);
	a->count = add_counts(a->count, b->count);
	if (a->kind == TENSOR_AGG_SUM)
	{
		double	   *sums = TENSOR_AGG_STATE_SUMS(a);
		const double *more = TENSOR_AGG_STATE_SUMS(b);

		for (i = 0; i < a->numel; i++)
			sums[i] += more[i];
	}
	else
		accumulate((TensorAggKind) a->kind, TENSOR_AGG_STATE_VALUES(a),
				   TENSOR_AGG_STATE_FLOATS(b), a->numel);
	PG_RETURN_POINTER(a);
}

static Tensor *
sums_to_tensor(int ndim, const int32 *dims, const double *sums, int64 numel,
			   double divisor, const char *name)
{
	Tensor	   *result = tensor_allocate(ndim, dims);
	float	   *out = TENSOR_DATA(result);
	int64		i;

	for (i = 0; i < numel; i++)
	{
		float		v = (float) (sums[i] / divisor);

		if (!isfinite(v))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value out of range: overflow in %s(tensor)", name),
					 errdetail("Element %lld of the result does not fit float4.",
							   (long long) i + 1)));
		out[i] = v;
	}
	return result;
}

PG_FUNCTION_INFO_V1(tensor_sum_final);
Datum
tensor_sum_final(PG_FUNCTION_ARGS)
{
	TensorAggState *s = DatumGetTensorAggStateP(PG_GETARG_DATUM(0));

	tensor_agg_require_kind(s, TENSOR_AGG_SUM, "tensor_sum_final");
	PG_RETURN_TENSOR_P(sums_to_tensor(s->ndim, s->dims, TENSOR_AGG_STATE_SUMS(s), s->numel,
									  1.0, "sum"));
}

PG_FUNCTION_INFO_V1(tensor_avg_final);
Datum
tensor_avg_final(PG_FUNCTION_ARGS)
{
	TensorAggState *s = DatumGetTensorAggStateP(PG_GETARG_DATUM(0));

	tensor_agg_require_kind(s, TENSOR_AGG_SUM, "tensor_avg_final");
	PG_RETURN_TENSOR_P(sums_to_tensor(s->ndim, s->dims, TENSOR_AGG_STATE_SUMS(s), s->numel,
									  (double) s->count, "avg"));
}

PG_FUNCTION_INFO_V1(tensor_extreme_final);
Datum
tensor_extreme_final(PG_FUNCTION_ARGS)
{
	TensorAggState *s = DatumGetTensorAggStateP(PG_GETARG_DATUM(0));
	Tensor	   *result;

	if (s->kind != TENSOR_AGG_MIN && s->kind != TENSOR_AGG_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tensor_extreme_final needs a tensor_agg_state of kind min or max, not %s",
						tensor_agg_kind_name((TensorAggKind) s->kind))));
	result = tensor_allocate(s->ndim, s->dims);
	memcpy(TENSOR_DATA(result), TENSOR_AGG_STATE_FLOATS(s), sizeof(float) * s->numel);
	PG_RETURN_TENSOR_P(result);
}

/*
 * sums += sign * x, noting whether any element's sum rounded.  The rounding
 * error of a double addition is exactly representable, and this is Knuth's
 * TwoSum computing it; it is zero exactly when the sum is exact.
 */
static void
accumulate_noting_rounding(ElementAggState *state, const float *x, double sign)
{
	double	   *sums = state->sums;
	bool		rounded = false;
	int64		i;

	for (i = 0; i < state->numel; i++)
	{
		double		a = sums[i];
		double		b = sign * x[i];
		double		s = a + b;
		double		b_part = s - a;

		rounded |= ((a - (s - b_part)) + (b - b_part)) != 0.0;
		sums[i] = s;
	}
	if (rounded)
		state->rounded = true;
}

/*
 * The forward transition of sum and avg in moving window frames (MSFUNC).
 * It differs from the plain one in three ways:
 *	- it never returns NULL, which Postgres forbids in moving mode (a frame
 *	  that starts with NULL rows gets a state without rows or shape);
 *	- a state left without rows by the inverse (the frame holds only NULLs)
 *	  takes the shape of the next row, as a fresh aggregate would: only the
 *	  rows inside one frame must agree;
 *	- it notes when a sum rounds.  Inverse transitions are only right while
 *	  the sums are exact (after 1e30 + 1 - 1e30 the 1 is gone), so once a sum
 *	  has rounded the inverse declines and Postgres recomputes the frame from
 *	  its rows.  float4 rows summed in double round only when the values of a
 *	  frame span more than about 2^29.
 */
PG_FUNCTION_INFO_V1(tensor_sum_moving_transition);
Datum
tensor_sum_moving_transition(PG_FUNCTION_ARGS)
{
	MemoryContext context = aggregate_context(fcinfo, "tensor_sum_moving_transition");
	ElementAggState *state = PG_ARGISNULL(0) ? NULL : (ElementAggState *) PG_GETARG_POINTER(0);
	Tensor	   *t;

	if (state == NULL)
	{
		state = MemoryContextAllocZero(context, sizeof(ElementAggState));
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	t = PG_GETARG_TENSOR_P(1);
	CHECK_FOR_INTERRUPTS();
	if (state->count == 0)
	{
		int64		numel = TENSOR_NUMEL(t);

		if (state->sums == NULL || state->numel != numel)
		{
			if (state->sums != NULL)
				pfree(state->sums);
			tensor_note_allocation(sizeof(double) * Max(numel, 1));
			state->sums = MemoryContextAllocHuge(context, sizeof(double) * Max(numel, 1));
		}
		state->ndim = t->ndim;
		memcpy(state->dims, t->dims, sizeof(int32) * t->ndim);
		state->numel = numel;
		memset(state->sums, 0, sizeof(double) * numel);
		state->rounded = false;
	}
	else
		require_same_shape(state->ndim, state->dims, t->ndim, t->dims);
	accumulate_noting_rounding(state, TENSOR_DATA(t), 1.0);
	state->count++;
	PG_RETURN_POINTER(state);
}

/*
 * Moving windows: take a row back out of a sum (MINVFUNC), or return NULL
 * (Postgres then recomputes the frame) when the sums are no longer exact.
 */
PG_FUNCTION_INFO_V1(tensor_sum_inverse);
Datum
tensor_sum_inverse(PG_FUNCTION_ARGS)
{
	ElementAggState *state = PG_ARGISNULL(0) ? NULL : (ElementAggState *) PG_GETARG_POINTER(0);
	Tensor	   *t;

	aggregate_context(fcinfo, "tensor_sum_inverse");
	if (state == NULL)
		PG_RETURN_NULL();
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	if (state->rounded)
		PG_RETURN_NULL();
	t = PG_GETARG_TENSOR_P(1);
	require_same_shape(state->ndim, state->dims, t->ndim, t->dims);
	accumulate_noting_rounding(state, TENSOR_DATA(t), -1.0);
	state->count--;
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(tensor_sum_moving_final);
Datum
tensor_sum_moving_final(PG_FUNCTION_ARGS)
{
	ElementAggState *state = PG_ARGISNULL(0) ? NULL : (ElementAggState *) PG_GETARG_POINTER(0);

	aggregate_context(fcinfo, "tensor_sum_moving_final");
	if (state == NULL || state->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_TENSOR_P(sums_to_tensor(state->ndim, state->dims, state->sums, state->numel,
									  1.0, "sum"));
}

PG_FUNCTION_INFO_V1(tensor_avg_moving_final);
Datum
tensor_avg_moving_final(PG_FUNCTION_ARGS)
{
	ElementAggState *state = PG_ARGISNULL(0) ? NULL : (ElementAggState *) PG_GETARG_POINTER(0);

	aggregate_context(fcinfo, "tensor_avg_moving_final");
	if (state == NULL || state->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_TENSOR_P(sums_to_tensor(state->ndim, state->dims, state->sums, state->numel,
									  (double) state->count, "avg"));
}
