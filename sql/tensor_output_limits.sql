-- Output paths refuse results over Postgres's size limits with 54000 and a
-- clear message, before allocating for them (never XX000 "invalid memory
-- alloc request size").  Zero-size dimensions make huge declared shapes
-- cheap: (134217728,0) holds no element but prints as 134217728 "[]"s.

-- text: empty tensors print within 1 GB, whatever their declared shape
SELECT length(tensor_fill('{16777216,0}')::text), length(tensor_out(tensor_fill('{2,4,1048576,0}'))::text);
-- elements: when a quick upper bound passes 1 GB the exact length decides:
-- 67108864 zeros print in 128 MB; 100000000 numbers of 14 characters would
-- take 1.5 GB and are refused before writing
SELECT length(tensor_fill('{67108864}')::text);
SELECT length(tensor_fill('{100000000}', -1.2345678e-30)::text);
-- binary: header only for an empty tensor
SELECT length(tensor_send(tensor_fill('{134217728,0}')));

-- jsonb: one array longer than jsonb can build
SELECT tensor_to_jsonb(tensor_fill('{134217728,0}'));
SELECT tensor_fill('{16777217,0}')::jsonb;
SELECT tensor_fill('{2,16777217,0}')::jsonb;
-- jsonb: every array short enough, but the whole over jsonb's 256 MB
SELECT tensor_fill('{8388608,4,0}')::jsonb;
-- what fits still converts
SELECT tensor_fill('{3,0}')::jsonb, tensor_fill('{2,2}', 1.5)::jsonb;
SELECT jsonb_array_length(tensor_fill('{100000,0}')::jsonb);

-- arrays: refused when the array cannot fit 1 GB, before converting (numeric[]
-- also while converting, once its numerics pass 1 GB)
SELECT cardinality(tensor_fill('{134217727}')::double precision[]);
-- empty tensors become '{}' whatever their shape
SELECT tensor_fill('{134217728,0}')::real[], tensor_fill('{134217728,0}')::double precision[],
	tensor_fill('{134217728,0}')::integer[], tensor_fill('{134217728,0}')::numeric[];

-- functions building results from huge shapes refuse them (54000) up front
SELECT tensor_fill('{134217729}');
SELECT tensor_fill('{16384,16384}');
SELECT reshape(tensor_fill('{0}'), '{134217728,0,2}');
SELECT stack(tensor_fill('{134217728,0}'), tensor_fill('{134217728,0}'));
SELECT concat(tensor_fill('{100000000,0}'), tensor_fill('{100000000,0}'));
SELECT stack_agg(tensor_fill('{134217728,0}')) FROM generate_series(1, 2);
SELECT tensor_fill('{16384,1}') @ tensor_fill('{1,16384}');
-- and the ones whose result fits still work
SELECT shape(concat(tensor_fill('{100000000,0}'), tensor_fill('{100000000,0}'), 2));
SELECT shape(transpose(tensor_fill('{134217728,0}'))), shape(flatten(tensor_fill('{134217728,0}')));
