-- pgvector 0.8.6's test/sql/cast.sql translated to linal's names
-- (vector -> tensor, halfvec -> halftensor, sparsevec -> sparsetensor;
-- docs/PGVECTOR_SUITE.md has the method and the counts).
-- Errors show only their SQLSTATE: the outcome is compared with pgvector's,
-- not the wording. Where linal differs on purpose a comment above the
-- statement says how; every other statement gives pgvector's result.
\set VERBOSITY sqlstate

SELECT ARRAY[1,2,3]::tensor;
SELECT ARRAY[1.0,2.0,3.0]::tensor;
SELECT ARRAY[1,2,3]::float4[]::tensor;
SELECT ARRAY[1,2,3]::float8[]::tensor;
SELECT ARRAY[1,2,3]::numeric[]::tensor;

SELECT '[1,2,3]'::tensor::real[];

SELECT '{1,2,3}'::real[]::tensor;
SELECT '{1,2,3}'::real[]::tensor(3);
SELECT '{1,2,3}'::real[]::tensor(2);
SELECT '{NULL}'::real[]::tensor;
SELECT '{NaN}'::real[]::tensor;
SELECT '{Infinity}'::real[]::tensor;
SELECT '{-Infinity}'::real[]::tensor;
-- differs on purpose: linal has empty tensors, pgvector refuses them (22000)
SELECT '{}'::real[]::tensor;
-- differs on purpose: a 2-d array gives a 2-d tensor (a 1x1 matrix), pgvector
-- refuses it (22000)
SELECT '{{1}}'::real[]::tensor;

SELECT '{1,2,3}'::double precision[]::tensor;
SELECT '{1,2,3}'::double precision[]::tensor(3);
SELECT '{1,2,3}'::double precision[]::tensor(2);
-- differs on purpose: a value beyond float4's range is out of range (22003),
-- pgvector says 22000
SELECT '{4e38,-4e38}'::double precision[]::tensor;
-- differs on purpose: like real's own input, a value too small for float4 is out of
-- range (22003) rather than stored as 0 and -0
SELECT '{1e-46,-1e-46}'::double precision[]::tensor;

SELECT '[1,2,3]'::tensor::halftensor;
SELECT '[1,2,3]'::tensor::halftensor(3);
SELECT '[1,2,3]'::tensor::halftensor(2);
SELECT '[65520]'::tensor::halftensor;
SELECT '[1e-8]'::tensor::halftensor;

SELECT '[1,2,3]'::halftensor::tensor;
SELECT '[1,2,3]'::halftensor::tensor(3);
SELECT '[1,2,3]'::halftensor::tensor(2);

SELECT '{1,2,3}'::real[]::halftensor;
SELECT '{1,2,3}'::real[]::halftensor(3);
SELECT '{1,2,3}'::real[]::halftensor(2);
SELECT '{65520,-65520}'::real[]::halftensor;
SELECT '{1e-8,-1e-8}'::real[]::halftensor;

SELECT '[0,1.5,0,3.5,0]'::tensor::sparsetensor;
SELECT '[0,1.5,0,3.5,0]'::tensor::sparsetensor(5);
SELECT '[0,1.5,0,3.5,0]'::tensor::sparsetensor(4);

SELECT '{2:1.5,4:3.5}/5'::sparsetensor::tensor;
SELECT '{2:1.5,4:3.5}/5'::sparsetensor::tensor(5);
SELECT '{2:1.5,4:3.5}/5'::sparsetensor::tensor(4);
-- differs on purpose: linal has no 16000-element limit, so the cast succeeds
-- where pgvector refuses it (54000); vector_dims() shows it without printing
-- 16001 numbers
SELECT vector_dims('{}/16001'::sparsetensor::tensor);

SELECT '[0,1.5,0,3.5,0]'::halftensor::sparsetensor;
SELECT '[0,1.5,0,3.5,0]'::halftensor::sparsetensor(5);
SELECT '[0,1.5,0,3.5,0]'::halftensor::sparsetensor(4);

SELECT '{2:1.5,4:3.5}/5'::sparsetensor::halftensor;
SELECT '{2:1.5,4:3.5}/5'::sparsetensor::halftensor(5);
SELECT '{2:1.5,4:3.5}/5'::sparsetensor::halftensor(4);
-- differs on purpose: the same for halftensor, 16001 elements where pgvector
-- refuses them (54000)
SELECT vector_dims('{}/16001'::sparsetensor::halftensor);
SELECT '{1:65520}/1'::sparsetensor::halftensor;
SELECT '{1:1e-8}/1'::sparsetensor::halftensor;

SELECT ARRAY[1,0,2,0,3,0]::sparsetensor;
SELECT ARRAY[1.0,0.0,2.0,0.0,3.0,0.0]::sparsetensor;
SELECT ARRAY[1,0,2,0,3,0]::float4[]::sparsetensor;
SELECT ARRAY[1,0,2,0,3,0]::float8[]::sparsetensor;
SELECT ARRAY[1,0,2,0,3,0]::numeric[]::sparsetensor;

SELECT '{1,0,2,0,3,0}'::real[]::sparsetensor;
SELECT '{1,0,2,0,3,0}'::real[]::sparsetensor(6);
SELECT '{1,0,2,0,3,0}'::real[]::sparsetensor(5);
SELECT '{NULL}'::real[]::sparsetensor;
SELECT '{NaN}'::real[]::sparsetensor;
SELECT '{Infinity}'::real[]::sparsetensor;
SELECT '{-Infinity}'::real[]::sparsetensor;
SELECT '{}'::real[]::sparsetensor;
SELECT '{{1}}'::real[]::sparsetensor;

-- differs on purpose: linal has no 16000-element limit, so the cast succeeds
-- where pgvector refuses it (54000); vector_dims() shows it without printing
-- 16001 numbers
SELECT vector_dims(array_agg(n)::tensor) FROM generate_series(1, 16001) n;
-- the same for the function behind the cast
SELECT vector_dims(array_to_vector(array_agg(n), 16001, false)) FROM generate_series(1, 16001) n;
-- differs on purpose: the same for halftensor, 16001 elements where pgvector
-- refuses them (54000)
SELECT vector_dims(array_agg(n)::halftensor) FROM generate_series(1, 16001) n;
-- differs on purpose: sparsetensor has no 16000-element limit either (it
-- holds up to 2^25 non-zero elements); shown through the cast to tensor
SELECT vector_dims(array_agg(n)::sparsetensor::tensor) FROM generate_series(1, 16001) n;

-- ensure no error
SELECT ARRAY[1,2,3] = ARRAY[1,2,3];
