/*-------------------------------------------------------------------------
 *
 * bits_avx2.c
 *	  AVX2 bit-vector kernels: 32 bytes per register, popcount by nibble
 *	  lookup (vpshufb on a 16-entry table of bit counts, once for the low
 *	  and once for the high nibble of every byte).
 *
 * Per-byte counts (at most 8 per register) add up in 8-bit lanes for at
 * most LINAL_BITS_AVX2_BLOCK registers, which keeps every lane <= 248,
 * then vpsadbw folds them into four 64-bit sums.  The tail (< 32 bytes) is
 * copied into a zeroed register-sized buffer on the stack, so no load
 * crosses the end of an input (valgrind-clean, unlike masked AVX2 loads).
 * Needs only AVX2, which dispatch.c checks before this table is used.
 *
 *-------------------------------------------------------------------------
 */
#include "bits.h"

#if defined(__x86_64__)

#include <immintrin.h>
#include <stdbool.h>

#define LINAL_TARGET_AVX2 __attribute__((target("avx2")))

/* registers summed in 8-bit lanes before they could overflow: 31 * 8 <= 255 */
#define LINAL_BITS_AVX2_BLOCK 31

LINAL_TARGET_AVX2
static inline __m256i
popcount_bytes_avx2(__m256i v)
{
	const __m256i nibble_counts = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
												   0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
	const __m256i low_nibble = _mm256_set1_epi8(0x0f);
	__m256i		lo = _mm256_and_si256(v, low_nibble);
	__m256i		hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibble);

	return _mm256_add_epi8(_mm256_shuffle_epi8(nibble_counts, lo),
						   _mm256_shuffle_epi8(nibble_counts, hi));
}

/* byte counts -> four 64-bit partial sums */
LINAL_TARGET_AVX2
static inline __m256i
widen_counts_avx2(__m256i byte_counts)
{
	return _mm256_sad_epu8(byte_counts, _mm256_setzero_si256());
}

LINAL_TARGET_AVX2
static inline uint64_t
hsum_epi64_avx2(__m256i v)
{
	__m128i		x = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));

	return (uint64_t) _mm_cvtsi128_si64(x) + (uint64_t) _mm_extract_epi64(x, 1);
}

/* the last nbytes < 32 bytes of a and b as zero-padded registers */
LINAL_TARGET_AVX2
static inline void
load_tail_avx2(const uint8_t *a, const uint8_t *b, size_t nbytes,
			   __m256i *va, __m256i *vb)
{
	uint8_t		ta[32] = {0};
	uint8_t		tb[32] = {0};

	memcpy(ta, a, nbytes);
	memcpy(tb, b, nbytes);
	*va = _mm256_loadu_si256((const __m256i *) ta);
	*vb = _mm256_loadu_si256((const __m256i *) tb);
}

/* what is counted: the set bits of a OP b */
typedef enum BitOp
{
	BIT_XOR,
	BIT_AND,
	BIT_OR
} BitOp;

LINAL_TARGET_AVX2
static inline __m256i
apply_op_avx2(BitOp op, __m256i va, __m256i vb)
{
	switch (op)
	{
		case BIT_XOR:
			return _mm256_xor_si256(va, vb);
		case BIT_AND:
			return _mm256_and_si256(va, vb);
		case BIT_OR:
			break;
	}
	return _mm256_or_si256(va, vb);
}

/*
 * Set bits of a op1 b and of a op2 b in one pass (the kernels pass
 * constant ops, so the switch folds away; count_two = false skips op2).
 */
LINAL_TARGET_AVX2
static inline __attribute__((always_inline)) void
count_bits_avx2(const uint8_t *a, const uint8_t *b, size_t nbytes,
				BitOp op1, BitOp op2, bool count_two,
				uint64_t *count1, uint64_t *count2)
{
	__m256i		total1 = _mm256_setzero_si256();
	__m256i		total2 = _mm256_setzero_si256();
	size_t		full = nbytes / 32;
	size_t		i = 0;

	while (i < full)
	{
		size_t		block_end = i + LINAL_BITS_AVX2_BLOCK < full ? i + LINAL_BITS_AVX2_BLOCK : full;
		__m256i		acc1 = _mm256_setzero_si256();
		__m256i		acc2 = _mm256_setzero_si256();

		for (; i < block_end; i++)
		{
			__m256i		va = _mm256_loadu_si256((const __m256i *) (a + 32 * i));
			__m256i		vb = _mm256_loadu_si256((const __m256i *) (b + 32 * i));

			acc1 = _mm256_add_epi8(acc1, popcount_bytes_avx2(apply_op_avx2(op1, va, vb)));
			if (count_two)
				acc2 = _mm256_add_epi8(acc2, popcount_bytes_avx2(apply_op_avx2(op2, va, vb)));
		}
		total1 = _mm256_add_epi64(total1, widen_counts_avx2(acc1));
		if (count_two)
			total2 = _mm256_add_epi64(total2, widen_counts_avx2(acc2));
	}
	if (nbytes % 32 != 0)
	{
		__m256i		va;
		__m256i		vb;

		load_tail_avx2(a + 32 * full, b + 32 * full, nbytes % 32, &va, &vb);
		total1 = _mm256_add_epi64(total1,
								  widen_counts_avx2(popcount_bytes_avx2(apply_op_avx2(op1, va, vb))));
		if (count_two)
			total2 = _mm256_add_epi64(total2,
									  widen_counts_avx2(popcount_bytes_avx2(apply_op_avx2(op2, va, vb))));
	}
	*count1 = hsum_epi64_avx2(total1);
	if (count_two)
		*count2 = hsum_epi64_avx2(total2);
}

LINAL_TARGET_AVX2
static uint64_t
kernel_bits_hamming_avx2(const uint8_t *a, const uint8_t *b, size_t nbytes)
{
	uint64_t	count;

	count_bits_avx2(a, b, nbytes, BIT_XOR, BIT_XOR, false, &count, NULL);
	return count;
}

LINAL_TARGET_AVX2
static void
kernel_bits_and_or_avx2(const uint8_t *a, const uint8_t *b, size_t nbytes,
						uint64_t *and_count, uint64_t *or_count)
{
	count_bits_avx2(a, b, nbytes, BIT_AND, BIT_OR, true, and_count, or_count);
}

const LinalBitKernels linal_bit_kernels_avx2_table = {
	.name = "avx2",
	.hamming = kernel_bits_hamming_avx2,
	.and_or = kernel_bits_and_or_avx2,
};

#endif							/* __x86_64__ */
