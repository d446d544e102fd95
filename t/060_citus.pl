# linal on Citus: a coordinator and two workers (a third added late), all
# on the TAP framework's unix socket directory.  Skipped when the citus
# extension is not installed (linal's CI has no Citus package; this ran
# against Citus 13.2.2 built from source for PostgreSQL 15).
# Checks: CREATE EXTENSION linal on the coordinator reaches the workers, also
# one added later; sum/avg/min/max/stack_agg GROUP BY a non-distribution
# column run partially on the shards (worker_partial_agg, tensor_agg_state as
# text) and are combined on the coordinator (coord_combine_agg, i.e. linal's
# combine function), with the local answers; ordered stack_agg and GROUP BY
# the distribution column are not split; kNN with ORDER BY <-> LIMIT is
# pushed to the shards (exact, or by each shard's linal_hnsw index) and
# merged; a statement mixing a distributed table with a local table read by
# LinalBatchScan runs (it crashed the coordinator while custom_private held
# bare integers); which ways of setting a linal GUC reach the workers.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $probe = PostgreSQL::Test::Cluster->new('citus_probe');
$probe->init;
$probe->start;
my $available = $probe->safe_psql('postgres',
	q{SELECT count(*) FROM pg_available_extensions WHERE name = 'citus'});
$probe->stop;
plan skip_all => 'citus is not installed' if $available ne '1';

my @nodes;
for my $name (qw(coordinator worker1 worker2))
{
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'citus,linal'
max_parallel_workers_per_gather = 0
});
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	push @nodes, $node;
}
my ($coordinator, @workers) = @nodes;

# The TAP nodes listen on a unix socket only (listen_addresses = ''), all
# in one socket directory: register the nodes by that directory as host,
# which libpq takes as a socket path.
$coordinator->safe_psql('postgres', sprintf(
	q{SELECT citus_set_coordinator_host('%s', %d)},
	$coordinator->host, $coordinator->port));
for my $worker (@workers)
{
	$coordinator->safe_psql('postgres', sprintf(q{SELECT citus_add_node('%s', %d)},
		$worker->host, $worker->port));
}
$coordinator->safe_psql('postgres', 'CREATE EXTENSION linal');
for my $worker (@workers)
{
	is($worker->safe_psql('postgres',
			q{SELECT count(*) FROM pg_extension WHERE extname = 'linal'}),
		'1', 'CREATE EXTENSION linal reached ' . $worker->name);
}

$coordinator->safe_psql('postgres', q{
	CREATE TABLE items (id int, g int, v tensor);
	SELECT create_distributed_table('items', 'id');
	INSERT INTO items
	SELECT i, i % 7, ARRAY[i % 5, (i % 11) * 0.5, i % 3]::real[]::tensor
	FROM generate_series(1, 5000) i;
	CREATE TABLE items_local AS SELECT * FROM items;
});

# aggregates: partial on the shards, combined on the coordinator, with a
# group key that is not the distribution column
my $explain = $coordinator->safe_psql('postgres',
	q{EXPLAIN (VERBOSE, COSTS OFF) SELECT g, avg(v) FROM items GROUP BY g});
note("EXPLAIN (VERBOSE, COSTS OFF) SELECT g, avg(v) FROM items GROUP BY g:\n$explain");
like($explain, qr/worker_partial_agg\('public\.avg\(public\.tensor\)'::regprocedure/,
	'avg(v) GROUP BY g aggregates partially on the shards');
my $avg_oid = $coordinator->safe_psql('postgres', q{SELECT 'avg(tensor)'::regprocedure::oid});
like($explain, qr/coord_combine_agg\('$avg_oid'::oid, remote_scan\.avg/,
	'and combines the states on the coordinator');
# the combine step is the aggregate's own combine function: linal's
is($coordinator->safe_psql('postgres', q{
	SELECT string_agg(DISTINCT aggcombinefn::text, ',')
	FROM pg_aggregate
	WHERE aggfnoid IN ('avg(tensor)'::regprocedure, 'sum(tensor)'::regprocedure,
		'min(tensor)'::regprocedure, 'max(tensor)'::regprocedure)}),
	'tensor_agg_combine', 'sum/avg/min/max combine with tensor_agg_combine');
is($coordinator->safe_psql('postgres',
		q{SELECT aggcombinefn::text FROM pg_aggregate WHERE aggfnoid = 'stack_agg(tensor)'::regprocedure}),
	'tensor_stack_combine', 'stack_agg combines with tensor_stack_combine');

for my $agg (qw(sum avg min max stack_agg))
{
	like($coordinator->safe_psql('postgres',
			"EXPLAIN (VERBOSE, COSTS OFF) SELECT g, $agg(v) FROM items GROUP BY g"),
		qr/worker_partial_agg\('public\.$agg\(public\.tensor\)'/,
		"$agg(v) GROUP BY g runs partially on the shards");
}
for my $agg (qw(sum avg min max))
{
	my $distributed = $coordinator->safe_psql('postgres',
		"SELECT g, $agg(v)::text FROM items GROUP BY g ORDER BY g");
	my $local = $coordinator->safe_psql('postgres',
		"SELECT g, $agg(v)::text FROM items_local GROUP BY g ORDER BY g");
	is($distributed, $local, "$agg(v) GROUP BY g on the shards gives the local answer");
}
# grouped by the distribution column the whole aggregate runs on the shards
my $by_id = $coordinator->safe_psql('postgres',
	q{EXPLAIN (VERBOSE, COSTS OFF) SELECT id, avg(v) FROM items GROUP BY id});
like($by_id, qr/Query: SELECT id, public\.avg\(v\) AS avg FROM .* GROUP BY id/,
	'avg(v) GROUP BY the distribution column runs whole on the shards');
unlike($by_id, qr/worker_partial_agg/, 'with no partial state');
# an ordered stack_agg is computed on the coordinator from the rows
my $ordered = $coordinator->safe_psql('postgres',
	q{EXPLAIN (VERBOSE, COSTS OFF) SELECT g, stack_agg(v ORDER BY id) FROM items GROUP BY g});
unlike($ordered, qr/worker_partial_agg/, 'stack_agg(v ORDER BY id) is not split');
like($ordered, qr/Output: remote_scan\.g, stack_agg\(remote_scan\.stack_agg ORDER BY remote_scan\.stack_agg_1\)/,
	'but computed on the coordinator from the rows');
is($coordinator->safe_psql('postgres',
		q{SELECT g, stack_agg(v ORDER BY id)::text FROM items GROUP BY g ORDER BY g}),
	$coordinator->safe_psql('postgres',
		q{SELECT g, stack_agg(v ORDER BY id)::text FROM items_local GROUP BY g ORDER BY g}),
	'with the local answer');
# a moving window frame not partitioned by the distribution column
my $window = q{SELECT id, sum(v) OVER (ORDER BY id ROWS 3 PRECEDING)::text FROM %s ORDER BY id};
my ($wret, $wout, $werr) = $coordinator->psql('postgres', sprintf($window, 'items'));
like($coordinator->safe_psql('postgres', "EXPLAIN (COSTS OFF) " . sprintf($window, 'items')),
	qr/WindowAgg.*Custom Scan \(Citus Adaptive\)/s,
	'a moving window frame runs on the coordinator over the shards\' rows');
is($wret, 0, 'the moving window frame runs');
is($wout, $coordinator->safe_psql('postgres', sprintf($window, 'items_local')),
	'sum(v) OVER (ORDER BY id ROWS 3 PRECEDING) gives the local answer');
# stack_agg's row order follows the shards: compare the sorted rows
my $stacked_rows = q{
	SELECT g, string_agg(a[i:i][1:3]::text, ';' ORDER BY a[i:i][1:3]::text)
	FROM (SELECT g, stack_agg(v)::real[] AS a FROM %s GROUP BY g) s,
		generate_series(1, array_length(a, 1)) i
	GROUP BY g ORDER BY g};
my $stacked = $coordinator->safe_psql('postgres', sprintf($stacked_rows, 'items'));
is($stacked, $coordinator->safe_psql('postgres', sprintf($stacked_rows, 'items_local')),
	'stack_agg(v) GROUP BY g over the shards holds the local rows');
is($coordinator->safe_psql('postgres', q{SELECT shape(stack_agg(v)) FROM items}),
	'{5000,3}', 'stack_agg over the shards holds every row once');

# kNN: ORDER BY distance LIMIT per shard, merged on the coordinator
my $knn = q{SELECT id FROM %s ORDER BY v <-> '[1,1,1]', id LIMIT 10};
is($coordinator->safe_psql('postgres', sprintf($knn, 'items')),
	$coordinator->safe_psql('postgres', sprintf($knn, 'items_local')),
	'exact kNN over the shards gives the local answer');

# kNN through a linal_hnsw index: one index per shard, each shard returns
# its nearest rows, the coordinator merges them
$coordinator->safe_psql('postgres',
	q{CREATE INDEX items_v ON items USING linal_hnsw (v tensor_l2_ops)});
is($workers[0]->safe_psql('postgres', q{
	SELECT count(*) > 0 FROM pg_indexes
	WHERE indexname LIKE 'items_v%' AND indexdef LIKE '%linal_hnsw%'}),
	't', 'CREATE INDEX ... USING linal_hnsw builds an index on the shards');
my $knn_plan = $coordinator->safe_psql('postgres',
	"EXPLAIN (VERBOSE, COSTS OFF) " . sprintf($knn, 'items'));
note("EXPLAIN of the kNN query:\n$knn_plan");
like($knn_plan, qr/Query: SELECT .* ORDER BY \(?v OPERATOR\(public\.<->\).* LIMIT/,
	'ORDER BY <-> LIMIT is sent to the shards');
# with one sort key a shard may use its index; the shards are small, so
# turn seqscans off there: SET LOCAL reaches the worker connections of the
# transaction when Citus propagates SET commands
my $knn_index = q{SELECT id FROM items ORDER BY v <-> '[1,1,1]' LIMIT 10};
my $knn_index_plan = $coordinator->safe_psql('postgres', qq{
	BEGIN;
	SET LOCAL citus.propagate_set_commands = 'local';
	SET LOCAL enable_seqscan = off;
	EXPLAIN (VERBOSE, COSTS OFF) $knn_index;
	COMMIT});
note("EXPLAIN of kNN with the index:\n$knn_index_plan");
like($knn_index_plan, qr/Index Scan using items_v_\d+ on public\.items_\d+/,
	'SET LOCAL reaches the shards: a shard answers kNN from its linal_hnsw index');
is($coordinator->safe_psql('postgres', qq{
	BEGIN;
	SET LOCAL citus.propagate_set_commands = 'local';
	SET LOCAL enable_seqscan = off;
	SELECT count(*) FROM ($knn_index) s;
	COMMIT}),
	'10', 'kNN through the shards\' indexes returns LIMIT rows');

# one statement with a distributed table and a local table read by the
# batched scan (custom_private must be a list of nodes for Citus)
$coordinator->safe_psql('postgres', 'ANALYZE items_local');
my $mixed = q{SELECT (SELECT count(*) FROM items WHERE v <-> '[1,1,1]' < 2),
	(SELECT count(*) FROM items_local WHERE v <-> '[1,1,1]' < 2)};
my $mixed_plan = $coordinator->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $mixed");
note("EXPLAIN of the mixed statement:\n$mixed_plan");
like($mixed_plan, qr/Custom Scan \(Citus Adaptive\)/, 'the mixed statement reads the distributed table');
like($mixed_plan, qr/Custom Scan \(LinalBatchScan\) on public\.items_local/,
	'and the local table with the batched scan');
my ($ret, $stdout, $stderr) = $coordinator->psql('postgres', $mixed);
is($ret, 0, 'the mixed statement runs on the coordinator');
my $near = $coordinator->safe_psql('postgres',
	q{SELECT count(*) FROM items_local WHERE v <-> '[1,1,1]' < 2});
is($stdout, "$near|$near", 'and both halves give the local count');

# linal GUCs: a plain SET stays in the coordinator's session; a setting for
# the role reaches the worker backends (Citus propagates ALTER ROLE ... SET)
is($coordinator->safe_psql('postgres', q{
	SET linal.hnsw_ef_search = 55;
	SELECT DISTINCT result FROM run_command_on_workers(
		$$SELECT current_setting('linal.hnsw_ef_search')$$)}),
	'40', 'a plain SET does not reach the workers');
$coordinator->safe_psql('postgres', q{ALTER ROLE CURRENT_USER SET linal.hnsw_ef_search = 77});
for my $worker (@workers)
{
	is($worker->safe_psql('postgres', q{SELECT current_setting('linal.hnsw_ef_search', true)}),
		'77', 'ALTER ROLE ... SET linal.hnsw_ef_search reached ' . $worker->name);
}
is($coordinator->safe_psql('postgres', q{
	SELECT DISTINCT result FROM run_command_on_workers(
		$$SELECT current_setting('linal.hnsw_ef_search')$$)}),
	'77', 'Citus\'s own connections to the workers see the role setting');
# ALTER DATABASE ... SET: Citus 13 propagates it too
$coordinator->safe_psql('postgres', q{ALTER DATABASE postgres SET linal.batch_size = 333});
for my $worker (@workers)
{
	is($worker->safe_psql('postgres', q{SELECT current_setting('linal.batch_size', true)}),
		'333', 'ALTER DATABASE ... SET linal.batch_size reached ' . $worker->name);
}

# a worker added after CREATE EXTENSION linal gets the extension too
my $late = PostgreSQL::Test::Cluster->new('worker3');
$late->init;
$late->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'citus,linal'
max_parallel_workers_per_gather = 0
});
$late->start;
$late->safe_psql('postgres', 'CREATE EXTENSION citus');
push @nodes, $late;
$coordinator->safe_psql('postgres',
	sprintf(q{SELECT citus_add_node('%s', %d)}, $late->host, $late->port));
is($late->safe_psql('postgres', q{SELECT count(*) FROM pg_extension WHERE extname = 'linal'}),
	'1', 'a worker added later gets linal');

$_->stop for @nodes;
done_testing();
