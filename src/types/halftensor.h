/*-------------------------------------------------------------------------
 *
 * halftensor.h
 *	  halftensor: the tensor layout (tensor.h) with elemtype
 *	  LINAL_ELEM_FLOAT16 and binary16 elements.  Conversions between the
 *	  two types and the tensor functions halftensor reuses.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_HALFTENSOR_H
#define LINAL_HALFTENSOR_H

#include "types/tensor.h"

/* float tensor -> halftensor, 22003 for an element beyond +-65504 */
extern Tensor *halftensor_from_tensor(const Tensor *t);
/* halftensor -> float tensor, exact */
extern Tensor *tensor_from_halftensor(const Tensor *h);

/* tensor functions that halftensor calls on float copies */
extern PGDLLEXPORT Datum array_to_tensor(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum tensor_to_float4_array(PG_FUNCTION_ARGS);

#endif							/* LINAL_HALFTENSOR_H */
