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
 * The workers (pgvector_state.h) also serve halfvec_accum, halfvec_combine
 * and halfvec_avg (pgvector_halfvec_names.c).
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
#include "algebra/pgvector_state.h"

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

/*
 * The state with one more 1-d float tensor t added (vector_accum; also
 * halfvec_accum on a float copy).  function names the SQL function in errors.
 */
ArrayType *
pgvector_state_accum(ArrayType *state_array, const Tensor *t, const char *function)
{
	PgvectorAggState state = read_state(state_array, function);
	const float *data = TENSOR_DATA(t);
	ArrayType  *result;
	float8	   *values;
	int			n;
	int			i;

	if (t->ndim != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s needs a 1-d tensor", function),
				 errdetail("The tensor has shape %s.", tensor_shape_string(t->ndim, t->dims)),
				 errhint("avg() and sum() take tensors of any shape.")));
	n = t->dims[0];
	if (!state_is_initial(&state))
		require_state_length(state.sums_count, n, function);
	result = new_state(n, &values);
	values[0] = state.values[0] + 1;
	for (i = 0; i < n; i++)
	{
		if (i % STATE_CHECK_INTERVAL == 0)
			CHECK_FOR_INTERRUPTS();
		values[i + 1] = (state_is_initial(&state) ? 0 : state.values[i + 1]) + data[i];
	}
	return result;
}

/* vector_accum(state, tensor) */
PG_FUNCTION_INFO_V1(tensor_pgvector_accum);
Datum
tensor_pgvector_accum(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(pgvector_state_accum(PG_GETARG_ARRAYTYPE_P(0),
											   PG_GETARG_TENSOR_P(1), "vector_accum"));
}

/*
 * Two partial states of a parallel aggregate as one (vector_combine,
 * halfvec_combine: the state is the same for both).
 */
ArrayType *
pgvector_state_combine(ArrayType *a_array, ArrayType *b_array, const char *function)
{
	PgvectorAggState a = read_state(a_array, function);
	PgvectorAggState b = read_state(b_array, function);
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
		require_state_length(a.sums_count, b.sums_count, function);
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
	return result;
}

/* vector_combine(state, state) */
PG_FUNCTION_INFO_V1(tensor_pgvector_combine);
Datum
tensor_pgvector_combine(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(pgvector_state_combine(PG_GETARG_ARRAYTYPE_P(0),
												 PG_GETARG_ARRAYTYPE_P(1), "vector_combine"));
}

/*
 * The mean of a state as a 1-d float tensor, or NULL for a state of no rows
 * (vector_avg; halfvec_avg rounds it to half).
 */
Tensor *
pgvector_state_avg(ArrayType *state_array, const char *function)
{
	PgvectorAggState state = read_state(state_array, function);
	Tensor	   *result;
	float	   *data;
	int32		n = state.sums_count;
	int			i;

	if (state.values[0] == 0)
	{
		if (n > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s needs a state with a count above 0 when it has sums", function)));
		return NULL;
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
					 errmsg("value out of range: overflow in %s", function),
					 errdetail("Element %d of the mean does not fit float4.", i + 1)));
		data[i] = (float) mean;
	}
	return result;
}

/* vector_avg(state): the mean as a 1-d tensor; NULL for the initial state */
PG_FUNCTION_INFO_V1(tensor_pgvector_avg);
Datum
tensor_pgvector_avg(PG_FUNCTION_ARGS)
{
	Tensor	   *result = pgvector_state_avg(PG_GETARG_ARRAYTYPE_P(0), "vector_avg");

	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TENSOR_P(result);
}
