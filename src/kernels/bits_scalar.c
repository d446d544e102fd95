/*-------------------------------------------------------------------------
 *
 * bits_scalar.c
 *	  Portable bit-vector kernels: 8 bytes at a time with a SWAR popcount
 *	  (no popcnt instruction, so this runs on any CPU and is the reference
 *	  the SIMD tables are tested against).
 *
 *-------------------------------------------------------------------------
 */
#include "bits.h"

static uint64_t
kernel_bits_hamming_scalar(const uint8_t *a, const uint8_t *b, size_t nbytes)
{
	uint64_t	count = 0;
	size_t		i;

	for (i = 0; i < nbytes; i += 8)
		count += linal_popcount64(linal_load_word(a + i, nbytes - i) ^
								  linal_load_word(b + i, nbytes - i));
	return count;
}

static void
kernel_bits_and_or_scalar(const uint8_t *a, const uint8_t *b, size_t nbytes,
						  uint64_t *and_count, uint64_t *or_count)
{
	uint64_t	n_and = 0;
	uint64_t	n_or = 0;
	size_t		i;

	for (i = 0; i < nbytes; i += 8)
	{
		uint64_t	wa = linal_load_word(a + i, nbytes - i);
		uint64_t	wb = linal_load_word(b + i, nbytes - i);

		n_and += linal_popcount64(wa & wb);
		n_or += linal_popcount64(wa | wb);
	}
	*and_count = n_and;
	*or_count = n_or;
}

const LinalBitKernels linal_bit_kernels_scalar_table = {
	.name = "scalar",
	.hamming = kernel_bits_hamming_scalar,
	.and_or = kernel_bits_and_or_scalar,
};
