#!/usr/bin/env bash
# Builds the shared rootfs tarball for the base images with mmdebstrap: minbase plus the
# packages listed in packages.txt beside this script, from <suite>, <suite>-updates and
# <suite>-security (all three exist for a Debian stable release such as trixie).
# Called by scripts/build-base-images.sh, which owns the suite name (it also tags the images with
# it) and caches the tarball by the hash of the suite, this file and packages.txt; needs root and
# the Debian mirror, not Docker.
#
# Usage: make-rootfs.sh <suite> <output.tar>      e.g. make-rootfs.sh trixie /tmp/rootfs.tar
# Env:   DEBIAN_MIRROR (default http://deb.debian.org/debian)
#        DEBIAN_SECURITY_MIRROR (default http://deb.debian.org/debian-security)
set -euo pipefail

[[ $# -eq 2 ]] || {
  echo "usage: make-rootfs.sh <suite> <output.tar>   (e.g. make-rootfs.sh trixie rootfs.tar)" >&2
  exit 2
}
suite=$1 out=$2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

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
  # The host's apt checks the suite's Release signatures with the host's keyring: a host older
  # than the suite may not know its keys yet (bookworm's debian-archive-keyring 2023.3+deb12u2
  # and later has trixie's).
  if grep -qE 'NO_PUBKEY|not signed|EXPKEYSIG' "$log_file"; then
    die "the host's apt cannot verify $suite's Release files (log: $log_file); install a newer" \
      "debian-archive-keyring on the host (apt-get update && apt-get install debian-archive-keyring)"
  fi
  die "mmdebstrap failed (log: $log_file); check that $mirror is reachable and the names in $here/packages.txt exist"
fi
mv "$out.tmp" "$out"
rm -f "$log_file"
log "wrote $out"
