/*-------------------------------------------------------------------------
 *
 * tensor_parse.h
 *	  Parsers for the tensor text and binary forms, free of Postgres
 *	  headers so the fuzz harness (fuzz/) links them outside the server.
 *
 * Each form is read in two passes.  The scan pass validates the whole input
 * and computes the shape without allocating anything; the caller then checks
 * the shape against the limits, allocates exactly numel floats and runs the
 * read pass, which converts the numbers.  A failure fills a TensorParseError
 * whose detail names the problem and its 1-based position.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LINAL_TENSOR_PARSE_H
#define LINAL_TENSOR_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "types/tensor_limits.h"

typedef enum TensorParseStatus
{
	TENSOR_PARSE_OK = 0,
	TENSOR_PARSE_SYNTAX,		/* malformed input (22P02 text, 22P03 binary) */
	TENSOR_PARSE_LIMIT,			/* rank or size above the limits (54000) */
	TENSOR_PARSE_OUT_OF_RANGE,	/* a number outside float4 (22003) */
	TENSOR_PARSE_INVALID_VALUE	/* well-formed, but against a rule of the type (22000);
								 * sparsetensor only */
} TensorParseStatus;

typedef struct TensorShapeInfo
{
	int			ndim;
	int32_t		dims[LINAL_MAX_RANK];
	int64_t		numel;
} TensorShapeInfo;

#define TENSOR_PARSE_DETAIL_BYTES 160

typedef struct TensorParseError
{
	TensorParseStatus status;
	size_t		position;		/* 1-based byte position of the problem */
	char		detail[TENSOR_PARSE_DETAIL_BYTES];	/* full sentence */
} TensorParseError;

/* Text form: "3.5" (rank 0), "[1,2]", "[[1,2],[3,4]]", "[]". */
extern TensorParseStatus tensor_text_scan(const char *text,
										  TensorShapeInfo *shape,
										  TensorParseError *err);
extern TensorParseStatus tensor_text_read(const char *text,
										  const TensorShapeInfo *shape,
										  float *data,
										  TensorParseError *err);

/*
 * Binary form, all integers and floats big-endian:
 *	int16 ndim, int16 element type (0 = float4), int32 dims[ndim],
 *	float4 data[numel].  The buffer must hold exactly that many bytes.
 */
extern TensorParseStatus tensor_binary_scan(const unsigned char *buf,
											size_t len_bytes,
											TensorShapeInfo *shape,
											TensorParseError *err);
extern TensorParseStatus tensor_binary_read(const unsigned char *buf,
											size_t len_bytes,
											const TensorShapeInfo *shape,
											float *data,
											TensorParseError *err);

/*
 * Checks dims against LINAL_MAX_DIM and the nominal-size limit, drops the
 * dimensions after a zero dimension (the canonical empty shape), sets numel.
 */
extern TensorParseStatus tensor_shape_check(TensorShapeInfo *shape,
											TensorParseError *err);

/*
 * Fills err: status, the 1-based position (offset is 0-based;
 * TENSOR_PARSE_NO_POSITION for problems of the whole value) and a detail
 * sentence from fmt.  Returns status.  Shared with sparsetensor_parse.c.
 */
#define TENSOR_PARSE_NO_POSITION ((size_t) -1)
extern TensorParseStatus tensor_parse_fail(TensorParseError *err, TensorParseStatus status,
										   size_t offset, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

#endif							/* LINAL_TENSOR_PARSE_H */
