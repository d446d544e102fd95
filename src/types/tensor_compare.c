/*-------------------------------------------------------------------------
 *
 * tensor_compare.c
 *	  Equality, total order and hashing of tensors, behind the btree and hash
 *	  operator classes (GROUP BY, DISTINCT, ORDER BY, hash joins, indexes).
 *
 * The order is that of arrays: elements compared in row-major order as
 * float4 compares them, then the tensor with fewer elements first, then by
 * rank, then by dimensions.  Two tensors are equal exactly when they have the
 * same shape and equal elements; -0 equals 0, so hashing folds -0 into 0.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/float.h"

#include "types/tensor.h"

/* interrupt checks in element loops, every this many elements */
#define COMPARE_INTERRUPT_STRIDE 1048576

static int
compare_ints(int64 a, int64 b)
{
	return (a > b) - (a < b);
}

static int
tensor_cmp_internal(const Tensor *a, const Tensor *b)
{
	const float *da = TENSOR_DATA(a);
	const float *db = TENSOR_DATA(b);
	int64		na = TENSOR_NUMEL(a);
	int64		nb = TENSOR_NUMEL(b);
	int64		common = Min(na, nb);
	int64		i;
	int			c;

	for (i = 0; i < common; i++)
	{
		if ((i % COMPARE_INTERRUPT_STRIDE) == 0 && i > 0)
			CHECK_FOR_INTERRUPTS();
		if (da[i] != db[i])
		{
			/* NaN cannot be stored, but order it as float4 does if it is */
			c = float4_cmp_internal(da[i], db[i]);
			if (c != 0)
				return c;
		}
	}
	if ((c = compare_ints(na, nb)) != 0)
		return c;
	if ((c = compare_ints(a->ndim, b->ndim)) != 0)
		return c;
	for (i = 0; i < a->ndim; i++)
		if ((c = compare_ints(a->dims[i], b->dims[i])) != 0)
			return c;
	return 0;
}

#define TENSOR_CMP_FUNCTION(name, test) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	Tensor	   *a = PG_GETARG_TENSOR_P(0); \
	Tensor	   *b = PG_GETARG_TENSOR_P(1); \
	int			c = tensor_cmp_internal(a, b); \
\
	PG_FREE_IF_COPY(a, 0); \
	PG_FREE_IF_COPY(b, 1); \
	test; \
}

TENSOR_CMP_FUNCTION(tensor_cmp, PG_RETURN_INT32(c))
TENSOR_CMP_FUNCTION(tensor_lt, PG_RETURN_BOOL(c < 0))
TENSOR_CMP_FUNCTION(tensor_le, PG_RETURN_BOOL(c <= 0))
TENSOR_CMP_FUNCTION(tensor_gt, PG_RETURN_BOOL(c > 0))
TENSOR_CMP_FUNCTION(tensor_ge, PG_RETURN_BOOL(c >= 0))
TENSOR_CMP_FUNCTION(tensor_eq, PG_RETURN_BOOL(c == 0))
TENSOR_CMP_FUNCTION(tensor_ne, PG_RETURN_BOOL(c != 0))

/*
 * The element bytes to hash: the tensor's own data, or a copy with -0
 * folded into 0 when there is any -0 (rare, so the copy is too).
 */
static const float *
hashable_data(const Tensor *t, int64 numel)
{
	const float *data = TENSOR_DATA(t);
	float	   *copy;
	int64		i;

	for (i = 0; i < numel; i++)
		if (data[i] == 0.0f && signbit(data[i]))
			break;
	if (i == numel)
		return data;
	copy = palloc(sizeof(float) * numel);
	for (i = 0; i < numel; i++)
		copy[i] = (data[i] == 0.0f) ? 0.0f : data[i];
	return copy;
}

PG_FUNCTION_INFO_V1(tensor_hash);
Datum
tensor_hash(PG_FUNCTION_ARGS)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	int64		numel = TENSOR_NUMEL(t);
	uint32		shape_hash;
	uint32		data_hash;

	shape_hash = hash_bytes((const unsigned char *) &t->ndim, 1);
	if (t->ndim > 0)
		shape_hash = hash_combine(shape_hash,
								  hash_bytes((const unsigned char *) t->dims,
											 sizeof(int32) * t->ndim));
	data_hash = hash_bytes((const unsigned char *) hashable_data(t, numel),
						   (int) (sizeof(float) * numel));
	PG_RETURN_UINT32(hash_combine(shape_hash, data_hash));
}

/*
 * The hash opclass requires that with seed 0 the low 32 bits are
 * tensor_hash's value.  The low 32 bits of hash_bytes_extended with seed 0
 * are hash_bytes, so the low half combines them as tensor_hash does; the
 * high half combines the 64-bit hashes.
 */
PG_FUNCTION_INFO_V1(tensor_hash_extended);
Datum
tensor_hash_extended(PG_FUNCTION_ARGS)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	uint64		seed = PG_GETARG_INT64(1);
	int64		numel = TENSOR_NUMEL(t);
	uint64		part;
	uint64		high;
	uint32		low;

	part = hash_bytes_extended((const unsigned char *) &t->ndim, 1, seed);
	high = part;
	low = (uint32) part;
	if (t->ndim > 0)
	{
		part = hash_bytes_extended((const unsigned char *) t->dims,
								   sizeof(int32) * t->ndim, seed);
		high = hash_combine64(high, part);
		low = hash_combine(low, (uint32) part);
	}
	part = hash_bytes_extended((const unsigned char *) hashable_data(t, numel),
							   sizeof(float) * numel, seed);
	high = hash_combine64(high, part);
	low = hash_combine(low, (uint32) part);
	PG_RETURN_UINT64((high & UINT64CONST(0xFFFFFFFF00000000)) | low);
}
