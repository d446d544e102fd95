-- Shape operations: transpose, reshape, flatten, stack, concat, and the
-- casts between one-element tensors and numbers.

SELECT transpose('[[1,2,3],[4,5,6]]') AS t23, transpose('[1,2,3]') AS vector,
       transpose('7') AS scalar, transpose('[[1],[2]]') AS column;
-- rank 3: reverse the axes, or permute them (1-based)
SELECT transpose('[[[1,2]],[[3,4]]]') AS reversed, shape(transpose('[[[1,2,3]],[[4,5,6]]]')) AS reversed_shape,
       transpose('[[[1,2]],[[3,4]]]', '{2,3,1}') AS perm_231, transpose('[[1,2],[3,4]]', '{1,2}') AS identity;
-- transpose twice is the identity; odd shapes against subscripts
SELECT transpose(transpose(m)) = m AS twice, bool_and((transpose(m))[j][i] = m[i][j]) AS elementwise
FROM (SELECT reshape(array_agg(i::real ORDER BY i)::tensor, '{37,65}') AS m FROM generate_series(1, 37 * 65) i) s,
     generate_series(1, 37) i, generate_series(1, 65) j
GROUP BY m;
SELECT shape(transpose(reshape(array_fill(1::real, ARRAY[130])::tensor, '{1,130}'))) AS column_shape;

SELECT reshape('[1,2,3,4,5,6]', '{2,3}') AS r23, reshape('[1,2,3,4,5,6]', '{3,-1}') AS r3x,
       reshape('[[1,2],[3,4]]', '{4}') AS flat, reshape('[5]', '{}') AS to_rank0,
       reshape('5', '{1,1,1}') AS from_rank0;
SELECT flatten('[[[1,2]],[[3,4]]]'), flatten('[1,2]'), flatten('9'), flatten('[[],[]]');
-- an empty shape keeps nothing after its first zero dimension
SELECT shape(reshape('[]', '{0,5}')) AS canonical, shape(reshape('[]', '{5,0}')) AS kept;

SELECT stack('[1,2]', '[3,4]', '[5,6]') AS rows, stack('1', '2') AS scalars,
       stack('[[1]]') AS one, stack(VARIADIC ARRAY['[1]', '[2]']::tensor[]) AS from_array;
SELECT concat('[[1,2]]'::tensor, '[[3,4]]'::tensor) AS axis1, concat('[[1,2]]'::tensor, '[[3]]'::tensor, 2) AS axis2,
       concat('[1,2]'::tensor, '[3]'::tensor, -1) AS last, concat('[]'::tensor, '[1]'::tensor) AS with_empty;

-- numbers and one-element tensors
SELECT '[[2.5]]'::tensor::real AS to_real, '7'::tensor::float8 AS to_double,
       1.5::float8::tensor AS from_double, shape(2::float8::tensor) AS rank0;

-- errors
SELECT reshape('[1,2,3]', '{2,2}');
-- a shape past the element limit is not said to hold exactly the limit
SELECT reshape('[1,2,3]', '{134217728,134217728}');
SELECT reshape('[1,2,3]', '{2,-1}');
SELECT reshape('[1,2,3]', '{-1,-1}');
SELECT reshape('[1,2,3]', '{0,-1}');
SELECT reshape('[1,2,3]', '{3,-2}');
SELECT reshape('[1,2,3]', '{1,1,1,1,1,1,1,1,3}');
SELECT reshape('[1,2,3]', '{3,NULL}');
SELECT reshape('[1,2,3]', '{{3}}');
SELECT transpose('[[1,2],[3,4]]', '{1}');
SELECT transpose('[[1,2],[3,4]]', '{1,1}');
SELECT transpose('[[1,2],[3,4]]', '{0,1}');
SELECT stack('[1,2]', '[1,2,3]');
SELECT stack('[1]', NULL);
SELECT stack(VARIADIC '{}'::tensor[]);
SELECT stack('[[[[[[[[1]]]]]]]]');
SELECT concat('[1]'::tensor, '[[1]]'::tensor);
SELECT concat('[[1,2]]'::tensor, '[[1,2,3]]'::tensor);
SELECT concat('[1]'::tensor, '[2]'::tensor, 2);
SELECT concat('1'::tensor, '2'::tensor);
SELECT '[1,2]'::tensor::real;
SELECT 'NaN'::float8::tensor;
SELECT 1e300::float8::tensor;
