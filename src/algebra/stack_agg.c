/*-------------------------------------------------------------------------
 *
 * stack_agg.c
 *	  stack_agg(tensor): rows into one tensor with a new leading axis, in
 *	  aggregation order (so ORDER BY inside the call orders the rows).
 *
 * n rows of shape s give shape (n, s...).  Rows must share one shape; NULL
 * rows are skipped; no rows give NULL.  The buffer grows geometrically in
 * the aggregate memory context and is refused (54000) before it would pass
 * the tensor element limit.  Parallel partial states are concatenated in
 * the order the leader combines them, so without ORDER BY the row order is
 * unspecified, as for array_agg.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "algebra/algebra.h"

typedef struct StackAggState
{
	int64		rows;
	int			ndim;			/* of one row */
	int32		dims[LINAL_MAX_RANK];
	int64		row_numel;
	int64		capacity;		/* floats allocated */
	float	   *data;
	MemoryContext context;
} StackAggState;

#define STACK_STATE_FORMAT_VERSION 1

static StackAggState *
new_stack_state(MemoryContext context, int ndim, const int32 *dims, int64 row_numel)
{
	StackAggState *state = MemoryContextAllocZero(context, sizeof(StackAggState));

	if (ndim >= LINAL_MAX_RANK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("stack_agg of rank-%d tensors would exceed the maximum rank of %d",
						ndim, LINAL_MAX_RANK)));
	state->ndim = ndim;
	memcpy(state->dims, dims, sizeof(int32) * ndim);
	state->row_numel = row_numel;
	state->context = context;
	return state;
}

/* Room for `more` rows, refusing before the result would be too large. */
static void
reserve_rows(StackAggState *state, int64 more)
{
	int64		rows = state->rows + more;
	int64		needed = rows * state->row_numel;
	int64		capacity;

	if (rows > LINAL_MAX_DIM || needed > LINAL_MAX_ELEMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("stack_agg result would exceed the tensor size limits"),
				 errdetail("%lld rows of shape %s; a tensor holds at most %d elements.",
						   (long long) rows, tensor_shape_string(state->ndim, state->dims),
						   LINAL_MAX_ELEMENTS)));
	if (needed <= state->capacity)
		return;
	capacity = Max(state->capacity * 2, Max(needed, 64));
	capacity = Min(capacity, (int64) LINAL_MAX_ELEMENTS);
	tensor_note_allocation(sizeof(float) * (capacity - state->capacity));
	if (state->data == NULL)
		state->data = MemoryContextAllocHuge(state->context, sizeof(float) * capacity);
	else
		state->data = repalloc_huge(state->data, sizeof(float) * capacity);
	state->capacity = capacity;
}

static void
append_rows(StackAggState *state, const float *rows, int64 count)
{
	reserve_rows(state, count);
	if (state->row_numel > 0)
		memcpy(state->data + state->rows * state->row_numel, rows,
			   sizeof(float) * state->row_numel * count);
	state->rows += count;
}

static MemoryContext
stack_context(FunctionCallInfo fcinfo, const char *name)
{
	MemoryContext context;

	if (!AggCheckCallContext(fcinfo, &context))
		elog(ERROR, "%s called in non-aggregate context", name);
	return context;
}

static void
require_row_shape(const StackAggState *state, int ndim, const int32 *dims)
{
	if (state->ndim != ndim || memcmp(state->dims, dims, sizeof(int32) * ndim) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("stack_agg needs rows of the same shape"),
				 errdetail("Earlier rows have shape %s, this row has shape %s.",
						   tensor_shape_string(state->ndim, state->dims),
						   tensor_shape_string(ndim, dims))));
}

PG_FUNCTION_INFO_V1(tensor_stack_transition);
Datum
tensor_stack_transition(PG_FUNCTION_ARGS)
{
	MemoryContext context = stack_context(fcinfo, "tensor_stack_transition");
	StackAggState *state = PG_ARGISNULL(0) ? NULL : (StackAggState *) PG_GETARG_POINTER(0);
	Tensor	   *t;

	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	t = PG_GETARG_TENSOR_P(1);
	if (state == NULL)
		state = new_stack_state(context, t->ndim, t->dims, TENSOR_NUMEL(t));
	else
		require_row_shape(state, t->ndim, t->dims);
	append_rows(state, TENSOR_DATA(t), 1);
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(tensor_stack_combine);
Datum
tensor_stack_combine(PG_FUNCTION_ARGS)
{
	MemoryContext context = stack_context(fcinfo, "tensor_stack_combine");
	StackAggState *a = PG_ARGISNULL(0) ? NULL : (StackAggState *) PG_GETARG_POINTER(0);
	StackAggState *b = PG_ARGISNULL(1) ? NULL : (StackAggState *) PG_GETARG_POINTER(1);

	if (b == NULL || b->rows == 0)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	CHECK_FOR_INTERRUPTS();
	if (a == NULL)
		a = new_stack_state(context, b->ndim, b->dims, b->row_numel);
	else
		require_row_shape(a, b->ndim, b->dims);
	append_rows(a, b->data, b->rows);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(tensor_stack_final);
Datum
tensor_stack_final(PG_FUNCTION_ARGS)
{
	StackAggState *state = PG_ARGISNULL(0) ? NULL : (StackAggState *) PG_GETARG_POINTER(0);
	int32		dims[LINAL_MAX_RANK];
	Tensor	   *result;

	if (state == NULL || state->rows == 0)
		PG_RETURN_NULL();
	dims[0] = (int32) state->rows;
	memcpy(dims + 1, state->dims, sizeof(int32) * state->ndim);
	result = tensor_allocate(state->ndim + 1, dims);
	memcpy(TENSOR_DATA(result), state->data, sizeof(float) * TENSOR_NUMEL(result));
	PG_RETURN_TENSOR_P(result);
}

PG_FUNCTION_INFO_V1(tensor_stack_serialize);
Datum
tensor_stack_serialize(PG_FUNCTION_ARGS)
{
	StackAggState *state = (StackAggState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			d;

	stack_context(fcinfo, "tensor_stack_serialize");
	pq_begintypsend(&buf);
	pq_sendint8(&buf, STACK_STATE_FORMAT_VERSION);
	pq_sendint64(&buf, state->rows);
	pq_sendint8(&buf, (int8) state->ndim);
	for (d = 0; d < state->ndim; d++)
		pq_sendint32(&buf, state->dims[d]);
	pq_sendbytes(&buf, (const char *) state->data,
				 sizeof(float) * state->rows * state->row_numel);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * In CurrentMemoryContext, the per-input-tuple memory Postgres calls this
 * in: tensor_stack_combine copies the rows out before it is reset.
 */
PG_FUNCTION_INFO_V1(tensor_stack_deserialize);
Datum
tensor_stack_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	int64		rows;
	int			ndim;
	int32		dims[LINAL_MAX_RANK];
	StackAggState *state;
	size_t		value_bytes;
	int			d;

	stack_context(fcinfo, "tensor_stack_deserialize");
	buf.data = VARDATA_ANY(bytes);
	buf.len = VARSIZE_ANY_EXHDR(bytes);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	if (pq_getmsgint(&buf, 1) != STACK_STATE_FORMAT_VERSION)
		elog(ERROR, "invalid serialized stack_agg state");
	rows = pq_getmsgint64(&buf);
	ndim = pq_getmsgint(&buf, 1);
	if (rows < 0 || ndim < 0 || ndim >= LINAL_MAX_RANK)
		elog(ERROR, "invalid serialized stack_agg state");
	for (d = 0; d < ndim; d++)
		dims[d] = pq_getmsgint(&buf, 4);
	state = new_stack_state(CurrentMemoryContext, ndim, dims, tensor_shape_numel(ndim, dims));
	value_bytes = sizeof(float) * rows * state->row_numel;
	if ((size_t) (buf.len - buf.cursor) != value_bytes)
		elog(ERROR, "invalid serialized stack_agg state: %d bytes of rows, expected %zu",
			 buf.len - buf.cursor, value_bytes);
	append_rows(state, (const float *) pq_getmsgbytes(&buf, (int) value_bytes), rows);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}
