/*-------------------------------------------------------------------------
 *
 * icount_kernels.c
 *	  Fixed work for counting instructions under callgrind: each kernel of
 *	  each kernel family on fixed data, and the two parsers.  The counts are
 *	  deterministic (same binary, same inputs), so CI can compare them with
 *	  a committed baseline and catch a slowdown without timing anything.
 *
 * Every region is bracketed by CALLGRIND_ZERO_STATS and
 * CALLGRIND_DUMP_STATS_AT("<name>"); bench/icount/run reads the dumps.
 * Outside valgrind the requests are no-ops and the program just runs.
 * Valgrind does not emulate AVX-512, so under it the CPU reports AVX2 at
 * most and only scalar and avx2 regions exist.
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/callgrind.h>

#include "../../src/kernels/kernels.h"
#include "../../src/types/tensor_parse.h"

#define DIM 768
#define BATCH_ROWS 256
#define REPEAT 64

static float a[DIM];
static float b[DIM];
static float out[DIM];
static float rows[BATCH_ROWS * DIM];
static const float *row_ptrs[BATCH_ROWS];
static float scores[BATCH_ROWS];
static volatile float sink_f;
static volatile double sink_d;

static void
fill(void)
{
	uint32_t	x = 12345;
	size_t		i;

	for (i = 0; i < DIM; i++)
	{
		x = x * 1664525u + 1013904223u;
		a[i] = (float) (x >> 8) / 16777216.0f - 0.5f;
		x = x * 1664525u + 1013904223u;
		b[i] = (float) (x >> 8) / 16777216.0f - 0.5f;
	}
	for (i = 0; i < BATCH_ROWS * DIM; i++)
	{
		x = x * 1664525u + 1013904223u;
		rows[i] = (float) (x >> 8) / 16777216.0f - 0.5f;
	}
	for (i = 0; i < BATCH_ROWS; i++)
		row_ptrs[i] = rows + i * DIM;
}

static void
region_end(const char *kernel, const char *isa)
{
	char		name[64];

	snprintf(name, sizeof(name), "kernel.%s.%s", kernel, isa);
	CALLGRIND_DUMP_STATS_AT(name);
}

static void
count_family(const LinalKernels *k)
{
	float		f1;
	float		f2;
	float		f3;
	int			r;

	CALLGRIND_ZERO_STATS;
	for (r = 0; r < REPEAT; r++)
		sink_f = k->dot(a, b, DIM);
	region_end("dot", k->name);

	CALLGRIND_ZERO_STATS;
	for (r = 0; r < REPEAT; r++)
		sink_f = k->l2_squared(a, b, DIM);
	region_end("l2_squared", k->name);

	CALLGRIND_ZERO_STATS;
	for (r = 0; r < REPEAT; r++)
		sink_f = k->l1(a, b, DIM);
	region_end("l1", k->name);

	CALLGRIND_ZERO_STATS;
	for (r = 0; r < REPEAT; r++)
	{
		k->cosine_parts(a, b, DIM, &f1, &f2, &f3);
		sink_f = f1 + f2 + f3;
	}
	region_end("cosine_parts", k->name);

	CALLGRIND_ZERO_STATS;
	for (r = 0; r < REPEAT; r++)
		k->add(a, b, out, DIM);
	region_end("add", k->name);

	CALLGRIND_ZERO_STATS;
	for (r = 0; r < REPEAT; r++)
		k->mul_scalar(a, 1.5f, out, DIM);
	region_end("mul_scalar", k->name);

	CALLGRIND_ZERO_STATS;
	for (r = 0; r < REPEAT; r++)
		sink_d = k->sum(a, DIM);
	region_end("sum", k->name);

	CALLGRIND_ZERO_STATS;
	for (r = 0; r < REPEAT; r++)
	{
		k->min_max(a, DIM, &f1, &f2);
		sink_f = f1 + f2;
	}
	region_end("min_max", k->name);

	CALLGRIND_ZERO_STATS;
	k->l2_squared_batch(a, row_ptrs, DIM, BATCH_ROWS, scores);
	region_end("l2_squared_batch", k->name);

	CALLGRIND_ZERO_STATS;
	k->dot_batch(a, row_ptrs, DIM, BATCH_ROWS, scores);
	region_end("dot_batch", k->name);
}

static void
count_parsers(void)
{
	char	   *text = malloc(DIM * 16 + 3);
	char	   *p = text;
	unsigned char *binary = malloc(4 + 4 + DIM * 4);
	float	   *data = malloc(DIM * sizeof(float));
	TensorShapeInfo shape;
	TensorParseError err;
	size_t		i;
	int			r;

	*p++ = '[';
	for (i = 0; i < DIM; i++)
		p += sprintf(p, i ? ",%.9g" : "%.9g", a[i]);
	*p++ = ']';
	*p = '\0';

	CALLGRIND_ZERO_STATS;
	for (r = 0; r < 8; r++)
	{
		if (tensor_text_scan(text, &shape, &err) != TENSOR_PARSE_OK ||
			tensor_text_read(text, &shape, data, &err) != TENSOR_PARSE_OK)
			abort();
	}
	CALLGRIND_DUMP_STATS_AT("parse.text.768");

	memset(binary, 0, 8);
	binary[1] = 1;
	binary[6] = DIM >> 8;
	binary[7] = DIM & 0xff;
	for (i = 0; i < DIM; i++)
	{
		uint32_t	bits;

		memcpy(&bits, &a[i], 4);
		binary[8 + 4 * i] = bits >> 24;
		binary[9 + 4 * i] = bits >> 16;
		binary[10 + 4 * i] = bits >> 8;
		binary[11 + 4 * i] = bits;
	}
	CALLGRIND_ZERO_STATS;
	for (r = 0; r < 8; r++)
	{
		if (tensor_binary_scan(binary, 8 + DIM * 4, &shape, &err) != TENSOR_PARSE_OK ||
			tensor_binary_read(binary, 8 + DIM * 4, &shape, data, &err) != TENSOR_PARSE_OK)
			abort();
	}
	CALLGRIND_DUMP_STATS_AT("parse.binary.768");

	free(text);
	free(binary);
	free(data);
}

int
main(void)
{
	int			isa;

	fill();
	for (isa = 0; isa < LINAL_ISA_COUNT; isa++)
	{
		const LinalKernels *k = linal_kernels_for((LinalIsa) isa);

		if (k != NULL)
			count_family(k);
	}
	count_parsers();
	return 0;
}
