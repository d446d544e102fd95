/*-------------------------------------------------------------------------
 *
 * avx2_hsum.h
 *	  The horizontal sum of one AVX2 register, shared by the float kernels
 *	  (avx2.c) and the half kernels (half_avx2.c) so both reduce their
 *	  accumulators in the same order and give the same results.
 *	  Include only from x86_64 code after <immintrin.h>.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_AVX2_HSUM_H
#define LINAL_AVX2_HSUM_H

__attribute__((target("avx2,fma")))
static inline float
hsum_ps(__m256 v)
{
	__m128		x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));

	x = _mm_add_ps(x, _mm_movehl_ps(x, x));
	x = _mm_add_ss(x, _mm_movehdup_ps(x));
	return _mm_cvtss_f32(x);
}

#endif							/* LINAL_AVX2_HSUM_H */
