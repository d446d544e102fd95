/*-------------------------------------------------------------------------
 *
 * reshape.c
 *	  Shape changes that keep the elements in order: reshape() and
 *	  flatten().  Each copies the data exactly once into the new value.
 *
 * reshape takes the new dimensions as an integer array; one of them may be
 * -1 and is inferred from the element count.  The element count must not
 * change.  As everywhere, the result's shape is canonical: nothing follows
 * a zero dimension.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"

#include "algebra/algebra.h"

static Tensor *
copy_with_shape(const Tensor *t, int ndim, const int32 *dims)
{
	Tensor	   *result = tensor_allocate(ndim, dims);

	memcpy(TENSOR_DATA(result), TENSOR_DATA(t), sizeof(float) * TENSOR_NUMEL(t));
	return result;
}

PG_FUNCTION_INFO_V1(tensor_reshape);
Datum
tensor_reshape(PG_FUNCTION_ARGS)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	ArrayType  *shape = PG_GETARG_ARRAYTYPE_P(1);
	int64		numel = TENSOR_NUMEL(t);
	int32		dims[LINAL_MAX_RANK];
	int32	   *wanted;
	int			ndim;
	int			infer = -1;
	int64		known = 1;
	int			i;

	if (ARR_NDIM(shape) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reshape takes a one-dimensional array of dimensions")));
	if (array_contains_nulls(shape))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("reshape dimensions must not be NULL")));
	ndim = ArrayGetNItems(ARR_NDIM(shape), ARR_DIMS(shape));
	if (ndim > LINAL_MAX_RANK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("reshape to %d dimensions exceeds the maximum rank of %d",
						ndim, LINAL_MAX_RANK)));
	wanted = (int32 *) ARR_DATA_PTR(shape);

	for (i = 0; i < ndim; i++)
	{
		if (wanted[i] == -1)
		{
			if (infer >= 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("reshape allows only one -1 dimension")));
			infer = i;
			continue;
		}
		if (wanted[i] < 0 || wanted[i] > LINAL_MAX_DIM)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("reshape dimension %d is %d; dimensions are -1 or 0 to %d",
							i + 1, wanted[i], LINAL_MAX_DIM)));
		dims[i] = wanted[i];
		known *= wanted[i];
		if (known > LINAL_MAX_ELEMENTS)
			known = LINAL_MAX_ELEMENTS + 1;	/* stays a mismatch, never overflows */
	}
	if (infer >= 0)
	{
		if (known == 0 || numel % known != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("cannot infer the -1 dimension of reshape"),
					 errdetail("%lld elements do not divide into the other dimensions (product %lld).",
							   (long long) numel, (long long) known)));
		dims[infer] = (int32) (numel / known);
		known = numel;
	}
	if (known > LINAL_MAX_ELEMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("reshape must keep the number of elements"),
				 errdetail("Shape %s holds %lld elements, the new shape %s holds more than %d.",
						   tensor_shape_string(t->ndim, t->dims), (long long) numel,
						   tensor_shape_string(ndim, dims), LINAL_MAX_ELEMENTS)));
	if (known != numel)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("reshape must keep the number of elements"),
				 errdetail("Shape %s holds %lld elements, the new shape %s holds %lld.",
						   tensor_shape_string(t->ndim, t->dims), (long long) numel,
						   tensor_shape_string(ndim, dims), (long long) known)));
	PG_RETURN_TENSOR_P(copy_with_shape(t, ndim, dims));
}

PG_FUNCTION_INFO_V1(tensor_flatten);
Datum
tensor_flatten(PG_FUNCTION_ARGS)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	int32		numel = (int32) TENSOR_NUMEL(t);

	if (t->ndim == 1)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));	/* already flat: no copy */
	PG_RETURN_TENSOR_P(copy_with_shape(t, 1, &numel));
}
