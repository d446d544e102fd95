# Asking for kernels the CPU lacks is an error, and "auto" falls back to the
# best remaining family.  LINAL_SIMD_DISABLE hides ISAs this CPU has, so the
# paths of older CPUs are tested on any machine.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('nosimd');
$node->init;
{
	local $ENV{LINAL_SIMD_DISABLE} = 'avx2';
	$node->start;
}
$node->safe_psql('postgres', 'CREATE EXTENSION linal');

is($node->safe_psql('postgres', 'SELECT linal_supported_isas()'),
	'{scalar}', 'only scalar kernels are listed');
is($node->safe_psql('postgres', 'SELECT linal_kernel_isa()'),
	'scalar', 'auto falls back to scalar');
is($node->safe_psql('postgres', q{SELECT dot('[1,2,3]', '[4,5,6]')}),
	'32', 'the scalar kernels compute');

for my $isa ('avx2', 'avx512')
{
	my ($ret, $stdout, $stderr) =
	  $node->psql('postgres', "SELECT linal_kernel_isa(); SET linal.simd = $isa");
	isnt($ret, 0, "SET linal.simd = $isa fails without $isa");
	like(
		$stderr,
		qr/invalid value for parameter "linal\.simd".*\n.*DETAIL:  This CPU does not support the $isa instructions\./,
		"the error says the CPU lacks $isa");
}

# in postgresql.conf the same setting keeps the server from starting a
# session with it: the value is refused and the default stays
$node->append_conf('postgresql.conf', "linal.simd = 'avx512'");
$node->stop;
{
	local $ENV{LINAL_SIMD_DISABLE} = 'avx512';
	$node->start;
}
my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'SELECT linal_kernel_isa()');
is($ret, 0, 'sessions still work with an unsupported linal.simd in the file');
isnt($stdout, 'avx512', 'the unsupported family is not used');
like(slurp_file($node->logfile), qr/invalid value for parameter "linal\.simd": "avx512"/,
	'the refused setting is logged');

$node->stop;
done_testing();
