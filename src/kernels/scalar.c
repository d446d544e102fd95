/*-------------------------------------------------------------------------
 *
 * scalar.c
 *	  Portable kernels: plain C loops, the fallback for CPUs without AVX2
 *	  and the path users get with linal.simd = scalar.
 *
 * Written as honest simple loops.  Float reductions use one accumulator,
 * so without -ffast-math gcc cannot reorder them into SIMD; element-wise
 * loops may be auto-vectorized with baseline SSE2, which gives the same
 * IEEE results.  Correct for any n, including 0.
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>

#include "kernels.h"

static float
kernel_dot_scalar(const float *a, const float *b, size_t n)
{
	float		acc = 0.0f;
	size_t		i;

	for (i = 0; i < n; i++)
		acc += a[i] * b[i];
	return acc;
}

static float
kernel_l2_squared_scalar(const float *a, const float *b, size_t n)
{
	float		acc = 0.0f;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		float		d = a[i] - b[i];

		acc += d * d;
	}
	return acc;
}

static float
kernel_l1_scalar(const float *a, const float *b, size_t n)
{
	float		acc = 0.0f;
	size_t		i;

	for (i = 0; i < n; i++)
		acc += fabsf(a[i] - b[i]);
	return acc;
}

static void
kernel_cosine_parts_scalar(const float *a, const float *b, size_t n,
						   float *dot, float *norm_a_sq, float *norm_b_sq)
{
	float		ab = 0.0f;
	float		aa = 0.0f;
	float		bb = 0.0f;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		ab += a[i] * b[i];
		aa += a[i] * a[i];
		bb += b[i] * b[i];
	}
	*dot = ab;
	*norm_a_sq = aa;
	*norm_b_sq = bb;
}

static void
kernel_add_scalar(const float *a, const float *b, float *out, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		out[i] = a[i] + b[i];
}

static void
kernel_sub_scalar(const float *a, const float *b, float *out, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		out[i] = a[i] - b[i];
}

static void
kernel_mul_scalar(const float *a, const float *b, float *out, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		out[i] = a[i] * b[i];
}

static void
kernel_div_scalar(const float *a, const float *b, float *out, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		out[i] = a[i] / b[i];
}

static void
kernel_add_scalar_scalar(const float *a, float s, float *out, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		out[i] = a[i] + s;
}

static void
kernel_mul_scalar_scalar(const float *a, float s, float *out, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		out[i] = a[i] * s;
}

static double
kernel_sum_scalar(const float *a, size_t n)
{
	double		total = 0.0;
	double		comp = 0.0;
	size_t		start;

	for (start = 0; start < n; start += LINAL_SUM_BLOCK)
	{
		size_t		end = n - start > LINAL_SUM_BLOCK ? start + LINAL_SUM_BLOCK : n;
		double		block = 0.0;
		size_t		i;

		for (i = start; i < end; i++)
			block += (double) a[i];
		linal_neumaier_add(&total, &comp, block);
	}
	return total + comp;
}

static double
kernel_sum_squares_scalar(const float *a, size_t n)
{
	double		total = 0.0;
	double		comp = 0.0;
	size_t		start;

	for (start = 0; start < n; start += LINAL_SUM_BLOCK)
	{
		size_t		end = n - start > LINAL_SUM_BLOCK ? start + LINAL_SUM_BLOCK : n;
		double		block = 0.0;
		size_t		i;

		/* a float squared is exact in double (48 <= 53 mantissa bits) */
		for (i = start; i < end; i++)
			block += (double) a[i] * (double) a[i];
		linal_neumaier_add(&total, &comp, block);
	}
	return total + comp;
}

static void
kernel_min_max_scalar(const float *a, size_t n, float *min, float *max)
{
	float		lo = a[0];
	float		hi = a[0];
	size_t		i;

	for (i = 1; i < n; i++)
	{
		if (a[i] < lo)
			lo = a[i];
		if (a[i] > hi)
			hi = a[i];
	}
	*min = lo;
	*max = hi;
}

static void
kernel_dot_batch_scalar(const float *query, const float *const *rows, size_t dim,
						size_t count, float *out)
{
	size_t		j;

	for (j = 0; j < count; j++)
		out[j] = kernel_dot_scalar(query, rows[j], dim);
}

static void
kernel_l2_squared_batch_scalar(const float *query, const float *const *rows,
							   size_t dim, size_t count, float *out)
{
	size_t		j;

	for (j = 0; j < count; j++)
		out[j] = kernel_l2_squared_scalar(query, rows[j], dim);
}

static bool
kernel_all_finite_scalar(const float *a, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (!isfinite(a[i]))
			return false;
	}
	return true;
}

const LinalKernels linal_kernels_scalar_table = {
	.isa = LINAL_ISA_SCALAR,
	.name = "scalar",
	.dot = kernel_dot_scalar,
	.l2_squared = kernel_l2_squared_scalar,
	.l1 = kernel_l1_scalar,
	.cosine_parts = kernel_cosine_parts_scalar,
	.add = kernel_add_scalar,
	.sub = kernel_sub_scalar,
	.mul = kernel_mul_scalar,
	.div = kernel_div_scalar,
	.add_scalar = kernel_add_scalar_scalar,
	.mul_scalar = kernel_mul_scalar_scalar,
	.sum = kernel_sum_scalar,
	.sum_squares = kernel_sum_squares_scalar,
	.min_max = kernel_min_max_scalar,
	.dot_batch = kernel_dot_batch_scalar,
	.l2_squared_batch = kernel_l2_squared_batch_scalar,
	.all_finite = kernel_all_finite_scalar,
	.half_dot = kernel_half_dot_scalar,
	.half_l2_squared = kernel_half_l2_squared_scalar,
	.half_l1 = kernel_half_l1_scalar,
	.half_cosine_parts = kernel_half_cosine_parts_scalar,
	.half_to_float = kernel_half_to_float_scalar,
	.float_to_half = kernel_float_to_half_scalar,
};
