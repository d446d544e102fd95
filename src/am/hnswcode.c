/*-------------------------------------------------------------------------
 *
 * hnswcode.c
 *	  linal_hnsw: the formats of the codes an element holds -- float4 for
 *	  tensor keys, float16 for halftensor keys, bit for bit keys -- how a
 *	  key or a query becomes a code, and one distance function per
 *	  (format, metric), chosen once when the index is opened.
 *
 * Every reader of an indexed value checks its element type: a halftensor
 * where a tensor is expected (or the other way round) is an error, never
 * a misread.  Distances of float4 codes are the kernels' float sums taken
 * to double, as they were before formats (the build's graph narrows them
 * back to float, the same value).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/varbit.h"

#include "algebra/algebra.h"
#include "am/hnsw.h"
#include "kernels/bits.h"
#include "kernels/kernels.h"
#include "types/tensor.h"

/* ---- float4 ---- */

static double
float4_l2(const void *a, const void *b, int bytes)
{
	return (double) linal_kernels->l2_squared(a, b, bytes / sizeof(float));
}

static double
float4_dot(const void *a, const void *b, int bytes)
{
	return (double) linal_kernels->dot(a, b, bytes / sizeof(float));
}

static double
float4_cosine(const void *a, const void *b, int bytes)
{
	return 1.0 - (double) linal_kernels->dot(a, b, bytes / sizeof(float));
}

static double
float4_neg_ip(const void *a, const void *b, int bytes)
{
	return -(double) linal_kernels->dot(a, b, bytes / sizeof(float));
}

static double
float4_l1(const void *a, const void *b, int bytes)
{
	return (double) linal_kernels->l1(a, b, bytes / sizeof(float));
}

/* ---- float16 ---- */

static double
float16_l2(const void *a, const void *b, int bytes)
{
	return (double) linal_half_l2sq(a, b, bytes / sizeof(uint16));
}

static double
float16_dot(const void *a, const void *b, int bytes)
{
	return (double) linal_half_dot(a, b, bytes / sizeof(uint16));
}

static double
float16_cosine(const void *a, const void *b, int bytes)
{
	return 1.0 - (double) linal_half_dot(a, b, bytes / sizeof(uint16));
}

static double
float16_neg_ip(const void *a, const void *b, int bytes)
{
	return -(double) linal_half_dot(a, b, bytes / sizeof(uint16));
}

static double
float16_l1(const void *a, const void *b, int bytes)
{
	return (double) linal_half_l1(a, b, bytes / sizeof(uint16));
}

/* ---- bit ---- */

static double
bit_hamming(const void *a, const void *b, int bytes)
{
	return (double) linal_bits_hamming(a, b, bytes);
}

static double
bit_jaccard(const void *a, const void *b, int bytes)
{
	return linal_bits_jaccard(a, b, bytes);
}

/* The format of the keys of an opclass's type; -1 for a type linal_hnsw does not index. */
HnswFormat
hnsw_format_of_type(Oid typid)
{
	HeapTuple	tuple;
	const char *name;
	int			format = -1;

	if (typid == BITOID)
		return LINAL_HNSW_FORMAT_BIT;
	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tuple))
		return (HnswFormat) -1;
	name = NameStr(((Form_pg_type) GETSTRUCT(tuple))->typname);
	if (strcmp(name, "tensor") == 0)
		format = LINAL_HNSW_FORMAT_FLOAT4;
	else if (strcmp(name, "halftensor") == 0)
		format = LINAL_HNSW_FORMAT_FLOAT16;
	ReleaseSysCache(tuple);
	return (HnswFormat) format;
}

const char *
hnsw_format_name(HnswFormat format)
{
	switch (format)
	{
		case LINAL_HNSW_FORMAT_FLOAT4:
			return "float4";
		case LINAL_HNSW_FORMAT_FLOAT16:
			return "float16";
		case LINAL_HNSW_FORMAT_BIT:
			return "bit";
	}
	return "unknown";
}

int
hnsw_code_bytes(HnswFormat format, int dimensions)
{
	switch (format)
	{
		case LINAL_HNSW_FORMAT_FLOAT4:
			return dimensions * (int) sizeof(float);
		case LINAL_HNSW_FORMAT_FLOAT16:
			return dimensions * (int) sizeof(uint16);
		case LINAL_HNSW_FORMAT_BIT:
			return (dimensions + 7) / 8;
	}
	elog(ERROR, "linal_hnsw: unknown format %d", (int) format);
	return 0;
}

/* The distance of (format, kind), or NULL when the format has no such metric. */
HnswCodeDistance
hnsw_code_distance(HnswFormat format, LinalDistance kind)
{
	static const HnswCodeDistance float4[] = {
		[LINAL_DISTANCE_L2] = float4_l2,
		[LINAL_DISTANCE_COSINE] = float4_cosine,
		[LINAL_DISTANCE_NEG_IP] = float4_neg_ip,
		[LINAL_DISTANCE_L1] = float4_l1,
		[LINAL_DISTANCE_JACCARD] = NULL,
	};
	static const HnswCodeDistance float16[] = {
		[LINAL_DISTANCE_L2] = float16_l2,
		[LINAL_DISTANCE_COSINE] = float16_cosine,
		[LINAL_DISTANCE_NEG_IP] = float16_neg_ip,
		[LINAL_DISTANCE_L1] = float16_l1,
		[LINAL_DISTANCE_JACCARD] = NULL,
	};
	static const HnswCodeDistance bit[] = {
		[LINAL_DISTANCE_HAMMING] = bit_hamming,
		[LINAL_DISTANCE_JACCARD] = bit_jaccard,
	};

	if (kind <= LINAL_DISTANCE_NONE || kind > LINAL_DISTANCE_JACCARD)
		return NULL;
	switch (format)
	{
		case LINAL_HNSW_FORMAT_FLOAT4:
			return float4[kind];
		case LINAL_HNSW_FORMAT_FLOAT16:
			return float16[kind];
		case LINAL_HNSW_FORMAT_BIT:
			return bit[kind];
	}
	return NULL;
}

/*
 * The additive part of the distance of (format, kind), for a code split
 * over pages: the sum over runs, then hnsw_code_finish.  Bit codes are
 * never split (HNSW_MAX_BITS).
 */
HnswCodeDistance
hnsw_code_sum(HnswFormat format, LinalDistance kind)
{
	bool		dot = kind == LINAL_DISTANCE_COSINE || kind == LINAL_DISTANCE_NEG_IP;

	if (format == LINAL_HNSW_FORMAT_FLOAT4)
		return dot ? float4_dot : hnsw_code_distance(format, kind);
	if (format == LINAL_HNSW_FORMAT_FLOAT16)
		return dot ? float16_dot : hnsw_code_distance(format, kind);
	elog(ERROR, "linal_hnsw: %s codes are never split", hnsw_format_name(format));
	return NULL;
}

double
hnsw_code_finish(LinalDistance kind, double sum)
{
	if (kind == LINAL_DISTANCE_COSINE)
		return 1.0 - sum;
	if (kind == LINAL_DISTANCE_NEG_IP)
		return -sum;
	return sum;
}

/* Set hi's format and dimensions, and what follows from them. */
void
hnsw_set_format(HnswIndex *hi, HnswFormat format, int dimensions)
{
	hi->format = format;
	hi->dimensions = dimensions;
	hi->code_bytes = hnsw_code_bytes(format, dimensions);
	hi->distance = hnsw_code_distance(format, hi->kind);
	if (hi->distance == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("linal_hnsw index \"%s\" of %s codes has no %s distance",
						RelationGetRelationName(hi->index), hnsw_format_name(format),
						linal_distance_name(hi->kind))));
}

/*
 * Read an indexed value (a key, or a query) of hi's key type, checking
 * that its bytes are what its header says.  A tensor or halftensor of
 * rank other than 1 is for the caller to refuse (v->rank).
 */
void
hnsw_value_read(HnswIndex *hi, Datum value, HnswValue *v)
{
	if (hi->format == LINAL_HNSW_FORMAT_BIT)
	{
		VarBit	   *b = DatumGetVarBitP(value);

		if (VARBITLEN(b) < 0 || VARBITBYTES(b) < (VARBITLEN(b) + 7) / 8)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("bit value of %d bits has only %d bytes",
							VARBITLEN(b), (int) VARBITBYTES(b))));
		v->dimensions = VARBITLEN(b);
		v->rank = 1;
		v->dims = NULL;
		v->data = VARBITS(b);
		return;
	}
	else
	{
		/* the element type, rank, dims and size agree, or an error */
		Tensor	   *t = tensor_check_value((Tensor *) PG_DETOAST_DATUM(value),
										   hi->format == LINAL_HNSW_FORMAT_FLOAT16 ?
										   LINAL_ELEM_FLOAT16 : LINAL_ELEM_FLOAT4);

		v->rank = t->ndim;
		v->dims = t->dims;
		v->data = (char *) t + TENSOR_HEADER_BYTES(t->ndim);
		v->dimensions = t->ndim == 1 ? t->dims[0] : 0;
	}
}

/*
 * The code of v (of hi's dimensions) into code (hi->code_bytes): false
 * when the value is not indexed (no direction under cosine).
 */
bool
hnsw_value_encode(HnswIndex *hi, const HnswValue *v, void *code)
{
	int			dim = hi->dimensions;

	Assert(v->dimensions == dim);
	switch (hi->format)
	{
		case LINAL_HNSW_FORMAT_FLOAT4:
			if (hi->kind == LINAL_DISTANCE_COSINE)
			{
				/* in double: a float4's square neither overflows nor underflows there */
				double		norm = sqrt(linal_kernels->sum_squares(v->data, dim));

				if (norm == 0.0 || !isfinite(norm))
					return false;
				algebra_divide_by_norm(v->data, norm, code, dim);
				return true;
			}
			memcpy(code, v->data, hi->code_bytes);
			return true;
		case LINAL_HNSW_FORMAT_FLOAT16:
			if (hi->kind == LINAL_DISTANCE_COSINE)
			{
				/* normalised in float, then rounded to float16 */
				float	   *f = palloc(sizeof(float) * Max(dim, 1));
				double		norm;

				linal_half_to_float_array(v->data, f, dim);
				norm = sqrt(linal_kernels->sum_squares(f, dim));
				if (norm == 0.0 || !isfinite(norm))
				{
					pfree(f);
					return false;
				}
				algebra_divide_by_norm(f, norm, f, dim);
				/* a unit vector's elements are at most 1: always finite */
				(void) linal_float_to_half_array(f, code, dim);
				pfree(f);
				return true;
			}
			memcpy(code, v->data, hi->code_bytes);
			return true;
		case LINAL_HNSW_FORMAT_BIT:
			memcpy(code, v->data, hi->code_bytes);
			/* the bits past the length never count, whatever the value held */
			if (dim % 8 != 0)
				((uint8 *) code)[hi->code_bytes - 1] &= (uint8) (0xFF << (8 - dim % 8));
			return true;
	}
	return false;
}

/*
 * For linal_index_check: whether a run of a code is finite, and its sum of
 * squares (of the floats it holds; 0 for bits)
 */
void
hnsw_code_stats(HnswFormat format, const void *code, int bytes, bool *finite,
				double *sum_squares)
{
	*finite = true;
	*sum_squares = 0.0;
	if (format == LINAL_HNSW_FORMAT_FLOAT4)
	{
		*finite = linal_kernels->all_finite(code, bytes / sizeof(float));
		if (*finite)
			*sum_squares = linal_kernels->sum_squares(code, bytes / sizeof(float));
	}
	else if (format == LINAL_HNSW_FORMAT_FLOAT16)
	{
		/* in float chunks: a run is at most a page */
		const uint16 *h = code;
		int			n = bytes / (int) sizeof(uint16);
		float		f[256];
		int			i;

		for (i = 0; i < n; i += lengthof(f))
		{
			int			chunk = Min(n - i, (int) lengthof(f));

			linal_half_to_float_array(h + i, f, chunk);
			if (!linal_kernels->all_finite(f, chunk))
			{
				*finite = false;
				*sum_squares = 0.0;
				return;
			}
			*sum_squares += linal_kernels->sum_squares(f, chunk);
		}
	}
}
