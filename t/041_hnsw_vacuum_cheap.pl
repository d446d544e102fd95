# VACUUM of a linal_hnsw index with nothing to repair takes no update lock:
# inserts go on beside it.  VACUUM runs slowly (vacuum_cost_delay) while
# the test watches pg_locks and inserts with a lock_timeout:
#  1. an insert-only table: amvacuumcleanup reads only the metapage;
#  2. dead rows that were never indexed (NULL vectors): ambulkdelete reads
#     the pages without the update lock and repairs nothing;
#  3. dead indexed rows: the repair still runs, and its figures are right.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('hnsw_vacuum_cheap');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'linal'
autovacuum = off
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION linal;
	SELECT setseed(0.7);
	CREATE TABLE items (id bigserial PRIMARY KEY, v tensor(64));
	INSERT INTO items (v)
	SELECT ARRAY(SELECT random()::real FROM generate_series(1, 64 + 0 * i))::tensor
	FROM generate_series(1, 3000) i;
	INSERT INTO items (v) SELECT NULL FROM generate_series(1, 500);
	CREATE INDEX items_v ON items USING linal_hnsw (v tensor_l2_ops) WITH (m = 8, ef_construction = 32);
	INSERT INTO items (v)
	SELECT ARRAY(SELECT random()::real FROM generate_series(1, 64 + 0 * i))::tensor
	FROM generate_series(1, 100) i;
});
my $index_pages = $node->safe_psql('postgres', q{SELECT pg_relation_size('items_v') / 8192});
cmp_ok($index_pages, '>', 100, "the index has $index_pages pages");

my $insert = q{SET lock_timeout = '1s';
INSERT INTO items (v) SELECT ARRAY(SELECT random()::real FROM generate_series(1, 64))::tensor;};

# A slow VACUUM in the background; while it runs, look for the update lock
# (a page lock on block 0 of the index) in pg_locks and insert a row.
sub slow_vacuum
{
	my ($phase) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			'psql', '-X', '-h', $node->host, '-p', $node->port, '-d', 'postgres',
			'-c', q{SET vacuum_cost_delay = '20ms'},
			'-c', q{SET vacuum_cost_limit = 1}, '-c', q{VACUUM items}
		],
		'>', \$out, '2>', \$err);
	my ($polls, $locked, $inserted, $failed, $in_phase) = (0, 0, 0, 0, 0);
	while ($h->pumpable)
	{
		my $seen = $node->safe_psql('postgres', qq{
			SELECT (SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
					WHERE c.relname = 'items_v' AND l.locktype = 'page' AND l.granted)
				|| ' ' || coalesce((SELECT phase FROM pg_stat_progress_vacuum p
					JOIN pg_class c ON c.oid = p.relid WHERE c.relname = 'items'), '-')});
		my ($n, $ph) = split / /, $seen, 2;
		$polls++;
		$locked++ if $n > 0;
		if ($ph eq $phase)
		{
			$in_phase++;
			my ($ret, $o, $e) = $node->psql('postgres', $insert);
			if ($ret == 0) { $inserted++ } else { $failed++ }
		}
		$h->pump_nb;
		select(undef, undef, undef, 0.05);
	}
	$h->finish;
	is($err, '', "VACUUM ($phase) ran without error");
	return ($polls, $locked, $inserted, $failed, $in_phase);
}

# 1. insert-only: no ambulkdelete, the cleanup has nothing to do
my ($polls, $locked, $inserted, $failed, $in_phase) = slow_vacuum('cleaning up indexes');
cmp_ok($polls, '>', 5, "watched the VACUUM of an insert-only table $polls times");
is($locked, 0, 'it never held the update lock');
is($failed, 0, "no insert waited for it ($inserted inserted during its cleanup)");

# 2. dead rows with NULL vectors: ambulkdelete runs, finds nothing dead
$node->safe_psql('postgres', q{DELETE FROM items WHERE v IS NULL});
($polls, $locked, $inserted, $failed, $in_phase) = slow_vacuum('vacuuming indexes');
cmp_ok($in_phase, '>', 2, "its ambulkdelete was seen $in_phase times");
is($locked, 0, 'it never held the update lock');
is($failed, 0, "no insert waited for it ($inserted inserted meanwhile)");

# the figures of a VACUUM with nothing to repair
my $count = $node->safe_psql('postgres', q{SELECT count(*) FROM items WHERE v IS NOT NULL});
my ($ret, $out, $err) = $node->psql('postgres', q{VACUUM (VERBOSE) items});
like($err, qr/index "items_v": pages: [1-9]\d* in total/, 'VACUUM VERBOSE reports the index');
my $reltuples = $node->safe_psql('postgres', q{SELECT reltuples FROM pg_class WHERE relname = 'items_v'});
cmp_ok($reltuples, '>', 0, "the index's reltuples stay sane ($reltuples)");
cmp_ok($reltuples, '<=', $count, "and no more than the rows ($count)");

# 3. dead indexed rows: the repair runs and counts them
$node->safe_psql('postgres', q{DELETE FROM items WHERE id % 10 = 0 AND v IS NOT NULL});
my $left = $node->safe_psql('postgres', q{SELECT count(*) FROM items WHERE v IS NOT NULL});
$node->safe_psql('postgres', q{VACUUM items});
is($node->safe_psql('postgres', q{SELECT reltuples FROM pg_class WHERE relname = 'items_v'}),
	$left, 'after a repair the index counts exactly the live rows');
is($node->safe_psql('postgres', q{SELECT count(*) FROM linal_index_check('items_v')}),
	'0', 'linal_index_check finds no problem');
is( $node->safe_psql('postgres', q{
	SET enable_seqscan = off; SET linal.batched_execution = off;
	SET linal.hnsw_max_scan_tuples = 1000000;
	SELECT count(*) FROM (SELECT id FROM items ORDER BY v <-> tensor_fill('{64}', 0.5) LIMIT 1000000) s}),
	$left, 'every row is found through the index');

$node->stop;
done_testing();
