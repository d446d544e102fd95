# Concurrent inserts into one linal_hnsw index: six pgbench clients insert
# only (1000 transactions each, about 10 s), into 128-d and into split
# 2500-d vectors, on a primary with wal_consistency_checking = 'generic'
# streaming to a replica.  The inserts hold the update lock together
# (pg_locks shows more than one granted at once), and afterwards
# linal_index_check finds no problem, an index scan through the whole graph
# returns every row (no element lost), self-recall is at least 0.95 and
# within 0.03 of an index built by CREATE INDEX on the same rows, and the
# replica replays it all.
#
# The number of inserts is fixed, not the time: self-recall falls as the
# graph grows, so a bound on it holds only for a known number of rows.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $transactions = 1000;

my $node = PostgreSQL::Test::Cluster->new('hnsw_concurrent_insert');
$node->init(allows_streaming => 1);
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'linal'
max_parallel_workers_per_gather = 0
autovacuum = off
wal_consistency_checking = 'generic'
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION linal;
	SELECT setseed(0.4);
	CREATE TABLE items (id bigserial PRIMARY KEY, v tensor(128));
	INSERT INTO items (v)
	SELECT ARRAY(SELECT random()::real FROM generate_series(1, 128 + 0 * i))::tensor
	FROM generate_series(1, 2000) i;
	CREATE INDEX items_v ON items USING linal_hnsw (v tensor_l2_ops) WITH (m = 8, ef_construction = 40);
	CREATE TABLE wide (id bigserial PRIMARY KEY, v tensor(2500));
	INSERT INTO wide (v)
	SELECT ARRAY(SELECT random()::real FROM generate_series(1, 2500 + 0 * i))::tensor
	FROM generate_series(1, 100) i;
	CREATE INDEX wide_v ON wide USING linal_hnsw (v tensor_l2_ops) WITH (m = 4, ef_construction = 16);
});
$node->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('hnsw_concurrent_insert_standby');
$standby->init_from_backup($node, 'backup', has_streaming => 1);
$standby->append_conf('postgresql.conf', "shared_preload_libraries = 'linal'\n");
$standby->start;

my $dir = PostgreSQL::Test::Utils::tempdir;
PostgreSQL::Test::Utils::append_to_file("$dir/insert.sql",
	q{INSERT INTO items (v) SELECT ARRAY(SELECT random()::real FROM generate_series(1, 128))::tensor;} . "\n");
PostgreSQL::Test::Utils::append_to_file("$dir/wide.sql",
	q{INSERT INTO wide (v) SELECT ARRAY(SELECT random()::real FROM generate_series(1, 2500))::tensor;} . "\n");

my @connect = ('-h', $node->host, '-p', $node->port, 'postgres');
my ($out, $err) = ('', '');
my $writers = IPC::Run::start(
	[
		'pgbench', '--no-vacuum', '--client=6', '--jobs=2', "--transactions=$transactions",
		'--file', "$dir/insert.sql\@5", '--file', "$dir/wide.sql\@1", @connect
	],
	'>', \$out, '2>', \$err);

# how many inserts hold the update lock at once
my ($polls, $most) = (0, 0);
while ($writers->pumpable)
{
	$writers->pump_nb;
	my $n = $node->safe_psql('postgres', q{
		SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
		WHERE c.relname = 'items_v' AND l.locktype = 'page' AND l.page = 0 AND l.granted});
	$most = $n if $n > $most;
	$polls++;
}
$writers->finish;
like($out, qr{number of transactions actually processed: 6000/6000}, 'every insert ran');
unlike($err, qr/ERROR|PANIC|FATAL/, 'no insert failed');
cmp_ok($most, '>', 1, "inserts held the update lock together (up to $most at once, $polls looks)");
note($out =~ /(tps = [\d.]+)/ ? $1 : 'no tps');

for my $index ('items_v', 'wide_v')
{
	is($node->safe_psql('postgres', qq{SELECT string_agg(p, E'\\n') FROM linal_index_check('$index') p}),
		'', "linal_index_check finds no problem in $index");
}
for my $t ([ 'items', 128 ], [ 'wide', 2500 ])
{
	my ($table, $dim) = @$t;
	is( $node->safe_psql('postgres', qq{
		SET enable_seqscan = off; SET linal.batched_execution = off;
		SET linal.hnsw_max_scan_tuples = 1000000;
		SELECT (SELECT count(*) FROM (SELECT id FROM $table ORDER BY v <-> tensor_fill('{$dim}', 0.5) LIMIT 1000000) s)
		       = (SELECT count(*) FROM $table)}),
		't', "no element of $table is lost: a scan through the whole graph returns every row");
}
# the same rows, indexed by CREATE INDEX: what the inserts' graph is held to
my $quality = q{
	SET linal.hnsw_ef_search = 100;
	SELECT recall FROM linal_index_quality('%s', 1000, 10, 0.95)};
my $inserted = $node->safe_psql('postgres', sprintf($quality, 'items_v'));
$node->safe_psql('postgres', q{
	CREATE INDEX items_built ON items USING linal_hnsw (v tensor_l2_ops) WITH (m = 8, ef_construction = 40)});
my $built = $node->safe_psql('postgres', sprintf($quality, 'items_built'));
$node->safe_psql('postgres', 'DROP INDEX items_built');
cmp_ok($inserted, '>=', 0.95, "self-recall\@10 of 1000 rows at ef_search 100 is at least 0.95 ($inserted)");
cmp_ok($inserted, '>=', $built - 0.03, "and within 0.03 of a built index's ($built)");

# the replica replayed every record (wal_consistency_checking compared the pages)
$node->wait_for_catchup($standby);
is($standby->safe_psql('postgres', q{SELECT count(*) FROM linal_index_check('items_v')}),
	'0', 'the replica\'s copy passes linal_index_check');
my $knn = q{SET enable_seqscan = off; SET linal.batched_execution = off;
	SELECT string_agg(id::text, ',') FROM (SELECT id FROM items ORDER BY v <-> tensor_fill('{128}', 0.5) LIMIT 10) s};
is($standby->safe_psql('postgres', $knn), $node->safe_psql('postgres', $knn),
	'the replica answers like the primary');

$standby->stop;
$node->stop;
done_testing();
