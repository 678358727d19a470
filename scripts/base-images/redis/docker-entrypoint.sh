#!/usr/bin/env bash
# Mirrors the official redis image's entrypoint: `docker run img --some-flag` or `img x.conf`
# means redis-server with those arguments; the server runs as the redis user, and without a
# config file it listens on every interface with protected mode off, since the container
# network is the boundary.
set -euo pipefail

if [[ $# -eq 0 || ${1:0:1} == "-" || $1 == *.conf ]]; then
  set -- redis-server "$@"
fi

if [[ $1 == redis-server ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    # Named volumes start out root-owned.
    find . \! -user redis -exec chown redis:redis '{}' +
    export HOME=/var/lib/redis
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
  fi
  if [[ ${2:-} != *.conf ]]; then
    shift
    set -- redis-server --bind '* -::*' --protected-mode no --dir /data "$@"
  fi
fi

exec "$@"
