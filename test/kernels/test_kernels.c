/*-------------------------------------------------------------------------
 *
 * test_kernels.c
 *	  Standalone unit test of src/kernels (no server needed).  Prints TAP
 *	  and exits non-zero if any check fails.
 *
 * For every ISA this CPU supports it checks each kernel over a ladder of
 * sizes around the SIMD widths, with unaligned (4-byte) pointers, against
 * a double-precision reference and the accuracy contract in kernels.h;
 * element-wise ops bit-exact vs scalar and vs the correctly rounded
 * result, in place too; batch kernels bit-exact vs single kernels; and all
 * kernels once more with buffers that end (or start) at a PROT_NONE page,
 * so a tail that reads or writes one float too far crashes the test.
 * Then linal_matmul against a naive product (panels and the callback
 * count included) and the transpose kernel.  The bit-vector kernels
 * (bits.h) of every table, exact against a bit-by-bit count over lengths
 * 0..300 bytes and long vectors, at every byte offset and against guard
 * pages.
 *
 *-------------------------------------------------------------------------
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/kernels/bits.h"
#include "../../src/kernels/u8.h"
#include "../../src/kernels/blas.h"
#include "../../src/kernels/kernels.h"

static const size_t sizes[] = {0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 127, 128, 768, 1000, 1536};

#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
#define MAX_N 1536
/* one float before and after every test buffer, checked for stray stores */
#define SENTINEL 12345.0f

static int	tests_run = 0;
static int	tests_failed = 0;

/* ---------------------------------------------------------------- TAP */

static void
tap(bool pass, const char *fmt,...)
{
	va_list		ap;

	tests_run++;
	if (!pass)
		tests_failed++;
	printf("%s %d - ", pass ? "ok" : "not ok", tests_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* diagnostics go to stdout as TAP comments, at most a few per check */
static int	diag_budget;

static void
diag(const char *fmt,...)
{
	va_list		ap;

	if (diag_budget-- <= 0)
		return;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---------------------------------------------------------------- data */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64* */
static uint64_t
rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* uniform in [-1, 1) */
static float
rng_unit(void)
{
	return (float) ((double) (rng_next() >> 40) * (1.0 / 8388608.0) - 1.0);
}

/*
 * pattern 0: uniform [-1, 1); 1: wide magnitudes (2^-20 .. 2^20, mixed
 * signs); 2: strictly negative in [-3, -1)
 */
static void
fill(float *x, size_t n, int pattern)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (pattern == 0)
			x[i] = rng_unit();
		else if (pattern == 1)
			x[i] = ldexpf(rng_unit(), (int) (rng_next() % 41) - 20);
		else
			x[i] = -2.0f + rng_unit();
	}
}

#define NPATTERNS 3

/*
 * A buffer of n floats at a 4-byte (not 8/16/32/64-byte) aligned address,
 * with a sentinel float on either side.
 */
typedef struct Buf
{
	float	   *raw;
	float	   *p;
	size_t		n;
} Buf;

static Buf
buf_new(size_t n)
{
	Buf			b;
	size_t		i;

	/* 64-byte aligned base + 1 float: p is only 4-byte aligned */
	b.raw = aligned_alloc(64, ((n + 2) * sizeof(float) + 63) / 64 * 64);
	if (!b.raw)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	b.p = b.raw + 1;
	b.n = n;
	b.raw[0] = SENTINEL;
	b.p[n] = SENTINEL;
	for (i = 0; i < n; i++)
		b.p[i] = 0.0f;
	return b;
}

/* the data, 4 bytes past a 64-byte boundary: every SIMD load is misaligned */
static float *
buf_odd(Buf *b)
{
	return b->p;
}

static bool
buf_sentinels_ok(const Buf *b)
{
	return b->raw[0] == SENTINEL && b->p[b->n] == SENTINEL;
}

static void
buf_free(Buf *b)
{
	free(b->raw);
	b->raw = b->p = NULL;
}

static bool
same_bits(float x, float y)
{
	uint32_t	bx;
	uint32_t	by;

	memcpy(&bx, &x, sizeof(bx));
	memcpy(&by, &y, sizeof(by));
	return bx == by;
}

/* correctly rounded result, NaNs match any NaN */
static bool
same_value(float got, float want)
{
	if (isnan(want))
		return isnan(got);
	return same_bits(got, want);
}

/* the accuracy contract of kernels.h for float-accumulated kernels */
static bool
within_float_bound(float got, double ref, double sum_abs_terms, size_t n)
{
	double		bound = (double) (n + 2) * FLT_EPSILON * sum_abs_terms;

	return fabs((double) got - ref) <= bound;
}

/* --------------------------------------------------------- similarity */

typedef enum SimOp
{
	SIM_DOT,
	SIM_L2,
	SIM_L1,
	SIM_COSINE
} SimOp;

static const char *const sim_names[] = {"dot", "l2_squared", "l1", "cosine_parts"};

static void
test_similarity(const LinalKernels *k, SimOp op)
{
	Buf			a = buf_new(MAX_N);
	Buf			b = buf_new(MAX_N);
	bool		pass = true;
	size_t		si;
	int			pat;

	diag_budget = 5;
	for (pat = 0; pat < NPATTERNS; pat++)
	{
		for (si = 0; si < NSIZES; si++)
		{
			size_t		n = sizes[si];
			float	   *x = buf_odd(&a);
			float	   *y = buf_odd(&b);
			double		ref[3] = {0, 0, 0};
			double		abs_terms[3] = {0, 0, 0};
			float		got[3] = {0, 0, 0};
			int			nout = op == SIM_COSINE ? 3 : 1;
			int			o;
			size_t		i;

			fill(x, n, pat);
			fill(y, n, (pat + 1) % NPATTERNS);
			for (i = 0; i < n; i++)
			{
				double		xd = x[i];
				double		yd = y[i];
				double		d = xd - yd;

				switch (op)
				{
					case SIM_DOT:
						ref[0] += xd * yd;
						abs_terms[0] += fabs(xd * yd);
						break;
					case SIM_L2:
						ref[0] += d * d;
						abs_terms[0] += d * d;
						break;
					case SIM_L1:
						ref[0] += fabs(d);
						abs_terms[0] += fabs(d);
						break;
					case SIM_COSINE:
						ref[0] += xd * yd;
						abs_terms[0] += fabs(xd * yd);
						ref[1] += xd * xd;
						abs_terms[1] += xd * xd;
						ref[2] += yd * yd;
						abs_terms[2] += yd * yd;
						break;
				}
			}

			switch (op)
			{
				case SIM_DOT:
					got[0] = k->dot(x, y, n);
					break;
				case SIM_L2:
					got[0] = k->l2_squared(x, y, n);
					break;
				case SIM_L1:
					got[0] = k->l1(x, y, n);
					break;
				case SIM_COSINE:
					k->cosine_parts(x, y, n, &got[0], &got[1], &got[2]);
					break;
			}

			for (o = 0; o < nout; o++)
			{
				bool		good = n == 0 ? got[o] == 0.0f :
					within_float_bound(got[o], ref[o], abs_terms[o], n);

				if (!good)
				{
					pass = false;
					diag("%s %s[%d] n=%zu pattern=%d: got %.9g ref %.17g bound %.3g",
						 k->name, sim_names[op], o, n, pat, got[o], ref[o],
						 (double) (n + 2) * FLT_EPSILON * abs_terms[o]);
				}
			}
		}
	}
	pass = pass && buf_sentinels_ok(&a) && buf_sentinels_ok(&b);
	tap(pass, "%s %s within (n+2)*FLT_EPSILON*sum|term| of double, sizes 0..1536, unaligned",
		k->name, sim_names[op]);
	buf_free(&a);
	buf_free(&b);
}

/* --------------------------------------------------------- element-wise */

typedef enum EwOp
{
	EW_ADD,
	EW_SUB,
	EW_MUL,
	EW_DIV,
	EW_ADD_SCALAR,
	EW_MUL_SCALAR
} EwOp;

#define NEWOPS 6

static const char *const ew_names[] = {"add", "sub", "mul", "div", "add_scalar", "mul_scalar"};

static void
run_ew(const LinalKernels *k, EwOp op, const float *x, const float *y,
	   float s, float *out, size_t n)
{
	switch (op)
	{
		case EW_ADD:
			k->add(x, y, out, n);
			break;
		case EW_SUB:
			k->sub(x, y, out, n);
			break;
		case EW_MUL:
			k->mul(x, y, out, n);
			break;
		case EW_DIV:
			k->div(x, y, out, n);
			break;
		case EW_ADD_SCALAR:
			k->add_scalar(x, s, out, n);
			break;
		case EW_MUL_SCALAR:
			k->mul_scalar(x, s, out, n);
			break;
	}
}

/* float op float via double, rounded once: the correctly rounded result */
static float
ew_ref(EwOp op, float x, float y, float s)
{
	switch (op)
	{
		case EW_ADD:
			return (float) ((double) x + (double) y);
		case EW_SUB:
			return (float) ((double) x - (double) y);
		case EW_MUL:
			return (float) ((double) x * (double) y);
		case EW_DIV:
			return (float) ((double) x / (double) y);
		case EW_ADD_SCALAR:
			return (float) ((double) x + (double) s);
		case EW_MUL_SCALAR:
			return (float) ((double) x * (double) s);
	}
	return NAN;
}

static void
test_elementwise(const LinalKernels *k, EwOp op)
{
	const LinalKernels *scalar = linal_kernels_for(LINAL_ISA_SCALAR);
	Buf			a = buf_new(MAX_N);
	Buf			b = buf_new(MAX_N);
	Buf			out = buf_new(MAX_N);
	Buf			want = buf_new(MAX_N);
	bool		pass = true;
	size_t		si;
	int			pat;
	int			alias;

	diag_budget = 5;
	for (pat = 0; pat < NPATTERNS; pat++)
	{
		for (si = 0; si < NSIZES; si++)
		{
			size_t		n = sizes[si];
			float	   *x = buf_odd(&a);
			float	   *y = buf_odd(&b);
			float	   *o = buf_odd(&out);
			float	   *w = buf_odd(&want);
			float		s = pat == 1 ? 3.0e5f : -0.7f;
			size_t		i;

			fill(x, n, pat);
			fill(y, n, (pat + 2) % NPATTERNS);
			/* IEEE specials for div: x/0, -x/0, 0/0 (NaN), x/-0 */
			if (op == EW_DIV && n > 0)
			{
				y[0] = 0.0f;
				y[n / 2] = 0.0f;
				x[n / 2] = 0.0f;
				y[n - 1] = -0.0f;
			}

			/* 0: separate out, 1: out == a, 2: out == b (binary only) */
			for (alias = 0; alias < 3; alias++)
			{
				float	   *dst = o;

				if (alias == 2 && (op == EW_ADD_SCALAR || op == EW_MUL_SCALAR))
					continue;

				/* reference: the scalar table, itself checked against double */
				run_ew(scalar, op, x, y, s, w, n);
				for (i = 0; i < n; i++)
				{
					if (!same_value(w[i], ew_ref(op, x[i], y[i], s)))
					{
						pass = false;
						diag("scalar %s n=%zu i=%zu: got %a want %a",
							 ew_names[op], n, i, w[i], ew_ref(op, x[i], y[i], s));
						break;
					}
				}

				if (alias == 0)
					run_ew(k, op, x, y, s, o, n);
				else
				{
					/* in place into x or y, then restore the input */
					float		saved[MAX_N];

					dst = alias == 1 ? x : y;
					memcpy(saved, dst, n * sizeof(float));
					run_ew(k, op, x, y, s, dst, n);
					memcpy(o, dst, n * sizeof(float));
					memcpy(dst, saved, n * sizeof(float));
					dst = o;
				}

				for (i = 0; i < n; i++)
				{
					if (!same_bits(dst[i], w[i]))
					{
						pass = false;
						diag("%s %s n=%zu alias=%d i=%zu: got %a scalar %a",
							 k->name, ew_names[op], n, alias, i, dst[i], w[i]);
						break;
					}
				}
			}
		}
	}
	pass = pass && buf_sentinels_ok(&a) && buf_sentinels_ok(&b) &&
		buf_sentinels_ok(&out) && buf_sentinels_ok(&want);
	tap(pass, "%s %s bit-exact vs scalar and correctly rounded, in place too, sizes 0..1536",
		k->name, ew_names[op]);
	buf_free(&a);
	buf_free(&b);
	buf_free(&out);
	buf_free(&want);
}

/* --------------------------------------------------------- reductions */

/* Neumaier-compensated double sum: the reference for sum/sum_squares */
static double
ref_sum(const float *x, size_t n, bool squares, double *sum_abs)
{
	double		s = 0.0;
	double		c = 0.0;
	double		abs_s = 0.0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		t = squares ? (double) x[i] * (double) x[i] : (double) x[i];
		double		u = s + t;

		if (fabs(s) >= fabs(t))
			c += (s - u) + t;
		else
			c += (t - u) + s;
		s = u;
		abs_s += fabs(t);
	}
	*sum_abs = abs_s;
	return s + c;
}

static bool
check_sum(const LinalKernels *k, const float *x, size_t n, bool squares,
		  const char *what)
{
	double		abs_s;
	double		ref = ref_sum(x, n, squares, &abs_s);
	double		got = squares ? k->sum_squares(x, n) : k->sum(x, n);

	if (n == 0 ? got == 0.0 : fabs(got - ref) <= 1e-12 * abs_s)
		return true;
	diag("%s %s %s n=%zu: got %.17g ref %.17g (rel err %.3g)",
		 k->name, squares ? "sum_squares" : "sum", what, n, got, ref,
		 fabs(got - ref) / abs_s);
	return false;
}

static void
test_sums(const LinalKernels *k, float *big, size_t big_n)
{
	Buf			a = buf_new(MAX_N);
	bool		pass = true;
	size_t		si;
	int			pat;
	int			sq;

	diag_budget = 5;
	for (sq = 0; sq < 2; sq++)
	{
		for (pat = 0; pat < NPATTERNS; pat++)
		{
			for (si = 0; si < NSIZES; si++)
			{
				fill(buf_odd(&a), sizes[si], pat);
				pass = check_sum(k, buf_odd(&a), sizes[si], sq, "small") && pass;
			}
		}
		/* many blocks: the compensation across LINAL_SUM_BLOCK blocks */
		pass = check_sum(k, big, big_n, sq, "large") && pass;
	}
	tap(pass && buf_sentinels_ok(&a),
		"%s sum and sum_squares within 1e-12*sum|term| of compensated double, incl. n=%zu",
		k->name, big_n);
	buf_free(&a);
}

static void
test_min_max(const LinalKernels *k)
{
	Buf			a = buf_new(MAX_N);
	bool		pass = true;
	size_t		si;
	int			pat;
	int			place;

	diag_budget = 5;
	for (pat = 0; pat < NPATTERNS; pat++)
	{
		for (si = 0; si < NSIZES; si++)
		{
			size_t		n = sizes[si];
			float	   *x = buf_odd(&a);

			if (n == 0)
				continue;
			/* extremes planted at the head, in the body, at the last element */
			for (place = 0; place < 4; place++)
			{
				float		want_lo;
				float		want_hi;
				float		lo;
				float		hi;
				size_t		i;

				fill(x, n, pat);
				if (place == 1)
				{
					x[0] = -100.0f;
					x[n - 1] = 100.0f;
				}
				else if (place == 2)
				{
					x[n / 2] = -100.0f;
					x[(n - 1) / 3] = 100.0f;
				}
				else if (place == 3)
				{
					x[n - 1] = -100.0f;
					x[0] = 100.0f;
				}
				want_lo = want_hi = x[0];
				for (i = 1; i < n; i++)
				{
					want_lo = x[i] < want_lo ? x[i] : want_lo;
					want_hi = x[i] > want_hi ? x[i] : want_hi;
				}
				k->min_max(x, n, &lo, &hi);
				if (lo != want_lo || hi != want_hi)
				{
					pass = false;
					diag("%s min_max n=%zu pattern=%d place=%d: got [%g,%g] want [%g,%g]",
						 k->name, n, pat, place, lo, hi, want_lo, want_hi);
				}
			}
		}
	}
	tap(pass && buf_sentinels_ok(&a),
		"%s min_max exact, all-negative data, extremes at head/body/tail", k->name);
	buf_free(&a);
}

/* --------------------------------------------------------- batch */

static void
test_batch(const LinalKernels *k)
{
	static const size_t counts[] = {0, 1, 2, 5, 9};
	bool		pass = true;
	size_t		si;
	size_t		ci;
	int			l2;

	diag_budget = 5;
	for (l2 = 0; l2 < 2; l2++)
	{
		for (si = 0; si < NSIZES; si++)
		{
			for (ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++)
			{
				size_t		dim = sizes[si];
				size_t		count = counts[ci];
				Buf			q = buf_new(dim);
				Buf			rows = buf_new(dim * count);
				Buf			out = buf_new(count);
				size_t		j;

				const float *ptrs[9];

				fill(buf_odd(&q), dim, 0);
				fill(buf_odd(&rows), dim * count, 1);
				/* rows need not be contiguous or in order: take them backwards */
				for (j = 0; j < count; j++)
					ptrs[j] = buf_odd(&rows) + (count - 1 - j) * dim;
				if (l2)
					k->l2_squared_batch(buf_odd(&q), ptrs, dim, count, buf_odd(&out));
				else
					k->dot_batch(buf_odd(&q), ptrs, dim, count, buf_odd(&out));
				for (j = 0; j < count; j++)
				{
					const float *row = ptrs[j];
					float		single = l2 ? k->l2_squared(buf_odd(&q), row, dim) :
						k->dot(buf_odd(&q), row, dim);

					if (!same_bits(buf_odd(&out)[j], single))
					{
						pass = false;
						diag("%s %s dim=%zu count=%zu row=%zu: batch %a single %a",
							 k->name, l2 ? "l2_squared_batch" : "dot_batch",
							 dim, count, j, buf_odd(&out)[j], single);
					}
				}
				pass = pass && buf_sentinels_ok(&q) && buf_sentinels_ok(&rows) &&
					buf_sentinels_ok(&out);
				buf_free(&q);
				buf_free(&rows);
				buf_free(&out);
			}
		}
	}
	tap(pass, "%s dot_batch and l2_squared_batch bit-exact vs single kernels", k->name);
}

/* --------------------------------------------------------- all_finite */

static void
test_all_finite(const LinalKernels *k)
{
	const float specials[] = {INFINITY, -INFINITY, NAN, -NAN};
	Buf			a = buf_new(MAX_N);
	bool		pass = true;
	size_t		si;

	diag_budget = 5;
	for (si = 0; si < NSIZES; si++)
	{
		size_t		n = sizes[si];
		float	   *x = buf_odd(&a);
		size_t		pos;
		size_t		sp;

		fill(x, n, 1);
		/* large finite values are fine */
		if (n > 0)
			x[n - 1] = FLT_MAX;
		if (!k->all_finite(x, n))
		{
			pass = false;
			diag("%s all_finite n=%zu: false on finite data", k->name, n);
		}
		/* every position up to 128, else head, body and tail positions */
		for (pos = 0; pos < n; pos++)
		{
			float		saved = x[pos];

			if (n > 128 && pos > 2 && pos != n / 2 && pos + 3 < n)
				continue;
			for (sp = 0; sp < sizeof(specials) / sizeof(specials[0]); sp++)
			{
				x[pos] = specials[sp];
				if (k->all_finite(x, n))
				{
					pass = false;
					diag("%s all_finite n=%zu: missed %g at %zu", k->name, n,
						 specials[sp], pos);
				}
			}
			x[pos] = saved;
		}
	}
	tap(pass && buf_sentinels_ok(&a),
		"%s all_finite catches Inf/NaN at every position class", k->name);
	buf_free(&a);
}

/* --------------------------------------------------------- guard pages */

/*
 * n floats placed flush against a PROT_NONE page: at_end puts the last
 * float just before the guard, otherwise the first float just after it.
 */
typedef struct Guarded
{
	void	   *map;
	size_t		map_bytes;
	float	   *p;
} Guarded;

static Guarded
guarded_new(size_t n, bool at_end)
{
	Guarded		g;
	size_t		page = (size_t) sysconf(_SC_PAGESIZE);
	size_t		data_pages = (n * sizeof(float) + page - 1) / page + 1;
	char	   *base;

	g.map_bytes = (data_pages + 2) * page;
	g.map = mmap(NULL, g.map_bytes, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g.map == MAP_FAILED)
	{
		perror("mmap");
		exit(2);
	}
	base = g.map;
	if (mprotect(base, page, PROT_NONE) != 0 ||
		mprotect(base + (data_pages + 1) * page, page, PROT_NONE) != 0)
	{
		perror("mprotect");
		exit(2);
	}
	if (at_end)
		g.p = (float *) (base + (data_pages + 1) * page) - n;
	else
		g.p = (float *) (base + page);
	return g;
}

static void
guarded_free(Guarded *g)
{
	munmap(g->map, g->map_bytes);
}

/* a stray access past either end is a SIGSEGV, i.e. a failed run */
static void
test_guard_pages(const LinalKernels *k)
{
	size_t		si;
	int			at_end;
	int			op;

	for (at_end = 0; at_end < 2; at_end++)
	{
		for (si = 0; si < NSIZES; si++)
		{
			size_t		n = sizes[si];
			Guarded		ga = guarded_new(n, at_end);
			Guarded		gb = guarded_new(n, at_end);
			Guarded		go = guarded_new(n, at_end);
			Guarded		gr = guarded_new(n * 3, at_end);
			Guarded		gs = guarded_new(3, at_end);
			float		f1;
			float		f2;
			float		f3;
			volatile double sink = 0.0;

			fill(ga.p, n, 0);
			fill(gb.p, n, 0);
			fill(gr.p, n * 3, 0);
			sink += k->dot(ga.p, gb.p, n);
			sink += k->l2_squared(ga.p, gb.p, n);
			sink += k->l1(ga.p, gb.p, n);
			k->cosine_parts(ga.p, gb.p, n, &f1, &f2, &f3);
			for (op = 0; op < NEWOPS; op++)
			{
				run_ew(k, (EwOp) op, ga.p, gb.p, 2.0f, go.p, n);
				run_ew(k, (EwOp) op, ga.p, gb.p, 2.0f, ga.p, n);
			}
			sink += k->sum(ga.p, n);
			sink += k->sum_squares(ga.p, n);
			if (n > 0)
				k->min_max(ga.p, n, &f1, &f2);
			sink += k->all_finite(ga.p, n);
			{
				const float *ptrs[3] = {gr.p, gr.p + n, gr.p + 2 * n};

				k->dot_batch(ga.p, ptrs, n, 3, gs.p);
				k->l2_squared_batch(ga.p, ptrs, n, 3, gs.p);
			}
			(void) sink;
			guarded_free(&ga);
			guarded_free(&gb);
			guarded_free(&go);
			guarded_free(&gr);
			guarded_free(&gs);
		}
	}
	tap(true, "%s every kernel stays inside buffers that touch PROT_NONE pages", k->name);
}

/* --------------------------------------------------------- dispatch */

static void
test_dispatch(void)
{
	bool		avx2_builtin;
	bool		avx512_builtin;
	int			isa;

	tap(linal_kernels != NULL && linal_kernels->isa == LINAL_ISA_SCALAR,
		"linal_kernels is the scalar table before init");
	tap(linal_cpu_supports(LINAL_ISA_SCALAR) &&
		linal_kernels_for(LINAL_ISA_SCALAR) != NULL,
		"scalar is always supported");

#if defined(__x86_64__)
	__builtin_cpu_init();
	avx2_builtin = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	avx512_builtin = __builtin_cpu_supports("avx512f") &&
		__builtin_cpu_supports("avx512bw") &&
		__builtin_cpu_supports("avx512dq") &&
		__builtin_cpu_supports("avx512vl");
#else
	avx2_builtin = avx512_builtin = false;
#endif
	/* LINAL_SIMD_DISABLE hides ISAs on purpose; mirror it */
	if (getenv("LINAL_SIMD_DISABLE") != NULL)
	{
		const char *hidden = getenv("LINAL_SIMD_DISABLE");

		if (strstr(hidden, "avx512") != NULL)
			avx512_builtin = false;
		if (strstr(hidden, "avx2,") != NULL || strstr(hidden, "avx2 ") != NULL ||
			(strlen(hidden) >= 4 && strcmp(hidden + strlen(hidden) - 4, "avx2") == 0))
			avx2_builtin = avx512_builtin = false;
	}
	tap(linal_cpu_supports(LINAL_ISA_AVX2) == avx2_builtin &&
		linal_cpu_supports(LINAL_ISA_AVX512) == avx512_builtin,
		"cpuid/xgetbv detection agrees with __builtin_cpu_supports (avx2 %d, avx512 %d)",
		avx2_builtin, avx512_builtin);

	linal_kernels_init();
	tap(linal_kernels->isa == linal_best_isa() &&
		strcmp(linal_kernels->name, linal_isa_name(linal_best_isa())) == 0,
		"init selects the best isa (%s)", linal_kernels->name);

	for (isa = 0; isa < LINAL_ISA_COUNT; isa++)
	{
		const LinalKernels *k = linal_kernels_for((LinalIsa) isa);

		if (linal_cpu_supports((LinalIsa) isa))
		{
			linal_kernels_select((LinalIsa) isa);
			tap(k != NULL && k->isa == (LinalIsa) isa && linal_kernels == k &&
				strcmp(k->name, linal_isa_name((LinalIsa) isa)) == 0,
				"select %s", linal_isa_name((LinalIsa) isa));
		}
		else
			tap(k == NULL, "no table for unsupported %s", linal_isa_name((LinalIsa) isa));
	}
	linal_kernels_select((LinalIsa) 7);
	tap(linal_kernels->isa == LINAL_ISA_SCALAR && linal_kernels_for((LinalIsa) 7) == NULL &&
		strcmp(linal_isa_name((LinalIsa) 7), "unknown") == 0,
		"an invalid isa falls back to scalar");
	linal_kernels_init();
}

/* --------------------------------------------------------- bit vectors */

/* bit-by-bit reference: kind 0 = XOR, 1 = AND, 2 = OR */
static uint64_t
ref_bit_count(const uint8_t *a, const uint8_t *b, size_t nbytes, int kind)
{
	uint64_t	count = 0;
	size_t		i;
	int			bit;

	for (i = 0; i < nbytes; i++)
	{
		int			x = kind == 0 ? (a[i] ^ b[i]) : kind == 1 ? (a[i] & b[i]) : (a[i] | b[i]);

		for (bit = 0; bit < 8; bit++)
			count += (x >> bit) & 1;
	}
	return count;
}

/* pattern 0: random, 1: sparse (1 bit in 8), 2: all ones, 3: all zero */
static void
fill_bytes(uint8_t *x, size_t n, int pattern)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint8_t		r = (uint8_t) rng_next();

		switch (pattern)
		{
			case 0:
				x[i] = r;
				break;
			case 1:
				x[i] = (r & 7) == 0 ? (uint8_t) (1u << (r >> 5)) : 0;
				break;
			case 2:
				x[i] = 0xFF;
				break;
			default:
				x[i] = 0;
				break;
		}
	}
}

static bool
bit_kernels_agree(const LinalBitKernels *k, const uint8_t *a, const uint8_t *b,
				  size_t nbytes)
{
	uint64_t	n_and = ~UINT64_C(0);
	uint64_t	n_or = ~UINT64_C(0);

	k->and_or(a, b, nbytes, &n_and, &n_or);
	return k->hamming(a, b, nbytes) == ref_bit_count(a, b, nbytes, 0) &&
		n_and == ref_bit_count(a, b, nbytes, 1) &&
		n_or == ref_bit_count(a, b, nbytes, 2);
}

#define BITS_MAX_BYTES 70000

static void
test_bit_kernels(const LinalBitKernels *k)
{
	/* long vectors: past the AVX2 8-bit block (31 * 32 bytes) and 64 KB */
	static const size_t long_sizes[] = {511, 512, 513, 991, 992, 993, 1023, 1024, 1025,
	4096, 8191, 8192, 8199, 65536 + 3};
	uint8_t    *a = malloc(BITS_MAX_BYTES + 8);
	uint8_t    *b = malloc(BITS_MAX_BYTES + 8);
	size_t		n;
	size_t		si;
	int			pa;
	int			pb;
	int			offset;
	int			at_end;
	bool		ok;

	if (!a || !b)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}

	/* every length 0..300 at every byte offset, mixed densities */
	ok = true;
	for (offset = 0; offset < 8 && ok; offset++)
		for (n = 0; n <= 300 && ok; n++)
			for (pa = 0; pa < 4 && ok; pa++)
			{
				pb = (pa + (int) n) % 4;
				fill_bytes(a + offset, n, pa);
				fill_bytes(b + 7 - offset, n, pb);
				ok = bit_kernels_agree(k, a + offset, b + 7 - offset, n);
				if (!ok)
					diag("%s: n=%zu offset=%d patterns %d/%d", k->name, n, offset, pa, pb);
			}
	tap(ok, "%s bit kernels exact for 0..300 bytes at every offset", k->name);

	ok = true;
	for (si = 0; si < sizeof(long_sizes) / sizeof(long_sizes[0]); si++)
		for (pa = 0; pa < 4; pa++)
			for (pb = 0; pb < 4; pb++)
			{
				n = long_sizes[si];
				fill_bytes(a + 1, n, pa);
				fill_bytes(b, n, pb);
				if (!bit_kernels_agree(k, a + 1, b, n))
				{
					diag("%s: n=%zu patterns %d/%d", k->name, n, pa, pb);
					ok = false;
				}
			}
	tap(ok, "%s bit kernels exact for long vectors (all-ones included)", k->name);

	/* a stray read past either end is a SIGSEGV, i.e. a failed run */
	ok = true;
	for (at_end = 0; at_end < 2; at_end++)
		for (n = 0; n <= 200; n++)
		{
			size_t		nfloats = (n + 3) / 4;
			Guarded		ga = guarded_new(nfloats, at_end);
			Guarded		gb = guarded_new(nfloats, at_end);
			size_t		shift = at_end ? 4 * nfloats - n : 0;
			uint8_t    *ba = (uint8_t *) ga.p + shift;
			uint8_t    *bb = (uint8_t *) gb.p + shift;

			fill_bytes(ba, n, 0);
			fill_bytes(bb, n, 0);
			if (!bit_kernels_agree(k, ba, bb, n))
			{
				diag("%s: guarded n=%zu wrong", k->name, n);
				ok = false;
			}
			guarded_free(&ga);
			guarded_free(&gb);
		}
	tap(ok, "%s bit kernels exact and inside buffers that touch PROT_NONE pages", k->name);

	free(a);
	free(b);
}

static void
test_bit_dispatch(void)
{
	bool		vpopcntdq_builtin = false;
	uint8_t		x[3] = {0xF0, 0x0F, 0x81};
	uint8_t		y[3] = {0xFF, 0x00, 0x01};
	uint8_t		zero[3] = {0, 0, 0};
	int			isa;

#if defined(__x86_64__)
	__builtin_cpu_init();
	vpopcntdq_builtin = linal_cpu_supports(LINAL_ISA_AVX512) &&
		__builtin_cpu_supports("avx512vpopcntdq") &&
		!(getenv("LINAL_SIMD_DISABLE") && strstr(getenv("LINAL_SIMD_DISABLE"), "vpopcntdq"));
#endif
	tap(linal_cpu_supports_vpopcntdq() == vpopcntdq_builtin,
		"vpopcntdq detection agrees with __builtin_cpu_supports (%d)", vpopcntdq_builtin);

	for (isa = 0; isa < LINAL_ISA_COUNT; isa++)
	{
		const LinalBitKernels *k = linal_bit_kernels_for((LinalIsa) isa);

		if (!linal_cpu_supports((LinalIsa) isa))
		{
			tap(k == NULL, "no bit table for unsupported %s", linal_isa_name((LinalIsa) isa));
			continue;
		}
		linal_kernels_select((LinalIsa) isa);
		tap(k != NULL && linal_bit_kernels_active() == k &&
			(isa != LINAL_ISA_AVX512 ||
			 strcmp(k->name, vpopcntdq_builtin ? "avx512_vpopcntdq" : "avx2") == 0),
			"float isa %s runs bit table %s", linal_isa_name((LinalIsa) isa),
			k ? k->name : "(none)");
		/* x^y = 0F 0F 80: 9 bits; x&y = F0 00 01: 5; x|y = FF 0F 81: 14 */
		tap(linal_bits_hamming(x, y, 3) == 9 && linal_bits_hamming(x, y, 0) == 0 &&
			linal_bits_hamming(x, y, -1) == 0 &&
			fabs(linal_bits_jaccard(x, y, 3) - (1.0 - 5.0 / 14.0)) < 1e-15 &&
			linal_bits_jaccard(zero, zero, 3) == 1.0 &&
			linal_bits_jaccard(x, zero, 3) == 1.0 &&
			linal_bits_jaccard(x, x, 3) == 0.0 &&
			linal_bits_jaccard(x, y, 0) == 1.0,
			"%s linal_bits_hamming/jaccard entry points (0/0 is distance 1)",
			linal_isa_name((LinalIsa) isa));
	}
	linal_kernels_init();
}

/* --------------------------------------------------------- u8 codes */

/*
 * Every 8-bit code table is exact against a scalar sum, on lengths around
 * each SIMD width and block, on random bytes and on all-255 (the largest
 * lane sums), and the dispatch picks VNNI exactly when the CPU has it.
 */
static void
test_u8_kernels(void)
{
	static const size_t lengths[] = {0, 1, 2, 7, 31, 32, 33, 63, 64, 65, 127, 128, 129,
	768, 1000, 7976, 131071, 131072, 131073, 524287, 524288, 524353, 1100000};
	size_t		max_n = 1100000;
	uint8_t    *a = malloc(max_n);
	uint8_t    *b = malloc(max_n);
	bool		vnni_builtin = false;
	int			isa;

	if (!a || !b)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
#if defined(__x86_64__)
	__builtin_cpu_init();
	vnni_builtin = linal_cpu_supports(LINAL_ISA_AVX512) &&
		__builtin_cpu_supports("avx512vnni") &&
		!(getenv("LINAL_SIMD_DISABLE") && strstr(getenv("LINAL_SIMD_DISABLE"), "vnni"));
#endif
	tap(linal_cpu_supports_vnni() == vnni_builtin,
		"vnni detection agrees with __builtin_cpu_supports (%d)", vnni_builtin);
	for (isa = 0; isa < LINAL_ISA_COUNT; isa++)
	{
		const LinalU8Kernels *k = linal_u8_kernels_for((LinalIsa) isa);
		int			fill;
		bool		pass = true;

		if (!linal_cpu_supports((LinalIsa) isa))
		{
			tap(k == NULL, "no u8 table for unsupported %s", linal_isa_name((LinalIsa) isa));
			continue;
		}
		tap(k != NULL && (isa != LINAL_ISA_AVX512 ||
						  strcmp(k->name, vnni_builtin ? "avx512_vnni" : "avx2") == 0),
			"float isa %s runs u8 table %s", linal_isa_name((LinalIsa) isa), k ? k->name : "(none)");
		if (k == NULL)
			continue;
		for (fill = 0; fill < 2; fill++)
		{
			size_t		j;
			size_t		l;

			for (j = 0; j < max_n; j++)
			{
				a[j] = fill ? 255 : (uint8_t) rng_next();
				b[j] = fill ? 255 : (uint8_t) rng_next();
			}
			for (l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++)
			{
				/* odd offsets: no alignment */
				size_t		n = lengths[l];
				size_t		off = n + 3 <= max_n ? 3 : 0;
				uint64_t	want = 0;

				for (j = 0; j < n; j++)
					want += (uint64_t) a[off + j] * b[j];
				if (k->dot(a + off, b, n) != want)
				{
					pass = false;
					printf("# %s u8 dot n=%zu fill=%d: got %llu, want %llu\n", k->name, n, fill,
						   (unsigned long long) k->dot(a + off, b, n), (unsigned long long) want);
				}
			}
		}
		tap(pass, "%s u8 dot exact on every length, random and all-255 bytes", k->name);

		/* decode: lo + step * c, the product rounded first, on every length */
		pass = true;
		for (fill = 0; fill < 3 && pass; fill++)
		{
			static const float los[] = {-1.25f, 3.0e-30f, -7.5e5f};
			static const float steps[] = {0.0078125f, 1.1e-31f, 13.7f};
			float	   *out = malloc(sizeof(float) * 1003);
			size_t		l;

			if (!out)
			{
				fprintf(stderr, "out of memory\n");
				exit(2);
			}
			for (l = 0; l < 12 && pass; l++)
			{
				size_t		n = lengths[l] <= 1000 ? lengths[l] : 1000;
				size_t		j;

				out[n] = -1.0f;
				k->decode(a + 3, los[fill], steps[fill], out, n);
				for (j = 0; j < n; j++)
				{
					volatile float product = steps[fill] * (float) a[3 + j];
					float		want = los[fill] + product;

					if (memcmp(&out[j], &want, sizeof(float)) != 0)
					{
						pass = false;
						printf("# %s u8 decode n=%zu at %zu: got %.9g, want %.9g\n", k->name, n, j,
							   out[j], want);
						break;
					}
				}
				if (out[n] != -1.0f)
				{
					pass = false;
					printf("# %s u8 decode n=%zu wrote past its end\n", k->name, n);
				}
			}
			free(out);
		}
		tap(pass, "%s u8 decode bit-identical to the scalar sum on every length", k->name);
	}
	free(a);
	free(b);
}

/* --------------------------------------------------------- matmul */

static void
count_panel(void *arg)
{
	(*(int *) arg)++;
}

/*
 * One product against a double triple loop; C is pre-filled with NaN, so
 * every element must be written.  expect_calls < 0 skips the count.
 * Rows checked: every row_step-th row, plus the first and last row of
 * every 256-row band (default-panel boundaries), plus the last row.
 */
static bool
check_matmul_rows(size_t m, size_t k, size_t n, size_t panel_macs,
				  int expect_calls, size_t row_step)
{
	float	   *a = malloc((m * k + 1) * sizeof(float));
	float	   *b = malloc((k * n + 1) * sizeof(float));
	float	   *c = malloc((m * n + 1) * sizeof(float));
	int			calls = 0;
	int			rc;
	bool		pass = true;
	size_t		i;
	size_t		j;
	size_t		p;

	fill(a, m * k, 0);
	fill(b, k * n, 0);
	for (i = 0; i < m * n; i++)
		c[i] = NAN;
	if (panel_macs == 0)
		rc = linal_matmul(a, b, c, m, k, n, count_panel, &calls);
	else
		rc = linal_matmul_panels(a, b, c, m, k, n, panel_macs, count_panel, &calls);

	diag_budget = 3;
	if (rc != 0)
	{
		pass = false;
		diag("matmul %zux%zu.%zux%zu returned %d", m, k, k, n, rc);
	}
	for (i = 0; i < m && pass; i++)
	{
		if (i % row_step != 0 && i % 256 != 0 && i % 256 != 255 && i != m - 1)
			continue;
		for (j = 0; j < n; j++)
		{
			double		ref = 0.0;
			double		abs_s = 0.0;
			float		got = c[i * n + j];

			for (p = 0; p < k; p++)
			{
				ref += (double) a[i * k + p] * b[p * n + j];
				abs_s += fabs((double) a[i * k + p] * b[p * n + j]);
			}
			if (!(fabs(got - ref) <= (double) (k + 2) * FLT_EPSILON * abs_s))
			{
				pass = false;
				diag("matmul %zux%zu.%zux%zu C[%zu][%zu] got %g ref %g",
					 m, k, k, n, i, j, got, ref);
				break;
			}
		}
	}
	if (expect_calls >= 0 && calls != expect_calls)
	{
		pass = false;
		diag("matmul %zux%zu.%zux%zu panel_macs=%zu: between_panels called %d times, want %d",
			 m, k, k, n, panel_macs, calls, expect_calls);
	}
	free(a);
	free(b);
	free(c);
	return pass;
}

static bool
check_matmul(size_t m, size_t k, size_t n, size_t panel_macs, int expect_calls)
{
	return check_matmul_rows(m, k, n, panel_macs, expect_calls, 1);
}

/* like CHECK_FOR_INTERRUPTS raising an error: leave on the second call */
static jmp_buf cancel_jmp;

static void
cancel_on_second(void *arg)
{
	if (++(*(int *) arg) == 2)
		longjmp(cancel_jmp, 1);
}

static bool
check_matmul_cancel(void)
{
	static float a[50 * 20];
	static float b[20 * 30];
	static float c[50 * 30];
	volatile int calls = 0;
	volatile bool cancelled = false;

	fill(a, 50 * 20, 0);
	fill(b, 20 * 30, 0);
	if (setjmp(cancel_jmp) == 0)
		linal_matmul_panels(a, b, c, 50, 20, 30, 20 * 30 * 7,
							cancel_on_second, (void *) &calls);
	else
		cancelled = true;
	/* a later product in the same process is unaffected */
	return cancelled && calls == 2 && check_matmul(50, 20, 30, 20 * 30 * 7, 7);
}

static void
test_matmul(void)
{
	float		dummy = 0.0f;

	linal_blas_set_threads(1);
	tap(linal_blas_get_threads() == 1, "linal_blas_set_threads(1)");

	tap(check_matmul(1, 1, 1, 0, 0) && check_matmul(1, 37, 1, 0, 0),
		"matmul 1xk.kx1 (sgemv)");
	tap(check_matmul(5, 37, 1, 0, 0) && check_matmul(129, 3, 1, 0, 0),
		"matmul mxk.kx1 (sgemv)");
	tap(check_matmul(1, 37, 9, 0, 0) && check_matmul(1, 2, 300, 0, 0),
		"matmul 1xk.kxn (sgemv, transposed)");
	tap(check_matmul(2, 3, 2, 0, 0) && check_matmul(17, 33, 19, 0, 0) &&
		check_matmul(64, 64, 64, 0, 0) && check_matmul(100, 50, 70, 0, 0),
		"matmul general shapes (sgemm), one panel, no callback");
	tap(check_matmul(3, 0, 4, 0, 0) && check_matmul(0, 5, 3, 0, 0) &&
		check_matmul(4, 5, 0, 0, 0),
		"matmul with an empty dimension (k == 0 gives zeros)");

	/* 256-row bands are wide enough: ceil(600/256) = 3 full-width panels */
	tap(check_matmul(600, 4, 8, 4 * 8 * 256, 2),
		"matmul sgemm in 3 row panels calls between_panels 2 times");
	/* 7-row bands are too thin: tiles of sqrt(4200/20) = 14 rows x 15 cols */
	tap(check_matmul(50, 20, 30, 20 * 30 * 7, 7),
		"matmul sgemm in 4x2 tiles calls between_panels 7 times");
	/* budget below one row: 1x1 tiles, still makes progress */
	tap(check_matmul(10, 20, 30, 1, 299),
		"matmul panel budget below one row uses 1x1 tiles (300 panels)");
	/* m == 1: bands of 13 rows of B (k), accumulated: ceil(100/13) = 8 */
	tap(check_matmul(1, 100, 10, 10 * 13, 7),
		"matmul 1xk.kxn split over k accumulates correctly (8 panels)");
	/* n == 1: bands of 9 rows of A: ceil(100/9) = 12 */
	tap(check_matmul(100, 10, 1, 10 * 9, 11),
		"matmul mxk.kx1 split over rows (12 panels)");
	/* default budget: 2^30 MACs; 2048x1024x1024 = 2^31 -> 2 panels */
	tap(check_matmul_rows(2048, 1024, 1024, 0, 1, 64),
		"matmul default panel size splits 2048x1024.1024x1024 in 2 panels");

	tap(check_matmul_cancel(),
		"matmul survives between_panels leaving by longjmp (cancel)");

	tap(linal_matmul(&dummy, &dummy, &dummy, (size_t) 1 << 31, 1, 1, NULL, NULL) == -1 &&
		linal_matmul(&dummy, &dummy, &dummy, 1, (size_t) 1 << 31, 2, NULL, NULL) == -1,
		"matmul refuses dimensions beyond the BLAS int");
}

/* --------------------------------------------------------- transpose */

static void
test_transpose(void)
{
	static const size_t shapes[][2] = {
		{0, 5}, {5, 0}, {1, 1}, {1, 37}, {37, 1}, {65, 130}, {32, 32}, {33, 31}, {64, 1}
	};
	bool		pass = true;
	size_t		s;

	diag_budget = 5;
	for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
	{
		size_t		rows = shapes[s][0];
		size_t		cols = shapes[s][1];
		Buf			in = buf_new(rows * cols);
		Buf			out = buf_new(rows * cols);
		size_t		i;
		size_t		j;

		fill(buf_odd(&in), rows * cols, 0);
		kernel_transpose_f32(buf_odd(&in), buf_odd(&out), rows, cols);
		for (i = 0; i < rows; i++)
		{
			for (j = 0; j < cols; j++)
			{
				if (!same_bits(buf_odd(&out)[j * rows + i], buf_odd(&in)[i * cols + j]))
				{
					pass = false;
					diag("transpose %zux%zu: out[%zu][%zu] wrong", rows, cols, j, i);
				}
			}
		}
		pass = pass && buf_sentinels_ok(&in) && buf_sentinels_ok(&out);
		buf_free(&in);
		buf_free(&out);
	}
	tap(pass, "transpose matches naive for 0x5, 1x1, 1x37, 37x1, 65x130, 33x31, ...");
}

/* ---------------------------------------------------------------- half */

/* a float in [-scale, scale) that is exactly a half (most of them normal) */
static float
rng_half_value(float scale)
{
	return linal_half_to_float(linal_float_to_half((rng_unit() * 2.0f - 1.0f) * scale));
}

/* h is the correctly rounded half of f: no neighbour is nearer, ties go to the even one */
static bool
half_is_nearest(float f, uint16_t h)
{
	double		got = linal_half_to_float(h);
	double		err = fabs((double) f - got);
	uint16_t	nb[2] = {(uint16_t) (h + 1), (uint16_t) (h - 1)};
	int			i;

	for (i = 0; i < 2; i++)
	{
		double		other;

		if ((h & 0x7fffu) == 0 && i == 1)
			continue;			/* below zero in magnitude is the other sign */
		if (!linal_half_is_finite(nb[i]))
			continue;
		other = linal_half_to_float(nb[i]);
		if (fabs((double) f - other) < err ||
			(fabs((double) f - other) == err && (h & 1u)))
			return false;
	}
	return true;
}

/*
 * The scalar conversions themselves (once): every half survives
 * half -> float -> half, and random floats over the whole half range
 * (subnormals and exact ties included) round to the nearest half.
 */
static void
test_half_conversions(void)
{
	bool		pass = true;
	uint32_t	h;
	int			i;

	for (h = 0; h <= 0xffffu; h++)
	{
		float		f = linal_half_to_float((uint16_t) h);

		if (isnan(f))
			pass = pass && linal_float_to_half(f) != 0 && !linal_half_is_finite(linal_float_to_half(f));
		else if (linal_float_to_half(f) != h)
		{
			pass = false;
			diag("half 0x%04x -> %g -> 0x%04x", h, f, linal_float_to_half(f));
		}
	}
	tap(pass, "half: all 65536 halves round-trip through float");

	pass = true;
	for (i = 0; i < 200000; i++)
	{
		/* magnitudes from 2^-26 to 2^16, plus exact midpoints between halves */
		float		f = ldexpf(rng_unit(), (int) (rng_next() % 43) - 26);
		uint16_t	got;

		if (i % 4 == 0)
		{
			uint16_t	base = (uint16_t) (rng_next() % 0x7bffu);

			f = (float) (((double) linal_half_to_float(base) +
						  (double) linal_half_to_float((uint16_t) (base + 1))) / 2.0);
		}
		if (i % 2)
			f = -f;
		got = linal_float_to_half(f);
		if (fabsf(f) >= 65520.0f)
			pass = pass && got == ((i % 2) ? 0xfc00u : 0x7c00u);
		else if (!half_is_nearest(f, got))
		{
			pass = false;
			diag("float %.9g -> half 0x%04x is not the nearest", f, got);
		}
	}
	pass = pass && linal_float_to_half(65504.0f) == 0x7bffu &&
		linal_float_to_half(65519.99f) == 0x7bffu &&
		linal_float_to_half(65520.0f) == 0x7c00u &&
		linal_float_to_half(-1e30f) == 0xfc00u &&
		linal_float_to_half(ldexpf(1.0f, -25)) == 0 &&
		linal_float_to_half(ldexpf(1.5f, -25)) == 1 &&
		linal_float_to_half(ldexpf(1.0f, -14)) == 0x0400u;
	tap(pass, "half: float -> half rounds to nearest even, overflows from 65520 on");
}

/*
 * One ISA's half kernels, n = 0..67 and the size ladder, through 2-byte
 * aligned pointers: conversions bit-exact vs scalar, the overflow verdict
 * of float_to_half, and distances bit-identical to the same table's float
 * kernels on the converted values (what makes halftensor agree with tensor).
 */
static void
test_half_kernels(const LinalKernels *k)
{
	const LinalKernels *s = linal_kernels_for(LINAL_ISA_SCALAR);
	uint16_t   *ha = malloc((MAX_N + 2) * sizeof(uint16_t));
	uint16_t   *hb = malloc((MAX_N + 2) * sizeof(uint16_t));
	uint16_t   *hc = malloc((MAX_N + 2) * sizeof(uint16_t));
	float	   *fa = malloc(MAX_N * sizeof(float));
	float	   *fb = malloc(MAX_N * sizeof(float));
	float	   *fc = malloc(MAX_N * sizeof(float));
	bool		conv_pass = true;
	bool		dist_pass = true;
	size_t		trial;

	for (trial = 0; trial < 68 + NSIZES; trial++)
	{
		size_t		n = trial < 68 ? trial : sizes[trial - 68];
		uint16_t   *a = ha + 1;		/* 2-byte aligned only */
		uint16_t   *b = hb + 1;
		size_t		i;
		float		got[3];
		float		want[3];
		bool		finite;

		for (i = 0; i < n; i++)
		{
			fa[i] = rng_half_value(trial % 3 == 0 ? 60000.0f : 4.0f);
			fb[i] = rng_half_value(4.0f);
			a[i] = linal_float_to_half(fa[i]);
			b[i] = linal_float_to_half(fb[i]);
		}
		ha[0] = hb[0] = ha[n + 1] = hb[n + 1] = 0xabcdu;

		/* conversions vs scalar, on unrounded floats */
		for (i = 0; i < n; i++)
			fc[i] = fa[i] * (1.0f + rng_unit() * 1e-3f);
		finite = k->float_to_half(fc, hc + 1, n);
		for (i = 0; i < n; i++)
			conv_pass = conv_pass && hc[i + 1] == linal_float_to_half(fc[i]);
		conv_pass = conv_pass && finite == s->float_to_half(fc, hc + 1, n);
		k->half_to_float(a, fc, n);
		for (i = 0; i < n; i++)
			conv_pass = conv_pass && same_bits(fc[i], fa[i]);
		if (n > 0)
		{
			/* one element beyond 65504 anywhere makes the verdict false */
			size_t		at = (size_t) (rng_next() % n);

			fc[at] = (trial % 2) ? -70000.0f : 65520.0f;
			conv_pass = conv_pass && !k->float_to_half(fc, hc + 1, n);
			fc[at] = 65504.0f;
			conv_pass = conv_pass && k->float_to_half(fc, hc + 1, n) == s->float_to_half(fc, hc + 1, n);
		}

		got[0] = k->half_dot(a, b, n);
		want[0] = k->dot(fa, fb, n);
		got[1] = k->half_l2_squared(a, b, n);
		want[1] = k->l2_squared(fa, fb, n);
		got[2] = k->half_l1(a, b, n);
		want[2] = k->l1(fa, fb, n);
		for (i = 0; i < 3; i++)
			if (!same_bits(got[i], want[i]))
			{
				dist_pass = false;
				diag("%s half %s n=%zu: %.9g, float kernel %.9g", k->name,
					 sim_names[i], n, got[i], want[i]);
			}
		k->half_cosine_parts(a, b, n, &got[0], &got[1], &got[2]);
		k->cosine_parts(fa, fb, n, &want[0], &want[1], &want[2]);
		for (i = 0; i < 3; i++)
			dist_pass = dist_pass && same_bits(got[i], want[i]);
		dist_pass = dist_pass && ha[0] == 0xabcdu && ha[n + 1] == 0xabcdu &&
			hb[0] == 0xabcdu && hb[n + 1] == 0xabcdu;
	}
	tap(conv_pass, "%s: half <-> float arrays equal scalar (n = 0..67, ladder), overflow verdict", k->name);
	tap(dist_pass, "%s: half dot/l2_squared/l1/cosine_parts equal the float kernels on converted values", k->name);
	free(ha);
	free(hb);
	free(hc);
	free(fa);
	free(fb);
	free(fc);
}

int
main(void)
{
	size_t		big_n = 3000017;
	float	   *big = malloc(big_n * sizeof(float));
	size_t		i;
	int			isa;

	/* large-n sums: wide magnitudes, offset so the sum is far from zero */
	if (!big)
	{
		fprintf(stderr, "out of memory\n");
		return 2;
	}
	for (i = 0; i < big_n; i++)
		big[i] = 0.25f + ldexpf(rng_unit(), (int) (rng_next() % 17) - 8);

	test_dispatch();
	test_half_conversions();

	for (isa = 0; isa < LINAL_ISA_COUNT; isa++)
	{
		const LinalKernels *k = linal_kernels_for((LinalIsa) isa);
		int			op;

		if (!k)
		{
			printf("# %s not supported by this CPU: skipped\n", linal_isa_name((LinalIsa) isa));
			continue;
		}
		for (op = SIM_DOT; op <= SIM_COSINE; op++)
			test_similarity(k, (SimOp) op);
		for (op = 0; op < NEWOPS; op++)
			test_elementwise(k, (EwOp) op);
		test_sums(k, big, big_n);
		test_min_max(k);
		test_batch(k);
		test_all_finite(k);
		test_guard_pages(k);
		test_half_kernels(k);
	}

	test_bit_dispatch();
	test_u8_kernels();
	{
		const LinalBitKernels *tested[LINAL_ISA_COUNT] = {NULL};

		for (isa = 0; isa < LINAL_ISA_COUNT; isa++)
		{
			const LinalBitKernels *bk = linal_bit_kernels_for((LinalIsa) isa);
			int			j;
			bool		seen = false;

			/* avx512 without VPOPCNTDQ reuses the avx2 table: test it once */
			for (j = 0; j < isa; j++)
				seen = seen || tested[j] == bk;
			tested[isa] = bk;
			if (bk && !seen)
				test_bit_kernels(bk);
		}
	}

	test_matmul();
	test_transpose();

	free(big);
	printf("1..%d\n", tests_run);
	if (tests_failed)
		printf("# %d of %d tests failed\n", tests_failed, tests_run);
	return tests_failed ? 1 : 0;
}
