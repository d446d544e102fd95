/*-------------------------------------------------------------------------
 *
 * sparsetensor.h
 *	  The layout of sparsetensor, linal's sparse vector (pgvector's sparsevec
 *	  under linal's naming), and the helpers that read and build it.
 *
 * A sparsetensor is a vector of `dim` elements of which only the non-zero
 * ones are stored.  One varlena:
 *
 *	int32	vl_len_			varlena header
 *	int32	dim				number of elements, 1 .. LINAL_SPARSE_MAX_DIM
 *	int32	nnz				stored (non-zero) elements, 0 .. Min(dim, LINAL_SPARSE_MAX_NNZ)
 *	int32	flags			reserved, always 0
 *	int32	indices[nnz]	0-based positions, strictly increasing, each < dim
 *	float4	values[nnz]		the element at indices[i]; finite and never 0
 *
 * So a value is canonical: one vector has exactly one representation, and
 * equality is a byte comparison after the header.  The text form numbers
 * positions from 1 ("{1:1.5,3:2}/5"); the binary form carries the 0-based
 * indices.  Every builder (text, binary, casts, l2_normalize) drops zeros
 * and keeps the indices sorted.
 *
 * Limits (LINAL_SPARSE_MAX_DIM, LINAL_SPARSE_MAX_NNZ) are in tensor_limits.h,
 * shared with the Postgres-free parsers of sparsetensor_parse.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_SPARSETENSOR_H
#define LINAL_SPARSETENSOR_H

#include "postgres.h"

#include "fmgr.h"

#include "types/tensor.h"

typedef struct SparseTensor
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int32		dim;
	int32		nnz;
	int32		flags;			/* reserved, always 0 */
	int32		indices[FLEXIBLE_ARRAY_MEMBER];
	/* float4 values[nnz] follow indices[nnz] */
} SparseTensor;

#define SPARSETENSOR_BYTES(nnz) \
	(offsetof(SparseTensor, indices) + (sizeof(int32) + sizeof(float)) * (Size) (nnz))
#define SPARSETENSOR_VALUES(s) \
	((float *) ((char *) (s) + offsetof(SparseTensor, indices) + sizeof(int32) * (Size) (s)->nnz))

/*
 * Every reader checks the header against the varlena size, so a value that
 * is not a sparsetensor (a binary-coercing cast a superuser made, or
 * corruption) raises an error instead of being read out of bounds.  O(1);
 * the order of the indices is the builders' invariant and is not rechecked.
 */
extern void sparsetensor_report_bad_value(const SparseTensor *s) pg_attribute_noreturn();

static inline SparseTensor *
sparsetensor_check_value(SparseTensor *s)
{
	if (unlikely(VARSIZE(s) < offsetof(SparseTensor, indices) ||
				 s->dim < 1 || s->dim > LINAL_SPARSE_MAX_DIM ||
				 s->nnz < 0 || s->nnz > s->dim || s->nnz > LINAL_SPARSE_MAX_NNZ ||
				 VARSIZE(s) != SPARSETENSOR_BYTES(s->nnz)))
		sparsetensor_report_bad_value(s);
	return s;
}

#define DatumGetSparseTensorP(d) \
	sparsetensor_check_value((SparseTensor *) PG_DETOAST_DATUM(d))
#define PG_GETARG_SPARSETENSOR_P(n)	DatumGetSparseTensorP(PG_GETARG_DATUM(n))
#define PG_RETURN_SPARSETENSOR_P(s)	PG_RETURN_POINTER(s)

/* an empty (all-zero) value with room for nnz entries, in CurrentMemoryContext */
extern SparseTensor *sparsetensor_allocate(int32 dim, int32 nnz);

/* 22000 unless a and b have the same dimension */
extern void sparsetensor_require_same_dim(const SparseTensor *a, const SparseTensor *b,
										  const char *operation);

/* 22000 unless s has the dimension typmod declares (-1: anything) */
extern void sparsetensor_enforce_typmod(const SparseTensor *s, int32 typmod);

#endif							/* LINAL_SPARSETENSOR_H */
