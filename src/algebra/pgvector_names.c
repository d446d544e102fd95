/*-------------------------------------------------------------------------
 *
 * pgvector_names.c
 *	  The pgvector functions that have no linal counterpart of the same
 *	  meaning, so a pgvector application moves to linal by renaming its
 *	  types: vector_dims, subvector, binary_quantize and the || operator.
 *	  (vector_norm, inner_product and l2_norm are only new names for norm
 *	  and dot: src/sql/28_pgvector_names.sql points them at those kernels.)
 *
 * pgvector's vector is what linal calls a 1-d tensor.  vector_dims and
 * subvector are about the length of a vector, so they refuse other ranks
 * with a hint to the rank-generic function; binary_quantize and || have a
 * natural meaning for any rank and accept it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/varbit.h"

#include "algebra/algebra.h"

/* the concat kernel (stack.c), called with axis 1 by || */
extern PGDLLEXPORT Datum tensor_concat(PG_FUNCTION_ARGS);

/* 22000 unless t is 1-d, naming the pgvector function and its alternative */
static void
require_vector(const Tensor *t, const char *function, const char *hint)
{
	if (t->ndim != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s needs a 1-d tensor", function),
				 errdetail("The tensor has shape %s.",
						   tensor_shape_string(t->ndim, t->dims)),
				 errhint("%s", hint)));
}

/* vector_dims(tensor): the length of a 1-d tensor, read from the header */
PG_FUNCTION_INFO_V1(tensor_vector_dims);
Datum
tensor_vector_dims(PG_FUNCTION_ARGS)
{
	Tensor	   *t = tensor_header_from_datum(PG_GETARG_DATUM(0));

	require_vector(t, "vector_dims",
				   "shape() gives every dimension of a tensor, numel() its element count.");
	PG_RETURN_INT32(t->dims[0]);
}

/*
 * subvector(tensor, start, count): count elements from the 1-based start,
 * clipped to the tensor like substring() clips to a string, so a start
 * before 1 shortens the result.  An empty result is an error (pgvector has
 * no empty vectors, and a 1-d pgvector application never expects one).
 */
PG_FUNCTION_INFO_V1(tensor_subvector);
Datum
tensor_subvector(PG_FUNCTION_ARGS)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	int64		start = PG_GETARG_INT32(1);
	int64		count = PG_GETARG_INT32(2);
	int64		first;
	int64		end;
	int32		dim;
	Tensor	   *result;

	require_vector(t, "subvector", "Subscripts slice tensors of any rank: t[a:b].");
	/* in int64, start + count cannot overflow */
	first = Max(start, 1);
	end = Min(start + count, (int64) t->dims[0] + 1);
	if (count < 1 || end <= first)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("subvector would have no elements"),
				 errdetail("The tensor has %d elements; start is %d and count %d.",
						   t->dims[0], (int) start, (int) count),
				 errhint("Elements are numbered from 1 and count must be positive.")));
	dim = (int32) (end - first);
	result = tensor_allocate(1, &dim);
	memcpy(TENSOR_DATA(result), TENSOR_DATA(t) + (first - 1), sizeof(float) * dim);
	PG_RETURN_TENSOR_P(result);
}

/*
 * binary_quantize(tensor): bit(n), one bit per element in storage order, 1
 * where the element is greater than 0 (so 0, negative numbers and NaN give 0).
 */
PG_FUNCTION_INFO_V1(tensor_binary_quantize);
Datum
tensor_binary_quantize(PG_FUNCTION_ARGS)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	const float *x = TENSOR_DATA(t);
	int64		n = TENSOR_NUMEL(t);
	Size		bytes;
	VarBit	   *result;
	bits8	   *out;
	int64		i;

	if (n > VARBITMAXLEN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("binary_quantize result would have more than %d bits",
						(int) VARBITMAXLEN)));
	bytes = VARBITTOTALLEN(n);
	tensor_note_allocation(bytes);
	result = (VarBit *) palloc0(bytes);
	SET_VARSIZE(result, bytes);
	VARBITLEN(result) = (int32) n;
	out = VARBITS(result);
	for (i = 0; i < n; i++)
	{
		if ((i & 0xFFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (x[i] > 0.0f)
			out[i / BITS_PER_BYTE] |= (bits8) (0x80 >> (i % BITS_PER_BYTE));
	}
	PG_RETURN_VARBIT_P(result);
}

/*
 * tensor || tensor: pgvector's vector concatenation, which for tensors is
 * concat() along the first axis (1-d: one longer vector; higher ranks: more
 * rows, the trailing dimensions must match).
 */
PG_FUNCTION_INFO_V1(tensor_concat_first_axis);
Datum
tensor_concat_first_axis(PG_FUNCTION_ARGS)
{
	return DirectFunctionCall3(tensor_concat, PG_GETARG_DATUM(0),
							   PG_GETARG_DATUM(1), Int32GetDatum(1));
}
