# linal_hnsw over sparsetensor keys (sparse codes of their own sizes):
# recall against exact answers (serial build, and a parallel build whose
# graph outgrows maintenance_work_mem and spills), kill -9 during inserts
# and crash recovery, a streaming replica that replays the index's WAL
# (a build, inserts, VACUUM after deletes) with wal_consistency_checking
# and answers like the primary; linal_index_check after each, and on a
# sparse code whose length was corrupted on disk.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use LinalHnswTest;

my $primary = hnsw_primary('sparse_primary');

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
is(index_problems($primary, 'items_l2'),
	'', 'the built sparse index passes linal_index_check');

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
is(index_problems($primary, 'items_cos'),
	'', 'the parallel-built sparse index passes linal_index_check');
$recall = $primary->safe_psql('postgres', recall_sql('<=>'));
cmp_ok($recall, '>=', 0.9, "sparse cosine, parallel build: recall\@10 >= 0.9 (got $recall)");

# 2. kill -9 of a backend while two sessions insert: crash recovery
$primary->safe_psql('postgres', q{
	CREATE TABLE grow (id bigserial PRIMARY KEY, v sparsetensor(300));
	CREATE INDEX grow_v ON grow USING linal_hnsw (v sparsetensor_ip_ops) WITH (m = 8);
	INSERT INTO grow (v) SELECT sparse_near(g % 30, 1 + g % 60) FROM generate_series(1, 300) g;
});
my $insert_loop = q{
DO $$
BEGIN
	FOR i IN 1..100000 LOOP
		INSERT INTO grow (v) SELECT sparse_near(i % 30, 1 + i % 60);
		COMMIT;
	END LOOP;
END $$;
};
crash_during_inserts($primary, $insert_loop);
is(index_problems($primary, 'grow_v'),
	'', 'after kill -9 and recovery the sparse index passes linal_index_check');
my $all_rows = all_rows_sql('grow', q{v <#> '{1:1,2:1,3:1}/300'});
is($primary->safe_psql('postgres', $all_rows), 't',
	'after recovery no committed row is missing from index results');
cmp_ok($primary->safe_psql('postgres', 'SELECT count(*) FROM grow'), '>', 300,
	'rows committed before the crash are there');

# 3. a streaming replica with wal_consistency_checking answers the same
my $standby = hnsw_standby($primary, 'sparse_standby');
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
is(index_problems($primary, 'items_l2'),
	'', 'after deletes and VACUUM the sparse index passes linal_index_check');
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
	is(index_problems($standby, $index), '', "the replica's copy of $index passes linal_index_check");
}
ok(!grep(/inconsistent page/, slurp_file($standby->logfile)),
	'WAL consistency checking found no inconsistent page');

$standby->stop;

# 4. a corrupted sparse code (its length, on disk): linal_index_check says so
$primary->safe_psql('postgres', q{
	CREATE TABLE bad (id int, v sparsetensor(8));
	INSERT INTO bad SELECT i, ('{1:' || i || ',5:2}/8')::sparsetensor FROM generate_series(1, 20) i;
	CREATE INDEX bad_v ON bad USING linal_hnsw (v sparsetensor_l2_ops);
});
is(index_problems($primary, 'bad_v'),
	'', 'the small sparse index passes linal_index_check before the corruption');
ok(corrupt_first_element($primary, 'bad_v', sub {
	my ($page, $element) = @_;
	# its code starts at byte 24 with its non-zero count: more than its bytes hold
	my $at = $element + 24;
	substr($$page, $at, 4) = pack('V', 900);
}), 'block 1 holds an element tuple');
like($primary->safe_psql('postgres', q{SELECT string_agg(p, '; ') FROM linal_index_check('bad_v') p}),
	qr/its sparse code has more non-zeros than its bytes hold/,
	'linal_index_check reports the corrupted sparse code');

$primary->stop;
done_testing();
