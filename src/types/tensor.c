/*-------------------------------------------------------------------------
 *
 * tensor.c
 *	  Building tensors and describing their shapes: the one place where a
 *	  shape turns into an allocation, so the size limits are checked here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "types/tensor.h"
#include "types/tensor_parse.h"

/*
 * The canonical shape (see tensor_shape_check) of ndim/dims, refusing
 * (54000) any shape over the limits before a caller can allocate for it.
 */
static void
canonical_shape(int ndim, const int32 *dims, TensorShapeInfo *shape)
{
	TensorParseError err;
	int			i;

	if (ndim < 0 || ndim > LINAL_MAX_RANK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("tensor rank %d exceeds the maximum of %d", ndim, LINAL_MAX_RANK)));
	shape->ndim = ndim;
	for (i = 0; i < ndim; i++)
		shape->dims[i] = dims[i];
	if (tensor_shape_check(shape, &err) != TENSOR_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("tensor shape %s exceeds the size limits",
						tensor_shape_string(ndim, dims)),
				 errdetail("A tensor holds at most %d elements, at most %d per dimension.",
						   LINAL_MAX_ELEMENTS, LINAL_MAX_DIM)));
}

int64
tensor_shape_numel(int ndim, const int32 *dims)
{
	TensorShapeInfo shape;

	canonical_shape(ndim, dims, &shape);
	return shape.numel;
}

void		(*tensor_allocation_hook) (Size bytes) = NULL;

/*
 * A new tensor of the given shape (made canonical) in CurrentMemoryContext.
 * The header is set; the caller fills every element.
 */
static Tensor *
allocate_with_elemtype(int ndim, const int32 *dims, int elemtype)
{
	TensorShapeInfo shape;
	Size		bytes;
	Tensor	   *t;

	canonical_shape(ndim, dims, &shape);
	bytes = elemtype == LINAL_ELEM_FLOAT16 ? HALFTENSOR_BYTES(shape.ndim, shape.numel) :
		TENSOR_BYTES(shape.ndim, shape.numel);
	tensor_note_allocation(bytes);
	t = (Tensor *) palloc(bytes);
	memset(t, 0, TENSOR_HEADER_BYTES(shape.ndim));
	SET_VARSIZE(t, bytes);
	t->ndim = (uint8) shape.ndim;
	t->elemtype = (uint8) elemtype;
	if (shape.ndim > 0)
		memcpy(t->dims, shape.dims, sizeof(int32) * shape.ndim);
	return t;
}

Tensor *
tensor_allocate(int ndim, const int32 *dims)
{
	return allocate_with_elemtype(ndim, dims, LINAL_ELEM_FLOAT4);
}

Tensor *
halftensor_allocate(int ndim, const int32 *dims)
{
	return allocate_with_elemtype(ndim, dims, LINAL_ELEM_FLOAT16);
}

/*
 * A value whose header does not match its SQL type (tensor_check_value).
 * Input, recv and every constructor build consistent values, so this is
 * data corruption as far as linal can tell (XX001): a binary-coercing cast
 * between halftensor or bytea and tensor, or a damaged page.
 */
void
tensor_report_bad_value(const Tensor *t, int elemtype)
{
	const char *type_name = elemtype == LINAL_ELEM_FLOAT16 ? "halftensor" : "tensor";

	if (t->elemtype != elemtype)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("value of type %s has element type code %d, expected %d",
						type_name, t->elemtype, elemtype),
				 errdetail("Code %d is %s, %d is %s.", LINAL_ELEM_FLOAT4, "tensor (float4)",
						   LINAL_ELEM_FLOAT16, "halftensor (float16)"),
				 errhint("A cast WITHOUT FUNCTION between tensor, halftensor or bytea produces such values; "
						 "use the casts linal provides.")));
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("value of type %s is corrupted", type_name),
			 errdetail("Its header (rank %d) does not match its size of %u bytes.",
					   t->ndim, (unsigned) VARSIZE(t))));
}

Tensor *
tensor_allocate_like(const Tensor *t)
{
	return tensor_allocate(t->ndim, t->dims);
}

bool
tensor_same_shape(const Tensor *a, const Tensor *b)
{
	return a->ndim == b->ndim &&
		memcmp(a->dims, b->dims, sizeof(int32) * a->ndim) == 0;
}

/* "(2,3)" in CurrentMemoryContext, for messages. */
char *
tensor_shape_string(int ndim, const int32 *dims)
{
	char	   *out = palloc(TENSOR_SHAPE_STRING_BYTES);
	char	   *p = out;
	int			i;

	ndim = Min(Max(ndim, 0), LINAL_MAX_RANK);
	*p++ = '(';
	for (i = 0; i < ndim; i++)
		p += sprintf(p, i == 0 ? "%d" : ",%d", dims[i]);
	*p++ = ')';
	*p = '\0';
	return out;
}

/*
 * The header of a tensor datum, without fetching or copying its elements
 * when the value is stored out of line.  Only ndim and dims may be read.
 */
Tensor *
tensor_header_from_datum(Datum value)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(value);
	Tensor	   *t;

	if (!VARATT_IS_EXTENDED(raw))
		return tensor_check_value((Tensor *) raw, LINAL_ELEM_FLOAT4);	/* read in place */
	t = (Tensor *) PG_DETOAST_DATUM_SLICE(value, 0, TENSOR_HEADER_BYTES(LINAL_MAX_RANK));
	/* a slice: only the header can be checked */
	if (t->elemtype != LINAL_ELEM_FLOAT4 || t->ndim > LINAL_MAX_RANK)
		tensor_report_bad_value(t, LINAL_ELEM_FLOAT4);
	return t;
}
