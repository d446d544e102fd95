-- shape(), ndim() and numel().

SELECT t, shape(t), ndim(t), numel(t)
FROM (VALUES ('2.5'::tensor), ('[]'), ('[1,2,3]'), ('[[1,2,3],[4,5,6]]'),
             ('[[],[]]'), ('[[[1,2]],[[3,4]],[[5,6]]]'),
             ('[[[[[[[[1,2]]]]]]]]')) AS v(t)
ORDER BY ndim(t), numel(t);

SELECT shape(NULL::tensor), ndim(NULL::tensor), numel(NULL::tensor);

-- large values stored out of line: shape questions read only the header
CREATE TEMP TABLE shape_big (t tensor);
INSERT INTO shape_big
    SELECT array_fill(0.5::real, ARRAY[300, 1000]) FROM generate_series(1, 3);
SELECT shape(t), ndim(t), numel(t), pg_column_size(t) FROM shape_big;

-- the functions are immutable, strict and parallel safe
SELECT proname, provolatile, proisstrict, proparallel
FROM pg_proc WHERE proname IN ('shape', 'ndim', 'numel') ORDER BY proname;
