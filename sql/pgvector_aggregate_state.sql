-- pgvector's aggregate transition functions on tensors (src/algebra/pgvector_more.c):
-- vector_accum, vector_combine and vector_avg over pgvector's state
-- {count, sum_1, ..., sum_n}. pgvector's own cases are in pgvector_vector_type;
-- these are the rest, errors with their SQLSTATE.
\set VERBOSITY sqlstate

-- an aggregate declared as pgvector declares avg(vector) gives linal's avg
CREATE AGGREGATE pg_temp.pgv_avg(tensor) (
    SFUNC = vector_accum, STYPE = double precision[], FINALFUNC = vector_avg,
    COMBINEFUNC = vector_combine, INITCOND = '{0}', PARALLEL = SAFE);
CREATE TEMP TABLE pas (g int, v tensor);
INSERT INTO pas VALUES (1, '[1,2,3]'), (1, '[3,5,7]'), (1, NULL), (2, '[0.5,-1,2]'), (3, NULL);
SELECT g, pg_temp.pgv_avg(v), avg(v), pg_temp.pgv_avg(v) = avg(v) AS equal
FROM pas GROUP BY g ORDER BY g;
-- no rows: NULL, as avg()
SELECT pg_temp.pgv_avg(v) FROM pas WHERE false;
-- empty tensors: a count and no sums
SELECT vector_accum(vector_accum('{0}', '[]'), '[]'), vector_avg('{2}');

-- the state is checked: 1-d, no NULL, finite, a whole count of at least 0
SELECT vector_accum('{1,NaN}', '[1]');
SELECT vector_accum('{Infinity,1}', '[1]');
SELECT vector_accum('{-1,1}', '[1]');
SELECT vector_accum('{1.5,1}', '[1]');
SELECT vector_combine('{1,1}', '{0.5,1}');
SELECT vector_avg('{0,1,2}');
-- only 1-d tensors: the state keeps no shape
SELECT vector_accum('{0}', '[[1,2],[3,4]]');
SELECT vector_accum('{0}', '5'::tensor);
-- lengths must agree
SELECT vector_accum('{1,1,1}', '[1,2,3]');
SELECT vector_combine('{1,1,1}', '{1,1}');
-- a count above 0 with no sums summed empty tensors: not the initial state
SELECT vector_accum('{1}', '[1]');
SELECT vector_combine('{1}', '{1,1}');
SELECT vector_combine('{0}', '{2,4}'), vector_combine('{2,4}', '{0}');
-- a mean beyond float4's range
SELECT vector_avg('{1,1e300}');
SELECT vector_avg('{1e300,1e300}');
