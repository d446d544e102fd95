/*-------------------------------------------------------------------------
 *
 * algebra.h
 *	  Shared helpers of the SQL-callable tensor algebra (src/algebra/):
 *	  shape checks with Postgres-style errors, overflow checks, and running
 *	  kernels over large buffers in interruptible chunks.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_ALGEBRA_H
#define LINAL_ALGEBRA_H

#include "postgres.h"

#include "kernels/kernels.h"
#include "nodes/pg_list.h"
#include "types/tensor.h"

/*
 * Elements a kernel call handles between two interrupt checks: about a
 * millisecond of work, so a cancel lands long before a second passes.
 */
#define LINAL_CHUNK_ELEMENTS ((size_t) 1 << 20)

/* 22000 naming both shapes unless a and b have the same shape */
extern void algebra_require_same_shape(const Tensor *a, const Tensor *b,
									   const char *operation);

/* 22003 if any element of t is NaN or infinite (an overflow happened) */
extern void algebra_require_finite(const Tensor *t, const char *operation);

/* 22003 if a scalar result overflowed */
extern double algebra_finite_result(double value, const char *operation);

/* whole-buffer reductions, chunked with interrupt checks between chunks */
extern bool algebra_cosine_similarity(const float *a, const float *b, size_t n,
									  double *result);
extern double algebra_sum(const float *data, size_t n);
extern double algebra_sum_squares(const float *data, size_t n);
extern void algebra_min_max(const float *data, size_t n, float *min, float *max);
extern void algebra_divide_by_norm(const float *x, double norm, float *y, size_t n);

/*
 * sparsetensor_ops.c: the merge walk of two sparse vectors (nnz sorted
 * indices and their values each), every position stored in either, in
 * increasing order, adding its term to a float4 sum: what sparsetensor's
 * distances compute, shared with linal_hnsw's sparse codes so an index's
 * order is the operators'.
 */
typedef enum AlgebraSparseSum
{
	ALGEBRA_SPARSE_DOT,
	ALGEBRA_SPARSE_L2_SQUARED,
	ALGEBRA_SPARSE_L1
} AlgebraSparseSum;

extern float algebra_sparse_merge_sum(int32 nnz_a, const int32 *indices_a, const float *values_a,
									  int32 nnz_b, const int32 *indices_b, const float *values_b,
									  AlgebraSparseSum what);

/* what the planner charges a distance call (distance_cost.c) */
extern double linal_distance_cost(double elements, bool detoast);
extern double linal_distance_elements(List *args, int *stored_args);

#endif							/* LINAL_ALGEBRA_H */
