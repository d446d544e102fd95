/*-------------------------------------------------------------------------
 *
 * pgvector_state.h
 *	  pgvector's avg state {count, sum_1, ..., sum_n} (a double precision
 *	  array): the workers behind vector_accum/combine/avg
 *	  (pgvector_more.c) and halfvec_accum/combine/avg
 *	  (pgvector_halfvec_names.c).  function names the SQL function in
 *	  error messages.  Results are in CurrentMemoryContext.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_PGVECTOR_STATE_H
#define LINAL_PGVECTOR_STATE_H

#include "utils/array.h"

#include "types/tensor.h"

/* the state with one more 1-d float tensor added */
extern ArrayType *pgvector_state_accum(ArrayType *state, const Tensor *t, const char *function);
/* two partial states as one */
extern ArrayType *pgvector_state_combine(ArrayType *a, ArrayType *b, const char *function);
/* the mean as a 1-d float tensor; NULL for a state of no rows */
extern Tensor *pgvector_state_avg(ArrayType *state, const char *function);

#endif							/* LINAL_PGVECTOR_STATE_H */
