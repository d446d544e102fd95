/*-------------------------------------------------------------------------
 *
 * halftensor.c
 *	  The halftensor type: tensor's layout with IEEE 754 binary16 elements
 *	  (half the bytes), its text and binary I/O, typmod and casts.
 *
 * Every half is exactly a float, so the text form, the array casts and
 * halftensor -> tensor go through a float tensor and reuse tensor's code;
 * float -> half rounds to nearest even and refuses (22003) any element
 * that would round beyond 65504, as pgvector's halfvec does.  The binary
 * form is tensor's with element type 1 and big-endian uint16 elements.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "libpq/pqformat.h"
#include "utils/array.h"

#include "kernels/kernels.h"
#include "types/halftensor.h"
#include "types/tensor_parse.h"

/*
 * The halftensor of a float tensor's values, in CurrentMemoryContext.
 * Float tensors hold finite values only, so a non-finite half is an
 * overflow.
 */
Tensor *
halftensor_from_tensor(const Tensor *t)
{
	Tensor	   *h = halftensor_allocate(t->ndim, t->dims);
	int64		numel = HALFTENSOR_NUMEL(h);
	const float *in = TENSOR_DATA(t);
	int64		i;

	if (!linal_float_to_half_array(in, HALFTENSOR_DATA(h), (size_t) numel))
	{
		for (i = 0; i < numel && linal_half_is_finite(HALFTENSOR_DATA(h)[i]); i++)
			;
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value %g is out of range for type halftensor", (double) in[Min(i, numel - 1)]),
				 errdetail("Element %lld; a halftensor element lies between -65504 and 65504.",
						   (long long) Min(i, numel - 1) + 1)));
	}
	return h;
}

/* The float tensor of a halftensor's values (exact), in CurrentMemoryContext. */
Tensor *
tensor_from_halftensor(const Tensor *h)
{
	Tensor	   *t = tensor_allocate(h->ndim, h->dims);

	linal_half_to_float_array(HALFTENSOR_DATA(h), TENSOR_DATA(t), (size_t) TENSOR_NUMEL(t));
	return t;
}

PG_FUNCTION_INFO_V1(halftensor_in);
Datum
halftensor_in(PG_FUNCTION_ARGS)
{
	int32		typmod = PG_GETARG_INT32(2);
	Tensor	   *h = halftensor_from_tensor(tensor_from_text(PG_GETARG_CSTRING(0), "halftensor"));

	tensor_enforce_typmod(h, typmod);
	PG_RETURN_POINTER(h);
}

PG_FUNCTION_INFO_V1(halftensor_out);
Datum
halftensor_out(PG_FUNCTION_ARGS)
{
	Tensor	   *h = PG_GETARG_HALFTENSOR_P(0);

	return DirectFunctionCall1(tensor_out, PointerGetDatum(tensor_from_halftensor(h)));
}

/* 22P03 with a detail, for a bad binary value */
static void
refuse_binary(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary representation for type halftensor"),
			 errdetail("%s", detail)));
}

/*
 * int16 ndim, int16 element type (1), int32 dims[ndim], uint16 data[numel],
 * all big-endian; the shape is checked before anything is allocated and
 * the message must end exactly after the data.
 */
PG_FUNCTION_INFO_V1(halftensor_recv);
Datum
halftensor_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	TensorShapeInfo shape;
	TensorParseError err;
	int			elemtype;
	Tensor	   *h;
	uint16	   *data;
	int64		numel;
	int64		i;
	int			d;

	if (buf->len - buf->cursor < 4)
		refuse_binary("The value is shorter than its 4-byte header.");
	shape.ndim = (int16) pq_getmsgint(buf, 2);
	elemtype = (int16) pq_getmsgint(buf, 2);
	if (shape.ndim < 0 || shape.ndim > LINAL_MAX_RANK)
		refuse_binary(psprintf("The rank %d is not between 0 and %d.", shape.ndim, LINAL_MAX_RANK));
	if (elemtype != LINAL_ELEM_FLOAT16)
		refuse_binary(psprintf("The element type code is %d; a halftensor has %d.",
							   elemtype, LINAL_ELEM_FLOAT16));
	if (buf->len - buf->cursor < 4 * shape.ndim)
		refuse_binary("The value ends inside its dimensions.");
	for (d = 0; d < shape.ndim; d++)
	{
		shape.dims[d] = (int32) pq_getmsgint(buf, 4);
		if (shape.dims[d] < 0)
			refuse_binary(psprintf("Dimension %d is negative (%d).", d + 1, shape.dims[d]));
	}
	if (tensor_shape_check(&shape, &err) != TENSOR_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("halftensor exceeds the size limits"),
				 errdetail("%s", err.detail)));
	if ((int64) (buf->len - buf->cursor) != 2 * shape.numel)
		refuse_binary(psprintf("The shape needs %lld data bytes, the value has %d.",
							   (long long) (2 * shape.numel), buf->len - buf->cursor));
	h = halftensor_allocate(shape.ndim, shape.dims);
	data = HALFTENSOR_DATA(h);
	numel = HALFTENSOR_NUMEL(h);
	for (i = 0; i < numel; i++)
	{
		data[i] = (uint16) pq_getmsgint(buf, 2);
		if (!linal_half_is_finite(data[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("NaN or Infinity is not allowed in a halftensor"),
					 errdetail("Element %lld is 0x%04x.", (long long) i + 1, data[i])));
	}
	tensor_enforce_typmod(h, typmod);
	PG_RETURN_POINTER(h);
}

PG_FUNCTION_INFO_V1(halftensor_send);
Datum
halftensor_send(PG_FUNCTION_ARGS)
{
	Tensor	   *h = PG_GETARG_HALFTENSOR_P(0);
	int64		numel = HALFTENSOR_NUMEL(h);
	const uint16 *data = HALFTENSOR_DATA(h);
	StringInfoData buf;
	int64		i;
	int			d;

	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, 4 + 4 * h->ndim + 2 * numel);
	pq_sendint16(&buf, h->ndim);
	pq_sendint16(&buf, h->elemtype);
	for (d = 0; d < h->ndim; d++)
		pq_sendint32(&buf, h->dims[d]);
	for (i = 0; i < numel; i++)
		pq_sendint16(&buf, data[i]);
	PG_FREE_IF_COPY(h, 0);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* halftensor(halftensor, typmod, explicit): the typmod coercion */
PG_FUNCTION_INFO_V1(halftensor_coerce_typmod);
Datum
halftensor_coerce_typmod(PG_FUNCTION_ARGS)
{
	int32		typmod = PG_GETARG_INT32(1);

	if (typmod >= 0)
		tensor_enforce_typmod(PG_GETARG_HALFTENSOR_P(0), typmod);
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

PG_FUNCTION_INFO_V1(tensor_to_halftensor);
Datum
tensor_to_halftensor(PG_FUNCTION_ARGS)
{
	Tensor	   *h = halftensor_from_tensor(PG_GETARG_TENSOR_P(0));

	tensor_enforce_typmod(h, PG_GETARG_INT32(1));
	PG_RETURN_POINTER(h);
}

PG_FUNCTION_INFO_V1(halftensor_to_tensor);
Datum
halftensor_to_tensor(PG_FUNCTION_ARGS)
{
	Tensor	   *t = tensor_from_halftensor(PG_GETARG_HALFTENSOR_P(0));

	tensor_enforce_typmod(t, PG_GETARG_INT32(1));
	PG_RETURN_TENSOR_P(t);
}

/* real[], double precision[], integer[], numeric[] -> halftensor, through tensor's cast */
PG_FUNCTION_INFO_V1(array_to_halftensor);
Datum
array_to_halftensor(PG_FUNCTION_ARGS)
{
	Datum		floats = DirectFunctionCall3(array_to_tensor, PG_GETARG_DATUM(0),
											 Int32GetDatum(-1), BoolGetDatum(false));
	Tensor	   *h = halftensor_from_tensor((Tensor *) DatumGetPointer(floats));

	tensor_enforce_typmod(h, PG_GETARG_INT32(1));
	PG_RETURN_POINTER(h);
}

PG_FUNCTION_INFO_V1(halftensor_to_float4_array);
Datum
halftensor_to_float4_array(PG_FUNCTION_ARGS)
{
	Tensor	   *t = tensor_from_halftensor(PG_GETARG_HALFTENSOR_P(0));

	return DirectFunctionCall1(tensor_to_float4_array, PointerGetDatum(t));
}
