/*-------------------------------------------------------------------------
 *
 * u8.h
 *	  8-bit code kernels: the dot product of two arrays of unsigned bytes
 *	  (the codes of linal_hnsw's int8 quantization), exact in 64 bits, and
 *	  the floats lo + step * c_i a code stands for, with the same runtime
 *	  dispatch as the float kernels.
 *
 * Pure C like kernels.h: no Postgres headers, no allocation.
 *
 * Calling conventions
 * -------------------
 * - Sizes are byte counts; 0 is valid.  Pointers need no alignment.
 * - A kernel reads exactly a[0..n-1] and b[0..n-1], never past them (tails
 *	 use masked loads or scalar code).
 * - Results are exact integers, identical on every ISA, for any n: SIMD
 *	 lane sums are moved to 64 bits before they could overflow 32.
 * - decode writes out[0..n-1] = lo + step * a[i] in float, a multiply and
 *	 then an add (never fused), so it too is bit-identical on every ISA.
 *
 * Which table runs
 * ----------------
 * The table follows the active float table (linal_kernels->isa): scalar
 * -> scalar, avx2 -> avx2 (bytes widened to 16 bits, vpmaddwd), avx512 ->
 * AVX-512 VNNI (vpdpbusd) when the CPU has it, else avx2.  decode is
 * avx2's in both SIMD tables (8 bytes to 8 floats a step).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_U8_H
#define LINAL_U8_H

#include <stdint.h>

#include "kernels.h"

typedef struct LinalU8Kernels
{
	const char *name;			/* "scalar", "avx2", "avx512_vnni" */

	/* sum of a[i] * b[i] */
	uint64_t	(*dot) (const uint8_t *a, const uint8_t *b, size_t n);
	/* out[i] = lo + step * a[i], multiplied then added in float */
	void		(*decode) (const uint8_t *a, float lo, float step, float *out, size_t n);
} LinalU8Kernels;

/* the table that goes with float isa, or NULL if the CPU (or build) lacks isa */
extern const LinalU8Kernels *linal_u8_kernels_for(LinalIsa isa);

/* the table of the active float table (linal_kernels) */
extern const LinalU8Kernels *linal_u8_kernels_active(void);

/* entry points for other subsystems: the active table; n <= 0 is empty */
extern uint64_t linal_u8_dot(const uint8_t *a, const uint8_t *b, int n);
extern void linal_u8_decode(const uint8_t *a, float lo, float step, float *out, int n);

extern const LinalU8Kernels linal_u8_kernels_scalar_table;
#if defined(__x86_64__)
extern const LinalU8Kernels linal_u8_kernels_avx2_table;
extern const LinalU8Kernels linal_u8_kernels_avx512_table;
extern void kernel_u8_decode_avx2(const uint8_t *a, float lo, float step, float *out, size_t n);
#endif

#endif							/* LINAL_U8_H */
