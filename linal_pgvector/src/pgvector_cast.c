/*-------------------------------------------------------------------------
 *
 * pgvector_cast.c
 *	  The casts between pgvector's types and linal's: vector <-> tensor
 *	  (float4 elements) and halfvec <-> halftensor (IEEE binary16 elements).
 *
 * pgvector's values and linal's 1-d tensors hold the same elements in the
 * same order behind different headers, so a conversion checks the source
 * header against its varlena size, allocates the target once and copies
 * the elements with one memcpy.  Nothing is read through pgvector's or
 * linal's libraries: this module may be loaded before either of them.
 *
 * Type modifiers are not handled here: the casts take no typmod argument,
 * so PostgreSQL applies the target type's own length coercion afterwards
 * (tensor(tensor, integer, boolean) or pgvector's vector(vector, integer,
 * boolean), halftensor(halftensor, ...), halfvec(halfvec, ...)), with that
 * type's messages.
 *
 * Memory: results and detoasted copies are palloc'd in the caller's
 * context (the per-tuple context in a scan, ALTER TABLE's rewrite context).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"

#include "kernels/half_convert.h"
#include "pgvector_layout.h"
#include "types/tensor.h"

PG_MODULE_MAGIC;

/* One pair of types with the same element format. */
typedef struct ElementFormat
{
	const char *pgvector_type;	/* "vector" */
	const char *linal_type;		/* "tensor" */
	uint8		elemtype;		/* linal's element type code */
	int			element_bytes;
	bool		(*finite) (const char *data, int count);
	const char *flatten_hint;	/* how to make a 1-d value of any rank */
} ElementFormat;

static bool
float4_all_finite(const char *data, int count)
{
	const float *x = (const float *) data;

	for (int i = 0; i < count; i++)
		if (!isfinite(x[i]))
			return false;
	return true;
}

static bool
float16_all_finite(const char *data, int count)
{
	const uint16 *x = (const uint16 *) data;

	for (int i = 0; i < count; i++)
		if (!linal_half_is_finite(x[i]))
			return false;
	return true;
}

static const ElementFormat float4_format = {
	"vector", "tensor", LINAL_ELEM_FLOAT4, sizeof(float), float4_all_finite,
	"flatten() makes a 1-d tensor of all its elements."
};

static const ElementFormat float16_format = {
	"halfvec", "halftensor", LINAL_ELEM_FLOAT16, sizeof(uint16), float16_all_finite,
	"flatten(h::tensor)::halftensor makes a 1-d halftensor of all its elements."
};

/*
 * A linal 1-d value from a pgvector value.  pgvector never stores NaN or
 * infinities; the check keeps linal's invariant even for a damaged value.
 */
static Tensor *
tensor_from_pgvector(Datum value, const ElementFormat *format)
{
	PgvectorHeader *v = (PgvectorHeader *) PG_DETOAST_DATUM(value);
	Size		bytes = VARSIZE(v);
	int			dim;
	Size		data_bytes;
	Tensor	   *t;

	if (bytes < PGVECTOR_HEADER_BYTES ||
		v->dim < PGVECTOR_MIN_DIM || v->dim > PGVECTOR_MAX_DIM ||
		bytes != PGVECTOR_BYTES(v->dim, format->element_bytes))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid %s value", format->pgvector_type),
				 errdetail("The value has %zu bytes; its header says %d dimensions.",
						   bytes, bytes < PGVECTOR_HEADER_BYTES ? 0 : v->dim)));
	dim = v->dim;
	data_bytes = (Size) format->element_bytes * dim;
	if (!format->finite(PGVECTOR_DATA(v), dim))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("NaN and Infinity are not allowed in a %s", format->linal_type)));

	t = (Tensor *) palloc0(TENSOR_HEADER_BYTES(1) + data_bytes);
	SET_VARSIZE(t, TENSOR_HEADER_BYTES(1) + data_bytes);
	t->ndim = 1;
	t->elemtype = format->elemtype;
	t->dims[0] = dim;
	memcpy((char *) t + TENSOR_HEADER_BYTES(1), PGVECTOR_DATA(v), data_bytes);
	return t;
}

/*
 * A pgvector value from a linal value: only 1-d values of 1 to 16000
 * elements have one.
 */
static PgvectorHeader *
pgvector_from_tensor(Datum value, const ElementFormat *format)
{
	Tensor	   *t = (Tensor *) PG_DETOAST_DATUM(value);
	Size		bytes = VARSIZE(t);
	int32		dim;
	Size		data_bytes;
	PgvectorHeader *v;

	if (t->ndim != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("only a 1-d %s can be cast to %s",
						format->linal_type, format->pgvector_type),
				 errdetail("The %s has rank %d.", format->linal_type, t->ndim),
				 errhint("%s", format->flatten_hint)));
	/* the size is checked before dims[0] is read */
	if (bytes < TENSOR_HEADER_BYTES(1) || t->elemtype != format->elemtype ||
		t->dims[0] < 0 ||
		bytes != TENSOR_HEADER_BYTES(1) + (Size) format->element_bytes * t->dims[0])
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid %s value", format->linal_type)));
	dim = t->dims[0];
	if (dim < PGVECTOR_MIN_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("an empty %s cannot be cast to %s",
						format->linal_type, format->pgvector_type),
				 errdetail("A %s has %d to %d dimensions.", format->pgvector_type,
						   PGVECTOR_MIN_DIM, PGVECTOR_MAX_DIM)));
	if (dim > PGVECTOR_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a %s of %d elements cannot be cast to %s",
						format->linal_type, dim, format->pgvector_type),
				 errdetail("A %s has %d to %d dimensions.", format->pgvector_type,
						   PGVECTOR_MIN_DIM, PGVECTOR_MAX_DIM)));

	data_bytes = (Size) format->element_bytes * dim;
	v = (PgvectorHeader *) palloc(PGVECTOR_BYTES(dim, format->element_bytes));
	SET_VARSIZE(v, PGVECTOR_BYTES(dim, format->element_bytes));
	v->dim = (int16) dim;
	v->unused = 0;
	memcpy(PGVECTOR_DATA(v), (char *) t + TENSOR_HEADER_BYTES(1), data_bytes);
	return v;
}

PG_FUNCTION_INFO_V1(vector_to_tensor);
Datum
vector_to_tensor(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(tensor_from_pgvector(PG_GETARG_DATUM(0), &float4_format));
}

PG_FUNCTION_INFO_V1(tensor_to_vector);
Datum
tensor_to_vector(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(pgvector_from_tensor(PG_GETARG_DATUM(0), &float4_format));
}

PG_FUNCTION_INFO_V1(halfvec_to_halftensor);
Datum
halfvec_to_halftensor(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(tensor_from_pgvector(PG_GETARG_DATUM(0), &float16_format));
}

PG_FUNCTION_INFO_V1(halftensor_to_halfvec);
Datum
halftensor_to_halfvec(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(pgvector_from_tensor(PG_GETARG_DATUM(0), &float16_format));
}
