-- Matrix products: @ and matmul() through OpenBLAS.

SELECT '[[1,2],[3,4]]'::tensor @ '[[5,6],[7,8]]' AS mm,
       '[[1,2,3],[4,5,6]]'::tensor @ '[1,0,-1]' AS mv,
       '[1,-1]'::tensor @ '[[1,2,3],[4,5,6]]' AS vm,
       '[1,2,3]'::tensor @ '[4,5,6]' AS vv;
SELECT matmul('[[1,2],[3,4]]', '[[1,0],[0,1]]') AS identity, shape(matmul('[1,2]', '[3,4]')) AS vv_shape;
-- non-square and degenerate shapes
SELECT '[[1,2,3]]'::tensor @ '[[1],[2],[3]]' AS one_by_one, '[[1],[2]]'::tensor @ '[[3,4]]' AS outer;
SELECT shape('[[],[]]'::tensor @ '[]'::tensor) AS k_zero_mv;
SELECT reshape('[]', '{2,0}') @ reshape('[]', '{0}') AS inner_zero;
-- an empty inner product is 0
SELECT reshape('[]'::tensor, '{0}') @ '[]'::tensor AS empty_dot;

-- against a reference in SQL (double precision sums) on random-ish 17x23 @ 23x9
CREATE TEMP TABLE mm_a AS SELECT reshape(array_agg(((i * 7919) % 201 - 100) / 25.0 ORDER BY i)::real[]::tensor, '{17,23}') AS a
FROM generate_series(1, 17 * 23) i;
CREATE TEMP TABLE mm_b AS SELECT reshape(array_agg(((i * 104729) % 199 - 99) / 33.0 ORDER BY i)::real[]::tensor, '{23,9}') AS b
FROM generate_series(1, 23 * 9) i;
WITH product AS (SELECT (a @ b)::real[] AS cells FROM mm_a, mm_b),
     reference AS (
        SELECT r, col, sum(x::float8 * y::float8) AS v
        FROM mm_a, mm_b, generate_series(1, 17) r, generate_series(1, 9) col, generate_series(1, 23) k,
             LATERAL (SELECT (a::real[])[r][k] AS x, (b::real[])[k][col] AS y) e
        GROUP BY r, col)
SELECT count(*) AS cells, max(abs(p.cells[r][col] - v)) < 1e-4 AS within_tolerance
FROM product p, reference;
-- more OpenBLAS threads give the same product up to rounding (the blocking
-- of the inner sums may differ), here on 300x300 @ 300x300
CREATE TEMP TABLE mm_big AS SELECT reshape(array_agg(((i * 7919) % 201 - 100) / 25.0 ORDER BY i)::real[]::tensor, '{300,300}') AS m
FROM generate_series(1, 90000) i;
CREATE TEMP TABLE mm_one_thread AS SELECT m @ transpose(m) AS p FROM mm_big;
SET linal.blas_threads = 2;
SELECT norm(q - p) / norm(p) < 1e-6 AS same_with_two_threads
FROM (SELECT m @ transpose(m) AS q FROM mm_big) two, mm_one_thread;
RESET linal.blas_threads;
SHOW linal.blas_threads;
SET linal.blas_threads = 0;

-- errors
SELECT '[[1,2],[3,4]]'::tensor @ '[[1,2,3]]';
SELECT '[1,2,3]'::tensor @ '[1,2]';
SELECT '5'::tensor @ '[1]';
SELECT '[[[1]]]'::tensor @ '[[1]]';
SELECT '[[3e38, 3e38]]'::tensor @ '[[3e38],[3e38]]';
SELECT oprname, oprcode FROM pg_operator WHERE oprname = '@' AND oprleft = 'tensor'::regtype;
