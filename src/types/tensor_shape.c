/*-------------------------------------------------------------------------
 *
 * tensor_shape.c
 *	  shape(), ndim() and numel(): questions answered from the header alone,
 *	  so they never fetch the elements of a large out-of-line tensor.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"

#include "types/tensor.h"

PG_FUNCTION_INFO_V1(tensor_shape);
Datum
tensor_shape(PG_FUNCTION_ARGS)
{
	Tensor	   *header = tensor_header_from_datum(PG_GETARG_DATUM(0));
	Datum		dims[LINAL_MAX_RANK];
	int			i;

	if (header->ndim == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(INT4OID));
	for (i = 0; i < header->ndim; i++)
		dims[i] = Int32GetDatum(header->dims[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(dims, header->ndim, INT4OID,
										  sizeof(int32), true, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(tensor_ndim);
Datum
tensor_ndim(PG_FUNCTION_ARGS)
{
	Tensor	   *header = tensor_header_from_datum(PG_GETARG_DATUM(0));

	PG_RETURN_INT32(header->ndim);
}

PG_FUNCTION_INFO_V1(tensor_numel);
Datum
tensor_numel(PG_FUNCTION_ARGS)
{
	Tensor	   *header = tensor_header_from_datum(PG_GETARG_DATUM(0));
	int64		numel = 1;
	int			i;

	for (i = 0; i < header->ndim; i++)
		numel *= header->dims[i];
	PG_RETURN_INT32((int32) numel);
}
