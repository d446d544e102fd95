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

#include "miscadmin.h"

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
 * The parts of cosine similarity accumulated in double, where no float4
 * input can overflow or underflow them.
 */
static void
cosine_parts_double(const float *a, const float *b, size_t n, double *dot,
					double *norm_a_sq, double *norm_b_sq)
{
	size_t		done;

	*dot = *norm_a_sq = *norm_b_sq = 0.0;
	for (done = 0; done < n; done += LINAL_CHUNK_ELEMENTS)
	{
		size_t		end = Min(n, done + LINAL_CHUNK_ELEMENTS);
		size_t		i;

		CHECK_FOR_INTERRUPTS();
		for (i = done; i < end; i++)
		{
			*dot += (double) a[i] * b[i];
			*norm_a_sq += (double) a[i] * a[i];
			*norm_b_sq += (double) b[i] * b[i];
		}
	}
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
	double		dot_d;
	double		norm_a_sq_d;
	double		norm_b_sq_d;
	double		denominator;
	double		similarity;

	linal_kernels->cosine_parts(a, b, n, &dot, &norm_a_sq, &norm_b_sq);
	dot_d = dot;
	norm_a_sq_d = norm_a_sq;
	norm_b_sq_d = norm_b_sq;

	/*
	 * The kernels accumulate in float4: elements beyond about 1e19 overflow
	 * a squared norm (the similarity would come out 0 or NaN), elements
	 * below about 1e-19 underflow it (a zero norm, or a denormal one with
	 * few bits).  Those inputs, and true zero vectors, are redone in double.
	 */
	if (!isfinite(dot) || !isnormal(norm_a_sq) || !isnormal(norm_b_sq))
		cosine_parts_double(a, b, n, &dot_d, &norm_a_sq_d, &norm_b_sq_d);
	denominator = sqrt(norm_a_sq_d * norm_b_sq_d);
	if (denominator == 0.0)
		return false;
	similarity = dot_d / denominator;
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
	size_t		done;

	if (p.n < 2)
		PG_RETURN_NULL();
	mean_a = algebra_sum(p.da, p.n) / (double) p.n;
	mean_b = algebra_sum(p.db, p.n) / (double) p.n;
	for (done = 0; done < p.n; done += LINAL_CHUNK_ELEMENTS)
	{
		size_t		end = Min(p.n, done + LINAL_CHUNK_ELEMENTS);
		size_t		i;

		CHECK_FOR_INTERRUPTS();
		for (i = done; i < end; i++)
		{
			double		x = (double) p.da[i] - mean_a;
			double		y = (double) p.db[i] - mean_b;

			cov += x * y;
			var_a += x * x;
			var_b += y * y;
		}
	}
	if (var_a == 0.0 || var_b == 0.0)
		PG_RETURN_NULL();
	r = cov / sqrt(var_a * var_b);
	PG_RETURN_FLOAT8(Max(-1.0, Min(1.0, algebra_finite_result(r, "correlate"))));
}
