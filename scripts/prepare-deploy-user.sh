#!/usr/bin/env bash
# Prepares a server for deploys as a non-root user; run it on the server, as root:
#   bash prepare-deploy-user.sh <user> <public key file> <remoteDir>
# It creates the user (key-only login, no password), puts it in the docker group, authorizes the
# deploy key, and creates remoteDir owned by it. Running it again changes nothing.
# Being in the docker group is root-equivalent on that host: give this user to deploys only.
set -euo pipefail

die() { printf 'prepare-deploy-user.sh: %s\n' "$*" >&2; exit 1; }
[[ $# -eq 3 ]] || die "usage: prepare-deploy-user.sh <user> <public key file> <remoteDir>"
user=$1 pubkey=$2 remote_dir=$3
[[ $user =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || die "'$user' is not a plain user name"
[[ $remote_dir == /* && $remote_dir != *..* ]] || die "remoteDir must be an absolute path without '..'"
[[ -r $pubkey ]] || die "cannot read the public key file $pubkey"
[[ $(id -u) -eq 0 ]] || die "run it as root"
getent group docker >/dev/null || die "there is no docker group: install Docker first (apt-get install docker.io)"

if ! id -u "$user" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash "$user"
fi
# '*': no password and not locked, so sshd lets the key in (a locked '!' account it refuses).
usermod --password '*' "$user"
usermod --append --groups docker "$user"

home=$(getent passwd "$user" | cut -d: -f6)
install -d -m 700 -o "$user" -g "$user" "$home/.ssh"
keys="$home/.ssh/authorized_keys"
touch "$keys"
key=$(head -n 1 "$pubkey")
grep -qxF -- "$key" "$keys" || printf '%s\n' "$key" >>"$keys"
chown "$user:$user" "$keys"
chmod 600 "$keys"

install -d -m 755 -o "$user" -g "$user" "$remote_dir"
printf '%s can now deploy to %s (docker group, key authorized)\n' "$user" "$remote_dir"
