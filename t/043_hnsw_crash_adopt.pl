# A crash in the middle of one insert must not leave committed elements
# hanging from it.  An insert links its new element back from the top layer
# down, so for a while the element is reachable through an upper layer but
# has no parent yet; another insert that finds it then must not take it as
# its own parent, or a crash before the first insert reaches layer 0 leaves
# the second's committed element with a parent that leads nowhere (what
# linal_index_check reports as "does not lead to the entry point").
#
# gdb stops session A at its first layer-0 back-link; session B inserts 30
# rows next to A's vector and commits; A is killed with SIGKILL and the
# server recovers.  A's level is random (an upper layer is there for about
# half of the attempts with m = 2), so the test makes several attempts and
# checks the index after each.  Skipped where gdb is not installed.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $attempts = 6;

if (system('gdb --version >/dev/null 2>&1') != 0)
{
	plan skip_all => 'gdb is not installed';
}

my $node = PostgreSQL::Test::Cluster->new('hnsw_crash_adopt');
$node->init;
$node->append_conf('postgresql.conf', qq{
restart_after_crash = on
autovacuum = off
});
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION linal;
	SELECT setseed(0.7);
	CREATE TABLE g (id serial PRIMARY KEY, v tensor(2));
	CREATE INDEX g_v ON g USING linal_hnsw (v tensor_l2_ops) WITH (m = 2, ef_construction = 10);
	INSERT INTO g (v) SELECT ARRAY[random() * 2 - 1, random() * 2 - 1]::real[]::tensor
	FROM generate_series(1, 300);
});

my $committed = 300;
for my $attempt (1 .. $attempts)
{
	my $a = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $a->query_safe('SELECT pg_backend_pid()');
	$a->query_safe(q{LOAD 'linal'});

	my ($gdb_in, $gdb_out) = ('', '');
	my $gdb = IPC::Run::start(
		[ 'gdb', '-p', $pid, '-batch', '-ex', 'set pagination off',
		  '-ex', 'break hnswinsert.c:add_link if layer == 0',
		  '-ex', 'continue', '-ex', 'shell sleep 300' ],
		'<', \$gdb_in, '>&', \$gdb_out,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	# the breakpoint is set before gdb lets the backend go on
	$gdb->pump until $gdb_out =~ /Breakpoint 1 at|No symbol table|No source file|ptrace|denied/;
	if ($gdb_out !~ /Breakpoint 1 at/)
	{
		$gdb->kill_kill;
		$a->quit;
		diag($gdb_out);
		plan skip_all => 'gdb cannot stop a backend here (no permission or no symbols)'
		  if $attempt == 1;
		fail("attempt $attempt: gdb set its breakpoint");
		last;
	}

	# A inserts and stops at its first layer-0 back-link
	$a->query_until(qr/inserting/, "\\echo inserting\nINSERT INTO g (v) VALUES ('[0,0]');\n");
	$gdb->pump until $gdb_out =~ /Breakpoint 1,/;

	# B inserts next to A's vector and commits; when A will be the new entry
	# point it holds the update lock exclusively, B waits for it, and the
	# attempt checks only the recovery
	my ($ret) = $node->psql('postgres', q{
		SET lock_timeout = '5s';
		DO $$
		BEGIN
			FOR i IN 1..30 LOOP
				INSERT INTO g (v) VALUES (ARRAY[(random() - 0.5) * 0.01, (random() - 0.5) * 0.01]::real[]::tensor);
			END LOOP;
		END $$;
	});
	$committed += 30 if $ret == 0;

	# the postmaster learns of the death once the tracer is gone
	kill 'KILL', $pid;
	$gdb->kill_kill(grace => 0);
	eval { $a->quit };
	$node->poll_query_until('postgres', 'SELECT 1', '1');
	is($node->safe_psql('postgres', q{SELECT string_agg(p, E'\n') FROM linal_index_check('g_v') p}),
		'', "attempt $attempt: after a crash mid-insert, linal_index_check finds no problem");
}
is($node->safe_psql('postgres', 'SELECT count(*) FROM g'), $committed,
	'every committed row is there');

$node->stop;
done_testing();
