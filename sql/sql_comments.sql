-- Every object of the extension has a comment (shown by \df+, \do+, \dC+,
-- \dAc+ ...): an object added without COMMENT ON is listed below, named by
-- pg_describe_object.

SELECT count(*) > 100 AS has_members
FROM pg_depend d
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'linal');

-- no rows: each member has a non-empty description
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS uncommented
FROM pg_depend d
LEFT JOIN pg_description c
  ON c.classoid = d.classid AND c.objoid = d.objid AND c.objsubid = 0
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'linal')
  AND coalesce(btrim(c.description), '') = ''
  -- the types the server makes itself (a view's row type, a type's array
  -- type) are members from PostgreSQL 17 on; they take no comment
  AND NOT EXISTS (SELECT 1 FROM pg_type t
                  WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid
                    AND (t.typrelid <> 0
                         OR EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)))
ORDER BY 1;

-- and the extension itself
SELECT obj_description(oid, 'pg_extension') <> '' AS extension_commented
FROM pg_extension WHERE extname = 'linal';
