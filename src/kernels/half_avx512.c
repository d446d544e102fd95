/*-------------------------------------------------------------------------
 *
 * half_avx512.c
 *	  AVX-512 kernels over binary16 (halftensor) buffers: sixteen halves
 *	  are loaded as 32 bytes and widened with vcvtph2ps (AVX-512F), then
 *	  accumulated with the same registers, strides and masked tails as
 *	  avx512.c, so results equal the float kernels' on the converted values.
 *
 * Tails use masked 16-bit loads (AVX-512BW+VL), which never touch the
 * masked-off halves; a masked-off half reads as +0.
 *
 *-------------------------------------------------------------------------
 */
#include "kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

#define LINAL_TARGET_HALF_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))

#define LOADH16(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (p)))
#define LOADH16_MASKED(m, p) _mm512_cvtph_ps(_mm256_maskz_loadu_epi16((m), (p)))

LINAL_TARGET_HALF_AVX512
static inline __mmask16
half_tail_mask(size_t len)
{
	return (__mmask16) ((1u << len) - 1u);
}

LINAL_TARGET_HALF_AVX512
float
kernel_half_dot_avx512(const uint16_t *a, const uint16_t *b, size_t n)
{
	__m512		acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(),
	_mm512_setzero_ps(), _mm512_setzero_ps()};
	__mmask16	m;
	size_t		i = 0;
	int			k;

	for (; i + 64 <= n; i += 64)
		for (k = 0; k < 4; k++)
			acc[k] = _mm512_fmadd_ps(LOADH16(a + i + 16 * k), LOADH16(b + i + 16 * k), acc[k]);
	for (; i + 16 <= n; i += 16)
		acc[0] = _mm512_fmadd_ps(LOADH16(a + i), LOADH16(b + i), acc[0]);
	if (i < n)
	{
		m = half_tail_mask(n - i);
		acc[1] = _mm512_fmadd_ps(LOADH16_MASKED(m, a + i), LOADH16_MASKED(m, b + i), acc[1]);
	}

	acc[0] = _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]));
	return _mm512_reduce_add_ps(acc[0]);
}

LINAL_TARGET_HALF_AVX512
float
kernel_half_l2_squared_avx512(const uint16_t *a, const uint16_t *b, size_t n)
{
	__m512		acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(),
	_mm512_setzero_ps(), _mm512_setzero_ps()};
	__m512		d;
	__mmask16	m;
	size_t		i = 0;
	int			k;

	for (; i + 64 <= n; i += 64)
		for (k = 0; k < 4; k++)
		{
			d = _mm512_sub_ps(LOADH16(a + i + 16 * k), LOADH16(b + i + 16 * k));
			acc[k] = _mm512_fmadd_ps(d, d, acc[k]);
		}
	for (; i + 16 <= n; i += 16)
	{
		d = _mm512_sub_ps(LOADH16(a + i), LOADH16(b + i));
		acc[0] = _mm512_fmadd_ps(d, d, acc[0]);
	}
	if (i < n)
	{
		m = half_tail_mask(n - i);
		d = _mm512_sub_ps(LOADH16_MASKED(m, a + i), LOADH16_MASKED(m, b + i));
		acc[1] = _mm512_fmadd_ps(d, d, acc[1]);
	}

	acc[0] = _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]));
	return _mm512_reduce_add_ps(acc[0]);
}

LINAL_TARGET_HALF_AVX512
float
kernel_half_l1_avx512(const uint16_t *a, const uint16_t *b, size_t n)
{
	__m512		acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(),
	_mm512_setzero_ps(), _mm512_setzero_ps()};
	__m512		d;
	__mmask16	m;
	size_t		i = 0;
	int			k;

	for (; i + 64 <= n; i += 64)
		for (k = 0; k < 4; k++)
		{
			d = _mm512_sub_ps(LOADH16(a + i + 16 * k), LOADH16(b + i + 16 * k));
			acc[k] = _mm512_add_ps(acc[k], _mm512_abs_ps(d));
		}
	for (; i + 16 <= n; i += 16)
	{
		d = _mm512_sub_ps(LOADH16(a + i), LOADH16(b + i));
		acc[0] = _mm512_add_ps(acc[0], _mm512_abs_ps(d));
	}
	if (i < n)
	{
		m = half_tail_mask(n - i);
		d = _mm512_sub_ps(LOADH16_MASKED(m, a + i), LOADH16_MASKED(m, b + i));
		acc[1] = _mm512_add_ps(acc[1], _mm512_abs_ps(d));
	}

	acc[0] = _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]));
	return _mm512_reduce_add_ps(acc[0]);
}

LINAL_TARGET_HALF_AVX512
void
kernel_half_cosine_parts_avx512(const uint16_t *a, const uint16_t *b, size_t n,
								float *dot, float *norm_a_sq, float *norm_b_sq)
{
	__m512		ab[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
	__m512		aa[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
	__m512		bb[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
	__m512		x;
	__m512		y;
	__mmask16	m;
	size_t		i = 0;
	int			k;

	for (; i + 32 <= n; i += 32)
		for (k = 0; k < 2; k++)
		{
			x = LOADH16(a + i + 16 * k);
			y = LOADH16(b + i + 16 * k);
			ab[k] = _mm512_fmadd_ps(x, y, ab[k]);
			aa[k] = _mm512_fmadd_ps(x, x, aa[k]);
			bb[k] = _mm512_fmadd_ps(y, y, bb[k]);
		}
	for (; i + 16 <= n; i += 16)
	{
		x = LOADH16(a + i);
		y = LOADH16(b + i);
		ab[0] = _mm512_fmadd_ps(x, y, ab[0]);
		aa[0] = _mm512_fmadd_ps(x, x, aa[0]);
		bb[0] = _mm512_fmadd_ps(y, y, bb[0]);
	}
	if (i < n)
	{
		m = half_tail_mask(n - i);
		x = LOADH16_MASKED(m, a + i);
		y = LOADH16_MASKED(m, b + i);
		ab[1] = _mm512_fmadd_ps(x, y, ab[1]);
		aa[1] = _mm512_fmadd_ps(x, x, aa[1]);
		bb[1] = _mm512_fmadd_ps(y, y, bb[1]);
	}

	*dot = _mm512_reduce_add_ps(_mm512_add_ps(ab[0], ab[1]));
	*norm_a_sq = _mm512_reduce_add_ps(_mm512_add_ps(aa[0], aa[1]));
	*norm_b_sq = _mm512_reduce_add_ps(_mm512_add_ps(bb[0], bb[1]));
}

LINAL_TARGET_HALF_AVX512
void
kernel_half_to_float_avx512(const uint16_t *in, float *out, size_t n)
{
	__mmask16	m;
	size_t		i = 0;

	for (; i + 16 <= n; i += 16)
		_mm512_storeu_ps(out + i, LOADH16(in + i));
	if (i < n)
	{
		m = half_tail_mask(n - i);
		_mm512_mask_storeu_ps(out + i, m, LOADH16_MASKED(m, in + i));
	}
}

LINAL_TARGET_HALF_AVX512
bool
kernel_float_to_half_avx512(const float *in, uint16_t *out, size_t n)
{
	__m256i		exp_mask = _mm256_set1_epi16((short) LINAL_HALF_EXP_MASK);
	__mmask16	bad = 0;
	__mmask16	m;
	__m256i		h;
	size_t		i = 0;

	for (; i + 16 <= n; i += 16)
	{
		h = _mm512_cvtps_ph(_mm512_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
		_mm256_storeu_si256((__m256i *) (out + i), h);
		bad |= _mm256_cmpeq_epi16_mask(_mm256_and_si256(h, exp_mask), exp_mask);
	}
	if (i < n)
	{
		m = half_tail_mask(n - i);
		h = _mm512_cvtps_ph(_mm512_maskz_loadu_ps(m, in + i),
							_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
		_mm256_mask_storeu_epi16(out + i, m, h);
		bad |= _mm256_mask_cmpeq_epi16_mask(m, _mm256_and_si256(h, exp_mask), exp_mask);
	}
	return bad == 0;
}

#endif							/* __x86_64__ */
