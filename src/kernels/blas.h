/*-------------------------------------------------------------------------
 *
 * blas.h
 *	  OpenBLAS wrapper: thread count and an interruptible matrix product.
 *
 * No Postgres headers; the server passes a callback that runs
 * CHECK_FOR_INTERRUPTS between panels.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_BLAS_H
#define LINAL_BLAS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Work per BLAS call, in multiply-adds (2 flops each).  2^30 MACs is
 * 2.1 GFLOP: about 21 ms on one core of the EPYC this was tuned on
 * (~100 GFLOP/s single-thread OpenBLAS sgemm), 11 ms with two threads, so
 * a cancel or statement_timeout is seen within ~50 ms even on a core half
 * as fast.  Smaller panels cost throughput: every call re-packs its slice
 * of B, and with several OpenBLAS threads every call also synchronises
 * them (2048^3 with 2 threads: 72% of raw sgemm at 2^28, 94% at 2^30).
 */
#define LINAL_MATMUL_PANEL_MACS ((size_t) 1 << 30)

/*
 * OpenBLAS thread count; n < 1 means 1.  Before the library is loaded (on
 * the first product) this only records n, which then sizes its pool.
 */
extern void linal_blas_set_threads(int n);
extern int	linal_blas_get_threads(void);

/* whether OpenBLAS is loaded yet, and why it could not be (after -2) */
extern bool linal_blas_loaded(void);
extern const char *linal_blas_load_error(void);

/*
 * Row-major C[m x n] = A[m x k] . B[k x n].  C must not overlap A or B.
 *
 * m == 1 or n == 1 uses cblas_sgemv, anything else cblas_sgemm.  Products
 * bigger than LINAL_MATMUL_PANEL_MACS are split into panels of at most that
 * many MACs (but at least one row, or one row by one column), and
 * between_panels(arg) (may be NULL) is called between consecutive panels,
 * never before the first or after the last; it may longjmp out (no state
 * is held across the call, C is then partially written).  Panels are:
 *	 - sgemm: full-width bands of rows of A and C while a band has at least
 *	   256 rows, else tiles of rows x columns of C, both ~sqrt(budget / k);
 *	 - n == 1: bands of rows of A and C;
 *	 - m == 1: bands of rows of B (the k dimension), accumulated into C.
 * k == 0 gives C = 0.
 *
 * Returns 0; -1 without touching C if a dimension (or leading
 * dimension) exceeds the 32-bit BLAS int; -2 if OpenBLAS cannot be loaded
 * (linal_blas_load_error() says why).
 */
extern int	linal_matmul(const float *a, const float *b, float *c,
						 size_t m, size_t k, size_t n,
						 void (*between_panels) (void *arg), void *arg);

/*
 * linal_matmul with an explicit panel budget in MACs (>= 1); each panel
 * gets at least one row.  For tests (force several panels on small
 * inputs) and benchmarks.
 */
extern int	linal_matmul_panels(const float *a, const float *b, float *c,
								size_t m, size_t k, size_t n,
								size_t panel_macs,
								void (*between_panels) (void *arg), void *arg);

#endif							/* LINAL_BLAS_H */
