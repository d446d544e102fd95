-- Malformed and oversized tensor literals: every one gets a clear error
-- with the right SQLSTATE and the position of the problem.

CREATE FUNCTION pg_temp.try_tensor(literal text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    RETURN 'ok: ' || literal::tensor::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || detail;
END
$$;

-- 22P02: syntax
SELECT literal, pg_temp.try_tensor(literal) AS result
FROM (VALUES (''), ('   '), ('['), ('[1,2'), ('[1,2]]'), (']'), ('[1,,2]'), ('[,1]'),
             ('[1,2,]'), ('[1 2]'), ('[1;2]'), ('[[1,2],[3]]'), ('[[1,2],[3,4,5]]'),
             ('[[1],2]'), ('[1,[2]]'), ('[[],[1]]'), ('[[1],[]]'), ('[[[1]],[2]]'),
             ('[1]x'), ('[1] [2]'), ('1 2'), ('abc'), ('[a]'), ('[1e]'), ('[1e+]'),
             ('[.]'), ('[-]'), ('[+-1]'), ('[1.2.3]'), ('[0x10]'), ('[1_000]'),
             ('[NaN]'), ('[nan]'), ('[Infinity]'), ('[-inf]'), ('NaN'),
             ('[1,2]' || chr(233)), ('{1,2}'), ('(1,2)')) AS v(literal);

-- 22003: numbers outside float4
SELECT literal, pg_temp.try_tensor(literal) AS result
FROM (VALUES ('[1e39]'), ('[-3.5e38]'), ('[1e-46]'), ('1e400'),
             ('[1,2,' || repeat('9', 60) || ']')) AS v(literal);

-- 54000: above the limits, refused before any allocation
SELECT label, pg_temp.try_tensor(literal) AS result
FROM (VALUES ('rank 9', repeat('[', 9) || '1' || repeat(']', 9)),
             ('rank 9, empty', repeat('[', 9) || repeat(']', 9)),
             ('100000 open brackets', repeat('[', 100000))) AS v(label, literal);

-- a long literal is quoted only in part
SELECT ('[' || repeat('1,', 100) || 'x]')::tensor;
-- cut on a character boundary: half of the 2-byte character at the cut
-- would make the message invalid text (and hide the error behind an
-- encoding error in clients of another encoding)
SELECT ('[' || repeat('1,', 39) || chr(233) || repeat(',1', 10) || ']')::tensor;

-- the error position points into the literal as typed
SELECT '[[1, 2], [3, 4], [5]]'::tensor;
SELECT '[1, 2, NaN]'::tensor;

-- every error leaves the session usable
SELECT '[1,2,3]'::tensor AS still_fine;
