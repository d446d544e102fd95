# linal_hnsw on unlogged tables: the index's init fork (its empty metapage,
# which crash recovery and promotion copy over the main fork) must reach
# disk and WAL.  Kill the primary with no checkpoint after CREATE INDEX,
# restart it, and promote a standby that only saw the WAL: on both the
# index is empty and takes inserts and ORDER BY ... LIMIT scans.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('hnsw_unlogged_primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', qq{
max_parallel_workers_per_gather = 0
restart_after_crash = on
checkpoint_timeout = '1h'
shared_buffers = '16MB'
});
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION linal');
$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('hnsw_unlogged_standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;

# indexes with the dimension from the type, from the first row, and one
# built on an empty table; the rows are gone after a crash either way
$primary->safe_psql('postgres', q{
	CREATE UNLOGGED TABLE u_typed (id int, v tensor(3));
	INSERT INTO u_typed SELECT i, ARRAY[i, i % 7, 1]::tensor FROM generate_series(1, 300) i;
	CREATE INDEX u_typed_v ON u_typed USING linal_hnsw (v tensor_l2_ops);
	CREATE UNLOGGED TABLE u_any (id int, v tensor);
	INSERT INTO u_any SELECT i, ARRAY[i, 1]::tensor FROM generate_series(1, 300) i;
	CREATE INDEX u_any_v ON u_any USING linal_hnsw (v tensor_cosine_ops);
	CREATE UNLOGGED TABLE u_empty (id int, v tensor(2));
	CREATE INDEX u_empty_v ON u_empty USING linal_hnsw (v tensor_ip_ops);
});
$primary->wait_for_catchup($standby);

# after a crash or a promotion: the tables are empty, their indexes take
# rows (of any dimension when the type fixes none) and answer scans
sub check_node
{
	my ($node, $what) = @_;
	is($node->safe_psql('postgres',
			q{SELECT (SELECT count(*) FROM u_typed) + (SELECT count(*) FROM u_any) + (SELECT count(*) FROM u_empty)}),
		'0', "$what: unlogged tables are empty");
	$node->safe_psql('postgres', q{
		INSERT INTO u_typed SELECT i, ARRAY[i, 0, 0]::tensor FROM generate_series(1, 50) i;
		INSERT INTO u_any SELECT i, ARRAY[1, i, i]::tensor FROM generate_series(1, 50) i;
		INSERT INTO u_empty SELECT i, ARRAY[i, 1]::tensor FROM generate_series(1, 50) i;
	});
	my $knn = $node->safe_psql('postgres', q{
		SET enable_seqscan = off;
		SET linal.batched_execution = off;
		SELECT string_agg(id::text, ',') FROM (SELECT id FROM u_typed ORDER BY v <-> '[10.2,0,0]' LIMIT 3) s
		UNION ALL
		SELECT string_agg(id::text, ',') FROM (SELECT id FROM u_any ORDER BY v <=> '[1,2,2]' LIMIT 1) s
		UNION ALL
		SELECT string_agg(id::text, ',') FROM (SELECT id FROM u_empty ORDER BY v <#> '[1,0]' LIMIT 2) s;
	});
	is($knn, "10,11,9\n2\n50,49", "$what: index scans find the new rows");
	like($node->safe_psql('postgres', q{
		SET enable_seqscan = off;
		SET linal.batched_execution = off;
		EXPLAIN (COSTS OFF) SELECT id FROM u_typed ORDER BY v <-> '[10.2,0,0]' LIMIT 3}),
		qr/Index Scan using u_typed_v/, "$what: the plan uses the index");
	is($node->safe_psql('postgres', q{
		SELECT count(*) FROM (SELECT linal_index_check('u_typed_v')
			UNION ALL SELECT linal_index_check('u_any_v')
			UNION ALL SELECT linal_index_check('u_empty_v')) s}),
		'0', "$what: the indexes pass linal_index_check");
}

# no checkpoint since CREATE INDEX: only the WAL and an fsync of the init
# forks keep them
$primary->stop('immediate');
$primary->start;
check_node($primary, 'after a crash');

$standby->promote;
check_node($standby, 'after promotion');

$standby->stop;
$primary->stop;
done_testing();
