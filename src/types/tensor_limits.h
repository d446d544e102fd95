/*-------------------------------------------------------------------------
 *
 * tensor_limits.h
 *	  The hard limits of the tensor type, shared by the server code and the
 *	  Postgres-free parsers (so the fuzz harness enforces the same limits).
 *
 * Why these numbers:
 *	- rank 8 covers every layout in practice (batch x channel x ... ) and
 *	  keeps the header at most 40 bytes;
 *	- 2^27 elements is 512 MiB of float4, half of Postgres's 1 GB allocation
 *	  limit, so a result plus its inputs still fit in one backend;
 *	- "nominal elements", the product of the dimensions with a zero
 *	  dimension counted as 1, obeys the same bound, so an empty tensor cannot
 *	  declare an astronomically large shape whose text form has no end.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_TENSOR_LIMITS_H
#define LINAL_TENSOR_LIMITS_H

#define LINAL_MAX_RANK 8
#define LINAL_MAX_ELEMENTS (1 << 27)
#define LINAL_MAX_DIM LINAL_MAX_ELEMENTS

/* typmod packs at most a matrix, each dimension in 15 bits (see tensor_typmod.c) */
#define LINAL_TYPMOD_MAX_MATRIX_DIM 32767

/*
 * sparsetensor (sparsetensor.h): a dimension as pgvector's sparsevec (10^9,
 * so every 1-based position fits int32) and at most 2^25 stored elements,
 * 256 MiB of storage and a text form under Postgres's 1 GB allocation limit
 * (an entry prints in at most 27 bytes).
 */
#define LINAL_SPARSE_MAX_DIM 1000000000
#define LINAL_SPARSE_MAX_NNZ (1 << 25)

/* element type codes stored in the header */
#define LINAL_ELEM_FLOAT4 0		/* tensor: float4 elements */
#define LINAL_ELEM_FLOAT16 1	/* halftensor: IEEE 754 binary16 elements, as uint16 */

#endif							/* LINAL_TENSOR_LIMITS_H */
