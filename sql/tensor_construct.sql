-- tensor_fill(shape, value): tensors made from a shape.

SELECT tensor_fill('{2,3}') AS zeros, tensor_fill('{3}', 1.5) AS filled, tensor_fill('{}', 7) AS rank0,
       tensor_fill('{0}') AS empty, shape(tensor_fill('{4,0,2}', 1)) AS canonical_empty;
SELECT numel(tensor_fill('{1000,1000}', 0.25)), tensor_sum(tensor_fill('{1000,1000}', 0.25));
SELECT tensor_fill(NULL, 1) IS NULL AS null_shape;

SELECT tensor_fill('{2,-1}');
SELECT tensor_fill('{1,NULL}');
SELECT tensor_fill('{{1}}');
SELECT tensor_fill('{2}', 'NaN');
SELECT tensor_fill('{2}', 1e39);
SELECT tensor_fill('{2}', 1e-50);
SELECT tensor_fill('{2}', 1e-45) AS denormal_fits;
SELECT tensor_fill('{1,1,1,1,1,1,1,1,1}');
SELECT tensor_fill('{100000,100000}');
