/*-------------------------------------------------------------------------
 *
 * matmul.c
 *	  The matrix product: the @ operator and matmul(a, b), through OpenBLAS.
 *
 * Shapes follow numpy's matmul for ranks 1 and 2:
 *	(m,k) @ (k,n) -> (m,n)		matrix times matrix
 *	(m,k) @ (k)   -> (m)		matrix times vector
 *	(k)   @ (k,n) -> (n)		vector times matrix
 *	(k)   @ (k)   -> ()			inner product, a rank-0 tensor
 * Other ranks (scalars, batched products of rank 3 and more) are refused.
 * The result is allocated (and so checked against the size limits) before
 * BLAS runs; big products run in panels with an interrupt check between
 * them (src/kernels/blas.c), so statement_timeout and cancel stop them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "algebra/algebra.h"
#include "kernels/blas.h"

/* runs between panels; may longjmp out, which blas.c allows */
static void
check_interrupts_between_panels(void *arg)
{
	CHECK_FOR_INTERRUPTS();
}

static void
refuse_rank(const Tensor *a, const Tensor *b)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("matrix product needs tensors of rank 1 or 2"),
			 errdetail("Shapes are %s and %s.",
					   tensor_shape_string(a->ndim, a->dims),
					   tensor_shape_string(b->ndim, b->dims)),
			 errhint("Use * for element-wise products and scalars; reshape() higher ranks to matrices.")));
}

PG_FUNCTION_INFO_V1(tensor_matmul);
Datum
tensor_matmul(PG_FUNCTION_ARGS)
{
	Tensor	   *a = PG_GETARG_TENSOR_P(0);
	Tensor	   *b = PG_GETARG_TENSOR_P(1);
	size_t		m;
	size_t		k;
	size_t		k_b;
	size_t		n;
	int32		dims[2];
	int			ndim = 0;
	Tensor	   *result;
	int			status;

	if (a->ndim < 1 || a->ndim > 2 || b->ndim < 1 || b->ndim > 2)
		refuse_rank(a, b);

	/* a vector on the left is one row, on the right one column */
	m = (a->ndim == 2) ? (size_t) a->dims[0] : 1;
	k = (size_t) a->dims[a->ndim - 1];
	k_b = (size_t) b->dims[0];
	n = (b->ndim == 2) ? (size_t) b->dims[1] : 1;
	if (k != k_b)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("matrix product needs matching inner dimensions"),
				 errdetail("Shapes are %s and %s: inner dimensions %zu and %zu.",
						   tensor_shape_string(a->ndim, a->dims),
						   tensor_shape_string(b->ndim, b->dims), k, k_b)));

	if (a->ndim == 2)
		dims[ndim++] = (int32) m;
	if (b->ndim == 2)
		dims[ndim++] = (int32) n;
	result = tensor_allocate(ndim, dims);

	status = linal_matmul(TENSOR_DATA(a), TENSOR_DATA(b), TENSOR_DATA(result),
						  m, k, n, check_interrupts_between_panels, NULL);
	if (status == -1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("matrix product dimensions exceed what BLAS can address")));
	if (status == -2)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("could not load OpenBLAS for the matrix product"),
				 errdetail("%s", linal_blas_load_error()),
				 errhint("Install the Debian package libopenblas0 (or any libopenblas.so.0).")));
	algebra_require_finite(result, "matrix product");
	PG_RETURN_TENSOR_P(result);
}
