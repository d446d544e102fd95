-- pgvector's function names on tensors (docs/SQL.md, "pgvector names"),
-- with pgvector's own cases where linal behaves the same.

-- vector_dims: the length of a 1-d tensor; other ranks are refused
SELECT vector_dims('[1,2,3]'::tensor), vector_dims('[]'::tensor) AS empty;
SELECT vector_dims('[[1,2],[3,4]]'::tensor);
SELECT vector_dims('5'::tensor);
-- a stored, toasted vector: only the header is read
CREATE TABLE pvn_wide (v tensor);
INSERT INTO pvn_wide SELECT tensor_fill(ARRAY[100000], 1);
SELECT vector_dims(v) FROM pvn_wide;
DROP TABLE pvn_wide;

-- vector_norm and l2_norm: the L2 norm, computed in double precision
SELECT round(vector_norm('[1,1]')::numeric, 5), vector_norm('[3,4]'), vector_norm('[0,1]'),
       vector_norm('[3e37,4e37]')::real, vector_norm('[0,0]'), vector_norm('[2]');
SELECT l2_norm('[3,4]'::tensor), l2_norm('[[3],[4]]'::tensor) AS frobenius;

-- inner_product: dot() by its pgvector name; <#> is its negation
SELECT inner_product('[1,2]'::tensor, '[3,4]'),
       inner_product('[1,1,1,1,1,1,1,1,1]'::tensor, '[1,2,3,4,5,6,7,8,9]'),
       '[1,2]'::tensor <#> '[3,4]' AS negative;
SELECT inner_product('[1,2]'::tensor, '[3]');

-- the names linal had already
SELECT l2_distance('[0,0]'::tensor, '[3,4]'), cosine_distance('[1,0]'::tensor, '[0,2]'),
       l1_distance('[0,0]'::tensor, '[3,4]'), l2_normalize('[3,4]'::tensor);

-- vector_cmp: the btree order, elements first, then the shorter first
SELECT vector_cmp('[1,2,3]', '[1,2,3]'), vector_cmp('[1,2,3]', '[0,0,0]'), vector_cmp('[0,0,0]', '[1,2,3]'),
       vector_cmp('[1,2]', '[1,2,3]'), vector_cmp('[1,2,3]', '[1,2]'), vector_cmp('[1,2]', '[2,3,4]'),
       vector_cmp('[2,3]', '[1,2,3]');

-- subvector: 1-based, clipped like substring; an empty result is an error
SELECT subvector('[1,2,3,4,5]'::tensor, 1, 3), subvector('[1,2,3,4,5]'::tensor, 3, 2),
       subvector('[1,2,3,4,5]'::tensor, -1, 3), subvector('[1,2,3,4,5]'::tensor, 3, 9),
       subvector('[1,2,3,4,5]'::tensor, 5, 2147483647) AS last;
SELECT subvector('[1,2,3,4,5]'::tensor, 1, 0);
SELECT subvector('[1,2,3,4,5]'::tensor, 3, -1);
SELECT subvector('[1,2,3,4,5]'::tensor, -1, 2);
SELECT subvector('[1,2,3,4,5]'::tensor, 2147483647, 10);
SELECT subvector('[1,2,3,4,5]'::tensor, -2147483648, -2147483648);
SELECT subvector('[1,2,3,4,5]'::tensor, 6, 1);
SELECT subvector('[[1,2],[3,4]]'::tensor, 1, 1);

-- binary_quantize: bit(n), 1 where the element is greater than 0
SELECT binary_quantize('[1,0,-1]'::tensor),
       binary_quantize('[0,0.1,-0.2,-0.3,0.4,0.5,0.6,-0.7,0.8,-0.9,1]'::tensor);
SELECT binary_quantize('[[1,-1],[2,0]]'::tensor) AS row_major, binary_quantize('5'::tensor) AS rank0,
       length(binary_quantize('[]'::tensor)) AS empty, pg_typeof(binary_quantize('[1]'::tensor));
SELECT binary_quantize('[1,1,0,0,1,1,0,0,1]'::tensor) # binary_quantize('[1,0,1,0,1,0,1,0,1]'::tensor) AS xor;

-- ||: concatenation along the first axis (not text concatenation)
SELECT '[1,2,3]'::tensor || '[4,5]' AS vectors, pg_typeof('[1]'::tensor || '[2]'),
       '[[1,2]]'::tensor || '[[3,4],[5,6]]' AS rows, '[]'::tensor || '[1]' AS with_empty;
-- typed text still concatenates as text; an untyped literal is a tensor
SELECT 'v: '::text || '[1,2]'::tensor AS text_concat;
SELECT 'v: ' || '[1,2]'::tensor;
SELECT '[1,2]'::tensor || '[[1,2]]';
SELECT '[[1,2]]'::tensor || '[[1,2,3]]';
SELECT '5'::tensor || '6';

-- array_to_vector: the function behind the casts; the typmod is pgvector's (n)
SELECT array_to_vector('{1,2,3}'::real[], 3, false) AS real, array_to_vector(ARRAY[1,2,3], -1, true) AS int,
       array_to_vector('{1.5}'::numeric[], -1, false) AS numeric, array_to_vector('{1,2}'::float8[], 2, true) AS float8;
SELECT array_to_vector('{1,2,3}'::real[], 2, false);
SELECT vector_dims(array_to_vector(array_agg(n), 16001, false)) FROM generate_series(1, 16001) n;

-- NULL in, NULL out
SELECT vector_dims(NULL::tensor) IS NULL AS a, vector_norm(NULL) IS NULL AS b,
       inner_product(NULL, '[1]') IS NULL AS c, subvector('[1]', NULL, 1) IS NULL AS d,
       binary_quantize(NULL) IS NULL AS e, ('[1]'::tensor || NULL::tensor) IS NULL AS f;

-- all of them IMMUTABLE, STRICT and PARALLEL SAFE (vector_cmp LEAKPROOF too, as tensor_cmp)
SELECT p.oid::regprocedure, p.provolatile, p.proisstrict, p.proparallel, p.proleakproof
FROM pg_proc p
WHERE p.proname IN ('vector_dims', 'vector_norm', 'l2_norm', 'inner_product', 'subvector',
                    'binary_quantize', 'tensor_concat_first_axis', 'array_to_vector', 'vector_cmp')
ORDER BY p.oid::regprocedure::text;
