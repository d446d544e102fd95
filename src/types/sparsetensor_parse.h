/*-------------------------------------------------------------------------
 *
 * sparsetensor_parse.h
 *	  Parsers for the sparsetensor text and binary forms, free of Postgres
 *	  headers so the fuzz harness (fuzz/) links them outside the server.
 *
 * As tensor_parse.h: a scan pass validates the input and measures it
 * without allocating; the caller checks the limits, allocates exactly what
 * the scan reported and runs the read pass.  Errors fill a TensorParseError;
 * TENSOR_PARSE_INVALID_VALUE (22000) is a position outside 1..dim, a
 * position given twice or a dimension below 1.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_SPARSETENSOR_PARSE_H
#define LINAL_SPARSETENSOR_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "types/tensor_parse.h"

/* one entry of the text form while it is being read */
typedef struct SparseTextEntry
{
	int64_t		index;			/* 0-based once read */
	float		value;
} SparseTextEntry;

/*
 * Text form "{i:v,...}/dim", positions 1-based, in any order.  The scan
 * sets *dim and *count (entries written, zeros included, at most
 * LINAL_SPARSE_MAX_NNZ).  The read fills entries[0 .. count), then sorts
 * them, refuses positions outside 1..dim and repeated ones, and drops the
 * zeros: entries[0 .. *nnz) are the stored elements, 0-based and increasing.
 */
extern TensorParseStatus sparse_text_scan(const char *text, int32_t *dim,
										  int64_t *count, TensorParseError *err);
extern TensorParseStatus sparse_text_read(const char *text, int32_t dim, int64_t count,
										  SparseTextEntry *entries, int64_t *nnz,
										  TensorParseError *err);

/*
 * Binary form, big-endian: int32 dim, int32 nnz, int32 flags (0),
 * int32 indices[nnz] (0-based, strictly increasing), float4 values[nnz]
 * (finite, non-zero); the buffer holds exactly that.  The scan checks the
 * header and the length, the read every index and value.
 */
extern TensorParseStatus sparse_binary_scan(const unsigned char *buf, size_t len_bytes,
											int32_t *dim, int32_t *nnz,
											TensorParseError *err);
extern TensorParseStatus sparse_binary_read(const unsigned char *buf, size_t len_bytes,
											int32_t nnz, int32_t *indices, float *values,
											TensorParseError *err);

#endif							/* LINAL_SPARSETENSOR_PARSE_H */
