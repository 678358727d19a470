#!/usr/bin/env bash
# Builds the shared bookworm rootfs tarball for the base images: debootstrap minbase, then
# apt-get (with -updates and -security) the packages listed in packages.txt beside this script.
# Called by scripts/build-base-images.sh, which caches the tarball by the hash of this file and
# packages.txt; needs root and the Debian mirror, not Docker.
#
# Usage: make-rootfs.sh <output.tar>
# Env:   DEBIAN_MIRROR (default http://deb.debian.org/debian)
#        DEBIAN_SECURITY_MIRROR (default http://deb.debian.org/debian-security)
set -euo pipefail

[[ $# -eq 1 ]] || {
  echo "usage: make-rootfs.sh <output.tar>" >&2
  exit 2
}
out=$1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
suite=bookworm

log() { printf '[make-rootfs %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  printf 'make-rootfs.sh: error: %s\n' "$*" >&2
  exit 1
}

[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap and chroot need it); re-run with sudo"
packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/packages.txt" | tr -s ' \n' ' ')
[[ -n $packages ]] || die "no packages listed in $here/packages.txt"

if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap >/dev/null ||
    die "apt-get install debootstrap failed; run 'apt-get update' and retry"
fi

work="$(dirname "$out")/work-$(basename "$out" .tar)"
root="$work/root"
unmount_all() {
  umount "$root/proc" 2>/dev/null || true
  umount "$root/dev/pts" 2>/dev/null || true
}
trap unmount_all EXIT
unmount_all
rm -rf "$work"
mkdir -p "$work"

log "debootstrap $suite minbase from $mirror (log: $work/debootstrap.log)"
if ! debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -n 30 "$work/debootstrap.log" >&2
  die "debootstrap failed (log: $work/debootstrap.log, and $root/debootstrap/debootstrap.log if present); check that $mirror is reachable"
fi

# Security and point-release updates too, as a real image would have them.
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
SOURCES
# Keep package postinsts (redis-server, postgresql) from starting daemons inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
# Containers initialise their own cluster at PGDATA; the package's default cluster is dead weight.
mkdir -p "$root/etc/postgresql-common/createcluster.d"
echo "create_main_cluster = false" >"$root/etc/postgresql-common/createcluster.d/no-main-cluster.conf"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount --bind /dev/pts "$root/dev/pts"

log "apt-get install into the rootfs (log: $work/apt.log): $packages"
if ! chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  LANG=C.UTF-8 sh -c "apt-get update && apt-get -y dist-upgrade &&
    apt-get install -y --no-install-recommends $packages && apt-get clean" >"$work/apt.log" 2>&1; then
  tail -n 30 "$work/apt.log" >&2
  die "installing packages into the rootfs failed (log: $work/apt.log); check the names in $here/packages.txt"
fi
unmount_all
trap - EXIT

rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/tmp/* "$root"/var/log/*.log \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
# Docker bind-mounts its own; leftovers from the build host must not leak into images.
: >"$root/etc/hostname"
: >"$root/etc/hosts"

log "packing $out"
tar --numeric-owner --xattrs -C "$root" -cf "$out.tmp" .
mv "$out.tmp" "$out"
rm -rf "$work"
