# The admission queue: with linal.max_concurrent_queries = 1, queued linal
# queries run in arrival order; a waiter cancelled, timed out by
# statement_timeout or terminated in the middle of the queue leaves it
# without stalling the ones behind it; terminating the backend that holds
# the slot hands the slot on; a waiter that is slow to wake when its turn
# comes is not overtaken by a newer arrival, and passes the slot on if it
# exits before it ran; parallel workers run in their leader's slot; no
# slot leaks.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('admission_queue');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'linal'
linal.max_concurrent_queries = 1
linal.queue_timeout = 0
max_parallel_workers_per_gather = 0
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION linal');
$node->safe_psql('postgres', q{
	CREATE TABLE items AS
	SELECT id, tensor_fill(ARRAY[4], id % 100) AS v FROM generate_series(1, 1000) id;
	ANALYZE items;
	CREATE SEQUENCE turn;
	CREATE TABLE done (who text, turn bigint DEFAULT nextval('turn'));
});

sub stats
{
	my ($columns) = @_;
	return $node->safe_psql('postgres', "SELECT $columns FROM linal_stats");
}

# A linal query that records when it ran: with one slot, the order of
# "turn" is the order in which queries were admitted.
sub record_query
{
	my ($who) = @_;
	return "INSERT INTO done (who) SELECT '$who' FROM items WHERE id = 1 AND numel(v) = 4";
}

# Session that holds the slot until advisory lock 1 is free.
sub start_holder
{
	my $holder = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $holder->query_safe('SELECT pg_backend_pid()');
	$holder->query_until(qr/holding/,
		"\\echo holding\nSELECT numel(v), pg_advisory_lock_shared(1) FROM items WHERE id = 1;\n");
	$node->poll_query_until('postgres',
		"SELECT wait_event = 'advisory' FROM pg_stat_activity WHERE pid = $pid")
	  or die "holder did not take the slot";
	return ($holder, $pid);
}

# Session whose linal query is queued (waits on the extension wait event).
sub start_waiter
{
	my ($who, $setup) = @_;
	my $waiter = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $waiter->query_safe('SELECT pg_backend_pid()');
	$waiter->query_safe($setup) if defined $setup;
	$waiter->query_until(qr/queued/, "\\echo queued\n" . record_query($who) . ";\n");
	$node->poll_query_until('postgres',
		"SELECT wait_event_type = 'Extension' FROM pg_stat_activity WHERE pid = $pid")
	  or die "$who is not queued";
	return ($waiter, $pid);
}

sub turns
{
	return $node->safe_psql('postgres', q{SELECT string_agg(who, ',' ORDER BY turn) FROM done});
}

# 1. arrival order, and waiters leaving from the middle of the queue
my $controller = $node->background_psql('postgres');
$controller->query_safe('SELECT pg_advisory_lock(1)');
my ($holder, $holder_pid) = start_holder();
my @w;
for my $i (1 .. 7)
{
	my $setup = $i == 3 ? 'SET statement_timeout = 1000' : undef;
	push @w, [ start_waiter("w$i", $setup) ];
}
is(stats('active_queries'), '1', 'one query holds the slot, seven wait');

$node->safe_psql('postgres', "SELECT pg_cancel_backend($w[1][1])");
$w[1][0]->query('SELECT 1');
like($w[1][0]->{stderr}, qr/canceling statement due to user request/,
	'a waiter in the middle of the queue can be cancelled');

# w3 has waited more than its statement_timeout by now
$node->poll_query_until('postgres',
	"SELECT state = 'idle' FROM pg_stat_activity WHERE pid = $w[2][1]")
  or die "w3 did not time out";
$w[2][0]->query('SELECT 1');
like($w[2][0]->{stderr}, qr/canceling statement due to statement timeout/,
	'statement_timeout ends a wait in the queue');

$node->safe_psql('postgres', "SELECT pg_terminate_backend($w[3][1])");
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $w[3][1]")
  or die "w4 did not exit";
eval { $w[3][0]->quit };
pass('a waiter in the middle of the queue can be terminated');

my $start = time();
$controller->query_safe('SELECT pg_advisory_unlock(1)');
$holder->query_safe('SELECT 1');
for my $i (0, 4, 5, 6)
{
	$w[$i][0]->query_safe('SELECT 1');
}
my $elapsed = time() - $start;
is(turns(), 'w1,w5,w6,w7', 'the rest ran in arrival order, skipping those that left');
cmp_ok($elapsed, '<', 5, "and without stalling behind them (${elapsed}s)");
is(stats('active_queries'), '0', 'no slot held afterwards');
$_->[0]->quit for (@w[ 0, 1, 2, 4, 5, 6 ]);
$holder->quit;

# 2. terminating the backend that holds the slot hands it to the next waiter
$node->safe_psql('postgres', 'TRUNCATE done');
$controller->query_safe('SELECT pg_advisory_lock(1)');
($holder, $holder_pid) = start_holder();
my ($waiter, $waiter_pid) = start_waiter('after_holder');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($holder_pid)");
$waiter->query_safe('SELECT 1');
is(turns(), 'after_holder', 'the waiter ran once the holder was terminated');
eval { $holder->quit };
$waiter->quit;
$controller->query_safe('SELECT pg_advisory_unlock(1)');
is(stats('active_queries'), '0', 'no slot held after the holder was terminated');

# 3. a waiter keeps its turn when it is slow to wake: with the waiter
# stopped (SIGSTOP) when the slot frees, a query that arrives after it
# still waits behind it
$node->safe_psql('postgres', 'TRUNCATE done');
$controller->query_safe('SELECT pg_advisory_lock(1)');
($holder, $holder_pid) = start_holder();
($waiter, $waiter_pid) = start_waiter('first');
kill 'STOP', $waiter_pid;
$controller->query_safe('SELECT pg_advisory_unlock(1)');
$holder->query_safe('SELECT 1');
my $late = $node->background_psql('postgres', on_error_stop => 0);
my $late_pid = $late->query_safe('SELECT pg_backend_pid()');
$late->query_until(qr/sent/, "\\echo sent\n" . record_query('second') . ";\n");
# the late query either waits in the queue or has run ahead
$node->poll_query_until('postgres',
	"SELECT wait_event_type = 'Extension' OR state = 'idle' FROM pg_stat_activity WHERE pid = $late_pid")
  or die "the late query neither waits nor ran";
kill 'CONT', $waiter_pid;
$waiter->query_safe('SELECT 1');
$late->query_safe('SELECT 1');
is(turns(), 'first,second', 'the query that came later did not take the slot first');
is(stats('active_queries'), '0', 'no slot held afterwards');
$waiter->quit;
$late->quit;
$holder->quit;

# 3b. a waiter that exits after it was handed the slot, before it ran,
# passes the slot on to the next waiter
$node->safe_psql('postgres', 'TRUNCATE done');
$controller->query_safe('SELECT pg_advisory_lock(1)');
($holder, $holder_pid) = start_holder();
($waiter, $waiter_pid) = start_waiter('handed');
my ($next, $next_pid) = start_waiter('next');
kill 'STOP', $waiter_pid;
$controller->query_safe('SELECT pg_advisory_unlock(1)');
$holder->query_safe('SELECT 1');
# the slot is now the stopped waiter's; terminate it
$node->safe_psql('postgres', "SELECT pg_terminate_backend($waiter_pid)");
kill 'CONT', $waiter_pid;
$next->query_safe('SELECT 1');
is(turns(), 'next', 'the slot of a waiter that exited went to the next one');
is(stats('active_queries'), '0', 'no slot held afterwards');
eval { $waiter->quit };
$next->quit;
$holder->quit;

# 4. parallel workers run in their leader's slot: with one slot, a
# parallel linal query neither waits for itself nor counts twice
$node->safe_psql('postgres', q{
	CREATE TABLE wide AS SELECT id, tensor_fill(ARRAY[4], id % 100) AS v
	FROM generate_series(1, 100000) id;
	ANALYZE wide;
});
my $parallel = q{
	SET max_parallel_workers_per_gather = 2;
	SET parallel_setup_cost = 0;
	SET parallel_tuple_cost = 0;
	SET min_parallel_table_scan_size = 0;
	SET linal.batched_execution = off;
	SET linal.queue_timeout = 3000;
};
like($node->safe_psql('postgres', $parallel
	  . q{EXPLAIN (COSTS OFF) SELECT count(*) FROM wide WHERE v <-> '[1,1,1,1]' < 1}),
	qr/Workers Planned/, 'the test query is a parallel plan');
$start = time();
my ($ret, $stdout, $stderr) = $node->psql('postgres', $parallel
	  . q{SELECT count(*) FROM wide WHERE v <-> '[1,1,1,1]' < 1});
$elapsed = time() - $start;
is($stdout, '1000', 'a parallel linal query runs with one slot');
is($stderr, '', 'without a queue timeout in its workers');
cmp_ok($elapsed, '<', 2.5, "and without waiting for itself (${elapsed}s)");
is(stats('active_queries'), '0', 'no slot held afterwards');

$controller->quit;
$node->stop;
done_testing();
