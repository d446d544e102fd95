-- Subscripts and slices: fetch and assignment.

CREATE TEMP TABLE sub_t (id int, t tensor);
INSERT INTO sub_t VALUES (1, '[[1,2,3],[4,5,6]]'), (2, '[10,20,30,40]'), (3, '5'),
                         (4, '[[[1,2],[3,4]],[[5,6],[7,8]]]'), (5, NULL);

-- plain subscripts drop their axis
SELECT t[2] AS row2, t[2][3] AS elem, shape(t[2][3]) AS elem_shape FROM sub_t WHERE id = 1;
SELECT t[3] AS third, t[2][2] AS rank3_part, t[2][1][2] AS rank3_elem FROM sub_t WHERE id IN (2, 4) ORDER BY id;
-- slices keep it; with any slice present, a plain i means i:i
SELECT t[1:2] AS all_rows, t[:1] AS first_row, t[2:] AS last_row, t[1][2:3] AS mixed,
       t[:][2] AS second_column, t[2:2][:] AS row_as_matrix
FROM sub_t WHERE id = 1;
SELECT t[2:3] AS middle, t[:2] AS head, t[3:] AS tail, t[2:3]::real[] AS as_array FROM sub_t WHERE id = 2;

-- out of range: NULL for an index, clipped slices (possibly empty)
SELECT t[0] IS NULL AS zero, t[5] IS NULL AS past_end, t[1][9] IS NULL AS inner_past_end,
       t[0:9] AS clipped, t[3:1] AS empty, t[5:9] AS empty_past_end
FROM sub_t WHERE id = 1;
SELECT t[1] IS NULL AS rank0_subscripted, (SELECT t[1][1] FROM sub_t WHERE id = 2) IS NULL AS too_many
FROM sub_t WHERE id = 3;
SELECT t[NULL::int] IS NULL AS null_subscript, t[1:NULL] IS NULL AS null_bound FROM sub_t WHERE id = 1;
SELECT t[1] IS NULL AS null_tensor FROM sub_t WHERE id = 5;
SELECT t['2'] AS text_subscript, t[1.6] AS numeric_subscript FROM sub_t WHERE id = 2;
SELECT t['x'] FROM sub_t WHERE id = 2;
SELECT t[1][1][1][1][1][1][1][1][1] FROM sub_t WHERE id = 2;

-- assignment replaces exactly the selected part
UPDATE sub_t SET t[2][3] = '60' WHERE id = 1;
UPDATE sub_t SET t[1] = '[7,8,9]' WHERE id = 1;
UPDATE sub_t SET t[1:2][1] = '[[0],[0]]' WHERE id = 1;
UPDATE sub_t SET t[2:3] = '[-2,-3]' WHERE id = 2;
UPDATE sub_t SET t[2][1] = '[0,0]' WHERE id = 4;
SELECT id, t FROM sub_t WHERE id IN (1, 2, 4) ORDER BY id;
-- errors: shapes, range, NULLs
UPDATE sub_t SET t[1] = '[1,2]' WHERE id = 1;
UPDATE sub_t SET t[3] = '[1,2,3]' WHERE id = 1;
UPDATE sub_t SET t[0:1] = '[[1,2,3]]' WHERE id = 1;
UPDATE sub_t SET t[1][1][1] = '1' WHERE id = 1;
UPDATE sub_t SET t[NULL::int] = '[1,2,3]' WHERE id = 1;
UPDATE sub_t SET t[1] = NULL WHERE id = 1;
UPDATE sub_t SET t[1] = '1' WHERE id = 5;
UPDATE sub_t SET t[1] = 5 WHERE id = 2;
SELECT id, t FROM sub_t WHERE id = 1;

-- a typed column keeps its shape through assignments
CREATE TEMP TABLE sub_typed (v tensor(3));
INSERT INTO sub_typed VALUES ('[1,2,3]');
UPDATE sub_typed SET v[2] = '20';
SELECT v FROM sub_typed;

-- views keep the meaning of mixed subscripts
CREATE TEMP VIEW sub_view AS SELECT t[1][2:3] AS part FROM sub_t WHERE id = 1;
-- (without the table qualification that PostgreSQL 15 adds and 16 omits)
SELECT replace(pg_get_viewdef('sub_view'::regclass), 'sub_t.', '');
SELECT part FROM sub_view;

-- a row of a large matrix stored out of line reads only that row
CREATE TEMP TABLE sub_big (m tensor);
INSERT INTO sub_big SELECT reshape(array_agg(i::real ORDER BY i)::tensor, '{1000,500}') FROM generate_series(1, 500000) i;
SELECT pg_column_size(m) AS stored_bytes, m[1000][500] AS last, m[2][1:3] AS row_head,
       tensor_sum(m[17]) AS row17_sum, shape(m[3:4]) AS two_rows, m[1:2][499:] AS corner
FROM sub_big;
