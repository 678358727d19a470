#!/usr/bin/env bash
# Starts a throwaway image registry on 127.0.0.1 for the registry-mode end-to-end test: Debian's
# docker-registry (the CNCF distribution registry), with htpasswd auth like a real private
# registry, over plain HTTP (dockerd trusts 127.0.0.0/8 without TLS).
#
# Usage: scripts/start-registry.sh [--port N] DIR    start; DIR must be outside the repository
#        scripts/start-registry.sh --stop DIR        stop the registry started with DIR
#
# --port (or $REGISTRY_PORT) is the first port tried, default 5055; the next free one is used if
# it is taken. DIR gets:
#   config.yml, htpasswd, data/ (the blobs), registry.log (one line per request), registry.pid
#   password   the user's password (mode 0600), generated per start
#   env.json   {"REGISTRY": "127.0.0.1:PORT", "USERNAME": "...", "PASSWORD_FILE": "...", "LOG": "..."}
set -euo pipefail

log() { printf '[start-registry %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  printf 'start-registry.sh: error: %s\n' "$*" >&2
  exit 1
}

stop_dir=""
port="${REGISTRY_PORT:-5055}"
dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stop)
      [[ $# -ge 2 ]] || die "--stop needs the directory the registry was started with"
      stop_dir=$2
      shift 2
      ;;
    --port)
      [[ $# -ge 2 ]] || die "--port needs a number"
      port=$2
      shift 2
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    -*) die "unknown option '$1'; allowed: --port N, --stop DIR, --help" ;;
    *)
      dir=$1
      shift
      ;;
  esac
done

if [[ -n $stop_dir ]]; then
  if pid=$(cat "$stop_dir/registry.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
  fi
  exit 0
fi

[[ -n $dir ]] || die "give the directory to keep the registry's state in: start-registry.sh DIR"
for tool in docker-registry htpasswd; do
  command -v "$tool" >/dev/null ||
    die "$tool is missing; install it with: apt-get install docker-registry apache2-utils (scripts/provision.sh --with-test-tools does)"
done
[[ $port =~ ^[0-9]+$ ]] || die "--port must be a number, got '$port'"

mkdir -p "$dir/data"
dir=$(cd "$dir" && pwd)
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
while ! port_free "$port"; do port=$((port + 1)); done

user=e2e-pusher
(umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/password")
# -i: the password comes from stdin, never from the command line; -B: bcrypt, which the
# registry requires.
htpasswd -B -i -c "$dir/htpasswd" "$user" <"$dir/password" 2>/dev/null ||
  die "htpasswd could not write $dir/htpasswd"
cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
auth:
  htpasswd:
    realm: django-deploy-e2e
    path: $dir/htpasswd
EOF

setsid nohup docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 </dev/null &
echo $! >"$dir/registry.pid"
deadline=$((SECONDS + 30))
# An unauthenticated /v2/ answers 401 once the registry listens: that is the readiness signal.
until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/") == 401 ]]; do
  kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null || {
    tail -n 20 "$dir/registry.log" >&2
    die "docker-registry exited at start; its log is above"
  }
  ((SECONDS < deadline)) || die "docker-registry did not answer on 127.0.0.1:$port within 30s; see $dir/registry.log"
  sleep 0.2
done
printf '{"REGISTRY": "127.0.0.1:%s", "USERNAME": "%s", "PASSWORD_FILE": "%s", "LOG": "%s"}\n' \
  "$port" "$user" "$dir/password" "$dir/registry.log" >"$dir/env.json"
log "registry on 127.0.0.1:$port (user $user; state in $dir)"
cat "$dir/env.json"
