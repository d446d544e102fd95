/*-------------------------------------------------------------------------
 *
 * pgvector_more.c
 *	  pgvector's aggregate transition functions under their pgvector names:
 *	  vector_accum, vector_combine and vector_avg, over pgvector's state, a
 *	  double precision array {count, sum_1, ..., sum_n}.
 *
 * linal's own avg(tensor) and sum(tensor) keep a state of their own
 * (agg_state.c) and do not use these.  They exist so that SQL written
 * against pgvector's internals -- its regression tests, or an aggregate
 * declared with sfunc = vector_accum, finalfunc = vector_avg -- runs on
 * tensors unchanged.  The state only holds sums, so it is for 1-d tensors.
 *
 * A state of one element holds a count and no sums: with count 0 it is the
 * initial state ('{0}') and takes the length of the first tensor added;
 * with a count above 0 it summed empty tensors.  A malformed state (not a
 * 1-d array of finite numbers with a count that is a whole number >= 0) is
 * 22023, where pgvector raises an internal error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"

#include "algebra/algebra.h"

/* an interrupt check every this many elements of a loop over a state */
#define STATE_CHECK_INTERVAL (1 << 20)

/* the state's values, checked; values[0] is the count */
typedef struct PgvectorAggState
{
	float8	   *values;
	int			sums_count;		/* number of sums: the vector length */
} PgvectorAggState;

static PgvectorAggState
read_state(ArrayType *array, const char *function)
{
	PgvectorAggState state;
	int			length;
	int			i;

	if (ARR_NDIM(array) != 1 || ARR_HASNULL(array) ||
		ARR_ELEMTYPE(array) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs a state array of 1 dimension without NULLs", function),
				 errdetail("The state is {count, sum_1, ..., sum_n}, as pgvector's.")));
	length = ARR_DIMS(array)[0];
	state.values = (float8 *) ARR_DATA_PTR(array);
	state.sums_count = length - 1;
	for (i = 0; i < length; i++)
	{
		if (i % STATE_CHECK_INTERVAL == 0)
			CHECK_FOR_INTERRUPTS();
		if (!isfinite(state.values[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s needs a state array of finite numbers", function),
					 errdetail("Element %d is %g.", i + 1, state.values[i])));
	}
	if (state.values[0] < 0 || state.values[0] != floor(state.values[0]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs a state whose count is a whole number of at least 0", function),
				 errdetail("The count (element 1) is %g.", state.values[0])));
	return state;
}

/* the initial state: no rows yet, so no length either */
static bool
state_is_initial(const PgvectorAggState *state)
{
	return state->sums_count == 0 && state->values[0] == 0;
}

/* 22000 unless a state of sums_count sums can take a vector of length n */
static void
require_state_length(int sums_count, int n, const char *function)
{
	if (sums_count != n)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s needs vectors of the length the state has", function),
				 errdetail("The state sums %d elements, the vector has %d.", sums_count, n)));
}

/* a state array of 1 + sums_count elements, all 0, in CurrentMemoryContext */
static ArrayType *
new_state(int sums_count, float8 **values)
{
	ArrayType  *result;
	int			length = sums_count + 1;

	result = (ArrayType *) palloc0(ARR_OVERHEAD_NONULLS(1) + sizeof(float8) * (Size) length);
	SET_VARSIZE(result, ARR_OVERHEAD_NONULLS(1) + sizeof(float8) * (Size) length);
	result->ndim = 1;
	result->dataoffset = 0;
	result->elemtype = FLOAT8OID;
	ARR_DIMS(result)[0] = length;
	ARR_LBOUND(result)[0] = 1;
	*values = (float8 *) ARR_DATA_PTR(result);
	return result;
}

/* vector_accum(state, tensor): the state with one more 1-d tensor added */
PG_FUNCTION_INFO_V1(tensor_pgvector_accum);
Datum
tensor_pgvector_accum(PG_FUNCTION_ARGS)
{
	PgvectorAggState state = read_state(PG_GETARG_ARRAYTYPE_P(0), "vector_accum");
	Tensor	   *t = PG_GETARG_TENSOR_P(1);
	const float *data = TENSOR_DATA(t);
	ArrayType  *result;
	float8	   *values;
	int			n;
	int			i;

	if (t->ndim != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("vector_accum needs a 1-d tensor"),
				 errdetail("The tensor has shape %s.", tensor_shape_string(t->ndim, t->dims)),
				 errhint("avg(tensor) and sum(tensor) take tensors of any shape.")));
	n = t->dims[0];
	if (!state_is_initial(&state))
		require_state_length(state.sums_count, n, "vector_accum");
	result = new_state(n, &values);
	values[0] = state.values[0] + 1;
	for (i = 0; i < n; i++)
	{
		if (i % STATE_CHECK_INTERVAL == 0)
			CHECK_FOR_INTERRUPTS();
		values[i + 1] = (state_is_initial(&state) ? 0 : state.values[i + 1]) + data[i];
	}
	PG_RETURN_ARRAYTYPE_P(result);
}

/* vector_combine(state, state): the two partial states of a parallel aggregate as one */
PG_FUNCTION_INFO_V1(tensor_pgvector_combine);
Datum
tensor_pgvector_combine(PG_FUNCTION_ARGS)
{
	PgvectorAggState a = read_state(PG_GETARG_ARRAYTYPE_P(0), "vector_combine");
	PgvectorAggState b = read_state(PG_GETARG_ARRAYTYPE_P(1), "vector_combine");
	ArrayType  *result;
	float8	   *values;
	int			n;
	int			i;

	if (state_is_initial(&a))
		n = b.sums_count;
	else if (state_is_initial(&b))
		n = a.sums_count;
	else
	{
		require_state_length(a.sums_count, b.sums_count, "vector_combine");
		n = a.sums_count;
	}
	result = new_state(n, &values);
	values[0] = a.values[0] + b.values[0];
	for (i = 1; i <= n; i++)
	{
		if (i % STATE_CHECK_INTERVAL == 0)
			CHECK_FOR_INTERRUPTS();
		values[i] = (state_is_initial(&a) ? 0 : a.values[i]) +
			(state_is_initial(&b) ? 0 : b.values[i]);
	}
	PG_RETURN_ARRAYTYPE_P(result);
}

/* vector_avg(state): the mean as a 1-d tensor; NULL for the initial state */
PG_FUNCTION_INFO_V1(tensor_pgvector_avg);
Datum
tensor_pgvector_avg(PG_FUNCTION_ARGS)
{
	PgvectorAggState state = read_state(PG_GETARG_ARRAYTYPE_P(0), "vector_avg");
	Tensor	   *result;
	float	   *data;
	int32		n = state.sums_count;
	int			i;

	if (state.values[0] == 0)
	{
		if (n > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("vector_avg needs a state with a count above 0 when it has sums")));
		PG_RETURN_NULL();
	}
	result = tensor_allocate(1, &n);
	data = TENSOR_DATA(result);
	for (i = 0; i < n; i++)
	{
		double		mean = state.values[i + 1] / state.values[0];

		if (i % STATE_CHECK_INTERVAL == 0)
			CHECK_FOR_INTERRUPTS();

		if (fabs(mean) > FLT_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value out of range: overflow in vector_avg"),
					 errdetail("Element %d of the mean does not fit float4.", i + 1)));
		data[i] = (float) mean;
	}
	PG_RETURN_TENSOR_P(result);
}
