-- pgvector 0.8.6's test/sql/sparsevec.sql translated to linal's names
-- (sparsevec -> sparsetensor; docs/PGVECTOR_SUITE.md has the method and the
-- counts). pgvector's function names stay: sparsevec_cmp is a linal function
-- too (src/sql/32_sparsetensor.sql).
-- Errors show only their SQLSTATE: the outcome is compared with pgvector's,
-- not the wording. Where linal differs on purpose a comment above the
-- statement says how; every other statement gives pgvector's result.
-- Left out: nothing.
\set VERBOSITY sqlstate

SELECT '{1:1.5,3:3.5}/5'::sparsetensor;
SELECT '{1:-2,3:-4}/5'::sparsetensor;
SELECT '{1:2.,3:4.}/5'::sparsetensor;
SELECT ' { 1 : 1.5 ,  3  :  3.5  } / 5 '::sparsetensor;
SELECT '{1:1.23456}/1'::sparsetensor;
SELECT '{1:hello,2:1}/2'::sparsetensor;
-- differs on purpose: NaN and Infinity in text input are invalid syntax (22P02),
-- as in tensor's; pgvector says 22000; the same for the next two statements
SELECT '{1:NaN,2:1}/2'::sparsetensor;
SELECT '{1:Infinity,2:1}/2'::sparsetensor;
SELECT '{1:-Infinity,2:1}/2'::sparsetensor;
SELECT '{1:1.5e38,2:-1.5e38}/2'::sparsetensor;
SELECT '{1:1.5e+38,2:-1.5e+38}/2'::sparsetensor;
SELECT '{1:1.5e-38,2:-1.5e-38}/2'::sparsetensor;
SELECT '{1:4e38,2:1}/2'::sparsetensor;
SELECT '{1:-4e38,2:1}/2'::sparsetensor;
SELECT '{1:1e-46,2:1}/2'::sparsetensor;
SELECT '{1:-1e-46,2:1}/2'::sparsetensor;
SELECT ''::sparsetensor;
SELECT '{'::sparsetensor;
SELECT '{ '::sparsetensor;
SELECT '{:'::sparsetensor;
SELECT '{,'::sparsetensor;
SELECT '{}'::sparsetensor;
SELECT '{}/'::sparsetensor;
SELECT '{}/1'::sparsetensor;
SELECT '{}/1a'::sparsetensor;
SELECT '{ }/1'::sparsetensor;
SELECT '{:}/1'::sparsetensor;
SELECT '{,}/1'::sparsetensor;
SELECT '{1,}/1'::sparsetensor;
SELECT '{:1}/1'::sparsetensor;
SELECT '{1:}/1'::sparsetensor;
SELECT '{1a:1}/1'::sparsetensor;
SELECT '{1:1a}/1'::sparsetensor;
SELECT '{1:1,}/1'::sparsetensor;
SELECT '{1:0,2:1,3:0}/3'::sparsetensor;
SELECT '{2:1,1:1}/2'::sparsetensor;
SELECT '{1:1,1:1}/2'::sparsetensor;
SELECT '{1:1,2:1,1:1}/2'::sparsetensor;
SELECT '{}/5'::sparsetensor;
SELECT '{}/-1'::sparsetensor;
SELECT '{}/1000000000'::sparsetensor;
SELECT '{}/1000000001'::sparsetensor;
SELECT '{}/2147483648'::sparsetensor;
SELECT '{}/-2147483649'::sparsetensor;
SELECT '{}/9223372036854775808'::sparsetensor;
SELECT '{}/-9223372036854775809'::sparsetensor;
SELECT '{2147483647:1}/1'::sparsetensor;
SELECT '{2147483648:1}/1'::sparsetensor;
SELECT '{-2147483648:1}/1'::sparsetensor;
SELECT '{-2147483649:1}/1'::sparsetensor;
SELECT '{0:1}/1'::sparsetensor;
SELECT '{2:1}/1'::sparsetensor;

SELECT '{}/3'::sparsetensor(3);
SELECT '{}/3'::sparsetensor(2);
SELECT '{}/3'::sparsetensor(3, 2);
SELECT '{}/3'::sparsetensor('a');
SELECT '{}/3'::sparsetensor(0);
SELECT '{}/3'::sparsetensor(1000000001);

SELECT '{1:1,2:2,3:3}/3'::sparsetensor < '{1:1,2:2,3:3}/3';
SELECT '{1:1,2:2,3:3}/3'::sparsetensor < '{1:1,2:2}/2';
SELECT '{1:1,2:2,3:3}/3'::sparsetensor <= '{1:1,2:2,3:3}/3';
SELECT '{1:1,2:2,3:3}/3'::sparsetensor <= '{1:1,2:2}/2';
SELECT '{1:1,2:2,3:3}/3'::sparsetensor = '{1:1,2:2,3:3}/3';
SELECT '{1:1,2:2,3:3}/3'::sparsetensor = '{1:1,2:2}/2';
SELECT '{1:1,2:2,3:3}/3'::sparsetensor != '{1:1,2:2,3:3}/3';
SELECT '{1:1,2:2,3:3}/3'::sparsetensor != '{1:1,2:2}/2';
SELECT '{1:1,2:2,3:3}/3'::sparsetensor >= '{1:1,2:2,3:3}/3';
SELECT '{1:1,2:2,3:3}/3'::sparsetensor >= '{1:1,2:2}/2';
SELECT '{1:1,2:2,3:3}/3'::sparsetensor > '{1:1,2:2,3:3}/3';
SELECT '{1:1,2:2,3:3}/3'::sparsetensor > '{1:1,2:2}/2';

SELECT sparsevec_cmp('{1:1,2:2,3:3}/3', '{1:1,2:2,3:3}/3');
SELECT sparsevec_cmp('{1:1,2:2,3:3}/3', '{}/3');
SELECT sparsevec_cmp('{}/3', '{1:1,2:2,3:3}/3');
SELECT sparsevec_cmp('{1:1,2:2}/2', '{1:1,2:2,3:3}/3');
SELECT sparsevec_cmp('{1:1,2:2,3:3}/3', '{1:1,2:2}/2');
SELECT sparsevec_cmp('{1:1,2:2}/2', '{1:2,2:3,3:4}/3');
SELECT sparsevec_cmp('{1:2,2:3}/2', '{1:1,2:2,3:3}/3');

SELECT round(l2_norm('{1:1,2:1}/2'::sparsetensor)::numeric, 5);
SELECT l2_norm('{1:3,2:4}/2'::sparsetensor);
SELECT l2_norm('{2:1}/2'::sparsetensor);
SELECT l2_norm('{1:3e37,2:4e37}/2'::sparsetensor)::real;
SELECT l2_norm('{}/2'::sparsetensor);
SELECT l2_norm('{1:2}/1'::sparsetensor);

SELECT l2_distance('{}/2'::sparsetensor, '{1:3,2:4}/2');
SELECT l2_distance('{1:3}/2'::sparsetensor, '{2:4}/2');
SELECT l2_distance('{2:4}/2'::sparsetensor, '{1:3}/2');
SELECT l2_distance('{1:3,2:4}/2'::sparsetensor, '{}/2');
SELECT l2_distance('{}/2'::sparsetensor, '{2:1}/2');
SELECT '{}/2'::sparsetensor <-> '{1:3,2:4}/2';

SELECT inner_product('{1:1,2:2}/2'::sparsetensor, '{1:2,2:4}/2');
SELECT inner_product('{1:1,2:2}/2'::sparsetensor, '{1:3}/1');
SELECT inner_product('{1:1,3:3}/4'::sparsetensor, '{2:2,4:4}/4');
SELECT inner_product('{2:2,4:4}/4'::sparsetensor, '{1:1,3:3}/4');
SELECT inner_product('{1:1,3:3,5:5}/5'::sparsetensor, '{2:4,3:6,4:8}/5');
SELECT inner_product('{1:1}/2'::sparsetensor, '{}/2');
SELECT inner_product('{}/2'::sparsetensor, '{1:1}/2');
-- differs on purpose: an inner product beyond float4's range is an error (22003),
-- as for tensor; pgvector returns Infinity
SELECT inner_product('{1:3e38}/1'::sparsetensor, '{1:3e38}/1');
SELECT inner_product('{1:1,3:3,5:5}/5'::sparsetensor, '{2:4,3:6,4:8}/5');
SELECT '{1:1,2:2}/2'::sparsetensor <#> '{1:3,2:4}/2';

SELECT cosine_distance('{1:1,2:2}/2'::sparsetensor, '{1:2,2:4}/2');
-- differs on purpose: the cosine distance to a zero vector is NULL, not NaN
SELECT cosine_distance('{1:1,2:2}/2'::sparsetensor, '{}/2');
SELECT cosine_distance('{1:1,2:1}/2'::sparsetensor, '{1:1,2:1}/2');
SELECT cosine_distance('{1:1}/2'::sparsetensor, '{2:2}/2');
SELECT cosine_distance('{1:1,2:1}/2'::sparsetensor, '{1:-1,2:-1}/2');
SELECT cosine_distance('{1:2}/2'::sparsetensor, '{2:2}/2');
SELECT cosine_distance('{2:2}/2'::sparsetensor, '{1:2}/2');
SELECT cosine_distance('{1:1,2:2}/2'::sparsetensor, '{1:3}/1');
SELECT cosine_distance('{1:1,2:1}/2'::sparsetensor, '{1:1.1,2:1.1}/2');
SELECT cosine_distance('{1:1,2:1}/2'::sparsetensor, '{1:-1.1,2:-1.1}/2');
-- differs on purpose: norms that overflow float4 are redone in double
-- precision, so the distance is 0; pgvector gets NaN
SELECT cosine_distance('{1:3e38}/1'::sparsetensor, '{1:3e38}/1');
-- differs on purpose: zero vectors, NULL rather than NaN
SELECT cosine_distance('{}/1'::sparsetensor, '{}/1');
SELECT '{1:1,2:2}/2'::sparsetensor <=> '{1:2,2:4}/2';

SELECT l1_distance('{}/2'::sparsetensor, '{1:3,2:4}/2');
SELECT l1_distance('{}/2'::sparsetensor, '{2:1}/2');
SELECT l1_distance('{1:1,2:2}/2'::sparsetensor, '{1:3}/1');
-- differs on purpose: a distance beyond float4's range is an error (22003), as
-- for tensor; pgvector returns Infinity
SELECT l1_distance('{1:3e38}/1'::sparsetensor, '{1:-3e38}/1');
SELECT l1_distance('{1:1,3:3,5:5,7:7}/8'::sparsetensor, '{2:2,4:4,6:6,8:8}/8');
SELECT l1_distance('{1:1,3:3,5:5,7:7,9:9}/9'::sparsetensor, '{2:2,4:4,6:6,8:8}/9');
SELECT '{}/2'::sparsetensor <+> '{1:3,2:4}/2';

SELECT l2_normalize('{1:3,2:4}/2'::sparsetensor);
SELECT l2_normalize('{1:3}/2'::sparsetensor);
SELECT l2_normalize('{2:0.1}/2'::sparsetensor);
SELECT l2_normalize('{}/2'::sparsetensor);
SELECT l2_normalize('{1:3e38}/1'::sparsetensor);
SELECT l2_normalize('{1:3e38,2:1e-37}/2'::sparsetensor);
SELECT l2_normalize('{2:3e37,4:3e-37,6:4e37,8:4e-37}/9'::sparsetensor);
