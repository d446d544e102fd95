-- Who may read and reset linal_stats: the view and the function behind it
-- are granted to pg_read_all_stats (so pg_monitor) only; the reset is for
-- superusers and explicit grantees.  Deterministic with and without linal
-- in shared_preload_libraries (the "off" NOTICE is hidden).
SET client_min_messages = warning;
CREATE ROLE regress_stats_user;
CREATE ROLE regress_stats_monitor IN ROLE pg_monitor;
CREATE ROLE regress_stats_reader IN ROLE pg_read_all_stats;

-- an ordinary role: neither the view nor the function, nor the reset
SET ROLE regress_stats_user;
SELECT count(*) FROM linal_stats;
SELECT count(*) FROM linal_stats();
SELECT linal_stats_reset();
-- introspection of the kernels stays public
SELECT linal_kernel_isa() = ANY (linal_supported_isas()) AS isa_ok;
RESET ROLE;

-- pg_monitor and pg_read_all_stats members read both, but do not reset
SET ROLE regress_stats_monitor;
SELECT kernel = linal_kernel_isa() AS kernel_ok FROM linal_stats;
SELECT kernel = linal_kernel_isa() AS kernel_ok FROM linal_stats();
SELECT linal_stats_reset();
RESET ROLE;
SET ROLE regress_stats_reader;
SELECT kernel = linal_kernel_isa() AS kernel_ok FROM linal_stats;
RESET ROLE;

-- a superuser can hand the reset to a monitoring role
GRANT EXECUTE ON FUNCTION linal_stats_reset() TO regress_stats_monitor;
SET ROLE regress_stats_monitor;
SELECT linal_stats_reset();
RESET ROLE;
REVOKE EXECUTE ON FUNCTION linal_stats_reset() FROM regress_stats_monitor;

-- every linal function and view whose privileges differ from the default,
-- with who else than the owner holds what; the linal_index_* functions are
-- covered by their own tests
CREATE FUNCTION pg_temp.granted(acl aclitem[], owner oid) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
							   || ' ' || a.privilege_type, ', ' ORDER BY a.grantee, a.privilege_type),
					'(owner only)')
	FROM aclexplode(acl) a WHERE a.grantee <> owner
$$;
SELECT p.oid::regprocedure AS function, pg_temp.granted(p.proacl, p.proowner)
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'linal'
WHERE p.proacl IS NOT NULL AND p.proname NOT LIKE 'linal\_index\_%'
ORDER BY 1::text;
SELECT c.oid::regclass AS relation, pg_temp.granted(c.relacl, c.relowner)
FROM pg_class c
JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'linal'
ORDER BY 1::text;

DROP ROLE regress_stats_user;
DROP ROLE regress_stats_monitor;
DROP ROLE regress_stats_reader;
