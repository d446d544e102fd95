# linal_hnsw over sparsetensor keys (sparse codes of their own sizes):
# recall against exact answers (serial build, and a parallel build whose
# graph outgrows maintenance_work_mem and spills), kill -9 during inserts
# and crash recovery, a streaming replica that replays the index's WAL
# (a build, inserts, VACUUM after deletes) with wal_consistency_checking
# and answers like the primary; linal_index_check after each, and on a
# sparse code whose length was corrupted on disk.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('sparse_primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'linal'
wal_consistency_checking = 'generic'
max_parallel_workers_per_gather = 0
restart_after_crash = on
});
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION linal');

# 1. 3000 rows of 300 dimensions, 10 to 49 non-zeros each, around 30
# centres (a row keeps most of its centre's positions)
$primary->safe_psql('postgres', q{
	SELECT setseed(0.23);
	CREATE FUNCTION sparse_near(c int, n int) RETURNS sparsetensor LANGUAGE sql VOLATILE AS $$
		SELECT ('{' || string_agg(j || ':' || round((((j * 37 + c * 11) % 17) / 4.0 + random())::numeric, 3), ','
		                         ORDER BY j) || '}/300')::sparsetensor
		FROM (SELECT DISTINCT CASE WHEN random() < 0.8 THEN (c * 7 + k * 13) % 300 + 1
		                           ELSE (random() * 299)::int + 1 END AS j
		      FROM generate_series(1, n) k) s
	$$;
	CREATE TABLE items (id int PRIMARY KEY, v sparsetensor(300)) WITH (parallel_workers = 2);
	INSERT INTO items SELECT id, sparse_near(id % 30, 10 + id % 40) FROM generate_series(1, 3000) id;
	CREATE TABLE queries AS SELECT qid, sparse_near(qid % 30, 30) AS q FROM generate_series(1, 30) qid;
	ANALYZE items;
	CREATE INDEX items_l2 ON items USING linal_hnsw (v sparsetensor_l2_ops);
});
is($primary->safe_psql('postgres', q{SELECT count(*) FROM linal_index_check('items_l2')}),
	'0', 'the built sparse index passes linal_index_check');

sub recall_sql
{
	my ($op) = @_;
	return qq{
	SET enable_seqscan = off; SET linal.batched_execution = off; SET linal.hnsw_ef_search = 100;
	WITH approx AS (
		SELECT qid, ARRAY(SELECT id FROM items ORDER BY v $op q LIMIT 10) AS ids FROM queries),
	exact AS (
		SELECT qid, ARRAY(SELECT id FROM items ORDER BY (v $op q) + 0 LIMIT 10) AS ids FROM queries)
	SELECT round(avg((SELECT count(*) FROM unnest(a.ids) x WHERE x = ANY (e.ids)) / 10.0), 3)
	FROM approx a JOIN exact e USING (qid)};
}
my $recall = $primary->safe_psql('postgres', recall_sql('<->'));
cmp_ok($recall, '>=', 0.9, "sparse L2: recall\@10 >= 0.9 (got $recall)");

# the same rows built by the leader and two parallel workers, in a graph
# that outgrows maintenance_work_mem: the rest spills and is inserted on disk
my ($ret, $out, $err) = $primary->psql('postgres', q{
	SET client_min_messages = debug1;
	SET max_parallel_maintenance_workers = 2;
	SET maintenance_work_mem = '1MB';
	CREATE INDEX items_cos ON items USING linal_hnsw (v sparsetensor_cosine_ops)});
is($ret, 0, 'parallel CREATE INDEX of a sparse index succeeds');
like($err, qr/parallel build of "items_cos" with [12] of 2 workers launched/,
	'the build ran with parallel workers');
like($err, qr/inserting \d+ spilled rows of "items_cos"/, 'the build spilled rows');
is($primary->safe_psql('postgres', q{SELECT count(*) FROM linal_index_check('items_cos')}),
	'0', 'the parallel-built sparse index passes linal_index_check');
$recall = $primary->safe_psql('postgres', recall_sql('<=>'));
cmp_ok($recall, '>=', 0.9, "sparse cosine, parallel build: recall\@10 >= 0.9 (got $recall)");

# 2. kill -9 of a backend while two sessions insert: crash recovery
$primary->safe_psql('postgres', q{
	CREATE TABLE grow (id bigserial PRIMARY KEY, v sparsetensor(300));
	CREATE INDEX grow_v ON grow USING linal_hnsw (v sparsetensor_ip_ops) WITH (m = 8);
	INSERT INTO grow (v) SELECT sparse_near(g % 30, 1 + g % 60) FROM generate_series(1, 300) g;
});
my $bench = $primary->background_psql('postgres', on_error_stop => 0);
my $victim = $bench->query_safe('SELECT pg_backend_pid()');
my $insert_loop = q{
DO $$
BEGIN
	FOR i IN 1..100000 LOOP
		INSERT INTO grow (v) SELECT sparse_near(i % 30, 1 + i % 60);
		COMMIT;
	END LOOP;
END $$;
};
$bench->query_until(qr/inserting/, "\\echo inserting\n$insert_loop");
my $bench2 = $primary->background_psql('postgres', on_error_stop => 0);
$bench2->query_until(qr/inserting/, "\\echo inserting\n$insert_loop");
sleep 2;
kill 'KILL', $victim;
eval { $bench->quit };
eval { $bench2->quit };
$primary->poll_query_until('postgres', 'SELECT 1', '1');
is($primary->safe_psql('postgres', q{SELECT count(*) FROM linal_index_check('grow_v')}),
	'0', 'after kill -9 and recovery the sparse index passes linal_index_check');
my $all_rows = q{
	SET enable_seqscan = off; SET linal.batched_execution = off;
	SET linal.hnsw_max_scan_tuples = 1000000;
	SELECT (SELECT count(*) FROM (SELECT id FROM grow ORDER BY v <#> '{1:1,2:1,3:1}/300' LIMIT 100000) s)
	       = (SELECT count(*) FROM grow)};
is($primary->safe_psql('postgres', $all_rows), 't',
	'after recovery no committed row is missing from index results');
cmp_ok($primary->safe_psql('postgres', 'SELECT count(*) FROM grow'), '>', 300,
	'rows committed before the crash are there');

# 3. a streaming replica with wal_consistency_checking answers the same
$primary->safe_psql('postgres',
	q{SELECT pg_create_physical_replication_slot('sparse_standby', true)});
$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('sparse_standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->append_conf('postgresql.conf',
	"shared_preload_libraries = 'linal'\nprimary_slot_name = 'sparse_standby'\n");
$standby->start;
# a build, inserts, deletes and VACUUM after the standby started: all as WAL
$primary->safe_psql('postgres', q{
	CREATE TABLE more (id int PRIMARY KEY, v sparsetensor(300));
	INSERT INTO more SELECT id, v FROM items WHERE id <= 1500;
	CREATE INDEX more_l1 ON more USING linal_hnsw (v sparsetensor_l1_ops);
	INSERT INTO more SELECT id, v FROM items WHERE id > 1500 AND id <= 2500;
	INSERT INTO items SELECT id + 100000, v FROM items WHERE id <= 300;
	DELETE FROM items WHERE id % 7 = 0;
	DELETE FROM more WHERE id % 5 = 0;
	VACUUM items;
	VACUUM more;
	INSERT INTO grow (v) SELECT sparse_near(g % 30, 1 + g % 60) FROM generate_series(1, 200) g;
});
is($primary->safe_psql('postgres', q{SELECT count(*) FROM linal_index_check('items_l2')}),
	'0', 'after deletes and VACUUM the sparse index passes linal_index_check');
$recall = $primary->safe_psql('postgres', recall_sql('<->'));
cmp_ok($recall, '>=', 0.9, "after deletes and VACUUM: recall\@10 >= 0.9 (got $recall)");
$primary->wait_for_catchup($standby);
sub knn_sql
{
	my ($table, $op) = @_;
	return qq{SET enable_seqscan = off; SET linal.batched_execution = off;
	SELECT string_agg(id::text, ',') FROM
	(SELECT qid, ARRAY(SELECT id FROM $table ORDER BY v $op q LIMIT 10) AS ids FROM queries WHERE qid <= 10) s,
	unnest(ids) id};
}
foreach my $case (['items', '<->'], ['items', '<=>'], ['more', '<+>'])
{
	my ($table, $op) = @$case;
	is($standby->safe_psql('postgres', knn_sql($table, $op)),
		$primary->safe_psql('postgres', knn_sql($table, $op)),
		"the replica returns the same 10-NN answers as the primary ($table, $op)");
}
foreach my $index (qw(items_l2 items_cos more_l1 grow_v))
{
	is($standby->safe_psql('postgres', qq{SELECT count(*) FROM linal_index_check('$index')}),
		'0', "the replica's copy of $index passes linal_index_check");
}
ok(!grep(/inconsistent page/, slurp_file($standby->logfile)),
	'WAL consistency checking found no inconsistent page');

$standby->stop;

# 4. a corrupted sparse code (its length, on disk): linal_index_check says so
$primary->safe_psql('postgres', q{
	CREATE TABLE bad (id int, v sparsetensor(8));
	INSERT INTO bad SELECT i, ('{1:' || i || ',5:2}/8')::sparsetensor FROM generate_series(1, 20) i;
	CREATE INDEX bad_v ON bad USING linal_hnsw (v sparsetensor_l2_ops);
	CHECKPOINT;
});
is($primary->safe_psql('postgres', q{SELECT count(*) FROM linal_index_check('bad_v')}),
	'0', 'the small sparse index passes linal_index_check before the corruption');
my $file = $primary->data_dir . '/' . $primary->safe_psql('postgres', q{SELECT pg_relation_filepath('bad_v')});
$primary->stop;
open(my $fh, '+<', $file) or die "open $file: $!";
binmode $fh;
my $page;
sysseek($fh, 8192, 0) or die;
sysread($fh, $page, 8192) == 8192 or die;
# the line pointers of block 1: the first element tuple (type 1)
my $lower = unpack('v', substr($page, 12, 2));
my $element;
for (my $lp = 24; $lp < $lower; $lp += 4)
{
	my $off = unpack('V', substr($page, $lp, 4)) & 0x7FFF;
	if (ord(substr($page, $off, 1)) == 1) { $element = $off; last; }
}
ok(defined $element, 'block 1 holds an element tuple');
# its code starts at byte 24 with its non-zero count: more than its bytes hold
my $at = $element + 24;
substr($page, $at, 4) = pack('V', 900);
sysseek($fh, 8192, 0) or die;
syswrite($fh, $page, 8192) == 8192 or die;
close($fh);
$primary->start;
like($primary->safe_psql('postgres', q{SELECT string_agg(p, '; ') FROM linal_index_check('bad_v') p}),
	qr/its sparse code has more non-zeros than its bytes hold/,
	'linal_index_check reports the corrupted sparse code');

$primary->stop;
done_testing();
