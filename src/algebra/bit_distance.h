/*-------------------------------------------------------------------------
 *
 * bit_distance.h
 *	  Hamming and Jaccard distance of two PostgreSQL bit strings
 *	  (bit_distance.c), for the SQL functions and for index support code.
 *
 * Both raise 22026 when the lengths differ, ignore padding bits past the
 * length, and check for interrupts on long strings.  Jaccard distance is 1
 * when the strings share no set bit (two all-zero strings included), as in
 * pgvector.  Arguments must be detoasted (PG_GETARG_VARBIT_P).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_BIT_DISTANCE_H
#define LINAL_BIT_DISTANCE_H

#include "postgres.h"

#include "utils/varbit.h"

extern double linal_varbit_hamming_distance(const VarBit *a, const VarBit *b);
extern double linal_varbit_jaccard_distance(const VarBit *a, const VarBit *b);

#endif							/* LINAL_BIT_DISTANCE_H */
