-- pgvector's halfvec functions under their pgvector names
-- (src/sql/29c_pgvector_halfvec_names.sql): halfvec_cmp, and halfvec_accum,
-- halfvec_combine and halfvec_avg over pgvector's state
-- {count, sum_1, ..., sum_n}. pgvector's own cases are in pgvector_halfvec;
-- these are the rest, errors with their SQLSTATE.
\set VERBOSITY sqlstate

-- halfvec_cmp is halftensor_cmp: tensor's order on the same values
SELECT halfvec_cmp('[1,2]', '[1,2.5]'), halftensor_cmp('[1,2]', '[1,2.5]');
SELECT halfvec_cmp('[[1,2],[3,4]]', '[[1,2],[3,4]]');
SELECT halfvec_cmp(NULL, '[1]') IS NULL AS strict;

-- an aggregate declared as pgvector declares avg(halfvec) gives linal's avg
CREATE AGGREGATE pg_temp.pgv_half_avg(halftensor) (
    SFUNC = halfvec_accum, STYPE = double precision[], FINALFUNC = halfvec_avg,
    COMBINEFUNC = halfvec_combine, INITCOND = '{0}', PARALLEL = SAFE);
CREATE TEMP TABLE phs (g int, v halftensor);
INSERT INTO phs VALUES (1, '[1,2,3]'), (1, '[3,5,7]'), (1, NULL), (2, '[0.5,-1,2]'), (3, NULL);
SELECT g, pg_temp.pgv_half_avg(v), avg(v), pg_temp.pgv_half_avg(v) = avg(v) AS equal
FROM phs GROUP BY g ORDER BY g;
-- no rows: NULL, as avg()
SELECT pg_temp.pgv_half_avg(v) FROM phs WHERE false;
-- a row is widened exactly: the state holds the stored halves
SELECT halfvec_accum('{0}', '[0.1]');
-- the mean is rounded to half
SELECT halfvec_avg('{3,1,1}');

-- combine: the initial state takes the other's length
SELECT halfvec_combine('{0}', '{2,4,6}'), halfvec_combine('{2,4,6}', '{0}');
SELECT halfvec_combine('{1,1,2}', '{2,3,4}');
SELECT halfvec_combine('{1,1}', '{1,1,1}');

-- the state is checked: 1-d, no NULL, finite, a whole count of at least 0
SELECT halfvec_accum('{1,NaN}', '[1]');
SELECT halfvec_accum('{-1,1}', '[1]');
SELECT halfvec_combine('{1,1}', '{0.5,1}');
SELECT halfvec_combine('{{1,1}}', '{1,1}');
SELECT halfvec_avg('{1.5,1}');
SELECT halfvec_avg('{0,1,2}');
-- only 1-d halftensors: the state keeps no shape
SELECT halfvec_accum('{0}', '[[1,2],[3,4]]');
-- lengths must agree
SELECT halfvec_accum('{1,1,1}', '[1,2,3]');
-- a mean beyond half's range (and beyond float4's)
SELECT halfvec_avg('{1,65520}');
SELECT halfvec_avg('{1,1e300}');
