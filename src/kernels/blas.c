/*-------------------------------------------------------------------------
 *
 * blas.c
 *	  OpenBLAS wrapper: thread count and an interruptible matrix product.
 *
 * OpenBLAS calls cannot be interrupted, so a large product is cut into
 * panels of at most panel_macs multiply-adds with a callback between them
 * (the server's runs CHECK_FOR_INTERRUPTS and may longjmp out).  Nothing
 * is allocated and no state lives across the callback, so leaving early
 * leaks nothing; C is then partially written, which the caller discards.
 *
 *-------------------------------------------------------------------------
 */
#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "blas.h"

/*
 * Below this many rows per call, sgemm products are tiled in two
 * dimensions instead: re-packing B for every thin band of rows costs
 * more than 10% at 2048 x 2048 with 64-row bands (kernel_bench).
 */
#define MIN_PANEL_ROWS 256

typedef void (*sgemm_fn) (const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE,
						  const enum CBLAS_TRANSPOSE, const int, const int,
						  const int, const float, const float *, const int,
						  const float *, const int, const float, float *,
						  const int);
typedef void (*sgemv_fn) (const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE,
						  const int, const int, const float, const float *,
						  const int, const float *, const int, const float,
						  float *, const int);

/* the loaded library; one per process, filled once */
static struct
{
	bool		tried;
	bool		loaded;
	sgemm_fn	sgemm;
	sgemv_fn	sgemv;
	void		(*set_num_threads) (int);
	int			(*get_num_threads) (void);
	char		error[256];
} openblas;

/* linal.blas_threads; applied at load and on every change after it */
static int	requested_threads = 1;

static const char *const library_names[] = {"libopenblas.so.0", "libopenblas.so"};

static void
block_signals(sigset_t *saved)
{
	sigset_t	all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, saved);
}

static void
restore_signals(const sigset_t *saved)
{
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

static bool
openblas_load(void)
{
	void	   *handle = NULL;
	char		threads[16];
	sigset_t	saved;
	size_t		i;

	if (openblas.tried)
		return openblas.loaded;
	openblas.tried = true;

	snprintf(threads, sizeof(threads), "%d", requested_threads);
	setenv("OPENBLAS_NUM_THREADS", threads, 1);
	block_signals(&saved);
	for (i = 0; i < sizeof(library_names) / sizeof(library_names[0]) && !handle; i++)
		handle = dlopen(library_names[i], RTLD_NOW | RTLD_LOCAL);
	restore_signals(&saved);
	if (handle == NULL)
	{
		snprintf(openblas.error, sizeof(openblas.error), "%s", dlerror());
		return false;
	}
	openblas.sgemm = (sgemm_fn) dlsym(handle, "cblas_sgemm");
	openblas.sgemv = (sgemv_fn) dlsym(handle, "cblas_sgemv");
	openblas.set_num_threads = (void (*) (int)) dlsym(handle, "openblas_set_num_threads");
	openblas.get_num_threads = (int (*) (void)) dlsym(handle, "openblas_get_num_threads");
	if (!openblas.sgemm || !openblas.sgemv || !openblas.set_num_threads ||
		!openblas.get_num_threads)
	{
		snprintf(openblas.error, sizeof(openblas.error),
				 "%s lacks cblas_sgemm, cblas_sgemv or openblas_set_num_threads",
				 library_names[0]);
		return false;
	}
	openblas.loaded = true;
	return true;
}

const char *
linal_blas_load_error(void)
{
	return openblas.error;
}

bool
linal_blas_loaded(void)
{
	return openblas.loaded;
}

void
linal_blas_set_threads(int n)
{
	sigset_t	saved;

	requested_threads = n < 1 ? 1 : n;
	if (!openblas.loaded)
		return;					/* applied when the library loads */
	block_signals(&saved);
	openblas.set_num_threads(requested_threads);
	restore_signals(&saved);
}

int
linal_blas_get_threads(void)
{
	return openblas.loaded ? openblas.get_num_threads() : requested_threads;
}

int
linal_matmul(const float *a, const float *b, float *c,
			 size_t m, size_t k, size_t n,
			 void (*between_panels) (void *arg), void *arg)
{
	return linal_matmul_panels(a, b, c, m, k, n, LINAL_MATMUL_PANEL_MACS,
							   between_panels, arg);
}

int
linal_matmul_panels(const float *a, const float *b, float *c,
					size_t m, size_t k, size_t n,
					size_t panel_macs,
					void (*between_panels) (void *arg), void *arg)
{
	size_t		band;
	size_t		start;
	size_t		len;

	/* BLAS dimensions and leading dimensions (k, n) are C int */
	if (m > INT_MAX || k > INT_MAX || n > INT_MAX)
		return -1;
	if (!openblas_load())
		return -2;
	if (m == 0 || n == 0)
		return 0;
	if (k == 0)
	{
		memset(c, 0, m * n * sizeof(float));
		return 0;
	}
	if (panel_macs < 1)
		panel_macs = 1;

	if (m == 1)
	{
		/*
		 * c[1 x n] = a[1 x k] . B: c = B^T a.  Split k (bands of rows of B)
		 * and accumulate: beta = 0 for the first band, 1 after.  c is zeroed
		 * first so garbage (NaN) in it cannot survive a beta = 0 that a BLAS
		 * implements as a multiply.
		 */
		band = panel_macs / n;
		if (band < 1)
			band = 1;
		memset(c, 0, n * sizeof(float));
		for (start = 0; start < k; start += len)
		{
			len = k - start < band ? k - start : band;
			if (start > 0 && between_panels)
				between_panels(arg);
			openblas.sgemv(CblasRowMajor, CblasTrans, (int) len, (int) n,
						1.0f, b + start * n, (int) n, a + start, 1,
						start == 0 ? 0.0f : 1.0f, c, 1);
		}
	}
	else if (n == 1)
	{
		/* c[m x 1] = A . b[k x 1]: bands of rows of A */
		band = panel_macs / k;
		if (band < 1)
			band = 1;
		memset(c, 0, m * sizeof(float));
		for (start = 0; start < m; start += len)
		{
			len = m - start < band ? m - start : band;
			if (start > 0 && between_panels)
				between_panels(arg);
			openblas.sgemv(CblasRowMajor, CblasNoTrans, (int) len, (int) k,
						1.0f, a + start * k, (int) k, b, 1,
						0.0f, c + start, 1);
		}
	}
	else
	{
		/*
		 * Each sgemm call packs its whole slice of B (and of A), so thin
		 * panels cost: the extra work relative to the product is about
		 * 1/rows + 1/cols of a tile.  Use full-width bands of rows while
		 * they are at least MIN_PANEL_ROWS high, else square-ish tiles
		 * (rows ~ cols ~ sqrt(panel_macs / k)).
		 */
		size_t		rows = panel_macs / k / n;
		size_t		cols = n;
		size_t		col_start;
		size_t		col_len;
		bool		first = true;

		if (rows < MIN_PANEL_ROWS && rows < m)
		{
			rows = (size_t) sqrt((double) (panel_macs / k));
			if (rows < 1)
				rows = 1;
			if (rows > m)
				rows = m;
			cols = panel_macs / k / rows;
			if (cols < 1)
				cols = 1;
			if (cols > n)
				cols = n;
		}
		if (rows < 1)
			rows = 1;
		for (start = 0; start < m; start += len)
		{
			len = m - start < rows ? m - start : rows;
			for (col_start = 0; col_start < n; col_start += col_len)
			{
				col_len = n - col_start < cols ? n - col_start : cols;
				if (!first && between_panels)
					between_panels(arg);
				first = false;
				openblas.sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
							(int) len, (int) col_len, (int) k,
							1.0f, a + start * k, (int) k,
							b + col_start, (int) n,
							0.0f, c + start * n + col_start, (int) n);
			}
		}
	}
	return 0;
}
