# linal on Citus: a coordinator and two workers on localhost.  Skipped when
# the citus extension is not installed (linal's CI has no Citus package).
# Checks: CREATE EXTENSION linal on the coordinator reaches the workers;
# aggregates run partially on the shards (worker_partial_agg in the worker
# query) with tensor_agg_state shipped as text, and give the local answers;
# kNN with ORDER BY <-> LIMIT is pushed to the shards and merged; a linal
# GUC set for the role reaches the workers.
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
shared_preload_libraries = 'citus'
max_parallel_workers_per_gather = 0
});
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	push @nodes, $node;
}
my ($coordinator, @workers) = @nodes;

$coordinator->safe_psql('postgres', sprintf(
	q{SELECT citus_set_coordinator_host('localhost', %d)}, $coordinator->port));
for my $worker (@workers)
{
	$coordinator->safe_psql('postgres',
		sprintf(q{SELECT citus_add_node('localhost', %d)}, $worker->port));
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

# aggregates: partial on the shards, combined on the coordinator
my $explain = $coordinator->safe_psql('postgres',
	q{EXPLAIN (VERBOSE, COSTS OFF) SELECT g, avg(v) FROM items GROUP BY g});
like($explain, qr/worker_partial_agg/, 'avg(v) GROUP BY g aggregates partially on the shards');
like($explain, qr/coord_combine_agg/, 'and combines the states on the coordinator');

for my $agg (qw(sum avg min max))
{
	my $distributed = $coordinator->safe_psql('postgres',
		"SELECT g, $agg(v)::text FROM items GROUP BY g ORDER BY g");
	my $local = $coordinator->safe_psql('postgres',
		"SELECT g, $agg(v)::text FROM items_local GROUP BY g ORDER BY g");
	is($distributed, $local, "$agg(v) GROUP BY g on the shards gives the local answer");
}
is($coordinator->safe_psql('postgres',
		q{SELECT shape(stack_agg(v)), tensor_sum(stack_agg(v)) FROM items}),
	$coordinator->safe_psql('postgres',
		q{SELECT shape(stack_agg(v)), tensor_sum(stack_agg(v)) FROM items_local}),
	'stack_agg over the shards holds every row once');

# kNN: ORDER BY distance LIMIT per shard, merged on the coordinator
my $knn = q{SELECT id FROM %s ORDER BY v <-> '[1,1,1]', id LIMIT 10};
is($coordinator->safe_psql('postgres', sprintf($knn, 'items')),
	$coordinator->safe_psql('postgres', sprintf($knn, 'items_local')),
	'exact kNN over the shards gives the local answer');

# a linal GUC set for the role reaches the worker backends
$coordinator->safe_psql('postgres', q{ALTER ROLE CURRENT_USER SET linal.hnsw_ef_search = 77});
for my $worker (@workers)
{
	is($worker->safe_psql('postgres', q{SELECT current_setting('linal.hnsw_ef_search', true)}),
		'77', 'ALTER ROLE ... SET linal.hnsw_ef_search reached ' . $worker->name);
}

$_->stop for @nodes;
done_testing();
