/*-------------------------------------------------------------------------
 *
 * stack.c
 *	  Joining tensors: stack(VARIADIC tensor[]) along a new leading axis,
 *	  concat(a, b, axis) along an existing one.
 *
 * stack refuses NULL elements and an empty list (there would be no shape to
 * give the result); all shapes must be equal.  concat needs equal ranks of
 * at least 1 and equal dimensions except along the axis (1-based, negative
 * from the end).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

#include "algebra/algebra.h"

PG_FUNCTION_INFO_V1(tensor_stack);
Datum
tensor_stack(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Tensor	   *first;
	Tensor	   *result;
	int32		dims[LINAL_MAX_RANK];
	size_t		numel;
	int			i;

	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign,
					  &elems, &nulls, &count);
	if (count == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stack needs at least one tensor")));
	for (i = 0; i < count; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("stack does not accept NULL tensors"),
					 errdetail("Element %d is NULL.", i + 1)));

	first = DatumGetTensorP(elems[0]);
	if (first->ndim >= LINAL_MAX_RANK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("stacking tensors of rank %d would exceed the maximum rank of %d",
						first->ndim, LINAL_MAX_RANK)));
	dims[0] = count;
	memcpy(dims + 1, first->dims, sizeof(int32) * first->ndim);
	result = tensor_allocate(first->ndim + 1, dims);
	numel = (size_t) TENSOR_NUMEL(first);

	for (i = 0; i < count; i++)
	{
		Tensor	   *t = DatumGetTensorP(elems[i]);

		CHECK_FOR_INTERRUPTS();
		if (!tensor_same_shape(first, t))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("stack needs tensors of the same shape"),
					 errdetail("Tensor 1 has shape %s, tensor %d has shape %s.",
							   tensor_shape_string(first->ndim, first->dims), i + 1,
							   tensor_shape_string(t->ndim, t->dims))));
		memcpy(TENSOR_DATA(result) + i * numel, TENSOR_DATA(t), sizeof(float) * numel);
	}
	PG_RETURN_TENSOR_P(result);
}

PG_FUNCTION_INFO_V1(tensor_concat);
Datum
tensor_concat(PG_FUNCTION_ARGS)
{
	Tensor	   *a = PG_GETARG_TENSOR_P(0);
	Tensor	   *b = PG_GETARG_TENSOR_P(1);
	int32		axis = PG_GETARG_INT32(2);
	int			k;
	int32		dims[LINAL_MAX_RANK];
	size_t		outer = 1;
	size_t		inner = 1;
	size_t		block_a;
	size_t		block_b;
	Tensor	   *result;
	float	   *out;
	size_t		o;
	int			d;

	if (a->ndim == 0 || b->ndim == 0 || a->ndim != b->ndim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("concat needs two tensors of the same rank, at least 1"),
				 errdetail("Shapes are %s and %s.",
						   tensor_shape_string(a->ndim, a->dims),
						   tensor_shape_string(b->ndim, b->dims)),
				 errhint("stack() joins tensors along a new axis.")));
	k = (axis < 0) ? a->ndim + axis : axis - 1;
	if (axis == 0 || k < 0 || k >= a->ndim)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("axis %d is out of range for tensors of rank %d", axis, a->ndim),
				 errhint("Axes are 1 to %d, or -1 to -%d counting from the end.",
						 a->ndim, a->ndim)));
	for (d = 0; d < a->ndim; d++)
	{
		if (d != k && a->dims[d] != b->dims[d])
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("concat needs equal dimensions except along axis %d", axis),
					 errdetail("Shapes are %s and %s.",
							   tensor_shape_string(a->ndim, a->dims),
							   tensor_shape_string(b->ndim, b->dims))));
		dims[d] = (d == k) ? a->dims[d] + b->dims[d] : a->dims[d];
		if (d < k)
			outer *= a->dims[d];
		else if (d > k)
			inner *= a->dims[d];
	}
	if ((int64) a->dims[k] + b->dims[k] > LINAL_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("concat result would exceed the size limits")));
	result = tensor_allocate(a->ndim, dims);
	out = TENSOR_DATA(result);
	block_a = (size_t) a->dims[k] * inner;
	block_b = (size_t) b->dims[k] * inner;
	for (o = 0; o < outer; o++)
	{
		if ((o & 0x3FF) == 0)
			CHECK_FOR_INTERRUPTS();
		memcpy(out, TENSOR_DATA(a) + o * block_a, sizeof(float) * block_a);
		out += block_a;
		memcpy(out, TENSOR_DATA(b) + o * block_b, sizeof(float) * block_b);
		out += block_b;
	}
	PG_RETURN_TENSOR_P(result);
}
