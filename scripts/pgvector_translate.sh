#!/bin/sh
# Mechanical renaming of pgvector SQL (or its expected output) to linal's
# names, as a first step when translating pgvector's regression suite into
# sql/pgvector_*.sql (docs/PGVECTOR_SUITE.md). The output still needs review:
# statements linal leaves out (ivfflat) and deliberate
# differences are edited by hand.
#
#   scripts/pgvector_translate.sh < pgvector/test/sql/vector_type.sql
#
# Types keep word boundaries so that pgvector's function names containing
# "vector" (vector_dims, subvector, array_to_vector) are left alone.
exec sed -E \
	-e 's/\bUSING hnsw\b/USING linal_hnsw/g' \
	-e 's/\bvector_(l2|ip|cosine|l1)_ops\b/tensor_\1_ops/g' \
	-e 's/\bhalfvec_(l2|ip|cosine|l1)_ops\b/halftensor_\1_ops/g' \
	-e 's/\bsparsevec_(l2|ip|cosine|l1)_ops\b/sparsetensor_\1_ops/g' \
	-e 's/\bhnsw\.(ef_search|iterative_scan|max_scan_tuples|scan_mem_multiplier)\b/linal.hnsw_\1/g' \
	-e 's/\bhalfvec\b/halftensor/g' \
	-e 's/\bsparsevec\b/sparsetensor/g' \
	-e 's/\bvector\b/tensor/g'
