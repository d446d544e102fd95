/*-------------------------------------------------------------------------
 *
 * elementwise.c
 *	  Element-wise arithmetic: + - * / between tensors and with scalars,
 *	  unary minus, scale() and normalize().
 *
 * Two tensors combine when their shapes are equal, or when either is rank 0
 * (a scalar that broadcasts); any other pair is refused with both shapes.
 * A double precision scalar must be finite and fit float4.  Results must be
 * finite too: a division by zero raises 22012 as float division does, any
 * other overflow 22003.  Large tensors are processed in chunks with an
 * interrupt check between them, so a cancel lands within milliseconds.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "algebra/algebra.h"

typedef enum ArithOp
{
	ARITH_ADD,
	ARITH_SUB,
	ARITH_MUL,
	ARITH_DIV
} ArithOp;

static const char *const op_names[] = {"addition", "subtraction", "multiplication", "division"};

/*
 * 22012 if divisor holds a zero: called once a division produced a
 * non-finite.  divisor is the chunk starting at element first (0-based).
 */
static void
check_zero_divisor(const float *divisor, size_t first, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (divisor[i] == 0.0f)
			ereport(ERROR,
					(errcode(ERRCODE_DIVISION_BY_ZERO),
					 errmsg("division by zero"),
					 errdetail("Divisor element %zu is zero.", first + i + 1)));
}

static void
report_overflow(ArithOp op)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value out of range: overflow in tensor %s", op_names[op])));
}

/* A double precision operand as float4, or an error saying why not. */
static float
scalar_operand(double s)
{
	float		f = (float) s;

	if (isnan(s) || isinf(s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("scalar operand must be a finite number"),
				 errdetail("NaN and Infinity cannot take part in tensor arithmetic.")));
	/* underflow too, as float4 input refuses it: 1e-50 must not become a zero divisor */
	if (isinf(f) || (f == 0.0f && s != 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range for type real"),
				 errdetail("The scalar operand %g does not fit float4.", s)));
	return f;
}

/*
 * out = a op b for n elements each, in chunks.  Element-wise kernels are
 * exact IEEE operations, so only overflow and division by zero can go wrong.
 */
static void
apply_tensor_tensor(ArithOp op, const float *a, const float *b, float *out,
					size_t n)
{
	size_t		done;

	for (done = 0; done < n; done += LINAL_CHUNK_ELEMENTS)
	{
		size_t		len = Min(LINAL_CHUNK_ELEMENTS, n - done);

		CHECK_FOR_INTERRUPTS();
		switch (op)
		{
			case ARITH_ADD:
				linal_kernels->add(a + done, b + done, out + done, len);
				break;
			case ARITH_SUB:
				linal_kernels->sub(a + done, b + done, out + done, len);
				break;
			case ARITH_MUL:
				linal_kernels->mul(a + done, b + done, out + done, len);
				break;
			case ARITH_DIV:
				linal_kernels->div(a + done, b + done, out + done, len);
				break;
		}
		if (!linal_kernels->all_finite(out + done, len))
		{
			if (op == ARITH_DIV)
				check_zero_divisor(b + done, done, len);
			report_overflow(op);
		}
	}
}

/*
 * out = t op s (scalar_left false) or s op t (true).  Subtraction and
 * division by a scalar become addition of -s and multiplication by 1/s
 * only where that is exact; otherwise a temporary broadcast chunk is used.
 */
static void
apply_tensor_scalar(ArithOp op, const float *t, float s, bool scalar_left,
					float *out, size_t n)
{
	float	   *fill = NULL;
	size_t		done;

	if (op == ARITH_DIV && !scalar_left && s == 0.0f)
		ereport(ERROR,
				(errcode(ERRCODE_DIVISION_BY_ZERO),
				 errmsg("division by zero")));
	/* s - t, s / t and t / s need the scalar as a vector (t / s: 1/s is inexact) */
	if (op == ARITH_DIV || (op == ARITH_SUB && scalar_left))
	{
		size_t		i;

		fill = palloc(sizeof(float) * Min(LINAL_CHUNK_ELEMENTS, Max(n, 1)));
		for (i = 0; i < Min(LINAL_CHUNK_ELEMENTS, n); i++)
			fill[i] = s;
	}

	for (done = 0; done < n; done += LINAL_CHUNK_ELEMENTS)
	{
		size_t		len = Min(LINAL_CHUNK_ELEMENTS, n - done);
		const float *x = t + done;
		float	   *y = out + done;

		CHECK_FOR_INTERRUPTS();
		switch (op)
		{
			case ARITH_ADD:
				linal_kernels->add_scalar(x, s, y, len);
				break;
			case ARITH_SUB:
				if (scalar_left)
					linal_kernels->sub(fill, x, y, len);
				else
					linal_kernels->add_scalar(x, -s, y, len);
				break;
			case ARITH_MUL:
				linal_kernels->mul_scalar(x, s, y, len);
				break;
			case ARITH_DIV:
				if (scalar_left)
					linal_kernels->div(fill, x, y, len);
				else
					linal_kernels->div(x, fill, y, len);
				break;
		}
		if (!linal_kernels->all_finite(y, len))
		{
			if (op == ARITH_DIV && scalar_left)
				check_zero_divisor(x, done, len);
			report_overflow(op);
		}
	}
	if (fill)
		pfree(fill);
}

/* tensor op tensor, with rank-0 operands broadcast */
static Datum
tensor_arith(FunctionCallInfo fcinfo, ArithOp op)
{
	Tensor	   *a = PG_GETARG_TENSOR_P(0);
	Tensor	   *b = PG_GETARG_TENSOR_P(1);
	Tensor	   *result;

	if (tensor_same_shape(a, b))
	{
		result = tensor_allocate_like(a);
		apply_tensor_tensor(op, TENSOR_DATA(a), TENSOR_DATA(b),
							TENSOR_DATA(result), (size_t) TENSOR_NUMEL(a));
	}
	else if (b->ndim == 0)
	{
		result = tensor_allocate_like(a);
		apply_tensor_scalar(op, TENSOR_DATA(a), TENSOR_DATA(b)[0], false,
							TENSOR_DATA(result), (size_t) TENSOR_NUMEL(a));
	}
	else if (a->ndim == 0)
	{
		result = tensor_allocate_like(b);
		apply_tensor_scalar(op, TENSOR_DATA(b), TENSOR_DATA(a)[0], true,
							TENSOR_DATA(result), (size_t) TENSOR_NUMEL(b));
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("tensor %s needs operands of the same shape", op_names[op]),
				 errdetail("Shapes are %s and %s.",
						   tensor_shape_string(a->ndim, a->dims),
						   tensor_shape_string(b->ndim, b->dims)),
				 errhint("A rank-0 tensor or a number broadcasts to any shape.")));
	PG_RETURN_TENSOR_P(result);
}

/* tensor op scalar (scalar_left false: args are (tensor, float8)) */
static Datum
tensor_scalar_arith(FunctionCallInfo fcinfo, ArithOp op, bool scalar_left)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(scalar_left ? 1 : 0);
	float		s = scalar_operand(PG_GETARG_FLOAT8(scalar_left ? 0 : 1));
	Tensor	   *result = tensor_allocate_like(t);

	apply_tensor_scalar(op, TENSOR_DATA(t), s, scalar_left,
						TENSOR_DATA(result), (size_t) TENSOR_NUMEL(t));
	PG_RETURN_TENSOR_P(result);
}

#define ARITH_FUNCTIONS(suffix, op) \
PG_FUNCTION_INFO_V1(tensor_##suffix); \
Datum \
tensor_##suffix(PG_FUNCTION_ARGS) \
{ \
	return tensor_arith(fcinfo, op); \
} \
PG_FUNCTION_INFO_V1(tensor_##suffix##_scalar); \
Datum \
tensor_##suffix##_scalar(PG_FUNCTION_ARGS) \
{ \
	return tensor_scalar_arith(fcinfo, op, false); \
} \
PG_FUNCTION_INFO_V1(tensor_scalar_##suffix); \
Datum \
tensor_scalar_##suffix(PG_FUNCTION_ARGS) \
{ \
	return tensor_scalar_arith(fcinfo, op, true); \
}

ARITH_FUNCTIONS(add, ARITH_ADD)
ARITH_FUNCTIONS(sub, ARITH_SUB)
ARITH_FUNCTIONS(mul, ARITH_MUL)
ARITH_FUNCTIONS(div, ARITH_DIV)

PG_FUNCTION_INFO_V1(tensor_negate);
Datum
tensor_negate(PG_FUNCTION_ARGS)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	Tensor	   *result = tensor_allocate_like(t);

	/* exact: negation never overflows */
	apply_tensor_scalar(ARITH_MUL, TENSOR_DATA(t), -1.0f, false,
						TENSOR_DATA(result), (size_t) TENSOR_NUMEL(t));
	PG_RETURN_TENSOR_P(result);
}

/* scale(t, s) is t * s under a name that reads well in expressions */
PG_FUNCTION_INFO_V1(tensor_scale);
Datum
tensor_scale(PG_FUNCTION_ARGS)
{
	return tensor_scalar_arith(fcinfo, ARITH_MUL, false);
}

/*
 * normalize(t): t divided by its L2 (Frobenius) norm, so the result has
 * norm 1.  The zero tensor has no direction; it normalizes to itself.
 */
PG_FUNCTION_INFO_V1(tensor_normalize);
Datum
tensor_normalize(PG_FUNCTION_ARGS)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	size_t		n = (size_t) TENSOR_NUMEL(t);
	Tensor	   *result = tensor_allocate_like(t);
	double		norm = sqrt(algebra_sum_squares(TENSOR_DATA(t), n));

	if (norm == 0.0)
	{
		memcpy(TENSOR_DATA(result), TENSOR_DATA(t), sizeof(float) * n);
		PG_RETURN_TENSOR_P(result);
	}

	algebra_divide_by_norm(TENSOR_DATA(t), norm, TENSOR_DATA(result), n);
	PG_RETURN_TENSOR_P(result);
}
