/*-------------------------------------------------------------------------
 *
 * tensor_typmod.c
 *	  The type modifier of tensor: tensor(n) for vectors and tensor(r,c) for
 *	  matrices, and its enforcement on input, assignment and casts.
 *
 * A typmod is one non-negative int32, so the shape is packed into 31 bits:
 *	vector:  typmod = n                          1 <= n <= LINAL_MAX_DIM (2^27)
 *	matrix:  typmod = 2^30 | r << 15 | c         1 <= r, c <= 32767
 * Bit 30 tells the two apart because LINAL_MAX_DIM < 2^30.  Higher ranks
 * have no modifier; the column is then plain "tensor".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "types/tensor.h"

#define TYPMOD_MATRIX_FLAG (1 << 30)
#define TYPMOD_DIM_BITS 15
#define TYPMOD_DIM_MASK ((1 << TYPMOD_DIM_BITS) - 1)

StaticAssertDecl(LINAL_MAX_DIM < TYPMOD_MATRIX_FLAG, "vector typmods must not reach the matrix flag");
StaticAssertDecl(LINAL_TYPMOD_MAX_MATRIX_DIM == TYPMOD_DIM_MASK, "matrix typmod dimension limit");

/*
 * Unpacks a typmod into dims; returns the rank it constrains, or -1 when
 * the typmod constrains nothing.
 */
int
tensor_typmod_shape(int32 typmod, int32 *dims)
{
	if (typmod < 0)
		return -1;
	if (typmod & TYPMOD_MATRIX_FLAG)
	{
		dims[0] = (typmod >> TYPMOD_DIM_BITS) & TYPMOD_DIM_MASK;
		dims[1] = typmod & TYPMOD_DIM_MASK;
		return 2;
	}
	dims[0] = typmod;
	return 1;
}

/* Raises 22000 when t does not have the shape typmod declares. */
void
tensor_enforce_typmod(const Tensor *t, int32 typmod)
{
	int32		dims[2];
	int			ndim = tensor_typmod_shape(typmod, dims);

	if (ndim < 0)
		return;
	if (t->ndim != ndim || memcmp(t->dims, dims, sizeof(int32) * ndim) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("tensor shape does not match type %s%s",
						t->elemtype == LINAL_ELEM_FLOAT16 ? "halftensor" : "tensor",
						tensor_shape_string(ndim, dims)),
				 errdetail("Expected shape %s, got %s.",
						   tensor_shape_string(ndim, dims),
						   tensor_shape_string(t->ndim, t->dims))));
}

PG_FUNCTION_INFO_V1(tensor_typmod_in);
Datum
tensor_typmod_in(PG_FUNCTION_ARGS)
{
	ArrayType  *ta = PG_GETARG_ARRAYTYPE_P(0);
	int32	   *mods;
	int			n;
	int			i;

	mods = ArrayGetIntegerTypmods(ta, &n);
	if (n < 1 || n > 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("type modifier of tensor takes one or two dimensions, got %d", n),
				 errhint("Use tensor(n) for a vector, tensor(r,c) for a matrix, or unconstrained tensor for other ranks.")));
	for (i = 0; i < n; i++)
	{
		int32		limit = (n == 1) ? LINAL_MAX_DIM : LINAL_TYPMOD_MAX_MATRIX_DIM;

		if (mods[i] < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("dimensions of type tensor must be at least 1, got %d", mods[i])));
		if (mods[i] > limit)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("dimension %d of type tensor exceeds the maximum of %d",
							mods[i], limit),
					 n == 2 ? errhint("Declare larger matrices as unconstrained tensor.") : 0));
	}
	if (n == 1)
		PG_RETURN_INT32(mods[0]);
	PG_RETURN_INT32(TYPMOD_MATRIX_FLAG | (mods[0] << TYPMOD_DIM_BITS) | mods[1]);
}

PG_FUNCTION_INFO_V1(tensor_typmod_out);
Datum
tensor_typmod_out(PG_FUNCTION_ARGS)
{
	int32		typmod = PG_GETARG_INT32(0);
	int32		dims[2];
	int			ndim = tensor_typmod_shape(typmod, dims);

	if (ndim < 0)
		PG_RETURN_CSTRING(pstrdup(""));
	PG_RETURN_CSTRING(tensor_shape_string(ndim, dims));
}

/*
 * The length-coercion cast tensor -> tensor(...), used on assignment and ::.
 * It reads only the header slice and returns the value untouched, so a large
 * out-of-line value is neither fetched nor copied.
 */
PG_FUNCTION_INFO_V1(tensor_coerce_typmod);
Datum
tensor_coerce_typmod(PG_FUNCTION_ARGS)
{
	Datum		value = PG_GETARG_DATUM(0);
	int32		typmod = PG_GETARG_INT32(1);
	Tensor	   *header;

	if (typmod < 0)
		PG_RETURN_DATUM(value);
	header = tensor_header_from_datum(value);
	tensor_enforce_typmod(header, typmod);
	PG_RETURN_DATUM(value);
}
