/*-------------------------------------------------------------------------
 *
 * bits.c
 *	  Which bit-vector kernel table runs, and the entry points other
 *	  subsystems call (linal_bits_hamming, linal_bits_jaccard).
 *
 * The bit table follows the active float table, so linal.simd switches
 * both at once and dispatch.c needs no second selection step.
 *
 *-------------------------------------------------------------------------
 */
#include "bits.h"

const LinalBitKernels *
linal_bit_kernels_for(LinalIsa isa)
{
	if (!linal_cpu_supports(isa))
		return NULL;
	switch (isa)
	{
		case LINAL_ISA_SCALAR:
			return &linal_bit_kernels_scalar_table;
#if defined(__x86_64__)
		case LINAL_ISA_AVX2:
			return &linal_bit_kernels_avx2_table;
		case LINAL_ISA_AVX512:
			return linal_cpu_supports_vpopcntdq() ? &linal_bit_kernels_avx512_table
				: &linal_bit_kernels_avx2_table;
#endif
		default:
			return NULL;
	}
}

const LinalBitKernels *
linal_bit_kernels_active(void)
{
	/*
	 * Resolved once per ISA (a cpuid check is not free).  Threads racing on
	 * the first call store the same pointer.
	 */
	static const LinalBitKernels *resolved[LINAL_ISA_COUNT];
	LinalIsa	isa = linal_kernels->isa;
	const LinalBitKernels *k;

	if ((unsigned) isa >= LINAL_ISA_COUNT)
		return &linal_bit_kernels_scalar_table;
	k = resolved[isa];
	if (k == NULL)
	{
		k = linal_bit_kernels_for(isa);
		if (k == NULL)
			k = &linal_bit_kernels_scalar_table;
		resolved[isa] = k;
	}
	return k;
}

uint64_t
linal_bits_hamming(const uint8_t *a, const uint8_t *b, int nbytes)
{
	if (nbytes <= 0)
		return 0;
	return linal_bit_kernels_active()->hamming(a, b, (size_t) nbytes);
}

double
linal_bits_jaccard_from_counts(uint64_t and_count, uint64_t or_count)
{
	/* no common bit (0/0 for two all-zero vectors): distance 1 */
	if (and_count == 0)
		return 1.0;
	return 1.0 - (double) and_count / (double) or_count;
}

double
linal_bits_jaccard(const uint8_t *a, const uint8_t *b, int nbytes)
{
	uint64_t	and_count = 0;
	uint64_t	or_count = 0;

	if (nbytes > 0)
		linal_bit_kernels_active()->and_or(a, b, (size_t) nbytes, &and_count, &or_count);
	return linal_bits_jaccard_from_counts(and_count, or_count);
}
