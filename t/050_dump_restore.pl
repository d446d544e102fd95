# pg_dump and restore keep every tensor exactly: tensors of rank 0 to 8,
# extreme and denormal elements, zero-size dimensions, typmod'd columns
# (tensor(3), tensor(2,2); rank 3 through a domain, since typmods stop at
# matrices), a view over linal operators, a btree index on a tensor column
# and linal_hnsw indexes with options.  Each dump form is restored into a
# new database and compared with the source: plain (COPY), custom format
# through pg_restore, --inserts and --column-inserts, and COPY ... (FORMAT
# binary) and (FORMAT text) of the table on their own.  The comparison
# hashes both the text and the binary form of every value, so a value that
# prints alike but differs in bits (-0, a denormal) would be caught.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;

my $tmp = PostgreSQL::Test::Utils::tempdir;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
CREATE EXTENSION linal;

-- rank 0 to 8, with elements from 1e-30 to 1e32 of both signs; empty
-- tensors, zero-size dimensions (a declared shape far larger than its
-- data), float4's extremes and denormals, -0, a NULL
CREATE TABLE ranks (id int PRIMARY KEY, t tensor);
INSERT INTO ranks
SELECT r,
	   reshape(ARRAY(SELECT ((i * 7919) % 1000 - 500) * 10::float8 ^ ((i * 13 + r) % 63 - 30)
					 FROM generate_series(1, (2 ^ r)::int) i)::double precision[]::tensor,
			 array_fill(2, ARRAY[r]))
FROM generate_series(0, 8) r;
INSERT INTO ranks VALUES
	(100, '[]'), (101, '[[],[]]'), (102, tensor_fill('{3,2,0}')), (103, tensor_fill('{2,1,1,1,1,1,1,0}')),
	(104, tensor_fill('{1000000,0}')),
	(105, '[1e-45,-1.4e-45,1.17549435e-38,3.4028235e38,-3.4028235e38,0,-0,0.1,16777217]'),
	(106, NULL);

-- typmods, a rank-3 shape through a domain, and a domain over a typmod
CREATE DOMAIN cube2 AS tensor CHECK (shape(VALUE) = '{2,2,2}');
CREATE DOMAIN vec3 AS tensor(3);
CREATE TABLE typed (id int PRIMARY KEY, a tensor(3), b tensor(2,2), c cube2, d vec3);
INSERT INTO typed
SELECT i, ARRAY[i, -i, i / 7.0]::real[], ARRAY[[i, 1], [2, -i]]::real[],
	   tensor_fill('{2,2,2}', i * 0.25), ARRAY[i, i, i]
FROM generate_series(1, 50) i;

-- vectors for the HNSW indexes (with options) and a btree index
CREATE TABLE items (id int PRIMARY KEY, v tensor(8));
INSERT INTO items
SELECT i, ARRAY(SELECT sin(i * 0.37 + j) * 10 FROM generate_series(1, 8) j)::real[]
FROM generate_series(1, 2000) i;
CREATE INDEX items_l2 ON items USING linal_hnsw (v tensor_l2_ops) WITH (m = 8, ef_construction = 40);
CREATE INDEX items_cos ON items USING linal_hnsw (v tensor_cosine_ops) WITH (m = 12);
CREATE INDEX items_btree ON items (v);

-- a view over linal operators and functions
CREATE VIEW typed_view AS
SELECT id, a <-> '[1,2,3]'::tensor AS l2, a <=> '[1,0,0]' AS cosine, b @ b AS square,
	   transpose(b) AS bt, tensor_sum(c) AS total, (b * 2.0 + b)[1] AS row1
FROM typed;
});

# what must come back identical: every value as text and as binary, the
# view's rows and definition, the index options, linal_stats's privileges
my %queries = (
	ranks => q{SELECT count(*), md5(string_agg(coalesce(t::text, 'NULL'), '|' ORDER BY id)),
		md5(string_agg(coalesce(encode(tensor_send(t), 'hex'), 'NULL'), '|' ORDER BY id)),
		string_agg(coalesce(array_to_string(shape(t), ','), 'NULL'), ';' ORDER BY id) FROM ranks},
	typed => q{SELECT count(*), md5(string_agg(a::text || b::text || c::text || d::text, '|' ORDER BY id)),
		md5(string_agg(encode(tensor_send(a) || tensor_send(b) || tensor_send(c) || tensor_send(d), 'hex'), '|' ORDER BY id))
		FROM typed},
	columns => q{SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
		FROM pg_attribute WHERE attrelid = 'typed'::regclass AND attnum > 0},
	items => q{SELECT count(*), md5(string_agg(encode(tensor_send(v), 'hex'), '|' ORDER BY id)) FROM items},
	view => q{SELECT md5(string_agg(format('%s %s %s %s %s %s %s', id, l2, cosine, square, bt, total, row1), '|' ORDER BY id))
		FROM typed_view},
	viewdef => q{SELECT pg_get_viewdef('typed_view'::regclass)},
	privileges => q{SELECT (SELECT string_agg(oid::regprocedure || ' ' || coalesce(proacl::text, 'default'), '; ' ORDER BY oid::regprocedure::text)
			FROM pg_proc WHERE proname LIKE 'linal\_stats%'),
		(SELECT relacl FROM pg_class WHERE oid = 'linal_stats'::regclass)},
	indexes => q{SELECT string_agg(indexrelid::regclass || ' ' || pg_get_indexdef(indexrelid), '; ' ORDER BY indexrelid::regclass::text)
		FROM pg_index WHERE indrelid = 'items'::regclass},
);

sub snapshot
{
	my ($db) = @_;
	my %result;
	for my $name (sort keys %queries)
	{
		$result{$name} = $node->safe_psql($db, $queries{$name});
	}
	return \%result;
}

my $source = snapshot('src');
like($source->{ranks}, qr/^16\|/, 'source holds the 16 rows of ranks');
like($source->{columns}, qr/a tensor\(3\), b tensor\(2,2\), c cube2, d vec3/, 'source typmods');
like($source->{privileges}, qr/linal_stats\(\) \{[^}]*pg_read_all_stats=X/, 'source privileges of linal_stats()');

# the nearest neighbours of a few vectors, by index and by exact scan
my $knn = q{SELECT string_agg(id::text, ',' ORDER BY n, rank) FROM (
	SELECT q.n, i.id, row_number() OVER (PARTITION BY q.n ORDER BY i.v <-> q.v, i.id) AS rank
	FROM (SELECT id AS n, v FROM items WHERE id IN (7, 700, 1400)) q,
	LATERAL (SELECT id, v FROM items ORDER BY v <-> q.v LIMIT 5) i) s};

# Checks a restored database against the source and that its indexes work.
sub check_restored
{
	my ($db, $form) = @_;
	my $restored = snapshot($db);
	for my $name (sort keys %queries)
	{
		is($restored->{$name}, $source->{$name}, "$form: $name identical");
	}

	my $plan = $node->safe_psql($db, qq{SET enable_seqscan = off; SET linal.batched_execution = off;
		EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY v <-> '[1,2,3,4,5,6,7,8]' LIMIT 5});
	like($plan, qr/Index Scan using items_l2/, "$form: the HNSW index is used");
	my $by_index = $node->safe_psql($db, "SET enable_seqscan = off; SET linal.batched_execution = off; $knn");
	my $exact = $node->safe_psql($db, "SET enable_indexscan = off; SET linal.batched_execution = off; $knn");
	is($by_index, $exact, "$form: the HNSW index finds the exact neighbours");
	is($node->safe_psql($db, q{SELECT count(*) FROM linal_index_check('items_l2')}), '0',
		"$form: linal_index_check finds the restored graph healthy");

	my $btree = $node->safe_psql($db, q{SET enable_seqscan = off;
		EXPLAIN (COSTS OFF) SELECT id FROM items WHERE v = (SELECT v FROM items WHERE id = 42)});
	like($btree, qr/Index Scan (using|on) items_btree/, "$form: the btree index is used");
	is($node->safe_psql($db, q{SET enable_seqscan = off;
		SELECT id FROM items WHERE v = (SELECT v FROM items WHERE id = 42)}), '42',
		"$form: the btree index finds a row");
	return;
}

my $n = 0;
sub new_db
{
	my $db = 'dst' . ++$n;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	return $db;
}

# plain format (data as COPY), restored with psql
my $db = new_db();
$node->command_ok([ 'pg_dump', '-d', $node->connstr('src'), '-f', "$tmp/plain.sql" ], 'pg_dump plain');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db), '-f', "$tmp/plain.sql" ],
	'plain dump restores');
check_restored($db, 'plain');

# custom format through pg_restore
$db = new_db();
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('src'), '-f', "$tmp/dump.custom" ], 'pg_dump custom');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr($db), "$tmp/dump.custom" ],
	'custom dump restores');
check_restored($db, 'custom');

# data as INSERT statements
for my $mode ('--inserts', '--column-inserts')
{
	$db = new_db();
	$node->command_ok([ 'pg_dump', $mode, '-d', $node->connstr('src'), '-f', "$tmp/inserts.sql" ], "pg_dump $mode");
	$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db), '-f', "$tmp/inserts.sql" ],
		"$mode dump restores");
	check_restored($db, $mode);
}

# COPY of the tables alone, binary and text, into a schema-only restore
for my $format ('binary', 'text')
{
	$db = new_db();
	$node->command_ok([ 'pg_dump', '--schema-only', '-d', $node->connstr('src'), '-f', "$tmp/schema.sql" ],
		'pg_dump --schema-only');
	$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db), '-f', "$tmp/schema.sql" ],
		'schema restores');
	for my $table ('ranks', 'typed', 'items')
	{
		$node->safe_psql('src', "COPY $table TO '$tmp/$table.$format' (FORMAT $format)");
		$node->safe_psql($db, "COPY $table FROM '$tmp/$table.$format' (FORMAT $format)");
	}
	check_restored($db, "COPY $format");
}

# a binary COPY into typmod'd columns of another shape is refused
$node->safe_psql('src', 'CREATE TABLE wrong (id int, a tensor(4), b tensor(2,2), c cube2, d vec3)');
my ($ret, $stdout, $stderr) = $node->psql('src', "COPY wrong FROM '$tmp/typed.binary' (FORMAT binary)");
isnt($ret, 0, 'binary COPY into tensor(4) of tensor(3) data fails');
like($stderr, qr/tensor shape does not match type tensor\(4\)/, 'and says which typmod');

$node->stop;
done_testing();
