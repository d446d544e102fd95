/*-------------------------------------------------------------------------
 *
 * sparsetensor_parse.c
 *	  The text and binary parsers of sparsetensor (see sparsetensor_parse.h).
 *
 * The rules of tensor_parse.c hold here too: never read past the NUL
 * (text) or len_bytes (binary), never allocate, bound every loop by the
 * input length or by the count the scan reported.  fuzz/tensor_fuzz.c runs
 * both parsers.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "types/sparsetensor_parse.h"

#define NO_POSITION TENSOR_PARSE_NO_POSITION

/* the 12-byte binary header: dim, nnz, flags */
#define BINARY_HEADER_BYTES 12

typedef struct Cursor
{
	const char *text;
	const char *p;
} Cursor;

static size_t
offset_of(const Cursor *c)
{
	return (size_t) (c->p - c->text);
}

static void
skip_spaces(Cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r' ||
		   *c->p == '\v' || *c->p == '\f')
		c->p++;
}

static TensorParseStatus
expect_char(Cursor *c, char want, TensorParseError *err)
{
	skip_spaces(c);
	if (*c->p != want)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset_of(c),
								 "expected \"%c\"", want);
	c->p++;
	return TENSOR_PARSE_OK;
}

/*
 * An optionally signed decimal integer; values beyond int64's range
 * saturate (every caller refuses them with its own range check).
 */
static TensorParseStatus
parse_integer(Cursor *c, const char *what, int64_t *out, TensorParseError *err)
{
	bool		negative = false;
	int64_t		value = 0;

	skip_spaces(c);
	if (*c->p == '+' || *c->p == '-')
		negative = (*c->p++ == '-');
	if (*c->p < '0' || *c->p > '9')
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset_of(c), "expected %s", what);
	for (; *c->p >= '0' && *c->p <= '9'; c->p++)
	{
		if (value < INT64_MAX / 10)
			value = value * 10 + (*c->p - '0');
	}
	*out = negative ? -value : value;
	return TENSOR_PARSE_OK;
}

/* a float4 in decimal notation, range-checked as float4in does */
static TensorParseStatus
parse_value(Cursor *c, float *out, TensorParseError *err)
{
	const char *start;
	const char *q;
	char	   *end;
	float		value;

	skip_spaces(c);
	start = c->p;
	errno = 0;
	value = strtof(start, &end);
	if (end == start)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset_of(c), "expected a number");
	for (q = start; q < end; q++)
	{
		/* no hexadecimal, NaN or Infinity */
		if (!((*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' || *q == 'E' ||
			  *q == '+' || *q == '-'))
			return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset_of(c),
									 "expected a finite decimal number");
	}
	/* ERANGE with a denormal result is fine; with 0 or infinity it is not */
	if ((errno == ERANGE && (value == 0.0f || isinf(value))) || !isfinite(value))
	{
		size_t		len = (size_t) (end - start);

		return tensor_parse_fail(err, TENSOR_PARSE_OUT_OF_RANGE, offset_of(c),
								 "\"%.*s%s\" is out of range for type real",
								 (int) (len > 40 ? 40 : len), start, len > 40 ? "..." : "");
	}
	c->p = end;
	*out = value;
	return TENSOR_PARSE_OK;
}

/*
 * One pass over the text; with entries == NULL it only counts (the scan),
 * otherwise it stores up to max_count entries with their 1-based positions.
 */
static TensorParseStatus
walk_text(const char *text, SparseTextEntry *entries, int64_t max_count,
		  int64_t *dim, int64_t *count, TensorParseError *err)
{
	Cursor		c = {text, text};
	TensorParseStatus status;

	*count = 0;
	if ((status = expect_char(&c, '{', err)) != TENSOR_PARSE_OK)
		return status;
	skip_spaces(&c);
	if (*c.p == '}')
		c.p++;
	else
	{
		for (;;)
		{
			int64_t		index = 0;
			float		value = 0.0f;

			if ((status = parse_integer(&c, "a position", &index, err)) != TENSOR_PARSE_OK ||
				(status = expect_char(&c, ':', err)) != TENSOR_PARSE_OK ||
				(status = parse_value(&c, &value, err)) != TENSOR_PARSE_OK)
				return status;
			if (*count >= LINAL_SPARSE_MAX_NNZ)
				return tensor_parse_fail(err, TENSOR_PARSE_LIMIT, offset_of(&c),
										 "more than %d entries", LINAL_SPARSE_MAX_NNZ);
			if (entries != NULL)
			{
				if (*count >= max_count)
					return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset_of(&c),
											 "more entries than the scan counted");
				entries[*count].index = index;
				entries[*count].value = value;
			}
			(*count)++;
			skip_spaces(&c);
			if (*c.p == ',')
			{
				c.p++;
				continue;
			}
			if ((status = expect_char(&c, '}', err)) != TENSOR_PARSE_OK)
				return status;
			break;
		}
	}
	if ((status = expect_char(&c, '/', err)) != TENSOR_PARSE_OK ||
		(status = parse_integer(&c, "the dimension", dim, err)) != TENSOR_PARSE_OK)
		return status;
	skip_spaces(&c);
	if (*c.p != '\0')
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset_of(&c),
								 "unexpected text after the dimension");
	if (*dim < 1)
		return tensor_parse_fail(err, TENSOR_PARSE_INVALID_VALUE, NO_POSITION,
								 "the dimension is %lld, it must be at least 1", (long long) *dim);
	if (*dim > LINAL_SPARSE_MAX_DIM)
		return tensor_parse_fail(err, TENSOR_PARSE_LIMIT, NO_POSITION,
								 "the dimension %lld is above the maximum of %d",
								 (long long) *dim, LINAL_SPARSE_MAX_DIM);
	return TENSOR_PARSE_OK;
}

TensorParseStatus
sparse_text_scan(const char *text, int32_t *dim, int64_t *count, TensorParseError *err)
{
	int64_t		dim64;
	TensorParseStatus status = walk_text(text, NULL, 0, &dim64, count, err);

	if (status == TENSOR_PARSE_OK)
		*dim = (int32_t) dim64;
	return status;
}

static int
compare_entries(const void *a, const void *b)
{
	int64_t		ia = ((const SparseTextEntry *) a)->index;
	int64_t		ib = ((const SparseTextEntry *) b)->index;

	return (ia > ib) - (ia < ib);
}

TensorParseStatus
sparse_text_read(const char *text, int32_t dim, int64_t count, SparseTextEntry *entries,
				 int64_t *nnz, TensorParseError *err)
{
	int64_t		dim64;
	int64_t		found;
	int64_t		i;
	bool		sorted = true;
	TensorParseStatus status = walk_text(text, entries, count, &dim64, &found, err);

	if (status != TENSOR_PARSE_OK)
		return status;
	if (found != count || dim64 != dim)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, NO_POSITION,
								 "the text changed between scan and read");
	for (i = 1; i < count && sorted; i++)
		sorted = entries[i - 1].index < entries[i].index;
	if (!sorted)
		qsort(entries, (size_t) count, sizeof(SparseTextEntry), compare_entries);
	*nnz = 0;
	for (i = 0; i < count; i++)
	{
		if (entries[i].index < 1 || entries[i].index > dim)
			return tensor_parse_fail(err, TENSOR_PARSE_INVALID_VALUE, NO_POSITION,
									 "position %lld is outside 1 .. %d",
									 (long long) entries[i].index, dim);
		if (i > 0 && entries[i].index == entries[i - 1].index)
			return tensor_parse_fail(err, TENSOR_PARSE_INVALID_VALUE, NO_POSITION,
									 "position %lld appears more than once",
									 (long long) entries[i].index);
	}
	for (i = 0; i < count; i++)
	{
		if (entries[i].value == 0.0f)
			continue;
		entries[*nnz].index = entries[i].index - 1;
		entries[*nnz].value = entries[i].value;
		(*nnz)++;
	}
	return TENSOR_PARSE_OK;
}

static uint32_t
get_be32(const unsigned char *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

TensorParseStatus
sparse_binary_scan(const unsigned char *buf, size_t len_bytes, int32_t *dim, int32_t *nnz,
				   TensorParseError *err)
{
	int32_t		flags;

	if (len_bytes < BINARY_HEADER_BYTES)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, NO_POSITION,
								 "the value is shorter than its %d-byte header",
								 BINARY_HEADER_BYTES);
	*dim = (int32_t) get_be32(buf);
	*nnz = (int32_t) get_be32(buf + 4);
	flags = (int32_t) get_be32(buf + 8);
	if (*dim < 1)
		return tensor_parse_fail(err, TENSOR_PARSE_INVALID_VALUE, NO_POSITION,
								 "the dimension is %d, it must be at least 1", *dim);
	if (*dim > LINAL_SPARSE_MAX_DIM)
		return tensor_parse_fail(err, TENSOR_PARSE_LIMIT, NO_POSITION,
								 "the dimension %d is above the maximum of %d",
								 *dim, LINAL_SPARSE_MAX_DIM);
	if (*nnz < 0 || *nnz > *dim)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, NO_POSITION,
								 "the entry count %d is not between 0 and the dimension %d",
								 *nnz, *dim);
	if (*nnz > LINAL_SPARSE_MAX_NNZ)
		return tensor_parse_fail(err, TENSOR_PARSE_LIMIT, NO_POSITION,
								 "%d entries are more than the maximum of %d",
								 *nnz, LINAL_SPARSE_MAX_NNZ);
	if (flags != 0)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, NO_POSITION,
								 "the flags are %d, they must be 0", flags);
	if (len_bytes - BINARY_HEADER_BYTES != 8 * (size_t) *nnz)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, NO_POSITION,
								 "%d entries need %zu bytes, the value has %zu",
								 *nnz, 8 * (size_t) *nnz, len_bytes - BINARY_HEADER_BYTES);
	return TENSOR_PARSE_OK;
}

TensorParseStatus
sparse_binary_read(const unsigned char *buf, size_t len_bytes, int32_t nnz, int32_t *indices,
				   float *values, TensorParseError *err)
{
	int32_t		dim;
	int32_t		scanned;
	int32_t		i;
	TensorParseStatus status = sparse_binary_scan(buf, len_bytes, &dim, &scanned, err);

	if (status != TENSOR_PARSE_OK)
		return status;
	if (scanned != nnz)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, NO_POSITION,
								 "the entry count differs from the scan's");
	for (i = 0; i < nnz; i++)
	{
		indices[i] = (int32_t) get_be32(buf + BINARY_HEADER_BYTES + 4 * (size_t) i);
		if (indices[i] < 0 || indices[i] >= dim)
			return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, NO_POSITION,
									 "index %d (0-based) of entry %d is outside 0 .. %d",
									 indices[i], i + 1, dim - 1);
		if (i > 0 && indices[i] <= indices[i - 1])
			return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, NO_POSITION,
									 "the indices are not strictly increasing at entry %d",
									 i + 1);
	}
	for (i = 0; i < nnz; i++)
	{
		uint32_t	bits = get_be32(buf + BINARY_HEADER_BYTES + 4 * (size_t) nnz + 4 * (size_t) i);

		memcpy(&values[i], &bits, sizeof(float));
		if (!isfinite(values[i]))
			return tensor_parse_fail(err, TENSOR_PARSE_OUT_OF_RANGE, NO_POSITION,
									 "value %d is NaN or infinite", i + 1);
		if (values[i] == 0.0f)
			return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, NO_POSITION,
									 "value %d is zero; only non-zero elements are stored",
									 i + 1);
	}
	return TENSOR_PARSE_OK;
}
