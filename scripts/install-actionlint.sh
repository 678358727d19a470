#!/usr/bin/env bash
# Builds actionlint (the GitHub Actions workflow linter) from its Go module and installs the
# Debian package of shellcheck, so the workflow tests lint the rendered YAML and its run: scripts
# with real tools. Idempotent: the binary is cached per version outside the repository.
#
#   scripts/install-actionlint.sh               install if missing; print the binary path
#   scripts/install-actionlint.sh --print-path  install nothing; print the path, or exit 1
#
# Only the path goes to stdout; progress goes to stderr. ACTIONLINT_CACHE overrides the cache
# root (default /var/cache/django-deploy/actionlint when writable, else ~/.cache/...).
set -euo pipefail

ACTIONLINT_VERSION="v1.7.12"

log() { echo "install-actionlint: $*" >&2; }

cache_root() {
  if [ -n "${ACTIONLINT_CACHE:-}" ]; then
    echo "$ACTIONLINT_CACHE"
  elif mkdir -p /var/cache/django-deploy/actionlint 2>/dev/null &&
    [ -w /var/cache/django-deploy/actionlint ]; then
    echo /var/cache/django-deploy/actionlint
  else
    # Hosted CI runners are not root.
    echo "${XDG_CACHE_HOME:-$HOME/.cache}/django-deploy/actionlint"
  fi
}

BIN_DIR="$(cache_root)/$ACTIONLINT_VERSION"
BIN="$BIN_DIR/actionlint"

if [ "${1:-}" = "--print-path" ]; then
  if [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
  fi
  log "actionlint $ACTIONLINT_VERSION is not installed at $BIN; run scripts/install-actionlint.sh"
  exit 1
fi

if ! command -v shellcheck >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    log "installing shellcheck with apt-get"
    # Other installs may hold the dpkg lock on a shared machine: wait for it instead of failing.
    apt_opts=(-o DPkg::Lock::Timeout=600 -qq)
    apt-get "${apt_opts[@]}" update >&2 || log "apt-get update failed; trying the install anyway"
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y shellcheck >&2
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    log "installing shellcheck with sudo apt-get"
    sudo -n apt-get -qq update >&2 || log "apt-get update failed; trying the install anyway"
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y shellcheck >&2
  else
    log "shellcheck is not on PATH and cannot be installed here (needs root or sudo with" \
      "apt-get): actionlint will not lint run: scripts"
  fi
fi

if [ -x "$BIN" ] && "$BIN" -version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi

GO="$(command -v go || true)"
if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; fi
if [ -z "$GO" ]; then
  log "no Go toolchain found (looked on PATH and in /usr/local/go/bin); install Go >= 1.24"
  exit 1
fi

mkdir -p "$BIN_DIR"
log "building github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION into $BIN_DIR"
GOBIN="$BIN_DIR" "$GO" install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >&2
"$BIN" -version >&2
echo "$BIN"
