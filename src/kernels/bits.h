/*-------------------------------------------------------------------------
 *
 * bits.h
 *	  Bit-vector kernels: the number of set bits in a XOR b (Hamming
 *	  distance) and in a AND b / a OR b (Jaccard distance) over two byte
 *	  arrays, with the same runtime dispatch as the float kernels.
 *
 * Pure C like kernels.h: no Postgres headers, no allocation.  uint8_t and
 * uint64_t are the same types as Postgres' uint8 and uint64, so server code
 * passes VARBITS() pointers straight in.
 *
 * Calling conventions
 * -------------------
 * - Sizes are byte counts; 0 is valid.  Pointers need no alignment.
 * - Every bit of every byte counts.  A bit string whose length is not a
 *	 multiple of 8 must have zero padding bits in its last byte, or the
 *	 caller masks that byte itself (src/algebra/bit_distance.c does, so
 *	 values with stray padding bits still give the right distance).
 * - A kernel reads exactly a[0..nbytes-1] and b[0..nbytes-1], never past
 *	 them, not even inside a SIMD register (tails use masked loads or a
 *	 zero-padded copy on the stack).
 * - Results are exact integers, identical on every ISA.
 *
 * Which table runs
 * ----------------
 * The bit table follows the active float table (linal_kernels->isa, which
 * the linal.simd GUC sets): scalar -> scalar, avx2 -> avx2 (nibble lookup
 * with vpshufb), avx512 -> VPOPCNTDQ when the CPU has it, else avx2 (the
 * avx512 float ISA does not imply VPOPCNTDQ: Skylake-SP lacks it).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_BITS_H
#define LINAL_BITS_H

#include <stdint.h>
#include <string.h>

#include "kernels.h"

typedef struct LinalBitKernels
{
	const char *name;			/* "scalar", "avx2", "avx512_vpopcntdq" */

	/* set bits of a XOR b */
	uint64_t	(*hamming) (const uint8_t *a, const uint8_t *b, size_t nbytes);
	/* set bits of a AND b and of a OR b, in one pass */
	void		(*and_or) (const uint8_t *a, const uint8_t *b, size_t nbytes,
						   uint64_t *and_count, uint64_t *or_count);
} LinalBitKernels;

/*
 * The bit table that goes with float isa, or NULL if the CPU (or this
 * build) lacks isa.  Tables for an ISA whose float kernels exist but whose
 * popcount instruction does not fall back as described above.
 */
extern const LinalBitKernels *linal_bit_kernels_for(LinalIsa isa);

/* the bit table of the active float table (linal_kernels) */
extern const LinalBitKernels *linal_bit_kernels_active(void);

/*
 * Entry points for other subsystems (the SQL functions, index support):
 * run the active table.  nbytes <= 0 means empty vectors.
 */
extern uint64_t linal_bits_hamming(const uint8_t *a, const uint8_t *b, int nbytes);

/*
 * Jaccard distance 1 - |a AND b| / |a OR b|.  When a and b share no set
 * bit the distance is 1, including two all-zero (or empty) vectors, where
 * 0/0 is defined as 1: the value pgvector's jaccard_distance gives, so an
 * index built by either ranks such rows the same, last.
 */
extern double linal_bits_jaccard(const uint8_t *a, const uint8_t *b, int nbytes);
extern double linal_bits_jaccard_from_counts(uint64_t and_count, uint64_t or_count);

/*
 * Implementation details shared by bits_scalar.c, bits_avx2.c and
 * bits_avx512.c.
 */

/* population count without any popcnt instruction (SWAR) */
static inline uint64_t
linal_popcount64(uint64_t x)
{
	x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
	x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (x * UINT64_C(0x0101010101010101)) >> 56;
}

/* up to 8 bytes as one word (zero-extended); no alignment needed */
static inline uint64_t
linal_load_word(const uint8_t *p, size_t nbytes)
{
	uint64_t	w = 0;

	memcpy(&w, p, nbytes < 8 ? nbytes : 8);
	return w;
}

extern const LinalBitKernels linal_bit_kernels_scalar_table;
#if defined(__x86_64__)
extern const LinalBitKernels linal_bit_kernels_avx2_table;
extern const LinalBitKernels linal_bit_kernels_avx512_table;
#endif

#endif							/* LINAL_BITS_H */
