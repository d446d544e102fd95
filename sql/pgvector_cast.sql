-- pgvector 0.8.6's test/sql/cast.sql translated to linal's names
-- (vector -> tensor, halfvec -> halftensor; docs/PGVECTOR_SUITE.md has the
-- method and the counts).
-- Errors show only their SQLSTATE: the outcome is compared with pgvector's,
-- not the wording. Where linal differs on purpose a comment above the
-- statement says how; every other statement gives pgvector's result.
-- Left out: the 31 statements with sparsevec (linal has no sparse type).
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

-- differs on purpose: linal has no 16000-element limit, so the cast succeeds
-- where pgvector refuses it (54000); vector_dims() shows it without printing
-- 16001 numbers
SELECT vector_dims(array_agg(n)::tensor) FROM generate_series(1, 16001) n;
-- the same for the function behind the cast
SELECT vector_dims(array_to_vector(array_agg(n), 16001, false)) FROM generate_series(1, 16001) n;
-- differs on purpose: the same for halftensor, 16001 elements where pgvector
-- refuses them (54000)
SELECT vector_dims(array_agg(n)::halftensor) FROM generate_series(1, 16001) n;

-- ensure no error
SELECT ARRAY[1,2,3] = ARRAY[1,2,3];
