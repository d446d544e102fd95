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
 * The transition state is an AggState-owned struct in the aggregate memory
 * context.  combine/serial/deserial functions make the aggregates parallel;
 * sum and avg also have an inverse transition, so moving window frames cost
 * one add and one subtract per row while the sums stay exact (see
 * tensor_sum_moving_transition).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"

#include "algebra/algebra.h"

typedef enum AggKind
{
	AGG_SUM = 1,				/* sums in double: sum and avg */
	AGG_MIN = 2,
	AGG_MAX = 3
} AggKind;

typedef struct ElementAggState
{
	AggKind		kind;
	int64		count;			/* rows accumulated */
	int			ndim;
	int32		dims[LINAL_MAX_RANK];
	int64		numel;
	double	   *sums;			/* AGG_SUM: numel sums */
	float	   *extremes;		/* AGG_MIN / AGG_MAX: numel values */
	bool		rounded;		/* moving sums: an addition or subtraction rounded */
} ElementAggState;

/* serialized state: kind, count, ndim, dims, then the values */
#define STATE_FORMAT_VERSION 1

static MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *name)
{
	MemoryContext context;

	if (!AggCheckCallContext(fcinfo, &context))
		elog(ERROR, "%s called in non-aggregate context", name);
	return context;
}

/* A new state shaped like t, in the aggregate memory context. */
static ElementAggState *
new_state(MemoryContext context, AggKind kind, int ndim, const int32 *dims, int64 numel)
{
	ElementAggState *state = MemoryContextAllocZero(context, sizeof(ElementAggState));

	state->kind = kind;
	state->ndim = ndim;
	memcpy(state->dims, dims, sizeof(int32) * ndim);
	state->numel = numel;
	tensor_note_allocation((kind == AGG_SUM ? sizeof(double) : sizeof(float)) * Max(numel, 1));
	if (kind == AGG_SUM)
		state->sums = MemoryContextAllocHuge(context, sizeof(double) * Max(numel, 1));
	else
		state->extremes = MemoryContextAllocHuge(context, sizeof(float) * Max(numel, 1));
	return state;
}

static void
require_state_shape(const ElementAggState *state, int ndim, const int32 *dims)
{
	if (state->ndim != ndim || memcmp(state->dims, dims, sizeof(int32) * ndim) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("aggregated tensors must all have the same shape"),
				 errdetail("Earlier rows have shape %s, this row has shape %s.",
						   tensor_shape_string(state->ndim, state->dims),
						   tensor_shape_string(ndim, dims))));
}

/* state op= values of one row (or of another state's extremes) */
static void
accumulate(ElementAggState *state, const float *x, double sign)
{
	int64		i;

	if (state->kind == AGG_SUM)
	{
		double	   *sums = state->sums;

		if (sign > 0)
			for (i = 0; i < state->numel; i++)
				sums[i] += x[i];
		else
			for (i = 0; i < state->numel; i++)
				sums[i] -= x[i];
	}
	else if (state->kind == AGG_MIN)
	{
		for (i = 0; i < state->numel; i++)
			if (x[i] < state->extremes[i])
				state->extremes[i] = x[i];
	}
	else
	{
		for (i = 0; i < state->numel; i++)
			if (x[i] > state->extremes[i])
				state->extremes[i] = x[i];
	}
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

static Datum
transition(FunctionCallInfo fcinfo, AggKind kind)
{
	MemoryContext context = aggregate_context(fcinfo, "tensor aggregate transition");
	ElementAggState *state = PG_ARGISNULL(0) ? NULL : (ElementAggState *) PG_GETARG_POINTER(0);
	Tensor	   *t;

	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	t = PG_GETARG_TENSOR_P(1);
	CHECK_FOR_INTERRUPTS();
	if (state == NULL)
	{
		state = new_state(context, kind, t->ndim, t->dims, TENSOR_NUMEL(t));
		if (kind == AGG_SUM)
			memset(state->sums, 0, sizeof(double) * state->numel);
		else
			memcpy(state->extremes, TENSOR_DATA(t), sizeof(float) * state->numel);
	}
	else
		require_state_shape(state, t->ndim, t->dims);
	if (kind == AGG_SUM || state->count > 0)
		accumulate(state, TENSOR_DATA(t), 1.0);
	state->count++;
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(tensor_sum_transition);
Datum
tensor_sum_transition(PG_FUNCTION_ARGS)
{
	return transition(fcinfo, AGG_SUM);
}

PG_FUNCTION_INFO_V1(tensor_min_transition);
Datum
tensor_min_transition(PG_FUNCTION_ARGS)
{
	return transition(fcinfo, AGG_MIN);
}

PG_FUNCTION_INFO_V1(tensor_max_transition);
Datum
tensor_max_transition(PG_FUNCTION_ARGS)
{
	return transition(fcinfo, AGG_MAX);
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
		state->kind = AGG_SUM;
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
		require_state_shape(state, t->ndim, t->dims);
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
	require_state_shape(state, t->ndim, t->dims);
	accumulate_noting_rounding(state, TENSOR_DATA(t), -1.0);
	state->count--;
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(tensor_agg_combine);
Datum
tensor_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext context = aggregate_context(fcinfo, "tensor_agg_combine");
	ElementAggState *a = PG_ARGISNULL(0) ? NULL : (ElementAggState *) PG_GETARG_POINTER(0);
	ElementAggState *b = PG_ARGISNULL(1) ? NULL : (ElementAggState *) PG_GETARG_POINTER(1);
	int64		i;

	if (b == NULL || b->count == 0)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL || a->count == 0)
	{
		/* copy b into the aggregate context: it may live in a shorter one */
		a = new_state(context, b->kind, b->ndim, b->dims, b->numel);
		a->count = b->count;
		if (b->kind == AGG_SUM)
			memcpy(a->sums, b->sums, sizeof(double) * b->numel);
		else
			memcpy(a->extremes, b->extremes, sizeof(float) * b->numel);
		PG_RETURN_POINTER(a);
	}
	require_state_shape(a, b->ndim, b->dims);
	if (a->kind == AGG_SUM)
		for (i = 0; i < a->numel; i++)
			a->sums[i] += b->sums[i];
	else
		accumulate(a, b->extremes, 1.0);
	a->count += b->count;
	PG_RETURN_POINTER(a);
}

static Tensor *
sums_to_tensor(const ElementAggState *state, double divisor, const char *name)
{
	Tensor	   *result = tensor_allocate(state->ndim, state->dims);
	float	   *out = TENSOR_DATA(result);
	int64		i;

	for (i = 0; i < state->numel; i++)
	{
		float		v = (float) (state->sums[i] / divisor);

		if (isinf(v))
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
	ElementAggState *state = PG_ARGISNULL(0) ? NULL : (ElementAggState *) PG_GETARG_POINTER(0);

	if (state == NULL || state->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_TENSOR_P(sums_to_tensor(state, 1.0, "sum"));
}

PG_FUNCTION_INFO_V1(tensor_avg_final);
Datum
tensor_avg_final(PG_FUNCTION_ARGS)
{
	ElementAggState *state = PG_ARGISNULL(0) ? NULL : (ElementAggState *) PG_GETARG_POINTER(0);

	if (state == NULL || state->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_TENSOR_P(sums_to_tensor(state, (double) state->count, "avg"));
}

PG_FUNCTION_INFO_V1(tensor_extreme_final);
Datum
tensor_extreme_final(PG_FUNCTION_ARGS)
{
	ElementAggState *state = PG_ARGISNULL(0) ? NULL : (ElementAggState *) PG_GETARG_POINTER(0);
	Tensor	   *result;

	if (state == NULL || state->count == 0)
		PG_RETURN_NULL();
	result = tensor_allocate(state->ndim, state->dims);
	memcpy(TENSOR_DATA(result), state->extremes, sizeof(float) * state->numel);
	PG_RETURN_TENSOR_P(result);
}

PG_FUNCTION_INFO_V1(tensor_agg_serialize);
Datum
tensor_agg_serialize(PG_FUNCTION_ARGS)
{
	ElementAggState *state = (ElementAggState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			d;

	aggregate_context(fcinfo, "tensor_agg_serialize");
	pq_begintypsend(&buf);
	pq_sendint8(&buf, STATE_FORMAT_VERSION);
	pq_sendint8(&buf, (int8) state->kind);
	pq_sendint64(&buf, state->count);
	pq_sendint8(&buf, (int8) state->ndim);
	for (d = 0; d < state->ndim; d++)
		pq_sendint32(&buf, state->dims[d]);
	if (state->kind == AGG_SUM)
		pq_sendbytes(&buf, (const char *) state->sums, sizeof(double) * state->numel);
	else
		pq_sendbytes(&buf, (const char *) state->extremes, sizeof(float) * state->numel);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * Deserialization trusts nothing: every count and size is checked.  The
 * state lives in CurrentMemoryContext, the per-input-tuple memory Postgres
 * calls this in: the combine function adds it to the group's state or
 * copies it into the aggregate context, so it is garbage once that returns.
 */
PG_FUNCTION_INFO_V1(tensor_agg_deserialize);
Datum
tensor_agg_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	int			version;
	int			kind;
	int64		count;
	int			ndim;
	int32		dims[LINAL_MAX_RANK];
	int64		numel;
	size_t		value_bytes;
	ElementAggState *state;
	int			d;

	aggregate_context(fcinfo, "tensor_agg_deserialize");
	buf.data = VARDATA_ANY(bytes);
	buf.len = VARSIZE_ANY_EXHDR(bytes);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	version = pq_getmsgint(&buf, 1);
	kind = pq_getmsgint(&buf, 1);
	count = pq_getmsgint64(&buf);
	ndim = pq_getmsgint(&buf, 1);
	if (version != STATE_FORMAT_VERSION || kind < AGG_SUM || kind > AGG_MAX ||
		ndim < 0 || ndim > LINAL_MAX_RANK || count < 0)
		elog(ERROR, "invalid serialized tensor aggregate state");
	for (d = 0; d < ndim; d++)
		dims[d] = pq_getmsgint(&buf, 4);
	numel = tensor_shape_numel(ndim, dims);
	value_bytes = (kind == AGG_SUM ? sizeof(double) : sizeof(float)) * numel;
	if ((size_t) (buf.len - buf.cursor) != value_bytes)
		elog(ERROR, "invalid serialized tensor aggregate state: %d bytes of values, expected %zu",
			 buf.len - buf.cursor, value_bytes);
	state = new_state(CurrentMemoryContext, (AggKind) kind, ndim, dims, numel);
	state->count = count;
	memcpy(kind == AGG_SUM ? (void *) state->sums : (void *) state->extremes,
		   pq_getmsgbytes(&buf, (int) value_bytes), value_bytes);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}
