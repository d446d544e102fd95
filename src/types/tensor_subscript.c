/*-------------------------------------------------------------------------
 *
 * tensor_subscript.c
 *	  Subscripts and slices on tensors through Postgres's subscripting API:
 *	  t[i], t[i][j], t[a:b], t[:b], t[a:], t[i][a:b], and assignment to them.
 *
 * Semantics (1-based, like arrays):
 *	- With plain subscripts only, each one picks an index along the next
 *	  axis and drops that axis: on a matrix t[i] is row i (a vector) and
 *	  t[i][j] a rank-0 tensor.  Axes without a subscript are kept whole.
 *	- As with arrays, once any subscript is a slice, all of them are: a
 *	  plain i then means i:i and keeps its axis (t[1][2:3] of a matrix has
 *	  shape (1,2)).  Slices include both bounds; an omitted bound is the
 *	  start or the end of the axis.
 *	- Fetching out of range gives NULL for an index and clips a slice (which
 *	  may come out empty), as arrays do; more subscripts than the rank give
 *	  NULL; a NULL subscript gives NULL.
 *	- Assignment replaces the selected elements with a tensor of exactly the
 *	  selected shape.  Tensors do not grow, so out-of-range subscripts, NULL
 *	  subscripts, a NULL value or a NULL tensor are errors.
 *	- A contiguous selection (say a row of a matrix, or a slice of a vector)
 *	  of a value stored out of line reads only the bytes it needs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/execExpr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/subscripting.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"

#include "types/tensor.h"

/* the subscripts of one expression, converted at run time */
typedef struct TensorSubWorkspace
{
	int32		upper[LINAL_MAX_RANK];
	int32		lower[LINAL_MAX_RANK];
} TensorSubWorkspace;

/* what a set of subscripts selects from a tensor of a given shape */
typedef struct Selection
{
	int			ndim;			/* of the source */
	int32		dims[LINAL_MAX_RANK];
	int32		start[LINAL_MAX_RANK];
	int32		count[LINAL_MAX_RANK];
	bool		keep[LINAL_MAX_RANK];	/* axis present in the result */
} Selection;

typedef enum SelectOutcome
{
	SELECT_OK,
	SELECT_TOO_MANY,			/* more subscripts than the rank */
	SELECT_OUT_OF_RANGE
} SelectOutcome;

static Node *
transform_subscript(ParseState *pstate, Node *raw)
{
	Node	   *expr = transformExpr(pstate, raw, pstate->p_expr_kind);
	Node	   *coerced = coerce_to_target_type(pstate, expr, exprType(expr),
												INT4OID, -1, COERCION_ASSIGNMENT,
												COERCE_IMPLICIT_CAST, -1);

	if (coerced == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("tensor subscript must have type integer"),
				 parser_errposition(pstate, exprLocation(raw))));
	return coerced;
}

static void
tensor_subscript_transform(SubscriptingRef *sbsref, List *indirection,
						   ParseState *pstate, bool isSlice, bool isAssignment)
{
	List	   *upper = NIL;
	List	   *lower = NIL;
	ListCell   *lc;

	foreach(lc, indirection)
	{
		A_Indices  *ai = lfirst_node(A_Indices, lc);
		Node	   *up = ai->uidx ? transform_subscript(pstate, ai->uidx) : NULL;

		if (isSlice)
		{
			if (ai->lidx)
				lower = lappend(lower, transform_subscript(pstate, ai->lidx));
			else if (!ai->is_slice)
				lower = lappend(lower, copyObject(up));	/* i means i:i */
			else
				lower = lappend(lower, NULL);
		}
		upper = lappend(upper, up);
	}
	if (list_length(upper) > LINAL_MAX_RANK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d tensor subscripts exceed the maximum rank of %d",
						list_length(upper), LINAL_MAX_RANK)));
	sbsref->refupperindexpr = upper;
	sbsref->reflowerindexpr = lower;
	sbsref->refrestype = sbsref->refcontainertype;
	sbsref->reftypmod = -1;		/* a part has its own shape */
}

static bool
tensor_subscript_check(ExprState *state, ExprEvalStep *op, ExprContext *econtext)
{
	SubscriptingRefState *s = op->d.sbsref_subscript.state;
	TensorSubWorkspace *ws = (TensorSubWorkspace *) s->workspace;
	int			i;

	for (i = 0; i < s->numupper; i++)
	{
		if ((s->upperprovided[i] && s->upperindexnull[i]) ||
			(i < s->numlower && s->lowerprovided[i] && s->lowerindexnull[i]))
		{
			if (s->isassignment)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("tensor subscript in assignment must not be null")));
			*op->resnull = true;
			return false;
		}
		if (s->upperprovided[i])
			ws->upper[i] = DatumGetInt32(s->upperindex[i]);
		if (i < s->numlower && s->lowerprovided[i])
			ws->lower[i] = DatumGetInt32(s->lowerindex[i]);
	}
	return true;
}

/*
 * Works out what the subscripts select from a tensor with this header.
 * clip: fetch semantics (clip slices); otherwise slices must lie inside.
 */
static SelectOutcome
select_region(const SubscriptingRefState *s, const Tensor *header, bool clip,
			  Selection *sel)
{
	const TensorSubWorkspace *ws = (const TensorSubWorkspace *) s->workspace;
	bool		is_slice = (s->numlower > 0);
	int			d;

	sel->ndim = header->ndim;
	if (s->numupper > header->ndim)
		return SELECT_TOO_MANY;
	for (d = 0; d < header->ndim; d++)
	{
		int32		n = header->dims[d];

		sel->dims[d] = n;
		sel->keep[d] = true;
		sel->start[d] = 0;
		sel->count[d] = n;
		if (d >= s->numupper)
			continue;
		if (!is_slice)
		{
			int32		i = ws->upper[d];

			if (i < 1 || i > n)
				return SELECT_OUT_OF_RANGE;
			sel->start[d] = i - 1;
			sel->count[d] = 1;
			sel->keep[d] = false;
		}
		else
		{
			int64		lo = s->lowerprovided[d] ? ws->lower[d] : 1;
			int64		hi = s->upperprovided[d] ? ws->upper[d] : n;

			if (!clip && (lo < 1 || hi > n || hi < lo - 1))
				return SELECT_OUT_OF_RANGE;
			lo = Max(lo, 1);
			hi = Min(hi, n);
			sel->start[d] = (int32) Min(lo - 1, n);
			sel->count[d] = (int32) Max(hi - lo + 1, 0);
		}
	}
	return SELECT_OK;
}

/* result shape: the kept axes */
static int
selection_shape(const Selection *sel, int32 *dims)
{
	int			ndim = 0;
	int			d;

	for (d = 0; d < sel->ndim; d++)
		if (sel->keep[d])
			dims[ndim++] = sel->count[d];
	return ndim;
}

/*
 * If the selection is one contiguous run of the row-major data, sets its
 * first element and length and returns true.
 */
static bool
selection_run(const Selection *sel, int64 *first, int64 *length)
{
	int64		stride = 1;
	int64		offset = 0;
	int64		len = 1;
	bool		partial_seen = false;
	int			d;

	for (d = sel->ndim - 1; d >= 0; d--)
	{
		if (partial_seen && sel->count[d] != 1)
			return false;
		if (sel->count[d] != sel->dims[d])
			partial_seen = true;
		offset += (int64) sel->start[d] * stride;
		len *= sel->count[d];
		stride *= sel->dims[d];
	}
	*first = offset;
	*length = len;
	return true;
}

/*
 * Copies between a tensor's data and a packed buffer of the selection:
 * to_packed true gathers data -> packed, false scatters packed -> data.
 */
static void
copy_selection(const Selection *sel, float *data, float *packed, bool to_packed)
{
	int64		stride[LINAL_MAX_RANK];
	int32		index[LINAL_MAX_RANK] = {0};
	int			last = sel->ndim - 1;
	int			d;
	int64		done = 0;

	if (sel->ndim == 0)
	{
		if (to_packed)
			packed[0] = data[0];
		else
			data[0] = packed[0];
		return;
	}
	for (d = 0; d < sel->ndim; d++)
		if (sel->count[d] == 0)
			return;
	stride[last] = 1;
	for (d = last - 1; d >= 0; d--)
		stride[d] = stride[d + 1] * sel->dims[d + 1];

	for (;;)
	{
		int64		offset = 0;
		size_t		run = sizeof(float) * sel->count[last];

		for (d = 0; d <= last; d++)
			offset += (int64) (sel->start[d] + index[d]) * stride[d];
		if (to_packed)
			memcpy(packed + done, data + offset, run);
		else
			memcpy(data + offset, packed + done, run);
		done += sel->count[last];
		if ((done & 0xFFFF) < sel->count[last])
			CHECK_FOR_INTERRUPTS();
		for (d = last - 1; d >= 0; d--)
		{
			if (++index[d] < sel->count[d])
				break;
			index[d] = 0;
		}
		if (d < 0)
			break;
	}
}

/* The selected part of a non-NULL tensor datum as a new tensor, or NULL. */
static Tensor *
fetch_part(const SubscriptingRefState *s, Datum container)
{
	Tensor	   *header = tensor_header_from_datum(container);
	Selection	sel;
	int32		dims[LINAL_MAX_RANK];
	Tensor	   *result;
	int64		first;
	int64		length;

	if (select_region(s, header, true, &sel) != SELECT_OK)
		return NULL;
	result = tensor_allocate(selection_shape(&sel, dims), dims);

	if (selection_run(&sel, &first, &length))
	{
		struct varlena *raw = (struct varlena *) DatumGetPointer(container);

		if (length == 0)
			return result;
		if (VARATT_IS_EXTERNAL(raw) || VARATT_IS_COMPRESSED(raw))
		{
			/* read just the run: a row of a big stored matrix stays cheap */
			/* slice offsets count from the end of the varlena header */
			int32		offset = TENSOR_HEADER_BYTES(header->ndim) - VARHDRSZ +
				first * sizeof(float);
			struct varlena *run = PG_DETOAST_DATUM_SLICE(container, offset,
														 length * sizeof(float));

			memcpy(TENSOR_DATA(result), VARDATA(run), sizeof(float) * length);
		}
		else
			memcpy(TENSOR_DATA(result), TENSOR_DATA(DatumGetTensorP(container)) + first,
				   sizeof(float) * length);
		return result;
	}
	copy_selection(&sel, TENSOR_DATA(DatumGetTensorP(container)), TENSOR_DATA(result), true);
	return result;
}

static void
tensor_subscript_fetch(ExprState *state, ExprEvalStep *op, ExprContext *econtext)
{
	Tensor	   *part = fetch_part(op->d.sbsref.state, *op->resvalue);

	*op->resnull = (part == NULL);
	*op->resvalue = PointerGetDatum(part);
}

static void
tensor_subscript_fetch_old(ExprState *state, ExprEvalStep *op, ExprContext *econtext)
{
	SubscriptingRefState *s = op->d.sbsref.state;
	Tensor	   *part = *op->resnull ? NULL : fetch_part(s, *op->resvalue);

	s->prevnull = (part == NULL);
	s->prevvalue = PointerGetDatum(part);
}

static void
tensor_subscript_assign(ExprState *state, ExprEvalStep *op, ExprContext *econtext)
{
	SubscriptingRefState *s = op->d.sbsref.state;
	Tensor	   *target;
	Tensor	   *source;
	Selection	sel;
	int32		dims[LINAL_MAX_RANK];
	int			ndim;
	Tensor	   *expected;

	if (*op->resnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("cannot assign to a subscript of a NULL tensor")));
	if (s->replacenull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("tensor elements cannot be NULL")));

	target = tensor_check_value((Tensor *) PG_DETOAST_DATUM_COPY(*op->resvalue),
								LINAL_ELEM_FLOAT4);
	switch (select_region(s, target, false, &sel))
	{
		case SELECT_TOO_MANY:
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("%d subscripts for a tensor of rank %d", s->numupper, target->ndim)));
			break;
		case SELECT_OUT_OF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("tensor subscript out of range"),
					 errdetail("The tensor has shape %s; tensors do not grow on assignment.",
							   tensor_shape_string(target->ndim, target->dims))));
			break;
		case SELECT_OK:
			break;
	}

	source = DatumGetTensorP(s->replacevalue);
	ndim = selection_shape(&sel, dims);
	/* compare in canonical form, as a fetch of the part would have it */
	expected = tensor_allocate(ndim, dims);
	if (!tensor_same_shape(expected, source))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("assigned tensor does not match the shape of the subscripted part"),
				 errdetail("The part has shape %s, the value has shape %s.",
						   tensor_shape_string(expected->ndim, expected->dims),
						   tensor_shape_string(source->ndim, source->dims))));
	pfree(expected);
	copy_selection(&sel, TENSOR_DATA(target), TENSOR_DATA(source), false);
	*op->resvalue = PointerGetDatum(target);
}

static void
tensor_subscript_exec_setup(const SubscriptingRef *sbsref,
							SubscriptingRefState *s,
							SubscriptExecSteps *methods)
{
	if (s->numupper > LINAL_MAX_RANK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d tensor subscripts exceed the maximum rank of %d",
						s->numupper, LINAL_MAX_RANK)));
	if (s->numlower != 0 && s->numlower != s->numupper)
		elog(ERROR, "upper and lower tensor subscript lists differ in length");
	s->workspace = palloc0(sizeof(TensorSubWorkspace));
	methods->sbs_check_subscripts = tensor_subscript_check;
	methods->sbs_fetch = tensor_subscript_fetch;
	methods->sbs_assign = tensor_subscript_assign;
	methods->sbs_fetch_old = tensor_subscript_fetch_old;
}

static const SubscriptRoutines tensor_subscript_routines = {
	.transform = tensor_subscript_transform,
	.exec_setup = tensor_subscript_exec_setup,
	.fetch_strict = true,		/* NULL tensor or subscript: NULL */
	.fetch_leakproof = true,	/* out of range gives NULL, never an error */
	.store_leakproof = false	/* assignment errors on bad subscripts */
};

PG_FUNCTION_INFO_V1(tensor_subscript_handler);
Datum
tensor_subscript_handler(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&tensor_subscript_routines);
}
