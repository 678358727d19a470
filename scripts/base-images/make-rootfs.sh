#!/usr/bin/env bash
# Builds the shared bookworm rootfs tarball for the base images with mmdebstrap: minbase plus the
# packages listed in packages.txt beside this script, from bookworm, -updates and -security.
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

[[ $(id -u) -eq 0 ]] || die "must run as root (mmdebstrap's root mode); re-run with sudo"
packages=$(sed -e 's/#.*//' "$here/packages.txt" | tr -s ' \t\n' '\n' | sed '/^$/d' | paste -sd, -)
[[ -n $packages ]] || die "no packages listed in $here/packages.txt"

if ! command -v mmdebstrap >/dev/null; then
  log "installing mmdebstrap"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mmdebstrap >/dev/null 2>&1; then
    apt-get update >/dev/null || die "apt-get update failed; check the mirrors in /etc/apt/sources.list*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mmdebstrap >/dev/null ||
      die "apt-get install mmdebstrap failed; run it by hand to see why"
  fi
fi

mkdir -p "$(dirname "$out")"
log_file="${out%.tar}.log"
log "mmdebstrap $suite minbase + packages.txt from $mirror (log: $log_file)"
# mmdebstrap rather than debootstrap + apt-get in a chroot: it resolves and downloads everything
# with apt in one go (in parallel), installs without a second pass and writes the tarball itself,
# which halves the cold build (measured: ~8 min vs ~16 min on a loaded 2-core machine).
# Hooks run on the host with the rootfs as $1:
#  - essential: the package's default cluster would be dead weight, each container initialises
#    its own at $PGDATA;
#  - customize: drop caches (mmdebstrap's own cleanup leaves the .debs) and docs, and the build
#    host's hostname/hosts/resolv.conf, which Docker provides per container.
# shellcheck disable=SC2016 # the hooks' $1 is mmdebstrap's to expand, not ours
if ! mmdebstrap --variant=minbase --format=tar --include="$packages" \
  --aptopt='APT::Install-Recommends "false"' \
  --essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d" &&
    echo "create_main_cluster = false" >"$1/etc/postgresql-common/createcluster.d/no-main-cluster.conf"' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb \
    "$1"/var/log/*.log \
    "$1"/usr/share/doc/* "$1"/usr/share/man/* "$1"/usr/share/info/* "$1"/tmp/* "$1/etc/resolv.conf" &&
    : >"$1/etc/hostname" && : >"$1/etc/hosts"' \
  "$suite" "$out.tmp" \
  "deb $mirror $suite main" \
  "deb $mirror $suite-updates main" \
  "deb $security_mirror $suite-security main" >"$log_file" 2>&1; then
  rm -f "$out.tmp"
  tail -n 30 "$log_file" >&2
  die "mmdebstrap failed (log: $log_file); check that $mirror is reachable and the names in $here/packages.txt exist"
fi
mv "$out.tmp" "$out"
rm -f "$log_file"
log "wrote $out"
