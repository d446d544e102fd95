/*-------------------------------------------------------------------------
 *
 * sparsetensor.c
 *	  The sparsetensor type (layout in sparsetensor.h): text and binary I/O,
 *	  the typmod sparsetensor(n), and the casts to and from tensor,
 *	  halftensor and arrays.
 *
 * Text form, as pgvector's sparsevec: "{i:v,i:v,...}/dim" with 1-based
 * positions; spaces are allowed around every token.  Entries may come in
 * any order (they are sorted), a zero value is dropped, a repeated position
 * is an error.  Binary form, big-endian: int32 dim, int32 nnz, int32 flags
 * (0), int32 indices[nnz] (0-based), float4 values[nnz].  Both are read by
 * the Postgres-free parsers of sparsetensor_parse.c (fuzzed in fuzz/); this
 * file turns their verdicts into errors: malformed text (including a NaN
 * or Infinity literal) 22P02, a malformed binary value 22P03, a number
 * beyond float4 or a non-finite binary value 22003, a position outside
 * 1..dim, a repeated position or a dimension below 1 22000, a dimension or
 * a count of entries beyond the limits 54000.  Nothing is allocated before
 * the scan has checked the sizes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "types/halftensor.h"
#include "types/sparsetensor.h"
#include "types/sparsetensor_parse.h"

/* interrupt checks in loops over entries or elements, every this many */
#define SPARSE_INTERRUPT_STRIDE 65536

/* how much of a bad literal an error message quotes */
#define QUOTED_INPUT_CHARS 80

/* the longest text of one entry: a 10-digit position, ':', a float, ',' */
#define ENTRY_TEXT_MAX_BYTES (10 + 1 + FLOAT_SHORTEST_DECIMAL_LEN + 1)

void
sparsetensor_report_bad_value(const SparseTensor *s)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("value is not a valid sparsetensor"),
			 errdetail("Its header says dimension %d with %d entries in %u bytes.",
					   s->dim, s->nnz, (unsigned int) VARSIZE(s))));
}

SparseTensor *
sparsetensor_allocate(int32 dim, int32 nnz)
{
	Size		bytes;
	SparseTensor *s;

	Assert(dim >= 1 && dim <= LINAL_SPARSE_MAX_DIM);
	Assert(nnz >= 0 && nnz <= dim && nnz <= LINAL_SPARSE_MAX_NNZ);
	bytes = SPARSETENSOR_BYTES(nnz);
	tensor_note_allocation(bytes);
	s = (SparseTensor *) palloc0(bytes);
	SET_VARSIZE(s, bytes);
	s->dim = dim;
	s->nnz = nnz;
	return s;
}

void
sparsetensor_require_same_dim(const SparseTensor *a, const SparseTensor *b,
							  const char *operation)
{
	if (a->dim != b->dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s needs sparsetensors of the same dimension", operation),
				 errdetail("Dimensions are %d and %d.", a->dim, b->dim)));
}

void
sparsetensor_enforce_typmod(const SparseTensor *s, int32 typmod)
{
	if (typmod >= 0 && s->dim != typmod)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsetensor dimension does not match type sparsetensor(%d)", typmod),
				 errdetail("Expected dimension %d, got %d.", typmod, s->dim)));
}

/* dimension limits shared by text input, binary input and the casts */
static void
check_dim(int64 dim)
{
	if (dim < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsetensor must have at least 1 dimension"),
				 errdetail("The dimension is %lld.", (long long) dim)));
	if (dim > LINAL_SPARSE_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sparsetensor cannot have more than %d dimensions", LINAL_SPARSE_MAX_DIM),
				 errdetail("The dimension is %lld.", (long long) dim)));
}

static void
check_nnz(int64 nnz)
{
	if (nnz > LINAL_SPARSE_MAX_NNZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sparsetensor cannot have more than %d non-zero elements",
						LINAL_SPARSE_MAX_NNZ)));
}

/* ---------- text input ---------- */

/* a verdict of sparsetensor_parse.c as an error; input NULL for binary */
static void
report_parse_error(const TensorParseError *err, const char *input)
{
	size_t		len = input != NULL ? strlen(input) : 0;

	switch (err->status)
	{
		case TENSOR_PARSE_LIMIT:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("sparsetensor exceeds the size limits"),
					 errdetail("%s", err->detail),
					 errhint("A sparsetensor has at most %d dimensions and %d non-zero elements.",
							 LINAL_SPARSE_MAX_DIM, LINAL_SPARSE_MAX_NNZ)));
			break;
		case TENSOR_PARSE_OUT_OF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 input != NULL ? errmsg("sparsetensor element is out of range for type real") :
					 errmsg("NaN or Infinity is not allowed in a sparsetensor"),
					 errdetail("%s", err->detail)));
			break;
		case TENSOR_PARSE_INVALID_VALUE:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("invalid sparsetensor"),
					 errdetail("%s", err->detail)));
			break;
		default:
			if (input != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid input syntax for type sparsetensor: \"%.*s%s\"",
								pg_mbcliplen(input, (int) len, Min(len, QUOTED_INPUT_CHARS)),
								input, len > QUOTED_INPUT_CHARS ? "..." : ""),
						 errdetail("%s", err->detail)));
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("invalid binary representation for type sparsetensor"),
						 errdetail("%s", err->detail)));
	}
}

/*
 * Scan (no allocation), then read into exactly the counted entries, then
 * the value of the kept ones.  Temporary entries are freed; the result is
 * in CurrentMemoryContext.
 */
static SparseTensor *
sparsetensor_from_text(const char *input)
{
	TensorParseError err;
	SparseTextEntry *entries;
	int64		count;
	int64		nnz;
	int32		dim;
	int64		i;
	SparseTensor *s;
	float	   *values;

	if (sparse_text_scan(input, &dim, &count, &err) != TENSOR_PARSE_OK)
		report_parse_error(&err, input);
	tensor_note_allocation(sizeof(SparseTextEntry) * (Size) Max(count, 1));
	entries = palloc(sizeof(SparseTextEntry) * (Size) Max(count, 1));
	if (sparse_text_read(input, dim, count, entries, &nnz, &err) != TENSOR_PARSE_OK)
		report_parse_error(&err, input);
	s = sparsetensor_allocate(dim, (int32) nnz);
	values = SPARSETENSOR_VALUES(s);
	for (i = 0; i < nnz; i++)
	{
		s->indices[i] = (int32) entries[i].index;
		values[i] = entries[i].value;
	}
	pfree(entries);
	return s;
}

PG_FUNCTION_INFO_V1(sparsetensor_in);
Datum
sparsetensor_in(PG_FUNCTION_ARGS)
{
	SparseTensor *s = sparsetensor_from_text(PG_GETARG_CSTRING(0));

	sparsetensor_enforce_typmod(s, PG_GETARG_INT32(2));
	PG_RETURN_SPARSETENSOR_P(s);
}

PG_FUNCTION_INFO_V1(sparsetensor_out);
Datum
sparsetensor_out(PG_FUNCTION_ARGS)
{
	SparseTensor *s = PG_GETARG_SPARSETENSOR_P(0);
	const float *values = SPARSETENSOR_VALUES(s);
	/* at most 2^25 entries of 27 bytes: under MaxAllocSize (sparsetensor.h) */
	Size		bytes = 2 + (Size) s->nnz * ENTRY_TEXT_MAX_BYTES + 1 + 11 + 1;
	char	   *out = palloc(bytes);
	char	   *p = out;
	int32		i;

	*p++ = '{';
	for (i = 0; i < s->nnz; i++)
	{
		if ((i % SPARSE_INTERRUPT_STRIDE) == 0)
			CHECK_FOR_INTERRUPTS();
		if (i > 0)
			*p++ = ',';
		p += pg_ltoa(s->indices[i] + 1, p);
		*p++ = ':';
		p += float_to_shortest_decimal_bufn(values[i], p);
	}
	*p++ = '}';
	*p++ = '/';
	p += pg_ltoa(s->dim, p);
	*p = '\0';
	Assert(p - out < bytes);
	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_CSTRING(out);
}

/* ---------- typmod ---------- */

PG_FUNCTION_INFO_V1(sparsetensor_typmod_in);
Datum
sparsetensor_typmod_in(PG_FUNCTION_ARGS)
{
	ArrayType  *ta = PG_GETARG_ARRAYTYPE_P(0);
	int32	   *mods;
	int			n;

	mods = ArrayGetIntegerTypmods(ta, &n);
	if (n != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("type modifier of sparsetensor takes one dimension, got %d", n),
				 errhint("Use sparsetensor(n).")));
	if (mods[0] < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dimension of type sparsetensor must be at least 1, got %d", mods[0])));
	if (mods[0] > LINAL_SPARSE_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dimension %d of type sparsetensor exceeds the maximum of %d",
						mods[0], LINAL_SPARSE_MAX_DIM)));
	PG_RETURN_INT32(mods[0]);
}

PG_FUNCTION_INFO_V1(sparsetensor_typmod_out);
Datum
sparsetensor_typmod_out(PG_FUNCTION_ARGS)
{
	int32		typmod = PG_GETARG_INT32(0);

	if (typmod < 0)
		PG_RETURN_CSTRING(pstrdup(""));
	PG_RETURN_CSTRING(psprintf("(%d)", typmod));
}

/* sparsetensor(sparsetensor, typmod, explicit): the length coercion */
PG_FUNCTION_INFO_V1(sparsetensor_coerce_typmod);
Datum
sparsetensor_coerce_typmod(PG_FUNCTION_ARGS)
{
	int32		typmod = PG_GETARG_INT32(1);

	if (typmod >= 0)
		sparsetensor_enforce_typmod(PG_GETARG_SPARSETENSOR_P(0), typmod);
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/* ---------- binary I/O ---------- */

PG_FUNCTION_INFO_V1(sparsetensor_recv);
Datum
sparsetensor_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	const unsigned char *bytes = (const unsigned char *) buf->data + buf->cursor;
	size_t		len_bytes = (size_t) (buf->len - buf->cursor);
	TensorParseError err;
	int32		dim;
	int32		nnz;
	SparseTensor *s;

	if (sparse_binary_scan(bytes, len_bytes, &dim, &nnz, &err) != TENSOR_PARSE_OK)
		report_parse_error(&err, NULL);
	s = sparsetensor_allocate(dim, nnz);
	if (sparse_binary_read(bytes, len_bytes, nnz, s->indices, SPARSETENSOR_VALUES(s),
						   &err) != TENSOR_PARSE_OK)
		report_parse_error(&err, NULL);
	buf->cursor = buf->len;
	sparsetensor_enforce_typmod(s, typmod);
	PG_RETURN_SPARSETENSOR_P(s);
}

PG_FUNCTION_INFO_V1(sparsetensor_send);
Datum
sparsetensor_send(PG_FUNCTION_ARGS)
{
	SparseTensor *s = PG_GETARG_SPARSETENSOR_P(0);
	const float *values = SPARSETENSOR_VALUES(s);
	StringInfoData buf;
	int32		i;

	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, 12 + 8 * s->nnz);
	pq_sendint32(&buf, s->dim);
	pq_sendint32(&buf, s->nnz);
	pq_sendint32(&buf, 0);
	for (i = 0; i < s->nnz; i++)
		pq_sendint32(&buf, s->indices[i]);
	for (i = 0; i < s->nnz; i++)
		pq_sendfloat4(&buf, values[i]);
	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---------- casts ---------- */

/* The sparsetensor of a 1-d float tensor's values (zeros dropped). */
static SparseTensor *
sparsetensor_from_tensor(const Tensor *t, const char *type_name)
{
	const float *data = TENSOR_DATA(t);
	int64		n;
	int64		i;
	int32		nnz = 0;
	SparseTensor *s;
	float	   *values;

	if (t->ndim != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("only a 1-d %s becomes a sparsetensor", type_name),
				 errdetail("The %s has shape %s.", type_name,
						   tensor_shape_string(t->ndim, t->dims))));
	n = t->dims[0];
	check_dim(n);
	for (i = 0; i < n; i++)
	{
		if ((i % SPARSE_INTERRUPT_STRIDE) == 0)
			CHECK_FOR_INTERRUPTS();
		if (data[i] != 0.0f)
			nnz++;
	}
	check_nnz(nnz);
	s = sparsetensor_allocate((int32) n, nnz);
	values = SPARSETENSOR_VALUES(s);
	nnz = 0;
	for (i = 0; i < n; i++)
	{
		if (data[i] == 0.0f)
			continue;
		s->indices[nnz] = (int32) i;
		values[nnz] = data[i];
		nnz++;
	}
	return s;
}

/* The 1-d float tensor of a sparsetensor; 54000 beyond tensor's limits. */
static Tensor *
tensor_from_sparsetensor(const SparseTensor *s)
{
	Tensor	   *t = tensor_allocate(1, &s->dim);
	float	   *data = TENSOR_DATA(t);
	const float *values = SPARSETENSOR_VALUES(s);
	int32		i;

	memset(data, 0, sizeof(float) * (Size) s->dim);
	for (i = 0; i < s->nnz; i++)
		data[s->indices[i]] = values[i];
	return t;
}

PG_FUNCTION_INFO_V1(tensor_to_sparsetensor);
Datum
tensor_to_sparsetensor(PG_FUNCTION_ARGS)
{
	SparseTensor *s = sparsetensor_from_tensor(PG_GETARG_TENSOR_P(0), "tensor");

	sparsetensor_enforce_typmod(s, PG_GETARG_INT32(1));
	PG_RETURN_SPARSETENSOR_P(s);
}

PG_FUNCTION_INFO_V1(sparsetensor_to_tensor);
Datum
sparsetensor_to_tensor(PG_FUNCTION_ARGS)
{
	Tensor	   *t = tensor_from_sparsetensor(PG_GETARG_SPARSETENSOR_P(0));

	tensor_enforce_typmod(t, PG_GETARG_INT32(1));
	PG_RETURN_TENSOR_P(t);
}

PG_FUNCTION_INFO_V1(halftensor_to_sparsetensor);
Datum
halftensor_to_sparsetensor(PG_FUNCTION_ARGS)
{
	Tensor	   *t = tensor_from_halftensor(PG_GETARG_HALFTENSOR_P(0));
	SparseTensor *s = sparsetensor_from_tensor(t, "halftensor");

	sparsetensor_enforce_typmod(s, PG_GETARG_INT32(1));
	PG_RETURN_SPARSETENSOR_P(s);
}

/* through a float tensor: 22003 for an element beyond half's range */
PG_FUNCTION_INFO_V1(sparsetensor_to_halftensor);
Datum
sparsetensor_to_halftensor(PG_FUNCTION_ARGS)
{
	Tensor	   *h = halftensor_from_tensor(tensor_from_sparsetensor(PG_GETARG_SPARSETENSOR_P(0)));

	tensor_enforce_typmod(h, PG_GETARG_INT32(1));
	PG_RETURN_POINTER(h);
}

/* real[], double precision[], integer[], numeric[] -> sparsetensor, through tensor's cast */
PG_FUNCTION_INFO_V1(array_to_sparsetensor);
Datum
array_to_sparsetensor(PG_FUNCTION_ARGS)
{
	Datum		floats = DirectFunctionCall3(array_to_tensor, PG_GETARG_DATUM(0),
											 Int32GetDatum(-1), BoolGetDatum(false));
	SparseTensor *s = sparsetensor_from_tensor((Tensor *) DatumGetPointer(floats), "array");

	sparsetensor_enforce_typmod(s, PG_GETARG_INT32(1));
	PG_RETURN_SPARSETENSOR_P(s);
}
