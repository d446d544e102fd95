/*-------------------------------------------------------------------------
 *
 * construct.c
 *	  Making tensors from a shape: tensor_fill(shape, value), numpy's full()
 *	  (and zeros() with the default value), and random tensors,
 *	  tensor_random (uniform in [0,1)) and tensor_random_normal.
 *
 * The random tensors draw from Postgres's PRNG (pg_prng, xoroshiro128**).
 * PostgreSQL 15 keeps random()'s state private to float.c, so setseed()
 * cannot steer these functions: without a seed they use a per-backend state
 * seeded once from pg_global_prng_state (VOLATILE, PARALLEL RESTRICTED like
 * random()); with a seed argument they use a fresh state seeded with it, so
 * the same seed always gives the same tensor (IMMUTABLE).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/pg_prng.h"
#include "miscadmin.h"
#include "utils/array.h"

#include "algebra/algebra.h"

/*
 * The tensor of the shape given as an int[] argument, allocated (which
 * checks the rank, size and memory limits) with its elements unset.
 */
static Tensor *
allocate_from_shape_array(ArrayType *shape, const char *function)
{
	int32	   *dims;
	int			ndim;
	int			i;

	if (ARR_NDIM(shape) > 1 || array_contains_nulls(shape))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s takes a one-dimensional array of dimensions without NULLs",
						function)));
	ndim = ArrayGetNItems(ARR_NDIM(shape), ARR_DIMS(shape));
	dims = (int32 *) ARR_DATA_PTR(shape);
	for (i = 0; i < ndim; i++)
		if (dims[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s dimension %d is negative (%d)", function, i + 1, dims[i])));
	return tensor_allocate(ndim, dims);
}

PG_FUNCTION_INFO_V1(tensor_fill);
Datum
tensor_fill(PG_FUNCTION_ARGS)
{
	ArrayType  *shape = PG_GETARG_ARRAYTYPE_P(0);
	double		value = PG_GETARG_FLOAT8(1);
	float		v = (float) value;
	Tensor	   *result;
	float	   *out;
	int64		numel;
	int64		i;

	if (!isfinite(value) || isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("fill value %g is not a finite float4", value)));
	/* underflow is out of range too, as float4 input has it */
	if (v == 0.0f && value != 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range for type real"),
				 errdetail("The fill value %g does not fit float4.", value)));
	result = allocate_from_shape_array(shape, "tensor_fill");
	out = TENSOR_DATA(result);
	numel = TENSOR_NUMEL(result);
	for (i = 0; i < numel; i++)
	{
		if ((i & 0xFFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		out[i] = v;
	}
	PG_RETURN_TENSOR_P(result);
}

/* the state of the unseeded functions, seeded on first use */
static pg_prng_state backend_prng;
static bool backend_prng_seeded = false;

static pg_prng_state *
random_state(FunctionCallInfo fcinfo, int seed_arg, pg_prng_state *local)
{
	if (PG_NARGS() > seed_arg)
	{
		pg_prng_seed(local, (uint64) PG_GETARG_INT64(seed_arg));
		return local;
	}
	if (!backend_prng_seeded)
	{
		pg_prng_seed(&backend_prng, pg_prng_uint64(&pg_global_prng_state));
		backend_prng_seeded = true;
	}
	return &backend_prng;
}

/*
 * tensor_random(shape [, seed]): elements uniform in [0,1).  A double in
 * [0,1) can round up to 1.0f, so such draws are redrawn.
 */
PG_FUNCTION_INFO_V1(tensor_random);
Datum
tensor_random(PG_FUNCTION_ARGS)
{
	pg_prng_state local;
	pg_prng_state *state = random_state(fcinfo, 1, &local);
	Tensor	   *result = allocate_from_shape_array(PG_GETARG_ARRAYTYPE_P(0),
												   "tensor_random");
	float	   *out = TENSOR_DATA(result);
	int64		numel = TENSOR_NUMEL(result);
	int64		i;

	for (i = 0; i < numel; i++)
	{
		float		x;

		if ((i & 0xFFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		do
			x = (float) pg_prng_double(state);
		while (x >= 1.0f);
		out[i] = x;
	}
	PG_RETURN_TENSOR_P(result);
}

/*
 * tensor_random_normal(shape, mean, sd [, seed]): elements drawn from the
 * normal distribution by the Box-Muller transform, two per pair of uniform
 * draws.  A draw that does not fit float4 (a huge mean or sd) is an error.
 */
PG_FUNCTION_INFO_V1(tensor_random_normal);
Datum
tensor_random_normal(PG_FUNCTION_ARGS)
{
	double		mean = PG_GETARG_FLOAT8(1);
	double		sd = PG_GETARG_FLOAT8(2);
	pg_prng_state local;
	pg_prng_state *state;
	Tensor	   *result;
	float	   *out;
	int64		numel;
	int64		i;

	if (!isfinite(mean) || !isfinite(sd) || sd < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tensor_random_normal needs a finite mean and a finite, non-negative sd"),
				 errdetail("mean is %g and sd is %g.", mean, sd)));
	state = random_state(fcinfo, 3, &local);
	result = allocate_from_shape_array(PG_GETARG_ARRAYTYPE_P(0), "tensor_random_normal");
	out = TENSOR_DATA(result);
	numel = TENSOR_NUMEL(result);
	for (i = 0; i < numel; i += 2)
	{
		/* 1 - u is in (0,1], so the logarithm is finite */
		double		radius = sqrt(-2.0 * log(1.0 - pg_prng_double(state)));
		double		angle = 2.0 * M_PI * pg_prng_double(state);
		double		pair[2];
		int			j;

		if ((i & 0xFFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		pair[0] = mean + sd * radius * cos(angle);
		pair[1] = mean + sd * radius * sin(angle);
		for (j = 0; j < 2 && i + j < numel; j++)
		{
			float		v = (float) pair[j];

			if (isinf(v))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("value out of range: overflow in tensor_random_normal"),
						 errdetail("Draws with mean %g and sd %g can fall outside the float4 range.",
								   mean, sd)));
			out[i + j] = v;
		}
	}
	PG_RETURN_TENSOR_P(result);
}
