/*-------------------------------------------------------------------------
 *
 * transpose.c
 *	  transpose(t) and transpose(t, perm): axis permutations.
 *
 * transpose(t) swaps the two axes of a matrix with the cache-blocked kernel,
 * returns vectors and scalars unchanged, and reverses the axes of higher
 * ranks (numpy's default).  transpose(t, perm) takes a permutation of the
 * axes, 1-based like array dimensions: result dimension i is input
 * dimension perm[i].  General permutations walk the output in order and
 * gather from the input with strides, one copy.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/array.h"

#include "algebra/algebra.h"

/* out = t with axes permuted: result axis i is input axis perm[i] (0-based) */
static Tensor *
permute(const Tensor *t, const int *perm)
{
	int			ndim = t->ndim;
	int32		dims[LINAL_MAX_RANK] = {0};	/* zeroed for gcc 14, which warns */
	int64		in_stride[LINAL_MAX_RANK];
	int64		stride[LINAL_MAX_RANK];	/* input stride of each output axis */
	int32		index[LINAL_MAX_RANK];
	const float *in = TENSOR_DATA(t);
	Tensor	   *result;
	float	   *out;
	int64		numel = TENSOR_NUMEL(t);
	int64		produced = 0;
	int			i;

	in_stride[ndim - 1] = 1;
	for (i = ndim - 2; i >= 0; i--)
		in_stride[i] = in_stride[i + 1] * t->dims[i + 1];
	for (i = 0; i < ndim; i++)
	{
		dims[i] = t->dims[perm[i]];
		stride[i] = in_stride[perm[i]];
		index[i] = 0;
	}
	result = tensor_allocate(ndim, dims);
	out = TENSOR_DATA(result);
	if (numel == 0)
		return result;

	if (ndim == 2 && perm[0] == 1)
	{
		kernel_transpose_f32(in, out, (size_t) t->dims[0], (size_t) t->dims[1]);
		return result;
	}

	/* odometer over the output's outer axes; the last axis is a strided run */
	for (;;)
	{
		int64		offset = 0;
		int32		j;
		int			axis;

		for (i = 0; i < ndim - 1; i++)
			offset += index[i] * stride[i];
		for (j = 0; j < dims[ndim - 1]; j++)
			out[produced++] = in[offset + j * stride[ndim - 1]];
		if ((produced & 0xFFFF) < (int64) dims[ndim - 1])
			CHECK_FOR_INTERRUPTS();
		for (axis = ndim - 2; axis >= 0; axis--)
		{
			if (++index[axis] < dims[axis])
				break;
			index[axis] = 0;
		}
		if (axis < 0)
			break;
	}
	Assert(produced == numel);
	return result;
}

PG_FUNCTION_INFO_V1(tensor_transpose);
Datum
tensor_transpose(PG_FUNCTION_ARGS)
{
	Tensor	   *t;
	int			perm[LINAL_MAX_RANK];
	int			i;

	t = tensor_header_from_datum(PG_GETARG_DATUM(0));
	if (t->ndim < 2)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));	/* nothing to swap: no copy */
	t = PG_GETARG_TENSOR_P(0);
	for (i = 0; i < t->ndim; i++)
		perm[i] = t->ndim - 1 - i;
	PG_RETURN_TENSOR_P(permute(t, perm));
}

PG_FUNCTION_INFO_V1(tensor_transpose_perm);
Datum
tensor_transpose_perm(PG_FUNCTION_ARGS)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	int			perm[LINAL_MAX_RANK];
	bool		seen[LINAL_MAX_RANK] = {false};
	int32	   *axes;
	int			n;
	int			i;

	if (ARR_NDIM(arr) > 1 || array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transpose takes a one-dimensional array of axes without NULLs")));
	n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	axes = (int32 *) ARR_DATA_PTR(arr);
	if (n != t->ndim)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("transpose needs one axis per dimension"),
				 errdetail("The tensor has shape %s; the permutation has %d axes.",
						   tensor_shape_string(t->ndim, t->dims), n)));
	for (i = 0; i < n; i++)
	{
		if (axes[i] < 1 || axes[i] > n || seen[axes[i] - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("transpose axes must be a permutation of 1 to %d", n),
					 errdetail("Axis %d at position %d is out of range or repeated.",
							   axes[i], i + 1)));
		seen[axes[i] - 1] = true;
		perm[i] = axes[i] - 1;
	}
	for (i = 0; i < n && perm[i] == i; i++)
		;
	if (i == n)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));	/* identity: no copy */
	PG_RETURN_TENSOR_P(permute(t, perm));
}
