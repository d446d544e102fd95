/*-------------------------------------------------------------------------
 *
 * tensor_fuzz.c
 *	  libFuzzer target for the tensor and sparsetensor parsers
 *	  (src/types/tensor_parse.c, src/types/sparsetensor_parse.c), the code
 *	  that reads untrusted text and binary input.
 *
 * The first byte picks the mode: even = text, odd = binary; the rest is the
 * payload.  Besides "no crash, no out-of-bounds access, no leak" (the
 * sanitizers), every input checks properties that only a correct parser
 * has:
 *	- an error has a status, a non-empty detail and a position inside the
 *	  input (or none);
 *	- an accepted tensor has rank 0..8, dims within the limits, numel equal
 *	  to their product, and only finite elements;
 *	- text printed back from an accepted tensor ("%.9g" round-trips float)
 *	  parses to the same shape and the same bits, -0 included;
 *	- an accepted binary message, encoded again, is byte-for-byte the input
 *	  (the binary form is canonical but for dimensions after a zero
 *	  dimension, which are dropped), and its text form round-trips too.
 * The payload is also always tried as text, so binary inputs exercise the
 * text scanner as well, and every payload goes through the sparsetensor
 * parser of its mode too: an accepted sparsetensor has a dimension within
 * the limits and strictly increasing indices below it with finite non-zero
 * values; its printed text parses back to the same entries, and an
 * accepted binary message re-encodes to itself.
 *
 * Built with -DFUZZ_STANDALONE it gets a main() that runs files given on
 * the command line (the seed corpus) and prints TAP, for machines without
 * libFuzzer and as a quick regression test (fuzz/run --corpus-only).
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/sparsetensor_parse.h"
#include "types/tensor_parse.h"

/* larger accepted tensors are not materialised: memory per input stays small */
#define MAX_FUZZ_ELEMENTS (1 << 20)

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *why)
{
	fprintf(stderr, "property violated: %s\n", why);
	abort();
}

static void
check_error(const TensorParseError *err, TensorParseStatus status, size_t len)
{
	if (status != TENSOR_PARSE_SYNTAX && status != TENSOR_PARSE_LIMIT &&
		status != TENSOR_PARSE_OUT_OF_RANGE && status != TENSOR_PARSE_INVALID_VALUE)
		fail("unknown status");
	if (err->status != status)
		fail("status and err->status differ");
	if (memchr(err->detail, '\0', sizeof(err->detail)) == NULL || err->detail[0] == '\0')
		fail("detail is empty or unterminated");
	if (err->position > len + 1)
		fail("error position past the end of the input");
}

static void
check_shape(const TensorShapeInfo *shape)
{
	int64_t		product = 1;
	int			i;

	if (shape->ndim < 0 || shape->ndim > LINAL_MAX_RANK)
		fail("rank out of range");
	for (i = 0; i < shape->ndim; i++)
	{
		if (shape->dims[i] < 0 || shape->dims[i] > LINAL_MAX_DIM)
			fail("dimension out of range");
		product *= shape->dims[i];
	}
	if (product != shape->numel || shape->numel > LINAL_MAX_ELEMENTS)
		fail("numel is not the product of the dimensions");
}

/* Appends the text form of one level; returns the new end. */
static char *
print_level(char *p, const TensorShapeInfo *shape, int level,
			const float *data, int64_t *next)
{
	int32_t		i;

	*p++ = '[';
	for (i = 0; i < shape->dims[level]; i++)
	{
		if (i > 0)
			*p++ = ',';
		if (level == shape->ndim - 1)
			p += sprintf(p, "%.9g", data[(*next)++]);
		else
			p = print_level(p, shape, level + 1, data, next);
	}
	*p++ = ']';
	return p;
}

/* Text form in a malloc'd buffer sized from the shape. */
static int64_t list_count(const TensorShapeInfo *shape);

static char *
print_tensor(const TensorShapeInfo *shape, const float *data)
{
	int64_t		next = 0;
	char	   *text;
	char	   *end;

	text = malloc((size_t) (list_count(shape) * 3 + shape->numel * 17 + 32));
	if (text == NULL)
		fail("out of memory");
	if (shape->ndim == 0)
		end = text + sprintf(text, "%.9g", data[0]);
	else
		end = print_level(text, shape, 0, data, &next);
	*end = '\0';
	return text;
}

/* number of bracket pairs in the text form */
static int64_t
list_count(const TensorShapeInfo *shape)
{
	int64_t		lists = 0;
	int64_t		per_level = 1;
	int			level;

	for (level = 0; level < shape->ndim; level++)
	{
		lists += per_level;
		per_level *= shape->dims[level];
	}
	return lists;
}

/* The text of an accepted tensor must parse back to the same bits. */
static void
check_text_round_trip(const TensorShapeInfo *shape, const float *data)
{
	char	   *text;
	TensorShapeInfo again;
	TensorParseError err;
	float	   *copy;

	/* (2^27, 0) is a valid empty shape, but its text has 2^27 "[]" */
	if (list_count(shape) > MAX_FUZZ_ELEMENTS)
		return;
	text = print_tensor(shape, data);

	if (tensor_text_scan(text, &again, &err) != TENSOR_PARSE_OK)
		fail("printed text does not scan");
	if (again.ndim != shape->ndim || again.numel != shape->numel ||
		memcmp(again.dims, shape->dims, sizeof(int32_t) * shape->ndim) != 0)
		fail("printed text scans to another shape");
	copy = malloc(sizeof(float) * (size_t) shape->numel + 1);
	if (copy == NULL)
		fail("out of memory");
	if (tensor_text_read(text, &again, copy, &err) != TENSOR_PARSE_OK)
		fail("printed text does not read");
	if (memcmp(copy, data, sizeof(float) * (size_t) shape->numel) != 0)
		fail("printed text reads back to other bits");
	free(copy);
	free(text);
}

static void
check_elements(const TensorShapeInfo *shape, const float *data)
{
	int64_t		i;

	for (i = 0; i < shape->numel; i++)
		if (!isfinite(data[i]))
			fail("non-finite element accepted");
}

static void
fuzz_text(const char *text, size_t len)
{
	TensorShapeInfo shape;
	TensorParseError err;
	TensorParseStatus status;
	float	   *data;

	status = tensor_text_scan(text, &shape, &err);
	if (status != TENSOR_PARSE_OK)
	{
		check_error(&err, status, len);
		return;
	}
	check_shape(&shape);
	if (shape.numel > MAX_FUZZ_ELEMENTS)
		return;
	/* exactly numel floats, so ASan sees any write past them */
	data = malloc(sizeof(float) * (size_t) shape.numel + 1);
	if (data == NULL)
		fail("out of memory");
	status = tensor_text_read(text, &shape, data, &err);
	if (status == TENSOR_PARSE_OK)
	{
		check_elements(&shape, data);
		check_text_round_trip(&shape, data);
	}
	else if (status == TENSOR_PARSE_SYNTAX)
		fail("read refused what scan accepted");
	else
		check_error(&err, status, len);
	free(data);
}

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char) (v >> 24);
	p[1] = (unsigned char) (v >> 16);
	p[2] = (unsigned char) (v >> 8);
	p[3] = (unsigned char) v;
}

static void
fuzz_binary(const unsigned char *buf, size_t len)
{
	TensorShapeInfo shape;
	TensorParseError err;
	TensorParseStatus status;
	float	   *data;
	unsigned char *encoded;
	size_t		i;

	status = tensor_binary_scan(buf, len, &shape, &err);
	if (status != TENSOR_PARSE_OK)
	{
		check_error(&err, status, len);
		return;
	}
	check_shape(&shape);
	if (shape.numel > MAX_FUZZ_ELEMENTS)
		return;
	data = malloc(sizeof(float) * (size_t) shape.numel + 1);
	if (data == NULL)
		fail("out of memory");
	status = tensor_binary_read(buf, len, &shape, data, &err);
	if (status != TENSOR_PARSE_OK)
	{
		check_error(&err, status, len);
		free(data);
		return;
	}
	check_elements(&shape, data);

	/*
	 * Encoding again gives the input, unless the message had dimensions
	 * after a zero dimension, which the canonical shape drops.
	 */
	if (4 + 4 * (size_t) shape.ndim + 4 * (size_t) shape.numel != len)
	{
		if (shape.numel != 0)
			fail("only an empty shape may be shortened");
		check_text_round_trip(&shape, data);
		free(data);
		return;
	}
	encoded = malloc(len);
	if (encoded == NULL)
		fail("out of memory");
	encoded[0] = (unsigned char) (shape.ndim >> 8);
	encoded[1] = (unsigned char) shape.ndim;
	encoded[2] = 0;
	encoded[3] = 0;
	for (i = 0; i < (size_t) shape.ndim; i++)
		put_be32(encoded + 4 + 4 * i, (uint32_t) shape.dims[i]);
	for (i = 0; i < (size_t) shape.numel; i++)
	{
		uint32_t	bits;

		memcpy(&bits, &data[i], sizeof(bits));
		put_be32(encoded + 4 + 4 * shape.ndim + 4 * i, bits);
	}
	if (memcmp(encoded, buf, len) != 0)
		fail("binary message does not re-encode to itself");
	check_text_round_trip(&shape, data);
	free(encoded);
	free(data);
}

/* ---------- sparsetensor ---------- */

static void
check_sparse_entries(int32_t dim, const int32_t *indices, const float *values, int64_t nnz)
{
	int64_t		i;

	if (dim < 1 || dim > LINAL_SPARSE_MAX_DIM)
		fail("sparse dimension out of range");
	if (nnz < 0 || nnz > dim || nnz > LINAL_SPARSE_MAX_NNZ)
		fail("sparse entry count out of range");
	for (i = 0; i < nnz; i++)
	{
		if (indices[i] < 0 || indices[i] >= dim)
			fail("sparse index out of range");
		if (i > 0 && indices[i] <= indices[i - 1])
			fail("sparse indices not strictly increasing");
		if (!isfinite(values[i]) || values[i] == 0.0f)
			fail("sparse value zero or not finite");
	}
}

/* The printed text of accepted entries reads back to the same bits. */
static void
check_sparse_round_trip(int32_t dim, const int32_t *indices, const float *values, int64_t nnz)
{
	char	   *text = malloc((size_t) nnz * 30 + 32);
	char	   *p = text;
	SparseTextEntry *entries;
	TensorParseError err;
	int32_t		dim2;
	int64_t		count;
	int64_t		nnz2;
	int64_t		i;

	if (text == NULL)
		fail("out of memory");
	*p++ = '{';
	for (i = 0; i < nnz; i++)
		p += sprintf(p, "%s%d:%.9g", i > 0 ? "," : "", indices[i] + 1, values[i]);
	sprintf(p, "}/%d", dim);
	if (sparse_text_scan(text, &dim2, &count, &err) != TENSOR_PARSE_OK ||
		dim2 != dim || count != nnz)
		fail("printed sparse text does not scan to the same size");
	entries = malloc(sizeof(SparseTextEntry) * (size_t) count + 1);
	if (entries == NULL)
		fail("out of memory");
	if (sparse_text_read(text, dim2, count, entries, &nnz2, &err) != TENSOR_PARSE_OK ||
		nnz2 != nnz)
		fail("printed sparse text does not read");
	for (i = 0; i < nnz; i++)
		if (entries[i].index != indices[i] ||
			memcmp(&entries[i].value, &values[i], sizeof(float)) != 0)
			fail("printed sparse text reads back to other entries");
	free(entries);
	free(text);
}

static void
fuzz_sparse_text(const char *text, size_t len)
{
	SparseTextEntry *entries;
	TensorParseError err;
	TensorParseStatus status;
	int32_t		dim;
	int64_t		count;
	int64_t		nnz;
	int32_t    *indices;
	float	   *values;
	int64_t		i;

	status = sparse_text_scan(text, &dim, &count, &err);
	if (status != TENSOR_PARSE_OK)
	{
		check_error(&err, status, len);
		return;
	}
	if (count < 0 || count > LINAL_SPARSE_MAX_NNZ || count > (int64_t) len)
		fail("sparse entry count out of range");
	/* exactly count entries, so ASan sees any write past them */
	entries = malloc(sizeof(SparseTextEntry) * (size_t) count + 1);
	if (entries == NULL)
		fail("out of memory");
	status = sparse_text_read(text, dim, count, entries, &nnz, &err);
	if (status != TENSOR_PARSE_OK)
	{
		if (status == TENSOR_PARSE_SYNTAX)
			fail("sparse read refused the syntax scan accepted");
		check_error(&err, status, len);
		free(entries);
		return;
	}
	indices = malloc(sizeof(int32_t) * (size_t) nnz + 1);
	values = malloc(sizeof(float) * (size_t) nnz + 1);
	if (indices == NULL || values == NULL)
		fail("out of memory");
	for (i = 0; i < nnz; i++)
	{
		if (entries[i].index < 0 || entries[i].index >= dim)
			fail("sparse index out of range");
		indices[i] = (int32_t) entries[i].index;
		values[i] = entries[i].value;
	}
	check_sparse_entries(dim, indices, values, nnz);
	check_sparse_round_trip(dim, indices, values, nnz);
	free(indices);
	free(values);
	free(entries);
}

static void
fuzz_sparse_binary(const unsigned char *buf, size_t len)
{
	TensorParseError err;
	TensorParseStatus status;
	int32_t		dim;
	int32_t		nnz;
	int32_t    *indices;
	float	   *values;
	unsigned char *encoded;
	int32_t		i;

	status = sparse_binary_scan(buf, len, &dim, &nnz, &err);
	if (status != TENSOR_PARSE_OK)
	{
		check_error(&err, status, len);
		return;
	}
	if (12 + 8 * (size_t) nnz != len)
		fail("sparse binary length accepted but wrong");
	indices = malloc(sizeof(int32_t) * (size_t) nnz + 1);
	values = malloc(sizeof(float) * (size_t) nnz + 1);
	if (indices == NULL || values == NULL)
		fail("out of memory");
	status = sparse_binary_read(buf, len, nnz, indices, values, &err);
	if (status != TENSOR_PARSE_OK)
	{
		check_error(&err, status, len);
		free(indices);
		free(values);
		return;
	}
	check_sparse_entries(dim, indices, values, nnz);
	encoded = malloc(len);
	if (encoded == NULL)
		fail("out of memory");
	put_be32(encoded, (uint32_t) dim);
	put_be32(encoded + 4, (uint32_t) nnz);
	put_be32(encoded + 8, 0);
	for (i = 0; i < nnz; i++)
	{
		uint32_t	bits;

		memcpy(&bits, &values[i], sizeof(bits));
		put_be32(encoded + 12 + 4 * (size_t) i, (uint32_t) indices[i]);
		put_be32(encoded + 12 + 4 * (size_t) nnz + 4 * (size_t) i, bits);
	}
	if (memcmp(encoded, buf, len) != 0)
		fail("sparse binary message does not re-encode to itself");
	check_sparse_round_trip(dim, indices, values, nnz);
	free(encoded);
	free(indices);
	free(values);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (text == NULL)
		fail("out of memory");
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	if ((data[0] & 1) == 0)
		fuzz_text(text, strlen(text));
	else
	{
		fuzz_binary(data + 1, size - 1);
		fuzz_sparse_binary(data + 1, size - 1);
		fuzz_text(text, strlen(text));
	}
	fuzz_sparse_text(text, strlen(text));
	free(text);
	return 0;
}

#ifdef FUZZ_STANDALONE
/* Runs each file named on the command line once; TAP output. */
int
main(int argc, char **argv)
{
	int			i;

	printf("1..%d\n", argc - 1);
	for (i = 1; i < argc; i++)
	{
		FILE	   *f = fopen(argv[i], "rb");
		unsigned char *buf;
		long		len;

		if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0)
		{
			printf("not ok %d - %s (cannot read)\n", i, argv[i]);
			continue;
		}
		rewind(f);
		buf = malloc((size_t) len + 1);
		if (buf == NULL || fread(buf, 1, (size_t) len, f) != (size_t) len)
		{
			printf("not ok %d - %s (cannot read)\n", i, argv[i]);
			fclose(f);
			free(buf);
			continue;
		}
		fclose(f);
		/* a property violation aborts the whole run: the harness reports it */
		LLVMFuzzerTestOneInput(buf, (size_t) len);
		printf("ok %d - %s\n", i, argv[i]);
		free(buf);
	}
	return 0;
}
#endif
