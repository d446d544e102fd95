# statement_timeout and pg_cancel_backend stop long linal work within a
# second: a 4096x4096 matrix product (interruptible OpenBLAS panels),
# element-wise work on 100M-element tensors (chunked kernels) and a
# reduction along an axis.  Afterwards the session works and its memory is
# back.  Also work at the element limit that needs huge allocations.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('cancel');
$node->init;
$node->append_conf('postgresql.conf', "max_parallel_workers_per_gather = 0\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION linal');
$node->safe_psql('postgres',
	q{CREATE TABLE big_matrix AS SELECT tensor_fill('{4096,4096}', 0.5) AS m});

# Runs $sql with statement_timeout = $timeout_ms; returns (seconds, stderr).
sub timed_out
{
	my ($sql, $timeout_ms) = @_;
	my $start = time();
	my ($ret, $stdout, $stderr) = $node->psql('postgres',
		"SET statement_timeout = $timeout_ms; $sql",
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	return (time() - $start, $stderr);
}

# generous bounds: the machine may be a loaded 2-core VM
my ($seconds, $stderr) =
  timed_out('SELECT tensor_sum(m @ m) FROM big_matrix', 500);
like($stderr, qr/57014/, 'matmul 4096: statement_timeout raises 57014');
cmp_ok($seconds, '<', 0.5 + 2.5, "matmul 4096 stops soon after the timeout (${seconds}s)");

# (the shape depends on g so that every row does the work: with constants
# the planner folds the whole expression once, in about the 3 s of the
# timeout, and the test passed or failed with the machine's speed)
($seconds, $stderr) = timed_out(q{
	SELECT tensor_sum(t * 2.0 + t)
	FROM generate_series(1, 200) g,
		LATERAL (SELECT tensor_fill(ARRAY[100000000 + g - g], 1) AS t) s
}, 3000);
like($stderr, qr/57014/, 'element-wise on 100M elements: statement_timeout raises 57014');
cmp_ok($seconds, '<', 3.0 + 2.5, "element-wise work stops soon after the timeout (${seconds}s)");

# stdev along the leading axis walks the columns; each row of a block of
# columns is an interruptible step whatever the shape (an (8192,16384)
# matrix used to take 3-4 s between two checks)
($seconds, $stderr) = timed_out(q{
	SELECT numel(stdev(tensor_fill(ARRAY[8192, 16384 + g - g], 1), 1))
	FROM generate_series(1, 100) g
}, 500);
like($stderr, qr/57014/, 'stdev along an axis: statement_timeout raises 57014');
cmp_ok($seconds, '<', 0.5 + 2.5, "stdev along an axis stops soon after the timeout (${seconds}s)");

# a tensor at the element limit is one element too many for an array: a
# clear 54000 before any allocation (it used to be an internal error, from
# palloc of one Datum per element)
my ($ret, $stdout);
($ret, $stdout, $stderr) = $node->psql('postgres',
	q{SELECT array_length(tensor_fill('{134217728}', 1)::real[], 1)},
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($stderr, qr/54000: tensor of 134217728 elements cannot become an array/,
	'a tensor of 2^27 elements refused as an array with 54000');
is($node->safe_psql('postgres',
		q{SELECT array_length(tensor_fill('{134217727}', 1)::real[], 1)}),
	'134217727', 'one element less casts to real[]');

# pg_cancel_backend from another session, and memory afterwards
my $session = $node->background_psql('postgres', on_error_stop => 0);
my $pid = $session->query_safe('SELECT pg_backend_pid()');
my $before = $session->query_safe(
	'SELECT sum(total_bytes) FROM pg_backend_memory_contexts');
$session->query_until(qr/started/, q{
\echo started
SELECT tensor_sum(m @ m @ m) FROM big_matrix;
});
usleep(700_000);
my $cancel_time = time();
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
# the cancelled statement's error goes to stderr; the next query answers
my $after = $session->query(
	'SELECT sum(total_bytes) FROM pg_backend_memory_contexts');
my $stopped = time() - $cancel_time;
cmp_ok($stopped, '<', 2.5, "pg_cancel_backend stops a matmul chain (${stopped}s)");
like($session->{stderr}, qr/canceling statement due to user request/,
	'the cancelled query reports the cancel');
cmp_ok(abs($after - $before), '<', 4 * 1024 * 1024,
	"backend memory is back after the cancel ($before -> $after bytes)");
is($session->query(q{SELECT '[1,2]'::tensor + '[3,4]'}), '[4,6]',
	'the session still works');
$session->quit;

$node->stop;
done_testing();
