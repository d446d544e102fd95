/*-------------------------------------------------------------------------
 *
 * u8_avx512.c
 *	  AVX-512 VNNI 8-bit code kernel: vpdpbusd multiplies unsigned bytes
 *	  by signed bytes, four products a 32-bit lane.
 *
 * b's bytes are taken as b - 128 (the sign bit flipped), so the products
 * sum to a.b - 128 * sum(a); sum(a) comes from vpsadbw, and the dot is
 * that sum plus 128 * sum(a).  Used only when dispatch.c reports AVX-512
 * plus VNNI.  The tail (< 64 bytes) uses a byte-masked load: a's masked
 * bytes are 0, so their products are 0 whatever b's are.  A lane gains at
 * most 4 * 255 * 128 per 64 bytes; lanes go to 64 bits every
 * LINAL_U8_VNNI_BLOCK bytes.
 *
 *-------------------------------------------------------------------------
 */
#include "u8.h"

#if defined(__x86_64__)

#include <immintrin.h>

#define LINAL_TARGET_AVX512_VNNI \
	__attribute__((target("avx512f,avx512bw,avx512vnni")))

/* 8192 steps of 64 bytes: a lane reaches at most 8192 * 130560 < 2^31 */
#define LINAL_U8_VNNI_BLOCK ((size_t) 8192 * 64)

LINAL_TARGET_AVX512_VNNI
static inline void
step(__m512i x, __m512i y, __m512i *dot, __m512i *sum)
{
	const __m512i flip = _mm512_set1_epi8((char) 0x80);

	*dot = _mm512_dpbusd_epi32(*dot, x, _mm512_xor_si512(y, flip));
	*sum = _mm512_add_epi64(*sum, _mm512_sad_epu8(x, _mm512_setzero_si512()));
}

LINAL_TARGET_AVX512_VNNI
static uint64_t
kernel_u8_dot_avx512(const uint8_t *a, const uint8_t *b, size_t n)
{
	__m512i		sum = _mm512_setzero_si512();	/* of a, in 64-bit lanes */
	int64_t		dot_total = 0;
	size_t		i = 0;

	while (i < n)
	{
		size_t		end = n - i > LINAL_U8_VNNI_BLOCK ? i + LINAL_U8_VNNI_BLOCK : n;
		__m512i		dot = _mm512_setzero_si512();

		for (; i + 64 <= end; i += 64)
			step(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i), &dot, &sum);
		if (i < end)
		{
			__mmask64	m = (__mmask64) ((UINT64_C(1) << (end - i)) - 1);

			step(_mm512_maskz_loadu_epi8(m, a + i), _mm512_maskz_loadu_epi8(m, b + i), &dot, &sum);
			i = end;
		}
		/* 16 lanes of at most 2^31 in magnitude: no overflow in 64 bits */
		dot_total += _mm512_reduce_add_epi64(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(dot))) +
			_mm512_reduce_add_epi64(_mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(dot, 1)));
	}
	return (uint64_t) (dot_total + 128 * (int64_t) _mm512_reduce_add_epi64(sum));
}

const LinalU8Kernels linal_u8_kernels_avx512_table = {
	.name = "avx512_vnni",
	.dot = kernel_u8_dot_avx512,
	.decode = kernel_u8_decode_avx2,
};

#endif							/* __x86_64__ */
