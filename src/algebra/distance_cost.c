/*-------------------------------------------------------------------------
 *
 * distance_cost.c
 *	  What a distance call costs the planner: a planner support function for
 *	  the distance operators' functions, and the same figure for linal_hnsw.
 *
 * A fixed procost says a 4096-d distance costs what a 4-d one does, and
 * the planner charges nothing for detoasting: a tensor(4096) column is
 * stored out of line, so each row of a plain scan fetches about nine TOAST
 * chunks before its distance.  Without this a plain scan and sort of wide
 * vectors looks cheaper than an index search, which it is not by orders of
 * magnitude.  The element count comes from the typmod (tensor(n)) or from
 * a constant argument; with neither the declared procost stands.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/heaptoast.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "optimizer/optimizer.h"
#include "utils/syscache.h"
#include "utils/varbit.h"

#include "algebra/algebra.h"
#include "types/tensor.h"

/* elements a distance kernel goes through per cpu_operator_cost */
#define ELEMENTS_PER_OPERATOR_COST 64.0

/*
 * The elements of a constant tensor or halftensor, from its header alone
 * (either element type: the index's cost estimate sees both).
 */
static double
constant_tensor_elements(Datum value)
{
	Tensor	   *t = (Tensor *) PG_DETOAST_DATUM_SLICE(value, 0, TENSOR_HEADER_BYTES(LINAL_MAX_RANK));
	double		n = 1;
	int			i;

	if ((t->elemtype != LINAL_ELEM_FLOAT4 && t->elemtype != LINAL_ELEM_FLOAT16) ||
		t->ndim > LINAL_MAX_RANK)
		tensor_report_bad_value(t, LINAL_ELEM_FLOAT4);
	for (i = 0; i < t->ndim; i++)
		n *= t->dims[i];
	return n;
}

/* whether a type is tensor or halftensor: a typmod or value read as theirs */
static bool
is_dense_tensor_type(Oid typid)
{
	HeapTuple	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	bool		dense;
	const char *name;

	if (!HeapTupleIsValid(tuple))
		return false;
	name = NameStr(((Form_pg_type) GETSTRUCT(tuple))->typname);
	dense = strcmp(name, "tensor") == 0 || strcmp(name, "halftensor") == 0;
	ReleaseSysCache(tuple);
	return dense;
}

/*
 * The elements an argument has, as far as the plan tells: -1 when it does
 * not (also for a type other than tensor, halftensor and bit).  *stored says whether the value comes from a table's column (and so
 * may have to be detoasted).  A bit string counts as a float per 32 bits:
 * the bytes a kernel reads, and what the value weighs in TOAST.
 */
static double
argument_elements(Node *arg, bool *stored)
{
	int32		dims[2];
	int			ndim;

	*stored = IsA(arg, Var);
	if (exprType(arg) == BITOID)
	{
		if (exprTypmod(arg) > 0)
			return ceil(exprTypmod(arg) / 32.0);
		if (IsA(arg, Const) && !((Const *) arg)->constisnull)
			return ceil(VARBITLEN(DatumGetVarBitP(((Const *) arg)->constvalue)) / 32.0);
		return -1;
	}
	if (!is_dense_tensor_type(exprType(arg)))
		return -1;
	ndim = tensor_typmod_shape(exprTypmod(arg), dims);
	if (ndim > 0)
		return ndim == 1 ? (double) dims[0] : (double) dims[0] * dims[1];
	if (IsA(arg, Const) && !((Const *) arg)->constisnull)
		return constant_tensor_elements(((Const *) arg)->constvalue);
	return -1;
}

/* The elements of the arguments of a distance call, -1 when unknown. */
double
linal_distance_elements(List *args, int *stored_args)
{
	ListCell   *lc;
	double		elements = -1;

	*stored_args = 0;
	/* both sides have the same elements, or the call fails */
	foreach(lc, args)
	{
		bool		stored;

		elements = Max(elements, argument_elements((Node *) lfirst(lc), &stored));
		*stored_args += stored ? 1 : 0;
	}
	return elements;
}

double
linal_distance_cost(double elements, bool detoast)
{
	double		cost = cpu_operator_cost * (1.0 + elements / ELEMENTS_PER_OPERATOR_COST);
	double		bytes = elements * sizeof(float);

	/* EXTERNAL storage moves a value this large out of line */
	if (detoast && bytes > TOAST_TUPLE_THRESHOLD)
		cost += (ceil(bytes / TOAST_MAX_CHUNK_SIZE) + 1) *
			(cpu_tuple_cost + cpu_index_tuple_cost);
	return cost;
}

PG_FUNCTION_INFO_V1(tensor_distance_support);
Datum
tensor_distance_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);
	SupportRequestCost *req;
	List	   *args;
	double		elements;
	int			stored_args;

	if (!IsA(rawreq, SupportRequestCost))
		PG_RETURN_POINTER(NULL);
	req = (SupportRequestCost *) rawreq;
	if (req->node == NULL)
		PG_RETURN_POINTER(NULL);
	if (IsA(req->node, FuncExpr))
		args = ((FuncExpr *) req->node)->args;
	else if (IsA(req->node, OpExpr))
		args = ((OpExpr *) req->node)->args;
	else
		PG_RETURN_POINTER(NULL);

	elements = linal_distance_elements(args, &stored_args);
	if (elements < 0)
		PG_RETURN_POINTER(NULL);
	req->startup = 0;
	req->per_tuple = linal_distance_cost(elements, false) + stored_args *
		(linal_distance_cost(elements, true) - linal_distance_cost(elements, false));
	PG_RETURN_POINTER(req);
}
