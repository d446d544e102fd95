# The batched scan's plan node as other extensions see it.  Citus reads the
# first element of every CustomScan's custom_private as a Node pointer; an
# integer there crashed a coordinator running a statement that mixed a
# distributed table with a LinalBatchScan.  Citus is not installed here, so
# the test reads the plan as Postgres writes it (debug_print_plan, the
# node-to-text writer): custom_private must be a list of nodes, "((i ...))",
# never "(i ...)".  The plan must also survive being copied (plan cache,
# generic plans, PL/pgSQL) and EXPLAIN VERBOSE, with the same answers.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('plan_nodes');
$node->init;
$node->append_conf('postgresql.conf', "max_parallel_workers_per_gather = 0\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION linal;
	CREATE TABLE items AS
	SELECT id, tensor_fill(ARRAY[8], id * 0.01) AS v FROM generate_series(1, 2000) id;
	ANALYZE items;
});

my $order = q{SELECT id FROM items ORDER BY v <-> tensor_fill('{8}', 3) LIMIT 3};
my $filter = q{SELECT count(*) FROM items WHERE v <-> tensor_fill('{8}', 3) < 10};
# the shape of the issue's statement, with a local table in both halves
my $mixed = q{SELECT (SELECT count(*) FROM items WHERE v <-> tensor_fill('{8}', 3) < 10),
	(SELECT max(id) FROM items WHERE v <#> tensor_fill('{8}', 1) < -70)};

foreach my $case ([ 'order by ... limit', $order ], [ 'distance filter', $filter ],
	[ 'two scans in one statement', $mixed ])
{
	my ($name, $sql) = @$case;
	like($node->safe_psql('postgres', "EXPLAIN (COSTS OFF) $sql"),
		qr/LinalBatchScan/, "$name: the plan uses the batched scan");
	my ($ret, $stdout, $stderr) = $node->psql('postgres',
		"SET debug_print_plan = on; SET client_min_messages = log; $sql");
	is($ret, 0, "$name: runs with the plan printed");
	my @private = ($stderr =~ /:custom_private\s+(\S+)/g);
	ok(scalar(@private) > 0, "$name: the printed plan has custom_private");
	my @bare = grep { !/^\(\(/ } @private;
	is(scalar(@bare), 0,
		"$name: every element of custom_private is a node (found: @private)");
}

# copies of the plan: generic plans from the plan cache, PL/pgSQL's cached
# plans, EXPLAIN VERBOSE; each gives the answer of the plain plan
my $expected_order = $node->safe_psql('postgres',
	"SET linal.batched_execution = off; $order");
my $expected_filter = $node->safe_psql('postgres',
	"SET linal.batched_execution = off; $filter");
my $out = $node->safe_psql('postgres', qq{
	SET plan_cache_mode = force_generic_plan;
	PREPARE o(tensor) AS SELECT id FROM items ORDER BY v <-> \$1 LIMIT 3;
	PREPARE f(tensor, float8) AS SELECT count(*) FROM items WHERE v <-> \$1 < \$2;
	EXECUTE o(tensor_fill('{8}', 3)); EXECUTE o(tensor_fill('{8}', 3));
	EXECUTE f(tensor_fill('{8}', 3), 10); EXECUTE f(tensor_fill('{8}', 3), 10);
	EXPLAIN (COSTS OFF) EXECUTE o(tensor_fill('{8}', 3));
});
like($out, qr/LinalBatchScan/, 'the generic plan uses the batched scan');
like($out, qr/^\Q$expected_order\E\n\Q$expected_order\E\n\Q$expected_filter\E\n\Q$expected_filter\E\n/,
	'generic plans run twice give the plain plan\'s answers');
$out = $node->safe_psql('postgres', q{
	CREATE FUNCTION near_count(q tensor, r float8) RETURNS bigint LANGUAGE plpgsql AS $$
	BEGIN
		RETURN (SELECT count(*) FROM items WHERE v <-> q < r);
	END $$;
	SELECT near_count(tensor_fill('{8}', 3), 10), near_count(tensor_fill('{8}', 3), 10),
		near_count(tensor_fill('{8}', 3), 10);
});
is($out, join('|', ($expected_filter) x 3), 'PL/pgSQL\'s cached plan runs again');
$out = $node->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $mixed");
is(() = ($out =~ /LinalBatchScan/g), 2, 'EXPLAIN VERBOSE shows both scans');

$node->stop;
done_testing();
