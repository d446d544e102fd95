/*-------------------------------------------------------------------------
 *
 * bits_avx512.c
 *	  AVX-512 VPOPCNTDQ bit-vector kernels: 64 bytes per register, one
 *	  vpopcntq per register straight into 64-bit lane sums.
 *
 * Used only when dispatch.c reports AVX-512 (F, BW, DQ, VL, with ZMM and
 * opmask state enabled by the OS) plus VPOPCNTDQ.  The tail (< 64 bytes)
 * uses a byte-masked load (AVX512BW), which never touches, nor faults on,
 * the masked-off bytes.  Two accumulators per count keep consecutive
 * vpopcntq/vpaddq pairs independent.
 *
 *-------------------------------------------------------------------------
 */
#include "bits.h"

#if defined(__x86_64__)

#include <immintrin.h>

#define LINAL_TARGET_AVX512_POPCNT \
	__attribute__((target("avx512f,avx512bw,avx512vpopcntdq")))

/* mask of the low len bytes, 0 < len < 64 */
LINAL_TARGET_AVX512_POPCNT
static inline __mmask64
tail_mask64(size_t len)
{
	return (__mmask64) ((UINT64_C(1) << len) - 1);
}

LINAL_TARGET_AVX512_POPCNT
static uint64_t
kernel_bits_hamming_avx512(const uint8_t *a, const uint8_t *b, size_t nbytes)
{
	__m512i		acc0 = _mm512_setzero_si512();
	__m512i		acc1 = _mm512_setzero_si512();
	size_t		i = 0;

	for (; i + 128 <= nbytes; i += 128)
	{
		__m512i		x0 = _mm512_xor_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));
		__m512i		x1 = _mm512_xor_si512(_mm512_loadu_si512(a + i + 64),
										  _mm512_loadu_si512(b + i + 64));

		acc0 = _mm512_add_epi64(acc0, _mm512_popcnt_epi64(x0));
		acc1 = _mm512_add_epi64(acc1, _mm512_popcnt_epi64(x1));
	}
	if (i + 64 <= nbytes)
	{
		acc0 = _mm512_add_epi64(acc0, _mm512_popcnt_epi64(
									_mm512_xor_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i))));
		i += 64;
	}
	if (i < nbytes)
	{
		__mmask64	m = tail_mask64(nbytes - i);

		acc1 = _mm512_add_epi64(acc1, _mm512_popcnt_epi64(
									_mm512_xor_si512(_mm512_maskz_loadu_epi8(m, a + i),
													 _mm512_maskz_loadu_epi8(m, b + i))));
	}
	return (uint64_t) _mm512_reduce_add_epi64(_mm512_add_epi64(acc0, acc1));
}

LINAL_TARGET_AVX512_POPCNT
static void
kernel_bits_and_or_avx512(const uint8_t *a, const uint8_t *b, size_t nbytes,
						  uint64_t *and_count, uint64_t *or_count)
{
	__m512i		acc_and = _mm512_setzero_si512();
	__m512i		acc_or = _mm512_setzero_si512();
	size_t		i = 0;

	for (; i + 64 <= nbytes; i += 64)
	{
		__m512i		va = _mm512_loadu_si512(a + i);
		__m512i		vb = _mm512_loadu_si512(b + i);

		acc_and = _mm512_add_epi64(acc_and, _mm512_popcnt_epi64(_mm512_and_si512(va, vb)));
		acc_or = _mm512_add_epi64(acc_or, _mm512_popcnt_epi64(_mm512_or_si512(va, vb)));
	}
	if (i < nbytes)
	{
		__mmask64	m = tail_mask64(nbytes - i);
		__m512i		va = _mm512_maskz_loadu_epi8(m, a + i);
		__m512i		vb = _mm512_maskz_loadu_epi8(m, b + i);

		acc_and = _mm512_add_epi64(acc_and, _mm512_popcnt_epi64(_mm512_and_si512(va, vb)));
		acc_or = _mm512_add_epi64(acc_or, _mm512_popcnt_epi64(_mm512_or_si512(va, vb)));
	}
	*and_count = (uint64_t) _mm512_reduce_add_epi64(acc_and);
	*or_count = (uint64_t) _mm512_reduce_add_epi64(acc_or);
}

const LinalBitKernels linal_bit_kernels_avx512_table = {
	.name = "avx512_vpopcntdq",
	.hamming = kernel_bits_hamming_avx512,
	.and_or = kernel_bits_and_or_avx512,
};

#endif							/* __x86_64__ */
