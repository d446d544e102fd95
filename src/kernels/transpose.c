/*-------------------------------------------------------------------------
 *
 * transpose.c
 *	  Cache-blocked rank-2 transpose of a row-major float matrix.
 *
 * A naive transpose walks one side with a stride of a whole row, touching
 * a new cache line (and often a new page) per element.  Working in
 * TRANSPOSE_TILE x TRANSPOSE_TILE tiles keeps both the source rows and the
 * destination rows of one tile in L1 (2 * 32 * 32 * 4 bytes = 8 kB).
 * Plain C: the loop is bound by memory, not arithmetic.
 *
 *-------------------------------------------------------------------------
 */
#include "kernels.h"

#define TRANSPOSE_TILE 32

void
kernel_transpose_f32(const float *in, float *out, size_t rows, size_t cols)
{
	size_t		i0;
	size_t		j0;

	for (i0 = 0; i0 < rows; i0 += TRANSPOSE_TILE)
	{
		size_t		i_end = rows - i0 > TRANSPOSE_TILE ? i0 + TRANSPOSE_TILE : rows;

		for (j0 = 0; j0 < cols; j0 += TRANSPOSE_TILE)
		{
			size_t		j_end = cols - j0 > TRANSPOSE_TILE ? j0 + TRANSPOSE_TILE : cols;
			size_t		i;
			size_t		j;

			for (i = i0; i < i_end; i++)
			{
				const float *src = in + i * cols;

				for (j = j0; j < j_end; j++)
					out[j * rows + i] = src[j];
			}
		}
	}
}
