# What the linal_hnsw TAP tests share: a primary that checks its WAL, a
# streaming replica of it, a kill -9 in the middle of inserts, the checks
# run after each, and a corruption written into an index file.
package LinalHnswTest;
use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(hnsw_primary hnsw_standby crash_during_inserts index_problems
  all_rows_sql corrupt_first_element append_new_page);

# A primary with linal preloaded and created: it streams, compares each
# page its WAL rebuilds (wal_consistency_checking) and restarts after a
# backend crashes.
sub hnsw_primary
{
	my ($name) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(allows_streaming => 1);
	$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'linal'
wal_consistency_checking = 'generic'
max_parallel_workers_per_gather = 0
restart_after_crash = on
});
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION linal');
	return $node;
}

# A replica of $primary from a new backup, started.  A slot keeps the WAL,
# which full-page checks make large, until the replica has replayed it.
sub hnsw_standby
{
	my ($primary, $name) = @_;
	$primary->safe_psql('postgres', qq{SELECT pg_create_physical_replication_slot('$name', true)});
	$primary->backup('backup');
	my $standby = PostgreSQL::Test::Cluster->new($name);
	$standby->init_from_backup($primary, 'backup', has_streaming => 1);
	$standby->append_conf('postgresql.conf',
		"shared_preload_libraries = 'linal'\nprimary_slot_name = '$name'\n");
	$standby->start;
	return $standby;
}

# Two sessions run $insert_loop (a DO block that inserts and commits, over
# and over); after two seconds the first one's backend gets SIGKILL, so the
# postmaster stops every backend and recovers from the WAL.  Returns once
# the server answers again.
sub crash_during_inserts
{
	my ($node, $insert_loop) = @_;
	my $first = $node->background_psql('postgres', on_error_stop => 0);
	my $victim = $first->query_safe('SELECT pg_backend_pid()');
	$first->query_until(qr/inserting/, "\\echo inserting\n$insert_loop");
	my $second = $node->background_psql('postgres', on_error_stop => 0);
	$second->query_until(qr/inserting/, "\\echo inserting\n$insert_loop");
	sleep 2;
	kill 'KILL', $victim;
	eval { $first->quit };
	eval { $second->quit };
	$node->poll_query_until('postgres', 'SELECT 1', '1');
	return;
}

# linal_index_check's problems with $index, one per line: '' when none.
sub index_problems
{
	my ($node, $index) = @_;
	return $node->safe_psql('postgres',
		qq{SELECT string_agg(p, E'\\n') FROM linal_index_check('$index') p});
}

# SQL that is true when an index scan ordered by $order (say
# "v <-> tensor_fill('{16}', 0.5)") that goes on through the whole graph
# returns every row of $table: no element is lost.
sub all_rows_sql
{
	my ($table, $order) = @_;
	return qq{
	SET enable_seqscan = off; SET linal.batched_execution = off;
	SET linal.hnsw_max_scan_tuples = 1000000;
	SELECT (SELECT count(*) FROM (SELECT 1 FROM $table ORDER BY $order LIMIT 1000000) s)
	       = (SELECT count(*) FROM $table)};
}

# The path of $index's file, after a checkpoint has written it out and
# $node has stopped, so the file can be changed.
sub stop_for_index_file
{
	my ($node, $index) = @_;
	$node->safe_psql('postgres', 'CHECKPOINT');
	my $file = $node->data_dir . '/'
	  . $node->safe_psql('postgres', qq{SELECT pg_relation_filepath('$index')});
	$node->stop;
	return $file;
}

# Stops $node and hands the page of block 1 of $index's file and the
# offset of its first element tuple (type 1) to $patch, which changes the
# page in place; writes the page back and starts $node.  Returns whether
# block 1 held an element tuple (nothing is changed when it did not).
sub corrupt_first_element
{
	my ($node, $index, $patch) = @_;
	my $file = stop_for_index_file($node, $index);
	open(my $fh, '+<', $file) or die "open $file: $!";
	binmode $fh;
	my $page;
	sysseek($fh, 8192, 0) or die;
	sysread($fh, $page, 8192) == 8192 or die;
	# pd_lower, then the line pointers from byte 24
	my $lower = unpack('v', substr($page, 12, 2));
	my $element;
	for (my $lp = 24; $lp < $lower; $lp += 4)
	{
		my $off = unpack('V', substr($page, $lp, 4)) & 0x7FFF;
		if (ord(substr($page, $off, 1)) == 1) { $element = $off; last; }
	}
	if (defined $element)
	{
		$patch->(\$page, $element);
		sysseek($fh, 8192, 0) or die;
		syswrite($fh, $page, 8192) == 8192 or die;
	}
	close($fh);
	$node->start;
	return defined $element;
}

# Stops $node, appends an all-zero page to $index's file (what a crash
# leaves when it comes between extending the file and the WAL record that
# fills the new page) and starts $node.  The table's rows stay where they
# were: only the index file grows.
sub append_new_page
{
	my ($node, $index) = @_;
	my $file = stop_for_index_file($node, $index);
	open(my $fh, '>>', $file) or die "open $file: $!";
	binmode $fh;
	print $fh "\0" x 8192 or die;
	close($fh) or die;
	$node->start;
	return;
}

1;
