# linal_hnsw under concurrent writers: four pgbench clients insert, update
# the vector column of, delete and query one indexed table (and insert,
# update and query a second one, whose index is int8) while a fifth
# runs VACUUM in a loop and linal_index_check runs again and again (about
# 12 s).  Meanwhile and afterwards linal_index_check finds no problem, the
# rows find themselves through the index (linal_index_quality), and no row
# is lost: an index scan allowed to see the whole graph returns every row.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $seconds = 12;

my $node = PostgreSQL::Test::Cluster->new('hnsw_concurrency');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'linal'
max_parallel_workers_per_gather = 0
autovacuum = off
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION linal;
	SELECT setseed(0.3);
	CREATE TABLE items (id bigserial PRIMARY KEY, v tensor(32));
	INSERT INTO items (v)
	SELECT ARRAY(SELECT random()::real FROM generate_series(1, 32 + 0 * i))::tensor
	FROM generate_series(1, 3000) i;
	CREATE INDEX items_v ON items USING linal_hnsw (v tensor_l2_ops) WITH (m = 8, ef_construction = 32);
	CREATE TABLE items8 (LIKE items INCLUDING ALL);
	INSERT INTO items8 SELECT * FROM items;
	SELECT setval(pg_get_serial_sequence('items8', 'id'), 3000);
	CREATE INDEX items8_v ON items8 USING linal_hnsw (v tensor_l2_ops) WITH (m = 8, ef_construction = 32, quantization = 'int8');
});

my $dir = PostgreSQL::Test::Utils::tempdir;
my %scripts = (
	insert => q{INSERT INTO items (v) SELECT ARRAY(SELECT random()::real FROM generate_series(1, 32))::tensor;},
	update => qq{\\set id random(1, 6000)\n}
	  . q{UPDATE items SET v = v * 0.5 + ARRAY(SELECT (random() * 0.5)::real FROM generate_series(1, 32))::tensor WHERE id = :id;},
	delete => qq{\\set id random(1, 6000)\nDELETE FROM items WHERE id = :id;},
	query => q{SET linal.batched_execution = off; SET enable_seqscan = off;
SELECT id FROM items ORDER BY v <-> ARRAY(SELECT random()::real FROM generate_series(1, 32))::tensor LIMIT 10;},
	vacuum => q{VACUUM items; VACUUM items8;},
	# an int8 index: its scans read rows from the table (a re-rank window,
	# or lower bounds in strict_order) while they change
	insert8 => q{INSERT INTO items8 (v) SELECT ARRAY(SELECT random()::real FROM generate_series(1, 32))::tensor;},
	update8 => qq{\\set id random(1, 6000)\n}
	  . q{UPDATE items8 SET v = v * 0.5 + ARRAY(SELECT (random() * 0.5)::real FROM generate_series(1, 32))::tensor WHERE id = :id;},
	query8 => q{SET linal.batched_execution = off; SET enable_seqscan = off;
SELECT id FROM items8 ORDER BY v <-> ARRAY(SELECT random()::real FROM generate_series(1, 32))::tensor LIMIT 10;
SET linal.hnsw_iterative_scan = strict_order;
SELECT id FROM items8 ORDER BY v <-> ARRAY(SELECT random()::real FROM generate_series(1, 32))::tensor LIMIT 10;},
);
for my $name (keys %scripts)
{
	PostgreSQL::Test::Utils::append_to_file("$dir/$name.sql", $scripts{$name} . "\n");
}

my @connect = ('-h', $node->host, '-p', $node->port, 'postgres');
my ($vac_out, $vac_err) = ('', '');
my $vacuum = IPC::Run::start(
	[ 'pgbench', '--no-vacuum', '--client=1', "--time=$seconds", '--file', "$dir/vacuum.sql", @connect ],
	'>', \$vac_out, '2>', \$vac_err);
my ($out, $err) = ('', '');
my $writers = IPC::Run::start(
	[
		'pgbench', '--no-vacuum', '--client=4', '--jobs=2', "--time=$seconds",
		'--file', "$dir/insert.sql\@4", '--file', "$dir/update.sql\@3",
		'--file', "$dir/delete.sql\@1", '--file', "$dir/query.sql\@4",
		'--file', "$dir/insert8.sql\@2", '--file', "$dir/update8.sql\@2",
		'--file', "$dir/query8.sql\@3", @connect
	],
	'>', \$out, '2>', \$err);

# linal_index_check beside them: what an insert in progress shows is
# confirmed under the update lock before it is reported, so nothing is
my ($checks, $reported) = (0, '');
my $until = time() + $seconds - 2;
while (time() < $until)
{
	$reported .= $node->safe_psql('postgres',
		q{SELECT string_agg(p, E'\n') FROM linal_index_check('items_v') p});
	$checks++;
}
$writers->finish;
$vacuum->finish;
cmp_ok($checks, '>', 0, "linal_index_check ran $checks times beside the writers");
is($reported, '', 'linal_index_check found no problem while they ran');
like($out, qr/number of transactions actually processed: [1-9]/, 'writers and readers ran');
like($out, qr/number of failed transactions: 0/, 'no writer or reader failed') if $out =~ /failed transactions/;
unlike($err, qr/ERROR|PANIC|FATAL/, 'no errors from the writers and readers');
like($vac_out, qr/number of transactions actually processed: [1-9]/, 'VACUUM ran in a loop beside them');
unlike($vac_err, qr/ERROR|PANIC|FATAL/, 'no errors from VACUUM');
note($node->safe_psql('postgres',
	q{SELECT count(*) || ' rows, ' || count(*) FILTER (WHERE id > 3000) || ' inserted' FROM items}));

is($node->safe_psql('postgres', q{SELECT string_agg(p, E'\n') FROM linal_index_check('items_v') p}),
	'', 'linal_index_check finds no problem');
is($node->safe_psql('postgres', q{SELECT string_agg(p, E'\n') FROM linal_index_check('items8_v') p}),
	'', 'linal_index_check finds no problem in the int8 index');
# and after a last VACUUM, with every dead element marked
$node->safe_psql('postgres', 'VACUUM items');
is($node->safe_psql('postgres', q{SELECT string_agg(p, E'\n') FROM linal_index_check('items_v') p}),
	'', 'linal_index_check finds no problem after VACUUM');

my $quality = $node->safe_psql('postgres', q{
	SET linal.hnsw_ef_search = 100;
	SELECT recall || ' ' || verdict FROM linal_index_quality('items_v', 1000, 10, 0.95)});
like($quality, qr/ ok$/, "self-recall\@10 of 1000 rows at ef_search 100 is at least 0.95 ($quality)");

is($node->safe_psql('postgres', q{
	SET enable_seqscan = off; SET linal.batched_execution = off;
	SET linal.hnsw_max_scan_tuples = 1000000;
	SELECT (SELECT count(*) FROM (SELECT id FROM items ORDER BY v <-> tensor_fill('{32}', 0.5) LIMIT 1000000) s)
	       = (SELECT count(*) FROM items)}),
	't', 'no row is lost: a scan through the whole graph returns every row');
# the int8 index: every row once through its re-rank window; in
# strict_order no row twice, in order (a row a wider round finds nearer
# than one returned is skipped there, by design)
is($node->safe_psql('postgres', q{
	SET enable_seqscan = off; SET linal.batched_execution = off;
	SET linal.hnsw_max_scan_tuples = 1000000;
	SELECT count(*) = count(DISTINCT id) AND count(*) = (SELECT count(*) FROM items8)
	FROM (SELECT id FROM items8 ORDER BY v <-> tensor_fill('{32}', 0.5) LIMIT 1000000) s}),
	't', 'no row is lost in the int8 index: a scan through the whole graph returns every row once');
is($node->safe_psql('postgres', q{
	SET enable_seqscan = off; SET linal.batched_execution = off;
	SET linal.hnsw_max_scan_tuples = 1000000; SET linal.hnsw_iterative_scan = strict_order;
	SELECT count(*) = count(DISTINCT id) AND bool_and(d >= prev)
	FROM (SELECT id, d, lag(d, 1, '-Infinity') OVER () AS prev FROM (
		SELECT id, v <-> tensor_fill('{32}', 0.5) AS d FROM items8
		ORDER BY v <-> tensor_fill('{32}', 0.5) LIMIT 1000000) o) s}),
	't', 'strict_order through the int8 index: no row twice, in distance order');
$node->stop;
done_testing();
