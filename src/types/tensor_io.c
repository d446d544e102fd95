/*-------------------------------------------------------------------------
 *
 * tensor_io.c
 *	  Text and binary input/output of the tensor type.
 *
 * Input goes through the Postgres-free parsers of tensor_parse.c; this file
 * turns their verdicts into errors with the right SQLSTATE, allocates the
 * result only once the shape is known to be within limits, and applies the
 * typmod.  Output writes the shortest decimal that reads back to the same
 * float (Ryu, as float4out does), so text round trips are exact.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "types/tensor.h"
#include "types/tensor_parse.h"

/* how much of a bad literal an error message quotes */
#define QUOTED_INPUT_CHARS 80

/* interrupt checks while writing text, every this many elements */
#define OUTPUT_INTERRUPT_STRIDE 65536

static char *
quoted_input(const char *input)
{
	size_t		len = strlen(input);

	if (len <= QUOTED_INPUT_CHARS)
		return pstrdup(input);
	/* cut on a character boundary: half a character breaks the message's encoding */
	return psprintf("%.*s...", pg_mbcliplen(input, QUOTED_INPUT_CHARS + 1, QUOTED_INPUT_CHARS),
					input);
}

/* type_name: "tensor", or "halftensor" when its input parses through here */
static void
report_parse_error(const TensorParseError *err, const char *input, const char *type_name)
{
	switch (err->status)
	{
		case TENSOR_PARSE_LIMIT:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s exceeds the size limits", type_name),
					 errdetail("%s", err->detail),
					 errhint("A tensor has at most %d dimensions and %d elements.",
							 LINAL_MAX_RANK, LINAL_MAX_ELEMENTS)));
			break;
		case TENSOR_PARSE_OUT_OF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s element is out of range for type real", type_name),
					 errdetail("%s", err->detail)));
			break;
		default:
			if (input != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid input syntax for type %s: \"%s\"",
								type_name, quoted_input(input)),
						 errdetail("%s", err->detail)));
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid binary representation for type %s", type_name),
						 errdetail("%s", err->detail)));
	}
}

/* A float tensor from the text form; errors name type_name. */
Tensor *
tensor_from_text(const char *input, const char *type_name)
{
	TensorShapeInfo shape;
	TensorParseError err;
	Tensor	   *t;

	if (tensor_text_scan(input, &shape, &err) != TENSOR_PARSE_OK)
		report_parse_error(&err, input, type_name);
	t = tensor_allocate(shape.ndim, shape.dims);
	if (tensor_text_read(input, &shape, TENSOR_DATA(t), &err) != TENSOR_PARSE_OK)
		report_parse_error(&err, input, type_name);
	return t;
}

PG_FUNCTION_INFO_V1(tensor_in);
Datum
tensor_in(PG_FUNCTION_ARGS)
{
	Tensor	   *t = tensor_from_text(PG_GETARG_CSTRING(0), "tensor");

	tensor_enforce_typmod(t, PG_GETARG_INT32(2));
	PG_RETURN_TENSOR_P(t);
}

/* Writes dimension `level` of t (and everything inside it) at p. */
static char *
write_level(char *p, const Tensor *t, int level, const float *data, int64 *next)
{
	int32		n = t->dims[level];
	int32		i;

	*p++ = '[';
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			*p++ = ',';
		if (level == t->ndim - 1)
		{
			if ((*next % OUTPUT_INTERRUPT_STRIDE) == 0)
				CHECK_FOR_INTERRUPTS();
			p += float_to_shortest_decimal_bufn(data[*next], p);
			(*next)++;
		}
		else
			p = write_level(p, t, level + 1, data, next);
	}
	*p++ = ']';
	return p;
}

/*
 * The longest text output: the cstring becomes a text datum (a 4-byte
 * header more) or a protocol row (a few bytes more), and either must stay
 * within MaxAllocSize.
 */
#define TEXT_OUTPUT_MAX_BYTES ((int64) MaxAllocSize - VARHDRSZ - 64)

/* brackets and commas: each list has "[", "]" and a comma between items */
static int64
text_punctuation_bytes(const Tensor *t)
{
	int64		bytes = 0;
	int64		lists_at_level = 1;
	int			level;

	for (level = 0; level < t->ndim; level++)
	{
		bytes += lists_at_level * (2 + Max(t->dims[level] - 1, 0));
		lists_at_level *= t->dims[level];
	}
	return bytes;
}

/*
 * The length of the text form without its NUL: a quick upper bound (every
 * number at its longest) when that fits TEXT_OUTPUT_MAX_BYTES, otherwise
 * the exact length, which costs a pass over the numbers; -1 when the text
 * does not fit.
 */
static int64
text_bytes(const Tensor *t)
{
	int64		numel = TENSOR_NUMEL(t);
	const float *data = TENSOR_DATA(t);
	int64		bytes = text_punctuation_bytes(t);
	char		digits[FLOAT_SHORTEST_DECIMAL_LEN];
	int64		i;

	if (bytes + numel * (FLOAT_SHORTEST_DECIMAL_LEN - 1) <= TEXT_OUTPUT_MAX_BYTES)
		return bytes + numel * (FLOAT_SHORTEST_DECIMAL_LEN - 1);
	for (i = 0; i < numel && bytes <= TEXT_OUTPUT_MAX_BYTES; i++)
	{
		if ((i % OUTPUT_INTERRUPT_STRIDE) == 0)
			CHECK_FOR_INTERRUPTS();
		bytes += float_to_shortest_decimal_bufn(data[i], digits);
	}
	return bytes <= TEXT_OUTPUT_MAX_BYTES ? bytes : -1;
}

PG_FUNCTION_INFO_V1(tensor_out);
Datum
tensor_out(PG_FUNCTION_ARGS)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	int64		bytes = text_bytes(t);
	int64		next = 0;
	char	   *out;
	char	   *end;

	if (bytes < 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("tensor of shape %s is too large for text output",
						tensor_shape_string(t->ndim, t->dims)),
				 errdetail("Its text form would take more than %lld bytes.",
						   (long long) TEXT_OUTPUT_MAX_BYTES),
				 errhint("Use binary output, such as COPY ... WITH (FORMAT binary).")));
	out = palloc(bytes + 1);
	if (t->ndim == 0)
		end = out + float_to_shortest_decimal_bufn(TENSOR_DATA(t)[0], out);
	else
		end = write_level(out, t, 0, TENSOR_DATA(t), &next);
	Assert(end - out <= bytes);
	*end = '\0';
	PG_FREE_IF_COPY(t, 0);
	PG_RETURN_CSTRING(out);
}

PG_FUNCTION_INFO_V1(tensor_recv);
Datum
tensor_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	const unsigned char *bytes = (const unsigned char *) buf->data + buf->cursor;
	size_t		len_bytes = (size_t) (buf->len - buf->cursor);
	TensorShapeInfo shape;
	TensorParseError err;
	Tensor	   *t;

	if (tensor_binary_scan(bytes, len_bytes, &shape, &err) != TENSOR_PARSE_OK)
		report_parse_error(&err, NULL, "tensor");
	t = tensor_allocate(shape.ndim, shape.dims);
	if (tensor_binary_read(bytes, len_bytes, &shape, TENSOR_DATA(t), &err) != TENSOR_PARSE_OK)
		report_parse_error(&err, NULL, "tensor");
	buf->cursor = buf->len;
	tensor_enforce_typmod(t, typmod);
	PG_RETURN_TENSOR_P(t);
}

PG_FUNCTION_INFO_V1(tensor_send);
Datum
tensor_send(PG_FUNCTION_ARGS)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	int64		numel = TENSOR_NUMEL(t);
	const float *data = TENSOR_DATA(t);
	StringInfoData buf;
	int64		i;
	int			d;

	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, 4 + 4 * t->ndim + 4 * numel);
	pq_sendint16(&buf, t->ndim);
	pq_sendint16(&buf, t->elemtype);
	for (d = 0; d < t->ndim; d++)
		pq_sendint32(&buf, t->dims[d]);
	for (i = 0; i < numel; i++)
		pq_sendfloat4(&buf, data[i]);
	PG_FREE_IF_COPY(t, 0);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
