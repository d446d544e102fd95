# linal_hnsw WITH (quantization = 'int8'): the graph of CREATE INDEX holds
# the rows' 8-bit codes and searches on them, but chooses each new row's
# links by the distance of its floats to the codes, not code to code.
#
# On 30 rows with m = 16 every layer-0 list holds all 29 other rows, sorted
# nearest first by the distance the build measured, whatever levels the
# build drew: the lists, read from the index's file, show which distance
# that was.  Every row has an element of 100 in the same place, which is no
# part of any distance but makes an int8 code's step about 0.4, so code
# distances order the rows otherwise than exact ones.  The list of the last
# row inserted holds the distances of its floats to the others' codes;
# every list of a float4 index the exact ones.  Then builds past
# maintenance_work_mem (serial and parallel), whose remaining rows are
# inserted on disk from their floats, and inserts after the build.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('int8_graph');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'linal'
max_parallel_workers_per_gather = 0
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION linal');
$node->safe_psql('postgres', q{
	SELECT setseed(0.5);
	CREATE TABLE g (id int PRIMARY KEY, v tensor(16), h halftensor(16));
	INSERT INTO g
	SELECT id, x, x::halftensor
	FROM (SELECT id, (ARRAY[100::real] || ARRAY(SELECT (random() * 2 - 1)::real
	                                            FROM generate_series(1, 15 + 0 * id)))::tensor AS x
	      FROM generate_series(1, 30) id) s;
	SET max_parallel_maintenance_workers = 0;
	CREATE INDEX g_none ON g USING linal_hnsw (v tensor_l2_ops) WITH (m = 16);
	CREATE INDEX g_int8 ON g USING linal_hnsw (v tensor_l2_ops) WITH (m = 16, quantization = 'int8');
	CREATE INDEX g_half ON g USING linal_hnsw (h halftensor_l2_ops) WITH (m = 16, quantization = 'int8');
	CHECKPOINT;
});

my $block_size = $node->safe_psql('postgres', 'SHOW block_size');

# heap TID "block,offset" -> id
my %id_of;
foreach my $row (split /\n/, $node->safe_psql('postgres', q{SELECT ctid, id FROM g}))
{
	my ($ctid, $id) = split /\|/, $row;
	$ctid =~ /\((\d+),(\d+)\)/ or die "ctid $ctid";
	$id_of{"$1,$2"} = $id;
}

sub tid_at
{
	my ($page, $at) = @_;
	my ($hi, $lo, $offset) = unpack('v v v', substr($page, $at, 6));
	return (($hi << 16) | $lo) . ",$offset";
}

# id -> the ids its layer-0 list links to, in the list's order, from the
# index's file (the element and neighbour tuples of hnsw.h)
sub layer0_lists
{
	my ($index, $m) = @_;
	my $path = $node->data_dir . '/' .
	  $node->safe_psql('postgres', "SELECT pg_relation_filepath('$index')");
	my $file = slurp_file($path);
	my (%element, %neighbors);
	for (my $block = 1; $block * $block_size < length($file); $block++)
	{
		my $page = substr($file, $block * $block_size, $block_size);
		my $lower = unpack('v', substr($page, 12, 2));
		for (my $item = 1; 24 + 4 * $item <= $lower; $item++)
		{
			my $lp = unpack('V', substr($page, 24 + 4 * ($item - 1), 4));
			next unless (($lp >> 15) & 3) == 1;    # LP_NORMAL
			my $at = $lp & 0x7FFF;
			my $type = unpack('C', substr($page, $at, 1));
			if ($type == 1)
			{
				$element{"$block,$item"} =
				  { heap => tid_at($page, $at + 4), neighbors => tid_at($page, $at + 10) };
			}
			elsif ($type == 2)
			{
				my @slots;
				for my $k (0 .. 2 * $m - 1)
				{
					my $tid = tid_at($page, $at + 4 + 6 * $k);
					push @slots, $tid unless $tid =~ /,0$/;
				}
				$neighbors{"$block,$item"} = \@slots;
			}
		}
	}
	my %lists;
	foreach my $e (values %element)
	{
		my $links = $neighbors{ $e->{neighbors} } or die "no neighbour tuple";
		$lists{ $id_of{ $e->{heap} } } =
		  join(',', map { $id_of{ $element{$_}->{heap} } } @$links);
	}
	return \%lists;
}

# how many of the index's layer-0 lists hold every other row in the order
# of the exact distance of column $column
sub exact_lists
{
	my ($index, $column) = @_;
	my $lists = layer0_lists($index, 16);
	my $same = 0;
	foreach my $row (split /\n/, $node->safe_psql('postgres', qq{
		SELECT a.id, array_to_string(array_agg(b.id ORDER BY a.$column <-> b.$column, b.id), ',')
		FROM g a JOIN g b ON a.id <> b.id GROUP BY a.id}))
	{
		my ($id, $order) = split /\|/, $row;
		$same++ if defined $lists->{$id} && $lists->{$id} eq $order;
	}
	return $same;
}

# the other rows in the order of the distance of row $id's floats (of
# column $column) to their int8 codes: each code decoded as the index does,
# x^_i = lo + step * c_i, c_i the nearest of 256 levels from the row's min
# to its max
sub float_to_code_order
{
	my ($column, $id) = @_;
	return $node->safe_psql('postgres', qq{
		WITH r AS (SELECT id, ${column}::tensor::real[] AS a FROM g),
		c AS (SELECT id, a, lo, ((hi::float8 - lo::float8) / 255)::real AS step
		      FROM (SELECT id, a, (SELECT min(e) FROM unnest(a) e) AS lo,
		                   (SELECT max(e) FROM unnest(a) e) AS hi FROM r) s),
		d AS (SELECT c.id,
		             (SELECT sum((x.e::float8 -
		                          (c.lo + c.step * least(255, greatest(0,
		                               round((c.a[x.i]::float8 - c.lo::float8) / c.step::float8)))::real)::float8) ^ 2)
		              FROM unnest((SELECT a FROM r WHERE id = $id)) WITH ORDINALITY x(e, i)) AS dist
		      FROM c WHERE c.id <> $id)
		SELECT string_agg(id::text, ',' ORDER BY dist, id) FROM d});
}

# how many of the index's layer-0 lists hold all 29 other rows
sub full_lists
{
	my ($index) = @_;
	my $lists = layer0_lists($index, 16);
	return scalar grep { scalar(split /,/, $lists->{$_}) == 29 } keys %$lists;
}

is(exact_lists('g_none', 'v'), 30,
	'unquantized index: every layer-0 list holds the other rows in exact distance order');
foreach my $case (['g_int8', 'v', 'int8 index'], ['g_half', 'h', 'int8 index of halftensor keys'])
{
	my ($index, $column, $name) = @$case;
	my $lists = layer0_lists($index, 16);
	my $order = float_to_code_order($column, 30);

	is(full_lists($index), 30, "$name: every layer-0 list holds the 29 other rows");
	# row 30 came last: no later insert reordered its list
	is($lists->{30}, $order,
		"$name: the last row's list is in the order of its floats' distances to the codes");
	isnt($order, $node->safe_psql('postgres', qq{
		SELECT string_agg(b.id::text, ',' ORDER BY a.$column <-> b.$column, b.id)
		FROM g a JOIN g b ON a.id = 30 AND b.id <> 30}),
		"$name: which is not the exact order, so the test tells them apart");
}
# the codes do order the rows otherwise: a graph built on them would not pass
is($node->safe_psql('postgres', q{
	SET enable_seqscan = off; SET linal.batched_execution = off;
	SET linal.hnsw_ef_search = 100; SET linal.hnsw_iterative_scan = off;
	SELECT count(*) FROM g WHERE id = (SELECT id FROM g x ORDER BY x.v <-> g.v LIMIT 1)}),
	'30', 'each row is its own nearest through the int8 index');

# builds past maintenance_work_mem: the rows that did not fit are inserted on
# disk (serially, then by parallel workers), searching with their floats
$node->safe_psql('postgres', q{
	SELECT setseed(0.25);
	CREATE TABLE centers AS
	SELECT c, ARRAY(SELECT (random() * 4 - 2)::real FROM generate_series(1, 128 + 0 * c)) AS mu
	FROM generate_series(0, 19) c;
	CREATE TABLE items (id int PRIMARY KEY, v tensor(128)) WITH (parallel_workers = 2);
	INSERT INTO items
	SELECT id, (ARRAY(SELECT (mu[d] + 0.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::real
	                  FROM generate_series(1, 128) d))::tensor(128)
	FROM generate_series(1, 3000) id JOIN centers ON c = id % 20;
	CREATE TABLE queries AS
	SELECT qid, (ARRAY(SELECT (mu[d] + 0.3 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::real
	                   FROM generate_series(1, 128) d))::tensor(128) AS q
	FROM generate_series(1, 30) qid JOIN centers ON c = qid % 20;
	ANALYZE items;
});
my $recall_sql = q{
	SET enable_seqscan = off; SET linal.batched_execution = off; SET linal.hnsw_ef_search = 100;
	WITH approx AS (
		SELECT qid, ARRAY(SELECT id FROM items ORDER BY v <-> q LIMIT 10) AS ids FROM queries),
	exact AS (
		SELECT qid, ARRAY(SELECT id FROM items ORDER BY (v <-> q) + 0 LIMIT 10) AS ids FROM queries)
	SELECT round(avg((SELECT count(*) FROM unnest(a.ids) x WHERE x = ANY (e.ids)) / 10.0), 3)
	FROM approx a JOIN exact e USING (qid)};
foreach my $workers (0, 2)
{
	my $kind = $workers ? 'parallel' : 'serial';
	my ($ret, $out, $err) = $node->psql('postgres', qq{
		SET client_min_messages = debug1;
		SET max_parallel_maintenance_workers = $workers;
		SET maintenance_work_mem = '1MB';
		DROP INDEX IF EXISTS items_v;
		CREATE INDEX items_v ON items USING linal_hnsw (v tensor_l2_ops) WITH (quantization = 'int8')});
	is($ret, 0, "$kind int8 build past maintenance_work_mem succeeds");
	like($err, qr/graph does not fit in maintenance_work_mem/, "$kind int8 build: rows spilled");
	like($err, qr/inserting \d+ spilled rows/, 'the spilled rows were inserted by the parallel phase')
	  if $workers;
	is($node->safe_psql('postgres', q{SELECT string_agg(p, E'\n') FROM linal_index_check('items_v') p}),
		'', "$kind int8 build past maintenance_work_mem passes linal_index_check");
	my $recall = $node->safe_psql('postgres', $recall_sql);
	cmp_ok($recall, '>=', 0.95, "$kind int8 build past maintenance_work_mem: recall\@10 >= 0.95 (got $recall)");
}

# inserts after the build search with the new row's floats too
$node->safe_psql('postgres', q{
	INSERT INTO items SELECT id + 3000, v * 1.01 FROM items WHERE id <= 500;
	INSERT INTO g (id, v) SELECT id + 30, v * 1.01 FROM g;
});
is($node->safe_psql('postgres', q{SELECT string_agg(p, E'\n') FROM linal_index_check('items_v') p}),
	'', 'the int8 index passes linal_index_check after inserts');
my $recall = $node->safe_psql('postgres', $recall_sql);
cmp_ok($recall, '>=', 0.95, "int8 index after inserts: recall\@10 >= 0.95 (got $recall)");
is($node->safe_psql('postgres', q{
	SET enable_seqscan = off; SET linal.batched_execution = off; SET linal.hnsw_ef_search = 100;
	SELECT count(*) FROM g WHERE id = (SELECT id FROM g x ORDER BY x.v <-> g.v LIMIT 1)}),
	'60', 'each inserted row is its own nearest through the int8 index');
is($node->safe_psql('postgres', q{SELECT string_agg(p, E'\n') FROM linal_index_check('g_int8') p}),
	'', 'the small int8 index passes linal_index_check after inserts');

$node->stop;
done_testing();
