#!/usr/bin/env bash
# Runs every linal test on this machine and ends with one line
# "N passed, N failed"; exits non-zero if anything failed.
#
#   sudo scripts/test.sh          (as root on Debian 12; installs what it needs)
#
# Steps: install Debian packages that are missing, build with -Werror,
# install into the server of $PG_CONFIG, start a throwaway cluster as the
# postgres user on a private socket directory, run the regression suite
# without and then with linal in shared_preload_libraries, the companion
# extension linal_pgvector where pgvector is installed, the TAP tests,
# the client modules (clients/python, clients/node) against that cluster,
# the kernel unit tests, the META.json check, a short fuzz run, and then
# the regression and TAP suites again on PostgreSQL 17 in a Debian trixie
# chroot (scripts/pg17.sh; its counts are added to the total).
#
# Environment:
#   PG_CONFIG        pg_config of the target server (default: PostgreSQL 15)
#   LINAL_FUZZ_RUNS  inputs for the short fuzz run (default 200000)
#   LINAL_KEEP       set to keep the work directory (logs, diffs) afterwards
#   LINAL_TEST_PORT  port of the throwaway cluster (default 55432)
#   LINAL_SKIP       steps to leave out, space separated: packages companion
#                    clients kernels meta fuzz icount tap pg17 (scripts/pg17.sh
#                    skips the ones that do not apply inside its chroot)
#   LINAL_PG17_TAP   0 to run only the regression suite on PostgreSQL 17
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
fuzz_runs=${LINAL_FUZZ_RUNS:-200000}
port=${LINAL_TEST_PORT:-55432}
packages=(make gcc postgresql-15 postgresql-server-dev-15 libopenblas-dev
	libipc-run-perl clang-14 libclang-rt-14-dev valgrind gdb
	python3-psycopg python3-psycopg2 python3-sqlalchemy python3-numpy)
# Node and npm for clients/node: Debian's, unless some node is installed
# already (another build's nodejs package may ship npm itself).
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

passed=0
failed=0
work=""
pgdata=""

say() { printf '\n=== %s\n' "$*"; }

# True unless the step is listed in LINAL_SKIP.
want() { [[ " ${LINAL_SKIP:-} " != *" $1 "* ]]; }

finish() {
	if [ -n "$pgdata" ] && [ -f "$pgdata/postmaster.pid" ]; then
		as_pg "$bindir/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1
	fi
	if [ -n "$work" ] && [ -z "${LINAL_KEEP:-}" ]; then
		rm -rf "$work"
	elif [ -n "$work" ]; then
		echo "work directory kept: $work"
	fi
}
trap finish EXIT

summary_and_exit() {
	echo
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# Runs a command as the user that owns the cluster.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- env PATH="$PATH" "$@"
	else
		"$@"
	fi
}

# Counts TAP lines ("ok N", "not ok N") in a file; prints failures.
count_tap() {
	local file=$1 ok bad
	ok=$(grep -cE '^[[:space:]]*ok [0-9]+' "$file")
	bad=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$file")
	grep -E '^[[:space:]]*not ok [0-9]+' "$file"
	passed=$((passed + ok))
	failed=$((failed + bad))
	echo "TAP: $ok passed, $bad failed"
}

# A step that must succeed for the rest to make sense.
require() {
	local what=$1
	shift
	if ! "$@"; then
		echo "FAILED: $what"
		failed=$((failed + 1))
		summary_and_exit
	fi
}

install_packages() {
	local missing=()
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]} (run as root to install them)"
		return 1
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
}

build_and_install() {
	make -C "$repo" -s PG_CONFIG="$PG_CONFIG" clean >/dev/null &&
		make -C "$repo" -s PG_CONFIG="$PG_CONFIG" COPT=-Werror -j2 &&
		make -C "$repo" -s PG_CONFIG="$PG_CONFIG" install >/dev/null
}

# Copies the tree where the postgres user may write results and logs.
prepare_work() {
	work=$(mktemp -d /tmp/linal-test.XXXXXX) || return 1
	mkdir -p "$work/tree" "$work/sock" || return 1
	tar -C "$repo" --exclude=.git -cf - . | tar -C "$work/tree" -xf - || return 1
	chmod 755 "$work"
	[ "$(id -u)" -eq 0 ] && chown -R postgres: "$work"
	return 0
}

start_cluster() {
	pgdata="$work/data"
	as_pg "$bindir/initdb" -D "$pgdata" -A trust -U postgres --no-sync >"$work/initdb.log" 2>&1 ||
		{ cat "$work/initdb.log"; return 1; }
	cat >>"$pgdata/postgresql.conf" <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$work/sock'
		port = $port
		fsync = off
		max_worker_processes = 16
		max_parallel_workers_per_gather = 2
	EOF
	as_pg "$bindir/pg_ctl" -D "$pgdata" -l "$work/server.log" -w start >/dev/null ||
		{ cat "$work/server.log"; return 1; }
}

restart_cluster() {
	as_pg "$bindir/pg_ctl" -D "$pgdata" -l "$work/server.log" -w restart -m fast >/dev/null ||
		{ tail -n 50 "$work/server.log"; return 1; }
}

# pg_regress through the Makefile of $work/tree (or of its subdirectory
# $2); counts "... ok" and "... FAILED" lines, and one failure more if
# pg_regress stopped without reporting one (a missing expected file ends
# the run with the tests after it neither ok nor FAILED).
run_regression() {
	local label=$1 dir="$work/tree${2:+/$2}" out="$work/regress-$1.log" ok bad rc
	as_pg env PGHOST="$work/sock" PGPORT=$port PGUSER=postgres \
		make -C "$dir" -s PG_CONFIG="$PG_CONFIG" installcheck >"$out" 2>&1
	rc=$?
	# "name ... ok" up to 15, "ok N - name" (TAP style) from 16 on
	ok=$(grep -cE '\.\.\. ok|^ok [0-9]+ ' "$out")
	bad=$(grep -cE '\.\.\. (FAILED|failed)|^not ok [0-9]+ ' "$out")
	if { [ "$ok" -eq 0 ] || [ "$rc" -ne 0 ]; } && [ "$bad" -eq 0 ]; then
		tail -n 20 "$out"
		bad=1
	fi
	grep -E '\.\.\. (FAILED|failed)|^not ok [0-9]+ ' "$out"
	if [ -f "$dir/regression.diffs" ] && [ "$bad" -gt 0 ]; then
		head -n 300 "$dir/regression.diffs"
		cp "$dir/regression.diffs" "$work/regression-$label.diffs"
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	echo "regression ($label): $ok passed, $bad failed"
}

# The companion extension linal_pgvector (casts to and from pgvector's
# types) needs pgvector installed for the server under test: Debian 12 has
# no pgvector package, so on PostgreSQL 15 this prints why it is skipped;
# the PostgreSQL 17 chroot has postgresql-17-pgvector.
run_companion() {
	local vector_control
	vector_control="$("$PG_CONFIG" --sharedir)/extension/vector.control"
	if [ ! -f "$vector_control" ]; then
		echo "linal_pgvector skipped: pgvector is not installed for this server (no $vector_control)"
		return 0
	fi
	if ! make -C "$repo/linal_pgvector" -s PG_CONFIG="$PG_CONFIG" clean >/dev/null ||
		! make -C "$repo/linal_pgvector" -s PG_CONFIG="$PG_CONFIG" COPT=-Werror ||
		! make -C "$repo/linal_pgvector" -s PG_CONFIG="$PG_CONFIG" install >/dev/null; then
		echo "FAILED: build and install linal_pgvector"
		failed=$((failed + 1))
		return
	fi
	run_regression companion linal_pgvector
}

run_tap() {
	local out="$work/tap.log"
	ls "$work/tree"/t/*.pl >/dev/null 2>&1 || { echo "no TAP tests"; return 0; }
	as_pg make -C "$work/tree" -s PG_CONFIG="$PG_CONFIG" PROVE_FLAGS=-v \
		prove_installcheck >"$out" 2>&1
	local rc=$?
	count_tap "$out"
	if [ $rc -ne 0 ]; then
		# each failed assertion with what it got (its diagnostics), then
		# the end of the run, for a script that died
		awk '/^#[[:space:]]+Failed test/ { n = 40 }
			n > 0 && /^#/ { print; n-- ; next } { n = 0 }' "$out"
		grep -E '^(t/|#)' "$out" | tail -n 60
		# a script that died before its plan finished counts as one failure
		if ! grep -qE '^[[:space:]]*not ok' "$out"; then
			failed=$((failed + 1))
		fi
	fi
}

# One client test runner whose output is TAP: counts it, and a runner that
# failed without a "not ok" line (died, or could not start) as one failure.
run_client_runner() {
	local label=$1 out=$2
	shift 2
	"$@" >"$out" 2>&1
	local rc=$?
	count_tap "$out"
	if [ $rc -ne 0 ] && ! grep -qE '^[[:space:]]*not ok' "$out"; then
		tail -n 30 "$out"
		echo "FAILED: $label client tests (exit $rc)"
		failed=$((failed + 1))
	fi
}

# The Python (Debian's /usr/bin/python3 with Debian's drivers, not whatever
# python3 is first on PATH) and Node client modules, in a database of their
# own on the throwaway cluster. npm must reach pg: if it cannot, that counts
# as a failure rather than a skipped test.
run_clients() {
	local db=linal_clients
	as_pg "$bindir/psql" -X -q -h "$work/sock" -p $port -U postgres -d postgres \
		-c "CREATE DATABASE $db" >/dev/null &&
		as_pg "$bindir/psql" -X -q -h "$work/sock" -p $port -U postgres -d $db \
			-c "CREATE EXTENSION linal" >/dev/null ||
		{ echo "FAILED: client test database"; failed=$((failed + 1)); return; }
	local env=(env PGHOST="$work/sock" PGPORT=$port PGUSER=postgres PGDATABASE=$db
		PYTHONDONTWRITEBYTECODE=1)
	echo "python:"
	run_client_runner python "$work/clients-python.log" \
		"${env[@]}" /usr/bin/python3 "$work/tree/clients/python/run_tests.py"
	echo "node:"
	if ! (cd "$work/tree/clients/node" && npm ci --no-audit --no-fund) >"$work/npm.log" 2>&1; then
		tail -n 20 "$work/npm.log"
		echo "FAILED: npm ci in clients/node"
		failed=$((failed + 1))
		return
	fi
	run_client_runner node "$work/clients-node.log" \
		"${env[@]}" sh -c "cd '$work/tree/clients/node' && exec node --test --test-reporter=tap test/tensor.test.js"
}

run_kernel_tests() {
	local out="$work/kernels.log"
	[ -f "$work/tree/test/kernels/Makefile" ] || { echo "no kernel tests"; return 0; }
	make -C "$work/tree/test/kernels" -s test_kernels >"$out" 2>&1 &&
		"$work/tree/test/kernels/test_kernels" >>"$out" 2>&1
	local rc=$?
	count_tap "$out"
	if [ $rc -ne 0 ] && ! grep -qE '^not ok' "$out"; then
		tail -n 30 "$out"
		failed=$((failed + 1))
	fi
}

run_fuzz() {
	local out="$work/fuzz.log"
	[ -x "$repo/fuzz/run" ] || { echo "no fuzz harness"; return 0; }
	"$repo/fuzz/run" --corpus-only >"$out" 2>&1
	count_tap "$out"
	if TMPDIR="$work" "$repo/fuzz/run" "$fuzz_runs" >"$work/fuzz-run.log" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	tail -n 1 "$work/fuzz-run.log"
}

run_icount() {
	local out="$work/icount.log"
	TMPDIR="$work" PG_CONFIG="$PG_CONFIG" "$repo/bench/icount/run" >"$out" 2>&1
	local rc=$?
	count_tap "$out"
	if [ $rc -ne 0 ] && ! grep -qE '^not ok' "$out"; then
		tail -n 20 "$out"
		failed=$((failed + 1))
	fi
}

# The suites on PostgreSQL 17; the last line of scripts/pg17.sh holds its
# counts.
run_pg17() {
	local out="$work/pg17.log" start=$SECONDS line
	LINAL_TEST_PORT=$((port + 1)) bash "$repo/scripts/pg17.sh" >"$out" 2>&1
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		tail -n 40 "$out"
		failed=$((failed + 1))
		return
	fi
	local ok=${line%% passed*} bad=${line#*, }
	bad=${bad%% failed}
	if [ "$bad" -gt 0 ]; then
		sed -n '/^=== regression/,$p' "$out" | head -n 300
	else
		grep -E '^(=== |regression |TAP: |chroot built|chroot: installed|TAP tests skipped|linal_pgvector skipped)' "$out"
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	echo "PostgreSQL 17: $(tail -n 1 "$out") in $((SECONDS - start)) s"
}

run_meta_check() {
	local out="$work/meta.log"
	perl "$repo/scripts/check_meta.pl" "$PG_CONFIG" >"$out" 2>&1
	local rc=$?
	count_tap "$out"
	if [ $rc -ne 0 ] && ! grep -qE '^not ok' "$out"; then
		tail -n 20 "$out"
		failed=$((failed + 1))
	fi
}

if want packages; then
	say "packages"
	require "install packages" install_packages
fi
bindir=$("$PG_CONFIG" --bindir)

say "build (-Werror) and install"
require "build" build_and_install

say "throwaway cluster"
require "work directory" prepare_work
require "start cluster" start_cluster

say "regression suite, linal loaded on demand"
run_regression plain

say "regression suite, linal in shared_preload_libraries"
as_pg "$bindir/psql" -X -q -h "$work/sock" -p $port -U postgres -d postgres \
	-c "ALTER SYSTEM SET shared_preload_libraries = 'linal'" >/dev/null
require "restart with shared_preload_libraries" restart_cluster
run_regression preload

if want companion; then
	say "companion extension linal_pgvector (needs pgvector)"
	run_companion
fi

if want clients; then
	say "client modules (Python, Node)"
	run_clients
fi

if want tap; then
	say "TAP tests"
	run_tap
fi

if want kernels; then
	say "kernel unit tests"
	run_kernel_tests
fi

if want meta; then
	say "PGXN metadata (META.json against the repository)"
	run_meta_check
fi

if want fuzz; then
	say "fuzz (short run)"
	run_fuzz
fi

if want icount; then
	say "instruction counts against bench/icount/baseline.txt"
	run_icount
fi

if want pg17; then
	say "PostgreSQL 17 (trixie chroot, scripts/pg17.sh)"
	run_pg17
fi

summary_and_exit
