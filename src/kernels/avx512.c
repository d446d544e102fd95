/*-------------------------------------------------------------------------
 *
 * avx512.c
 *	  AVX-512 (F, BW, DQ, VL) kernels (16 floats per register).
 *
 * As in avx2.c every function carries the target attribute and runs only
 * after dispatch.c has confirmed CPU and OS (ZMM/opmask state) support.
 * Loads are unaligned; the tail (n % 16 elements) uses masked loads and
 * stores, which never touch, and never fault on, the masked-off lanes.
 * Masked-off lanes in arithmetic use the maskz_ forms so they raise no
 * floating-point exception flags either (0/0 in a dead lane, say).
 *
 * Reductions run four independent accumulators; element-wise ops use
 * plain add/sub/mul/div and are never fused.
 *
 *-------------------------------------------------------------------------
 */
#include "kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

#define LINAL_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))

/* fpclass categories: QNaN | +Inf | -Inf | SNaN */
#define FPCLASS_NONFINITE 0x99

/* mask of the low `len` lanes, len < 16 */
LINAL_TARGET_AVX512
static inline __mmask16
tail_mask16(size_t len)
{
	return (__mmask16) ((1u << len) - 1u);
}

/* similarity */

LINAL_TARGET_AVX512
static inline float
dot_avx512(const float *a, const float *b, size_t n)
{
	__m512		acc0 = _mm512_setzero_ps();
	__m512		acc1 = _mm512_setzero_ps();
	__m512		acc2 = _mm512_setzero_ps();
	__m512		acc3 = _mm512_setzero_ps();
	__mmask16	m;
	size_t		i = 0;

	for (; i + 64 <= n; i += 64)
	{
		acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
		acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
		acc2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), acc2);
		acc3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), acc3);
	}
	for (; i + 16 <= n; i += 16)
		acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
	if (i < n)
	{
		m = tail_mask16(n - i);
		acc1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i),
							   _mm512_maskz_loadu_ps(m, b + i), acc1);
	}

	acc0 = _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3));
	return _mm512_reduce_add_ps(acc0);
}

LINAL_TARGET_AVX512
static inline float
l2_squared_avx512(const float *a, const float *b, size_t n)
{
	__m512		acc0 = _mm512_setzero_ps();
	__m512		acc1 = _mm512_setzero_ps();
	__m512		acc2 = _mm512_setzero_ps();
	__m512		acc3 = _mm512_setzero_ps();
	__m512		d0;
	__m512		d1;
	__m512		d2;
	__m512		d3;
	__mmask16	m;
	size_t		i = 0;

	for (; i + 64 <= n; i += 64)
	{
		d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
		d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
		d2 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
		d3 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));
		acc0 = _mm512_fmadd_ps(d0, d0, acc0);
		acc1 = _mm512_fmadd_ps(d1, d1, acc1);
		acc2 = _mm512_fmadd_ps(d2, d2, acc2);
		acc3 = _mm512_fmadd_ps(d3, d3, acc3);
	}
	for (; i + 16 <= n; i += 16)
	{
		d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
		acc0 = _mm512_fmadd_ps(d0, d0, acc0);
	}
	if (i < n)
	{
		m = tail_mask16(n - i);
		d1 = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i),
						   _mm512_maskz_loadu_ps(m, b + i));
		acc1 = _mm512_fmadd_ps(d1, d1, acc1);
	}

	acc0 = _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3));
	return _mm512_reduce_add_ps(acc0);
}

LINAL_TARGET_AVX512
static float
kernel_dot_avx512(const float *a, const float *b, size_t n)
{
	return dot_avx512(a, b, n);
}

LINAL_TARGET_AVX512
static float
kernel_l2_squared_avx512(const float *a, const float *b, size_t n)
{
	return l2_squared_avx512(a, b, n);
}

LINAL_TARGET_AVX512
static float
kernel_l1_avx512(const float *a, const float *b, size_t n)
{
	__m512		acc0 = _mm512_setzero_ps();
	__m512		acc1 = _mm512_setzero_ps();
	__m512		acc2 = _mm512_setzero_ps();
	__m512		acc3 = _mm512_setzero_ps();
	__m512		d0;
	__m512		d1;
	__m512		d2;
	__m512		d3;
	__mmask16	m;
	size_t		i = 0;

	for (; i + 64 <= n; i += 64)
	{
		d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
		d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
		d2 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
		d3 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));
		acc0 = _mm512_add_ps(acc0, _mm512_abs_ps(d0));
		acc1 = _mm512_add_ps(acc1, _mm512_abs_ps(d1));
		acc2 = _mm512_add_ps(acc2, _mm512_abs_ps(d2));
		acc3 = _mm512_add_ps(acc3, _mm512_abs_ps(d3));
	}
	for (; i + 16 <= n; i += 16)
	{
		d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
		acc0 = _mm512_add_ps(acc0, _mm512_abs_ps(d0));
	}
	if (i < n)
	{
		m = tail_mask16(n - i);
		d1 = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i),
						   _mm512_maskz_loadu_ps(m, b + i));
		acc1 = _mm512_add_ps(acc1, _mm512_abs_ps(d1));
	}

	acc0 = _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3));
	return _mm512_reduce_add_ps(acc0);
}

LINAL_TARGET_AVX512
static void
kernel_cosine_parts_avx512(const float *a, const float *b, size_t n,
						   float *dot, float *norm_a_sq, float *norm_b_sq)
{
	/* two accumulators per quantity; four measured no faster */
	__m512		ab0 = _mm512_setzero_ps();
	__m512		ab1 = _mm512_setzero_ps();
	__m512		aa0 = _mm512_setzero_ps();
	__m512		aa1 = _mm512_setzero_ps();
	__m512		bb0 = _mm512_setzero_ps();
	__m512		bb1 = _mm512_setzero_ps();
	__m512		x0;
	__m512		x1;
	__m512		y0;
	__m512		y1;
	__mmask16	m;
	size_t		i = 0;

	for (; i + 32 <= n; i += 32)
	{
		x0 = _mm512_loadu_ps(a + i);
		y0 = _mm512_loadu_ps(b + i);
		x1 = _mm512_loadu_ps(a + i + 16);
		y1 = _mm512_loadu_ps(b + i + 16);
		ab0 = _mm512_fmadd_ps(x0, y0, ab0);
		aa0 = _mm512_fmadd_ps(x0, x0, aa0);
		bb0 = _mm512_fmadd_ps(y0, y0, bb0);
		ab1 = _mm512_fmadd_ps(x1, y1, ab1);
		aa1 = _mm512_fmadd_ps(x1, x1, aa1);
		bb1 = _mm512_fmadd_ps(y1, y1, bb1);
	}
	for (; i + 16 <= n; i += 16)
	{
		x0 = _mm512_loadu_ps(a + i);
		y0 = _mm512_loadu_ps(b + i);
		ab0 = _mm512_fmadd_ps(x0, y0, ab0);
		aa0 = _mm512_fmadd_ps(x0, x0, aa0);
		bb0 = _mm512_fmadd_ps(y0, y0, bb0);
	}
	if (i < n)
	{
		m = tail_mask16(n - i);
		x1 = _mm512_maskz_loadu_ps(m, a + i);
		y1 = _mm512_maskz_loadu_ps(m, b + i);
		ab1 = _mm512_fmadd_ps(x1, y1, ab1);
		aa1 = _mm512_fmadd_ps(x1, x1, aa1);
		bb1 = _mm512_fmadd_ps(y1, y1, bb1);
	}

	*dot = _mm512_reduce_add_ps(_mm512_add_ps(ab0, ab1));
	*norm_a_sq = _mm512_reduce_add_ps(_mm512_add_ps(aa0, aa1));
	*norm_b_sq = _mm512_reduce_add_ps(_mm512_add_ps(bb0, bb1));
}

/*
 * Element-wise ops: two registers per iteration, one masked tail.  The same
 * pointer may be passed for out and a or b: each element is read before
 * it is written.
 */
#define DEFINE_BINARY_AVX512(opname, vop, maskz_vop) \
LINAL_TARGET_AVX512 \
static void \
kernel_##opname##_avx512(const float *a, const float *b, float *out, size_t n) \
{ \
	__mmask16	m; \
	size_t		i = 0; \
\
	for (; i + 32 <= n; i += 32) \
	{ \
		__m512		x0 = vop(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i)); \
		__m512		x1 = vop(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16)); \
\
		_mm512_storeu_ps(out + i, x0); \
		_mm512_storeu_ps(out + i + 16, x1); \
	} \
	for (; i + 16 <= n; i += 16) \
		_mm512_storeu_ps(out + i, vop(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i))); \
	if (i < n) \
	{ \
		m = tail_mask16(n - i); \
		_mm512_mask_storeu_ps(out + i, m, \
							  maskz_vop(m, _mm512_maskz_loadu_ps(m, a + i), \
										_mm512_maskz_loadu_ps(m, b + i))); \
	} \
}

#define DEFINE_SCALAR_OPERAND_AVX512(opname, vop, maskz_vop) \
LINAL_TARGET_AVX512 \
static void \
kernel_##opname##_avx512(const float *a, float s, float *out, size_t n) \
{ \
	__m512		vs = _mm512_set1_ps(s); \
	__mmask16	m; \
	size_t		i = 0; \
\
	for (; i + 32 <= n; i += 32) \
	{ \
		__m512		x0 = vop(_mm512_loadu_ps(a + i), vs); \
		__m512		x1 = vop(_mm512_loadu_ps(a + i + 16), vs); \
\
		_mm512_storeu_ps(out + i, x0); \
		_mm512_storeu_ps(out + i + 16, x1); \
	} \
	for (; i + 16 <= n; i += 16) \
		_mm512_storeu_ps(out + i, vop(_mm512_loadu_ps(a + i), vs)); \
	if (i < n) \
	{ \
		m = tail_mask16(n - i); \
		_mm512_mask_storeu_ps(out + i, m, \
							  maskz_vop(m, _mm512_maskz_loadu_ps(m, a + i), vs)); \
	} \
}

DEFINE_BINARY_AVX512(add, _mm512_add_ps, _mm512_maskz_add_ps)
DEFINE_BINARY_AVX512(sub, _mm512_sub_ps, _mm512_maskz_sub_ps)
DEFINE_BINARY_AVX512(mul, _mm512_mul_ps, _mm512_maskz_mul_ps)
DEFINE_BINARY_AVX512(div, _mm512_div_ps, _mm512_maskz_div_ps)
DEFINE_SCALAR_OPERAND_AVX512(add_scalar, _mm512_add_ps, _mm512_maskz_add_ps)
DEFINE_SCALAR_OPERAND_AVX512(mul_scalar, _mm512_mul_ps, _mm512_maskz_mul_ps)

/* reductions in double, blockwise (see LINAL_SUM_BLOCK in kernels.h) */

LINAL_TARGET_AVX512
static double
sum_block_avx512(const float *a, size_t n, bool squares)
{
	__m512d		acc0 = _mm512_setzero_pd();
	__m512d		acc1 = _mm512_setzero_pd();
	__m512d		acc2 = _mm512_setzero_pd();
	__m512d		acc3 = _mm512_setzero_pd();
	__m512d		x0;
	__m512d		x1;
	__m512d		x2;
	__m512d		x3;
	__mmask8	m;
	size_t		i = 0;

	for (; i + 32 <= n; i += 32)
	{
		x0 = _mm512_cvtps_pd(_mm256_loadu_ps(a + i));
		x1 = _mm512_cvtps_pd(_mm256_loadu_ps(a + i + 8));
		x2 = _mm512_cvtps_pd(_mm256_loadu_ps(a + i + 16));
		x3 = _mm512_cvtps_pd(_mm256_loadu_ps(a + i + 24));
		if (squares)
		{
			/* exact products, so fusing changes nothing */
			acc0 = _mm512_fmadd_pd(x0, x0, acc0);
			acc1 = _mm512_fmadd_pd(x1, x1, acc1);
			acc2 = _mm512_fmadd_pd(x2, x2, acc2);
			acc3 = _mm512_fmadd_pd(x3, x3, acc3);
		}
		else
		{
			acc0 = _mm512_add_pd(acc0, x0);
			acc1 = _mm512_add_pd(acc1, x1);
			acc2 = _mm512_add_pd(acc2, x2);
			acc3 = _mm512_add_pd(acc3, x3);
		}
	}
	for (; i < n; i += 8)
	{
		/* up to three full groups of 8, then a masked group */
		m = n - i >= 8 ? (__mmask8) 0xff : (__mmask8) ((1u << (n - i)) - 1u);
		x0 = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, a + i));
		if (squares)
			acc0 = _mm512_fmadd_pd(x0, x0, acc0);
		else
			acc0 = _mm512_add_pd(acc0, x0);
	}

	acc0 = _mm512_add_pd(_mm512_add_pd(acc0, acc1), _mm512_add_pd(acc2, acc3));
	return _mm512_reduce_add_pd(acc0);
}

LINAL_TARGET_AVX512
static double
sum_avx512(const float *a, size_t n, bool squares)
{
	double		total = 0.0;
	double		comp = 0.0;
	size_t		start;

	for (start = 0; start < n; start += LINAL_SUM_BLOCK)
	{
		size_t		len = n - start > LINAL_SUM_BLOCK ? LINAL_SUM_BLOCK : n - start;

		linal_neumaier_add(&total, &comp, sum_block_avx512(a + start, len, squares));
	}
	return total + comp;
}

LINAL_TARGET_AVX512
static double
kernel_sum_avx512(const float *a, size_t n)
{
	return sum_avx512(a, n, false);
}

LINAL_TARGET_AVX512
static double
kernel_sum_squares_avx512(const float *a, size_t n)
{
	return sum_avx512(a, n, true);
}

LINAL_TARGET_AVX512
static void
kernel_min_max_avx512(const float *a, size_t n, float *min, float *max)
{
	__m512		lo0 = _mm512_set1_ps(a[0]);
	__m512		lo1 = lo0;
	__m512		hi0 = lo0;
	__m512		hi1 = lo0;
	__m512		x0;
	__m512		x1;
	__mmask16	m;
	size_t		i = 0;

	for (; i + 32 <= n; i += 32)
	{
		x0 = _mm512_loadu_ps(a + i);
		x1 = _mm512_loadu_ps(a + i + 16);
		lo0 = _mm512_min_ps(lo0, x0);
		lo1 = _mm512_min_ps(lo1, x1);
		hi0 = _mm512_max_ps(hi0, x0);
		hi1 = _mm512_max_ps(hi1, x1);
	}
	for (; i + 16 <= n; i += 16)
	{
		x0 = _mm512_loadu_ps(a + i);
		lo0 = _mm512_min_ps(lo0, x0);
		hi0 = _mm512_max_ps(hi0, x0);
	}
	if (i < n)
	{
		/* dead lanes keep the running value */
		m = tail_mask16(n - i);
		x1 = _mm512_maskz_loadu_ps(m, a + i);
		lo1 = _mm512_mask_min_ps(lo1, m, lo1, x1);
		hi1 = _mm512_mask_max_ps(hi1, m, hi1, x1);
	}
	*min = _mm512_reduce_min_ps(_mm512_min_ps(lo0, lo1));
	*max = _mm512_reduce_max_ps(_mm512_max_ps(hi0, hi1));
}

LINAL_TARGET_AVX512
static void
kernel_dot_batch_avx512(const float *query, const float *const *rows, size_t dim,
						size_t count, float *out)
{
	size_t		j;

	for (j = 0; j < count; j++)
		out[j] = dot_avx512(query, rows[j], dim);
}

LINAL_TARGET_AVX512
static void
kernel_l2_squared_batch_avx512(const float *query, const float *const *rows,
							   size_t dim, size_t count, float *out)
{
	size_t		j;

	for (j = 0; j < count; j++)
		out[j] = l2_squared_avx512(query, rows[j], dim);
}

LINAL_TARGET_AVX512
static bool
kernel_all_finite_avx512(const float *a, size_t n)
{
	__mmask16	bad;
	__mmask16	m;
	size_t		i = 0;

	for (; i + 64 <= n; i += 64)
	{
		bad = _mm512_fpclass_ps_mask(_mm512_loadu_ps(a + i), FPCLASS_NONFINITE) |
			_mm512_fpclass_ps_mask(_mm512_loadu_ps(a + i + 16), FPCLASS_NONFINITE) |
			_mm512_fpclass_ps_mask(_mm512_loadu_ps(a + i + 32), FPCLASS_NONFINITE) |
			_mm512_fpclass_ps_mask(_mm512_loadu_ps(a + i + 48), FPCLASS_NONFINITE);
		if (bad)
			return false;
	}
	for (; i + 16 <= n; i += 16)
	{
		if (_mm512_fpclass_ps_mask(_mm512_loadu_ps(a + i), FPCLASS_NONFINITE))
			return false;
	}
	if (i < n)
	{
		m = tail_mask16(n - i);
		if (_mm512_mask_fpclass_ps_mask(m, _mm512_maskz_loadu_ps(m, a + i),
										FPCLASS_NONFINITE))
			return false;
	}
	return true;
}

const LinalKernels linal_kernels_avx512_table = {
	.isa = LINAL_ISA_AVX512,
	.name = "avx512",
	.dot = kernel_dot_avx512,
	.l2_squared = kernel_l2_squared_avx512,
	.l1 = kernel_l1_avx512,
	.cosine_parts = kernel_cosine_parts_avx512,
	.add = kernel_add_avx512,
	.sub = kernel_sub_avx512,
	.mul = kernel_mul_avx512,
	.div = kernel_div_avx512,
	.add_scalar = kernel_add_scalar_avx512,
	.mul_scalar = kernel_mul_scalar_avx512,
	.sum = kernel_sum_avx512,
	.sum_squares = kernel_sum_squares_avx512,
	.min_max = kernel_min_max_avx512,
	.dot_batch = kernel_dot_batch_avx512,
	.l2_squared_batch = kernel_l2_squared_batch_avx512,
	.all_finite = kernel_all_finite_avx512,
	.half_dot = kernel_half_dot_avx512,
	.half_l2_squared = kernel_half_l2_squared_avx512,
	.half_l1 = kernel_half_l1_avx512,
	.half_cosine_parts = kernel_half_cosine_parts_avx512,
	.half_to_float = kernel_half_to_float_avx512,
	.float_to_half = kernel_float_to_half_avx512,
};

#endif							/* __x86_64__ */
