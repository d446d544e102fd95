#!/usr/bin/env bash
# Runs linal's tests against PostgreSQL 17 without touching the host's
# packages: builds (once) a Debian trixie chroot with postgresql-17 in a
# cache directory outside the repository, copies the tree in and runs
# scripts/test.sh there with the PG17 pg_config.  Ends with one line
# "N passed, N failed" (scripts/test.sh adds it to its own count).
#
#   sudo scripts/pg17.sh
#
# The chroot is complete when its stamp file exists; a missing stamp (an
# interrupted build, a changed package list) means it is built again.  The
# extra packages (pgvector) are added to a complete chroot in place.
#
# Environment:
#   LINAL_PG17_CACHE   chroot directory (default /var/cache/linal/trixie)
#   LINAL_PG17_MIRROR  Debian mirror (default: the host's deb.debian.org)
#   LINAL_PG17_TAP     0 to run only the regression suite on 17 (default 1)
#   LINAL_TEST_PORT    port of the throwaway cluster inside (default 55433)
#   LINAL_KEEP         keep the tree and logs inside the chroot afterwards
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=${LINAL_PG17_CACHE:-/var/cache/linal/trixie}
mirror=${LINAL_PG17_MIRROR:-http://deb.debian.org/debian}
tap=${LINAL_PG17_TAP:-1}
port=${LINAL_TEST_PORT:-55433}
packages=(postgresql-17 postgresql-server-dev-17 libopenblas-dev make gcc
	libipc-run-perl perl)
# The stamp records the package list: changing the list rebuilds the chroot.
stamp="$root/.linal-complete"
stamp_text="trixie ${packages[*]}"
# Packages that only some tests need (postgresql-17-pgvector: the companion
# extension linal_pgvector, tested here only since Debian 12 has no
# pgvector; gdb: t/043 stops a backend mid-insert).  A built chroot whose extras stamp differs gets them installed
# instead of being built again, and the base stamp stays what older
# checkouts of this script expect.
extra_packages=(postgresql-17-pgvector gdb)
extra_stamp="$root/.linal-extras"
extra_stamp_text="${extra_packages[*]}"
mounted=()

fail() {
	echo "pg17: $*"
	echo
	echo "0 passed, 1 failed"
	exit 1
}

unmount_all() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}"
	done
	mounted=()
}
trap unmount_all EXIT

mount_into() {
	local type=$1 dir=$2
	mkdir -p "$dir" && mount -t "$type" "$type" "$dir" && mounted+=("$dir")
}

build_chroot() {
	export DEBIAN_FRONTEND=noninteractive
	if ! command -v debootstrap >/dev/null; then
		apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null ||
			return 1
	fi
	# mounts left by a run that was killed must not be emptied by rm
	umount "$root/dev/shm" "$root/proc" 2>/dev/null
	rm -rf --one-file-system "$root" && mkdir -p "$(dirname "$root")" || return 1
	echo "building the trixie chroot in $root (takes a few minutes once)"
	debootstrap --variant=minbase trixie "$root" "$mirror" >"$root.log" 2>&1 ||
		{ tail -n 20 "$root.log"; return 1; }
	mount_into proc "$root/proc" || return 1
	# postgresql's maintainer scripts must not try to start a server here
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${packages[@]}" "${extra_packages[@]}" \
		>>"$root.log" 2>&1 || { tail -n 20 "$root.log"; return 1; }
	chroot "$root" apt-get clean
	unmount_all
	echo "$stamp_text" >"$stamp"
	echo "$extra_stamp_text" >"$extra_stamp"
}

# Installs the extra packages into a built chroot (apt-get skips what is
# there already).
add_extra_packages() {
	mount_into proc "$root/proc" || return 1
	chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
		sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" && apt-get clean' \
		sh "${extra_packages[@]}" >>"$root.log" 2>&1 || { tail -n 20 "$root.log"; return 1; }
	unmount_all
	echo "$extra_stamp_text" >"$extra_stamp"
}

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, mount)"

if [ "$(cat "$stamp" 2>/dev/null)" != "$stamp_text" ]; then
	start=$SECONDS
	build_chroot || fail "could not build the trixie chroot (log: $root.log)"
	echo "chroot built in $((SECONDS - start)) s"
elif [ "$(cat "$extra_stamp" 2>/dev/null)" != "$extra_stamp_text" ]; then
	add_extra_packages || fail "could not install ${extra_packages[*]} in the chroot (log: $root.log)"
	echo "chroot: installed ${extra_packages[*]}"
fi

mount_into proc "$root/proc" || fail "cannot mount /proc in the chroot"
# the server's dynamic shared memory wants a tmpfs at /dev/shm
mount_into tmpfs "$root/dev/shm" || fail "cannot mount /dev/shm in the chroot"

# A fresh copy of the tree each run (no build products from the host).
rm -rf "$root/linal" && mkdir -p "$root/linal" || fail "cannot copy the tree"
tar -C "$repo" --exclude=.git -cf - . | tar -C "$root/linal" -xf - ||
	fail "cannot copy the tree"
make -C "$root/linal" -s clean >/dev/null 2>&1

skip="packages clients kernels meta fuzz icount pg17"
[ "$tap" = 0 ] && skip="$skip tap" && echo "TAP tests skipped on 17 (LINAL_PG17_TAP=0)"
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LANG=C.UTF-8 PG_CONFIG=/usr/lib/postgresql/17/bin/pg_config \
	LINAL_TEST_PORT="$port" LINAL_SKIP="$skip" ${LINAL_KEEP:+LINAL_KEEP=1} \
	bash /linal/scripts/test.sh
rc=$?
[ -z "${LINAL_KEEP:-}" ] && rm -rf "$root/linal"
exit $rc
