# linal loaded through shared_preload_libraries: the library initialises in
# the postmaster, every backend forked afterwards works, GUCs are settable in
# postgresql.conf, and a restart keeps the data readable.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('preload');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'linal'
linal.simd = 'scalar'
});
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION linal');
is($node->safe_psql('postgres', q{SELECT '[[1,2],[3,4]]'::tensor(2,2)}),
	'[[1,2],[3,4]]', 'typmod cast works with linal preloaded');
is($node->safe_psql('postgres', 'SHOW linal.simd'), 'scalar',
	'linal.simd from postgresql.conf is honoured');
is($node->safe_psql('postgres', 'SELECT linal_kernel_isa()'), 'scalar',
	'the configured kernels are active in a new backend');

# several backends at once, all forked from the preloaded postmaster
$node->safe_psql('postgres', q{
	CREATE TABLE items (id int, t tensor(3));
	INSERT INTO items SELECT i, ARRAY[i, i + 1, i + 2] FROM generate_series(1, 1000) i;
});
my @sessions;
for my $i (1 .. 4)
{
	push @sessions, $node->background_psql('postgres');
}
my $i = 0;
for my $session (@sessions)
{
	$i++;
	my $out = $session->query_safe(
		"SELECT count(DISTINCT t) FROM items WHERE t > '[$i,0,0]'");
	is($out, 1001 - $i, "concurrent backend $i reads tensors");
}
$_->quit for @sessions;

# data survives a restart
$node->restart;
is($node->safe_psql('postgres', q{SELECT t FROM items WHERE id = 7}),
	'[7,8,9]', 'tensors read back after restart');

# an unsupported value in the configuration is refused with a clear message
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', q{SET linal.simd = 'sse9'});
isnt($ret, 0, 'unknown linal.simd value is an error');
like($stderr, qr/invalid value for parameter "linal.simd"/, 'error names the GUC');

$node->stop;

# the same without preloading: linal loads on first use
my $plain = PostgreSQL::Test::Cluster->new('plain');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION linal');
is($plain->safe_psql('postgres', q{SELECT '[1,2]'::tensor::real[]}),
	'{1,2}', 'linal works when loaded on demand');
$plain->stop;

done_testing();
