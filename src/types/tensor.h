/*-------------------------------------------------------------------------
 *
 * tensor.h
 *	  The on-disk and in-memory layout of the tensor type, and the helpers
 *	  every other part of linal uses to read and build tensors.
 *
 * A tensor is one varlena: a fixed 8-byte header, rank int32 dimensions, then
 * the float4 elements in row-major order.  The data offset is always a
 * multiple of 4, so once a value has a 4-byte varlena header (any detoasted
 * or freshly built value) its elements can be read in place as float[].
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_TENSOR_H
#define LINAL_TENSOR_H

#include "postgres.h"

#include "fmgr.h"

#include "pg_compat.h"
#include "types/tensor_limits.h"

typedef struct Tensor
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		ndim;			/* 0 .. LINAL_MAX_RANK */
	uint8		elemtype;		/* LINAL_ELEM_FLOAT4; reserved for more types */
	uint16		flags;			/* reserved, always 0 */
	int32		dims[FLEXIBLE_ARRAY_MEMBER];
	/* float4 data follows dims[ndim] */
} Tensor;

#define TENSOR_HEADER_BYTES(ndim) \
	(offsetof(Tensor, dims) + sizeof(int32) * (Size) (ndim))
#define TENSOR_BYTES(ndim, numel) \
	(TENSOR_HEADER_BYTES(ndim) + sizeof(float) * (Size) (numel))
#define TENSOR_DATA(t) \
	((float *) ((char *) (t) + TENSOR_HEADER_BYTES((t)->ndim)))
/* element count, derived from the varlena size so it is O(1) */
#define TENSOR_NUMEL(t) \
	((int64) ((VARSIZE(t) - TENSOR_HEADER_BYTES((t)->ndim)) / sizeof(float)))

/*
 * halftensor: the same struct with elemtype LINAL_ELEM_FLOAT16 and binary16
 * elements (uint16) after dims; the data offset is a multiple of 4 as well.
 */
#define HALFTENSOR_BYTES(ndim, numel) \
	(TENSOR_HEADER_BYTES(ndim) + sizeof(uint16) * (Size) (numel))
#define HALFTENSOR_DATA(t) \
	((uint16 *) ((char *) (t) + TENSOR_HEADER_BYTES((t)->ndim)))
#define HALFTENSOR_NUMEL(t) \
	((int64) ((VARSIZE(t) - TENSOR_HEADER_BYTES((t)->ndim)) / sizeof(uint16)))

/*
 * Every reader of a detoasted value checks that it holds the element type
 * its SQL type promises and that its size matches its header, so a value
 * of the other type (which only a binary-coercing cast a superuser made, or
 * corruption, can deliver) raises an error instead of being misread.
 * Cheap: two byte compares and at most LINAL_MAX_RANK multiplications.
 */
extern void tensor_report_bad_value(const Tensor *t, int elemtype) pg_attribute_noreturn();

static inline Tensor *
tensor_check_value(Tensor *t, int elemtype)
{
	Size		elem_bytes = elemtype == LINAL_ELEM_FLOAT16 ? sizeof(uint16) : sizeof(float);
	int64		numel = 1;
	int			i;

	if (unlikely(t->elemtype != elemtype || t->ndim > LINAL_MAX_RANK ||
				 VARSIZE(t) < TENSOR_HEADER_BYTES(t->ndim)))
		tensor_report_bad_value(t, elemtype);
	for (i = 0; i < t->ndim; i++)
	{
		if (unlikely(t->dims[i] < 0 || t->dims[i] > LINAL_MAX_DIM))
			tensor_report_bad_value(t, elemtype);
		numel *= t->dims[i];
		if (unlikely(numel > LINAL_MAX_ELEMENTS))
			tensor_report_bad_value(t, elemtype);
	}
	if (unlikely(VARSIZE(t) != TENSOR_HEADER_BYTES(t->ndim) + elem_bytes * (Size) numel))
		tensor_report_bad_value(t, elemtype);
	return t;
}

/* Detoasts into an aligned value with a 4-byte header (a no-op when it already is). */
#define DatumGetTensorP(d) \
	tensor_check_value((Tensor *) PG_DETOAST_DATUM(d), LINAL_ELEM_FLOAT4)
#define PG_GETARG_TENSOR_P(n)	DatumGetTensorP(PG_GETARG_DATUM(n))
#define PG_RETURN_TENSOR_P(t)	PG_RETURN_POINTER(t)
#define DatumGetHalfTensorP(d) \
	tensor_check_value((Tensor *) PG_DETOAST_DATUM(d), LINAL_ELEM_FLOAT16)
#define PG_GETARG_HALFTENSOR_P(n)	DatumGetHalfTensorP(PG_GETARG_DATUM(n))

/* Shape strings for messages: "(2,3)", "()" for rank 0. */
#define TENSOR_SHAPE_STRING_BYTES (LINAL_MAX_RANK * 12 + 3)

/*
 * Called before linal allocates memory for tensor data (tensor_allocate,
 * aggregate buffers) with the bytes about to be allocated; may raise an
 * error.  The execution layer installs its memory limit here; NULL when no
 * one listens.
 */
extern void (*tensor_allocation_hook) (Size bytes);

static inline void
tensor_note_allocation(Size bytes)
{
	if (tensor_allocation_hook != NULL)
		tensor_allocation_hook(bytes);
}

extern Tensor *tensor_allocate(int ndim, const int32 *dims);
/* the same for a halftensor (elemtype LINAL_ELEM_FLOAT16) */
extern Tensor *halftensor_allocate(int ndim, const int32 *dims);
extern Tensor *tensor_allocate_like(const Tensor *t);
extern int64 tensor_shape_numel(int ndim, const int32 *dims);
extern bool tensor_same_shape(const Tensor *a, const Tensor *b);
extern char *tensor_shape_string(int ndim, const int32 *dims);

/* SQL-callable I/O that other files call directly */
extern PGDLLEXPORT Datum tensor_in(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_out(PG_FUNCTION_ARGS);

/* the text form parsed into a float tensor; errors name type_name (tensor_io.c) */
extern Tensor *tensor_from_text(const char *input, const char *type_name);

/* reads only the header of a possibly large, possibly toasted value */
extern Tensor *tensor_header_from_datum(Datum value);

/* typmod: tensor(n) and tensor(r,c) (tensor_typmod.c) */
extern int	tensor_typmod_shape(int32 typmod, int32 *dims);
extern void tensor_enforce_typmod(const Tensor *t, int32 typmod);

#endif							/* LINAL_TENSOR_H */
