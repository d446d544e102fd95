-- Every SQLSTATE that docs/SQL.md's error table lists, raised at least once
-- (and most message families of each), shown by code only so the test
-- checks codes, not wording.  Not raised here, each for a reason:
--   53000  needs a second session holding the only slot: t/030_admission.pl
--   58P01  needs OpenBLAS missing from the machine
--   XX002, 55000  need a corrupted index / one built by an older linal
--   42809, 42501 of linal_index_check: sql/hnsw_index_check.sql
\set VERBOSITY sqlstate
SELECT '[1]'::tensor IS NOT NULL AS linal_loaded;

-- 22P02 malformed text: syntax, ragged nesting, a bad number, jsonb not of numbers
SELECT '[1,2'::tensor;
SELECT '[[1,2],[3]]'::tensor;
SELECT '[1,2x]'::tensor;
SELECT '[NaN]'::tensor;
SELECT '{"a": 1}'::jsonb::tensor;

-- 22P03 malformed binary message: a bytea's raw bytes (a vector's header,
-- 512 elements declared, none sent) written by COPY FORMAT binary and read
-- back as a tensor; the file stays in the data directory
CREATE TEMP TABLE sq_bin (b bytea);
CREATE TEMP TABLE sq_t (t tensor);
INSERT INTO sq_bin VALUES ('\x000100000000000200');
DO $$
DECLARE
	path text := current_setting('data_directory') || '/linal_errors_sqlstate.bin';
BEGIN
	EXECUTE format('COPY (SELECT b FROM sq_bin LIMIT 1) TO %L (FORMAT binary)', path);
	EXECUTE format('COPY sq_t FROM %L (FORMAT binary)', path);
END $$;

-- 22003 a number outside float4: input, casts, arithmetic, distances, reductions
SELECT '[1e39]'::tensor;
SELECT '[1e-50]'::tensor;
SELECT ARRAY[1e300]::double precision[]::tensor;
SELECT ('[3e38]'::tensor * 10)::text;
SELECT '[3e38]'::tensor + '[3e38]'::tensor;
SELECT dot('[1e30,1e30]'::tensor, '[1e30,1e30]'::tensor);
SELECT tensor_to_integer_array('[3e9]');
SELECT '[1]'::tensor * 1e300;

-- 22000 shapes that do not match: operands, typmod, aggregates, assignment,
-- reshape, matmul, single-element casts; NaN/Infinity from a cast
SELECT '[1,2]'::tensor + '[1,2,3]'::tensor;
SELECT '[1,2]'::tensor(3);
SELECT sum(t) FROM (VALUES ('[1]'::tensor), ('[1,2]')) v(t);
SELECT reshape('[1,2,3]'::tensor, '{2,2}');
SELECT '[[1,2],[3,4]]'::tensor @ '[1,2,3]'::tensor;
SELECT '[1,2]'::tensor::real;
SELECT ARRAY['NaN']::real[]::tensor;
SELECT l2_distance('[1,2]', '[1,2,3]');
CREATE TEMP TABLE sq_sub (t tensor);
INSERT INTO sq_sub VALUES ('[[1,2],[3,4]]');
UPDATE sq_sub SET t[1] = '[1,2,3]';

-- 22012 division by zero
SELECT '[1,2]'::tensor / '[0,1]'::tensor;
SELECT '[1,2]'::tensor / 0;

-- 22023 bad argument values: axis, permutation, reshape dims, scalar NaN,
-- empty stack, and an invalid type modifier; linal.simd values
SELECT tensor_sum('[1,2]'::tensor, 3);
SELECT transpose('[[1,2],[3,4]]'::tensor, '{1,1}');
SELECT reshape('[1,2,3,4]'::tensor, '{-1,-1}');
SELECT '[1,2]'::tensor * 'NaN'::float8;
SELECT stack(VARIADIC ARRAY[]::tensor[]);
CREATE TEMP TABLE sq_typmod (t tensor(0));
SELECT '[1]'::tensor(1,2,3);
CREATE TEMP TABLE sq_big (t tensor(134217729));
SET linal.simd = 'sse9';

-- 2202E subscript out of range in an assignment
UPDATE sq_sub SET t[5] = '[1,2]';

-- 22026 bit strings of different lengths in a bit distance
SELECT B'101' <~> B'10';

-- 22004 NULL where a value is required: array elements, stack, assignment
SELECT ARRAY[1, NULL]::real[]::tensor;
SELECT stack('[1]'::tensor, NULL);
UPDATE sq_sub SET t[NULL] = '[1,2]';

-- 42804 a subscript that is not an integer
SELECT ('[1,2]'::tensor)['a'::text];

-- 0A000 linal_hnsw over a column that is not 1-d
CREATE TEMP TABLE sq_mat (m tensor(2,2));
CREATE INDEX ON sq_mat USING linal_hnsw (m tensor_l2_ops);

-- 54000 over the limits: rank, elements, typmod, result sizes, outputs
SELECT '[[[[[[[[[1]]]]]]]]]'::tensor;
SELECT tensor_fill('{134217729}');
SELECT tensor_fill('{65536,65536}') IS NULL;
SELECT reshape('[1]'::tensor, '{1,1,1,1,1,1,1,1,1}');
SELECT tensor_to_real_array(tensor_fill('{1,1,1,1,1,1,1}'));
SELECT tensor_fill('{134217728,0}')::jsonb;

-- 53200 past linal.max_query_memory
SET linal.max_query_memory = '1MB';
SELECT numel(tensor_fill(ARRAY[n, n], 1)) FROM generate_series(1000, 1000) n;
RESET linal.max_query_memory;

-- 57014 statement_timeout inside a long matrix product (checked per panel)
SET statement_timeout = '100ms';
SELECT numel(tensor_fill('{4096,4096}', 1) @ tensor_fill('{4096,4096}', 1));
RESET statement_timeout;

\set VERBOSITY default
