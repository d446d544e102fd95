-- linal_index_check, linal_index_quality and linal_index_repair: who may
-- run them, and the errors for what is not a linal_hnsw index.
SET max_parallel_workers_per_gather = 0;
CREATE TABLE ic_items (id int PRIMARY KEY, v tensor(4));
INSERT INTO ic_items SELECT i, ARRAY[i % 7, i % 11, i % 13, i]::real[]::tensor FROM generate_series(1, 200) i;
CREATE INDEX ic_v ON ic_items USING linal_hnsw (v tensor_l2_ops);
CREATE INDEX ic_btree ON ic_items (id);
-- the SQLSTATE and message of a statement's error
CREATE FUNCTION ic_error(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- not an index, not a linal_hnsw index, no such relation
SELECT ic_error('SELECT linal_index_check(0)');
SELECT ic_error($$SELECT linal_index_check('ic_items')$$);
SELECT ic_error($$SELECT linal_index_check('ic_btree')$$);
SELECT ic_error('SELECT linal_index_quality(0)');
SELECT ic_error($$SELECT linal_index_quality('ic_items')$$);
SELECT ic_error($$SELECT linal_index_quality('ic_btree')$$);
SELECT ic_error('SELECT linal_index_repair(0)');
SELECT ic_error($$SELECT linal_index_repair('ic_btree')$$);
-- a dropped index's OID
CREATE INDEX ic_gone ON ic_items USING linal_hnsw (v tensor_l2_ops);
SELECT 'ic_gone'::regclass::oid AS gone \gset
DROP INDEX ic_gone;
SELECT regexp_replace(ic_error('SELECT linal_index_check(' || :gone || ')'), '[0-9]+ ', 'N ');
SELECT regexp_replace(ic_error('SELECT linal_index_quality(' || :gone || ')'), '[0-9]+ ', 'N ');
-- bad arguments
SELECT ic_error($$SELECT linal_index_quality('ic_v', 0)$$);
SELECT ic_error($$SELECT linal_index_quality('ic_v', 10, 0)$$);
SELECT ic_error($$SELECT linal_index_quality('ic_v', 10, 10, 1.5)$$);

-- the owner (a superuser here) checks; every row finds itself
SELECT count(*) FROM linal_index_check('ic_v');
SELECT sampled, found, recall, verdict FROM linal_index_quality('ic_v', 50);
SELECT sampled, found, verdict FROM linal_index_quality('ic_v', 1000, 1);

-- what the index holds is what is sampled: a partial index's rows, an
-- expression's value; NULLs and zero vectors under cosine are not indexed
CREATE TABLE ic_more (id int, v tensor(4));
INSERT INTO ic_more SELECT i, ARRAY[i % 7, i % 11, i % 13, i % 5]::real[]::tensor FROM generate_series(1, 300) i;
INSERT INTO ic_more VALUES (1000, NULL), (1002, '[0,0,0,0]');
CREATE INDEX ic_part ON ic_more USING linal_hnsw (v tensor_cosine_ops) WHERE id % 2 = 0;
CREATE INDEX ic_expr ON ic_more USING linal_hnsw ((v * 2.0) tensor_l2_ops);
CREATE INDEX ic_ip ON ic_more USING linal_hnsw (v tensor_ip_ops);
SELECT sampled, found, verdict FROM linal_index_quality('ic_part');
SELECT sampled, found, verdict FROM linal_index_quality('ic_expr', 1000, 1);
SELECT sampled, found, verdict FROM linal_index_quality('ic_ip');
TRUNCATE ic_more;
SELECT sampled, found, recall, verdict FROM linal_index_quality('ic_expr');
DROP TABLE ic_more;

-- EXECUTE is not granted to PUBLIC
CREATE ROLE regress_ic_owner;
CREATE ROLE regress_ic_other;
SET ROLE regress_ic_other;
SELECT ic_error($$SELECT linal_index_check('ic_v')$$);
SELECT ic_error($$SELECT linal_index_quality('ic_v')$$);
RESET ROLE;
-- granted EXECUTE, a role still needs to own the table or be in pg_monitor
GRANT EXECUTE ON FUNCTION linal_index_check(regclass) TO regress_ic_owner, regress_ic_other;
GRANT EXECUTE ON FUNCTION linal_index_quality(regclass, int, int, double precision)
	TO regress_ic_owner, regress_ic_other;
GRANT EXECUTE ON FUNCTION linal_index_repair(regclass) TO regress_ic_owner, regress_ic_other;
GRANT USAGE, CREATE ON SCHEMA public TO regress_ic_owner;
SET ROLE regress_ic_owner;
CREATE TABLE ic_own (id int, v tensor(4));
INSERT INTO ic_own SELECT id, v FROM (VALUES (1, '[1,0,0,0]'::tensor), (2, '[0,1,0,0]'), (3, '[0,0,1,0]')) s(id, v);
CREATE INDEX ic_own_v ON ic_own USING linal_hnsw (v tensor_l2_ops);
SELECT count(*) FROM linal_index_check('ic_own_v');
SELECT sampled, found, verdict FROM linal_index_quality('ic_own_v');
SELECT searched FROM linal_index_repair('ic_own_v');
RESET ROLE;
SET ROLE regress_ic_other;
SELECT ic_error($$SELECT linal_index_check('ic_own_v')$$);
SELECT ic_error($$SELECT linal_index_quality('ic_own_v')$$);
SELECT ic_error($$SELECT linal_index_check('ic_v')$$);
SELECT ic_error($$SELECT linal_index_repair('ic_own_v')$$);
RESET ROLE;
-- a member of pg_monitor may check any index, but not repair it
GRANT pg_monitor TO regress_ic_other;
SET ROLE regress_ic_other;
SELECT count(*) FROM linal_index_check('ic_own_v');
SELECT sampled, found, verdict FROM linal_index_quality('ic_own_v');
SELECT ic_error($$SELECT linal_index_repair('ic_own_v')$$);
RESET ROLE;

DROP TABLE ic_own;
REVOKE ALL ON SCHEMA public FROM regress_ic_owner;
REVOKE EXECUTE ON FUNCTION linal_index_check(regclass) FROM regress_ic_owner, regress_ic_other;
REVOKE EXECUTE ON FUNCTION linal_index_quality(regclass, int, int, double precision)
	FROM regress_ic_owner, regress_ic_other;
REVOKE EXECUTE ON FUNCTION linal_index_repair(regclass) FROM regress_ic_owner, regress_ic_other;
DROP ROLE regress_ic_owner;
DROP ROLE regress_ic_other;
DROP TABLE ic_items;
DROP FUNCTION ic_error(text);
