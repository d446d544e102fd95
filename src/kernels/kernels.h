/*-------------------------------------------------------------------------
 *
 * kernels.h
 *	  Compute kernels over float buffers: the backend table, runtime CPU
 *	  dispatch (scalar, AVX2+FMA, AVX-512) and the transpose kernel.
 *
 * This layer is pure C: no Postgres headers, no allocation, no global state
 * beyond the active-table pointer.  It is linked into the extension and also
 * built standalone by test/kernels/Makefile for unit tests and benchmarks.
 *
 * Calling conventions (all kernels)
 * ---------------------------------
 * - Sizes are element counts (size_t n); n == 0 is valid everywhere except
 *	 min_max, which needs n >= 1.
 * - Pointers need only be 4-byte (float) aligned.  A kernel reads exactly
 *	 a[0..n-1] (and b[0..n-1]); it never touches memory outside the buffers,
 *	 not even inside a SIMD register width (tails use masked or scalar loads).
 * - Element-wise ops: out may be the same pointer as a or b (in-place);
 *	 partial overlap (out == a + 1, ...) is not allowed.
 * - Division by zero is not special: results are IEEE (Inf/NaN).  Callers
 *	 check results with all_finite and raise their own error.
 * - Inputs containing NaN: min_max is unspecified (tensors never hold NaN:
 *	 input rejects them, arithmetic results are checked with all_finite).
 *	 The sign of a zero min/max is unspecified (-0.0 == 0.0).
 *
 * Accuracy contract (enforced by test/kernels/test_kernels.c)
 * -----------------------------------------------------------
 * Let ref be the result computed in double precision, term_i the i-th
 * summand of the exact formula computed in double (a_i*b_i for dot and the
 * dot part of cosine_parts, (a_i-b_i)^2 for l2_squared, |a_i-b_i| for l1,
 * a_i^2 / b_i^2 for the norms of cosine_parts).  Every ISA satisfies
 *
 *	   |got - ref| <= (n + 2) * FLT_EPSILON * sum_i |term_i|
 *
 * (the classical bound for float recursive summation, gamma_n, plus two
 * rounding steps for the difference/product of a term; several independent
 * SIMD accumulators only make the error smaller).
 *
 * sum and sum_squares accumulate in double, in blocks of LINAL_SUM_BLOCK
 * elements whose partial sums are added with Neumaier compensation, so for
 * any n (100M elements included)
 *
 *	   |got - ref| <= 1e-12 * sum_i |term_i|	 (term_i = a_i or a_i^2)
 *
 * min_max is exact.  Element-wise ops are single IEEE operations and are
 * bit-identical across ISAs (never fused into FMA).  Batched kernels are
 * bit-identical to the single-vector kernel of the same table, so a batched
 * scan and a row-at-a-time scan rank rows identically.
 *
 * Threading: kernels are reentrant.  linal_kernels_init/select write the
 * process-global pointer linal_kernels; call them from one thread (in the
 * server: _PG_init and the linal.simd GUC assign hook).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_KERNELS_H
#define LINAL_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "half_convert.h"

typedef enum LinalIsa
{
	LINAL_ISA_SCALAR = 0,
	LINAL_ISA_AVX2 = 1,			/* AVX2 + FMA + F16C */
	LINAL_ISA_AVX512 = 2		/* AVX-512 F, BW, DQ, VL */
} LinalIsa;

#define LINAL_ISA_COUNT 3

typedef struct LinalKernels
{
	LinalIsa	isa;
	const char *name;			/* "scalar", "avx2", "avx512" */

	/* similarity (float accumulation in several independent accumulators) */
	float		(*dot) (const float *a, const float *b, size_t n);
	float		(*l2_squared) (const float *a, const float *b, size_t n);
	float		(*l1) (const float *a, const float *b, size_t n);
	/* fused single pass over a and b */
	void		(*cosine_parts) (const float *a, const float *b, size_t n,
								 float *dot, float *norm_a_sq, float *norm_b_sq);

	/* element-wise: out may alias a or b */
	void		(*add) (const float *a, const float *b, float *out, size_t n);
	void		(*sub) (const float *a, const float *b, float *out, size_t n);
	void		(*mul) (const float *a, const float *b, float *out, size_t n);
	void		(*div) (const float *a, const float *b, float *out, size_t n);
	void		(*add_scalar) (const float *a, float s, float *out, size_t n);
	/* also used for scale/normalize */
	void		(*mul_scalar) (const float *a, float s, float *out, size_t n);

	/* reductions: accumulate in double (see accuracy contract) */
	double		(*sum) (const float *a, size_t n);
	double		(*sum_squares) (const float *a, size_t n);
	/* n >= 1 */
	void		(*min_max) (const float *a, size_t n, float *min, float *max);

	/*
	 * Batched scoring: score one query against `count` rows of `dim` floats
	 * each, wherever they lie (rows[j] may point into a table page, so no
	 * row is copied to be scored): out[j] = f(query, rows[j]).
	 * Bit-identical to calling dot / l2_squared once per row.
	 */
	void		(*dot_batch) (const float *query, const float *const *rows, size_t dim,
							  size_t count, float *out);
	void		(*l2_squared_batch) (const float *query, const float *const *rows,
									 size_t dim, size_t count, float *out);

	/* true if all elements are finite (no NaN/Inf); true for n == 0 */
	bool		(*all_finite) (const float *a, size_t n);

	/*
	 * binary16 ("half", halftensor) inputs, converted to float in registers
	 * and accumulated exactly like dot / l2_squared / l1 / cosine_parts of
	 * the same table: the result equals that kernel's on the converted
	 * floats, so halftensor and tensor distances agree.  Pointers need only
	 * be 2-byte aligned.  (half_scalar.c, half_avx2.c, half_avx512.c)
	 */
	float		(*half_dot) (const uint16_t *a, const uint16_t *b, size_t n);
	float		(*half_l2_squared) (const uint16_t *a, const uint16_t *b, size_t n);
	float		(*half_l1) (const uint16_t *a, const uint16_t *b, size_t n);
	void		(*half_cosine_parts) (const uint16_t *a, const uint16_t *b, size_t n,
									  float *dot, float *norm_a_sq, float *norm_b_sq);
	/* exact */
	void		(*half_to_float) (const uint16_t *in, float *out, size_t n);
	/* round to nearest even; false if some result is +-Inf or NaN */
	bool		(*float_to_half) (const float *in, uint16_t *out, size_t n);
} LinalKernels;


/*
 * Runtime detection: cpuid feature bits plus OS support for the register
 * state (OSXSAVE and XCR0 via xgetbv: YMM for AVX2, opmask/ZMM for AVX-512).
 * Always true for LINAL_ISA_SCALAR; false for SIMD ISAs on non-x86_64.
 */
extern bool linal_cpu_supports(LinalIsa isa);
extern LinalIsa linal_best_isa(void);

/*
 * AVX-512 VPOPCNTDQ (cpuid 7.0 ECX bit 14) on top of LINAL_ISA_AVX512, for
 * the bit-vector kernels (bits.h).  Hidden by LINAL_SIMD_DISABLE when it
 * hides avx512 or names "vpopcntdq".
 */
extern bool linal_cpu_supports_vpopcntdq(void);

/*
 * AVX-512 VNNI (cpuid 7.0 ECX bit 11) on top of LINAL_ISA_AVX512, for the
 * 8-bit code kernels (u8.h).  Hidden by LINAL_SIMD_DISABLE when it hides
 * avx512 or names "vnni".
 */
extern bool linal_cpu_supports_vnni(void);

/* the table for isa, or NULL if the CPU (or this build) lacks it */
extern const LinalKernels *linal_kernels_for(LinalIsa isa);

/*
 * The active table.  Points at the scalar table until linal_kernels_init()
 * runs (so it is never NULL), then at the best ISA.
 */
extern const LinalKernels *linal_kernels;

/*
 * The half kernels of the active table under stable names, for callers
 * outside src/kernels (halftensor functions, the index).
 */
static inline float
linal_half_dot(const uint16_t *a, const uint16_t *b, size_t n)
{
	return linal_kernels->half_dot(a, b, n);
}

static inline float
linal_half_l2sq(const uint16_t *a, const uint16_t *b, size_t n)
{
	return linal_kernels->half_l2_squared(a, b, n);
}

static inline float
linal_half_l1(const uint16_t *a, const uint16_t *b, size_t n)
{
	return linal_kernels->half_l1(a, b, n);
}

static inline void
linal_half_cosine_parts(const uint16_t *a, const uint16_t *b, size_t n,
						float *dot, float *norm_a_sq, float *norm_b_sq)
{
	linal_kernels->half_cosine_parts(a, b, n, dot, norm_a_sq, norm_b_sq);
}

static inline void
linal_half_to_float_array(const uint16_t *in, float *out, size_t n)
{
	linal_kernels->half_to_float(in, out, n);
}

static inline bool
linal_float_to_half_array(const float *in, uint16_t *out, size_t n)
{
	return linal_kernels->float_to_half(in, out, n);
}

/* detect once; set linal_kernels to the best table */
extern void linal_kernels_init(void);

/*
 * Make isa active.  The caller has checked linal_cpu_supports(isa); an
 * unsupported isa selects the scalar table rather than crash later.
 */
extern void linal_kernels_select(LinalIsa isa);

/* "scalar", "avx2", "avx512"; "unknown" for anything else */
extern const char *linal_isa_name(LinalIsa isa);

/*
 * Cache-blocked rank-2 transpose: out[cols x rows] = in[rows x cols]^T,
 * both row-major.  in and out must not overlap.  (transpose.c)
 */
extern void kernel_transpose_f32(const float *in, float *out,
								 size_t rows, size_t cols);

/*
 * Implementation details shared by scalar.c, avx2.c and avx512.c.
 * Callers outside src/kernels use linal_kernels_for() / linal_kernels.
 */

/*
 * Reductions in double add block partial sums with Neumaier compensation.
 * Within a block, plain double accumulation errs by at most
 * LINAL_SUM_BLOCK * DBL_EPSILON/2 (about 4.5e-13) relative to sum|term|;
 * across blocks the compensation keeps the error independent of n.
 * A multiple of every ISA's unrolled stride (64 floats).
 */
#define LINAL_SUM_BLOCK 4096

/* Neumaier (improved Kahan) step: *sum + *comp tracks the exact sum */
static inline void
linal_neumaier_add(double *sum, double *comp, double x)
{
	double		t = *sum + x;

	if ((*sum >= 0 ? *sum : -*sum) >= (x >= 0 ? x : -x))
		*comp += (*sum - t) + x;
	else
		*comp += (x - t) + *sum;
	*sum = t;
}

/* per-ISA tables; the SIMD ones exist only on x86_64 builds */
extern const LinalKernels linal_kernels_scalar_table;
#if defined(__x86_64__)
extern const LinalKernels linal_kernels_avx2_table;
extern const LinalKernels linal_kernels_avx512_table;
#endif

/* half kernels of each ISA, referenced by the tables (half_*.c) */
extern float kernel_half_dot_scalar(const uint16_t *a, const uint16_t *b, size_t n);
extern float kernel_half_l2_squared_scalar(const uint16_t *a, const uint16_t *b, size_t n);
extern float kernel_half_l1_scalar(const uint16_t *a, const uint16_t *b, size_t n);
extern void kernel_half_cosine_parts_scalar(const uint16_t *a, const uint16_t *b, size_t n,
											float *dot, float *norm_a_sq, float *norm_b_sq);
extern void kernel_half_to_float_scalar(const uint16_t *in, float *out, size_t n);
extern bool kernel_float_to_half_scalar(const float *in, uint16_t *out, size_t n);
#if defined(__x86_64__)
extern float kernel_half_dot_avx2(const uint16_t *a, const uint16_t *b, size_t n);
extern float kernel_half_l2_squared_avx2(const uint16_t *a, const uint16_t *b, size_t n);
extern float kernel_half_l1_avx2(const uint16_t *a, const uint16_t *b, size_t n);
extern void kernel_half_cosine_parts_avx2(const uint16_t *a, const uint16_t *b, size_t n,
										  float *dot, float *norm_a_sq, float *norm_b_sq);
extern void kernel_half_to_float_avx2(const uint16_t *in, float *out, size_t n);
extern bool kernel_float_to_half_avx2(const float *in, uint16_t *out, size_t n);
extern float kernel_half_dot_avx512(const uint16_t *a, const uint16_t *b, size_t n);
extern float kernel_half_l2_squared_avx512(const uint16_t *a, const uint16_t *b, size_t n);
extern float kernel_half_l1_avx512(const uint16_t *a, const uint16_t *b, size_t n);
extern void kernel_half_cosine_parts_avx512(const uint16_t *a, const uint16_t *b, size_t n,
											float *dot, float *norm_a_sq, float *norm_b_sq);
extern void kernel_half_to_float_avx512(const uint16_t *in, float *out, size_t n);
extern bool kernel_float_to_half_avx512(const float *in, uint16_t *out, size_t n);
#endif

#endif							/* LINAL_KERNELS_H */
