/*-------------------------------------------------------------------------
 *
 * linal.c
 *	  Module load: the GUCs that choose kernels, and the one-time CPU
 *	  detection.  Subsystems with state of their own (shared memory, hooks)
 *	  register from here too, so _PG_init reads as the list of what linal
 *	  plugs into the server.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "am/hnsw.h"
#include "exec/exec.h"
#include "kernels/blas.h"
#include "kernels/kernels.h"
#include "linal.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

int			linal_simd_setting = LINAL_SIMD_AUTO;
int			linal_blas_threads = 1;

static const struct config_enum_entry simd_options[] = {
	{"auto", LINAL_SIMD_AUTO, false},
	{"avx512", LINAL_SIMD_AVX512, false},
	{"avx2", LINAL_SIMD_AVX2, false},
	{"scalar", LINAL_SIMD_SCALAR, false},
	{NULL, 0, false}
};

static LinalIsa
simd_setting_isa(int setting)
{
	switch (setting)
	{
		case LINAL_SIMD_AVX512:
			return LINAL_ISA_AVX512;
		case LINAL_SIMD_AVX2:
			return LINAL_ISA_AVX2;
		case LINAL_SIMD_SCALAR:
			return LINAL_ISA_SCALAR;
		default:
			return linal_best_isa();
	}
}

static bool
check_simd(int *newval, void **extra, GucSource source)
{
	LinalIsa	isa = simd_setting_isa(*newval);

	if (!linal_cpu_supports(isa))
	{
		GUC_check_errdetail("This CPU does not support the %s instructions.",
							linal_isa_name(isa));
		GUC_check_errhint("Use \"auto\" to pick the best kernels this CPU supports.");
		return false;
	}
	return true;
}

static void
assign_simd(int newval, void *extra)
{
	linal_kernels_select(simd_setting_isa(newval));
}

static void
assign_blas_threads(int newval, void *extra)
{
	linal_blas_set_threads(newval);
}

void
_PG_init(void)
{
	linal_kernels_init();

	DefineCustomEnumVariable("linal.simd",
							 "Kernel instruction set: auto, avx512, avx2 or scalar.",
							 "auto picks the best the CPU supports; the others force one, for testing and comparison.",
							 &linal_simd_setting,
							 LINAL_SIMD_AUTO,
							 simd_options,
							 PGC_USERSET,
							 0,
							 check_simd,
							 assign_simd,
							 NULL);

	/* superuser only: threads a backend may start (exec_init.c says why) */
	DefineCustomIntVariable("linal.blas_threads",
							"Threads OpenBLAS may use for one matrix product.",
							"Every backend is its own process, so the default is 1; raise it for a few large products, not for many concurrent queries.",
							&linal_blas_threads,
							1, 1, LINAL_MAX_BLAS_THREADS,
							PGC_SUSET,
							0,
							NULL,
							assign_blas_threads,
							NULL);

	linal_exec_init();
	linal_hnsw_init();

	MarkGUCPrefixReserved("linal");
}

/* The kernel families this CPU supports, best first. */
PG_FUNCTION_INFO_V1(linal_supported_isas);
Datum
linal_supported_isas(PG_FUNCTION_ARGS)
{
	static const LinalIsa order[] = {LINAL_ISA_AVX512, LINAL_ISA_AVX2, LINAL_ISA_SCALAR};
	Datum		names[lengthof(order)];
	int			count = 0;
	int			i;

	for (i = 0; i < lengthof(order); i++)
		if (linal_cpu_supports(order[i]))
			names[count++] = CStringGetTextDatum(linal_isa_name(order[i]));
	PG_RETURN_ARRAYTYPE_P(construct_array(names, count, TEXTOID, -1, false, TYPALIGN_INT));
}

/* The kernel family in use now: 'avx512', 'avx2' or 'scalar'. */
PG_FUNCTION_INFO_V1(linal_kernel_isa);
Datum
linal_kernel_isa(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(linal_kernels->name));
}
