/*-------------------------------------------------------------------------
 *
 * bit_distance.c
 *	  hamming_distance(bit, bit) and jaccard_distance(bit, bit), the
 *	  operators <~> and <%>: pgvector's distances on PostgreSQL's bit type,
 *	  so binary-quantized searches written for pgvector run unchanged.
 *
 * Both count bits with the kernels of src/kernels/bits.h over the whole
 * bytes, in chunks with an interrupt check between them (a bit string can
 * hold up to 1 GB), and count the last partial byte here with its padding
 * bits masked off.  PostgreSQL keeps padding bits zero (bit_in, bit_recv
 * and the bit operators all clear them), but a distance must not depend on
 * that: a value built by another extension's C code may not.
 *
 * Lengths must be equal.  The error is 22026 string_data_length_mismatch,
 * the code PostgreSQL's own & | # raise for bit strings of different
 * lengths; it is in class 22 like pgvector's 22000, so handlers written
 * for pgvector (WHEN data_exception) still catch it, and the message is
 * pgvector's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/varbit.h"

#include "algebra/algebra.h"
#include "algebra/bit_distance.h"
#include "kernels/bits.h"

/* the whole bytes, and the mask of the valid bits in the partial last byte */
typedef struct BitSpan
{
	Size		full_bytes;
	uint8		last_mask;		/* 0 when the length is a multiple of 8 */
} BitSpan;

/* 22026 unless a and b have the same length; the span both cover */
static BitSpan
bit_span(const VarBit *a, const VarBit *b)
{
	BitSpan		span;
	int			len = VARBITLEN(a);

	if (VARBITLEN(b) != len)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_LENGTH_MISMATCH),
				 errmsg("different bit lengths %u and %u",
						(unsigned) VARBITLEN(a), (unsigned) VARBITLEN(b))));
	/* a header that claims more bits than its bytes hold is corrupt */
	if (len < 0 || VARBITBYTES(a) < (len + BITS_PER_BYTE - 1) / BITS_PER_BYTE ||
		VARBITBYTES(b) < (len + BITS_PER_BYTE - 1) / BITS_PER_BYTE)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("bit string length %d does not match its size", len)));
	span.full_bytes = (Size) len / BITS_PER_BYTE;
	span.last_mask = (uint8) (0xFF << (BITS_PER_BYTE - len % BITS_PER_BYTE));
	return span;
}

/* set bits of a XOR b, or of a AND b and a OR b */
typedef struct BitCounts
{
	uint64		xor_count;
	uint64		and_count;
	uint64		or_count;
} BitCounts;

/*
 * The counts over the whole bytes in interruptible chunks, then over the
 * valid bits of the last partial byte.  jaccard picks the AND/OR counts.
 */
static BitCounts
count_bits(const VarBit *a, const VarBit *b, bool jaccard)
{
	BitSpan		span = bit_span(a, b);
	const uint8 *pa = VARBITS(a);
	const uint8 *pb = VARBITS(b);
	const LinalBitKernels *k = linal_bit_kernels_active();
	BitCounts	counts = {0, 0, 0};
	Size		done;

	for (done = 0; done < span.full_bytes; done += LINAL_CHUNK_ELEMENTS)
	{
		Size		len = Min(span.full_bytes, done + LINAL_CHUNK_ELEMENTS) - done;
		uint64		chunk_and;
		uint64		chunk_or;

		CHECK_FOR_INTERRUPTS();
		if (!jaccard)
		{
			counts.xor_count += k->hamming(pa + done, pb + done, len);
			continue;
		}
		k->and_or(pa + done, pb + done, len, &chunk_and, &chunk_or);
		counts.and_count += chunk_and;
		counts.or_count += chunk_or;
	}
	if (span.last_mask != 0)
	{
		uint8		x = pa[span.full_bytes] & span.last_mask;
		uint8		y = pb[span.full_bytes] & span.last_mask;

		counts.xor_count += linal_popcount64(x ^ y);
		counts.and_count += linal_popcount64(x & y);
		counts.or_count += linal_popcount64(x | y);
	}
	return counts;
}

double
linal_varbit_hamming_distance(const VarBit *a, const VarBit *b)
{
	return (double) count_bits(a, b, false).xor_count;
}

double
linal_varbit_jaccard_distance(const VarBit *a, const VarBit *b)
{
	BitCounts	counts = count_bits(a, b, true);

	return linal_bits_jaccard_from_counts(counts.and_count, counts.or_count);
}

/* hamming_distance(bit, bit), operator <~>: the number of differing bits */
PG_FUNCTION_INFO_V1(bit_hamming_distance);
Datum
bit_hamming_distance(PG_FUNCTION_ARGS)
{
	VarBit	   *a = PG_GETARG_VARBIT_P(0);
	VarBit	   *b = PG_GETARG_VARBIT_P(1);

	PG_RETURN_FLOAT8(linal_varbit_hamming_distance(a, b));
}

/* jaccard_distance(bit, bit), operator <%>: 1 - |a AND b| / |a OR b| */
PG_FUNCTION_INFO_V1(bit_jaccard_distance);
Datum
bit_jaccard_distance(PG_FUNCTION_ARGS)
{
	VarBit	   *a = PG_GETARG_VARBIT_P(0);
	VarBit	   *b = PG_GETARG_VARBIT_P(1);

	PG_RETURN_FLOAT8(linal_varbit_jaccard_distance(a, b));
}
