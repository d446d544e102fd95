# OpenBLAS with linal in shared_preload_libraries: the postmaster never loads
# OpenBLAS (no threads before fork), backends load it on their first matrix
# product with linal.blas_threads threads, and products in several backends
# at once neither hang nor disagree.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('blas');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'linal'
linal.blas_threads = 2
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION linal');

sub thread_count
{
	my ($pid) = @_;
	opendir(my $dir, "/proc/$pid/task") or return -1;
	my @tasks = grep { /^\d+$/ } readdir($dir);
	closedir($dir);
	return scalar @tasks;
}

sub maps_openblas
{
	my ($pid) = @_;
	open(my $fh, '<', "/proc/$pid/maps") or return 0;
	my $found = grep { /openblas/ } <$fh>;
	close($fh);
	return $found ? 1 : 0;
}

my $postmaster = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'});
# the postmaster is the parent of every backend
open(my $stat, '<', "/proc/$postmaster/stat") or die "no /proc/$postmaster/stat";
my @fields = split ' ', <$stat>;
close($stat);
my $postmaster_pid = $fields[3];
is(thread_count($postmaster_pid), 1, 'the postmaster has a single thread');
is(maps_openblas($postmaster_pid), 0, 'the postmaster has not loaded OpenBLAS');

my $session = $node->background_psql('postgres');
my $pid = $session->query_safe('SELECT pg_backend_pid()');
is(maps_openblas($pid), 0, 'a backend loads OpenBLAS only when it needs it');
$session->query_safe(q{
	CREATE TABLE mats AS
	SELECT reshape(array_agg(((i * 7919) % 201 - 100) / 25.0 ORDER BY i)::real[]::tensor, '{512,512}') AS m
	FROM generate_series(1, 512 * 512) i
});
my $reference = $session->query_safe('SELECT tensor_sum(m @ m) FROM mats');
is(maps_openblas($pid), 1, 'the first product loads OpenBLAS');
is(thread_count($pid), 2, 'with linal.blas_threads = 2 the backend runs 2 threads');
$session->query_safe('SET linal.blas_threads = 1');
is($session->query_safe('SHOW linal.blas_threads'), '1', 'the thread count follows SET');
is($session->query_safe("SELECT abs(tensor_sum(m @ m) - $reference) < 1e-3 FROM mats"), 't',
	'one thread computes the same product, up to rounding');
$session->quit;

# several backends at once, all forked from the preloaded postmaster
my @sessions = map { $node->background_psql('postgres', timeout => 120) } 1 .. 3;
# start all products, then collect: they run at the same time
$_->query_until(qr/sent/, "\\echo sent\nSELECT tensor_sum(m @ m @ m) FROM mats;\n")
  for @sessions;
# each answer comes after the output of the product started above
my @results = map {
	(split /\n/, $_->query_safe("SELECT abs(tensor_sum(m @ m) - $reference) < 1e-3 FROM mats"))[-1]
} @sessions;
is_deeply(\@results, [ ('t') x 3 ],
	'concurrent backends compute the same product, none hangs');
$_->quit for @sessions;

$node->stop;
done_testing();
