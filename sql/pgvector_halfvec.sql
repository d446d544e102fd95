-- pgvector 0.8.6's test/sql/halfvec.sql translated to linal's names
-- (halfvec -> halftensor; docs/PGVECTOR_SUITE.md has the method and the counts).
-- pgvector's function names stay: halfvec_cmp, halfvec_accum and halfvec_avg
-- are linal functions too (src/sql/29c_pgvector_halfvec_names.sql).
-- Errors show only their SQLSTATE: the outcome is compared with pgvector's,
-- not the wording. Where linal differs on purpose a comment above the
-- statement says how; every other statement gives pgvector's result.
-- Left out: nothing.
\set VERBOSITY sqlstate

SELECT '[1,2,3]'::halftensor;
SELECT '[-1,-2,-3]'::halftensor;
SELECT '[1.,2.,3.]'::halftensor;
SELECT ' [ 1,  2 ,    3  ] '::halftensor;
SELECT '[1.23456]'::halftensor;
SELECT '[hello,1]'::halftensor;
-- differs on purpose: NaN and Infinity in text input are invalid syntax (22P02),
-- pgvector says 22000; the same for the next two statements
SELECT '[NaN,1]'::halftensor;
SELECT '[Infinity,1]'::halftensor;
SELECT '[-Infinity,1]'::halftensor;
SELECT '[65519,-65519]'::halftensor;
SELECT '[65520,-65520]'::halftensor;
SELECT '[1e-8,-1e-8]'::halftensor;
SELECT '[4e38,1]'::halftensor;
-- differs on purpose: like real's own input, a value too small for float4 is out of
-- range (22003) rather than stored as 0 (a half too small for binary16, such as
-- 1e-8 above, becomes 0 in both)
SELECT '[1e-46,1]'::halftensor;
SELECT '[1,2,3'::halftensor;
SELECT '[1,2,3]9'::halftensor;
SELECT '1,2,3'::halftensor;
SELECT ''::halftensor;
SELECT '['::halftensor;
SELECT '[ '::halftensor;
SELECT '[,'::halftensor;
-- differs on purpose: linal has empty halftensors, pgvector refuses them (22000);
-- the same for the next statement
SELECT '[]'::halftensor;
SELECT '[ ]'::halftensor;
SELECT '[,]'::halftensor;
SELECT '[1,]'::halftensor;
SELECT '[1a]'::halftensor;
SELECT '[1,,3]'::halftensor;
SELECT '[1, ,3]'::halftensor;

SELECT '[1,2,3]'::halftensor(3);
SELECT '[1,2,3]'::halftensor(2);
-- differs on purpose: halftensor(3,2) is a valid type (a 3x2 matrix), so this is a
-- shape mismatch (22000) where pgvector's type modifier is invalid (22023)
SELECT '[1,2,3]'::halftensor(3, 2);
SELECT '[1,2,3]'::halftensor('a');
SELECT '[1,2,3]'::halftensor(0);
-- differs on purpose: linal has no 16000-element limit, so halftensor(16001) is a
-- valid type and this is a shape mismatch (22000) where pgvector refuses the type (22023)
SELECT '[1,2,3]'::halftensor(16001);

SELECT unnest('{"[1,2,3]", "[4,5,6]"}'::halftensor[]);
SELECT '{"[1,2,3]"}'::halftensor(2)[];

SELECT '[1,2,3]'::halftensor + '[4,5,6]';
SELECT '[65519]'::halftensor + '[65519]';
SELECT '[1,2]'::halftensor + '[3]';

SELECT '[1,2,3]'::halftensor - '[4,5,6]';
SELECT '[-65519]'::halftensor - '[65519]';
SELECT '[1,2]'::halftensor - '[3]';

SELECT '[1,2,3]'::halftensor * '[4,5,6]';
SELECT '[65519]'::halftensor * '[65519]';
-- differs on purpose: element-wise arithmetic rounds a product too small for half
-- to 0 as IEEE arithmetic does; pgvector raises underflow (22003). Overflow is an
-- error in both (above).
SELECT '[1e-7]'::halftensor * '[1e-7]';
SELECT '[1,2]'::halftensor * '[3]';

SELECT '[1,2,3]'::halftensor || '[4,5]';
-- differs on purpose: linal has no 16000-element limit, so the result has 16001
-- elements where pgvector refuses it (54000); vector_dims() shows it without
-- printing them all
SELECT vector_dims(array_fill(0, ARRAY[16000])::halftensor || '[1]');

SELECT '[1,2,3]'::halftensor < '[1,2,3]';
SELECT '[1,2,3]'::halftensor < '[1,2]';
SELECT '[1,2,3]'::halftensor <= '[1,2,3]';
SELECT '[1,2,3]'::halftensor <= '[1,2]';
SELECT '[1,2,3]'::halftensor = '[1,2,3]';
SELECT '[1,2,3]'::halftensor = '[1,2]';
SELECT '[1,2,3]'::halftensor != '[1,2,3]';
SELECT '[1,2,3]'::halftensor != '[1,2]';
SELECT '[1,2,3]'::halftensor >= '[1,2,3]';
SELECT '[1,2,3]'::halftensor >= '[1,2]';
SELECT '[1,2,3]'::halftensor > '[1,2,3]';
SELECT '[1,2,3]'::halftensor > '[1,2]';

SELECT halfvec_cmp('[1,2,3]', '[1,2,3]');
SELECT halfvec_cmp('[1,2,3]', '[0,0,0]');
SELECT halfvec_cmp('[0,0,0]', '[1,2,3]');
SELECT halfvec_cmp('[1,2]', '[1,2,3]');
SELECT halfvec_cmp('[1,2,3]', '[1,2]');
SELECT halfvec_cmp('[1,2]', '[2,3,4]');
SELECT halfvec_cmp('[2,3]', '[1,2,3]');

SELECT vector_dims('[1,2,3]'::halftensor);

SELECT round(l2_norm('[1,1]'::halftensor)::numeric, 5);
SELECT l2_norm('[3,4]'::halftensor);
SELECT l2_norm('[0,1]'::halftensor);
SELECT l2_norm('[0,0]'::halftensor);
SELECT l2_norm('[2]'::halftensor);

SELECT l2_distance('[0,0]'::halftensor, '[3,4]');
SELECT l2_distance('[0,0]'::halftensor, '[0,1]');
SELECT l2_distance('[1,2]'::halftensor, '[3]');
SELECT l2_distance('[1,1,1,1,1,1,1,1,1]'::halftensor, '[1,1,1,1,1,1,1,4,5]');
SELECT '[0,0]'::halftensor <-> '[3,4]';

SELECT inner_product('[1,2]'::halftensor, '[3,4]');
SELECT inner_product('[1,2]'::halftensor, '[3]');
SELECT inner_product('[65504]'::halftensor, '[65504]');
SELECT inner_product('[1,1,1,1,1,1,1,1,1]'::halftensor, '[1,2,3,4,5,6,7,8,9]');
SELECT '[1,2]'::halftensor <#> '[3,4]';

SELECT cosine_distance('[1,2]'::halftensor, '[2,4]');
-- differs on purpose: the cosine distance to a zero vector is NULL, not NaN
SELECT cosine_distance('[1,2]'::halftensor, '[0,0]');
SELECT cosine_distance('[1,1]'::halftensor, '[1,1]');
SELECT cosine_distance('[1,0]'::halftensor, '[0,2]');
SELECT cosine_distance('[1,1]'::halftensor, '[-1,-1]');
SELECT cosine_distance('[1,2]'::halftensor, '[3]');
SELECT cosine_distance('[1,1]'::halftensor, '[1.1,1.1]');
SELECT cosine_distance('[1,1]'::halftensor, '[-1.1,-1.1]');
SELECT cosine_distance('[1,2,3,4,5,6,7,8,9]'::halftensor, '[1,2,3,4,5,6,7,8,9]');
SELECT cosine_distance('[1,2,3,4,5,6,7,8,9]'::halftensor, '[-1,-2,-3,-4,-5,-6,-7,-8,-9]');
SELECT '[1,2]'::halftensor <=> '[2,4]';

SELECT l1_distance('[0,0]'::halftensor, '[3,4]');
SELECT l1_distance('[0,0]'::halftensor, '[0,1]');
SELECT l1_distance('[1,2]'::halftensor, '[3]');
SELECT l1_distance('[1,2,3,4,5,6,7,8,9]'::halftensor, '[1,2,3,4,5,6,7,8,9]');
SELECT l1_distance('[1,2,3,4,5,6,7,8,9]'::halftensor, '[0,3,2,5,4,7,6,9,8]');
SELECT '[0,0]'::halftensor <+> '[3,4]';

SELECT l2_normalize('[3,4]'::halftensor);
SELECT l2_normalize('[3,0]'::halftensor);
SELECT l2_normalize('[0,0.1]'::halftensor);
SELECT l2_normalize('[0,0]'::halftensor);
SELECT l2_normalize('[65504]'::halftensor);

SELECT binary_quantize('[1,0,-1]'::halftensor);
SELECT binary_quantize('[0,0.1,-0.2,-0.3,0.4,0.5,0.6,-0.7,0.8,-0.9,1]'::halftensor);
SELECT binary_quantize('[1,2,3,-4,5,6,-7,8,1,-2,-3,4,5,-6,7,8,-1,2,3]'::halftensor);

SELECT subvector('[1,2,3,4,5]'::halftensor, 1, 3);
SELECT subvector('[1,2,3,4,5]'::halftensor, 3, 2);
SELECT subvector('[1,2,3,4,5]'::halftensor, -1, 3);
SELECT subvector('[1,2,3,4,5]'::halftensor, 3, 9);
SELECT subvector('[1,2,3,4,5]'::halftensor, 1, 0);
SELECT subvector('[1,2,3,4,5]'::halftensor, 3, -1);
SELECT subvector('[1,2,3,4,5]'::halftensor, -1, 2);
SELECT subvector('[1,2,3,4,5]'::halftensor, 2147483647, 10);
SELECT subvector('[1,2,3,4,5]'::halftensor, 3, 2147483647);
SELECT subvector('[1,2,3,4,5]'::halftensor, -2147483644, 2147483647);

SELECT avg(v) FROM unnest(ARRAY['[1,2,3]'::halftensor, '[3,5,7]']) v;
SELECT avg(v) FROM unnest(ARRAY['[1,2,3]'::halftensor, '[3,5,7]', NULL]) v;
SELECT avg(v) FROM unnest(ARRAY[]::halftensor[]) v;
SELECT avg(v) FROM unnest(ARRAY['[1,2]'::halftensor, '[3]']) v;
SELECT avg(v) FROM unnest(ARRAY['[65504]'::halftensor, '[65504]']) v;

SELECT halfvec_avg('{2,2,4,6}');
SELECT halfvec_avg('{0}');
-- differs on purpose: one row of empty vectors averages to an empty halftensor;
-- pgvector has no empty vectors (22000)
SELECT halfvec_avg('{1}');
-- differs on purpose: a malformed state array is 22023 (invalid parameter
-- value), where pgvector raises an internal error (XX000); the same for the
-- next two statements
SELECT halfvec_avg('{{2,2,4,6}}');
SELECT halfvec_avg('{NULL,2,4,6}');
SELECT halfvec_avg('{}');
-- differs on purpose: no 16000-element limit, so this is the mean of one row of
-- 16001 elements where pgvector refuses it (54000); vector_dims() shows it
SELECT vector_dims(halfvec_avg(array_agg(n))) FROM generate_series(1, 16002) n;

SELECT halfvec_accum('{0}', '[1,2,3]');
SELECT halfvec_accum('{0,0,0,0}', '[1,2,3]');
-- differs on purpose: a malformed state array is 22023 (invalid parameter
-- value), where pgvector raises an internal error (XX000); the same for the
-- next two statements
SELECT halfvec_accum('{{0}}', '[1,2,3]');
SELECT halfvec_accum('{NULL}', '[1,2,3]');
SELECT halfvec_accum('{}', '[1,2,3]');
SELECT halfvec_accum('{0,0}', '[1,2,3]');

SELECT sum(v) FROM unnest(ARRAY['[1,2,3]'::halftensor, '[3,5,7]']) v;
SELECT sum(v) FROM unnest(ARRAY['[1,2,3]'::halftensor, '[3,5,7]', NULL]) v;
SELECT sum(v) FROM unnest(ARRAY[]::halftensor[]) v;
SELECT sum(v) FROM unnest(ARRAY['[1,2]'::halftensor, '[3]']) v;
SELECT sum(v) FROM unnest(ARRAY['[65504]'::halftensor, '[65504]']) v;
