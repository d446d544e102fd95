/*-------------------------------------------------------------------------
 *
 * stack_agg.c
 *	  stack_agg(tensor): rows into one tensor with a new leading axis, in
 *	  aggregation order (so ORDER BY inside the call orders the rows).
 *
 * n rows of shape s give shape (n, s...).  Rows must share one shape; NULL
 * rows are skipped; no rows give NULL.  The state is a tensor_agg_state of
 * kind stack (agg_state.h): the rows one after another, with room to grow.
 * It is refused (54000) before the result would pass the tensor size
 * limits.  Partial states (parallel workers, Citus shards) are concatenated
 * in the order they are combined, so without ORDER BY the row order is
 * unspecified, as for array_agg.
 *
 * Under a plain aggregate the state is a read-write expanded object
 * (StackExpanded) in its own child context of the aggregate context:
 * Postgres keeps such a transition value without copying it, so the rows
 * buffer grows with repalloc and appending a row costs O(row), as it did
 * with an internal state.  Wherever the state leaves (a tuple to the
 * parallel leader, text to a Citus coordinator) Postgres flattens it into a
 * plain tensor_agg_state of exactly its rows.  Elsewhere (window
 * aggregates, direct calls) the state stays flat: a row that fits the room
 * is appended in place, else a state twice as large is returned.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

#include "algebra/agg_state.h"
#include "algebra/algebra.h"

/* floats of room a new state starts with (unless its rows are empty) */
#define STACK_MIN_CAPACITY 64

static int64
capacity_values(const TensorAggState *s)
{
	return (int64) ((VARSIZE(s) - sizeof(TensorAggState)) / sizeof(float));
}

/*
 * s with `count` more rows appended: s itself when they fit; else, when
 * may_repalloc (s is the expanded object's buffer), s enlarged by
 * repalloc, or a larger copy in CurrentMemoryContext.
 */
static TensorAggState *
append_rows(TensorAggState *s, const float *rows, int64 count, bool may_repalloc)
{
	int64		total_rows = s->count + count;
	int64		needed = total_rows * s->numel;
	int64		used = s->count * s->numel;

	if (total_rows > LINAL_MAX_DIM || needed > LINAL_MAX_ELEMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("stack_agg result would exceed the tensor size limits"),
				 errdetail("%lld rows of shape %s; a tensor holds at most %d elements.",
						   (long long) total_rows, tensor_shape_string(s->ndim, s->dims),
						   LINAL_MAX_ELEMENTS)));
	if (needed > capacity_values(s))
	{
		int64		capacity = Max(capacity_values(s) * 2, Max(needed, STACK_MIN_CAPACITY));
		Size		bytes;

		capacity = Min(capacity, (int64) LINAL_MAX_ELEMENTS);
		bytes = sizeof(TensorAggState) + sizeof(float) * (Size) capacity;
		if (may_repalloc)
		{
			tensor_note_allocation(bytes - VARSIZE(s));
			s = (TensorAggState *) repalloc(s, bytes);
			SET_VARSIZE(s, bytes);
		}
		else
		{
			TensorAggState *larger = tensor_agg_state_allocate(TENSOR_AGG_STACK, s->ndim,
															   s->dims, s->numel, capacity);

			/* the room after the rows is never read: output and final stop at count */
			larger->count = s->count;
			memcpy(TENSOR_AGG_STATE_FLOATS(larger), TENSOR_AGG_STATE_FLOATS(s),
				   sizeof(float) * used);
			s = larger;
		}
	}
	if (count * s->numel > 0)
		memcpy(TENSOR_AGG_STATE_FLOATS(s) + used, rows, sizeof(float) * count * s->numel);
	s->count = total_rows;
	return s;
}

/* ---- the expanded form, under plain aggregates ---- */

typedef struct StackExpanded
{
	ExpandedObjectHeader hdr;
	TensorAggState *flat;		/* in hdr.eoh_context; VARSIZE is the capacity */
} StackExpanded;

/* flattened: the header and the rows in use, no room */
static Size
stack_flat_size(ExpandedObjectHeader *eohptr)
{
	TensorAggState *flat = ((StackExpanded *) eohptr)->flat;

	return sizeof(TensorAggState) + sizeof(float) * (Size) tensor_agg_value_count(flat);
}

static void
stack_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	Assert(allocated_size == stack_flat_size(eohptr));
	memcpy(result, ((StackExpanded *) eohptr)->flat, allocated_size);
	SET_VARSIZE(result, allocated_size);
}

static const ExpandedObjectMethods stack_expanded_methods = {
	stack_flat_size,
	stack_flatten_into
};

/* The expanded state behind d if d is a read-write pointer to one, else NULL. */
static StackExpanded *
own_expanded(Datum d)
{
	if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods == &stack_expanded_methods)
			return (StackExpanded *) eoh;
	}
	return NULL;
}

/* The state in d for reading: an expanded one's buffer, else detoasted. */
static const TensorAggState *
read_state(Datum d)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods == &stack_expanded_methods)
			return ((StackExpanded *) eoh)->flat;
	}
	return DatumGetTensorAggStateP(d);
}

/*
 * A new expanded state in a child context of the aggregate context, holding
 * the rows of src (a flat state) or, with src NULL, no rows of t's shape.
 */
static StackExpanded *
new_expanded(MemoryContext aggcontext, const TensorAggState *src, const Tensor *t)
{
	MemoryContext context = AllocSetContextCreate(aggcontext, "stack_agg state",
												  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);
	StackExpanded *e = palloc(sizeof(StackExpanded));

	EOH_init_header(&e->hdr, &stack_expanded_methods, context);
	if (src != NULL)
	{
		e->flat = tensor_agg_state_allocate(TENSOR_AGG_STACK, src->ndim, src->dims, src->numel,
											tensor_agg_value_count(src));
		e->flat->count = src->count;
		memcpy(TENSOR_AGG_STATE_FLOATS(e->flat), TENSOR_AGG_STATE_FLOATS(src),
			   sizeof(float) * tensor_agg_value_count(src));
	}
	else
		e->flat = tensor_agg_state_allocate(TENSOR_AGG_STACK, t->ndim, t->dims,
											TENSOR_NUMEL(t), 0);
	MemoryContextSwitchTo(old);
	return e;
}

/*
 * The expanded state to append to under a plain aggregate: the transition
 * value itself when it is one, else an expanded copy of it (Postgres frees
 * the flat one when a different value comes back).
 */
static StackExpanded *
expanded_state(FunctionCallInfo fcinfo, MemoryContext aggcontext, const Tensor *first_row)
{
	StackExpanded *e;

	if (PG_ARGISNULL(0))
		return new_expanded(aggcontext, NULL, first_row);
	e = own_expanded(PG_GETARG_DATUM(0));
	if (e == NULL)
	{
		const TensorAggState *flat = read_state(PG_GETARG_DATUM(0));

		tensor_agg_require_kind(flat, TENSOR_AGG_STACK, "stack_agg");
		e = new_expanded(aggcontext, flat, NULL);
	}
	return e;
}

static void
require_row_shape(const TensorAggState *s, int ndim, const int32 *dims)
{
	if (s->ndim != ndim || memcmp(s->dims, dims, sizeof(int32) * ndim) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("stack_agg needs rows of the same shape"),
				 errdetail("Earlier rows have shape %s, this row has shape %s.",
						   tensor_shape_string(s->ndim, s->dims),
						   tensor_shape_string(ndim, dims))));
}

PG_FUNCTION_INFO_V1(tensor_stack_transition);
Datum
tensor_stack_transition(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	TensorAggState *state;
	Tensor	   *t;
	int64		numel;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	t = PG_GETARG_TENSOR_P(1);
	numel = TENSOR_NUMEL(t);
	CHECK_FOR_INTERRUPTS();
	if (PG_ARGISNULL(0) && t->ndim >= LINAL_MAX_RANK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("stack_agg of rank-%d tensors would exceed the maximum rank of %d",
						t->ndim, LINAL_MAX_RANK)));
	if (AggCheckCallContext(fcinfo, &aggcontext) == AGG_CONTEXT_AGGREGATE)
	{
		StackExpanded *e = expanded_state(fcinfo, aggcontext, t);

		require_row_shape(e->flat, t->ndim, t->dims);
		e->flat = append_rows(e->flat, TENSOR_DATA(t), 1, true);
		PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
	}
	if (PG_ARGISNULL(0))
		state = tensor_agg_state_allocate(TENSOR_AGG_STACK, t->ndim, t->dims, numel, 0);
	else
	{
		state = tensor_agg_state_writable(fcinfo, 0);
		tensor_agg_require_kind(state, TENSOR_AGG_STACK, "tensor_stack_transition");
		require_row_shape(state, t->ndim, t->dims);
	}
	PG_RETURN_POINTER(append_rows(state, TENSOR_DATA(t), 1, false));
}

/* strict: Postgres takes the first non-NULL partial state as it is */
PG_FUNCTION_INFO_V1(tensor_stack_combine);
Datum
tensor_stack_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	const TensorAggState *b = read_state(PG_GETARG_DATUM(1));
	TensorAggState *a;

	CHECK_FOR_INTERRUPTS();
	tensor_agg_require_kind(b, TENSOR_AGG_STACK, "tensor_stack_combine");
	if (AggCheckCallContext(fcinfo, &aggcontext) == AGG_CONTEXT_AGGREGATE)
	{
		StackExpanded *e = expanded_state(fcinfo, aggcontext, NULL);

		require_row_shape(e->flat, b->ndim, b->dims);
		e->flat = append_rows(e->flat, TENSOR_AGG_STATE_FLOATS(b), b->count, true);
		PG_RETURN_DATUM(EOHPGetRWDatum(&e->hdr));
	}
	a = tensor_agg_state_writable(fcinfo, 0);
	tensor_agg_require_kind(a, TENSOR_AGG_STACK, "tensor_stack_combine");
	require_row_shape(a, b->ndim, b->dims);
	PG_RETURN_POINTER(append_rows(a, TENSOR_AGG_STATE_FLOATS(b), b->count, false));
}

PG_FUNCTION_INFO_V1(tensor_stack_final);
Datum
tensor_stack_final(PG_FUNCTION_ARGS)
{
	const TensorAggState *s = read_state(PG_GETARG_DATUM(0));
	int32		dims[LINAL_MAX_RANK];
	Tensor	   *result;

	tensor_agg_require_kind(s, TENSOR_AGG_STACK, "tensor_stack_final");
	dims[0] = (int32) s->count;
	memcpy(dims + 1, s->dims, sizeof(int32) * s->ndim);
	result = tensor_allocate(s->ndim + 1, dims);
	memcpy(TENSOR_DATA(result), TENSOR_AGG_STATE_FLOATS(s), sizeof(float) * TENSOR_NUMEL(result));
	PG_RETURN_TENSOR_P(result);
}
