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

/* Detoasts into an aligned value with a 4-byte header (a no-op when it already is). */
#define DatumGetTensorP(d)		((Tensor *) PG_DETOAST_DATUM(d))
#define PG_GETARG_TENSOR_P(n)	DatumGetTensorP(PG_GETARG_DATUM(n))
#define PG_RETURN_TENSOR_P(t)	PG_RETURN_POINTER(t)

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
extern Tensor *tensor_allocate_like(const Tensor *t);
extern int64 tensor_shape_numel(int ndim, const int32 *dims);
extern bool tensor_same_shape(const Tensor *a, const Tensor *b);
extern char *tensor_shape_string(int ndim, const int32 *dims);

/* SQL-callable I/O that other files call directly */
extern PGDLLEXPORT Datum tensor_in(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_out(PG_FUNCTION_ARGS);

/* reads only the header of a possibly large, possibly toasted value */
extern Tensor *tensor_header_from_datum(Datum value);

/* typmod: tensor(n) and tensor(r,c) (tensor_typmod.c) */
extern int	tensor_typmod_shape(int32 typmod, int32 *dims);
extern void tensor_enforce_typmod(const Tensor *t, int32 typmod);

#endif							/* LINAL_TENSOR_H */
