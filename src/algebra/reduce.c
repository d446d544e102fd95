/*-------------------------------------------------------------------------
 *
 * reduce.c
 *	  Reductions over the elements of one tensor: tensor_sum, tensor_min,
 *	  tensor_max, mean, stdev and norm, over the whole tensor or along one
 *	  axis.  (sum, min, max, avg over rows are the aggregates.)
 *
 * Decisions:
 *	- Whole-tensor results are double precision (min/max: real, exact).
 *	  Sums accumulate in double, so they are exact to double rounding.
 *	- stdev is the POPULATION standard deviation (divide by n): the elements
 *	  of one tensor are the whole population, as numpy's std() assumes.
 *	  It is computed in two passes (mean, then squared deviations) in
 *	  double, so a large common offset does not cancel the spread away.
 *	- norm is the L2 norm of all elements (Frobenius for matrices).
 *	- Nothing to reduce: sum and norm give 0; mean, stdev, min and max give
 *	  NULL, as SQL aggregates do over no rows.  Along an empty axis the same
 *	  holds: zeros for sum/norm, NULL for the others.
 *	- Axes are 1-based like array dimensions; negative ones count from the
 *	  end (-1 is the last).  The axis form drops that dimension.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "algebra/algebra.h"

typedef enum Reduction
{
	REDUCE_SUM,
	REDUCE_MEAN,
	REDUCE_STDEV,
	REDUCE_NORM,
	REDUCE_MIN,
	REDUCE_MAX
} Reduction;

static const char *const reduction_names[] = {
	"tensor_sum", "mean", "stdev", "norm", "tensor_min", "tensor_max"
};

/* columns a strided standard deviation works on at a time (16 kB of state) */
#define STDEV_COLUMN_BLOCK 1024

/*
 * Population standard deviations of the inner columns of x (len rows of
 * inner floats, len >= 1) into out, two passes in double.  Columns go in
 * blocks read row by row, so memory is read in order and each row of a
 * block is an interruptible step, however the shape is split.
 */
static void
stdev_columns(const float *x, size_t len, size_t inner, double *out)
{
	double		mean[STDEV_COLUMN_BLOCK];
	double		squares[STDEV_COLUMN_BLOCK];
	size_t		first;

	for (first = 0; first < inner; first += STDEV_COLUMN_BLOCK)
	{
		size_t		width = Min(STDEV_COLUMN_BLOCK, inner - first);
		size_t		i;
		size_t		j;

		memset(mean, 0, sizeof(double) * width);
		memset(squares, 0, sizeof(double) * width);
		for (j = 0; j < len; j++)
		{
			const float *row = x + j * inner + first;

			CHECK_FOR_INTERRUPTS();
			for (i = 0; i < width; i++)
				mean[i] += row[i];
		}
		for (i = 0; i < width; i++)
			mean[i] /= (double) len;
		for (j = 0; j < len; j++)
		{
			const float *row = x + j * inner + first;

			CHECK_FOR_INTERRUPTS();
			for (i = 0; i < width; i++)
			{
				double		d = row[i] - mean[i];

				squares[i] += d * d;
			}
		}
		for (i = 0; i < width; i++)
			out[first + i] = sqrt(squares[i] / (double) len);
	}
}

/* Reduces all n elements; false means the answer is NULL. */
static bool
reduce_all(Reduction r, const float *x, size_t n, double *result)
{
	float		lo;
	float		hi;

	switch (r)
	{
		case REDUCE_SUM:
			*result = algebra_sum(x, n);
			return true;
		case REDUCE_NORM:
			*result = sqrt(algebra_sum_squares(x, n));
			return true;
		case REDUCE_MEAN:
			if (n == 0)
				return false;
			*result = algebra_sum(x, n) / (double) n;
			return true;
		case REDUCE_STDEV:
			{
				double		mean;
				double		squares = 0.0;
				size_t		done;

				if (n == 0)
					return false;
				mean = algebra_sum(x, n) / (double) n;
				for (done = 0; done < n; done += LINAL_CHUNK_ELEMENTS)
				{
					size_t		end = Min(n, done + LINAL_CHUNK_ELEMENTS);
					size_t		i;

					CHECK_FOR_INTERRUPTS();
					for (i = done; i < end; i++)
					{
						double		d = x[i] - mean;

						squares += d * d;
					}
				}
				*result = sqrt(squares / (double) n);
				return true;
			}
		case REDUCE_MIN:
		case REDUCE_MAX:
			if (n == 0)
				return false;
			algebra_min_max(x, n, &lo, &hi);
			*result = (r == REDUCE_MIN) ? lo : hi;
			return true;
	}
	return false;
}

static Datum
reduce_whole(FunctionCallInfo fcinfo, Reduction r)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	double		result;

	if (!reduce_all(r, TENSOR_DATA(t), (size_t) TENSOR_NUMEL(t), &result))
		PG_RETURN_NULL();
	if (r == REDUCE_MIN || r == REDUCE_MAX)
		PG_RETURN_FLOAT4((float) result);
	PG_RETURN_FLOAT8(algebra_finite_result(result, reduction_names[r]));
}

/* 0-based index of a 1-based (or negative) axis, or an error */
static int
resolve_axis(const Tensor *t, int32 axis)
{
	int			index = (axis < 0) ? t->ndim + axis : axis - 1;

	if (t->ndim == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a rank-0 tensor has no axis to reduce"),
				 errhint("Call the function without an axis.")));
	if (axis == 0 || index < 0 || index >= t->ndim)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("axis %d is out of range for a tensor of rank %d", axis, t->ndim),
				 errdetail("The tensor has shape %s.", tensor_shape_string(t->ndim, t->dims)),
				 errhint("Axes are 1 to %d, or -1 to -%d counting from the end.",
						 t->ndim, t->ndim)));
	return index;
}

static float
to_element(double value, Reduction r)
{
	float		f = (float) value;

	if (isinf(f) || isnan(f))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range: overflow in %s", reduction_names[r])));
	return f;
}

/*
 * Reduces slices x[o, 0..len-1, i] (row-major view outer x len x inner)
 * into out[o * inner + i].  Contiguous slices (inner == 1) go to the
 * kernels; otherwise rows are accumulated into a double buffer of inner.
 */
static void
reduce_axis_into(Reduction r, const float *x, size_t outer, size_t len,
				 size_t inner, float *out)
{
	double	   *acc = NULL;
	size_t		o;

	if (inner > 1)
		acc = MemoryContextAllocHuge(CurrentMemoryContext, sizeof(double) * inner);

	for (o = 0; o < outer; o++)
	{
		const float *base = x + o * len * inner;
		size_t		i;
		size_t		j;
		double		value;

		CHECK_FOR_INTERRUPTS();
		if (inner == 1)
		{
			if (!reduce_all(r, base, len, &value))
				elog(ERROR, "empty axis reached reduce_axis_into");
			out[o] = to_element(value, r);
			continue;
		}

		switch (r)
		{
			case REDUCE_MIN:
			case REDUCE_MAX:
				for (i = 0; i < inner; i++)
					acc[i] = base[i];
				for (j = 1; j < len; j++)
				{
					const float *row = base + j * inner;

					CHECK_FOR_INTERRUPTS();
					for (i = 0; i < inner; i++)
						if (r == REDUCE_MIN ? row[i] < acc[i] : row[i] > acc[i])
							acc[i] = row[i];
				}
				break;
			case REDUCE_STDEV:
				stdev_columns(base, len, inner, acc);
				break;
			default:
				memset(acc, 0, sizeof(double) * inner);
				for (j = 0; j < len; j++)
				{
					const float *row = base + j * inner;

					CHECK_FOR_INTERRUPTS();
					if (r == REDUCE_NORM)
						for (i = 0; i < inner; i++)
							acc[i] += (double) row[i] * row[i];
					else
						for (i = 0; i < inner; i++)
							acc[i] += row[i];
				}
				for (i = 0; i < inner; i++)
				{
					if (r == REDUCE_MEAN)
						acc[i] /= (double) len;
					else if (r == REDUCE_NORM)
						acc[i] = sqrt(acc[i]);
				}
				break;
		}
		for (i = 0; i < inner; i++)
			out[o * inner + i] = to_element(acc[i], r);
	}
	if (acc)
		pfree(acc);
}

static Datum
reduce_along(FunctionCallInfo fcinfo, Reduction r)
{
	Tensor	   *t = PG_GETARG_TENSOR_P(0);
	int			k = resolve_axis(t, PG_GETARG_INT32(1));
	int32		dims[LINAL_MAX_RANK];
	size_t		outer = 1;
	size_t		inner = 1;
	size_t		len = (size_t) t->dims[k];
	Tensor	   *result;
	int			d;
	int			ndim = 0;

	for (d = 0; d < t->ndim; d++)
	{
		if (d < k)
			outer *= t->dims[d];
		else if (d > k)
			inner *= t->dims[d];
		if (d != k)
			dims[ndim++] = t->dims[d];
	}

	if (len == 0 && r != REDUCE_SUM && r != REDUCE_NORM)
		PG_RETURN_NULL();
	result = tensor_allocate(ndim, dims);
	if (len == 0)
		memset(TENSOR_DATA(result), 0, sizeof(float) * TENSOR_NUMEL(result));
	else
		reduce_axis_into(r, TENSOR_DATA(t), outer, len, inner, TENSOR_DATA(result));
	PG_RETURN_TENSOR_P(result);
}

#define REDUCTION_FUNCTIONS(name, r) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	return reduce_whole(fcinfo, r); \
} \
PG_FUNCTION_INFO_V1(name##_axis); \
Datum \
name##_axis(PG_FUNCTION_ARGS) \
{ \
	return reduce_along(fcinfo, r); \
}

REDUCTION_FUNCTIONS(tensor_sum, REDUCE_SUM)
REDUCTION_FUNCTIONS(tensor_mean, REDUCE_MEAN)
REDUCTION_FUNCTIONS(tensor_stdev, REDUCE_STDEV)
REDUCTION_FUNCTIONS(tensor_norm, REDUCE_NORM)
REDUCTION_FUNCTIONS(tensor_min, REDUCE_MIN)
REDUCTION_FUNCTIONS(tensor_max, REDUCE_MAX)
