#!/usr/bin/env bash
# Installs the Pulumi engine this project needs without downloading prebuilt
# binaries (get.pulumi.com and GitHub are unreachable here): everything is
# built from Go modules.
#
#   pulumi                   v3.248.0, built from github.com/pulumi/pulumi/pkg/v3
#   pulumi-language-nodejs   built from scripts/engine (stand-in, see its main.go)
#   pulumi-resource-command  v1.2.1, built from scripts/engine (stand-in, see its main.go)
#
# Binaries are cached outside the repo, keyed by version:
#   ${PULUMI_ENGINE_CACHE:-/var/cache/django-deploy/engine}/pulumi-v3.248.0/
#     bin/{pulumi,pulumi-language-nodejs}       put this directory on PATH
#     plugins/pulumi-resource-command
# The command provider is installed into the Pulumi plugin cache of the
# PULUMI_HOME in effect (default ~/.pulumi) with `pulumi plugin install --file`,
# so the engine finds it by version without downloading and without the
# "using pulumi-resource-command from $PATH" warning an ambient plugin causes.
# A plugin directory this script did not create (e.g. the real upstream
# plugin) is left alone. Run the script again after changing PULUMI_HOME.
#
# Usage:
#   scripts/install-engine.sh                 install if needed, then print a summary
#   scripts/install-engine.sh --print-path    install if needed (log on stderr), print only the bin dir
#   export PATH="$(scripts/install-engine.sh --print-path):$PATH"
#
# Environment:
#   PULUMI_ENGINE_CACHE   cache root (default /var/cache/django-deploy/engine)
#   PULUMI_HOME           Pulumi home whose plugin cache receives the provider (default ~/.pulumi)
#   ENGINE_FORCE_BUILD=1  ignore a suitable pulumi already on PATH and use the cache
set -euo pipefail

PULUMI_VERSION=3.248.0
COMMAND_VERSION=1.2.1

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
engine_src="$script_dir/engine"
cache_root=${PULUMI_ENGINE_CACHE:-/var/cache/django-deploy/engine}
version_dir="$cache_root/pulumi-v$PULUMI_VERSION"
bin_dir="$version_dir/bin"
plugin_bin="$version_dir/plugins/pulumi-resource-command"
pulumi_home=${PULUMI_HOME:-$HOME/.pulumi}
plugin_dir="$pulumi_home/plugins/resource-command-v$COMMAND_VERSION"

print_path=0
case "${1:-}" in
  --print-path) print_path=1 ;;
  "") ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "install-engine.sh: unknown argument '$1' (use --print-path or no argument)" >&2
    exit 2
    ;;
esac

log() { echo "install-engine: $*" >&2; }
die() {
  echo "install-engine: error: $*" >&2
  exit 1
}

# version_of BIN prints what BIN reports for --version/version, or nothing.
pulumi_version_of() { "$1" version 2>/dev/null | head -n1 || true; }
tool_version_of() { "$1" -version 2>/dev/null | head -n1 || true; }

# An engine already on PATH (for instance on a developer's machine) is used
# as-is when it is the pinned version and the command plugin is reachable.
ambient_ok() {
  [[ "${ENGINE_FORCE_BUILD:-0}" == 1 ]] && return 1
  local p dir
  p=$(command -v pulumi 2>/dev/null) || return 1
  dir=$(dirname "$p")
  [[ "$dir" == "$bin_dir" ]] && return 1 # our own cache: verified by cache_ok instead
  [[ "$(pulumi_version_of "$p")" == "v$PULUMI_VERSION" ]] || return 1
  command -v pulumi-language-nodejs >/dev/null 2>&1 || return 1
  if [[ -x "$plugin_dir/pulumi-resource-command" ]] ||
    { command -v pulumi-resource-command >/dev/null 2>&1 &&
      [[ "$(tool_version_of "$(command -v pulumi-resource-command)")" == "$COMMAND_VERSION" ]]; }; then
    echo "$dir"
    return 0
  fi
  return 1
}

find_go() {
  local g
  for g in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go /usr/lib/go/bin/go; do
    [[ -n "$g" && -x "$g" ]] && {
      echo "$g"
      return 0
    }
  done
  return 1
}

# The stand-ins are rebuilt whenever their sources change.
tools_stamp() {
  (cd "$engine_src" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

cache_ok() {
  [[ -x "$bin_dir/pulumi" && -x "$bin_dir/pulumi-language-nodejs" && -x "$plugin_bin" ]] || return 1
  [[ "$(pulumi_version_of "$bin_dir/pulumi")" == "v$PULUMI_VERSION" ]] || return 1
  [[ "$(tool_version_of "$plugin_bin")" == "$COMMAND_VERSION" ]] || return 1
  [[ -f "$version_dir/.tools-stamp" && "$(cat "$version_dir/.tools-stamp")" == "$(tools_stamp)" ]] || return 1
}

build_pulumi() {
  local go=$1 src="$version_dir/src" pkg_dir sdk_dir
  log "building pulumi v$PULUMI_VERSION from Go modules (cold: 10-40 min on 2 cores; cached afterwards)"
  pkg_dir=$("$go" mod download -json "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  sdk_dir=$("$go" mod download -json "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -d "$pkg_dir" && -d "$sdk_dir" ]] ||
    die "could not download github.com/pulumi/pulumi/{pkg,sdk}/v3@v$PULUMI_VERSION from the Go module proxy (GOPROXY=$("$go" env GOPROXY)); check network access to it"
  # pkg's go.mod has `replace github.com/pulumi/pulumi/sdk/v3 => ../sdk`, which
  # `go install pkg@version` refuses; rebuilding the repo layout (pkg next to
  # sdk) in a writable directory satisfies it with the identical sdk release.
  rm -rf "$src"
  mkdir -p "$src"
  cp -r "$pkg_dir" "$src/pkg"
  cp -r "$sdk_dir" "$src/sdk"
  chmod -R u+w "$src"
  (cd "$src/pkg" && "$go" build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$bin_dir/pulumi.tmp" ./cmd/pulumi) || die "building pulumi failed (see the Go errors above)"
  mv -f "$bin_dir/pulumi.tmp" "$bin_dir/pulumi"
  rm -rf "$src"
}

build_tools() {
  local go=$1
  log "building pulumi-language-nodejs and pulumi-resource-command v$COMMAND_VERSION from $engine_src"
  mkdir -p "$(dirname "$plugin_bin")"
  (cd "$engine_src" && "$go" build -trimpath -ldflags "-s -w -X main.version=$PULUMI_VERSION" \
    -o "$bin_dir/pulumi-language-nodejs.tmp" ./cmd/pulumi-language-nodejs) ||
    die "building pulumi-language-nodejs failed (see the Go errors above)"
  (cd "$engine_src" && "$go" build -trimpath -ldflags "-s -w -X main.version=$COMMAND_VERSION" \
    -o "$plugin_bin.tmp" ./cmd/pulumi-resource-command) ||
    die "building pulumi-resource-command failed (see the Go errors above)"
  mv -f "$bin_dir/pulumi-language-nodejs.tmp" "$bin_dir/pulumi-language-nodejs"
  mv -f "$plugin_bin.tmp" "$plugin_bin"
  tools_stamp >"$version_dir/.tools-stamp"
}

install_into_cache() {
  local go
  go=$(find_go) || die "Go is required to build the engine offline but was not found; install Go 1.25.11 or newer (e.g. at /usr/local/go) and re-run"
  mkdir -p "$bin_dir" || die "cannot create $bin_dir; set PULUMI_ENGINE_CACHE to a writable directory"
  # Several test processes may install at once: one builds, the others wait.
  exec 9>"$version_dir/.lock"
  flock 9
  if cache_ok; then
    return 0
  fi
  if ! [[ -x "$bin_dir/pulumi" && "$(pulumi_version_of "$bin_dir/pulumi")" == "v$PULUMI_VERSION" ]]; then
    build_pulumi "$go"
  fi
  if ! [[ -f "$version_dir/.tools-stamp" && "$(cat "$version_dir/.tools-stamp")" == "$(tools_stamp)" ]] ||
    ! [[ -x "$bin_dir/pulumi-language-nodejs" && -x "$plugin_bin" ]]; then
    build_tools "$go"
  fi
  cache_ok || die "the engine in $bin_dir does not report the expected versions after building; remove $version_dir and re-run"
}

# install_plugin puts the provider into $PULUMI_HOME's plugin cache, where the
# engine looks it up by name and version. The marker file tells our own
# (possibly outdated) install apart from a plugin someone else put there.
install_plugin() {
  local marker="$plugin_dir/.installed-by-django-deploy"
  if [[ -d "$plugin_dir" && ! -f "$marker" ]]; then
    return 0
  fi
  if [[ -f "$marker" ]] && cmp -s "$plugin_bin" "$plugin_dir/pulumi-resource-command"; then
    return 0
  fi
  log "installing pulumi-resource-command v$COMMAND_VERSION into $pulumi_home/plugins"
  PULUMI_HOME="$pulumi_home" PULUMI_SKIP_UPDATE_CHECK=true "$bin_dir/pulumi" plugin install resource command \
    "v$COMMAND_VERSION" --file "$plugin_bin" --reinstall >&2 ||
    die "could not install the command plugin into $pulumi_home/plugins; check that PULUMI_HOME is writable"
  touch "$marker"
}

if dir=$(ambient_ok); then
  result_dir=$dir
else
  if ! cache_ok; then
    start=$(date +%s)
    install_into_cache
    log "built in $(($(date +%s) - start))s"
  fi
  install_plugin
  result_dir=$bin_dir
fi

if [[ $print_path == 1 ]]; then
  echo "$result_dir"
else
  echo "pulumi v$PULUMI_VERSION and pulumi-language-nodejs are in $result_dir;"
  echo "pulumi-resource-command v$COMMAND_VERSION is in ${pulumi_home}/plugins. Add the engine to PATH:"
  echo "  export PATH=\"$result_dir:\$PATH\""
fi
