-- Casts between tensor and real[], double precision[], integer[],
-- numeric[] and jsonb: same shape both ways.

-- arrays to tensors, each element type and rank
SELECT ARRAY[1.5, -2, 3]::real[]::tensor AS from_real,
       ARRAY[1.5, -2, 3]::float8[]::tensor AS from_double,
       ARRAY[1, -2, 3]::int[]::tensor AS from_int,
       ARRAY[1.5, -2, 3]::numeric[]::tensor AS from_numeric;
SELECT '{{1,2,3},{4,5,6}}'::real[]::tensor AS matrix,
       '{{{1},{2}},{{3},{4}}}'::int[]::tensor AS rank3,
       '{{{{{{1}}}}}}'::float8[]::tensor AS rank6;
-- lower bounds are ignored; an empty array is the empty vector
SELECT '[5:7]={1,2,3}'::real[]::tensor AS shifted, '{}'::real[]::tensor AS empty;

-- assignment casts let arrays go straight into tensor columns
CREATE TEMP TABLE cast_t (t tensor);
INSERT INTO cast_t VALUES (ARRAY[1,2]), (ARRAY[[1.5,2.5]]::float8[]), ('{}'::numeric[]);
SELECT t FROM cast_t ORDER BY t;

-- tensors to arrays
SELECT '[[1.5,2],[3,4]]'::tensor::real[] AS to_real,
       '[[1.5,2],[3,4]]'::tensor::float8[] AS to_double,
       '[[1.5,2.5],[-3.5,4.4]]'::tensor::int[] AS to_int_rounded,
       '[[0.1,2],[16777216,1e-45]]'::tensor::numeric[] AS to_numeric;
SELECT '3.5'::tensor::real[] AS rank0, '[]'::tensor::real[] AS empty,
       '[[],[]]'::tensor::int[] AS empty2;
-- float4 precision shows in double precision; numeric gets the shortest exact decimal
SELECT '[0.1]'::tensor::float8[], '[0.1]'::tensor::numeric[];

-- round trips keep the shape
SELECT t, t::real[]::tensor = t AS via_real, t::float8[]::tensor = t AS via_double,
       t::numeric[]::tensor = t AS via_numeric, t::jsonb::tensor = t AS via_jsonb
FROM (VALUES ('[1,2,3]'::tensor), ('[[1,2],[3,4]]'), ('[[[0.1]],[[0.2]]]'),
             ('[[[[[[-1e-30]]]]]]')) AS v(t);

-- jsonb
SELECT '[[0.1,2],[3,4e20]]'::tensor::jsonb AS matrix, '2.5'::tensor::jsonb AS scalar,
       '[]'::tensor::jsonb AS empty;
SELECT jsonb_typeof('[1,2]'::tensor::jsonb), '[1,2]'::tensor::jsonb -> 1;
SELECT '[[1, 2.5], [3, 4]]'::jsonb::tensor, '7'::jsonb::tensor;
SELECT '{"a": 1}'::jsonb::tensor;
SELECT '[1, "x"]'::jsonb::tensor;
SELECT '[[1], [2, 3]]'::jsonb::tensor;

-- errors: NULL elements, NaN, infinities, out of range
SELECT ARRAY[1, NULL]::int[]::tensor;
SELECT ARRAY['NaN']::real[]::tensor;
SELECT ARRAY[1, 'Infinity']::float8[]::tensor;
SELECT ARRAY['-Infinity']::numeric[]::tensor;
SELECT ARRAY['NaN']::numeric[]::tensor;
SELECT ARRAY[1e39]::float8[]::tensor;
SELECT ARRAY[1e-50]::float8[]::tensor;
SELECT ARRAY[1e39]::numeric[]::tensor;
SELECT '[3e9]'::tensor::int[];
SELECT '[[[[[[[1]]]]]]]'::tensor::real[];
-- integers beyond 2^24 round like int4 to real does
SELECT ARRAY[16777217]::int[]::tensor, 16777217::int::real;
-- the cast direction tensor -> array is explicit only
SELECT array_length('[1,2]'::tensor, 1);
