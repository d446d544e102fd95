/*-------------------------------------------------------------------------
 *
 * half_avx2.c
 *	  AVX2 + FMA + F16C kernels over binary16 (halftensor) buffers: eight
 *	  halves are loaded as 16 bytes and widened with vcvtph2ps, then
 *	  accumulated with the same registers, strides and tails as avx2.c,
 *	  so results equal the float kernels' on the converted values.
 *
 * dispatch.c enables the AVX2 table only when the CPU has F16C too (every
 * AVX2 CPU so far does).  Tails are scalar, so no load crosses the end of
 * a buffer.
 *
 *-------------------------------------------------------------------------
 */
#include "kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

#include "avx2_hsum.h"

#define LINAL_TARGET_HALF_AVX2 __attribute__((target("avx2,fma,f16c")))

/* eight halves at p, as floats */
#define LOADH8(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (p)))

LINAL_TARGET_HALF_AVX2
float
kernel_half_dot_avx2(const uint16_t *a, const uint16_t *b, size_t n)
{
	__m256		acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(),
	_mm256_setzero_ps(), _mm256_setzero_ps()};
	float		tail = 0.0f;
	size_t		i = 0;
	int			k;

	for (; i + 32 <= n; i += 32)
		for (k = 0; k < 4; k++)
			acc[k] = _mm256_fmadd_ps(LOADH8(a + i + 8 * k), LOADH8(b + i + 8 * k), acc[k]);
	for (; i + 8 <= n; i += 8)
		acc[0] = _mm256_fmadd_ps(LOADH8(a + i), LOADH8(b + i), acc[0]);
	for (; i < n; i++)
		tail += linal_half_to_float(a[i]) * linal_half_to_float(b[i]);

	acc[0] = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
	return hsum_ps(acc[0]) + tail;
}

LINAL_TARGET_HALF_AVX2
float
kernel_half_l2_squared_avx2(const uint16_t *a, const uint16_t *b, size_t n)
{
	__m256		acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(),
	_mm256_setzero_ps(), _mm256_setzero_ps()};
	__m256		d;
	float		tail = 0.0f;
	size_t		i = 0;
	int			k;

	for (; i + 32 <= n; i += 32)
		for (k = 0; k < 4; k++)
		{
			d = _mm256_sub_ps(LOADH8(a + i + 8 * k), LOADH8(b + i + 8 * k));
			acc[k] = _mm256_fmadd_ps(d, d, acc[k]);
		}
	for (; i + 8 <= n; i += 8)
	{
		d = _mm256_sub_ps(LOADH8(a + i), LOADH8(b + i));
		acc[0] = _mm256_fmadd_ps(d, d, acc[0]);
	}
	for (; i < n; i++)
	{
		float		dt = linal_half_to_float(a[i]) - linal_half_to_float(b[i]);

		tail += dt * dt;
	}

	acc[0] = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
	return hsum_ps(acc[0]) + tail;
}

LINAL_TARGET_HALF_AVX2
float
kernel_half_l1_avx2(const uint16_t *a, const uint16_t *b, size_t n)
{
	__m256		abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
	__m256		acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(),
	_mm256_setzero_ps(), _mm256_setzero_ps()};
	__m256		d;
	float		tail = 0.0f;
	size_t		i = 0;
	int			k;

	for (; i + 32 <= n; i += 32)
		for (k = 0; k < 4; k++)
		{
			d = _mm256_sub_ps(LOADH8(a + i + 8 * k), LOADH8(b + i + 8 * k));
			acc[k] = _mm256_add_ps(acc[k], _mm256_and_ps(d, abs_mask));
		}
	for (; i + 8 <= n; i += 8)
	{
		d = _mm256_sub_ps(LOADH8(a + i), LOADH8(b + i));
		acc[0] = _mm256_add_ps(acc[0], _mm256_and_ps(d, abs_mask));
	}
	for (; i < n; i++)
	{
		float		dt = linal_half_to_float(a[i]) - linal_half_to_float(b[i]);

		tail += dt < 0.0f ? -dt : dt;
	}

	acc[0] = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
	return hsum_ps(acc[0]) + tail;
}

LINAL_TARGET_HALF_AVX2
void
kernel_half_cosine_parts_avx2(const uint16_t *a, const uint16_t *b, size_t n,
							  float *dot, float *norm_a_sq, float *norm_b_sq)
{
	/* two accumulators per quantity, as in avx2.c */
	__m256		ab[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
	__m256		aa[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
	__m256		bb[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
	__m256		x;
	__m256		y;
	float		ab_tail = 0.0f;
	float		aa_tail = 0.0f;
	float		bb_tail = 0.0f;
	size_t		i = 0;
	int			k;

	for (; i + 16 <= n; i += 16)
		for (k = 0; k < 2; k++)
		{
			x = LOADH8(a + i + 8 * k);
			y = LOADH8(b + i + 8 * k);
			ab[k] = _mm256_fmadd_ps(x, y, ab[k]);
			aa[k] = _mm256_fmadd_ps(x, x, aa[k]);
			bb[k] = _mm256_fmadd_ps(y, y, bb[k]);
		}
	for (; i + 8 <= n; i += 8)
	{
		x = LOADH8(a + i);
		y = LOADH8(b + i);
		ab[0] = _mm256_fmadd_ps(x, y, ab[0]);
		aa[0] = _mm256_fmadd_ps(x, x, aa[0]);
		bb[0] = _mm256_fmadd_ps(y, y, bb[0]);
	}
	for (; i < n; i++)
	{
		float		xs = linal_half_to_float(a[i]);
		float		ys = linal_half_to_float(b[i]);

		ab_tail += xs * ys;
		aa_tail += xs * xs;
		bb_tail += ys * ys;
	}

	*dot = hsum_ps(_mm256_add_ps(ab[0], ab[1])) + ab_tail;
	*norm_a_sq = hsum_ps(_mm256_add_ps(aa[0], aa[1])) + aa_tail;
	*norm_b_sq = hsum_ps(_mm256_add_ps(bb[0], bb[1])) + bb_tail;
}

LINAL_TARGET_HALF_AVX2
void
kernel_half_to_float_avx2(const uint16_t *in, float *out, size_t n)
{
	size_t		i = 0;

	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(out + i, LOADH8(in + i));
	for (; i < n; i++)
		out[i] = linal_half_to_float(in[i]);
}

LINAL_TARGET_HALF_AVX2
bool
kernel_float_to_half_avx2(const float *in, uint16_t *out, size_t n)
{
	__m128i		exp_mask = _mm_set1_epi16((short) LINAL_HALF_EXP_MASK);
	__m128i		bad = _mm_setzero_si128();
	__m128i		h;
	bool		finite = true;
	size_t		i = 0;

	for (; i + 8 <= n; i += 8)
	{
		h = _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
		_mm_storeu_si128((__m128i *) (out + i), h);
		/* a lane is Inf/NaN when its exponent bits are all ones */
		bad = _mm_or_si128(bad, _mm_cmpeq_epi16(_mm_and_si128(h, exp_mask), exp_mask));
	}
	for (; i < n; i++)
	{
		out[i] = linal_float_to_half(in[i]);
		finite &= linal_half_is_finite(out[i]);
	}
	return finite && _mm_testz_si128(bad, bad);
}

#endif							/* __x86_64__ */
