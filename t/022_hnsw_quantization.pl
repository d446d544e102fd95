# linal_hnsw WITH (quantization = 'int8' or 'binary'): recall against exact answers on
# clustered data (serial and parallel builds), kill -9 during inserts and
# crash recovery, and a streaming replica that replays the index's WAL
# (a build, inserts, VACUUM after deletes; tensor and halftensor keys)
# with wal_consistency_checking
# and answers like the primary; linal_index_check after each, and on an
# int8 code whose header was corrupted on disk.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use LinalHnswTest;

my $primary = hnsw_primary('quant_primary');

# 1. recall@10 on 5K clustered 128-d vectors (50 Gaussian clusters)
$primary->safe_psql('postgres', q{
	SELECT setseed(0.17);
	CREATE TABLE centers AS
	SELECT c, ARRAY(SELECT (random() * 4 - 2)::real FROM generate_series(1, 128 + 0 * c)) AS mu
	FROM generate_series(0, 49) c;
	CREATE TABLE items (id int PRIMARY KEY, v tensor(128)) WITH (parallel_workers = 2);
	INSERT INTO items
	SELECT id, (ARRAY(SELECT (mu[d] + 0.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::real
	                  FROM generate_series(1, 128) d))::tensor(128)
	FROM generate_series(1, 5000) id JOIN centers ON c = id % 50;
	CREATE TABLE queries AS
	SELECT qid, (ARRAY(SELECT (mu[d] + 0.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::real
	                   FROM generate_series(1, 128) d))::tensor(128) AS q
	FROM generate_series(1, 50) qid JOIN centers ON c = qid % 50;
	ANALYZE items;
	CREATE INDEX items_l2 ON items USING linal_hnsw (v tensor_l2_ops) WITH (quantization = 'int8');
});
is(index_problems($primary, 'items_l2'),
	'', 'the built int8 index passes linal_index_check');

sub recall_sql
{
	my ($op) = @_;
	return qq{
	SET enable_seqscan = off; SET linal.batched_execution = off;
	WITH approx AS (
		SELECT qid, ARRAY(SELECT id FROM items ORDER BY v $op q LIMIT 10) AS ids FROM queries),
	exact AS (
		SELECT qid, ARRAY(SELECT id FROM items ORDER BY (v $op q) + 0 LIMIT 10) AS ids FROM queries)
	SELECT round(avg((SELECT count(*) FROM unnest(a.ids) x WHERE x = ANY (e.ids)) / 10.0), 3)
	FROM approx a JOIN exact e USING (qid)};
}
my $recall = $primary->safe_psql('postgres', recall_sql('<->'));
cmp_ok($recall, '>=', 0.95, "int8 L2: recall\@10 >= 0.95 at the default ef_search (got $recall)");

# the same rows built by the leader and two parallel workers
my ($ret, $out, $err) = $primary->psql('postgres', q{
	SET client_min_messages = debug1;
	SET max_parallel_maintenance_workers = 2;
	CREATE INDEX items_cos ON items USING linal_hnsw (v tensor_cosine_ops) WITH (quantization = 'int8')});
is($ret, 0, 'parallel CREATE INDEX of an int8 index succeeds');
like($err, qr/parallel build of "items_cos" with [12] of 2 workers launched/,
	'the build ran with parallel workers');
is(index_problems($primary, 'items_cos'),
	'', 'the parallel-built int8 index passes linal_index_check');
$recall = $primary->safe_psql('postgres', recall_sql('<=>'));
cmp_ok($recall, '>=', 0.95, "int8 cosine, parallel build: recall\@10 >= 0.95 (got $recall)");

# 2. kill -9 of a backend while two sessions insert: crash recovery
$primary->safe_psql('postgres', q{
	CREATE TABLE grow (id bigserial PRIMARY KEY, v tensor(16));
	CREATE INDEX grow_v ON grow USING linal_hnsw (v tensor_ip_ops) WITH (m = 8, quantization = 'int8');
	CREATE INDEX grow_bin ON grow USING linal_hnsw (v tensor_l2_ops) WITH (m = 8, quantization = 'binary');
	INSERT INTO grow (v) SELECT ARRAY(SELECT random()::real FROM generate_series(1, 16 + 0 * g))::tensor
	FROM generate_series(1, 300) g;
});
my $insert_loop = q{
DO $$
BEGIN
	FOR i IN 1..100000 LOOP
		INSERT INTO grow (v) SELECT ARRAY(SELECT (random() * 2 - 1)::real FROM generate_series(1, 16))::tensor;
		COMMIT;
	END LOOP;
END $$;
};
crash_during_inserts($primary, $insert_loop);
is(index_problems($primary, 'grow_v'),
	'', 'after kill -9 and recovery the int8 index passes linal_index_check');
my $all_rows = all_rows_sql('grow', q{v <#> tensor_fill('{16}', 0.5)});
is($primary->safe_psql('postgres', $all_rows), 't',
	'after recovery no committed row is missing from index results');
is(index_problems($primary, 'grow_bin'),
	'', 'after kill -9 and recovery the binary index passes linal_index_check');
my $all_rows_bin = all_rows_sql('grow', q{v <-> tensor_fill('{16}', 0.5)});
is($primary->safe_psql('postgres', $all_rows_bin), 't',
	'after recovery no committed row is missing from the binary index results');
cmp_ok($primary->safe_psql('postgres', 'SELECT count(*) FROM grow'), '>', 300,
	'rows committed before the crash are there');
# strict_order over several rounds: the bounds never go down, so the
# executor's re-rank gives the rows in exact order
my $in_order = q{
	SET enable_seqscan = off; SET linal.batched_execution = off;
	SET linal.hnsw_max_scan_tuples = 1000000; SET linal.hnsw_iterative_scan = strict_order;
	SELECT bool_and(d >= prev) FROM (
		SELECT d, lag(d, 1, '-Infinity') OVER () AS prev FROM (
			SELECT v <#> tensor_fill('{16}', 0.5) AS d FROM grow
			ORDER BY v <#> tensor_fill('{16}', 0.5) LIMIT 200) s) t};
is($primary->safe_psql('postgres', $in_order), 't', 'strict_order: the first 200 rows come in exact order');

# 3. a streaming replica with wal_consistency_checking answers the same
my $standby = hnsw_standby($primary, 'quant_standby');
# a build, inserts, deletes and VACUUM after the standby started: all as WAL
$primary->safe_psql('postgres', q{
	CREATE TABLE more (id int PRIMARY KEY, v tensor(128));
	INSERT INTO more SELECT id, v FROM items WHERE id <= 2000;
	CREATE INDEX more_l1 ON more USING linal_hnsw (v tensor_l1_ops) WITH (quantization = 'int8');
	CREATE INDEX more_bin ON more USING linal_hnsw (v tensor_cosine_ops) WITH (quantization = 'binary');
	INSERT INTO more SELECT id, v FROM items WHERE id > 2000 AND id <= 3000;
	INSERT INTO items SELECT id + 100000, v FROM items WHERE id <= 300;
	DELETE FROM items WHERE id % 7 = 0;
	DELETE FROM more WHERE id % 5 = 0;
	VACUUM items;
	VACUUM more;
	INSERT INTO grow (v) SELECT ARRAY(SELECT random()::real FROM generate_series(1, 16 + 0 * g))::tensor
	FROM generate_series(1, 200) g;
	CREATE TABLE halfq AS SELECT id, v::halftensor(128) AS v FROM items WHERE id <= 2000;
	CREATE INDEX halfq_v ON halfq USING linal_hnsw (v halftensor_cosine_ops) WITH (quantization = 'int8');
	INSERT INTO halfq SELECT id, v::halftensor(128) FROM items WHERE id > 2000 AND id <= 2500;
	DELETE FROM halfq WHERE id % 9 = 0;
	VACUUM halfq;
});
is(index_problems($primary, 'items_l2'),
	'', 'after deletes and VACUUM the int8 index passes linal_index_check');
$recall = $primary->safe_psql('postgres', recall_sql('<->'));
cmp_ok($recall, '>=', 0.95, "after deletes and VACUUM: recall\@10 >= 0.95 (got $recall)");
$primary->wait_for_catchup($standby);
sub knn_sql
{
	my ($table, $op) = @_;
	return qq{SET enable_seqscan = off; SET linal.batched_execution = off;
	SELECT string_agg(id::text, ',') FROM
	(SELECT qid, ARRAY(SELECT id FROM $table ORDER BY v $op q LIMIT 10) AS ids FROM queries WHERE qid <= 10) s,
	unnest(ids) id};
}
foreach my $case (['items', '<->'], ['items', '<=>'], ['more', '<+>'], ['more', '<=>'])
{
	my ($table, $op) = @$case;
	is($standby->safe_psql('postgres', knn_sql($table, $op)),
		$primary->safe_psql('postgres', knn_sql($table, $op)),
		"the replica returns the same 10-NN answers as the primary ($table, $op)");
}
my $half_knn = q{SET enable_seqscan = off; SET linal.batched_execution = off;
	SELECT string_agg(id::text, ',') FROM
	(SELECT qid, ARRAY(SELECT id FROM halfq ORDER BY v <=> q::halftensor LIMIT 10) AS ids
	 FROM queries WHERE qid <= 10) s, unnest(ids) id};
is($standby->safe_psql('postgres', $half_knn), $primary->safe_psql('postgres', $half_knn),
	'the replica answers like the primary from an int8 index of halftensor keys');
foreach my $index (qw(items_l2 items_cos more_l1 more_bin grow_v grow_bin halfq_v))
{
	is(index_problems($standby, $index), '', "the replica's copy of $index passes linal_index_check");
}
ok(!grep(/inconsistent page/, slurp_file($standby->logfile)),
	'WAL consistency checking found no inconsistent page');

$standby->stop;

# 4. a corrupted int8 header (its sum of the bytes, on disk): linal_index_check says so
$primary->safe_psql('postgres', q{
	CREATE TABLE bad (id int, v tensor(8));
	INSERT INTO bad SELECT i, ARRAY(SELECT (i * j % 11)::real FROM generate_series(1, 8) j)::tensor
	FROM generate_series(1, 20) i;
	CREATE INDEX bad_v ON bad USING linal_hnsw (v tensor_l2_ops) WITH (quantization = 'int8');
});
is(index_problems($primary, 'bad_v'),
	'', 'the small int8 index passes linal_index_check before the corruption');
ok(corrupt_first_element($primary, 'bad_v', sub {
	my ($page, $element) = @_;
	# its code starts at byte 24; the header's sum is at byte 12 of the code
	my $at = $element + 24 + 12;
	substr($$page, $at, 4) = pack('V', unpack('V', substr($$page, $at, 4)) + 1);
}), 'block 1 holds an element tuple');
like($primary->safe_psql('postgres', q{SELECT string_agg(p, '; ') FROM linal_index_check('bad_v') p}),
	qr/its int8 code has sums that are not its bytes'/,
	'linal_index_check reports the corrupted int8 header');

$primary->stop;
done_testing();
