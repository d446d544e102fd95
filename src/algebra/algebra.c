/*-------------------------------------------------------------------------
 *
 * algebra.c
 *	  The checks every algebra function shares (see algebra.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "algebra/algebra.h"

void
algebra_require_same_shape(const Tensor *a, const Tensor *b,
						   const char *operation)
{
	if (!tensor_same_shape(a, b))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s needs tensors of the same shape", operation),
				 errdetail("Shapes are %s and %s.",
						   tensor_shape_string(a->ndim, a->dims),
						   tensor_shape_string(b->ndim, b->dims))));
}

void
algebra_require_finite(const Tensor *t, const char *operation)
{
	const float *data = TENSOR_DATA(t);
	size_t		numel = (size_t) TENSOR_NUMEL(t);
	size_t		done;

	for (done = 0; done < numel; done += LINAL_CHUNK_ELEMENTS)
	{
		size_t		n = Min(LINAL_CHUNK_ELEMENTS, numel - done);

		CHECK_FOR_INTERRUPTS();
		if (!linal_kernels->all_finite(data + done, n))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value out of range: overflow in %s", operation),
					 errdetail("A result element is not a finite float4.")));
	}
}

double
algebra_finite_result(double value, const char *operation)
{
	if (!isfinite(value))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range: overflow in %s", operation)));
	return value;
}

double
algebra_sum(const float *data, size_t n)
{
	double		sum = 0.0;
	size_t		done;

	for (done = 0; done < n; done += LINAL_CHUNK_ELEMENTS)
	{
		CHECK_FOR_INTERRUPTS();
		sum += linal_kernels->sum(data + done, Min(LINAL_CHUNK_ELEMENTS, n - done));
	}
	return sum;
}

double
algebra_sum_squares(const float *data, size_t n)
{
	double		sum = 0.0;
	size_t		done;

	for (done = 0; done < n; done += LINAL_CHUNK_ELEMENTS)
	{
		CHECK_FOR_INTERRUPTS();
		sum += linal_kernels->sum_squares(data + done,
										  Min(LINAL_CHUNK_ELEMENTS, n - done));
	}
	return sum;
}

/*
 * y = x / norm (norm > 0, finite), in chunks.  1/norm as a float4 factor
 * is infinite for norms below about 3e-39 (denormal elements) and loses
 * bits for norms above about 8e37: those divide in double instead.
 */
void
algebra_divide_by_norm(const float *x, double norm, float *y, size_t n)
{
	float		inverse = (float) (1.0 / norm);
	size_t		done;

	for (done = 0; done < n; done += LINAL_CHUNK_ELEMENTS)
	{
		size_t		len = Min(LINAL_CHUNK_ELEMENTS, n - done);

		CHECK_FOR_INTERRUPTS();
		if (isnormal(inverse))
			linal_kernels->mul_scalar(x + done, inverse, y + done, len);
		else
		{
			size_t		i;

			for (i = done; i < done + len; i++)
				y[i] = (float) (x[i] / norm);
		}
	}
}

/* n >= 1 */
void
algebra_min_max(const float *data, size_t n, float *min, float *max)
{
	size_t		done;

	Assert(n >= 1);
	linal_kernels->min_max(data, Min(LINAL_CHUNK_ELEMENTS, n), min, max);
	for (done = LINAL_CHUNK_ELEMENTS; done < n; done += LINAL_CHUNK_ELEMENTS)
	{
		float		lo;
		float		hi;

		CHECK_FOR_INTERRUPTS();
		linal_kernels->min_max(data + done, Min(LINAL_CHUNK_ELEMENTS, n - done), &lo, &hi);
		*min = Min(*min, lo);
		*max = Max(*max, hi);
	}
}
