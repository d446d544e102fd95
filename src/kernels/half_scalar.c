/*-------------------------------------------------------------------------
 *
 * half_scalar.c
 *	  Portable kernels over binary16 (halftensor) buffers: each element is
 *	  converted with half_convert.h and accumulated in one float
 *	  accumulator, exactly as scalar.c does for float, so a halftensor
 *	  distance equals the tensor distance of the same (converted) values.
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>

#include "kernels.h"

float
kernel_half_dot_scalar(const uint16_t *a, const uint16_t *b, size_t n)
{
	float		acc = 0.0f;
	size_t		i;

	for (i = 0; i < n; i++)
		acc += linal_half_to_float(a[i]) * linal_half_to_float(b[i]);
	return acc;
}

float
kernel_half_l2_squared_scalar(const uint16_t *a, const uint16_t *b, size_t n)
{
	float		acc = 0.0f;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		float		d = linal_half_to_float(a[i]) - linal_half_to_float(b[i]);

		acc += d * d;
	}
	return acc;
}

float
kernel_half_l1_scalar(const uint16_t *a, const uint16_t *b, size_t n)
{
	float		acc = 0.0f;
	size_t		i;

	for (i = 0; i < n; i++)
		acc += fabsf(linal_half_to_float(a[i]) - linal_half_to_float(b[i]));
	return acc;
}

void
kernel_half_cosine_parts_scalar(const uint16_t *a, const uint16_t *b, size_t n,
								float *dot, float *norm_a_sq, float *norm_b_sq)
{
	float		ab = 0.0f;
	float		aa = 0.0f;
	float		bb = 0.0f;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		float		x = linal_half_to_float(a[i]);
		float		y = linal_half_to_float(b[i]);

		ab += x * y;
		aa += x * x;
		bb += y * y;
	}
	*dot = ab;
	*norm_a_sq = aa;
	*norm_b_sq = bb;
}

void
kernel_half_to_float_scalar(const uint16_t *in, float *out, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		out[i] = linal_half_to_float(in[i]);
}

bool
kernel_float_to_half_scalar(const float *in, uint16_t *out, size_t n)
{
	bool		finite = true;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		out[i] = linal_float_to_half(in[i]);
		finite &= linal_half_is_finite(out[i]);
	}
	return finite;
}
