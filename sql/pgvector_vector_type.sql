-- pgvector 0.8.6's test/sql/vector_type.sql translated to linal's names
-- (vector -> tensor; docs/PGVECTOR_SUITE.md has the method and the counts).
-- Errors show only their SQLSTATE: the outcome is compared with pgvector's,
-- not the wording. Where linal differs on purpose a comment above the
-- statement says how; every other statement gives pgvector's result.
-- Left out: nothing.
\set VERBOSITY sqlstate

SELECT '[1,2,3]'::tensor;
SELECT '[-1,-2,-3]'::tensor;
SELECT '[1.,2.,3.]'::tensor;
SELECT ' [ 1,  2 ,    3  ] '::tensor;
SELECT '[1.23456]'::tensor;
SELECT '[hello,1]'::tensor;
-- differs on purpose: NaN and Infinity in text input are invalid syntax (22P02),
-- pgvector says 22000; the same for the next two statements
SELECT '[NaN,1]'::tensor;
SELECT '[Infinity,1]'::tensor;
SELECT '[-Infinity,1]'::tensor;
SELECT '[1.5e38,-1.5e38]'::tensor;
SELECT '[1.5e+38,-1.5e+38]'::tensor;
SELECT '[1.5e-38,-1.5e-38]'::tensor;
SELECT '[4e38,1]'::tensor;
SELECT '[-4e38,1]'::tensor;
-- differs on purpose: like real's own input, a value too small for float4 is out of
-- range (22003) rather than stored as 0 or -0; the same for the next statement
SELECT '[1e-46,1]'::tensor;
SELECT '[-1e-46,1]'::tensor;
SELECT '[1,2,3'::tensor;
SELECT '[1,2,3]9'::tensor;
SELECT '1,2,3'::tensor;
SELECT ''::tensor;
SELECT '['::tensor;
SELECT '[ '::tensor;
SELECT '[,'::tensor;
-- differs on purpose: linal has empty tensors, pgvector refuses them (22000);
-- the same for the next statement
SELECT '[]'::tensor;
SELECT '[ ]'::tensor;
SELECT '[,]'::tensor;
SELECT '[1,]'::tensor;
SELECT '[1a]'::tensor;
SELECT '[1,,3]'::tensor;
SELECT '[1, ,3]'::tensor;

SELECT '[1,2,3]'::tensor(3);
SELECT '[1,2,3]'::tensor(2);
-- differs on purpose: tensor(3,2) is a valid type (a 3x2 matrix), so this is a
-- shape mismatch (22000) where pgvector's type modifier is invalid (22023)
SELECT '[1,2,3]'::tensor(3, 2);
SELECT '[1,2,3]'::tensor('a');
SELECT '[1,2,3]'::tensor(0);
-- differs on purpose: linal has no 16000-element limit, so tensor(16001) is a valid
-- type and this is a shape mismatch (22000) where pgvector refuses the type (22023)
SELECT '[1,2,3]'::tensor(16001);

SELECT unnest('{"[1,2,3]", "[4,5,6]"}'::tensor[]);
SELECT '{"[1,2,3]"}'::tensor(2)[];


SELECT '[1,2,3]'::tensor + '[4,5,6]';
SELECT '[3e38]'::tensor + '[3e38]';
SELECT '[1,2]'::tensor + '[3]';

SELECT '[1,2,3]'::tensor - '[4,5,6]';
SELECT '[-3e38]'::tensor - '[3e38]';
SELECT '[1,2]'::tensor - '[3]';

SELECT '[1,2,3]'::tensor * '[4,5,6]';
SELECT '[1e37]'::tensor * '[1e37]';
-- differs on purpose: element-wise arithmetic rounds a product too small for float4
-- to 0 as IEEE arithmetic does; pgvector raises underflow (22003). Overflow is an
-- error in both (above).
SELECT '[1e-37]'::tensor * '[1e-37]';
SELECT '[1,2]'::tensor * '[3]';

SELECT '[1,2,3]'::tensor || '[4,5]';
-- differs on purpose: linal has no 16000-element limit, so the result has 16001
-- elements where pgvector refuses it (54000); vector_dims() shows it without
-- printing them all
SELECT vector_dims(array_fill(0, ARRAY[16000])::tensor || '[1]');

SELECT '[1,2,3]'::tensor < '[1,2,3]';
SELECT '[1,2,3]'::tensor < '[1,2]';
SELECT '[1,2,3]'::tensor <= '[1,2,3]';
SELECT '[1,2,3]'::tensor <= '[1,2]';
SELECT '[1,2,3]'::tensor = '[1,2,3]';
SELECT '[1,2,3]'::tensor = '[1,2]';
SELECT '[1,2,3]'::tensor != '[1,2,3]';
SELECT '[1,2,3]'::tensor != '[1,2]';
SELECT '[1,2,3]'::tensor >= '[1,2,3]';
SELECT '[1,2,3]'::tensor >= '[1,2]';
SELECT '[1,2,3]'::tensor > '[1,2,3]';
SELECT '[1,2,3]'::tensor > '[1,2]';

SELECT vector_cmp('[1,2,3]', '[1,2,3]');
SELECT vector_cmp('[1,2,3]', '[0,0,0]');
SELECT vector_cmp('[0,0,0]', '[1,2,3]');
SELECT vector_cmp('[1,2]', '[1,2,3]');
SELECT vector_cmp('[1,2,3]', '[1,2]');
SELECT vector_cmp('[1,2]', '[2,3,4]');
SELECT vector_cmp('[2,3]', '[1,2,3]');

SELECT vector_dims('[1,2,3]'::tensor);

SELECT round(vector_norm('[1,1]')::numeric, 5);
SELECT vector_norm('[3,4]');
SELECT vector_norm('[0,1]');
SELECT vector_norm('[3e37,4e37]')::real;
SELECT vector_norm('[0,0]');
SELECT vector_norm('[2]');

SELECT l2_distance('[0,0]'::tensor, '[3,4]');
SELECT l2_distance('[0,0]'::tensor, '[0,1]');
SELECT l2_distance('[1,2]'::tensor, '[3]');
-- differs on purpose: a distance beyond float4's range is an error (22003) where
-- pgvector returns Infinity (docs/SQL.md, "pgvector names")
SELECT l2_distance('[3e38]'::tensor, '[-3e38]');
SELECT l2_distance('[1,1,1,1,1,1,1,1,1]'::tensor, '[1,1,1,1,1,1,1,4,5]');
SELECT '[0,0]'::tensor <-> '[3,4]';

SELECT inner_product('[1,2]'::tensor, '[3,4]');
SELECT inner_product('[1,2]'::tensor, '[3]');
-- differs on purpose: overflow is an error (22003), pgvector returns Infinity
SELECT inner_product('[3e38]'::tensor, '[3e38]');
SELECT inner_product('[1,1,1,1,1,1,1,1,1]'::tensor, '[1,2,3,4,5,6,7,8,9]');
SELECT '[1,2]'::tensor <#> '[3,4]';

SELECT cosine_distance('[1,2]'::tensor, '[2,4]');
-- differs on purpose: the cosine distance to a zero vector is NULL, not NaN
SELECT cosine_distance('[1,2]'::tensor, '[0,0]');
SELECT cosine_distance('[1,1]'::tensor, '[1,1]');
SELECT cosine_distance('[1,0]'::tensor, '[0,2]');
SELECT cosine_distance('[1,1]'::tensor, '[-1,-1]');
SELECT cosine_distance('[1,2]'::tensor, '[3]');
SELECT cosine_distance('[1,1]'::tensor, '[1.1,1.1]');
SELECT cosine_distance('[1,1]'::tensor, '[-1.1,-1.1]');
-- differs on purpose: linal computes the norms in double precision and gets the
-- exact 0 where pgvector's float4 norms overflow and give NaN
SELECT cosine_distance('[3e38]'::tensor, '[3e38]');
SELECT cosine_distance('[1,2,3,4,5,6,7,8,9]'::tensor, '[1,2,3,4,5,6,7,8,9]');
SELECT cosine_distance('[1,2,3,4,5,6,7,8,9]'::tensor, '[-1,-2,-3,-4,-5,-6,-7,-8,-9]');
SELECT '[1,2]'::tensor <=> '[2,4]';

SELECT l1_distance('[0,0]'::tensor, '[3,4]');
SELECT l1_distance('[0,0]'::tensor, '[0,1]');
SELECT l1_distance('[1,2]'::tensor, '[3]');
-- differs on purpose: overflow is an error (22003), pgvector returns Infinity
SELECT l1_distance('[3e38]'::tensor, '[-3e38]');
SELECT l1_distance('[1,2,3,4,5,6,7,8,9]'::tensor, '[1,2,3,4,5,6,7,8,9]');
SELECT l1_distance('[1,2,3,4,5,6,7,8,9]'::tensor, '[0,3,2,5,4,7,6,9,8]');
SELECT '[0,0]'::tensor <+> '[3,4]';

SELECT l2_normalize('[3,4]'::tensor);
SELECT l2_normalize('[3,0]'::tensor);
SELECT l2_normalize('[0,0.1]'::tensor);
SELECT l2_normalize('[0,0]'::tensor);
SELECT l2_normalize('[3e38]'::tensor);

SELECT binary_quantize('[1,0,-1]'::tensor);
SELECT binary_quantize('[0,0.1,-0.2,-0.3,0.4,0.5,0.6,-0.7,0.8,-0.9,1]'::tensor);
SELECT binary_quantize('[1,2,3,-4,5,6,-7,8,1,-2,-3,4,5,-6,7,8,-1,2,3]'::tensor);

SELECT subvector('[1,2,3,4,5]'::tensor, 1, 3);
SELECT subvector('[1,2,3,4,5]'::tensor, 3, 2);
SELECT subvector('[1,2,3,4,5]'::tensor, -1, 3);
SELECT subvector('[1,2,3,4,5]'::tensor, 3, 9);
SELECT subvector('[1,2,3,4,5]'::tensor, 1, 0);
SELECT subvector('[1,2,3,4,5]'::tensor, 3, -1);
SELECT subvector('[1,2,3,4,5]'::tensor, -1, 2);
SELECT subvector('[1,2,3,4,5]'::tensor, 2147483647, 10);
SELECT subvector('[1,2,3,4,5]'::tensor, 3, 2147483647);
SELECT subvector('[1,2,3,4,5]'::tensor, -2147483644, 2147483647);

SELECT avg(v) FROM unnest(ARRAY['[1,2,3]'::tensor, '[3,5,7]']) v;
SELECT avg(v) FROM unnest(ARRAY['[1,2,3]'::tensor, '[3,5,7]', NULL]) v;
SELECT avg(v) FROM unnest(ARRAY[]::tensor[]) v;
SELECT avg(v) FROM unnest(ARRAY['[1,2]'::tensor, '[3]']) v;
SELECT avg(v) FROM unnest(ARRAY['[3e38]'::tensor, '[3e38]']) v;

SELECT vector_avg('{2,2,4,6}');
SELECT vector_avg('{0}');
-- differs on purpose: one row of empty vectors averages to an empty tensor;
-- pgvector has no empty vectors (22000)
SELECT vector_avg('{1}');
-- differs on purpose: a malformed state array is 22023 (invalid parameter
-- value), where pgvector raises an internal error (XX000); the same for the
-- next two statements
SELECT vector_avg('{{2,2,4,6}}');
SELECT vector_avg('{NULL,2,4,6}');
SELECT vector_avg('{}');
-- differs on purpose: no 16000-element limit, so this is the mean of one row of
-- 16001 elements where pgvector refuses it (54000); vector_dims() shows it
SELECT vector_dims(vector_avg(array_agg(n))) FROM generate_series(1, 16002) n;

SELECT vector_accum('{0}', '[1,2,3]');
SELECT vector_accum('{0,0,0,0}', '[1,2,3]');
-- differs on purpose: a malformed state array is 22023 (invalid parameter
-- value), where pgvector raises an internal error (XX000); the same for the
-- next two statements
SELECT vector_accum('{{0}}', '[1,2,3]');
SELECT vector_accum('{NULL}', '[1,2,3]');
SELECT vector_accum('{}', '[1,2,3]');
SELECT vector_accum('{0,0}', '[1,2,3]');

SELECT vector_combine('{1,2}', '{3,4}');
-- differs on purpose: a malformed state array is 22023 (invalid parameter
-- value), where pgvector raises an internal error (XX000); the same for the
-- next five statements
SELECT vector_combine('{{1,2}}', '{3,4}');
SELECT vector_combine('{1,2}', '{{3,4}}');
SELECT vector_combine('{NULL,2}', '{3,4}');
SELECT vector_combine('{1,2}', '{3,NULL}');
SELECT vector_combine('{}', '{0}');
SELECT vector_combine('{0}', '{}');
-- differs on purpose: two initial states (no rows) combine to the initial state;
-- pgvector raises 22000
SELECT vector_combine('{0}', '{0}');
-- differs on purpose: no 16000-element limit (pgvector: 54000), so these three
-- give states of 16002 elements; array_length() shows them
SELECT array_length(vector_combine('{0}', (SELECT array_agg(n) FROM generate_series(1, 16002) n)), 1);
SELECT array_length(vector_combine((SELECT array_agg(n) FROM generate_series(1, 16002) n), '{0}'), 1);
SELECT array_length(vector_combine((SELECT array_agg(n) FROM generate_series(1, 16002) n), (SELECT array_agg(n) FROM generate_series(1, 16002) n)), 1);

SELECT sum(v) FROM unnest(ARRAY['[1,2,3]'::tensor, '[3,5,7]']) v;
SELECT sum(v) FROM unnest(ARRAY['[1,2,3]'::tensor, '[3,5,7]', NULL]) v;
SELECT sum(v) FROM unnest(ARRAY[]::tensor[]) v;
SELECT sum(v) FROM unnest(ARRAY['[1,2]'::tensor, '[3]']) v;
SELECT sum(v) FROM unnest(ARRAY['[3e38]'::tensor, '[3e38]']) v;
