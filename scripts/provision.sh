#!/usr/bin/env bash
# Installs everything the deploy and the tests need on a fresh Debian machine of this kind:
# npm packages, Docker + Compose v2, the offline base images, the Pulumi engine (built from Go
# modules) and, with --with-test-tools, actionlint. Every step is idempotent and cached outside
# the repo, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

with_test_tools=false
for arg in "$@"; do
  case "$arg" in
    --with-test-tools) with_test_tools=true ;;
    *) echo "provision.sh: unknown option '$arg' (allowed: --with-test-tools)" >&2; exit 2 ;;
  esac
done

logs=$(mktemp -d /tmp/django-deploy-provision.XXXXXX)
step() { printf '[provision %s] %s\n' "$(date +%T)" "$*" >&2; }

missing=()
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if $with_test_tools; then
  # The registry-mode e2e test runs its own password-protected registry on loopback.
  command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
fi
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund >"$logs/npm.log" 2>&1 || { cat "$logs/npm.log" >&2; exit 1; }
fi

# The engine build is CPU-bound Go compilation and the images are mostly downloads: overlap them.
step "building the Pulumi engine in the background (log: $logs/engine.log)"
bash scripts/install-engine.sh >"$logs/engine.log" 2>&1 &
engine_pid=$!
if $with_test_tools; then
  step "installing actionlint in the background (log: $logs/actionlint.log)"
  bash scripts/install-actionlint.sh >"$logs/actionlint.log" 2>&1 &
  actionlint_pid=$!
fi

step "docker engine and compose"
bash scripts/install-docker.sh
step "base images"
bash scripts/build-base-images.sh

step "waiting for the engine build"
if ! wait "$engine_pid"; then
  tail -n 60 "$logs/engine.log" >&2
  echo "provision.sh: building the Pulumi engine failed; full log: $logs/engine.log" >&2
  exit 1
fi
if $with_test_tools && ! wait "$actionlint_pid"; then
  tail -n 40 "$logs/actionlint.log" >&2
  echo "provision.sh: installing actionlint failed; full log: $logs/actionlint.log" >&2
  exit 1
fi
step "done"
