/*-------------------------------------------------------------------------
 *
 * construct.c
 *	  Making tensors from a shape: tensor_fill(shape, value), numpy's full()
 *	  (and zeros() with the default value).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/array.h"

#include "algebra/algebra.h"

PG_FUNCTION_INFO_V1(tensor_fill);
Datum
tensor_fill(PG_FUNCTION_ARGS)
{
	ArrayType  *shape = PG_GETARG_ARRAYTYPE_P(0);
	double		value = PG_GETARG_FLOAT8(1);
	float		v = (float) value;
	int32	   *dims;
	int			ndim;
	Tensor	   *result;
	float	   *out;
	int64		numel;
	int64		i;

	if (ARR_NDIM(shape) > 1 || array_contains_nulls(shape))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tensor_fill takes a one-dimensional array of dimensions without NULLs")));
	if (!isfinite(value) || isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("fill value %g is not a finite float4", value)));
	/* underflow is out of range too, as float4 input has it */
	if (v == 0.0f && value != 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range for type real"),
				 errdetail("The fill value %g does not fit float4.", value)));
	ndim = ArrayGetNItems(ARR_NDIM(shape), ARR_DIMS(shape));
	dims = (int32 *) ARR_DATA_PTR(shape);
	for (i = 0; i < ndim; i++)
		if (dims[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("tensor_fill dimension %d is negative (%d)", (int) i + 1, dims[i])));
	result = tensor_allocate(ndim, dims);	/* checks rank and size limits */
	out = TENSOR_DATA(result);
	numel = TENSOR_NUMEL(result);
	for (i = 0; i < numel; i++)
	{
		if ((i & 0xFFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		out[i] = v;
	}
	PG_RETURN_TENSOR_P(result);
}
