-- tensor_agg_state: the transition state of sum, avg, min, max and
-- stack_agg, with text and binary I/O so that partial states can leave the
-- backend (parallel workers, Citus shards).

-- no aggregate keeps an internal state outside moving window frames
SELECT p.proname, a.aggtranstype::regtype AS state, a.aggcombinefn AS combine,
       a.aggserialfn <> 0 AS serial, a.aggmtranstype::regtype AS moving_state
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE p.proargtypes[0] = 'tensor'::regtype ORDER BY p.proname;

-- the text form of states built by calling the transition functions directly
SELECT tensor_sum_transition(tensor_sum_transition(NULL, '[1.5,2]'), '[0.1,-3]') AS sum_state,
       tensor_min_transition(tensor_min_transition(NULL, '[1.5,2]'), '[0.1,-3]') AS min_state;
SELECT tensor_max_transition(NULL, '[[1,2],[3,4]]') AS max_state,
       tensor_stack_transition(tensor_stack_transition(NULL, '[1.5,2]'), '[0.1,-3]') AS stack_state;
-- NULL rows are skipped, and no rows leave no state
SELECT tensor_sum_transition(NULL, NULL) IS NULL AS no_state,
       tensor_stack_transition(tensor_stack_transition(NULL, '7'), NULL) AS stack_of_one;

-- fold(transition, rows): the state after the rows, one direct call per row
CREATE FUNCTION pg_temp.fold(fn regproc, vs tensor[]) RETURNS tensor_agg_state
LANGUAGE plpgsql AS $$
DECLARE
    s tensor_agg_state;
    v tensor;
BEGIN
    FOREACH v IN ARRAY vs LOOP
        EXECUTE format('SELECT %s($1, $2)', fn) INTO s USING s, v;
    END LOOP;
    RETURN s;
END
$$;

-- text and binary round-trip bit for bit: ranks 0 to 8, empty tensors,
-- awkward floats (0.1 sums in double, denormals, -0, near float4's maximum)
CREATE TEMP TABLE st_rows AS
SELECT r, k, reshape(tensor_fill(ARRAY[(2 ^ (r + 1))::int],
                                 (ARRAY[0.1, 1e-45, -0.0, 3.4e38, -7.25, 1e-40, 123456.78, 2])[k]),
                     CASE WHEN r = 0 THEN ARRAY[2]
                          ELSE (SELECT array_agg(CASE WHEN d = 1 THEN 4 ELSE 2 END) FROM generate_series(1, r) d) END) AS v
FROM generate_series(0, 7) r, generate_series(1, 8) k;
INSERT INTO st_rows SELECT 8, k, tensor_fill('{1,1,1,1,1,1,1,2}', k * 0.3) FROM generate_series(1, 3) k;
INSERT INTO st_rows SELECT 9, k, '[]' FROM generate_series(1, 3) k;
INSERT INTO st_rows SELECT 10, k, tensor_fill('{3,0}') FROM generate_series(1, 2) k;
INSERT INTO st_rows SELECT 11, k, (k * 0.1)::float8::tensor FROM generate_series(1, 4) k;
SELECT r, min(shape(v)::text) AS shape, count(*) AS rows FROM st_rows GROUP BY r ORDER BY r;
CREATE TEMP TABLE st_states AS
SELECT r, f.kind, pg_temp.fold(f.fn, array_agg(v ORDER BY k)) AS state
FROM st_rows, (VALUES ('sum', 'tensor_sum_transition'::regproc), ('min', 'tensor_min_transition'),
                      ('max', 'tensor_max_transition'), ('stack', 'tensor_stack_transition')) AS f(kind, fn)
WHERE NOT (f.kind = 'stack' AND r = 8)
GROUP BY r, f.kind, f.fn;
SELECT kind, count(*) AS states,
       bool_and(state::text::tensor_agg_state::text = state::text) AS text_round_trip,
       bool_and(tensor_agg_state_send(state::text::tensor_agg_state) = tensor_agg_state_send(state)) AS same_bytes
FROM st_states GROUP BY kind ORDER BY kind;
SELECT r, kind, state FROM st_states WHERE r IN (0, 9, 10, 11) ORDER BY r, kind;
-- the folded states finalize to what the aggregates give
SELECT a.r, tensor_sum_final(s.state) = a.s AS sum, tensor_avg_final(s.state) = a.a AS avg,
       tensor_extreme_final(lo.state) = a.lo AS min, tensor_extreme_final(hi.state) = a.hi AS max,
       tensor_stack_final(st.state) IS NOT DISTINCT FROM a.st AS stack
FROM (SELECT r, sum(v) AS s, avg(v) AS a, min(v) AS lo, max(v) AS hi,
             stack_agg(v ORDER BY k) FILTER (WHERE r <> 8) AS st
      FROM st_rows GROUP BY r) a
JOIN st_states s ON s.r = a.r AND s.kind = 'sum'
JOIN st_states lo ON lo.r = a.r AND lo.kind = 'min'
JOIN st_states hi ON hi.r = a.r AND hi.kind = 'max'
LEFT JOIN st_states st ON st.r = a.r AND st.kind = 'stack'
ORDER BY a.r;

-- combining: the states of two parts give the state of the whole
SELECT tensor_agg_combine(tensor_sum_transition(NULL, '[1,2]'),
                          tensor_sum_transition(tensor_sum_transition(NULL, '[3,4]'), '[5,6]')) AS sums,
       tensor_agg_combine(tensor_max_transition(NULL, '[1,9]'), tensor_max_transition(NULL, '[3,4]')) AS maxima;
SELECT tensor_stack_combine(tensor_stack_transition(NULL, '[1,2]'),
                            tensor_stack_transition(NULL, '[3,4]')) AS stacked,
       tensor_agg_combine(NULL, tensor_min_transition(NULL, '[1]')) IS NULL AS strict;
-- a merge aggregate over stored partial states, as a coordinator runs one
CREATE TEMP TABLE st_partials AS
SELECT k % 3 AS shard, pg_temp.fold('tensor_sum_transition', array_agg(v ORDER BY k)) AS s
FROM st_rows WHERE r = 2 GROUP BY k % 3;
SELECT string_agg(s::text, ' | ' ORDER BY shard) AS before_merge FROM st_partials \gset
CREATE AGGREGATE pg_temp.merge_avg(tensor_agg_state) (
    SFUNC = tensor_agg_combine, STYPE = tensor_agg_state, FINALFUNC = tensor_avg_final);
SELECT pg_temp.merge_avg(s) = (SELECT avg(v) FROM st_rows WHERE r = 2) AS merged_avg,
       pg_temp.merge_avg(s ORDER BY shard DESC) = (SELECT avg(v) FROM st_rows WHERE r = 2) AS any_order
FROM st_partials;
-- merging and direct calls change their own copies, never a stored state
SELECT tensor_sum_transition(s, '[[100,100],[100,100],[100,100],[100,100]]') IS NOT NULL AS called
FROM st_partials LIMIT 1;
SELECT string_agg(s::text, ' | ' ORDER BY shard) = :'before_merge' AS stored_unchanged FROM st_partials;
-- an aggregate starting from an initial state starts from it in every group
CREATE AGGREGATE pg_temp.sum_from_100(tensor) (
    SFUNC = tensor_sum_transition, STYPE = tensor_agg_state, FINALFUNC = tensor_sum_final,
    INITCOND = 'kind=sum count=1 shape=(2) values=100,100');
SELECT g, pg_temp.sum_from_100(v), sum(v)
FROM (VALUES (1, '[1,2]'::tensor), (1, '[3,4]'), (2, '[5,6]'), (3, NULL)) AS x(g, v)
GROUP BY g ORDER BY g;

CREATE AGGREGATE pg_temp.stack_after_zeros(tensor) (
    SFUNC = tensor_stack_transition, STYPE = tensor_agg_state, FINALFUNC = tensor_stack_final,
    INITCOND = 'kind=stack count=1 shape=(2) values=0,0');
SELECT g, pg_temp.stack_after_zeros(v ORDER BY v)
FROM (VALUES (1, '[1,2]'::tensor), (1, '[3,4]'), (2, '[5,6]'), (3, NULL)) AS x(g, v)
GROUP BY g ORDER BY g;
-- stack_agg as a window aggregate (flat states) and with grouping sets
-- (expanded states, one per set)
SELECT i, stack_agg(v) OVER (ORDER BY i) AS running
FROM (VALUES (1, '[1,2]'::tensor), (2, NULL), (3, '[3,4]'), (4, '[5,6]')) AS s(i, v) ORDER BY i;
SELECT g, stack_agg(v ORDER BY i) AS rows, stack_agg(v) FILTER (WHERE i > 1) AS later
FROM (VALUES (1, 1, '[1,2]'::tensor), (1, 2, '[3,4]'), (2, 3, '[5,6]')) AS s(g, i, v)
GROUP BY ROLLUP (g) ORDER BY g;

-- states of another kind or shape are refused (SQLSTATE and message)
CREATE FUNCTION pg_temp.try(query text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
SELECT substr(q, 8) AS query, pg_temp.try(q) AS result
FROM (VALUES
    ($q$SELECT tensor_agg_combine(tensor_min_transition(NULL, '[1]'), tensor_max_transition(NULL, '[1]'))$q$),
    ($q$SELECT tensor_agg_combine(tensor_stack_transition(NULL, '[1]'), tensor_stack_transition(NULL, '[1]'))$q$),
    ($q$SELECT tensor_agg_combine(tensor_sum_transition(NULL, '[1,2]'), tensor_sum_transition(NULL, '[1,2,3]'))$q$),
    ($q$SELECT tensor_agg_combine(tensor_sum_transition(NULL, '[1,2]'), tensor_sum_transition(NULL, '[[1,2]]'))$q$),
    ($q$SELECT tensor_stack_combine(tensor_stack_transition(NULL, '[1,2]'), tensor_stack_transition(NULL, '[1]'))$q$),
    ($q$SELECT tensor_stack_combine(tensor_stack_transition(NULL, '[1,2]'), tensor_sum_transition(NULL, '[1,2]'))$q$),
    ($q$SELECT tensor_sum_transition(tensor_min_transition(NULL, '[1]'), '[2]')$q$),
    ($q$SELECT tensor_min_transition(tensor_sum_transition(NULL, '[1]'), '[2]')$q$),
    ($q$SELECT tensor_sum_transition(tensor_sum_transition(NULL, '[1]'), '[2,3]')$q$),
    ($q$SELECT tensor_stack_transition(tensor_sum_transition(NULL, '[1]'), '[2]')$q$),
    ($q$SELECT tensor_sum_final(tensor_min_transition(NULL, '[1]'))$q$),
    ($q$SELECT tensor_avg_final(tensor_stack_transition(NULL, '[1]'))$q$),
    ($q$SELECT tensor_extreme_final(tensor_sum_transition(NULL, '[1]'))$q$),
    ($q$SELECT tensor_stack_final(tensor_max_transition(NULL, '[1]'))$q$)
) AS t(q);
-- counts and sums past their ranges
SELECT tensor_agg_combine('kind=sum count=4611686018427387904 shape=() values=1',
                          'kind=sum count=4611686018427387903 shape=() values=1') AS largest_count;
SELECT 'kind=sum count=9223372036854775807 shape=() values=2'::tensor_agg_state::text AS round_trip;
SELECT tensor_agg_combine('kind=sum count=4611686018427387904 shape=() values=1',
                          'kind=sum count=4611686018427387904 shape=() values=1');
SELECT tensor_sum_final(tensor_agg_combine('kind=sum count=1 shape=(2) values=1e308,1',
                                           'kind=sum count=1 shape=(2) values=1e308,1'));
SELECT tensor_sum_final('kind=sum count=1 shape=(2) values=1,1e39');

-- malformed text: a clean error with its SQLSTATE, never a crash or a
-- large allocation (the claimed shape is checked against the input length)
CREATE FUNCTION pg_temp.parse(input text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    result := input::tensor_agg_state::text;
    RETURN 'ok: ' || result;
EXCEPTION WHEN OTHERS THEN
    DECLARE
        detail text;
    BEGIN
        GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
        RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' | ' || nullif(detail, ''), '');
    END;
END
$$;
SELECT label, pg_temp.parse(input) AS result
FROM (VALUES
    ('valid',               'kind=sum count=2 shape=(2) values=1.5,2'),
    ('spaces around',       '  kind=min count=1 shape=() values=-0  '),
    ('empty',               ''),
    ('unknown kind',        'kind=avg count=1 shape=() values=1'),
    ('kind only',           'kind=sum'),
    ('missing count',       'kind=sum shape=() values=1'),
    ('zero count',          'kind=sum count=0 shape=() values=1'),
    ('negative count',      'kind=sum count=-1 shape=() values=1'),
    ('count past int64',    'kind=sum count=9223372036854775808 shape=() values=1'),
    ('unclosed shape',      'kind=sum count=1 shape=(2 values=1,2'),
    ('negative dimension',  'kind=sum count=1 shape=(-2) values=1,2'),
    ('nine dimensions',     'kind=sum count=1 shape=(1,1,1,1,1,1,1,1,1) values=1'),
    ('stack of rank 8',     'kind=stack count=1 shape=(1,1,1,1,1,1,1,1) values=1'),
    ('huge dimension',      'kind=sum count=1 shape=(2147483647) values=1'),
    ('huge shape',          'kind=max count=1 shape=(100000,100000) values=1'),
    ('huge stack',          'kind=stack count=100000000 shape=(1000) values=1'),
    ('huge claim, short text', 'kind=stack count=100000 shape=(1000) values=1,2,3'),
    ('not canonical',       'kind=sum count=1 shape=(0,3) values='),
    ('too few values',      'kind=sum count=1 shape=(3) values=1,2'),
    ('too many values',     'kind=sum count=1 shape=(2) values=1,2,3'),
    ('no values',           'kind=sum count=1 shape=(2) values='),
    ('empty value',         'kind=sum count=1 shape=(3) values=1,,3'),
    ('space in values',     'kind=sum count=1 shape=(2) values=1, 2'),
    ('not a number',        'kind=sum count=1 shape=(2) values=1,x'),
    ('NaN',                 'kind=sum count=1 shape=(2) values=1,NaN'),
    ('Infinity',            'kind=min count=1 shape=(2) values=1,-Infinity'),
    ('double overflow',     'kind=sum count=1 shape=(2) values=1,1e400'),
    ('float overflow',      'kind=max count=1 shape=(2) values=1,1e39'),
    ('float underflow',     'kind=max count=1 shape=(2) values=1,1e-50'),
    ('trailing garbage',    'kind=sum count=1 shape=() values=1 x'),
    ('missing values key',  'kind=sum count=1 shape=() 1')
) AS m(label, input);

-- edit(t, r1, r2, r3): t with one character replaced, deleted or inserted
CREATE FUNCTION pg_temp.edit(t text, r1 float8, r2 float8, r3 float8) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE floor(r1 * 3)::int
        WHEN 0 THEN overlay(t PLACING c FROM p FOR 1)
        WHEN 1 THEN overlay(t PLACING '' FROM p FOR 1)
        ELSE overlay(t PLACING c FROM p FOR 0) END
    FROM (SELECT floor(r2 * (length(t) + 1))::int + 1 AS p,
                 substr('0123456789,()=- .eE+xnNIk9', floor(r3 * 26)::int + 1, 1) AS c) e
$$;
-- random edits of valid states (a character replaced, deleted or inserted,
-- once or twice): each input reads or fails with a documented SQLSTATE
SELECT setseed(0.42);
CREATE TEMP TABLE st_mutants AS
WITH seeds(t) AS (VALUES
    ('kind=sum count=3 shape=(2,3) values=1,2,3,4,5,6'),
    ('kind=stack count=2 shape=(2) values=1.5,2,0.1,-3'),
    ('kind=min count=1 shape=() values=-0'),
    ('kind=max count=2 shape=(3,0) values=')),
once AS (
    SELECT i, pg_temp.edit(t, random(), random(), random()) AS t FROM seeds, generate_series(1, 300) i)
SELECT t AS input FROM once
UNION ALL
SELECT pg_temp.edit(t, random(), random(), random()) FROM once;
SELECT split_part(pg_temp.parse(input), ':', 1) AS outcome, count(*) AS inputs
FROM st_mutants GROUP BY 1 ORDER BY 1;

-- malformed binary: build a one-row COPY BINARY file around a payload
CREATE TEMP TABLE st_copy (s tensor_agg_state);
SELECT '/tmp/linal_regress_agg_state_' || pg_backend_pid() || '.copy' AS copy_file \gset
CREATE FUNCTION pg_temp.receive(payload bytea, path text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    lo oid := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
                               || '\x0001'::bytea || int4send(length(payload)) || payload
                               || '\xffff'::bytea);
    result text;
BEGIN
    PERFORM lo_export(lo, path);
    PERFORM lo_unlink(lo);
    TRUNCATE st_copy;
    EXECUTE format('COPY st_copy FROM %L WITH (FORMAT binary)', path);
    SELECT s::text INTO result FROM st_copy;
    RETURN 'ok: ' || result;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
SELECT tensor_agg_state_send('kind=sum count=2 shape=(2) values=1.5,2') AS sum_bytes,
       tensor_agg_state_send('kind=stack count=2 shape=() values=1,2') AS stack_bytes;
SELECT label, pg_temp.receive(payload, :'copy_file') AS result
FROM (VALUES
    ('valid sum',        '\x0101000000000000000200000002' || '3ff80000000000004000000000000000'::text),
    ('valid stack',      '\x04000000000000000002' || '3f80000040000000'),
    ('empty',            '\x'),
    ('short header',     '\x0101000000'),
    ('kind 0',           '\x000000000000000000013f800000'),
    ('kind 5',           '\x050000000000000000013f800000'),
    ('rank 9',           '\x02090000000000000001'),
    ('count 0',          '\x020000000000000000003f800000'),
    ('negative count',   '\x0200ffffffffffffffff3f800000'),
    ('truncated dims',   '\x0202000000000000000100000001'),
    ('negative dim',     '\x020100000000000000ffffffffff'),
    ('huge stack',       '\x04010000000005f5e100000003e83f800000'),
    ('missing values',   '\x0201000000000000000100000002' || '3f800000'),
    ('extra values',     '\x0201000000000000000100000001' || '3f8000003f800000'),
    ('NaN value',        '\x020000000000000000017fc00000'),
    ('Infinity sum',     '\x010000000000000000017ff0000000000000')
) AS m(label, hex), LATERAL (SELECT decode(substr(hex, 3), 'hex') AS payload) p;
-- random byte edits of valid binary states: each reads or fails cleanly
SELECT setseed(0.43);
SELECT split_part(pg_temp.receive(payload, :'copy_file'), ':', 1) AS outcome, count(*) AS inputs
FROM (SELECT CASE WHEN random() < 0.8
                  THEN set_byte(b, floor(random() * length(b))::int, floor(random() * 256)::int)
                  ELSE substr(b, 1, floor(random() * length(b))::int) END AS payload
      FROM (SELECT tensor_agg_state_send(s) AS b
            FROM (VALUES ('kind=sum count=3 shape=(2,3) values=1,2,3,4,5,6'::tensor_agg_state),
                         ('kind=stack count=2 shape=(2) values=1.5,2,0.1,-3'),
                         ('kind=max count=1 shape=() values=7')) AS v(s)) seeds,
           generate_series(1, 60) i) m
GROUP BY 1 ORDER BY 1;
SELECT format('cat >/dev/null; rm -f %s', :'copy_file') AS rm_command \gset
COPY (SELECT) TO PROGRAM :'rm_command';

-- parallel plans pass the states between processes in tuples; a hash
-- aggregate that spills writes them to disk; both give the serial answer
CREATE TEMP TABLE st_serial AS
SELECT i % 500 AS g, ARRAY[i % 7, (i % 11) * 0.5, i % 3]::real[]::tensor AS v FROM generate_series(1, 30000) i;
CREATE TABLE st_big AS SELECT * FROM st_serial;
ANALYZE st_big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT avg(v), stack_agg(v) FROM st_big;
CREATE TEMP TABLE st_par AS
SELECT sum(v) AS s, avg(v) AS a, min(v) AS lo, max(v) AS hi, shape(stack_agg(v)) AS sh,
       tensor_sum(stack_agg(v)) AS stacked_total FROM st_big;
SET max_parallel_workers_per_gather = 0;
SELECT p.s = q.s AND p.lo = q.lo AND p.hi = q.hi AND p.sh = q.sh AND p.stacked_total = q.stacked_total AS exact,
       norm(p.a - q.a) < 1e-6 AS avg_close
FROM st_par p, (SELECT sum(v) AS s, avg(v) AS a, min(v) AS lo, max(v) AS hi, shape(stack_agg(v)) AS sh,
                       tensor_sum(stack_agg(v)) AS stacked_total FROM st_big) q;
SET work_mem = '64kB'; SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT g, sum(v), stack_agg(v) FROM st_big GROUP BY g;
CREATE FUNCTION pg_temp.hash_batches(query text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'HashAgg Batches')::int;
END
$$;
SELECT pg_temp.hash_batches('SELECT g, sum(v), min(v), stack_agg(v) FROM st_big GROUP BY g') > 1 AS spilled;
CREATE TEMP TABLE st_hashed AS SELECT g, sum(v) AS s, min(v) AS lo, shape(stack_agg(v)) AS sh FROM st_big GROUP BY g;
RESET enable_sort; SET enable_hashagg = off;
SELECT count(*) AS groups, bool_and(h.s = q.s AND h.lo = q.lo AND h.sh = q.sh) AS same
FROM st_hashed h JOIN (SELECT g, sum(v) AS s, min(v) AS lo, shape(stack_agg(v)) AS sh FROM st_big GROUP BY g) q USING (g);
RESET enable_hashagg; RESET work_mem;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- empty groups and groups of NULLs give NULL
SELECT g, sum(v), avg(v), min(v), max(v), stack_agg(v)
FROM (VALUES (1, NULL::tensor), (1, NULL), (2, '[]'), (2, NULL)) AS x(g, v) GROUP BY g ORDER BY g;
SELECT sum(v) IS NULL AND stack_agg(v) IS NULL AS no_rows FROM st_big WHERE false;

DROP TABLE st_big;
