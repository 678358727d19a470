#!/usr/bin/env bash
# Makes this machine a Docker host for the end-to-end tests, idempotently:
#   1. Debian's docker.io (dockerd 20.10) if dockerd is missing;
#   2. dockerd running in the background if `docker info` does not answer (there is no systemd);
#   3. the Docker Compose v2 CLI plugin, built from the Go module github.com/docker/compose/v2
#      (Docker's apt repository and GitHub releases are unreachable here), cached by version.
# A warm run (everything present) takes about a second.
#
# Usage: scripts/install-docker.sh [--rebuild-compose]
#   --rebuild-compose  build the compose plugin again even if cached or installed
# Env:   COMPOSE_VERSION       compose module version to build (default v2.40.3)
#        DJANGO_DEPLOY_CACHE   cache root (default /var/cache/django-deploy); the compose binary
#                              is kept in $DJANGO_DEPLOY_CACHE/compose/<version>/docker-compose
#        DOCKERD_LOG           dockerd's log file (default /var/log/django-deploy/dockerd.log)
#        DOCKERD_START_TIMEOUT seconds to wait for `docker info` after starting dockerd (default 60)
#        GO                    go binary (default: go on PATH, else /usr/local/go/bin/go)
#
# Image builds need no extra env: `docker compose build` uses BuildKit through compose's embedded
# buildx against dockerd 20.10's built-in BuildKit, or the classic builder with DOCKER_BUILDKIT=0
# (both checked by scripts/base-images/verify.sh); plain `docker build` falls back to the classic
# builder (with a deprecation notice) because the buildx plugin is not installed.
set -euo pipefail

compose_version="${COMPOSE_VERSION:-v2.40.3}"
cache_dir="${DJANGO_DEPLOY_CACHE:-/var/cache/django-deploy}"
dockerd_log="${DOCKERD_LOG:-/var/log/django-deploy/dockerd.log}"
start_timeout="${DOCKERD_START_TIMEOUT:-60}"
plugin_dir=/usr/local/lib/docker/cli-plugins
plugin="$plugin_dir/docker-compose"
cached_compose="$cache_dir/compose/$compose_version/docker-compose"

log() { printf '[install-docker %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  printf 'install-docker.sh: error: %s\n' "$*" >&2
  exit 1
}

rebuild=0
for arg in "$@"; do
  case "$arg" in
    --rebuild-compose) rebuild=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$arg'; allowed: --rebuild-compose, --help" ;;
  esac
done

[[ $(id -u) -eq 0 ]] || die "must run as root (apt-get, dockerd); re-run with sudo"
[[ $compose_version =~ ^v2\.[0-9]+\.[0-9]+$ ]] ||
  die "COMPOSE_VERSION='$compose_version' is not a compose v2 release tag; use e.g. v2.40.3"

apt_install() {
  # A fresh machine may have empty package lists; update only then, to keep warm runs offline.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1; then
    apt-get update >/dev/null ||
      die "apt-get update failed; check the mirrors in /etc/apt/sources.list*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null ||
      die "apt-get install $* failed; run it by hand to see why"
  fi
}

# --- 1. engine ---------------------------------------------------------------------------------
if ! command -v dockerd >/dev/null; then
  log "installing docker.io from Debian"
  t0=$SECONDS
  # iptables: dockerd sets up the bridge network's NAT with it.
  apt_install docker.io iptables ca-certificates
  log "docker.io installed in $((SECONDS - t0))s"
fi

# --- 2. daemon ---------------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  if pid=$(cat /var/run/docker.pid 2>/dev/null) && kill -0 "$pid" 2>/dev/null; then
    log "dockerd (pid $pid) is running but not answering yet; waiting"
  else
    mkdir -p "$(dirname "$dockerd_log")"
    log "starting dockerd (log: $dockerd_log)"
    # setsid: the daemon must outlive this script's session and process group.
    setsid nohup dockerd >>"$dockerd_log" 2>&1 </dev/null &
  fi
  deadline=$((SECONDS + start_timeout))
  until docker info >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      tail -n 30 "$dockerd_log" >&2 || true
      die "dockerd did not answer 'docker info' within ${start_timeout}s; see $dockerd_log (tail above). Raise DOCKERD_START_TIMEOUT if the machine is just slow"
    fi
    sleep 0.5
  done
  log "dockerd is up"
fi

# --- 3. compose v2 plugin ----------------------------------------------------------------------
installed_version() { docker compose version --short 2>/dev/null || true; }

build_compose() {
  local go="${GO:-}"
  if [[ -z $go ]]; then
    go=$(command -v go || echo /usr/local/go/bin/go)
  fi
  [[ -x $go ]] || die "Go is needed to build docker compose $compose_version but '$go' is not executable; install Go or set GO=/path/to/go"
  log "building docker compose $compose_version from its Go module (a few minutes cold)"
  local t0=$SECONDS src mod_dir
  # `go install github.com/docker/compose/v2/cmd@vX` is refused because compose's go.mod has
  # exclude directives, so build inside a copy of the module with its own go.mod and go.sum.
  mod_dir=$(cd / && "$go" mod download -json "github.com/docker/compose/v2@$compose_version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') ||
    die "go mod download github.com/docker/compose/v2@$compose_version failed; check GOPROXY ($("$go" env GOPROXY)) is reachable and the version exists"
  [[ -n $mod_dir && -d $mod_dir ]] || die "go mod download gave no module directory for compose $compose_version"
  src=$(mktemp -d)
  cp -r "$mod_dir/." "$src"
  chmod -R u+w "$src"
  mkdir -p "$(dirname "$cached_compose")"
  if ! (cd "$src" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false "$go" build -trimpath \
    -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$compose_version" \
    -o "$cached_compose.tmp" ./cmd); then
    rm -rf "$src"
    die "go build of docker compose $compose_version failed (output above); try another COMPOSE_VERSION"
  fi
  rm -rf "$src"
  mv "$cached_compose.tmp" "$cached_compose"
  log "docker compose built in $((SECONDS - t0))s"
}

if [[ $rebuild -eq 1 || $(installed_version) != "${compose_version#v}" ]]; then
  [[ $rebuild -eq 0 && -x $cached_compose ]] || build_compose
  mkdir -p "$plugin_dir"
  install -m 0755 "$cached_compose" "$plugin.tmp"
  mv "$plugin.tmp" "$plugin"
  got=$(installed_version)
  [[ $got == "${compose_version#v}" ]] ||
    die "installed $plugin but 'docker compose version --short' says '$got', not ${compose_version#v}; another docker-compose plugin may shadow it (check ~/.docker/cli-plugins)"
  log "docker compose $got installed as $plugin"
fi

docker compose version
