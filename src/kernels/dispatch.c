/*-------------------------------------------------------------------------
 *
 * dispatch.c
 *	  Runtime CPU detection and selection of the active kernel table.
 *
 * Detection reads cpuid directly (inline asm, no <cpuid.h>) and checks that
 * the OS saves the wide register state (OSXSAVE + XCR0 via xgetbv): a CPU
 * can report AVX-512 while the kernel (or a hypervisor) does not enable
 * ZMM state, and executing AVX-512 then faults.  The result is computed
 * once and cached; detection is cheap and idempotent, so a benign race
 * between threads computes the same value.
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

const LinalKernels *linal_kernels = &linal_kernels_scalar_table;

#if defined(__x86_64__)

/* cpuid leaf 1, ECX */
#define CPUID1_ECX_FMA		(1u << 12)
#define CPUID1_ECX_OSXSAVE	(1u << 27)
#define CPUID1_ECX_AVX		(1u << 28)
#define CPUID1_ECX_F16C		(1u << 29)
/* cpuid leaf 7 subleaf 0, EBX */
#define CPUID7_EBX_AVX2		(1u << 5)
#define CPUID7_EBX_AVX512F	(1u << 16)
#define CPUID7_EBX_AVX512DQ (1u << 17)
#define CPUID7_EBX_AVX512BW (1u << 30)
#define CPUID7_EBX_AVX512VL (1u << 31)
/* cpuid leaf 7 subleaf 0, ECX */
#define CPUID7_ECX_AVX512_VNNI (1u << 11)
#define CPUID7_ECX_AVX512_VPOPCNTDQ (1u << 14)
/* XCR0: state components the OS saves on context switch */
#define XCR0_SSE			(1u << 1)
#define XCR0_AVX			(1u << 2)
#define XCR0_OPMASK			(1u << 5)
#define XCR0_ZMM_HI256		(1u << 6)
#define XCR0_HI16_ZMM		(1u << 7)

static void
cpuid_count(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	__asm__ __volatile__("cpuid"
						 : "=a"(regs[0]), "=b"(regs[1]), "=c"(regs[2]), "=d"(regs[3])
						 : "a"(leaf), "c"(subleaf));
}

/* only valid when cpuid reports OSXSAVE */
static uint64_t
xgetbv0(void)
{
	uint32_t	lo;
	uint32_t	hi;

	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t) hi << 32) | lo;
}

/* bit i set = LinalIsa i usable */
static unsigned
detect_isa_mask(void)
{
	uint32_t	r[4];
	uint32_t	max_leaf;
	uint32_t	ecx1;
	uint32_t	ebx7;
	uint64_t	xcr0;
	unsigned	mask = 1u << LINAL_ISA_SCALAR;
	uint32_t	avx512_bits = CPUID7_EBX_AVX512F | CPUID7_EBX_AVX512DQ |
		CPUID7_EBX_AVX512BW | CPUID7_EBX_AVX512VL;
	uint64_t	zmm_state = XCR0_SSE | XCR0_AVX | XCR0_OPMASK |
		XCR0_ZMM_HI256 | XCR0_HI16_ZMM;

	cpuid_count(0, 0, r);
	max_leaf = r[0];
	if (max_leaf < 7)
		return mask;

	cpuid_count(1, 0, r);
	ecx1 = r[2];
	/* F16C (half <-> float) is part of the AVX2 table: the halftensor kernels */
	if (!(ecx1 & CPUID1_ECX_OSXSAVE) || !(ecx1 & CPUID1_ECX_AVX) ||
		!(ecx1 & CPUID1_ECX_FMA) || !(ecx1 & CPUID1_ECX_F16C))
		return mask;

	xcr0 = xgetbv0();
	if ((xcr0 & (XCR0_SSE | XCR0_AVX)) != (XCR0_SSE | XCR0_AVX))
		return mask;

	cpuid_count(7, 0, r);
	ebx7 = r[1];
	if (!(ebx7 & CPUID7_EBX_AVX2))
		return mask;
	mask |= 1u << LINAL_ISA_AVX2;

	/* the AVX-512 kernels also use AVX2 code paths, hence nested */
	if ((ebx7 & avx512_bits) == avx512_bits && (xcr0 & zmm_state) == zmm_state)
		mask |= 1u << LINAL_ISA_AVX512;

	return mask;
}

/* only meaningful once detect_isa_mask has found AVX-512 usable */
static bool
detect_vpopcntdq(void)
{
	uint32_t	r[4];

	cpuid_count(7, 0, r);
	return (r[2] & CPUID7_ECX_AVX512_VPOPCNTDQ) != 0;
}

/* only meaningful once detect_isa_mask has found AVX-512 usable */
static bool
detect_vnni(void)
{
	uint32_t	r[4];

	cpuid_count(7, 0, r);
	return (r[2] & CPUID7_ECX_AVX512_VNNI) != 0;
}

#else							/* !__x86_64__ */

static unsigned
detect_isa_mask(void)
{
	return 1u << LINAL_ISA_SCALAR;
}

static bool
detect_vpopcntdq(void)
{
	return false;
}

static bool
detect_vnni(void)
{
	return false;
}

#endif							/* __x86_64__ */

/*
 * LINAL_SIMD_DISABLE="avx512" or "avx2,avx512" hides ISAs the CPU has, so
 * the paths for older CPUs (and the error for asking what is missing) can
 * be tested on a new one.  AVX-512 builds on AVX2, so hiding AVX2 hides both.
 * "vpopcntdq" hides only that extension (the bit kernels then run AVX2).
 */
static unsigned
apply_disable_list(unsigned mask)
{
	const char *list = getenv("LINAL_SIMD_DISABLE");
	const char *p;

	if (list == NULL)
		return mask;
	if (strstr(list, "avx512") != NULL)
		mask &= ~(1u << LINAL_ISA_AVX512);
	/* "avx2" as its own word, not the prefix of something else */
	for (p = strstr(list, "avx2"); p != NULL; p = strstr(p + 1, "avx2"))
	{
		char		next = p[4];

		if (next == '\0' || next == ',' || next == ' ')
			mask &= ~((1u << LINAL_ISA_AVX2) | (1u << LINAL_ISA_AVX512));
	}
	return mask;
}

/* 0 = not yet detected (the scalar bit is always set once detected) */
static unsigned isa_mask_cache = 0;

static unsigned
isa_mask(void)
{
	if (isa_mask_cache == 0)
		isa_mask_cache = apply_disable_list(detect_isa_mask());
	return isa_mask_cache;
}

bool
linal_cpu_supports(LinalIsa isa)
{
	if ((unsigned) isa >= LINAL_ISA_COUNT)
		return false;
	return (isa_mask() & (1u << isa)) != 0;
}

/*
 * An AVX-512 extension: present when AVX-512 is usable, cpuid says so and
 * LINAL_SIMD_DISABLE does not name it; *cache: 0 = not yet detected,
 * 1 = absent, 2 = present
 */
static bool
avx512_extension(int *cache, bool (*detect) (void), const char *name)
{
	if (*cache == 0)
	{
		const char *list = getenv("LINAL_SIMD_DISABLE");
		bool		present = linal_cpu_supports(LINAL_ISA_AVX512) &&
			detect() &&
			!(list != NULL && strstr(list, name) != NULL);

		*cache = present ? 2 : 1;
	}
	return *cache == 2;
}

static int	vpopcntdq_cache = 0;
static int	vnni_cache = 0;

bool
linal_cpu_supports_vpopcntdq(void)
{
	return avx512_extension(&vpopcntdq_cache, detect_vpopcntdq, "vpopcntdq");
}

bool
linal_cpu_supports_vnni(void)
{
	return avx512_extension(&vnni_cache, detect_vnni, "vnni");
}

LinalIsa
linal_best_isa(void)
{
	if (linal_cpu_supports(LINAL_ISA_AVX512))
		return LINAL_ISA_AVX512;
	if (linal_cpu_supports(LINAL_ISA_AVX2))
		return LINAL_ISA_AVX2;
	return LINAL_ISA_SCALAR;
}

const LinalKernels *
linal_kernels_for(LinalIsa isa)
{
	if (!linal_cpu_supports(isa))
		return NULL;
	switch (isa)
	{
		case LINAL_ISA_SCALAR:
			return &linal_kernels_scalar_table;
#if defined(__x86_64__)
		case LINAL_ISA_AVX2:
			return &linal_kernels_avx2_table;
		case LINAL_ISA_AVX512:
			return &linal_kernels_avx512_table;
#endif
		default:
			return NULL;
	}
}

void
linal_kernels_init(void)
{
	linal_kernels_select(linal_best_isa());
}

void
linal_kernels_select(LinalIsa isa)
{
	const LinalKernels *k = linal_kernels_for(isa);

	linal_kernels = k ? k : &linal_kernels_scalar_table;
}

const char *
linal_isa_name(LinalIsa isa)
{
	switch (isa)
	{
		case LINAL_ISA_SCALAR:
			return "scalar";
		case LINAL_ISA_AVX2:
			return "avx2";
		case LINAL_ISA_AVX512:
			return "avx512";
	}
	return "unknown";
}
