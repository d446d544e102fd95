/*-------------------------------------------------------------------------
 *
 * u8.c
 *	  The scalar 8-bit code kernel, which table runs, and the entry point
 *	  other subsystems call (linal_u8_dot).
 *
 *-------------------------------------------------------------------------
 */
#include "u8.h"

static uint64_t
kernel_u8_dot_scalar(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t	acc = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		acc += (uint32_t) a[i] * b[i];
	return acc;
}

static void
kernel_u8_decode_scalar(const uint8_t *a, float lo, float step, float *out, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		/* the product rounded to a float before the add, as the SIMD kernel */
		volatile float product = step * (float) a[i];

		out[i] = lo + product;
	}
}

const LinalU8Kernels linal_u8_kernels_scalar_table = {
	.name = "scalar",
	.dot = kernel_u8_dot_scalar,
	.decode = kernel_u8_decode_scalar,
};

const LinalU8Kernels *
linal_u8_kernels_for(LinalIsa isa)
{
	if (!linal_cpu_supports(isa))
		return NULL;
	switch (isa)
	{
		case LINAL_ISA_SCALAR:
			return &linal_u8_kernels_scalar_table;
#if defined(__x86_64__)
		case LINAL_ISA_AVX2:
			return &linal_u8_kernels_avx2_table;
		case LINAL_ISA_AVX512:
			return linal_cpu_supports_vnni() ? &linal_u8_kernels_avx512_table
				: &linal_u8_kernels_avx2_table;
#endif
		default:
			return NULL;
	}
}

const LinalU8Kernels *
linal_u8_kernels_active(void)
{
	/* resolved once per ISA; threads racing on the first call store the same pointer */
	static const LinalU8Kernels *resolved[LINAL_ISA_COUNT];
	LinalIsa	isa = linal_kernels->isa;
	const LinalU8Kernels *k;

	if ((unsigned) isa >= LINAL_ISA_COUNT)
		return &linal_u8_kernels_scalar_table;
	k = resolved[isa];
	if (k == NULL)
	{
		k = linal_u8_kernels_for(isa);
		if (k == NULL)
			k = &linal_u8_kernels_scalar_table;
		resolved[isa] = k;
	}
	return k;
}

uint64_t
linal_u8_dot(const uint8_t *a, const uint8_t *b, int n)
{
	if (n <= 0)
		return 0;
	return linal_u8_kernels_active()->dot(a, b, (size_t) n);
}

void
linal_u8_decode(const uint8_t *a, float lo, float step, float *out, int n)
{
	if (n > 0)
		linal_u8_kernels_active()->decode(a, lo, step, out, (size_t) n);
}
