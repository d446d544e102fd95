/*-------------------------------------------------------------------------
 *
 * pgvector_halfvec_names.c
 *	  pgvector's halfvec aggregate transition functions under their
 *	  pgvector names: halfvec_accum, halfvec_combine and halfvec_avg, over
 *	  pgvector's state {count, sum_1, ..., sum_n} (pgvector_state.h).
 *
 * linal's own avg(halftensor) and sum(halftensor) do not use them; they
 * exist so that SQL written against pgvector's internals runs on
 * halftensors unchanged.  A row is widened to float exactly before it is
 * summed, and the mean is rounded back to half: 22003 if it leaves
 * +-65504.  (halfvec_cmp is halftensor_cmp under another SQL name.)
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "algebra/pgvector_state.h"
#include "types/halftensor.h"

/* halfvec_accum(state, halftensor) */
PG_FUNCTION_INFO_V1(halftensor_pgvector_accum);
Datum
halftensor_pgvector_accum(PG_FUNCTION_ARGS)
{
	Tensor	   *row = tensor_from_halftensor(PG_GETARG_HALFTENSOR_P(1));

	PG_RETURN_ARRAYTYPE_P(pgvector_state_accum(PG_GETARG_ARRAYTYPE_P(0), row,
											   "halfvec_accum"));
}

/* halfvec_combine(state, state) */
PG_FUNCTION_INFO_V1(halftensor_pgvector_combine);
Datum
halftensor_pgvector_combine(PG_FUNCTION_ARGS)
{
	PG_RETURN_ARRAYTYPE_P(pgvector_state_combine(PG_GETARG_ARRAYTYPE_P(0),
												 PG_GETARG_ARRAYTYPE_P(1), "halfvec_combine"));
}

/* halfvec_avg(state): the mean as a 1-d halftensor; NULL for no rows */
PG_FUNCTION_INFO_V1(halftensor_pgvector_avg);
Datum
halftensor_pgvector_avg(PG_FUNCTION_ARGS)
{
	Tensor	   *mean = pgvector_state_avg(PG_GETARG_ARRAYTYPE_P(0), "halfvec_avg");

	if (mean == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(halftensor_from_tensor(mean));
}
