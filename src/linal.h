/*-------------------------------------------------------------------------
 *
 * linal.h
 *	  What src/linal.c (module load, GUCs) shares with the rest of linal.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_H
#define LINAL_H

/* linal.simd: which kernel family to use */
typedef enum LinalSimdSetting
{
	LINAL_SIMD_AUTO,
	LINAL_SIMD_AVX512,
	LINAL_SIMD_AVX2,
	LINAL_SIMD_SCALAR
} LinalSimdSetting;

extern int	linal_simd_setting;
extern int	linal_blas_threads;

/* upper bound of linal.blas_threads */
#define LINAL_MAX_BLAS_THREADS 256

#endif							/* LINAL_H */
