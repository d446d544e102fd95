-- The type modifier: tensor(n) and tensor(r,c), enforced on input,
-- INSERT, UPDATE and casts.

CREATE TABLE typmod_t (id int, v tensor(3), m tensor(2,2), any_shape tensor);
SELECT attname, format_type(atttypid, atttypmod)
FROM pg_attribute
WHERE attrelid = 'typmod_t'::regclass AND attnum > 0 ORDER BY attnum;

INSERT INTO typmod_t VALUES (1, '[1,2,3]', '[[1,2],[3,4]]', '[[[1]]]');
INSERT INTO typmod_t VALUES (2, ARRAY[4,5,6], ARRAY[[5,6],[7,8]]::real[], '5');
SELECT * FROM typmod_t ORDER BY id;

-- wrong shapes are refused (22000) with both shapes in the detail
INSERT INTO typmod_t (id, v) VALUES (3, '[1,2]');
INSERT INTO typmod_t (id, v) VALUES (3, '[[1,2,3]]');
INSERT INTO typmod_t (id, m) VALUES (3, '[1,2,3,4]');
INSERT INTO typmod_t (id, m) VALUES (3, '[[1,2,3],[4,5,6]]');
INSERT INTO typmod_t (id, v) VALUES (3, ARRAY[1,2,3,4]);
UPDATE typmod_t SET v = '[1,2,3,4]' WHERE id = 1;
UPDATE typmod_t SET v = v WHERE id = 1;
UPDATE typmod_t SET v = any_shape WHERE id = 1;
INSERT INTO typmod_t (id, v) SELECT 4, any_shape FROM typmod_t WHERE id = 2;
SELECT count(*) FROM typmod_t;

-- casts with a modifier
SELECT '[[1,2],[3,4]]'::tensor(2,2);
SELECT '[1,2,3]'::tensor::tensor(3);
SELECT '[1,2,3]'::tensor(2);
SELECT '[[1,2],[3,4]]'::tensor(4);
SELECT '7'::tensor(1);
SELECT ARRAY[1.5,2.5]::real[]::tensor(2), ARRAY[1,2]::tensor(1,2);
SELECT ARRAY[[1,2]]::tensor(2,1);
SELECT '[1,2]'::jsonb::tensor(2);
SELECT '[1,2]'::jsonb::tensor(3);

-- the same modifier on a domain and in a function's return
CREATE DOMAIN rgb AS tensor(3);
SELECT '[0.1,0.2,0.3]'::rgb;
SELECT '[0.1,0.2]'::rgb;

-- invalid modifiers
CREATE TABLE typmod_bad (v tensor(0));
CREATE TABLE typmod_bad (v tensor(-1));
CREATE TABLE typmod_bad (v tensor(2,3,4));
CREATE TABLE typmod_bad (v tensor(134217729));
CREATE TABLE typmod_bad (v tensor(32768,2));
CREATE TABLE typmod_bad (v tensor('a'));

-- the limits themselves are accepted
CREATE TABLE typmod_limits (v tensor(134217728), m tensor(32767,32767));
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'typmod_limits'::regclass AND attnum > 0 ORDER BY attnum;
DROP TABLE typmod_limits;

-- a large vector column: the typmod check reads only the header
CREATE TABLE typmod_big (v tensor(100000));
ALTER TABLE typmod_big ALTER COLUMN v SET STORAGE EXTERNAL;
INSERT INTO typmod_big SELECT array_fill(1.0::real, ARRAY[100000]);
SELECT numel(v), pg_column_size(v) FROM typmod_big;
INSERT INTO typmod_big SELECT array_fill(1.0::real, ARRAY[99999]);
DROP TABLE typmod_big;

DROP DOMAIN rgb;
DROP TABLE typmod_t;
