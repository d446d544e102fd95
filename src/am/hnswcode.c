/*-------------------------------------------------------------------------
 *
 * hnswcode.c
 *	  linal_hnsw: the formats of the codes an element holds -- float4 for
 *	  tensor keys, float16 for halftensor keys, bit for bit keys -- how a
 *	  key or a query becomes a code, and one distance function per
 *	  (format, metric), chosen once when the index is opened; and int8,
 *	  the quantized codes of tensor and halftensor keys WITH
 *	  (quantization = 'int8'), with the lower bound of the true distance
 *	  a scan re-ranks by; and binary, their signs (quantization = 'binary');
 *	  and sparse, the non-zeros of sparsetensor keys, the one format whose
 *	  codes have sizes of their own (hnsw.h).
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

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/varbit.h"

#include "algebra/algebra.h"
#include "am/hnsw.h"
#include "kernels/bits.h"
#include "kernels/kernels.h"
#include "kernels/u8.h"
#include "types/sparsetensor.h"
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

/* ---- sparse: the merge walk of sparsetensor's operators ---- */

static inline float
sparse_sum(const void *a, const void *b, AlgebraSparseSum what)
{
	return algebra_sparse_merge_sum((int32) HNSW_SPARSE_NNZ(a), HNSW_SPARSE_INDICES(a),
									HNSW_SPARSE_VALUES(a),
									(int32) HNSW_SPARSE_NNZ(b), HNSW_SPARSE_INDICES(b),
									HNSW_SPARSE_VALUES(b), what);
}

static double
sparse_l2(const void *a, const void *b, int bytes)
{
	return (double) sparse_sum(a, b, ALGEBRA_SPARSE_L2_SQUARED);
}

static double
sparse_cosine(const void *a, const void *b, int bytes)
{
	return 1.0 - (double) sparse_sum(a, b, ALGEBRA_SPARSE_DOT);
}

static double
sparse_neg_ip(const void *a, const void *b, int bytes)
{
	return -(double) sparse_sum(a, b, ALGEBRA_SPARSE_DOT);
}

static double
sparse_l1(const void *a, const void *b, int bytes)
{
	return (double) sparse_sum(a, b, ALGEBRA_SPARSE_L1);
}

/* ---- int8 ---- */

#define INT8_CODES(code) ((const uint8 *) (code) + sizeof(HnswInt8Header))
#define INT8_DIM(bytes) ((bytes) - (int) sizeof(HnswInt8Header))

/* x^ . y^ of two int8 codes of n dimensions, from their sums and one integer dot */
static double
int8_code_dot(const void *a, const void *b, int n)
{
	const HnswInt8Header *ha = a;
	const HnswInt8Header *hb = b;
	double		dot = (double) linal_u8_dot(INT8_CODES(a), INT8_CODES(b), n);

	return (double) n * ha->lo * hb->lo +
		(double) ha->lo * hb->step * hb->sum +
		(double) hb->lo * ha->step * ha->sum +
		(double) ha->step * hb->step * dot;
}

/*
 * ||x^ - y^||^2 = sum (dlo + sa c_i - sb d_i)^2, expanded: the code sums
 * are exact integers, so nothing depends on how far the vectors are from 0
 */
static double
int8_l2(const void *a, const void *b, int bytes)
{
	const HnswInt8Header *ha = a;
	const HnswInt8Header *hb = b;
	int			n = INT8_DIM(bytes);
	double		dlo = (double) ha->lo - (double) hb->lo;
	double		sa = ha->step;
	double		sb = hb->step;
	double		dot = (double) linal_u8_dot(INT8_CODES(a), INT8_CODES(b), n);
	double		d;

	d = (double) n * dlo * dlo + sa * sa * ha->sum_squares + sb * sb * hb->sum_squares +
		2.0 * dlo * (sa * ha->sum - sb * hb->sum) - 2.0 * sa * sb * dot;
	return Max(d, 0.0);
}

static double
int8_cosine(const void *a, const void *b, int bytes)
{
	return 1.0 - int8_code_dot(a, b, INT8_DIM(bytes));
}

static double
int8_neg_ip(const void *a, const void *b, int bytes)
{
	return -int8_code_dot(a, b, INT8_DIM(bytes));
}

static double
int8_l1(const void *a, const void *b, int bytes)
{
	const HnswInt8Header *ha = a;
	const HnswInt8Header *hb = b;
	const uint8 *ca = INT8_CODES(a);
	const uint8 *cb = INT8_CODES(b);
	int			n = INT8_DIM(bytes);
	double		dlo = (double) ha->lo - (double) hb->lo;
	double		sa = ha->step;
	double		sb = hb->step;
	double		sum = 0.0;
	int			i;

	for (i = 0; i < n; i++)
		sum += fabs(dlo + sa * ca[i] - sb * cb[i]);
	return sum;
}

static const char *int8_stats(const void *code, int bytes, bool *finite, double *sum_squares);

/* x^_i of an int8 code, in double: how both the encoder and the bound see it */
static inline double
int8_value(const HnswInt8Header *h, uint8 c)
{
	return (double) h->lo + (double) h->step * c;
}

/*
 * The int8 code of x (n floats, finite): lo and step of x's own min and
 * max, each element rounded to the nearest of 256 levels, and the
 * residual ||x - x^|| (its L1 norm when l1), rounded up to a float.
 */
static void
int8_encode(const float *x, int n, bool l1, void *code)
{
	HnswInt8Header *h = code;
	uint8	   *c = (uint8 *) code + sizeof(HnswInt8Header);
	float		min = x[0];
	float		max = x[0];
	uint32		sum = 0;
	uint32		sum_squares = 0;
	double		err = 0.0;
	double		residual;
	float		residual_f;
	int			i;

	for (i = 1; i < n; i++)
	{
		min = Min(min, x[i]);
		max = Max(max, x[i]);
	}
	h->lo = min;
	/* in double: max - min of finite floats may pass FLT_MAX, its 255th does not */
	h->step = (float) (((double) max - (double) min) / 255.0);
	h->unused = 0;
	for (i = 0; i < n; i++)
	{
		int			q = 0;
		double		e;

		if (h->step > 0.0f)
		{
			double		t = rint(((double) x[i] - (double) min) / (double) h->step);

			q = t <= 0.0 ? 0 : t >= 255.0 ? 255 : (int) t;
		}
		c[i] = (uint8) q;
		sum += (uint32) q;
		sum_squares += (uint32) (q * q);
		e = (double) x[i] - int8_value(h, c[i]);
		err += l1 ? fabs(e) : e * e;
	}
	h->sum = sum;
	h->sum_squares = sum_squares;
	/* a hair up for the rounding of the sum in double, then up to a float */
	residual = (l1 ? err : sqrt(err)) * (1.0 + 1e-12);
	residual_f = (float) residual;
	if ((double) residual_f < residual)
		residual_f = nextafterf(residual_f, INFINITY);
	h->residual = residual_f;
}

/* ---- binary ---- */

#define BINARY_BITS(code) ((const uint8 *) (code) + sizeof(HnswBinaryHeader))

/* x^ . y^ = sa sb (n - 2 h): agreeing signs add, differing ones subtract */
static double
binary_code_dot(const void *a, const void *b, int bytes, double *hamming)
{
	const HnswBinaryHeader *ha = a;
	const HnswBinaryHeader *hb = b;
	double		h = (double) linal_bits_hamming(BINARY_BITS(a), BINARY_BITS(b),
											   bytes - (int) sizeof(HnswBinaryHeader));

	if (hamming != NULL)
		*hamming = h;
	return (double) ha->scale * hb->scale * ((double) ha->dims - 2.0 * h);
}

static double
binary_l2(const void *a, const void *b, int bytes)
{
	const HnswBinaryHeader *ha = a;
	const HnswBinaryHeader *hb = b;
	double		d = (double) ha->dims * ((double) ha->scale * ha->scale + (double) hb->scale * hb->scale) -
		2.0 * binary_code_dot(a, b, bytes, NULL);

	return Max(d, 0.0);
}

static double
binary_cosine(const void *a, const void *b, int bytes)
{
	return 1.0 - binary_code_dot(a, b, bytes, NULL);
}

static double
binary_neg_ip(const void *a, const void *b, int bytes)
{
	return -binary_code_dot(a, b, bytes, NULL);
}

/* agreeing signs differ by |sa - sb|, differing ones by sa + sb */
static double
binary_l1(const void *a, const void *b, int bytes)
{
	const HnswBinaryHeader *ha = a;
	const HnswBinaryHeader *hb = b;
	double		h;

	(void) binary_code_dot(a, b, bytes, &h);
	return ((double) ha->dims - h) * fabs((double) ha->scale - hb->scale) +
		h * ((double) ha->scale + hb->scale);
}

/* The binary code of x (n floats, finite): its signs and mean magnitude. */
static void
binary_encode(const float *x, int n, void *code)
{
	HnswBinaryHeader *h = code;
	uint8	   *bits = (uint8 *) code + sizeof(HnswBinaryHeader);
	double		sum = 0.0;
	int			i;

	memset(bits, 0, (n + 7) / 8);
	for (i = 0; i < n; i++)
	{
		sum += fabs((double) x[i]);
		if (x[i] > 0.0f)
			bits[i / 8] |= (uint8) (0x80 >> (i % 8));
	}
	h->scale = (float) (sum / Max(n, 1));
	h->dims = (uint32) n;
}

/* ---- a float vector against an int8 code ---- */

/*
 * The distance of a vector in floats to an int8 code, without quantizing
 * the vector: what an insert measures from the new row (hnswinsert.c),
 * whose floats it has, to the elements on the pages, whose codes are all
 * there is.  The code is decoded a run at a time into the values x^_i it
 * stands for (in float, linal_u8_decode) and each run goes to the float
 * kernels, so only one side carries a quantization error.  The vector is the key's floats
 * (of the unit vector under cosine, as the code's are: hnsw_value_floats).
 */
#define INT8_DECODE_RUN 256

typedef float (*FloatKernel) (const float *a, const float *b, size_t n);

static double
int8_float_sum(const float *x, const void *code, int bytes, FloatKernel kernel)
{
	const HnswInt8Header *h = code;
	const uint8 *c = INT8_CODES(code);
	int			dims = INT8_DIM(bytes);
	float		run[INT8_DECODE_RUN];
	double		sum = 0.0;
	int			start;

	for (start = 0; start < dims; start += INT8_DECODE_RUN)
	{
		int			n = Min(dims - start, INT8_DECODE_RUN);

		linal_u8_decode(c + start, h->lo, h->step, run, n);
		sum += (double) kernel(x + start, run, n);
	}
	return sum;
}

static double
int8_float_l2(const void *x, const void *code, int bytes)
{
	return int8_float_sum(x, code, bytes, linal_kernels->l2_squared);
}

static double
int8_float_cosine(const void *x, const void *code, int bytes)
{
	return 1.0 - int8_float_sum(x, code, bytes, linal_kernels->dot);
}

static double
int8_float_neg_ip(const void *x, const void *code, int bytes)
{
	return -int8_float_sum(x, code, bytes, linal_kernels->dot);
}

static double
int8_float_l1(const void *x, const void *code, int bytes)
{
	return int8_float_sum(x, code, bytes, linal_kernels->l1);
}

/*
 * The distance of (floats, int8 code) under kind, with the code's size as
 * bytes, or NULL when format is not int8 or has no such metric
 */
HnswCodeDistance
hnsw_float_code_distance(HnswFormat format, LinalDistance kind)
{
	static const HnswCodeDistance int8[] = {
		[LINAL_DISTANCE_L2] = int8_float_l2,
		[LINAL_DISTANCE_COSINE] = int8_float_cosine,
		[LINAL_DISTANCE_NEG_IP] = int8_float_neg_ip,
		[LINAL_DISTANCE_L1] = int8_float_l1,
		[LINAL_DISTANCE_JACCARD] = NULL,
	};

	if (kind <= LINAL_DISTANCE_NONE || kind > LINAL_DISTANCE_JACCARD ||
		format != LINAL_HNSW_FORMAT_INT8)
		return NULL;
	return int8[kind];
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
	else if (strcmp(name, "sparsetensor") == 0)
		format = LINAL_HNSW_FORMAT_SPARSE;
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
		case LINAL_HNSW_FORMAT_INT8:
			return "int8";
		case LINAL_HNSW_FORMAT_BINARY:
			return "binary";
		case LINAL_HNSW_FORMAT_SPARSE:
			return "sparse";
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
		case LINAL_HNSW_FORMAT_INT8:
			return (int) sizeof(HnswInt8Header) + dimensions;
		case LINAL_HNSW_FORMAT_BINARY:
			return (int) sizeof(HnswBinaryHeader) + (dimensions + 7) / 8;
		case LINAL_HNSW_FORMAT_SPARSE:
			/* the largest; each code has its own (hnsw_code_size) */
			return HNSW_SPARSE_CODE_BYTES(HNSW_SPARSE_MAX_NNZ);
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
	static const HnswCodeDistance int8[] = {
		[LINAL_DISTANCE_L2] = int8_l2,
		[LINAL_DISTANCE_COSINE] = int8_cosine,
		[LINAL_DISTANCE_NEG_IP] = int8_neg_ip,
		[LINAL_DISTANCE_L1] = int8_l1,
		[LINAL_DISTANCE_JACCARD] = NULL,
	};
	static const HnswCodeDistance binary[] = {
		[LINAL_DISTANCE_L2] = binary_l2,
		[LINAL_DISTANCE_COSINE] = binary_cosine,
		[LINAL_DISTANCE_NEG_IP] = binary_neg_ip,
		[LINAL_DISTANCE_L1] = binary_l1,
		[LINAL_DISTANCE_JACCARD] = NULL,
	};
	static const HnswCodeDistance sparse[] = {
		[LINAL_DISTANCE_L2] = sparse_l2,
		[LINAL_DISTANCE_COSINE] = sparse_cosine,
		[LINAL_DISTANCE_NEG_IP] = sparse_neg_ip,
		[LINAL_DISTANCE_L1] = sparse_l1,
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
		case LINAL_HNSW_FORMAT_INT8:
			return int8[kind];
		case LINAL_HNSW_FORMAT_BINARY:
			return binary[kind];
		case LINAL_HNSW_FORMAT_SPARSE:
			return sparse[kind];
	}
	return NULL;
}

/*
 * The additive part of the distance of (format, kind), for a code split
 * over pages: the sum over runs, then hnsw_code_finish.  Bit codes are
 * never split (HNSW_MAX_BITS), nor are int8 codes (HNSW_INT8_MAX_DIM).
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
	hi->code_bytes_mean = format == LINAL_HNSW_FORMAT_SPARSE ?
		HNSW_SPARSE_CODE_BYTES(HNSW_SPARSE_GUESS_NNZ) : hi->code_bytes;
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
	if (hi->key_format == LINAL_HNSW_FORMAT_SPARSE)
	{
		/* the header agrees with the size, or an error */
		SparseTensor *s = DatumGetSparseTensorP(value);

		v->dimensions = s->dim;
		v->nnz = s->nnz;
		v->rank = 1;
		v->dims = NULL;
		v->data = s;
		return;
	}
	v->nnz = 0;
	if (hi->key_format == LINAL_HNSW_FORMAT_BIT)
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
										   hi->key_format == LINAL_HNSW_FORMAT_FLOAT16 ?
										   LINAL_ELEM_FLOAT16 : LINAL_ELEM_FLOAT4);

		v->rank = t->ndim;
		v->dims = t->dims;
		v->data = (char *) t + TENSOR_HEADER_BYTES(t->ndim);
		v->dimensions = t->ndim == 1 ? t->dims[0] : 0;
	}
}

/*
 * x / ||x|| into out (may be x), the norm in double (a float4's square
 * neither overflows nor underflows there); false when x has no direction
 */
static bool
normalise(const float *x, float *out, int dim)
{
	double		norm = sqrt(linal_kernels->sum_squares(x, dim));

	if (norm == 0.0 || !isfinite(norm))
		return false;
	algebra_divide_by_norm(x, norm, out, dim);
	return true;
}

/*
 * The bytes of v's code: hi->code_bytes, but a sparse value's own (a
 * query's may have more non-zeros than a key's HNSW_SPARSE_MAX_NNZ).
 */
int
hnsw_value_code_bytes(const HnswIndex *hi, const HnswValue *v)
{
	if (hi->format != LINAL_HNSW_FORMAT_SPARSE)
		return hi->code_bytes;
	return HNSW_SPARSE_CODE_BYTES(v->nnz);
}

/*
 * A sparse value's code: nnz, indices, values; under cosine the values of
 * the unit vector, divided by the norm as the float4 format's are (zeros
 * are not stored, so the norm and the quotients are those of the dense
 * vector): false for the zero vector, which has no direction.
 */
static bool
sparse_encode(const HnswIndex *hi, const HnswValue *v, void *code)
{
	const SparseTensor *s = v->data;
	const float *values = SPARSETENSOR_VALUES(s);
	int32	   *indices = (int32 *) ((char *) code + sizeof(uint32));
	float	   *out = (float *) (indices + s->nnz);

	*(uint32 *) code = (uint32) s->nnz;
	memcpy(indices, s->indices, sizeof(int32) * (Size) s->nnz);
	if (hi->kind == LINAL_DISTANCE_COSINE)
		return s->nnz > 0 && normalise(values, out, s->nnz);
	memcpy(out, values, sizeof(float) * (Size) s->nnz);
	return true;
}

/*
 * The code of v (of hi's dimensions) into code (hnsw_value_code_bytes):
 * false when the value is not indexed (no direction under cosine).
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
				return normalise(v->data, code, dim);
			memcpy(code, v->data, hi->code_bytes);
			return true;
		case LINAL_HNSW_FORMAT_FLOAT16:
			if (hi->kind == LINAL_DISTANCE_COSINE)
			{
				/* normalised in float, then rounded to float16 */
				float	   *f = palloc(sizeof(float) * Max(dim, 1));

				linal_half_to_float_array(v->data, f, dim);
				if (!normalise(f, f, dim))
				{
					pfree(f);
					return false;
				}
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
		case LINAL_HNSW_FORMAT_INT8:
		case LINAL_HNSW_FORMAT_BINARY:
			{
				float	   *f = palloc(sizeof(float) * Max(dim, 1));
				bool		indexed = hnsw_value_floats(hi, v, f);

				if (indexed)
					hnsw_floats_encode(hi, f, code);
				pfree(f);
				return indexed;
			}
		case LINAL_HNSW_FORMAT_SPARSE:
			return sparse_encode(hi, v, code);
	}
	return false;
}

/*
 * The floats a quantized code of v stands for, into out (hi->dimensions):
 * a tensor's, a halftensor's converted (exactly), under cosine those of
 * the unit vector, normalised in float as float4 codes are.  What an int8
 * index's build graph holds and its inserts search with;
 * hnsw_floats_encode makes the code of them.  False when the value is
 * not indexed (no direction under cosine).
 */
bool
hnsw_value_floats(const HnswIndex *hi, const HnswValue *v, float *out)
{
	int			dim = hi->dimensions;

	Assert(hnsw_format_is_quantized(hi->format) && v->dimensions == dim);
	if (hi->key_format == LINAL_HNSW_FORMAT_FLOAT16)
		linal_half_to_float_array(v->data, out, dim);
	else
		memcpy(out, v->data, sizeof(float) * dim);
	if (hi->kind == LINAL_DISTANCE_COSINE)
		return normalise(out, out, dim);
	return true;
}

/* The int8 or binary code (hi's format) of x, from hnsw_value_floats. */
void
hnsw_floats_encode(const HnswIndex *hi, const float *x, void *code)
{
	if (hi->format == LINAL_HNSW_FORMAT_BINARY)
		binary_encode(x, hi->dimensions, code);
	else
	{
		Assert(hi->format == LINAL_HNSW_FORMAT_INT8);
		int8_encode(x, hi->dimensions, hi->kind == LINAL_DISTANCE_L1, code);
	}
}

/*
 * For linal_index_check: whether a run of a code is finite, and its sum of
 * squares (of the floats it holds, or an int8 code stands for; 0 for bits)
 */
void
hnsw_code_stats(HnswFormat format, const void *code, int bytes, bool *finite,
				double *sum_squares)
{
	*finite = true;
	*sum_squares = 0.0;
	if (format == LINAL_HNSW_FORMAT_SPARSE)
	{
		/* a whole code, its size checked (hnsw_sparse_code_problem) */
		uint32		nnz = HNSW_SPARSE_NNZ(code);

		*finite = linal_kernels->all_finite(HNSW_SPARSE_VALUES(code), nnz);
		if (*finite)
			*sum_squares = linal_kernels->sum_squares(HNSW_SPARSE_VALUES(code), nnz);
	}
	else if (format == LINAL_HNSW_FORMAT_INT8)
		(void) int8_stats(code, bytes, finite, sum_squares);
	else if (format == LINAL_HNSW_FORMAT_BINARY)
	{
		float		scale = ((const HnswBinaryHeader *) code)->scale;

		*finite = isfinite(scale) && scale >= 0.0f;
		*sum_squares = 1.0;
	}
	else if (format == LINAL_HNSW_FORMAT_FLOAT4)
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

/*
 * For linal_index_check: the int8 header's own invariants (finite lo and
 * step, step >= 0, a residual >= 0, its sums those of its bytes), or NULL;
 * the stats of the values x^ the code stands for.
 */
static const char *
int8_stats(const void *code, int bytes, bool *finite, double *sum_squares)
{
	const HnswInt8Header *h = code;
	const uint8 *c = INT8_CODES(code);
	int			n = INT8_DIM(bytes);
	uint64		sum = 0;
	uint64		squares = 0;
	int			i;

	*finite = isfinite(h->lo) && isfinite(h->step);
	*sum_squares = 0.0;
	if (!*finite)
		return NULL;
	if (h->step < 0.0f || !(h->residual >= 0.0f))
		return "a negative step or residual";
	for (i = 0; i < n; i++)
	{
		double		x = int8_value(h, c[i]);

		sum += c[i];
		squares += (uint32) c[i] * c[i];
		*sum_squares += x * x;
	}
	if (sum != h->sum || squares != h->sum_squares || h->unused != 0)
		return "sums that are not its bytes'";
	return NULL;
}

/*
 * What is wrong with a whole code's header (int8, binary; other formats
 * have none), or NULL.
 */
const char *
hnsw_code_problem(HnswFormat format, const void *code, int bytes)
{
	bool		finite;
	double		sum_squares;

	if (format == LINAL_HNSW_FORMAT_BINARY)
	{
		const HnswBinaryHeader *h = code;
		int			dims = (int) Min(h->dims, (uint32) HNSW_MAX_DIM + 1);
		const uint8 *bits = BINARY_BITS(code);

		if ((int) sizeof(HnswBinaryHeader) + (dims + 7) / 8 != bytes)
			return "a dimension that is not the index's";
		if (dims % 8 != 0 && (bits[dims / 8] & (0xFF >> (dims % 8))) != 0)
			return "bits set past its dimension";
		return NULL;
	}
	if (format != LINAL_HNSW_FORMAT_INT8)
		return NULL;
	return int8_stats(code, bytes, &finite, &sum_squares);
}

/*
 * What is wrong with a sparse code in an element whose code has
 * avail_bytes bytes, in an index of dimension dim, or NULL: its non-zeros
 * within HNSW_SPARSE_MAX_NNZ and the bytes, its indices strictly
 * increasing and below dim.  Nothing else of it is read before this.
 */
const char *
hnsw_sparse_code_problem(const void *code, int avail_bytes, int dim)
{
	uint32		nnz;
	const int32 *indices;
	uint32		i;

	if (avail_bytes < HNSW_SPARSE_CODE_BYTES(0))
		return "no room for its length";
	nnz = HNSW_SPARSE_NNZ(code);
	if (nnz > HNSW_SPARSE_MAX_NNZ || HNSW_SPARSE_CODE_BYTES(nnz) > avail_bytes)
		return "more non-zeros than its bytes hold";
	indices = HNSW_SPARSE_INDICES(code);
	for (i = 0; i < nnz; i++)
	{
		if (indices[i] < 0 || indices[i] >= dim || (i > 0 && indices[i] <= indices[i - 1]))
			return "indices out of order or past its dimension";
	}
	return NULL;
}

/*
 * How far a code's norm may be from 1 under cosine beyond rounding: the
 * residual of an int8 code (the norm of the quantization error), any for
 * a binary code (signs have no norm to keep), 0 else.
 */
double
hnsw_code_norm_slack(HnswFormat format, const void *code)
{
	if (format == LINAL_HNSW_FORMAT_BINARY)
		return get_float8_infinity();
	if (format != LINAL_HNSW_FORMAT_INT8)
		return 0.0;
	return ((const HnswInt8Header *) code)->residual;
}

bool
hnsw_format_is_quantized(HnswFormat format)
{
	return format == LINAL_HNSW_FORMAT_INT8 || format == LINAL_HNSW_FORMAT_BINARY;
}

/* Whether codes of format may index keys of the type of format key. */
bool
hnsw_format_fits_key(HnswFormat format, HnswFormat key)
{
	if (format == LINAL_HNSW_FORMAT_INT8 || format == LINAL_HNSW_FORMAT_BINARY)
		return key == LINAL_HNSW_FORMAT_FLOAT4 || key == LINAL_HNSW_FORMAT_FLOAT16;
	return format == key;
}

/*
 * A lower bound of the distance the SQL operator computes between query
 * (hi->dimensions floats, finite, of norm query_norm; a halftensor query
 * converted) and the key whose
 * quantized code is code: what a scan of a quantized index returns as the
 * row's ORDER BY value, for the executor to recheck from the heap.  By the
 * triangle inequality, with r the code's residual (||x - x^||):
 *
 *	 <->  ||q - x|| >= ||q - x^|| - r
 *	 <=>  1 - cos = ||q~ - x~||^2 / 2 >= max(0, ||q~ - x^|| - r)^2 / 2
 *		  (q~, x~ the unit vectors; the code is of x~)
 *	 <#>  -q.x = -q.x^ - q.(x - x^) >= -q.x^ - ||q|| r
 *	 <+>  ||q - x||_1 >= ||q - x^||_1 - r_1
 *
 * computed in double, then lowered by the error the operator's float
 * kernels may make (kernels.h: (n + 2) FLT_EPSILON times the sum of the
 * terms' magnitudes, for halftensors too: their kernels convert to float
 * and sum the same way; cosine's three sums about twice that, each term's
 * product or difference off by at most 2^-150 where it underflows), so
 * the executor never sees a row nearer than its bound.
 */
double
hnsw_code_bound(const HnswIndex *hi, const float *query, double query_norm, const void *code)
{
	const HnswInt8Header *h = code;
	const uint8 *c = INT8_CODES(code);
	int			n = hi->dimensions;
	double		eps = (double) (n + 3) * FLT_EPSILON;
	double		tiny = (double) (n + 3) * 1e-45;
	double		r = h->residual;
	double		sum = 0.0;
	double		b;
	int			i;

	Assert(hi->format == LINAL_HNSW_FORMAT_INT8);
	switch (hi->kind)
	{
		case LINAL_DISTANCE_L2:
			for (i = 0; i < n; i++)
			{
				double		d = (double) query[i] - int8_value(h, c[i]);

				sum += d * d;
			}
			b = sqrt(sum) - r;
			if (!(b > 0.0))
				return 0.0;
			/* the operator is sqrt of a float sum of squares */
			b = b * b * (1.0 - eps) - tiny;
			return b > 0.0 ? sqrt(b) : 0.0;
		case LINAL_DISTANCE_COSINE:
			/* no direction: the operator is NULL, which sorts after any bound */
			if (!(query_norm > 0.0) || !isfinite(query_norm))
				return 0.0;
			for (i = 0; i < n; i++)
			{
				double		d = (double) query[i] / query_norm - int8_value(h, c[i]);

				sum += d * d;
			}
			b = sqrt(sum) - r;
			if (!(b > 0.0))
				return 0.0;
			b = b * b / 2.0 - 3.0 * eps;
			return Max(b, 0.0);
		case LINAL_DISTANCE_NEG_IP:
			{
				double		norm_squared = 0.0;

				if (isinf(r))
					return -get_float8_infinity();
				for (i = 0; i < n; i++)
				{
					double		x = int8_value(h, c[i]);

					sum += (double) query[i] * x;
					norm_squared += x * x;
				}
				return -sum - query_norm * r - eps * query_norm * (sqrt(norm_squared) + r) - tiny;
			}
		case LINAL_DISTANCE_L1:
			for (i = 0; i < n; i++)
				sum += fabs((double) query[i] - int8_value(h, c[i]));
			b = (sum - r) * (1.0 - eps) - tiny;
			return b > 0.0 ? b : 0.0;
		default:
			break;
	}
	elog(ERROR, "linal_hnsw: no bound for %s", linal_distance_name(hi->kind));
	return 0.0;
}
