/*-------------------------------------------------------------------------
 *
 * tensor_parse.c
 *	  The text and binary parsers of the tensor type (see tensor_parse.h).
 *
 * Untrusted bytes come through here, so the code keeps to three rules: it
 * never reads past the terminating NUL (text) or len_bytes (binary), it never
 * allocates, and every loop is bounded by the input length.  The fuzz harness
 * in fuzz/ holds it to them.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/tensor_parse.h"

/* offset for problems of the whole shape rather than of one spot */
#define NO_POSITION TENSOR_PARSE_NO_POSITION

/* what the scanner expects next inside a list */
typedef enum ListState
{
	EXPECT_ITEM_OR_CLOSE,		/* just after '[' */
	EXPECT_ITEM,				/* just after ',' */
	EXPECT_COMMA_OR_CLOSE		/* just after an item */
} ListState;

TensorParseStatus
tensor_parse_fail(TensorParseError *err, TensorParseStatus status, size_t offset,
				  const char *fmt,...)
{
	va_list		args;
	char		what[TENSOR_PARSE_DETAIL_BYTES - 40];	/* room for "At position N: " */

	va_start(args, fmt);
	vsnprintf(what, sizeof(what), fmt, args);
	va_end(args);

	err->status = status;
	if (offset == NO_POSITION)
	{
		err->position = 0;
		if (what[0] >= 'a' && what[0] <= 'z')
			what[0] = (char) (what[0] - 'a' + 'A');
		snprintf(err->detail, sizeof(err->detail), "%s.", what);
	}
	else
	{
		err->position = offset + 1;
		snprintf(err->detail, sizeof(err->detail), "At position %zu: %s.",
				 err->position, what);
	}
	return status;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
		c == '\f';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *
skip_spaces(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/* Describes an unexpected byte so that the message stays printable. */
static void
describe_char(char c, char *out, size_t out_bytes)
{
	unsigned char u = (unsigned char) c;

	if (c == '\0')
		snprintf(out, out_bytes, "end of input");
	else if (u >= 0x20 && u < 0x7f)
		snprintf(out, out_bytes, "character \"%c\"", c);
	else
		snprintf(out, out_bytes, "byte 0x%02X", u);
}

static bool
word_matches(const char *p, const char *word)
{
	size_t		i;

	for (i = 0; word[i] != '\0'; i++)
	{
		char		c = p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char) (c - 'A' + 'a');
		if (c != word[i])
			return false;
	}
	return true;
}

/*
 * Returns the length of the number token at p, or 0 if there is none:
 * [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)?
 * Hex floats, "nan" and "inf" are not numbers here.
 */
static size_t
number_length(const char *p)
{
	const char *q = p;
	bool		mantissa_digits = false;

	if (*q == '+' || *q == '-')
		q++;
	while (is_digit(*q))
	{
		q++;
		mantissa_digits = true;
	}
	if (*q == '.')
	{
		q++;
		while (is_digit(*q))
		{
			q++;
			mantissa_digits = true;
		}
	}
	if (!mantissa_digits)
		return 0;
	if (*q == 'e' || *q == 'E')
	{
		const char *e = q + 1;

		if (*e == '+' || *e == '-')
			e++;
		if (is_digit(*e))
		{
			while (is_digit(*e))
				e++;
			q = e;
		}
	}
	return (size_t) (q - p);
}

static bool
is_number_end(char c)
{
	return c == '\0' || c == ',' || c == ']' || is_space(c);
}

/* Scans one number token at p; on success sets *end past it. */
static TensorParseStatus
scan_number(const char *text, const char *p, const char **end,
			TensorParseError *err)
{
	size_t		len = number_length(p);
	const char *w = (*p == '+' || *p == '-') ? p + 1 : p;
	char		what[32];

	if (len > 0 && is_number_end(p[len]))
	{
		*end = p + len;
		return TENSOR_PARSE_OK;
	}
	if (word_matches(w, "nan") || word_matches(w, "inf"))
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, (size_t) (p - text),
						  "NaN and Infinity are not allowed in a tensor");
	describe_char(p[len], what, sizeof(what));
	if (len == 0)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, (size_t) (p - text),
						  "expected a number, found %s", what);
	return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, (size_t) (p + len - text),
					  "unexpected %s in a number", what);
}

TensorParseStatus
tensor_shape_check(TensorShapeInfo *shape, TensorParseError *err)
{
	int64_t		numel = 1;
	int64_t		nominal = 1;
	int			i;

	if (shape->ndim < 0 || shape->ndim > LINAL_MAX_RANK)
		return tensor_parse_fail(err, TENSOR_PARSE_LIMIT, NO_POSITION,
						  "a tensor has at most %d dimensions, found %d",
						  LINAL_MAX_RANK, shape->ndim);
	for (i = 0; i < shape->ndim; i++)
	{
		int32_t		d = shape->dims[i];

		if (d < 0 || d > LINAL_MAX_DIM)
			return tensor_parse_fail(err, TENSOR_PARSE_LIMIT, NO_POSITION,
							  "dimension %d has %ld elements; the limit is 0 to %d",
							  i + 1, (long) d, LINAL_MAX_DIM);
		numel *= d;
		nominal *= (d == 0 ? 1 : d);
		/* both stay below 2^27 * 2^27 before this check stops them */
		if (nominal > LINAL_MAX_ELEMENTS)
			return tensor_parse_fail(err, TENSOR_PARSE_LIMIT, NO_POSITION,
							  "the shape holds more than %d elements (a zero dimension counts as 1)",
							  LINAL_MAX_ELEMENTS);
	}

	/*
	 * Canonical form: nothing follows a zero dimension.  The text form of
	 * an empty tensor cannot show dimensions inside an empty list ((0,5)
	 * prints as "[]"), so they are dropped here, the way Postgres turns
	 * every empty array into '{}'; then text and binary round trips agree.
	 */
	for (i = 0; i < shape->ndim; i++)
		if (shape->dims[i] == 0)
		{
			int			j;

			for (j = i + 1; j < shape->ndim; j++)
				shape->dims[j] = 0;
			shape->ndim = i + 1;
			break;
		}
	shape->numel = numel;
	return TENSOR_PARSE_OK;
}

TensorParseStatus
tensor_text_scan(const char *text, TensorShapeInfo *shape,
				 TensorParseError *err)
{
	const char *p = skip_spaces(text);
	int32_t		count[LINAL_MAX_RANK];
	int			depth = 0;
	int			ndim = -1;
	ListState	state = EXPECT_ITEM_OR_CLOSE;
	char		what[32];
	int			i;

	memset(shape, 0, sizeof(*shape));
	for (i = 0; i < LINAL_MAX_RANK; i++)
		shape->dims[i] = -1;

	if (*p != '[')
	{
		/* a rank-0 tensor is a bare number */
		const char *end;

		if (*p == '\0')
			return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, (size_t) (p - text),
							  "empty input; a tensor starts with \"[\" or is a number");
		if (scan_number(text, p, &end, err) != TENSOR_PARSE_OK)
			return err->status;
		p = skip_spaces(end);
		if (*p != '\0')
		{
			describe_char(*p, what, sizeof(what));
			return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, (size_t) (p - text),
							  "unexpected %s after the number", what);
		}
		shape->ndim = 0;
		shape->numel = 1;
		return TENSOR_PARSE_OK;
	}

	for (;;)
	{
		size_t		offset;

		p = skip_spaces(p);
		offset = (size_t) (p - text);

		if (*p == '[')
		{
			if (state == EXPECT_COMMA_OR_CLOSE)
				return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
								  "expected \",\" or \"]\", found \"[\"");
			if (ndim >= 0 && depth >= ndim)
				return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
								  "nesting is ragged, expected a number but found \"[\"");
			if (depth >= LINAL_MAX_RANK)
				return tensor_parse_fail(err, TENSOR_PARSE_LIMIT, offset,
								  "a tensor has at most %d dimensions; this \"[\" opens dimension %d",
								  LINAL_MAX_RANK, depth + 1);
			if (depth > 0)
			{
				int			level = depth - 1;

				count[level]++;
				if (shape->dims[level] >= 0 && count[level] > shape->dims[level])
					return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
									  "dimension %d is ragged, expected %ld elements but found more",
									  level + 1, (long) shape->dims[level]);
				if (count[level] > LINAL_MAX_DIM)
					return tensor_parse_fail(err, TENSOR_PARSE_LIMIT, offset,
									  "dimension %d has more than %d elements",
									  level + 1, LINAL_MAX_DIM);
			}
			count[depth] = 0;
			depth++;
			state = EXPECT_ITEM_OR_CLOSE;
			p++;
		}
		else if (*p == ']')
		{
			int			level = depth - 1;

			if (state == EXPECT_ITEM)
				return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
								  "expected a value after \",\", found \"]\"");
			if (count[level] == 0)
			{
				/* an empty list is innermost: it fixes the rank */
				if (ndim < 0)
					ndim = depth;
				else if (ndim != depth)
					return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
									  "nesting is ragged, an empty list at depth %d in a tensor of %d dimensions",
									  depth, ndim);
			}
			if (shape->dims[level] < 0)
				shape->dims[level] = count[level];
			else if (shape->dims[level] != count[level])
				return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
								  "dimension %d is ragged, expected %ld elements but found %ld",
								  level + 1, (long) shape->dims[level],
								  (long) count[level]);
			depth--;
			state = EXPECT_COMMA_OR_CLOSE;
			p++;
			if (depth == 0)
				break;
		}
		else if (*p == ',')
		{
			if (state != EXPECT_COMMA_OR_CLOSE)
				return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
								  "expected a value, found \",\"");
			state = EXPECT_ITEM;
			p++;
		}
		else if (*p == '\0')
			return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
							  "unexpected end of input, %d bracket%s still open",
							  depth, depth == 1 ? "" : "s");
		else
		{
			const char *end;
			int			level = depth - 1;

			if (state == EXPECT_COMMA_OR_CLOSE)
			{
				describe_char(*p, what, sizeof(what));
				return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
								  "expected \",\" or \"]\", found %s", what);
			}
			if (scan_number(text, p, &end, err) != TENSOR_PARSE_OK)
				return err->status;
			if (ndim < 0)
				ndim = depth;
			else if (ndim != depth)
				return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
								  "nesting is ragged, expected \"[\" but found a number");
			count[level]++;
			if (shape->dims[level] >= 0 && count[level] > shape->dims[level])
				return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
								  "dimension %d is ragged, expected %ld elements but found more",
								  level + 1, (long) shape->dims[level]);
			if (count[level] > LINAL_MAX_DIM)
				return tensor_parse_fail(err, TENSOR_PARSE_LIMIT, offset,
								  "dimension %d has more than %d elements",
								  level + 1, LINAL_MAX_DIM);
			state = EXPECT_COMMA_OR_CLOSE;
			p = end;
		}
	}

	p = skip_spaces(p);
	if (*p != '\0')
	{
		describe_char(*p, what, sizeof(what));
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, (size_t) (p - text),
						  "unexpected %s after the closing bracket", what);
	}

	shape->ndim = ndim;
	for (i = ndim; i < LINAL_MAX_RANK; i++)
		shape->dims[i] = 0;
	return tensor_shape_check(shape, err);
}

/* Converts one validated number token; float4 range as float4in checks it. */
static TensorParseStatus
convert_number(const char *text, const char *p, const char **end, float *out,
			   TensorParseError *err)
{
	float		value;

	errno = 0;
	value = strtof(p, (char **) end);
	if (*end == p)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, (size_t) (p - text),
						  "expected a number");
	/* ERANGE with a denormal result is fine; with 0 or infinity it is not */
	if ((errno == ERANGE && (value == 0.0f || isinf(value))) || !isfinite(value))
	{
		size_t		len = (size_t) (*end - p);

		return tensor_parse_fail(err, TENSOR_PARSE_OUT_OF_RANGE, (size_t) (p - text),
						  "\"%.*s%s\" is out of range for type real",
						  (int) (len > 40 ? 40 : len), p, len > 40 ? "..." : "");
	}
	*out = value;
	return TENSOR_PARSE_OK;
}

TensorParseStatus
tensor_text_read(const char *text, const TensorShapeInfo *shape, float *data,
				 TensorParseError *err)
{
	const char *p = text;
	int64_t		n = 0;

	while (*p != '\0')
	{
		const char *end;

		if (*p == '[' || *p == ']' || *p == ',' || is_space(*p))
		{
			p++;
			continue;
		}
		if (n >= shape->numel)
			return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, (size_t) (p - text),
							  "more numbers than the scanned shape holds");
		if (convert_number(text, p, &end, &data[n], err) != TENSOR_PARSE_OK)
			return err->status;
		n++;
		p = end;
	}
	if (n != shape->numel)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, (size_t) (p - text),
						  "fewer numbers than the scanned shape holds");
	return TENSOR_PARSE_OK;
}

static uint32_t
read_be32(const unsigned char *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
		((uint32_t) p[2] << 8) | (uint32_t) p[3];
}

static uint16_t
read_be16(const unsigned char *p)
{
	return (uint16_t) (((uint16_t) p[0] << 8) | (uint16_t) p[1]);
}

#define BINARY_HEADER_BYTES 4

TensorParseStatus
tensor_binary_scan(const unsigned char *buf, size_t len_bytes,
				   TensorShapeInfo *shape, TensorParseError *err)
{
	int16_t		ndim;
	uint16_t	elemtype;
	size_t		data_offset;
	int			i;

	memset(shape, 0, sizeof(*shape));
	if (len_bytes < BINARY_HEADER_BYTES)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, len_bytes,
						  "message of %zu bytes is shorter than the 4-byte header",
						  len_bytes);
	ndim = (int16_t) read_be16(buf);
	elemtype = read_be16(buf + 2);
	if (ndim < 0 || ndim > LINAL_MAX_RANK)
		return tensor_parse_fail(err, ndim < 0 ? TENSOR_PARSE_SYNTAX : TENSOR_PARSE_LIMIT,
						  0, "rank %d is outside 0 to %d", ndim, LINAL_MAX_RANK);
	if (elemtype != LINAL_ELEM_FLOAT4)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, 2,
						  "unknown element type %u", (unsigned) elemtype);
	data_offset = BINARY_HEADER_BYTES + sizeof(int32_t) * (size_t) ndim;
	if (len_bytes < data_offset)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, len_bytes,
						  "message ends inside the %d dimensions", ndim);
	shape->ndim = ndim;
	for (i = 0; i < ndim; i++)
	{
		int32_t		d = (int32_t) read_be32(buf + BINARY_HEADER_BYTES + 4 * i);

		if (d < 0)
			return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, BINARY_HEADER_BYTES + 4 * i,
							  "dimension %d is negative (%ld)", i + 1, (long) d);
		shape->dims[i] = d;
	}
	if (tensor_shape_check(shape, err) != TENSOR_PARSE_OK)
		return err->status;
	if (len_bytes - data_offset != (size_t) shape->numel * sizeof(float))
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, data_offset,
						  "%lld elements need %lld bytes of data, found %zu",
						  (long long) shape->numel, (long long) shape->numel * 4,
						  len_bytes - data_offset);
	return TENSOR_PARSE_OK;
}

TensorParseStatus
tensor_binary_read(const unsigned char *buf, size_t len_bytes,
				   const TensorShapeInfo *shape, float *data,
				   TensorParseError *err)
{
	size_t		offset;
	int64_t		i;

	/* the message's own rank: the canonical shape may have dropped dims */
	if (len_bytes < BINARY_HEADER_BYTES)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, 0, "message shorter than its header");
	offset = BINARY_HEADER_BYTES + sizeof(int32_t) * (size_t) read_be16(buf);

	if (offset + (size_t) shape->numel * sizeof(float) != len_bytes)
		return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
						  "data length does not match the scanned shape");
	for (i = 0; i < shape->numel; i++, offset += 4)
	{
		uint32_t	bits = read_be32(buf + offset);
		float		value;

		memcpy(&value, &bits, sizeof(value));
		if (!isfinite(value))
			return tensor_parse_fail(err, TENSOR_PARSE_SYNTAX, offset,
							  "element %lld is NaN or Infinity, which a tensor does not allow",
							  (long long) i + 1);
		data[i] = value;
	}
	return TENSOR_PARSE_OK;
}
