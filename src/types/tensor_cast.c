/*-------------------------------------------------------------------------
 *
 * tensor_cast.c
 *	  Casts between tensor and real[], double precision[], integer[],
 *	  numeric[] and jsonb.
 *
 * Shapes map one to one: an n-dimensional array becomes a rank-n tensor and
 * back.  Where the two models differ the choice is:
 *	- an empty array ('{}', rank 0 for arrays) becomes the empty vector [];
 *	  any tensor with no elements becomes '{}';
 *	- a rank-0 tensor becomes a one-element array;
 *	- arrays have at most 6 dimensions, so rank 7 and 8 tensors do not cast;
 *	- NULL elements, NaN and infinities are refused; lower bounds are ignored.
 * Conversions follow the server's own scalar casts: float8 to float4 refuses
 * overflow and underflow, float4 to integer rounds to nearest even.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/tupmacs.h"
#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "types/tensor.h"

/* interrupt checks in element loops, every this many elements */
#define CAST_INTERRUPT_STRIDE 65536

/* index: of the array element being converted, or -1 for a lone number */
static void
refuse_non_finite(int64 index)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("NaN and Infinity are not allowed in a tensor"),
			 index >= 0 ? errdetail("Array element %lld is not a finite number.",
									(long long) index + 1) : 0));
}

static float
double_to_float_checked(double value, int64 index)
{
	float		result = (float) value;

	if (isnan(value) || isinf(value))
		refuse_non_finite(index);
	if (isinf(result) || (result == 0.0f && value != 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range for type real"),
				 index >= 0 ? errdetail("Array element %lld is %g.", (long long) index + 1, value) :
				 errdetail("The value is %g.", value)));
	return result;
}

PG_FUNCTION_INFO_V1(array_to_tensor);
Datum
array_to_tensor(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	Oid			elemtype = ARR_ELEMTYPE(array);
	int			ndim = ARR_NDIM(array);
	int32		empty_dims[1] = {0};
	const int32 *dims = ndim == 0 ? empty_dims : ARR_DIMS(array);
	Tensor	   *t;
	float	   *out;
	int64		numel;
	int64		i;

	if (array_contains_nulls(array))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("array must not contain nulls to become a tensor")));
	t = tensor_allocate(ndim == 0 ? 1 : ndim, dims);
	out = TENSOR_DATA(t);
	numel = TENSOR_NUMEL(t);

	switch (elemtype)
	{
		case FLOAT4OID:
			{
				const float *in = (const float *) ARR_DATA_PTR(array);

				for (i = 0; i < numel; i++)
				{
					if (!isfinite(in[i]))
						refuse_non_finite(i);
					out[i] = in[i];
				}
				break;
			}
		case FLOAT8OID:
			{
				const double *in = (const double *) ARR_DATA_PTR(array);

				for (i = 0; i < numel; i++)
					out[i] = double_to_float_checked(in[i], i);
				break;
			}
		case INT4OID:
			{
				const int32 *in = (const int32 *) ARR_DATA_PTR(array);

				for (i = 0; i < numel; i++)
					out[i] = (float) in[i];
				break;
			}
		case NUMERICOID:
			{
				Datum	   *elems;
				int			count;

				deconstruct_array(array, NUMERICOID, -1, false, TYPALIGN_INT,
								  &elems, NULL, &count);
				Assert(count == numel);
				for (i = 0; i < numel; i++)
				{
					Numeric		num = DatumGetNumeric(elems[i]);

					if ((i % CAST_INTERRUPT_STRIDE) == 0)
						CHECK_FOR_INTERRUPTS();
					if (numeric_is_nan(num) || numeric_is_inf(num))
						refuse_non_finite(i);
					out[i] = DatumGetFloat4(DirectFunctionCall1(numeric_float4,
																NumericGetDatum(num)));
				}
				pfree(elems);
				break;
			}
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("cannot cast %s to tensor", format_type_be(get_array_type(elemtype)))));
	}

	tensor_enforce_typmod(t, typmod);
	PG_RETURN_TENSOR_P(t);
}

/* Array dims for a tensor, following the mapping in the file header. */
static int
array_shape_of(const Tensor *t, int *dims, int *lbs)
{
	int			ndim = t->ndim;
	int			i;

	if (TENSOR_NUMEL(t) == 0)
		return 0;
	if (ndim == 0)
	{
		dims[0] = 1;
		lbs[0] = 1;
		return 1;
	}
	if (ndim > MAXDIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("tensor of rank %d cannot become an array", ndim),
				 errdetail("Arrays have at most %d dimensions.", MAXDIM),
				 errhint("Use reshape() to lower the rank first.")));
	for (i = 0; i < ndim; i++)
	{
		dims[i] = t->dims[i];
		lbs[i] = 1;
	}
	return ndim;
}

/* bytes: a lower bound of the array's size, already over MaxAllocSize */
static void
refuse_array_size(const Tensor *t, Oid elemtype, Size bytes)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("tensor of shape %s is too large for type %s",
					tensor_shape_string(t->ndim, t->dims),
					format_type_be(get_array_type(elemtype))),
			 errdetail("The array would take at least %zu bytes, more than the %zu an array may hold.",
					   bytes, (Size) MaxAllocSize),
			 errhint("Use a narrower element type, such as real[], or a slice of the tensor.")));
}

static ArrayType *
tensor_to_array(const Tensor *t, Oid elemtype)
{
	int			dims[MAXDIM];
	int			lbs[MAXDIM];
	int			ndim = array_shape_of(t, dims, lbs);
	int64		numel = TENSOR_NUMEL(t);
	const float *in = TENSOR_DATA(t);
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	Datum	   *elems;
	Size		array_bytes;
	int64		i;

	if (ndim == 0)
		return construct_empty_array(elemtype);
	/* a tensor at the element limit is one element too many for an array */
	if (numel > (int64) MaxArraySize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("tensor of %lld elements cannot become an array", (long long) numel),
				 errdetail("Arrays hold at most %d elements.", (int) MaxArraySize)));

	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);

	/*
	 * The array must fit MaxAllocSize: refuse before converting when it
	 * cannot (numerics take at least 8 bytes each, aligned), and while
	 * converting numerics once their exact size passes it, so a doomed cast
	 * does not first fill memory with a gigabyte of numerics.
	 */
	array_bytes = ARR_OVERHEAD_NONULLS(ndim) + (Size) (elmlen > 0 ? elmlen : 8) * numel;
	if (array_bytes > MaxAllocSize)
		refuse_array_size(t, elemtype, array_bytes);
	array_bytes = ARR_OVERHEAD_NONULLS(ndim);

	elems = palloc(sizeof(Datum) * numel);
	for (i = 0; i < numel; i++)
	{
		if ((i % CAST_INTERRUPT_STRIDE) == 0)
			CHECK_FOR_INTERRUPTS();
		switch (elemtype)
		{
			case FLOAT4OID:
				elems[i] = Float4GetDatum(in[i]);
				break;
			case FLOAT8OID:
				elems[i] = Float8GetDatum((double) in[i]);
				break;
			case INT4OID:
				{
					float		r = rintf(in[i]);

					if (!FLOAT4_FITS_IN_INT32(r))
						ereport(ERROR,
								(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
								 errmsg("integer out of range"),
								 errdetail("Tensor element %lld is %g.",
										   (long long) i + 1, (double) in[i])));
					elems[i] = Int32GetDatum((int32) r);
					break;
				}
			case NUMERICOID:
				{
					/* the shortest exact decimal, not float4_numeric's 6 digits */
					char		digits[FLOAT_SHORTEST_DECIMAL_LEN];

					float_to_shortest_decimal_buf(in[i], digits);
					elems[i] = DirectFunctionCall3(numeric_in, CStringGetDatum(digits),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1));
					array_bytes = att_addlength_datum(array_bytes, elmlen, elems[i]);
					array_bytes = att_align_nominal(array_bytes, elmalign);
					if (array_bytes > MaxAllocSize)
						refuse_array_size(t, elemtype, array_bytes);
					break;
				}
			default:
				elog(ERROR, "unexpected array element type %u", elemtype);
		}
	}
	return construct_md_array(elems, NULL, ndim, dims, lbs, elemtype,
							  elmlen, elmbyval, elmalign);
}

PG_FUNCTION_INFO_V1(tensor_to_float4_array);
Datum
tensor_to_float4_array(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(tensor_to_array(PG_GETARG_TENSOR_P(0), FLOAT4OID));
}

PG_FUNCTION_INFO_V1(tensor_to_float8_array);
Datum
tensor_to_float8_array(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(tensor_to_array(PG_GETARG_TENSOR_P(0), FLOAT8OID));
}

PG_FUNCTION_INFO_V1(tensor_to_int4_array);
Datum
tensor_to_int4_array(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(tensor_to_array(PG_GETARG_TENSOR_P(0), INT4OID));
}

PG_FUNCTION_INFO_V1(tensor_to_numeric_array);
Datum
tensor_to_numeric_array(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(tensor_to_array(PG_GETARG_TENSOR_P(0), NUMERICOID));
}

/*
 * The most elements one jsonb array may get while jsonb_in builds it: the
 * builder keeps an array's elements in one allocation of JsonbValues whose
 * capacity doubles, so the capacity (a power of two) must fit MaxAllocSize.
 */
static int64
jsonb_list_max_elements(void)
{
	int64		capacity = 1;

	while ((Size) (capacity * 2) * sizeof(JsonbValue) <= MaxAllocSize)
		capacity *= 2;
	return capacity;
}

/*
 * Refuses (54000) a tensor whose jsonb form cannot be built, before
 * jsonb_in allocates anything: a dimension longer than one jsonb array can
 * be, or a value surely over jsonb's size limit (JENTRY_OFFLENMASK bytes
 * for the outer array).  The size is a lower bound: 4 bytes of entry per
 * value, 6 bytes (the smallest numeric, zero) per number, 4 bytes of header
 * per nested array; so nothing jsonb could hold is refused.
 */
static void
check_jsonb_size(const Tensor *t)
{
	int64		max_elements = jsonb_list_max_elements();
	int64		lists = 0;
	int64		lists_at_level = 1;
	int64		numel = TENSOR_NUMEL(t);
	int64		min_bytes;
	int			level;

	for (level = 0; level < t->ndim; level++)
	{
		if (t->dims[level] > max_elements)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("tensor of shape %s is too large for jsonb",
							tensor_shape_string(t->ndim, t->dims)),
					 errdetail("A jsonb array holds at most %lld elements; dimension %d has %d.",
							   (long long) max_elements, level + 1, t->dims[level]),
					 errhint("Use the text or binary form, or reshape() the tensor first.")));
		lists += lists_at_level;
		lists_at_level *= t->dims[level];
	}
	min_bytes = 4 + 10 * numel + 8 * Max(lists - 1, 0);
	if (min_bytes > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("tensor of shape %s is too large for jsonb",
						tensor_shape_string(t->ndim, t->dims)),
				 errdetail("Its jsonb form would take at least %lld bytes; jsonb holds at most %d.",
						   (long long) min_bytes, JENTRY_OFFLENMASK),
				 errhint("Use the text or binary form instead.")));
}

/*
 * The text form is already JSON (nested arrays of numbers in shortest
 * round-trip notation), so jsonb comes from it; rank 0 gives a number.
 */
PG_FUNCTION_INFO_V1(tensor_to_jsonb);
Datum
tensor_to_jsonb(PG_FUNCTION_ARGS)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	Datum		text;

	check_jsonb_size(t);
	text = DirectFunctionCall1(tensor_out, PointerGetDatum(t));
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, text));
}

/* jsonb holding nested arrays of numbers (or a number) becomes a tensor. */
PG_FUNCTION_INFO_V1(jsonb_to_tensor);
Datum
jsonb_to_tensor(PG_FUNCTION_ARGS)
{
	Datum		text = DirectFunctionCall1(jsonb_out, PG_GETARG_DATUM(0));

	PG_RETURN_DATUM(DirectFunctionCall3(tensor_in, text,
										ObjectIdGetDatum(InvalidOid),
										Int32GetDatum(-1)));
}

/* A tensor with exactly one element (rank 0 or any rank) as a number. */
static float
single_element(const Tensor *t, const char *target)
{
	if (TENSOR_NUMEL(t) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("only a tensor with one element can become %s", target),
				 errdetail("The tensor has shape %s.", tensor_shape_string(t->ndim, t->dims)),
				 errhint("Pick an element with a subscript first, such as t[1]::%s.", target)));
	return TENSOR_DATA(t)[0];
}

PG_FUNCTION_INFO_V1(tensor_to_float4);
Datum
tensor_to_float4(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT4(single_element(PG_GETARG_TENSOR_P(0), "real"));
}

PG_FUNCTION_INFO_V1(tensor_to_float8);
Datum
tensor_to_float8(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8((double) single_element(PG_GETARG_TENSOR_P(0), "double precision"));
}

/* A number as a rank-0 tensor. */
PG_FUNCTION_INFO_V1(float8_to_tensor);
Datum
float8_to_tensor(PG_FUNCTION_ARGS)
{
	Tensor	   *t = tensor_allocate(0, NULL);

	TENSOR_DATA(t)[0] = double_to_float_checked(PG_GETARG_FLOAT8(0), -1);
	PG_RETURN_TENSOR_P(t);
}
