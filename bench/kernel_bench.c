/*-------------------------------------------------------------------------
 *
 * kernel_bench.c
 *	  Micro-benchmark of src/kernels: similarity kernels per ISA and the
 *	  OpenBLAS matrix product through linal_matmul.  Not a test: it prints
 *	  a table and always exits 0.
 *
 * Similarity: two vectors hot in cache, each measurement repeated until it
 * takes >= 20 ms, best of 5 measurements.  GB/s counts the bytes of both
 * inputs per call.  sgemm: square n x n products, linal_matmul (default
 * panels) next to cblas_sgemm called directly, best of 5 (3 at 2048).
 * OpenBLAS runs with one thread so numbers are per core.  Bit vectors:
 * hamming and and_or (Jaccard) per bit table at 1024 and 8192 bits, timed
 * like the similarity kernels.
 *
 * Usage: kernel_bench [--quick] [--bits]   (--quick: 1 measurement, short
 *        runs; --bits: only the bit-vector table)
 *
 *-------------------------------------------------------------------------
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include "../src/kernels/bits.h"
#include "../src/kernels/blas.h"
#include "../src/kernels/kernels.h"

static int	runs = 5;
static double min_run_ns = 20e6;
static volatile float sink_f;
static volatile uint64_t sink_u;

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static float
rng_unit(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (float) ((double) ((rng_state * 0x2545f4914f6cdd1dull) >> 40) / 8388608.0 - 1.0);
}

static float *
random_floats(size_t n)
{
	/* +1 float: inputs start 4 bytes past a 64-byte line, like tensor data may */
	float	   *p = aligned_alloc(64, ((n + 1) * sizeof(float) + 63) / 64 * 64);
	size_t		i;

	if (!p)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	for (i = 0; i < n + 1; i++)
		p[i] = rng_unit();
	return p;
}

typedef enum BenchOp
{
	OP_DOT,
	OP_L2,
	OP_COSINE
} BenchOp;

static const char *const op_names[] = {"dot", "l2_squared", "cosine_parts"};

static double
run_once(const LinalKernels *k, BenchOp op, const float *a, const float *b,
		 size_t n, long iters)
{
	double		t0 = now_ns();
	float		acc = 0.0f;
	float		d;
	float		na;
	float		nb;
	long		i;

	switch (op)
	{
		case OP_DOT:
			for (i = 0; i < iters; i++)
				acc += k->dot(a, b, n);
			break;
		case OP_L2:
			for (i = 0; i < iters; i++)
				acc += k->l2_squared(a, b, n);
			break;
		case OP_COSINE:
			for (i = 0; i < iters; i++)
			{
				k->cosine_parts(a, b, n, &d, &na, &nb);
				acc += d + na + nb;
			}
			break;
	}
	sink_f = acc;
	return now_ns() - t0;
}

/* one timed loop of a benchmark: ns for iters calls */
typedef double (*TimedLoop) (const void *ctx, long iters);

/* best ns per call over `runs` loops long enough to time */
static double
best_ns_per_call(TimedLoop loop, const void *ctx)
{
	long		iters = 64;
	double		best = 1e300;
	int			r;

	while (loop(ctx, iters) < min_run_ns)
		iters *= 2;
	for (r = 0; r < runs; r++)
	{
		double		t = loop(ctx, iters) / (double) iters;

		if (t < best)
			best = t;
	}
	return best;
}

typedef struct SimilarityCase
{
	const LinalKernels *k;
	BenchOp		op;
	const float *a;
	const float *b;
	size_t		n;
} SimilarityCase;

static double
similarity_loop(const void *ctx, long iters)
{
	const SimilarityCase *c = ctx;

	return run_once(c->k, c->op, c->a, c->b, c->n, iters);
}

static double
bench_similarity(const LinalKernels *k, BenchOp op, const float *a,
				 const float *b, size_t n)
{
	SimilarityCase c = {k, op, a, b, n};

	return best_ns_per_call(similarity_loop, &c);
}

static void
similarity_table(void)
{
	static const size_t dims[] = {128, 768, 1536};
	float	   *a = random_floats(1536) + 1;
	float	   *b = random_floats(1536) + 1;
	int			op;
	size_t		di;
	int			isa;

	/* ~0.2 s of work first, so the first row is not measured cold */
	{
		double		t0 = now_ns();

		while (now_ns() - t0 < 2e8)
			run_once(linal_kernels, OP_DOT, a, b, 1536, 1000);
	}

	printf("%-13s %5s  %-7s %10s %8s %10s\n",
		   "kernel", "dim", "isa", "ns/call", "GB/s", "vs scalar");
	for (op = OP_DOT; op <= OP_COSINE; op++)
	{
		for (di = 0; di < sizeof(dims) / sizeof(dims[0]); di++)
		{
			double		scalar_ns = 0.0;

			for (isa = 0; isa < LINAL_ISA_COUNT; isa++)
			{
				const LinalKernels *k = linal_kernels_for((LinalIsa) isa);
				double		ns;

				if (!k)
					continue;
				ns = bench_similarity(k, (BenchOp) op, a, b, dims[di]);
				if (isa == LINAL_ISA_SCALAR)
					scalar_ns = ns;
				printf("%-13s %5zu  %-7s %10.1f %8.1f %9.1fx\n",
					   op_names[op], dims[di], k->name, ns,
					   2.0 * dims[di] * sizeof(float) / ns,
					   scalar_ns / ns);
			}
		}
	}
	free(a - 1);
	free(b - 1);
}

/* batched scoring over rows that do not fit in L1/L2: ns per row */
static void
batch_table(void)
{
	size_t		dim = 768;
	size_t		count = 4096;	/* 12 MB of rows */
	float	   *q = random_floats(dim);
	float	   *rows = random_floats(dim * count);
	float	   *out = malloc(count * sizeof(float));
	const float **ptrs = malloc(count * sizeof(float *));
	size_t		j;
	int			isa;

	for (j = 0; j < count; j++)
		ptrs[j] = rows + j * dim;
	printf("\n%-17s %5s %6s  %-7s %9s %8s\n",
		   "batch kernel", "dim", "rows", "isa", "ns/row", "GB/s");
	for (isa = 0; isa < LINAL_ISA_COUNT; isa++)
	{
		const LinalKernels *k = linal_kernels_for((LinalIsa) isa);
		int			l2;

		if (!k)
			continue;
		for (l2 = 0; l2 < 2; l2++)
		{
			double		best = 1e300;
			int			r;

			for (r = 0; r < runs; r++)
			{
				double		t0 = now_ns();
				double		t;

				if (l2)
					k->l2_squared_batch(q, ptrs, dim, count, out);
				else
					k->dot_batch(q, ptrs, dim, count, out);
				t = (now_ns() - t0) / (double) count;
				if (t < best)
					best = t;
			}
			sink_f = out[count - 1];
			printf("%-17s %5zu %6zu  %-7s %9.1f %8.1f\n",
				   l2 ? "l2_squared_batch" : "dot_batch", dim, count, k->name,
				   best, dim * sizeof(float) / best);
		}
	}
	free(q);
	free(rows);
	free(ptrs);
	free(out);
}

/* ns for iters calls of one bit kernel (and_or when jaccard) */
static double
run_bits_once(const LinalBitKernels *k, bool jaccard, const uint8_t *a,
			  const uint8_t *b, size_t nbytes, long iters)
{
	double		t0 = now_ns();
	uint64_t	acc = 0;
	uint64_t	n_and;
	uint64_t	n_or;
	long		i;

	for (i = 0; i < iters; i++)
	{
		if (jaccard)
		{
			k->and_or(a, b, nbytes, &n_and, &n_or);
			acc += n_and + n_or;
		}
		else
			acc += k->hamming(a, b, nbytes);
	}
	sink_u = acc;
	return now_ns() - t0;
}

static void
bits_table(void)
{
	static const size_t nbits[] = {1024, 8192};
	/* +1 byte: start off a cache-line boundary, as bit data in a page may */
	uint8_t    *a = malloc(8192 / 8 + 1);
	uint8_t    *b = malloc(8192 / 8 + 1);
	size_t		ni;
	size_t		i;
	int			jaccard;
	int			isa;

	if (!a || !b)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	for (i = 0; i < 8192 / 8 + 1; i++)
	{
		a[i] = (uint8_t) (rng_unit() * 255.0f);
		b[i] = (uint8_t) (rng_unit() * 255.0f);
	}
	printf("\n%-13s %5s  %-16s %10s %8s %10s\n",
		   "bit kernel", "bits", "table", "ns/call", "GB/s", "vs scalar");
	for (jaccard = 0; jaccard < 2; jaccard++)
	{
		for (ni = 0; ni < sizeof(nbits) / sizeof(nbits[0]); ni++)
		{
			size_t		nbytes = nbits[ni] / 8;
			double		scalar_ns = 0.0;

			for (isa = 0; isa < LINAL_ISA_COUNT; isa++)
			{
				const LinalBitKernels *k = linal_bit_kernels_for((LinalIsa) isa);
				long		iters = 64;
				double		best = 1e300;
				int			r;

				if (!k)
					continue;
				while (run_bits_once(k, jaccard, a + 1, b + 1, nbytes, iters) < min_run_ns)
					iters *= 2;
				for (r = 0; r < runs; r++)
				{
					double		t = run_bits_once(k, jaccard, a + 1, b + 1, nbytes, iters) / (double) iters;

					if (t < best)
						best = t;
				}
				if (isa == LINAL_ISA_SCALAR)
					scalar_ns = best;
				printf("%-13s %5zu  %-16s %10.1f %8.1f %9.1fx\n",
					   jaccard ? "and_or" : "hamming", nbits[ni], k->name, best,
					   2.0 * nbytes / best, scalar_ns / best);
			}
		}
	}
	free(a);
	free(b);
}

/* stands in for the server's CHECK_FOR_INTERRUPTS callback */
static void
count_panel(void *arg)
{
	(*(int *) arg)++;
}

static void
sgemm_table(void)
{
	static const size_t sizes[] = {256, 1024, 2048};
	size_t		si;

	printf("\n%-6s %7s %16s %16s %7s\n",
		   "sgemm", "panels", "linal GFLOP/s", "cblas GFLOP/s", "ratio");
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
	{
		size_t		n = sizes[si];
		float	   *a = random_floats(n * n);
		float	   *b = random_floats(n * n);
		float	   *c = random_floats(n * n);
		double		flops = 2.0 * n * n * n;
		double		best_linal = 1e300;
		double		best_raw = 1e300;
		int			panels = 0;
		int			ignored = 0;
		int			nruns = n >= 2048 && runs > 3 ? 3 : runs;
		int			r;

		/* warm up (OpenBLAS buffers, page faults on c) and count panels */
		linal_matmul(a, b, c, n, n, n, count_panel, &panels);
		panels++;
		for (r = 0; r < nruns; r++)
		{
			double		t0 = now_ns();
			double		t1;
			double		t2;

			linal_matmul(a, b, c, n, n, n, count_panel, &ignored);
			t1 = now_ns();
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
						(int) n, (int) n, (int) n, 1.0f, a, (int) n, b, (int) n,
						0.0f, c, (int) n);
			t2 = now_ns();
			if (t1 - t0 < best_linal)
				best_linal = t1 - t0;
			if (t2 - t1 < best_raw)
				best_raw = t2 - t1;
		}
		printf("%-6zu %7d %16.1f %16.1f %6.1f%%\n", n,
			   panels, flops / best_linal, flops / best_raw,
			   100.0 * best_raw / best_linal);
		free(a);
		free(b);
		free(c);
	}
}

/* half (halftensor) distance kernels vs the float ones on the same values */
static double
half_run_once(const LinalKernels *k, bool l2, const uint16_t *a, const uint16_t *b,
			  size_t n, long iters)
{
	double		t0 = now_ns();
	float		acc = 0.0f;
	long		i;

	for (i = 0; i < iters; i++)
		acc += l2 ? k->half_l2_squared(a, b, n) : k->half_dot(a, b, n);
	sink_f = acc;
	return now_ns() - t0;
}

typedef struct HalfCase
{
	const LinalKernels *k;
	bool		l2;
	const uint16_t *a;
	const uint16_t *b;
	size_t		n;
} HalfCase;

static double
half_loop(const void *ctx, long iters)
{
	const HalfCase *c = ctx;

	return half_run_once(c->k, c->l2, c->a, c->b, c->n, iters);
}

static double
bench_half(const LinalKernels *k, bool l2, const uint16_t *a, const uint16_t *b, size_t n)
{
	HalfCase	c = {k, l2, a, b, n};

	return best_ns_per_call(half_loop, &c);
}

static void
half_table(void)
{
	static const size_t dims[] = {128, 768, 1536};
	float	   *a = random_floats(1536);
	float	   *b = random_floats(1536);
	uint16_t   *ha = malloc(1536 * sizeof(uint16_t));
	uint16_t   *hb = malloc(1536 * sizeof(uint16_t));
	size_t		di;
	size_t		i;
	int			isa;
	int			l2;

	for (i = 0; i < 1536; i++)
	{
		ha[i] = linal_float_to_half(a[i]);
		hb[i] = linal_float_to_half(b[i]);
		a[i] = linal_half_to_float(ha[i]);
		b[i] = linal_half_to_float(hb[i]);
	}
	printf("\n%-16s %5s  %-7s %10s %12s %10s\n",
		   "half kernel", "dim", "isa", "ns/call", "float ns", "half/float");
	for (l2 = 1; l2 >= 0; l2--)
		for (di = 0; di < sizeof(dims) / sizeof(dims[0]); di++)
			for (isa = 0; isa < LINAL_ISA_COUNT; isa++)
			{
				const LinalKernels *k = linal_kernels_for((LinalIsa) isa);
				double		half_ns;
				double		float_ns;

				if (!k)
					continue;
				half_ns = bench_half(k, l2, ha, hb, dims[di]);
				float_ns = bench_similarity(k, l2 ? OP_L2 : OP_DOT, a, b, dims[di]);
				printf("%-16s %5zu  %-7s %10.1f %12.1f %9.2fx\n",
					   l2 ? "half_l2_squared" : "half_dot", dims[di], k->name,
					   half_ns, float_ns, half_ns / float_ns);
			}
	free(a);
	free(b);
	free(ha);
	free(hb);
}

int
main(int argc, char **argv)
{
	int			isa;
	bool		only_bits = false;
	int			i;

	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--quick") == 0)
		{
			runs = 1;
			min_run_ns = 1e6;
		}
		else if (strcmp(argv[i], "--bits") == 0)
			only_bits = true;
	}
	linal_kernels_init();
	/*
	 * The bench links OpenBLAS itself (for raw cblas_sgemm), so the pool
	 * exists before linal's lazy load: set both.
	 */
	openblas_set_num_threads(1);
	linal_blas_set_threads(1);

	printf("linal kernel_bench: best of %d runs; OpenBLAS threads = %d; panel = %zu MACs\n",
		   runs, openblas_get_num_threads(), (size_t) LINAL_MATMUL_PANEL_MACS);
	printf("ISAs supported:");
	for (isa = 0; isa < LINAL_ISA_COUNT; isa++)
	{
		if (linal_cpu_supports((LinalIsa) isa))
			printf(" %s", linal_isa_name((LinalIsa) isa));
	}
	printf(" (active: %s)\n\n", linal_kernels->name);

	if (only_bits)
	{
		bits_table();
		return 0;
	}
	similarity_table();
	half_table();
	batch_table();
	bits_table();
	sgemm_table();
	return 0;
}
