/*-------------------------------------------------------------------------
 *
 * halftensor_ops.c
 *	  Functions and operators of halftensor under pgvector's halfvec names.
 *
 * Distances run the half kernels directly on the stored binary16 data
 * (no float copy): they accumulate exactly like the tensor kernels, so
 * l2_distance(h1, h2) = l2_distance(h1::tensor, h2::tensor).  Everything
 * else (arithmetic, concat, subvector, comparisons, hashing, norms) runs
 * the tensor function on exact float copies and rounds a tensor result
 * back to half, refusing overflow with 22003: every half is a float and
 * float order is half order, so results, order and hash agree with
 * tensor's on the same values.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "algebra/algebra.h"
#include "kernels/kernels.h"
#include "types/halftensor.h"

/* tensor functions reused on float copies */
extern PGDLLEXPORT Datum tensor_add(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_sub(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_mul(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_concat_first_axis(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_subvector(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_binary_quantize(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_norm(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_normalize(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_cmp(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_hash(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_hash_extended(PG_FUNCTION_ARGS);

/* argument n as an exact float tensor */
static Datum
float_arg(FunctionCallInfo fcinfo, int n)
{
	return PointerGetDatum(tensor_from_halftensor(PG_GETARG_HALFTENSOR_P(n)));
}

static Datum
to_half(Datum tensor_result)
{
	return PointerGetDatum(halftensor_from_tensor((Tensor *) DatumGetPointer(tensor_result)));
}

/* the two halftensors of a distance, same shape */
typedef struct HalfPair
{
	const uint16 *a;
	const uint16 *b;
	size_t		n;
} HalfPair;

static HalfPair
get_half_pair(FunctionCallInfo fcinfo, const char *operation)
{
	Tensor	   *a = PG_GETARG_HALFTENSOR_P(0);
	Tensor	   *b = PG_GETARG_HALFTENSOR_P(1);
	HalfPair	p;

	algebra_require_same_shape(a, b, operation);
	p.a = HALFTENSOR_DATA(a);
	p.b = HALFTENSOR_DATA(b);
	p.n = (size_t) HALFTENSOR_NUMEL(a);
	return p;
}

PG_FUNCTION_INFO_V1(halftensor_l2_distance);
Datum
halftensor_l2_distance(PG_FUNCTION_ARGS)
{
	HalfPair	p = get_half_pair(fcinfo, "l2_distance");

	PG_RETURN_FLOAT8(algebra_finite_result(sqrt((double) linal_half_l2sq(p.a, p.b, p.n)),
										   "l2_distance"));
}

PG_FUNCTION_INFO_V1(halftensor_inner_product);
Datum
halftensor_inner_product(PG_FUNCTION_ARGS)
{
	HalfPair	p = get_half_pair(fcinfo, "inner_product");

	PG_RETURN_FLOAT8(algebra_finite_result(linal_half_dot(p.a, p.b, p.n), "inner_product"));
}

PG_FUNCTION_INFO_V1(halftensor_negative_inner_product);
Datum
halftensor_negative_inner_product(PG_FUNCTION_ARGS)
{
	HalfPair	p = get_half_pair(fcinfo, "negative inner product");

	PG_RETURN_FLOAT8(-algebra_finite_result(linal_half_dot(p.a, p.b, p.n),
											"negative inner product"));
}

PG_FUNCTION_INFO_V1(halftensor_l1_distance);
Datum
halftensor_l1_distance(PG_FUNCTION_ARGS)
{
	HalfPair	p = get_half_pair(fcinfo, "l1_distance");

	PG_RETURN_FLOAT8(algebra_finite_result(linal_half_l1(p.a, p.b, p.n), "l1_distance"));
}

/*
 * 1 - cosine similarity, NULL when a norm is zero (as for tensor).  Half
 * values cannot overflow or underflow the float sums (|x| <= 65504, the
 * smallest nonzero square is 2^-48), so tensor's retry in double is never
 * needed and the results agree.
 */
PG_FUNCTION_INFO_V1(halftensor_cosine_distance);
Datum
halftensor_cosine_distance(PG_FUNCTION_ARGS)
{
	HalfPair	p = get_half_pair(fcinfo, "cosine_distance");
	float		dot;
	float		norm_a_sq;
	float		norm_b_sq;
	double		denominator;
	double		similarity;

	linal_half_cosine_parts(p.a, p.b, p.n, &dot, &norm_a_sq, &norm_b_sq);
	denominator = sqrt((double) norm_a_sq * (double) norm_b_sq);
	if (denominator == 0.0)
		PG_RETURN_NULL();
	similarity = algebra_finite_result((double) dot / denominator, "cosine_distance");
	PG_RETURN_FLOAT8(1.0 - Max(-1.0, Min(1.0, similarity)));
}

/* operations that reuse the tensor function on float copies */

PG_FUNCTION_INFO_V1(halftensor_add);
Datum
halftensor_add(PG_FUNCTION_ARGS)
{
	return to_half(DirectFunctionCall2(tensor_add, float_arg(fcinfo, 0), float_arg(fcinfo, 1)));
}

PG_FUNCTION_INFO_V1(halftensor_sub);
Datum
halftensor_sub(PG_FUNCTION_ARGS)
{
	return to_half(DirectFunctionCall2(tensor_sub, float_arg(fcinfo, 0), float_arg(fcinfo, 1)));
}

PG_FUNCTION_INFO_V1(halftensor_mul);
Datum
halftensor_mul(PG_FUNCTION_ARGS)
{
	return to_half(DirectFunctionCall2(tensor_mul, float_arg(fcinfo, 0), float_arg(fcinfo, 1)));
}

PG_FUNCTION_INFO_V1(halftensor_concat);
Datum
halftensor_concat(PG_FUNCTION_ARGS)
{
	return to_half(DirectFunctionCall2(tensor_concat_first_axis, float_arg(fcinfo, 0),
									   float_arg(fcinfo, 1)));
}

PG_FUNCTION_INFO_V1(halftensor_subvector);
Datum
halftensor_subvector(PG_FUNCTION_ARGS)
{
	return to_half(DirectFunctionCall3(tensor_subvector, float_arg(fcinfo, 0),
									   PG_GETARG_DATUM(1), PG_GETARG_DATUM(2)));
}

PG_FUNCTION_INFO_V1(halftensor_l2_normalize);
Datum
halftensor_l2_normalize(PG_FUNCTION_ARGS)
{
	return to_half(DirectFunctionCall1(tensor_normalize, float_arg(fcinfo, 0)));
}

PG_FUNCTION_INFO_V1(halftensor_binary_quantize);
Datum
halftensor_binary_quantize(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall1(tensor_binary_quantize, float_arg(fcinfo, 0));
}

PG_FUNCTION_INFO_V1(halftensor_l2_norm);
Datum
halftensor_l2_norm(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall1(tensor_norm, float_arg(fcinfo, 0));
}

/* vector_dims: 1-d only, as for tensor; the header alone answers */
PG_FUNCTION_INFO_V1(halftensor_vector_dims);
Datum
halftensor_vector_dims(PG_FUNCTION_ARGS)
{
	Tensor	   *h = PG_GETARG_HALFTENSOR_P(0);

	if (h->ndim != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("vector_dims needs a 1-d halftensor"),
				 errdetail("The halftensor has shape %s.", tensor_shape_string(h->ndim, h->dims))));
	PG_RETURN_INT32(h->dims[0]);
}

static int
half_cmp(FunctionCallInfo fcinfo)
{
	return DatumGetInt32(DirectFunctionCall2(tensor_cmp, float_arg(fcinfo, 0),
											 float_arg(fcinfo, 1)));
}

#define HALF_CMP_FUNCTION(name, result) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	int			c = half_cmp(fcinfo); \
	\
	result; \
}

HALF_CMP_FUNCTION(halftensor_cmp, PG_RETURN_INT32(c))
HALF_CMP_FUNCTION(halftensor_eq, PG_RETURN_BOOL(c == 0))
HALF_CMP_FUNCTION(halftensor_ne, PG_RETURN_BOOL(c != 0))
HALF_CMP_FUNCTION(halftensor_lt, PG_RETURN_BOOL(c < 0))
HALF_CMP_FUNCTION(halftensor_le, PG_RETURN_BOOL(c <= 0))
HALF_CMP_FUNCTION(halftensor_gt, PG_RETURN_BOOL(c > 0))
HALF_CMP_FUNCTION(halftensor_ge, PG_RETURN_BOOL(c >= 0))

PG_FUNCTION_INFO_V1(halftensor_hash);
Datum
halftensor_hash(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall1(tensor_hash, float_arg(fcinfo, 0));
}

PG_FUNCTION_INFO_V1(halftensor_hash_extended);
Datum
halftensor_hash_extended(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall2(tensor_hash_extended, float_arg(fcinfo, 0), PG_GETARG_DATUM(1));
}

/*
 * sum and avg over rows: tensor's transition on each row widened to float
 * (exact; the row's copy lives in the per-tuple context the executor
 * resets), tensor's state and combine function, and the final result
 * rounded back to half (22003 if a sum leaves the half range).  Moving
 * window frames recompute instead of using an inverse transition.
 */
extern PGDLLEXPORT Datum tensor_sum_transition(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_sum_final(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_avg_final(PG_FUNCTION_ARGS);

PG_FUNCTION_INFO_V1(halftensor_sum_transition);
Datum
halftensor_sum_transition(PG_FUNCTION_ARGS)
{
	/* the same call frame, so the aggregate context stays visible */
	if (!PG_ARGISNULL(1))
		fcinfo->args[1].value = float_arg(fcinfo, 1);
	return tensor_sum_transition(fcinfo);
}

PG_FUNCTION_INFO_V1(halftensor_sum_final);
Datum
halftensor_sum_final(PG_FUNCTION_ARGS)
{
	return to_half(DirectFunctionCall1(tensor_sum_final, PG_GETARG_DATUM(0)));
}

PG_FUNCTION_INFO_V1(halftensor_avg_final);
Datum
halftensor_avg_final(PG_FUNCTION_ARGS)
{
	return to_half(DirectFunctionCall1(tensor_avg_final, PG_GETARG_DATUM(0)));
}
