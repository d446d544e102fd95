/*-------------------------------------------------------------------------
 *
 * u8_avx2.c
 *	  AVX2 8-bit code kernels: the dot product, 16 bytes of each side
 *	  widened to 16-bit lanes, vpmaddwd into 32-bit lane sums; and decode,
 *	  8 bytes widened to 8 floats a step (the AVX-512 table's too).
 *
 * A 32-bit lane gains at most 4 * 255 * 255 per 32 bytes; the lanes are
 * added into 64 bits every LINAL_U8_AVX2_BLOCK bytes, long before 2^31.
 *
 *-------------------------------------------------------------------------
 */
#include "u8.h"

#if defined(__x86_64__)

#include <immintrin.h>

#define LINAL_TARGET_AVX2 __attribute__((target("avx2")))

/* 4096 steps of 32 bytes: a lane reaches at most 4096 * 260100 < 2^31 */
#define LINAL_U8_AVX2_BLOCK ((size_t) 4096 * 32)

LINAL_TARGET_AVX2
static uint64_t
lanes_sum(__m256i acc)
{
	uint32_t	lanes[8];
	uint64_t	sum = 0;
	int			i;

	_mm256_storeu_si256((__m256i *) lanes, acc);
	for (i = 0; i < 8; i++)
		sum += lanes[i];
	return sum;
}

LINAL_TARGET_AVX2
static uint64_t
kernel_u8_dot_avx2(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t	total = 0;
	size_t		i = 0;

	while (i + 32 <= n)
	{
		size_t		end = n - (n - i) % 32;
		__m256i		acc = _mm256_setzero_si256();

		if (end - i > LINAL_U8_AVX2_BLOCK)
			end = i + LINAL_U8_AVX2_BLOCK;
		for (; i < end; i += 32)
		{
			__m256i		x = _mm256_loadu_si256((const __m256i *) (a + i));
			__m256i		y = _mm256_loadu_si256((const __m256i *) (b + i));
			__m256i		xlo = _mm256_cvtepu8_epi16(_mm256_castsi256_si128(x));
			__m256i		xhi = _mm256_cvtepu8_epi16(_mm256_extracti128_si256(x, 1));
			__m256i		ylo = _mm256_cvtepu8_epi16(_mm256_castsi256_si128(y));
			__m256i		yhi = _mm256_cvtepu8_epi16(_mm256_extracti128_si256(y, 1));

			acc = _mm256_add_epi32(acc, _mm256_madd_epi16(xlo, ylo));
			acc = _mm256_add_epi32(acc, _mm256_madd_epi16(xhi, yhi));
		}
		total += lanes_sum(acc);
	}
	for (; i < n; i++)
		total += (uint32_t) a[i] * b[i];
	return total;
}

LINAL_TARGET_AVX2
void
kernel_u8_decode_avx2(const uint8_t *a, float lo, float step, float *out, size_t n)
{
	__m256		vlo = _mm256_set1_ps(lo);
	__m256		vstep = _mm256_set1_ps(step);
	size_t		i = 0;

	for (; i + 8 <= n; i += 8)
	{
		__m256i		c = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *) (a + i)));

		/* no FMA: the product is rounded first, as the scalar kernel's */
		_mm256_storeu_ps(out + i, _mm256_add_ps(vlo, _mm256_mul_ps(vstep, _mm256_cvtepi32_ps(c))));
	}
	for (; i < n; i++)
	{
		volatile float product = step * (float) a[i];

		out[i] = lo + product;
	}
}

const LinalU8Kernels linal_u8_kernels_avx2_table = {
	.name = "avx2",
	.dot = kernel_u8_dot_avx2,
	.decode = kernel_u8_decode_avx2,
};

#endif							/* __x86_64__ */
