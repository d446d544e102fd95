/*-------------------------------------------------------------------------
 *
 * avx2.c
 *	  AVX2 + FMA kernels (8 floats per register).
 *
 * The extension is built with plain -O2 and no -mavx flags, so every
 * function here carries the target attribute and only runs after
 * dispatch.c has confirmed CPU and OS support.  Loads are unaligned
 * (inputs are only 4-byte aligned) and tails are finished with scalar
 * code, so no load ever crosses the end of a buffer.  (Masked AVX2 loads
 * would also be safe, but valgrind reports them as full-width reads.)
 *
 * Reductions run four independent accumulators to hide FMA latency;
 * element-wise ops use plain add/sub/mul/div and are never fused.
 *
 *-------------------------------------------------------------------------
 */
#include "kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "avx2_hsum.h"

#define LINAL_TARGET_AVX2 __attribute__((target("avx2,fma")))

/* horizontal sums and extrema of one register (hsum_ps: avx2_hsum.h) */

LINAL_TARGET_AVX2
static inline double
hsum_pd(__m256d v)
{
	__m128d		x = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));

	x = _mm_add_sd(x, _mm_unpackhi_pd(x, x));
	return _mm_cvtsd_f64(x);
}

LINAL_TARGET_AVX2
static inline float
hmin_ps(__m256 v)
{
	__m128		x = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));

	x = _mm_min_ps(x, _mm_movehl_ps(x, x));
	x = _mm_min_ss(x, _mm_movehdup_ps(x));
	return _mm_cvtss_f32(x);
}

LINAL_TARGET_AVX2
static inline float
hmax_ps(__m256 v)
{
	__m128		x = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));

	x = _mm_max_ps(x, _mm_movehl_ps(x, x));
	x = _mm_max_ss(x, _mm_movehdup_ps(x));
	return _mm_cvtss_f32(x);
}

/* similarity */

LINAL_TARGET_AVX2
static inline float
dot_avx2(const float *a, const float *b, size_t n)
{
	__m256		acc0 = _mm256_setzero_ps();
	__m256		acc1 = _mm256_setzero_ps();
	__m256		acc2 = _mm256_setzero_ps();
	__m256		acc3 = _mm256_setzero_ps();
	float		tail = 0.0f;
	size_t		i = 0;

	for (; i + 32 <= n; i += 32)
	{
		acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
		acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
		acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), acc2);
		acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), acc3);
	}
	for (; i + 8 <= n; i += 8)
		acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
	for (; i < n; i++)
		tail += a[i] * b[i];

	acc0 = _mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3));
	return hsum_ps(acc0) + tail;
}

LINAL_TARGET_AVX2
static inline float
l2_squared_avx2(const float *a, const float *b, size_t n)
{
	__m256		acc0 = _mm256_setzero_ps();
	__m256		acc1 = _mm256_setzero_ps();
	__m256		acc2 = _mm256_setzero_ps();
	__m256		acc3 = _mm256_setzero_ps();
	__m256		d0;
	__m256		d1;
	__m256		d2;
	__m256		d3;
	float		tail = 0.0f;
	size_t		i = 0;

	for (; i + 32 <= n; i += 32)
	{
		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
		d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
		d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
		acc0 = _mm256_fmadd_ps(d0, d0, acc0);
		acc1 = _mm256_fmadd_ps(d1, d1, acc1);
		acc2 = _mm256_fmadd_ps(d2, d2, acc2);
		acc3 = _mm256_fmadd_ps(d3, d3, acc3);
	}
	for (; i + 8 <= n; i += 8)
	{
		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		acc0 = _mm256_fmadd_ps(d0, d0, acc0);
	}
	for (; i < n; i++)
	{
		float		d = a[i] - b[i];

		tail += d * d;
	}

	acc0 = _mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3));
	return hsum_ps(acc0) + tail;
}

LINAL_TARGET_AVX2
static float
kernel_dot_avx2(const float *a, const float *b, size_t n)
{
	return dot_avx2(a, b, n);
}

LINAL_TARGET_AVX2
static float
kernel_l2_squared_avx2(const float *a, const float *b, size_t n)
{
	return l2_squared_avx2(a, b, n);
}

LINAL_TARGET_AVX2
static float
kernel_l1_avx2(const float *a, const float *b, size_t n)
{
	/* |x| = x with the sign bit cleared */
	__m256		abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
	__m256		acc0 = _mm256_setzero_ps();
	__m256		acc1 = _mm256_setzero_ps();
	__m256		acc2 = _mm256_setzero_ps();
	__m256		acc3 = _mm256_setzero_ps();
	__m256		d0;
	__m256		d1;
	__m256		d2;
	__m256		d3;
	float		tail = 0.0f;
	size_t		i = 0;

	for (; i + 32 <= n; i += 32)
	{
		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
		d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
		d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
		acc0 = _mm256_add_ps(acc0, _mm256_and_ps(d0, abs_mask));
		acc1 = _mm256_add_ps(acc1, _mm256_and_ps(d1, abs_mask));
		acc2 = _mm256_add_ps(acc2, _mm256_and_ps(d2, abs_mask));
		acc3 = _mm256_add_ps(acc3, _mm256_and_ps(d3, abs_mask));
	}
	for (; i + 8 <= n; i += 8)
	{
		d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		acc0 = _mm256_add_ps(acc0, _mm256_and_ps(d0, abs_mask));
	}
	for (; i < n; i++)
	{
		float		d = a[i] - b[i];

		tail += d < 0.0f ? -d : d;
	}

	acc0 = _mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3));
	return hsum_ps(acc0) + tail;
}

LINAL_TARGET_AVX2
static void
kernel_cosine_parts_avx2(const float *a, const float *b, size_t n,
						 float *dot, float *norm_a_sq, float *norm_b_sq)
{
	/* two accumulators per quantity: six live registers plus four loads */
	__m256		ab0 = _mm256_setzero_ps();
	__m256		ab1 = _mm256_setzero_ps();
	__m256		aa0 = _mm256_setzero_ps();
	__m256		aa1 = _mm256_setzero_ps();
	__m256		bb0 = _mm256_setzero_ps();
	__m256		bb1 = _mm256_setzero_ps();
	__m256		x0;
	__m256		x1;
	__m256		y0;
	__m256		y1;
	float		ab_tail = 0.0f;
	float		aa_tail = 0.0f;
	float		bb_tail = 0.0f;
	size_t		i = 0;

	for (; i + 16 <= n; i += 16)
	{
		x0 = _mm256_loadu_ps(a + i);
		y0 = _mm256_loadu_ps(b + i);
		x1 = _mm256_loadu_ps(a + i + 8);
		y1 = _mm256_loadu_ps(b + i + 8);
		ab0 = _mm256_fmadd_ps(x0, y0, ab0);
		aa0 = _mm256_fmadd_ps(x0, x0, aa0);
		bb0 = _mm256_fmadd_ps(y0, y0, bb0);
		ab1 = _mm256_fmadd_ps(x1, y1, ab1);
		aa1 = _mm256_fmadd_ps(x1, x1, aa1);
		bb1 = _mm256_fmadd_ps(y1, y1, bb1);
	}
	for (; i + 8 <= n; i += 8)
	{
		x0 = _mm256_loadu_ps(a + i);
		y0 = _mm256_loadu_ps(b + i);
		ab0 = _mm256_fmadd_ps(x0, y0, ab0);
		aa0 = _mm256_fmadd_ps(x0, x0, aa0);
		bb0 = _mm256_fmadd_ps(y0, y0, bb0);
	}
	for (; i < n; i++)
	{
		ab_tail += a[i] * b[i];
		aa_tail += a[i] * a[i];
		bb_tail += b[i] * b[i];
	}

	*dot = hsum_ps(_mm256_add_ps(ab0, ab1)) + ab_tail;
	*norm_a_sq = hsum_ps(_mm256_add_ps(aa0, aa1)) + aa_tail;
	*norm_b_sq = hsum_ps(_mm256_add_ps(bb0, bb1)) + bb_tail;
}

/*
 * Element-wise ops: two registers per iteration, scalar tail.  The same
 * pointer may be passed for out and a or b: each element is read before
 * it is written.
 */
#define DEFINE_BINARY_AVX2(opname, vop, OP) \
LINAL_TARGET_AVX2 \
static void \
kernel_##opname##_avx2(const float *a, const float *b, float *out, size_t n) \
{ \
	size_t		i = 0; \
\
	for (; i + 16 <= n; i += 16) \
	{ \
		__m256		x0 = vop(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)); \
		__m256		x1 = vop(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8)); \
\
		_mm256_storeu_ps(out + i, x0); \
		_mm256_storeu_ps(out + i + 8, x1); \
	} \
	for (; i + 8 <= n; i += 8) \
		_mm256_storeu_ps(out + i, vop(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))); \
	for (; i < n; i++) \
		out[i] = a[i] OP b[i]; \
}

#define DEFINE_SCALAR_OPERAND_AVX2(opname, vop, OP) \
LINAL_TARGET_AVX2 \
static void \
kernel_##opname##_avx2(const float *a, float s, float *out, size_t n) \
{ \
	__m256		vs = _mm256_set1_ps(s); \
	size_t		i = 0; \
\
	for (; i + 16 <= n; i += 16) \
	{ \
		__m256		x0 = vop(_mm256_loadu_ps(a + i), vs); \
		__m256		x1 = vop(_mm256_loadu_ps(a + i + 8), vs); \
\
		_mm256_storeu_ps(out + i, x0); \
		_mm256_storeu_ps(out + i + 8, x1); \
	} \
	for (; i + 8 <= n; i += 8) \
		_mm256_storeu_ps(out + i, vop(_mm256_loadu_ps(a + i), vs)); \
	for (; i < n; i++) \
		out[i] = a[i] OP s; \
}

DEFINE_BINARY_AVX2(add, _mm256_add_ps, +)
DEFINE_BINARY_AVX2(sub, _mm256_sub_ps, -)
DEFINE_BINARY_AVX2(mul, _mm256_mul_ps, *)
DEFINE_BINARY_AVX2(div, _mm256_div_ps, /)
DEFINE_SCALAR_OPERAND_AVX2(add_scalar, _mm256_add_ps, +)
DEFINE_SCALAR_OPERAND_AVX2(mul_scalar, _mm256_mul_ps, *)

/* reductions in double, blockwise (see LINAL_SUM_BLOCK in kernels.h) */

LINAL_TARGET_AVX2
static double
sum_block_avx2(const float *a, size_t n, bool squares)
{
	__m256d		acc0 = _mm256_setzero_pd();
	__m256d		acc1 = _mm256_setzero_pd();
	__m256d		acc2 = _mm256_setzero_pd();
	__m256d		acc3 = _mm256_setzero_pd();
	__m256d		x0;
	__m256d		x1;
	__m256d		x2;
	__m256d		x3;
	double		tail = 0.0;
	size_t		i = 0;

	for (; i + 16 <= n; i += 16)
	{
		x0 = _mm256_cvtps_pd(_mm_loadu_ps(a + i));
		x1 = _mm256_cvtps_pd(_mm_loadu_ps(a + i + 4));
		x2 = _mm256_cvtps_pd(_mm_loadu_ps(a + i + 8));
		x3 = _mm256_cvtps_pd(_mm_loadu_ps(a + i + 12));
		if (squares)
		{
			/* exact products, so fusing changes nothing */
			acc0 = _mm256_fmadd_pd(x0, x0, acc0);
			acc1 = _mm256_fmadd_pd(x1, x1, acc1);
			acc2 = _mm256_fmadd_pd(x2, x2, acc2);
			acc3 = _mm256_fmadd_pd(x3, x3, acc3);
		}
		else
		{
			acc0 = _mm256_add_pd(acc0, x0);
			acc1 = _mm256_add_pd(acc1, x1);
			acc2 = _mm256_add_pd(acc2, x2);
			acc3 = _mm256_add_pd(acc3, x3);
		}
	}
	for (; i < n; i++)
	{
		double		x = (double) a[i];

		tail += squares ? x * x : x;
	}

	acc0 = _mm256_add_pd(_mm256_add_pd(acc0, acc1), _mm256_add_pd(acc2, acc3));
	return hsum_pd(acc0) + tail;
}

LINAL_TARGET_AVX2
static double
sum_avx2(const float *a, size_t n, bool squares)
{
	double		total = 0.0;
	double		comp = 0.0;
	size_t		start;

	for (start = 0; start < n; start += LINAL_SUM_BLOCK)
	{
		size_t		len = n - start > LINAL_SUM_BLOCK ? LINAL_SUM_BLOCK : n - start;

		linal_neumaier_add(&total, &comp, sum_block_avx2(a + start, len, squares));
	}
	return total + comp;
}

LINAL_TARGET_AVX2
static double
kernel_sum_avx2(const float *a, size_t n)
{
	return sum_avx2(a, n, false);
}

LINAL_TARGET_AVX2
static double
kernel_sum_squares_avx2(const float *a, size_t n)
{
	return sum_avx2(a, n, true);
}

LINAL_TARGET_AVX2
static void
kernel_min_max_avx2(const float *a, size_t n, float *min, float *max)
{
	__m256		lo0 = _mm256_set1_ps(a[0]);
	__m256		lo1 = lo0;
	__m256		hi0 = lo0;
	__m256		hi1 = lo0;
	__m256		x0;
	__m256		x1;
	float		lo;
	float		hi;
	size_t		i = 0;

	for (; i + 16 <= n; i += 16)
	{
		x0 = _mm256_loadu_ps(a + i);
		x1 = _mm256_loadu_ps(a + i + 8);
		lo0 = _mm256_min_ps(lo0, x0);
		lo1 = _mm256_min_ps(lo1, x1);
		hi0 = _mm256_max_ps(hi0, x0);
		hi1 = _mm256_max_ps(hi1, x1);
	}
	for (; i + 8 <= n; i += 8)
	{
		x0 = _mm256_loadu_ps(a + i);
		lo0 = _mm256_min_ps(lo0, x0);
		hi0 = _mm256_max_ps(hi0, x0);
	}
	lo = hmin_ps(_mm256_min_ps(lo0, lo1));
	hi = hmax_ps(_mm256_max_ps(hi0, hi1));
	for (; i < n; i++)
	{
		if (a[i] < lo)
			lo = a[i];
		if (a[i] > hi)
			hi = a[i];
	}
	*min = lo;
	*max = hi;
}

LINAL_TARGET_AVX2
static void
kernel_dot_batch_avx2(const float *query, const float *const *rows, size_t dim,
					  size_t count, float *out)
{
	size_t		j;

	for (j = 0; j < count; j++)
		out[j] = dot_avx2(query, rows[j], dim);
}

LINAL_TARGET_AVX2
static void
kernel_l2_squared_batch_avx2(const float *query, const float *const *rows,
							 size_t dim, size_t count, float *out)
{
	size_t		j;

	for (j = 0; j < count; j++)
		out[j] = l2_squared_avx2(query, rows[j], dim);
}

/* an element is NaN or Inf exactly when all its exponent bits are set */
LINAL_TARGET_AVX2
static bool
kernel_all_finite_avx2(const float *a, size_t n)
{
	__m256i		exp_mask = _mm256_set1_epi32(0x7f800000);
	__m256i		bad;
	uint32_t	bits;
	size_t		i = 0;

#define NONFINITE_AVX2(p) \
	_mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(_mm256_loadu_ps(p)), \
										exp_mask), exp_mask)

	for (; i + 32 <= n; i += 32)
	{
		bad = _mm256_or_si256(_mm256_or_si256(NONFINITE_AVX2(a + i),
											  NONFINITE_AVX2(a + i + 8)),
							  _mm256_or_si256(NONFINITE_AVX2(a + i + 16),
											  NONFINITE_AVX2(a + i + 24)));
		if (!_mm256_testz_si256(bad, bad))
			return false;
	}
	for (; i + 8 <= n; i += 8)
	{
		bad = NONFINITE_AVX2(a + i);
		if (!_mm256_testz_si256(bad, bad))
			return false;
	}
#undef NONFINITE_AVX2
	for (; i < n; i++)
	{
		memcpy(&bits, a + i, sizeof(bits));
		if ((bits & 0x7f800000u) == 0x7f800000u)
			return false;
	}
	return true;
}

const LinalKernels linal_kernels_avx2_table = {
	.isa = LINAL_ISA_AVX2,
	.name = "avx2",
	.dot = kernel_dot_avx2,
	.l2_squared = kernel_l2_squared_avx2,
	.l1 = kernel_l1_avx2,
	.cosine_parts = kernel_cosine_parts_avx2,
	.add = kernel_add_avx2,
	.sub = kernel_sub_avx2,
	.mul = kernel_mul_avx2,
	.div = kernel_div_avx2,
	.add_scalar = kernel_add_scalar_avx2,
	.mul_scalar = kernel_mul_scalar_avx2,
	.sum = kernel_sum_avx2,
	.sum_squares = kernel_sum_squares_avx2,
	.min_max = kernel_min_max_avx2,
	.dot_batch = kernel_dot_batch_avx2,
	.l2_squared_batch = kernel_l2_squared_batch_avx2,
	.all_finite = kernel_all_finite_avx2,
	.half_dot = kernel_half_dot_avx2,
	.half_l2_squared = kernel_half_l2_squared_avx2,
	.half_l1 = kernel_half_l1_avx2,
	.half_cosine_parts = kernel_half_cosine_parts_avx2,
	.half_to_float = kernel_half_to_float_avx2,
	.float_to_half = kernel_float_to_half_avx2,
};

#endif							/* __x86_64__ */
