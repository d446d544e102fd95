/*-------------------------------------------------------------------------
 *
 * pgvector_layout.h
 *	  pgvector's on-disk layout of vector and halfvec, as pgvector documents
 *	  it, so linal_pgvector can read and build those values without linking
 *	  against pgvector.
 *
 * Both types are one varlena: the 4-byte header, an int16 dimension count,
 * an int16 that is always 0, then dim elements (float4 for vector, IEEE
 * binary16 for halfvec).  pgvector accepts 1 to 16000 dimensions for both.
 * The offset of the elements is 8, a multiple of 4, so a detoasted value
 * (4-byte header, aligned) can be read in place.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_PGVECTOR_LAYOUT_H
#define LINAL_PGVECTOR_LAYOUT_H

#include "postgres.h"

/* pgvector's limits (vector and halfvec alike) */
#define PGVECTOR_MIN_DIM 1
#define PGVECTOR_MAX_DIM 16000

typedef struct PgvectorHeader
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int16		dim;			/* element count */
	int16		unused;			/* always 0 */
	/* dim elements follow */
} PgvectorHeader;

#define PGVECTOR_HEADER_BYTES	sizeof(PgvectorHeader)
#define PGVECTOR_BYTES(dim, elem_bytes) \
	(PGVECTOR_HEADER_BYTES + (Size) (elem_bytes) * (Size) (dim))
#define PGVECTOR_DATA(v)	((char *) (v) + PGVECTOR_HEADER_BYTES)

#endif							/* LINAL_PGVECTOR_LAYOUT_H */
