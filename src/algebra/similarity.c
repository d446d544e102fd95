/*-------------------------------------------------------------------------
 *
 * similarity.c
 *	  Similarity and distance between two tensors of the same shape: dot,
 *	  cosine similarity, L2 and L1 distance, Pearson correlation, and the
 *	  functions behind the distance operators <->, <=>, <#> and <+>.
 *
 * Tensors of any rank compare element by element (as flat vectors); the
 * shapes must match.  Cosine similarity and correlation are undefined when a
 * side has zero norm (or zero variance): they return NULL, so such rows fall
 * out of WHERE filters and sort last in ORDER BY ... ASC.  Results that
 * overflow double precision raise 22003.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "algebra/algebra.h"

typedef struct TensorPair
{
	Tensor	   *a;
	Tensor	   *b;
	const float *da;
	const float *db;
	size_t		n;
} TensorPair;

static TensorPair
get_pair(FunctionCallInfo fcinfo, const char *operation)
{
	TensorPair	p;

	p.a = PG_GETARG_TENSOR_P(0);
	p.b = PG_GETARG_TENSOR_P(1);
	algebra_require_same_shape(p.a, p.b, operation);
	p.da = TENSOR_DATA(p.a);
	p.db = TENSOR_DATA(p.b);
	p.n = (size_t) TENSOR_NUMEL(p.a);
	return p;
}

/*
 * Cosine similarity in [-1, 1], or false when a norm is zero.  Shared with
 * the batched scan so both rank rows by the same values.
 */
bool
algebra_cosine_similarity(const float *a, const float *b, size_t n, double *result)
{
	float		dot;
	float		norm_a_sq;
	float		norm_b_sq;
	double		denominator;
	double		similarity;

	linal_kernels->cosine_parts(a, b, n, &dot, &norm_a_sq, &norm_b_sq);
	denominator = sqrt((double) norm_a_sq * (double) norm_b_sq);
	if (denominator == 0.0)
		return false;
	similarity = (double) dot / denominator;
	if (isnan(similarity))
		algebra_finite_result(similarity, "cosine similarity");
	/* rounding can step just outside [-1, 1] */
	*result = Max(-1.0, Min(1.0, similarity));
	return true;
}

PG_FUNCTION_INFO_V1(tensor_dot);
Datum
tensor_dot(PG_FUNCTION_ARGS)
{
	TensorPair	p = get_pair(fcinfo, "dot");

	PG_RETURN_FLOAT8(algebra_finite_result(linal_kernels->dot(p.da, p.db, p.n), "dot"));
}

PG_FUNCTION_INFO_V1(tensor_negative_inner_product);
Datum
tensor_negative_inner_product(PG_FUNCTION_ARGS)
{
	TensorPair	p = get_pair(fcinfo, "negative inner product");

	PG_RETURN_FLOAT8(-algebra_finite_result(linal_kernels->dot(p.da, p.db, p.n),
											"negative inner product"));
}

PG_FUNCTION_INFO_V1(tensor_l2_distance);
Datum
tensor_l2_distance(PG_FUNCTION_ARGS)
{
	TensorPair	p = get_pair(fcinfo, "l2_distance");
	float		squared = linal_kernels->l2_squared(p.da, p.db, p.n);

	PG_RETURN_FLOAT8(algebra_finite_result(sqrt((double) squared), "l2_distance"));
}

PG_FUNCTION_INFO_V1(tensor_l2_squared_distance);
Datum
tensor_l2_squared_distance(PG_FUNCTION_ARGS)
{
	TensorPair	p = get_pair(fcinfo, "l2_squared_distance");

	PG_RETURN_FLOAT8(algebra_finite_result(linal_kernels->l2_squared(p.da, p.db, p.n),
										   "l2_squared_distance"));
}

PG_FUNCTION_INFO_V1(tensor_l1_distance);
Datum
tensor_l1_distance(PG_FUNCTION_ARGS)
{
	TensorPair	p = get_pair(fcinfo, "l1_distance");

	PG_RETURN_FLOAT8(algebra_finite_result(linal_kernels->l1(p.da, p.db, p.n),
										   "l1_distance"));
}

PG_FUNCTION_INFO_V1(tensor_cosine_similarity);
Datum
tensor_cosine_similarity(PG_FUNCTION_ARGS)
{
	TensorPair	p = get_pair(fcinfo, "cosine_similarity");
	double		similarity;

	if (!algebra_cosine_similarity(p.da, p.db, p.n, &similarity))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(similarity);
}

PG_FUNCTION_INFO_V1(tensor_cosine_distance);
Datum
tensor_cosine_distance(PG_FUNCTION_ARGS)
{
	TensorPair	p = get_pair(fcinfo, "cosine_distance");
	double		similarity;

	if (!algebra_cosine_similarity(p.da, p.db, p.n, &similarity))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(1.0 - similarity);
}

/*
 * Pearson correlation: centred in double so a large common offset does not
 * cancel away the signal; NULL when either side is constant or has fewer
 * than two elements.
 */
PG_FUNCTION_INFO_V1(tensor_correlate);
Datum
tensor_correlate(PG_FUNCTION_ARGS)
{
	TensorPair	p = get_pair(fcinfo, "correlate");
	double		mean_a;
	double		mean_b;
	double		cov = 0.0;
	double		var_a = 0.0;
	double		var_b = 0.0;
	double		r;
	size_t		i;

	if (p.n < 2)
		PG_RETURN_NULL();
	mean_a = linal_kernels->sum(p.da, p.n) / (double) p.n;
	mean_b = linal_kernels->sum(p.db, p.n) / (double) p.n;
	for (i = 0; i < p.n; i++)
	{
		double		x = (double) p.da[i] - mean_a;
		double		y = (double) p.db[i] - mean_b;

		cov += x * y;
		var_a += x * x;
		var_b += y * y;
	}
	if (var_a == 0.0 || var_b == 0.0)
		PG_RETURN_NULL();
	r = cov / sqrt(var_a * var_b);
	PG_RETURN_FLOAT8(Max(-1.0, Min(1.0, algebra_finite_result(r, "correlate"))));
}
