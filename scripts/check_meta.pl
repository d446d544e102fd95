#!/usr/bin/perl
# Checks the PGXN metadata META.json against the repository; prints TAP.
#
#   scripts/check_meta.pl [pg_config]
#
# - META.json is valid JSON with the keys PGXN requires;
# - its versions agree with linal.control's default_version: PGXN wants a
#   semantic version (x.y.z) and PostgreSQL names the install script after
#   default_version (linal--1.0.sql), so default_version 'x.y' matches
#   META.json's 'x.y.0' and 'x.y.z' matches itself;
# - every file META.json names is in the repository (tracked, not built);
# - the PostgreSQL prerequisite (">= a.b.c, < d.e.f" or "a.b.c") admits the
#   server of pg_config, when one is given.
use strict;
use warnings;
use File::Basename qw(dirname);
use JSON::PP;

my $repo = dirname(dirname(__FILE__));
my $pg_config = shift @ARGV;
my $n = 0;
my $failed = 0;

sub check
{
	my ($ok, $name, $diag) = @_;
	$n++;
	print(($ok ? "ok" : "not ok") . " $n - $name\n");
	if (!$ok)
	{
		print "# $diag\n" if defined $diag;
		$failed++;
	}
}

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<', $path) or die "cannot read $path: $!\n";
	local $/;
	return <$fh>;
}

# a file of the repository: tracked by git when there is a git checkout (a
# built file such as linal--1.0.sql is not in a distribution made from it)
sub in_repository
{
	my ($path) = @_;
	return 0 unless -f "$repo/$path";
	return 1 unless system("git -C '$repo' rev-parse --git-dir >/dev/null 2>&1") == 0;
	return system("git -C '$repo' ls-files --error-unmatch -- '$path' >/dev/null 2>&1") == 0;
}

# "1.2.3" as a number comparable with <, missing parts 0
sub version_key
{
	my @p = (split(/\./, shift), 0, 0, 0);
	return $p[0] * 1e6 + $p[1] * 1e3 + $p[2];
}

my $meta = eval { decode_json(slurp("$repo/META.json")) };
check(defined $meta, "META.json is valid JSON", $@);
$meta //= {};

for my $key (qw(name abstract version maintainer license provides meta-spec))
{
	check(exists $meta->{$key}, "META.json has $key");
}

my ($default_version) = slurp("$repo/linal.control") =~ /^\s*default_version\s*=\s*'([^']*)'/m;
check(defined $default_version, "linal.control has a default_version");
$default_version //= '';
my $semver = $default_version =~ /^\d+\.\d+$/ ? "$default_version.0" : $default_version;

my $version = $meta->{version} // '';
check($version =~ /^\d+\.\d+\.\d+$/, "META.json version '$version' is a semantic version");
check($version eq $semver, "META.json version matches linal.control",
	"META.json has '$version', linal.control default_version '$default_version' (wants '$semver')");

my $provides = $meta->{provides} // {};
check(exists $provides->{linal}, "META.json provides the extension linal");
for my $ext (sort keys %$provides)
{
	my $p = $provides->{$ext};
	check(($p->{version} // '') eq $semver, "provides.$ext.version matches linal.control",
		"it is '" . ($p->{version} // '') . "', wants '$semver'");
	for my $key (qw(file docfile))
	{
		next unless defined $p->{$key};
		check(in_repository($p->{$key}), "provides.$ext.$key $p->{$key} is in the repository",
			"no file $p->{$key} in the repository (built files do not count)");
	}
}

my $requires = $meta->{prereqs}{runtime}{requires}{PostgreSQL};
check(defined $requires, "META.json requires a PostgreSQL version");
if (defined $requires && defined $pg_config)
{
	my ($server) = `$pg_config --version` =~ /PostgreSQL (\d+(?:\.\d+)*)/;
	my $ok = defined $server;
	$server //= '';
	for my $clause (split(/\s*,\s*/, $requires))
	{
		my ($op, $v) = $clause =~ /^\s*(>=|>|<=|<|==|!=)?\s*(\d+(?:\.\d+)*)\s*$/;
		if (!defined $v)
		{
			$ok = 0;
			last;
		}
		my ($s, $r) = (version_key($server), version_key($v));
		$op //= '>=';
		$ok &&= $op eq '>=' ? $s >= $r
		  : $op eq '>' ? $s > $r
		  : $op eq '<=' ? $s <= $r
		  : $op eq '<' ? $s < $r
		  : $op eq '==' ? $s == $r
		  : $s != $r;
	}
	check($ok, "the PostgreSQL prerequisite '$requires' admits the server ($server)");
}

print "1..$n\n";
exit($failed ? 1 : 0);
