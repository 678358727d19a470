#!/usr/bin/env bash
# Builds actionlint (the GitHub Actions workflow linter) from its Go module and installs
# shellcheck from Debian, so the workflow tests lint the rendered YAML and its run: scripts
# with real tools. Idempotent: the binary is cached per version outside the repo.
# Prints the path of the actionlint binary on stdout (everything else goes to stderr).
set -euo pipefail

ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
CACHE_ROOT="${ACTIONLINT_CACHE:-/var/cache/django-deploy/actionlint}"
BIN_DIR="$CACHE_ROOT/$ACTIONLINT_VERSION"
BIN="$BIN_DIR/actionlint"

log() { echo "install-actionlint: $*" >&2; }

if ! command -v shellcheck >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    log "installing shellcheck with apt-get"
    # An update is needed on a fresh machine; a failure of it leaves the old lists usable.
    # Other installs may hold the dpkg lock on a shared machine: wait for it instead of failing.
    apt_opts=(-o DPkg::Lock::Timeout=600 -qq)
    apt-get "${apt_opts[@]}" update >&2 || log "apt-get update failed; trying the install anyway"
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y shellcheck >&2
  else
    log "shellcheck is not on PATH and cannot be installed here (need root + apt-get);" \
      "actionlint will not lint run: scripts"
  fi
fi

if [ -x "$BIN" ] && "$BIN" -version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi

GO="$(command -v go || true)"
if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; fi
if [ -z "$GO" ]; then
  log "no Go toolchain found (looked on PATH and /usr/local/go/bin); install Go >= 1.22"
  exit 1
fi

mkdir -p "$BIN_DIR"
log "building github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION into $BIN_DIR"
GOBIN="$BIN_DIR" GOFLAGS="-mod=mod" "$GO" install \
  "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >&2
"$BIN" -version >&2
echo "$BIN"
