-- Deterministic data for the SQL instruction counts (no random()).
CREATE EXTENSION IF NOT EXISTS linal;
CREATE TABLE ic_array AS SELECT i, array_agg(((i * 7919 + j * 104729) % 2001 - 1000) / 250.0)::real[] AS a FROM generate_series(1, 64) i, generate_series(1, 768) j GROUP BY i;
CREATE TABLE ic_vec AS SELECT i, a::tensor AS t FROM ic_array;
CREATE TABLE ic_text AS SELECT i, t::text AS txt FROM ic_vec;
CREATE TABLE ic_query AS SELECT t AS q FROM ic_vec WHERE i = 1;
CREATE TABLE ic_vec128 AS SELECT i, array_agg(((i * 7919 + j * 104729) % 2001 - 1000) / 250.0)::real[]::tensor AS t FROM generate_series(1, 4000) i, generate_series(1, 128) j GROUP BY i;
CREATE TABLE ic_query128 AS SELECT t AS q FROM ic_vec128 WHERE i = 1;
VACUUM ANALYZE ic_vec128;
