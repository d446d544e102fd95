# Admission control and statistics with concurrent sessions: a query beyond
# linal.max_concurrent_queries waits, then fails with 53000 after
# linal.queue_timeout; a waiting query starts as soon as a slot frees; no
# slot leaks after an error, a cancel or a kill -9 of a waiting backend;
# a batched scan stops soon after statement_timeout; linal_stats adds up
# under concurrent load; a statement that does linal work only inside
# functions or DO blocks takes one slot and counts once; a session's open
# cursor does not make its next statement wait for itself; parallel
# workers run in their leader's slot.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('admission');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'linal'
linal.max_concurrent_queries = 1
linal.queue_timeout = 1000
max_parallel_workers_per_gather = 0
restart_after_crash = on
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION linal');
$node->safe_psql('postgres', q{
	CREATE TABLE items AS
	SELECT id, tensor_fill(ARRAY[4], id % 100) AS v FROM generate_series(1, 1000) id;
	ANALYZE items;
});

# a linal query that holds its slot for a while (pg_sleep in the target
# list runs once per row of a 1-row result)
my $hold = q{SELECT numel(v), pg_sleep(%s) FROM items WHERE id = 1};
my $probe = q{SELECT count(*) FROM items WHERE v <-> '[1,1,1,1]' < 1};

sub stats
{
	my ($columns) = @_;
	return $node->safe_psql('postgres', "SELECT $columns FROM linal_stats");
}

# Waits until a holder started in the background has its slot: a fixed
# sleep is too short on a loaded machine, and then the probe gets the slot.
sub wait_for_holder
{
	$node->poll_query_until('postgres', 'SELECT active_queries >= 1 FROM linal_stats')
	  or die 'the holder never took its slot';
}

# 1. a second query waits, then times out with 53000
$node->safe_psql('postgres', 'SELECT linal_stats_reset()');
my $holder = $node->background_psql('postgres', on_error_stop => 0);
$holder->query_until(qr/holding/, "\\echo holding\n" . sprintf($hold, 3) . ";\n");
wait_for_holder();
is(stats('active_queries'), '1', 'the holder has the one slot');
my $start = time();
my ($ret, $stdout, $stderr) = $node->psql('postgres', $probe,
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
my $waited = time() - $start;
like($stderr, qr/53000/, 'a query beyond the limit fails with 53000');
like($stderr, qr/linal.max_concurrent_queries/, 'the error names the setting');
cmp_ok($waited, '>=', 0.9, "it waited for the queue timeout (${waited}s)");
cmp_ok($waited, '<', 2.5, "and not much longer (${waited}s)");
is($node->safe_psql('postgres', 'SELECT count(*) FROM items WHERE id < 5'), '4',
	'queries without linal work do not wait');

# 2. a waiting query starts when the slot frees
$node->safe_psql('postgres', 'ALTER SYSTEM SET linal.queue_timeout = 0');
$node->reload;
$holder->query_safe('SELECT 1');	# the first hold has ended
$holder->query_until(qr/holding/, "\\echo holding\n" . sprintf($hold, 1.5) . ";\n");
wait_for_holder();
$start = time();
is($node->safe_psql('postgres', $probe), '10', 'the waiting query runs after the holder');
my $elapsed = time() - $start;
cmp_ok($elapsed, '>=', 0.8, "it waited for the holder (${elapsed}s)");
cmp_ok($elapsed, '<', 10, "and started when the slot freed (${elapsed}s)");
$holder->query_safe('SELECT 1');

# 3. no slot leaks after an error or a cancel
$holder->query(q{SELECT '[1,2]'::tensor + '[1,2,3]'});
is($node->safe_psql('postgres', $probe), '10', 'slot given back after an error');
my $waiter = $node->background_psql('postgres', on_error_stop => 0);
my $waiter_pid = $waiter->query_safe('SELECT pg_backend_pid()');
$holder->query_until(qr/holding/, "\\echo holding\n" . sprintf($hold, 2) . ";\n");
wait_for_holder();
$waiter->query_until(qr/waiting/, "\\echo waiting\n$probe;\n");
usleep(300_000);
$node->safe_psql('postgres', "SELECT pg_cancel_backend($waiter_pid)");
$waiter->query('SELECT 1');
like($waiter->{stderr}, qr/canceling statement/, 'a waiting query can be cancelled');
$holder->query('SELECT 1');
is(stats('active_queries'), '0', 'no slot held after the holder ended and the waiter was cancelled');
$waiter->quit;

# 4. kill -9 of a waiting backend: the server restarts, the slot is not lost
$holder->query_until(qr/holding/, "\\echo holding\n" . sprintf($hold, 3) . ";\n");
wait_for_holder();
$waiter = $node->background_psql('postgres', on_error_stop => 0);
$waiter_pid = $waiter->query_safe('SELECT pg_backend_pid()');
$waiter->query_until(qr/waiting/, "\\echo waiting\n$probe;\n");
usleep(300_000);
kill 'KILL', $waiter_pid;
eval { $waiter->quit };
eval { $holder->quit };
# wait for the crash restart to finish
$node->poll_query_until('postgres', 'SELECT 1', '1');
is(stats('active_queries'), '0', 'after kill -9 and restart no slot is held');
$start = time();
is($node->safe_psql('postgres', $probe), '10', 'a linal query runs at once after the restart');
cmp_ok(time() - $start, '<', 1, 'without waiting');

# 5. statement_timeout stops a batched scan over many rows
$node->safe_psql('postgres', q{
	CREATE TABLE many AS SELECT id, tensor_fill(ARRAY[2], id % 1000) AS v
	FROM generate_series(1, 2000000) id;
	ANALYZE many;
});
my $plan = $node->safe_psql('postgres',
	q{EXPLAIN (COSTS OFF) SELECT id FROM many ORDER BY v <-> '[1,1]' LIMIT 5});
like($plan, qr/LinalBatchScan/, 'the long query is a batched scan');
$start = time();
($ret, $stdout, $stderr) = $node->psql('postgres',
	q{SET statement_timeout = 100; SELECT id FROM many ORDER BY v <-> '[1,1]' LIMIT 5},
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
$elapsed = time() - $start;
like($stderr, qr/57014/, 'statement_timeout cancels the batched scan');
cmp_ok($elapsed, '<', 1.1, "within a second of the timeout (${elapsed}s)");
is(stats('active_queries'), '0', 'the cancelled scan gave its slot back');

# 6. statistics under concurrent load: 4 clients x 25 queries, limit 2
$node->safe_psql('postgres', 'ALTER SYSTEM SET linal.max_concurrent_queries = 2');
$node->reload;
$node->safe_psql('postgres', 'SELECT linal_stats_reset()');
$node->pgbench(
	'--no-vacuum --client=4 --transactions=25',
	0,
	[qr{processed: 100/100}],
	[qr{^$}],
	'pgbench: 100 linal queries from 4 clients',
	{
		'030_admission_knn' => q{SELECT id FROM items ORDER BY v <-> '[5,5,5,5]' LIMIT 3;}
	});
is(stats('queries, batched_scans, active_queries, queue_timeouts'), '100|100|0|0',
	'linal_stats counted every query, all batched, none left active');
cmp_ok(stats('latency_p99_ms'), '>=', stats('latency_p50_ms'), 'p99 >= p50');

# 7. linal work inside functions: the statement holds one slot while it
# runs and is counted once, though its own plan has no linal work
$node->safe_psql('postgres', q{
	ALTER SYSTEM SET linal.max_concurrent_queries = 1;
	ALTER SYSTEM SET linal.queue_timeout = 1000;
});
$node->reload;
$node->safe_psql('postgres', q{
	CREATE FUNCTION hold_in_function(s float8) RETURNS bigint LANGUAGE plpgsql AS $$
	DECLARE t tensor;
	BEGIN
		t := tensor_fill('{4}', s);
		PERFORM pg_sleep(s);
		RETURN numel(t);
	END $$;
	CREATE FUNCTION three_queries() RETURNS bigint LANGUAGE plpgsql AS $$
	DECLARE n bigint := 0;
	BEGIN
		FOR i IN 1..3 LOOP
			n := n + (SELECT count(*) FROM items WHERE v <-> '[1,1,1,1]' < 1);
		END LOOP;
		RETURN n;
	END $$;
	CREATE PROCEDURE three_in_procedure() LANGUAGE plpgsql AS $$
	BEGIN
		PERFORM three_queries();
	END $$;
	CREATE FUNCTION active_inside() RETURNS int LANGUAGE plpgsql AS $$
	DECLARE t tensor := tensor_fill('{4}', 1);
	BEGIN
		RETURN (SELECT active_queries FROM linal_stats);
	END $$;
});
is($node->safe_psql('postgres', 'SELECT active_inside()'), '1',
	'a statement doing linal work in a function holds a slot while it runs');
$holder = $node->background_psql('postgres', on_error_stop => 0);
foreach my $case ([ 'a function', 'SELECT hold_in_function(3)' ],
	[ 'a DO block', q{DO $$ DECLARE t tensor := tensor_fill('{4}', 1); BEGIN PERFORM pg_sleep(3); END $$} ])
{
	my ($name, $sql) = @$case;
	$holder->query_until(qr/holding/, "\\echo holding\n$sql;\n");
	wait_for_holder();
	is(stats('active_queries'), '1', "linal work in $name takes the one slot");
	($ret, $stdout, $stderr) = $node->psql('postgres', $probe,
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	like($stderr, qr/53000/, "a linal query waits for the statement with $name, then times out");
	$holder->query_safe('SELECT 1');
	is(stats('active_queries'), '0', "the slot is free after $name");
}
# a function that catches the timeout waits again at its next linal work
$node->safe_psql('postgres', q{
	CREATE FUNCTION sneak(x float8) RETURNS text LANGUAGE plpgsql AS $$
	DECLARE t tensor;
	BEGIN
		BEGIN
			t := tensor_fill('{4}', x);
		EXCEPTION WHEN insufficient_resources THEN
			NULL;
		END;
		t := tensor_fill('{4}', x + 1);
		RETURN 'ran without a slot';
	END $$;
});
$holder->query_until(qr/holding/, "\\echo holding\nSELECT hold_in_function(3);\n");
wait_for_holder();
($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT sneak(1)',
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($stderr, qr/53000/, 'catching the timeout does not let a function go on without a slot');
unlike($stdout, qr/without a slot/, 'the function did not finish');
$holder->query_safe('SELECT 1');
$holder->quit;
$node->safe_psql('postgres', 'SELECT linal_stats_reset()');
is($node->safe_psql('postgres', 'SELECT three_queries()'), '30', 'three inner linal queries');
$node->safe_psql('postgres', 'DO $$ BEGIN PERFORM three_queries(); END $$');
$node->safe_psql('postgres', 'CALL three_in_procedure()');
is(stats('queries, plain_scans + batched_scans, active_queries'), '3|3|0',
	'a SELECT, a DO and a CALL running three linal queries each count as three statements');

# 8. an open cursor holds the session's slot; the session's next linal
# statement runs in it instead of waiting for itself
($ret, $stdout, $stderr) = $node->psql('postgres', qq{
	BEGIN;
	DECLARE c CURSOR FOR SELECT id FROM items ORDER BY v <-> '[1,1,1,1]' LIMIT 3;
	FETCH 1 FROM c;
	$probe;
	SELECT active_queries FROM linal_stats;
	COMMIT;
}, extra_params => [ '-v', 'VERBOSITY=verbose' ]);
is($ret, 0, 'a linal query next to an open linal cursor runs') or diag($stderr);
like($stdout, qr/^\d+\n10\n1$/, 'in the cursor\'s slot');
is(stats('active_queries'), '0', 'the slot is free after the transaction');

# 9. a parallel plan: the workers run in the leader's slot (with one slot
# they would otherwise wait for it until the queue timeout) and the query
# counts once
$node->safe_psql('postgres', 'SELECT linal_stats_reset()');
my $parallel = q{
	SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0;
	SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
	SET parallel_leader_participation = off; SET linal.batched_execution = off;
};
like($node->safe_psql('postgres', "$parallel EXPLAIN (COSTS OFF) $probe"),
	qr/Workers Planned: 2/, 'the probe has a parallel plan');
($ret, $stdout, $stderr) = $node->psql('postgres',
	"$parallel EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) $probe",
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
is($ret, 0, 'a parallel linal query runs with one slot') or diag($stderr);
like($stdout, qr/Workers Launched: [12]/, 'with its workers');
is(stats('queries, active_queries, queue_waits'), '1|0|0',
	'it counts once and nothing waited');

$node->stop;
done_testing();
