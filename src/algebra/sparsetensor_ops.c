/*-------------------------------------------------------------------------
 *
 * sparsetensor_ops.c
 *	  Distances, norms, order and hashing of sparsetensor, under pgvector's
 *	  sparsevec names: l2_distance, inner_product, cosine_distance,
 *	  l1_distance, l2_norm, l2_normalize, sparsevec_cmp.
 *
 * Two sparsetensors meet in one merge walk over their sorted indices, so a
 * distance costs O(nnz_a + nnz_b) whatever the dimension.  Sums run in
 * float4 in index order, as tensor's kernels accumulate in float4; the
 * rules are tensor's (similarity.c): a result beyond float4's range is an
 * error (22003), cosine_distance with a zero vector is NULL and is redone
 * in double where float4 parts would overflow or underflow, norms are
 * double.  Order and equality are those of the dense vectors: element by
 * element, then the shorter vector first; equal values have equal hashes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "miscadmin.h"

#include "algebra/algebra.h"
#include "types/sparsetensor.h"

/* interrupt checks in merge walks, every this many steps */
#define MERGE_INTERRUPT_STRIDE 65536

typedef struct SparsePair
{
	SparseTensor *a;
	SparseTensor *b;
	const float *va;
	const float *vb;
} SparsePair;

static SparsePair
get_pair(FunctionCallInfo fcinfo, const char *operation)
{
	SparsePair	p;

	p.a = PG_GETARG_SPARSETENSOR_P(0);
	p.b = PG_GETARG_SPARSETENSOR_P(1);
	sparsetensor_require_same_dim(p.a, p.b, operation);
	p.va = SPARSETENSOR_VALUES(p.a);
	p.vb = SPARSETENSOR_VALUES(p.b);
	return p;
}

/*
 * The merge walk (algebra.h): every position stored in a or b, in
 * increasing order, with 0 for the side that does not store it, adds its
 * term to a float4 sum (see the file comment).
 */
float
algebra_sparse_merge_sum(int32 nnz_a, const int32 *indices_a, const float *values_a,
						 int32 nnz_b, const int32 *indices_b, const float *values_b,
						 AlgebraSparseSum what)
{
	int32		i = 0;
	int32		j = 0;
	int64		steps = 0;
	float		sum = 0.0f;

	while (i < nnz_a || j < nnz_b)
	{
		float		x = 0.0f;
		float		y = 0.0f;

		if ((++steps % MERGE_INTERRUPT_STRIDE) == 0)
			CHECK_FOR_INTERRUPTS();
		if (j >= nnz_b || (i < nnz_a && indices_a[i] < indices_b[j]))
			x = values_a[i++];
		else if (i >= nnz_a || indices_b[j] < indices_a[i])
			y = values_b[j++];
		else
		{
			x = values_a[i++];
			y = values_b[j++];
		}
		switch (what)
		{
			case ALGEBRA_SPARSE_DOT:
				sum += x * y;
				break;
			case ALGEBRA_SPARSE_L2_SQUARED:
				sum += (x - y) * (x - y);
				break;
			case ALGEBRA_SPARSE_L1:
				sum += fabsf(x - y);
				break;
		}
	}
	return sum;
}

static float
merge_sum(const SparsePair *p, AlgebraSparseSum what)
{
	return algebra_sparse_merge_sum(p->a->nnz, p->a->indices, p->va,
									p->b->nnz, p->b->indices, p->vb, what);
}

static double
sum_squares_double(const SparseTensor *s)
{
	const float *v = SPARSETENSOR_VALUES(s);
	double		sum = 0.0;
	int32		i;

	for (i = 0; i < s->nnz; i++)
		sum += (double) v[i] * v[i];
	return sum;
}

PG_FUNCTION_INFO_V1(sparsetensor_l2_distance);
Datum
sparsetensor_l2_distance(PG_FUNCTION_ARGS)
{
	SparsePair	p = get_pair(fcinfo, "l2_distance");

	PG_RETURN_FLOAT8(algebra_finite_result(sqrt((double) merge_sum(&p, ALGEBRA_SPARSE_L2_SQUARED)),
										   "l2_distance"));
}

PG_FUNCTION_INFO_V1(sparsetensor_l2_squared_distance);
Datum
sparsetensor_l2_squared_distance(PG_FUNCTION_ARGS)
{
	SparsePair	p = get_pair(fcinfo, "l2_squared_distance");

	PG_RETURN_FLOAT8(algebra_finite_result(merge_sum(&p, ALGEBRA_SPARSE_L2_SQUARED),
										   "l2_squared_distance"));
}

PG_FUNCTION_INFO_V1(sparsetensor_inner_product);
Datum
sparsetensor_inner_product(PG_FUNCTION_ARGS)
{
	SparsePair	p = get_pair(fcinfo, "inner_product");

	PG_RETURN_FLOAT8(algebra_finite_result(merge_sum(&p, ALGEBRA_SPARSE_DOT), "inner_product"));
}

PG_FUNCTION_INFO_V1(sparsetensor_negative_inner_product);
Datum
sparsetensor_negative_inner_product(PG_FUNCTION_ARGS)
{
	SparsePair	p = get_pair(fcinfo, "negative inner product");

	PG_RETURN_FLOAT8(-algebra_finite_result(merge_sum(&p, ALGEBRA_SPARSE_DOT),
											"negative inner product"));
}

PG_FUNCTION_INFO_V1(sparsetensor_l1_distance);
Datum
sparsetensor_l1_distance(PG_FUNCTION_ARGS)
{
	SparsePair	p = get_pair(fcinfo, "l1_distance");

	PG_RETURN_FLOAT8(algebra_finite_result(merge_sum(&p, ALGEBRA_SPARSE_L1), "l1_distance"));
}

/* the dot product in double, for the cosine fallback */
static double
dot_double(const SparsePair *p)
{
	int32		i = 0;
	int32		j = 0;
	double		sum = 0.0;

	while (i < p->a->nnz && j < p->b->nnz)
	{
		if (p->a->indices[i] < p->b->indices[j])
			i++;
		else if (p->b->indices[j] < p->a->indices[i])
			j++;
		else
		{
			sum += (double) p->va[i] * p->vb[j];
			i++;
			j++;
		}
	}
	return sum;
}

PG_FUNCTION_INFO_V1(sparsetensor_cosine_distance);
Datum
sparsetensor_cosine_distance(PG_FUNCTION_ARGS)
{
	SparsePair	p = get_pair(fcinfo, "cosine_distance");
	float		dot = merge_sum(&p, ALGEBRA_SPARSE_DOT);
	float		norm_a_sq = 0.0f;
	float		norm_b_sq = 0.0f;
	double		dot_d;
	double		norm_a_sq_d;
	double		norm_b_sq_d;
	double		denominator;
	double		similarity;
	int32		i;

	for (i = 0; i < p.a->nnz; i++)
		norm_a_sq += p.va[i] * p.va[i];
	for (i = 0; i < p.b->nnz; i++)
		norm_b_sq += p.vb[i] * p.vb[i];
	dot_d = dot;
	norm_a_sq_d = norm_a_sq;
	norm_b_sq_d = norm_b_sq;
	/* float4 parts that overflowed or underflowed are redone in double */
	if (!isfinite(dot) || !isnormal(norm_a_sq) || !isnormal(norm_b_sq))
	{
		dot_d = dot_double(&p);
		norm_a_sq_d = sum_squares_double(p.a);
		norm_b_sq_d = sum_squares_double(p.b);
	}
	denominator = sqrt(norm_a_sq_d * norm_b_sq_d);
	if (denominator == 0.0)
		PG_RETURN_NULL();
	similarity = dot_d / denominator;
	if (isnan(similarity))
		algebra_finite_result(similarity, "cosine_distance");
	similarity = Max(-1.0, Min(1.0, similarity));
	PG_RETURN_FLOAT8(1.0 - similarity);
}

PG_FUNCTION_INFO_V1(sparsetensor_l2_norm);
Datum
sparsetensor_l2_norm(PG_FUNCTION_ARGS)
{
	SparseTensor *s = PG_GETARG_SPARSETENSOR_P(0);

	PG_RETURN_FLOAT8(sqrt(sum_squares_double(s)));
}

/*
 * Divided by its L2 norm (computed in double); elements that become 0 are
 * dropped, the zero vector stays zero.
 */
PG_FUNCTION_INFO_V1(sparsetensor_l2_normalize);
Datum
sparsetensor_l2_normalize(PG_FUNCTION_ARGS)
{
	SparseTensor *s = PG_GETARG_SPARSETENSOR_P(0);
	const float *v = SPARSETENSOR_VALUES(s);
	double		norm = sqrt(sum_squares_double(s));
	SparseTensor *result;
	float	   *rv;
	int32		kept = 0;
	int32		i;

	if (norm == 0.0)
		PG_RETURN_SPARSETENSOR_P(s);
	for (i = 0; i < s->nnz; i++)
	{
		if ((float) (v[i] / norm) != 0.0f)
			kept++;
	}
	result = sparsetensor_allocate(s->dim, kept);
	rv = SPARSETENSOR_VALUES(result);
	kept = 0;
	for (i = 0; i < s->nnz; i++)
	{
		float		x = (float) (v[i] / norm);

		if (x == 0.0f)
			continue;
		result->indices[kept] = s->indices[i];
		rv[kept] = x;
		kept++;
	}
	PG_RETURN_SPARSETENSOR_P(result);
}

/*
 * The order of the dense vectors: the first position below both
 * dimensions where they differ decides; if there is none, the shorter
 * vector is smaller.
 */
static int
sparse_cmp(const SparseTensor *a, const SparseTensor *b)
{
	const float *va = SPARSETENSOR_VALUES(a);
	const float *vb = SPARSETENSOR_VALUES(b);
	int32		limit = Min(a->dim, b->dim);
	int32		i = 0;
	int32		j = 0;

	for (;;)
	{
		int32		ia = i < a->nnz ? a->indices[i] : PG_INT32_MAX;
		int32		ib = j < b->nnz ? b->indices[j] : PG_INT32_MAX;
		float		x;
		float		y;

		if (Min(ia, ib) >= limit)
			break;
		if (ia < ib)
		{
			x = va[i++];
			y = 0.0f;
		}
		else if (ib < ia)
		{
			x = 0.0f;
			y = vb[j++];
		}
		else
		{
			x = va[i++];
			y = vb[j++];
		}
		if (x < y)
			return -1;
		if (x > y)
			return 1;
	}
	return (a->dim > b->dim) - (a->dim < b->dim);
}

#define SPARSE_CMP_FUNCTION(name, result) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	int			c = sparse_cmp(PG_GETARG_SPARSETENSOR_P(0), PG_GETARG_SPARSETENSOR_P(1)); \
\
	result; \
}

SPARSE_CMP_FUNCTION(sparsetensor_cmp, PG_RETURN_INT32(c))
SPARSE_CMP_FUNCTION(sparsetensor_eq, PG_RETURN_BOOL(c == 0))
SPARSE_CMP_FUNCTION(sparsetensor_ne, PG_RETURN_BOOL(c != 0))
SPARSE_CMP_FUNCTION(sparsetensor_lt, PG_RETURN_BOOL(c < 0))
SPARSE_CMP_FUNCTION(sparsetensor_le, PG_RETURN_BOOL(c <= 0))
SPARSE_CMP_FUNCTION(sparsetensor_gt, PG_RETURN_BOOL(c > 0))
SPARSE_CMP_FUNCTION(sparsetensor_ge, PG_RETURN_BOOL(c >= 0))

/*
 * A value is canonical (no zeros, sorted indices, flags 0), so equal
 * values have equal bytes after the varlena header.
 */
PG_FUNCTION_INFO_V1(sparsetensor_hash);
Datum
sparsetensor_hash(PG_FUNCTION_ARGS)
{
	SparseTensor *s = PG_GETARG_SPARSETENSOR_P(0);

	return hash_any((const unsigned char *) &s->dim, VARSIZE(s) - VARHDRSZ);
}

PG_FUNCTION_INFO_V1(sparsetensor_hash_extended);
Datum
sparsetensor_hash_extended(PG_FUNCTION_ARGS)
{
	SparseTensor *s = PG_GETARG_SPARSETENSOR_P(0);

	return hash_any_extended((const unsigned char *) &s->dim, VARSIZE(s) - VARHDRSZ,
							 PG_GETARG_INT64(1));
}
