# Shared helpers of the benchmark scripts (sourced, not run).
#
# Every benchmark runs against its own throwaway cluster, started here as the
# postgres user on a private socket directory.  Figures are reported as ratios
# against a baseline measured in the same run.

bench_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
bench_bindir=$("$PG_CONFIG" --bindir)
BENCH_PORT=${BENCH_PORT:-55439}

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- env PATH="$PATH" "$@"
	else
		"$@"
	fi
}

# bench_start_cluster DIR [extra postgresql.conf lines...]
bench_start_cluster() {
	BENCH_DIR=$1
	shift
	mkdir -p "$BENCH_DIR/sock"
	[ "$(id -u)" -eq 0 ] && chown -R postgres: "$BENCH_DIR"
	as_pg "$bench_bindir/initdb" -D "$BENCH_DIR/data" -A trust -U postgres --no-sync >/dev/null || return 1
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$BENCH_DIR/sock'"
		echo "port = $BENCH_PORT"
		echo "fsync = off"
		echo "synchronous_commit = off"
		echo "shared_buffers = 1GB"
		echo "work_mem = 64MB"
		echo "maintenance_work_mem = 1GB"
		echo "max_wal_size = 4GB"
		echo "shared_preload_libraries = 'linal'"
		for line in "$@"; do echo "$line"; done
	} >>"$BENCH_DIR/data/postgresql.conf"
	as_pg "$bench_bindir/pg_ctl" -D "$BENCH_DIR/data" -l "$BENCH_DIR/server.log" -w start >/dev/null
}

bench_stop_cluster() {
	[ -n "${BENCH_DIR:-}" ] && as_pg "$bench_bindir/pg_ctl" -D "$BENCH_DIR/data" -m fast stop >/dev/null 2>&1
	return 0
}

# Setup and one-off statements commit synchronously: a VACUUM right after
# loading can only set hint bits and mark pages all-visible once the
# loading commits are flushed, and without that every measured scan would
# check visibility tuple by tuple.
bench_psql() {
	PGOPTIONS="-c synchronous_commit=on" \
		"$bench_bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$BENCH_DIR/sock" -p "$BENCH_PORT" -U postgres "$@"
}

# bench_latency_ms SCRIPT SECONDS [PGOPTIONS]: mean latency of one client
# running SCRIPT for SECONDS (at least one transaction)
bench_latency_ms() {
	local script=$1 seconds=$2 options=${3:-}
	PGOPTIONS="$options" "$bench_bindir/pgbench" -n -h "$BENCH_DIR/sock" -p "$BENCH_PORT" \
		-U postgres -T "$seconds" -f "$script" postgres 2>&1 |
		awk '/latency average/ { print $4 }'
}

# bench_ratio A B: A / B with two decimals (n/a unless both are numbers)
bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "n/a" }'
}

# Whether an extension is available to CREATE in the bench cluster.
bench_has_extension() {
	[ "$(bench_psql -Atc "SELECT count(*) FROM pg_available_extensions WHERE name = '$1'")" = 1 ]
}

# bench_clients_tps SCRIPT CLIENTS SECONDS: tps of CLIENTS pgbench clients
# running SCRIPT for SECONDS (at most one pgbench thread per core)
bench_clients_tps() {
	local script=$1 clients=$2 seconds=$3 cores jobs
	cores=$(nproc)
	jobs=$((clients < cores ? clients : cores))
	"$bench_bindir/pgbench" -n -h "$BENCH_DIR/sock" -p "$BENCH_PORT" -U postgres -c "$clients" -j "$jobs" \
		-T "$seconds" -f "$script" postgres 2>&1 | awk '/^tps/ { printf "%.0f", $3; exit }'
}

# bench_create_pgvector: pgvector in a schema of its own, on every session's
# search_path; linal has pgvector's array_to_vector(real[], integer, boolean)
# and its siblings for tensors, with the same argument types, so the two
# extensions cannot share a schema.
bench_create_pgvector() {
	bench_psql -c "CREATE SCHEMA pgvector" -c "CREATE EXTENSION vector SCHEMA pgvector" \
		-c 'ALTER DATABASE postgres SET search_path = "$user", public, pgvector' >/dev/null
}
