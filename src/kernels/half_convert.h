/*-------------------------------------------------------------------------
 *
 * half_convert.h
 *	  One-value conversions between float and IEEE 754 binary16 ("half"),
 *	  the element type of halftensor.  Pure C, used by the scalar kernels
 *	  and by the tails of the SIMD kernels.
 *
 * binary16: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
 * Largest finite value 65504, smallest normal 2^-14, smallest subnormal
 * 2^-24.  Every half is exactly a float, so half -> float is exact;
 * float -> half rounds to nearest, ties to even (what F16C's vcvtps2ph
 * does with _MM_FROUND_TO_NEAREST_INT), and gives +-Inf for magnitudes
 * that round beyond 65504 (from 65520 up): callers test for that and
 * raise "out of range".
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_HALF_CONVERT_H
#define LINAL_HALF_CONVERT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define LINAL_HALF_EXP_MASK 0x7c00u
#define LINAL_HALF_SIGN_MASK 0x8000u
/* float bit patterns of the thresholds, see linal_float_to_half */
#define LINAL_F32_HALF_OVERFLOW 0x477ff000u	/* 65520: ties up to 2^16 */
#define LINAL_F32_HALF_MIN_NORMAL 0x38800000u	/* 2^-14 */
#define LINAL_F32_HALF_MIN_ROUNDED_EXP 102	/* below 2^-25 everything is 0 */

static inline float
linal_half_to_float(uint16_t h)
{
	uint32_t	sign = (uint32_t) (h & LINAL_HALF_SIGN_MASK) << 16;
	uint32_t	exp = (h >> 10) & 0x1f;
	uint32_t	frac = h & 0x3ffu;
	uint32_t	bits;
	float		f;

	if (exp == 0)
	{
		/* zero or subnormal: frac * 2^-24, exact in float */
		f = (float) frac * (1.0f / 16777216.0f);
		return sign ? -f : f;
	}
	if (exp == 0x1f)
		bits = sign | 0x7f800000u | (frac << 13);	/* Inf, NaN */
	else
		bits = sign | ((exp + 112) << 23) | (frac << 13);
	memcpy(&f, &bits, sizeof(f));
	return f;
}

/* Rounds q (the value in units of the target's last place) plus rem/2^shift to nearest even. */
static inline uint32_t
linal_round_half_even(uint32_t q, uint32_t rem, uint32_t halfway)
{
	if (rem > halfway || (rem == halfway && (q & 1u)))
		q++;
	return q;
}

static inline uint16_t
linal_float_to_half(float f)
{
	uint32_t	bits;
	uint32_t	sign;
	uint32_t	abs_bits;
	uint32_t	exp;
	uint32_t	frac;
	uint32_t	shift;
	uint32_t	q;

	memcpy(&bits, &f, sizeof(bits));
	sign = (bits >> 16) & LINAL_HALF_SIGN_MASK;
	abs_bits = bits & 0x7fffffffu;
	if (abs_bits > 0x7f800000u)
		return (uint16_t) (sign | 0x7e00u);	/* NaN stays NaN */
	if (abs_bits >= LINAL_F32_HALF_OVERFLOW)
		return (uint16_t) (sign | LINAL_HALF_EXP_MASK);	/* +-Inf */
	exp = abs_bits >> 23;
	frac = abs_bits & 0x7fffffu;
	if (abs_bits < LINAL_F32_HALF_MIN_NORMAL)
	{
		/* subnormal half: the value in units of 2^-24, rounded */
		if (exp < LINAL_F32_HALF_MIN_ROUNDED_EXP)
			return (uint16_t) sign;
		frac |= 0x800000u;
		shift = 126 - exp;		/* 14 .. 24 */
		q = linal_round_half_even(frac >> shift, frac & ((1u << shift) - 1),
								  1u << (shift - 1));
		return (uint16_t) (sign | q);	/* q == 0x400 is the smallest normal */
	}
	/* normal: rebias the exponent, keep 10 fraction bits; a carry moves into the exponent */
	q = ((exp - 112) << 10) | (frac >> 13);
	q = linal_round_half_even(q, frac & 0x1fffu, 0x1000u);
	return (uint16_t) (sign | q);
}

static inline bool
linal_half_is_finite(uint16_t h)
{
	return (h & LINAL_HALF_EXP_MASK) != LINAL_HALF_EXP_MASK;
}

#endif							/* LINAL_HALF_CONVERT_H */
