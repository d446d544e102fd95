/*-------------------------------------------------------------------------
 *
 * agg_state.c
 *	  The tensor_agg_state type (layout in agg_state.h): allocation, the
 *	  copy-or-update-in-place rule of the transition functions, and text
 *	  and binary I/O.
 *
 * Text form, one line, what Citus ships between nodes:
 *	  kind=sum count=3 shape=(2,3) values=1,2,3,4,5,6
 * kind is sum (float8 sums, also avg's state), min, max or stack (count rows
 * of the shape, one after another).  Numbers are written shortest-exact, so
 * text round-trips bit for bit.
 *
 * Binary form, big-endian: int8 kind, int8 ndim, int64 count, int32
 * dims[ndim], then the values as float8 (sum) or float4.
 *
 * Both inputs are attacker-controlled and trust nothing: the header is
 * checked (kind, count >= 1, a canonical shape within the tensor limits)
 * and the value count is checked against the input's length before anything
 * is allocated for it; values must be finite.  Malformed text is 22P02 (or
 * 22023 when it is well-formed but inconsistent), malformed binary 22P03,
 * sizes over the limits 54000.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "algebra/agg_state.h"
#include "types/tensor_parse.h"

/* values converted between two interrupt checks */
#define IO_INTERRUPT_STRIDE 65536

/* characters of the input quoted in syntax errors */
#define QUOTE_CHARS 60

static const char *const kind_names[] = {NULL, "sum", "min", "max", "stack"};

const char *
tensor_agg_kind_name(TensorAggKind kind)
{
	Assert(kind >= TENSOR_AGG_SUM && kind <= TENSOR_AGG_STACK);
	return kind_names[kind];
}

/*
 * A new state in CurrentMemoryContext with room for capacity_values values;
 * the caller fills count and the values.  Under an aggregate this is
 * per-tuple memory and Postgres copies the returned state into the
 * aggregate context once.
 */
TensorAggState *
tensor_agg_state_allocate(TensorAggKind kind, int ndim, const int32 *dims, int64 numel,
						  int64 capacity_values)
{
	Size		value_bytes = tensor_agg_value_bytes(kind);
	TensorAggState *s;
	Size		bytes;

	Assert(ndim >= 0 && ndim <= LINAL_MAX_RANK);
	Assert(capacity_values >= 0 && capacity_values <= LINAL_MAX_ELEMENTS);
	if ((Size) capacity_values > (MaxAllocSize - sizeof(TensorAggState)) / value_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("aggregate state for tensors of shape %s is too large",
						tensor_shape_string(ndim, dims)),
				 errdetail("The state would hold %lld values of %zu bytes; the limit is 1 GB.",
						   (long long) capacity_values, value_bytes)));
	bytes = sizeof(TensorAggState) + value_bytes * (Size) capacity_values;
	tensor_note_allocation(bytes);
	s = (TensorAggState *) palloc(bytes);
	memset(s, 0, sizeof(TensorAggState));
	SET_VARSIZE(s, bytes);
	s->kind = (uint8) kind;
	s->ndim = (uint8) ndim;
	s->numel = numel;
	if (ndim > 0)
		memcpy(s->dims, dims, sizeof(int32) * ndim);
	return s;
}

/*
 * The state in argument argno (the transition value), ready to be changed.
 * Called as an aggregate support function, the transition value belongs to
 * the aggregate (Postgres copied it into the aggregate context), so it is
 * updated in place and returned as the same pointer: Postgres then neither
 * copies nor frees it, and a row costs O(row), not O(state).  Called
 * directly from SQL the argument may be a table's value: copy it.
 */
TensorAggState *
tensor_agg_state_writable(FunctionCallInfo fcinfo, int argno)
{
	Datum		value = PG_GETARG_DATUM(argno);
	TensorAggState *s = DatumGetTensorAggStateP(value);
	TensorAggState *copy;

	if ((Pointer) s != DatumGetPointer(value))
		return s;				/* detoasting made a private copy */
	if (AggCheckCallContext(fcinfo, NULL))
		return s;
	copy = (TensorAggState *) palloc(VARSIZE(s));
	memcpy(copy, s, VARSIZE(s));
	return copy;
}

void
tensor_agg_require_kind(const TensorAggState *s, TensorAggKind kind, const char *function)
{
	if (s->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs a tensor_agg_state of kind %s, not %s",
						function, tensor_agg_kind_name(kind),
						tensor_agg_kind_name((TensorAggKind) s->kind))));
}

/*
 * Checks a header read from text or binary input and returns the number of
 * values that must follow.  bad_code is the SQLSTATE of malformed input
 * (22023 for text, 22P03 for binary).
 */
static int64
check_header(int kind, int ndim, const int32 *dims, int64 count, int64 *numel, int bad_code)
{
	TensorShapeInfo shape;
	TensorParseError err;
	int			i;

	if (kind < TENSOR_AGG_SUM || kind > TENSOR_AGG_STACK)
		ereport(ERROR,
				(errcode(bad_code),
				 errmsg("invalid tensor_agg_state: unknown kind %d", kind)));
	if (count < 1)
		ereport(ERROR,
				(errcode(bad_code),
				 errmsg("invalid tensor_agg_state: count must be at least 1, not %lld",
						(long long) count)));
	if (ndim < 0 || ndim > LINAL_MAX_RANK ||
		(kind == TENSOR_AGG_STACK && ndim >= LINAL_MAX_RANK))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("invalid tensor_agg_state: rank %d exceeds the maximum of %d",
						ndim, kind == TENSOR_AGG_STACK ? LINAL_MAX_RANK - 1 : LINAL_MAX_RANK)));
	shape.ndim = ndim;
	for (i = 0; i < LINAL_MAX_RANK; i++)
	{
		shape.dims[i] = i < ndim ? dims[i] : 0;
		if (shape.dims[i] < 0)
			ereport(ERROR,
					(errcode(bad_code),
					 errmsg("invalid tensor_agg_state: dimension %d is negative", i + 1)));
	}
	if (tensor_shape_check(&shape, &err) != TENSOR_PARSE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("invalid tensor_agg_state: shape %s exceeds the tensor size limits",
						tensor_shape_string(ndim, dims)),
				 errdetail("%s", err.detail)));
	if (shape.ndim != ndim)
		ereport(ERROR,
				(errcode(bad_code),
				 errmsg("invalid tensor_agg_state: shape %s is not canonical",
						tensor_shape_string(ndim, dims)),
				 errdetail("Nothing follows a zero dimension in a tensor's shape.")));
	*numel = shape.numel;
	if (kind != TENSOR_AGG_STACK)
		return shape.numel;
	if (count > LINAL_MAX_DIM || count * shape.numel > LINAL_MAX_ELEMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("invalid tensor_agg_state: %lld stacked rows of shape %s exceed the tensor size limits",
						(long long) count, tensor_shape_string(ndim, dims))));
	return count * shape.numel;
}

static void
require_finite(double v, int64 index, int bad_code)
{
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(bad_code),
				 errmsg("invalid tensor_agg_state: value %lld is NaN or Infinity",
						(long long) index + 1)));
}

/* ---- text ---- */

typedef struct TextReader
{
	const char *input;
	const char *p;
} TextReader;

static void pg_attribute_noreturn()
text_syntax_error(const TextReader *r, const char *expected)
{
	int			len = (int) strlen(r->input);

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type tensor_agg_state: \"%.*s%s\"",
					Min(len, QUOTE_CHARS), r->input, len > QUOTE_CHARS ? "..." : ""),
			 errdetail("Expected %s at character %d.", expected,
					   (int) (r->p - r->input) + 1),
			 errhint("The form is: kind=sum count=3 shape=(2) values=1.5,2.")));
}

static void
expect(TextReader *r, const char *literal)
{
	size_t		len = strlen(literal);

	if (strncmp(r->p, literal, len) != 0)
	{
		char		quoted[32];

		snprintf(quoted, sizeof(quoted), "\"%s\"", literal);
		text_syntax_error(r, quoted);
	}
	r->p += len;
}

/* a decimal integer up to PG_INT64_MAX (no sign, no spaces) */
static int64
read_integer(TextReader *r, const char *what)
{
	const char *start = r->p;
	int64		value = 0;

	while (*r->p >= '0' && *r->p <= '9')
	{
		if (pg_mul_s64_overflow(value, 10, &value) ||
			pg_add_s64_overflow(value, *r->p - '0', &value))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("invalid tensor_agg_state: %s is out of range", what)));
		r->p++;
	}
	if (r->p == start)
		text_syntax_error(r, what);
	return value;
}

/* one finite number into values[index]: float8 for sums, else float4 */
static void
read_value(TextReader *r, TensorAggState *s, int64 index)
{
	char	   *end;
	double		v;

	/* strtod would skip leading spaces and accept a sign: refuse spaces */
	if (!(*r->p == '-' || *r->p == '.' || (*r->p >= '0' && *r->p <= '9') ||
		  *r->p == 'I' || *r->p == 'N'))
		text_syntax_error(r, "a number");
	errno = 0;
	if (s->kind == TENSOR_AGG_SUM)
	{
		v = strtod(r->p, &end);
		TENSOR_AGG_STATE_SUMS(s)[index] = v;
	}
	else
	{
		float		f = strtof(r->p, &end);

		v = f;
		TENSOR_AGG_STATE_FLOATS(s)[index] = f;
	}
	if (end == r->p)
		text_syntax_error(r, "a number");
	/* ERANGE with a denormal result is fine; with 0 or infinity it is not */
	if (errno == ERANGE && (v == 0.0 || isinf(v)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("invalid tensor_agg_state: value %lld \"%.*s\" is out of range for type %s",
						(long long) index + 1, (int) Min(end - r->p, QUOTE_CHARS), r->p,
						s->kind == TENSOR_AGG_SUM ? "double precision" : "real")));
	require_finite(v, index, ERRCODE_INVALID_PARAMETER_VALUE);
	r->p = end;
}

PG_FUNCTION_INFO_V1(tensor_agg_state_in);
Datum
tensor_agg_state_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	TextReader	r = {input, input};
	int			kind = 0;
	int64		count;
	int			ndim = 0;
	int32		dims[LINAL_MAX_RANK] = {0};
	int64		numel;
	int64		values;
	int64		i;
	size_t		rest_bytes;
	TensorAggState *s;

	while (*r.p == ' ')
		r.p++;
	expect(&r, "kind=");
	for (i = TENSOR_AGG_SUM; i <= TENSOR_AGG_STACK; i++)
	{
		size_t		len = strlen(kind_names[i]);

		if (strncmp(r.p, kind_names[i], len) == 0 && r.p[len] == ' ')
		{
			kind = (int) i;
			r.p += len;
			break;
		}
	}
	if (kind == 0)
		text_syntax_error(&r, "a kind: sum, min, max or stack");
	expect(&r, " count=");
	count = read_integer(&r, "a count");
	expect(&r, " shape=(");
	while (*r.p != ')')
	{
		int64		d;

		if (ndim > 0)
			expect(&r, ",");
		if (ndim == LINAL_MAX_RANK)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("invalid tensor_agg_state: more than %d dimensions",
							LINAL_MAX_RANK)));
		d = read_integer(&r, "a dimension");
		if (d > LINAL_MAX_DIM)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("invalid tensor_agg_state: dimension %d is %lld, above the limit of %d",
							ndim + 1, (long long) d, LINAL_MAX_DIM)));
		dims[ndim++] = (int32) d;
	}
	r.p++;
	values = check_header(kind, ndim, dims, count, &numel, ERRCODE_INVALID_PARAMETER_VALUE);
	expect(&r, " values=");

	/* each value takes a character and all but the last a comma */
	rest_bytes = strlen(r.p);
	if (values > 0 && (size_t) values > (rest_bytes + 1) / 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid tensor_agg_state: too few values"),
				 errdetail("count %lld and shape %s need %lld values.", (long long) count,
						   tensor_shape_string(ndim, dims), (long long) values)));
	s = tensor_agg_state_allocate((TensorAggKind) kind, ndim, dims, numel, values);
	s->count = count;
	for (i = 0; i < values; i++)
	{
		if ((i % IO_INTERRUPT_STRIDE) == 0)
			CHECK_FOR_INTERRUPTS();
		if (i > 0)
		{
			if (*r.p != ',')
			{
				if (*r.p == '\0' || *r.p == ' ')
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("invalid tensor_agg_state: too few values"),
							 errdetail("count %lld and shape %s need %lld values, found %lld.",
									   (long long) count, tensor_shape_string(ndim, dims),
									   (long long) values, (long long) i)));
				text_syntax_error(&r, "\",\"");
			}
			r.p++;
		}
		read_value(&r, s, i);
	}
	if (*r.p == ',')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid tensor_agg_state: too many values"),
				 errdetail("count %lld and shape %s need %lld values.", (long long) count,
						   tensor_shape_string(ndim, dims), (long long) values)));
	while (*r.p == ' ')
		r.p++;
	if (*r.p != '\0')
		text_syntax_error(&r, "the end of the input");
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(tensor_agg_state_out);
Datum
tensor_agg_state_out(PG_FUNCTION_ARGS)
{
	TensorAggState *s = DatumGetTensorAggStateP(PG_GETARG_DATUM(0));
	int64		values = tensor_agg_value_count(s);
	int64		bound;
	char	   *out;
	char	   *p;
	int64		i;

	/* header: words, count, dims; then each value and its comma */
	bound = 64 + 20 + LINAL_MAX_RANK * 12 +
		values * (DOUBLE_SHORTEST_DECIMAL_LEN + 1);
	if (bound > (int64) MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("tensor_agg_state of %lld values is too large for text output",
						(long long) values),
				 errhint("Use binary output, such as COPY ... WITH (FORMAT binary).")));
	out = palloc(bound);
	p = out + sprintf(out, "kind=%s count=%lld shape=(",
					  tensor_agg_kind_name((TensorAggKind) s->kind), (long long) s->count);
	for (i = 0; i < s->ndim; i++)
		p += sprintf(p, i > 0 ? ",%d" : "%d", s->dims[i]);
	p += sprintf(p, ") values=");
	for (i = 0; i < values; i++)
	{
		if ((i % IO_INTERRUPT_STRIDE) == 0)
			CHECK_FOR_INTERRUPTS();
		if (i > 0)
			*p++ = ',';
		if (s->kind == TENSOR_AGG_SUM)
			p += double_to_shortest_decimal_bufn(TENSOR_AGG_STATE_SUMS(s)[i], p);
		else
			p += float_to_shortest_decimal_bufn(TENSOR_AGG_STATE_FLOATS(s)[i], p);
	}
	*p = '\0';
	PG_RETURN_CSTRING(out);
}

/* ---- binary ---- */

static void pg_attribute_noreturn()
binary_error(const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary tensor_agg_state: %s", problem)));
}

PG_FUNCTION_INFO_V1(tensor_agg_state_recv);
Datum
tensor_agg_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			kind;
	int			ndim;
	int64		count;
	int32		dims[LINAL_MAX_RANK] = {0};
	int64		numel;
	int64		values;
	Size		value_bytes;
	TensorAggState *s;
	int64		i;

	if (buf->len - buf->cursor < 10)
		binary_error("the header is truncated");
	kind = pq_getmsgbyte(buf);
	ndim = pq_getmsgbyte(buf);
	count = pq_getmsgint64(buf);
	if (ndim > LINAL_MAX_RANK)
		binary_error("more than 8 dimensions");
	if (buf->len - buf->cursor < 4 * ndim)
		binary_error("the dimensions are truncated");
	for (i = 0; i < ndim; i++)
		dims[i] = (int32) pq_getmsgint(buf, 4);
	values = check_header(kind, ndim, dims, count, &numel,
						  ERRCODE_INVALID_BINARY_REPRESENTATION);
	value_bytes = tensor_agg_value_bytes((TensorAggKind) kind);
	if ((Size) (buf->len - buf->cursor) != value_bytes * (Size) values)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary tensor_agg_state: %d bytes of values, expected %lld",
						buf->len - buf->cursor, (long long) (value_bytes * values))));
	s = tensor_agg_state_allocate((TensorAggKind) kind, ndim, dims, numel, values);
	s->count = count;
	for (i = 0; i < values; i++)
	{
		double		v;

		if ((i % IO_INTERRUPT_STRIDE) == 0)
			CHECK_FOR_INTERRUPTS();
		if (kind == TENSOR_AGG_SUM)
			v = TENSOR_AGG_STATE_SUMS(s)[i] = pq_getmsgfloat8(buf);
		else
			v = TENSOR_AGG_STATE_FLOATS(s)[i] = pq_getmsgfloat4(buf);
		require_finite(v, i, ERRCODE_INVALID_BINARY_REPRESENTATION);
	}
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(tensor_agg_state_send);
Datum
tensor_agg_state_send(PG_FUNCTION_ARGS)
{
	TensorAggState *s = DatumGetTensorAggStateP(PG_GETARG_DATUM(0));
	int64		values = tensor_agg_value_count(s);
	StringInfoData buf;
	int64		i;

	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, 10 + 4 * s->ndim +
					  (int) (tensor_agg_value_bytes((TensorAggKind) s->kind) * values));
	pq_sendbyte(&buf, s->kind);
	pq_sendbyte(&buf, s->ndim);
	pq_sendint64(&buf, s->count);
	for (i = 0; i < s->ndim; i++)
		pq_sendint32(&buf, s->dims[i]);
	for (i = 0; i < values; i++)
	{
		if ((i % IO_INTERRUPT_STRIDE) == 0)
			CHECK_FOR_INTERRUPTS();
		if (s->kind == TENSOR_AGG_SUM)
			pq_sendfloat8(&buf, TENSOR_AGG_STATE_SUMS(s)[i]);
		else
			pq_sendfloat4(&buf, TENSOR_AGG_STATE_FLOATS(s)[i]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
