#!/usr/bin/env bash
# Sets up and runs linal on this machine (Debian 12, as root):
# installs the Debian packages, builds and installs linal, starts a local
# cluster with linal preloaded, loads a small demo and tells you how to
# connect.  Run it again to restart; it keeps the data.
#
#   sudo scripts/demo.sh          set up, start, load the demo, print how to connect
#   sudo scripts/demo.sh psql     ... and open psql on the demo database
#   sudo scripts/demo.sh stop     stop the cluster
#
# Environment: LINAL_DEMO_DIR (default /var/tmp/linal-demo), LINAL_DEMO_PORT
# (default 5433), PG_CONFIG (default PostgreSQL 15).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
dir=${LINAL_DEMO_DIR:-/var/tmp/linal-demo}
port=${LINAL_DEMO_PORT:-5433}
packages=(make gcc postgresql-15 postgresql-server-dev-15 libopenblas-dev)

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

install_packages() {
	local missing=()
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || { echo "missing packages: ${missing[*]}; run as root" >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
}

if [ "${1:-}" = "stop" ]; then
	bindir=$("$PG_CONFIG" --bindir)
	as_pg "$bindir/pg_ctl" -D "$dir/data" stop
	exit 0
fi

echo "== packages"
install_packages
bindir=$("$PG_CONFIG" --bindir)

echo "== build and install linal"
make -C "$repo" -s PG_CONFIG="$PG_CONFIG" -j2
make -C "$repo" -s PG_CONFIG="$PG_CONFIG" install >/dev/null

echo "== cluster in $dir (port $port)"
mkdir -p "$dir/sock"
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
	as_pg "$bindir/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
	cat >>"$dir/data/postgresql.conf" <<-EOF
		listen_addresses = 'localhost'
		port = $port
		unix_socket_directories = '$dir/sock'
		shared_preload_libraries = 'linal'
	EOF
fi
if ! as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
	as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
fi

psql_cmd=("$bindir/psql" -X -h "$dir/sock" -p "$port" -U postgres)
if ! "${psql_cmd[@]}" -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'linal'" | grep -q 1; then
	"${psql_cmd[@]}" -d postgres -qc "CREATE DATABASE linal"
fi
echo "== demo data"
"${psql_cmd[@]}" -d linal -q -v ON_ERROR_STOP=1 -f "$repo/scripts/demo.sql"

cat <<EOF

linal is running.  Connect with:
    ${psql_cmd[*]} -d linal
or from any driver:  postgresql://postgres@localhost:$port/linal
Stop it with:  sudo scripts/demo.sh stop
EOF

if [ "${1:-}" = "psql" ]; then
	exec "${psql_cmd[@]}" -d linal
fi
