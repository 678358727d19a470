#!/usr/bin/env bash
# Installs the Pulumi engine and the real plugins this project runs, on a machine that cannot
# download Pulumi's release binaries (get.pulumi.com and GitHub are unreachable here; on an
# ordinary machine, install the CLI as usual and let `pulumi` download the plugins instead):
#
#   pulumi                    v3.248.0   built from the Go module github.com/pulumi/pulumi/pkg/v3
#   pulumi-language-nodejs    v3.248.0   built from upstream source in ../shared/upstream
#   pulumi-resource-command   v1.2.1     built from upstream source in ../shared/upstream
#   pulumi-resource-docker    v4.11.2    built from upstream source (and the terraform bridge's)
#   pulumi-resource-github    v6.15.0    built from upstream source
#
# The versions are those of the npm packages in package.json (the SDK asks the engine for exactly
# them). The build recipe is the one ../shared/upstream/README.md records; the Go module proxy
# serves every dependency except the bridge version, which comes from that tree too.
#
# Layout (cached by content: a binary is rebuilt only when its source tree or recipe changes):
#   ${PULUMI_ENGINE_CACHE:-/var/cache/django-deploy/engine}/
#     pulumi-v3.248.0/bin/{pulumi,pulumi-language-nodejs}   put this directory on PATH; the CLI
#                                                           finds the language host beside itself
#     plugins/<name>-v<version>/pulumi-resource-<name>      installed from here into the plugin
#                                                           cache of $PULUMI_HOME (pulumi plugin
#                                                           install --file), where the engine looks
#
# Usage:
#   scripts/install-engine.sh                 install if needed, then print a summary
#   scripts/install-engine.sh --print-path    install if needed (log on stderr), print only the bin dir
#   export PATH="$(scripts/install-engine.sh --print-path):$PATH"
#
# Environment:
#   PULUMI_ENGINE_CACHE   cache root (default /var/cache/django-deploy/engine)
#   PULUMI_HOME           Pulumi home whose plugin cache receives the providers (default ~/.pulumi)
#   UPSTREAM_SRC          the plugins' upstream source (default: ../shared/upstream beside the repo)
set -euo pipefail

PULUMI_VERSION=3.248.0
# name:version of each resource provider, as the npm packages @pulumi/<name> request them.
PROVIDERS=(command:1.2.1 docker:4.11.2 github:6.15.0)
# Bump when a build recipe below changes, so cached binaries are rebuilt.
RECIPE=1

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$script_dir")
upstream=${UPSTREAM_SRC:-$(dirname "$repo")/shared/upstream}
cache_root=${PULUMI_ENGINE_CACHE:-/var/cache/django-deploy/engine}
version_dir="$cache_root/pulumi-v$PULUMI_VERSION"
bin_dir="$version_dir/bin"
pulumi_home=${PULUMI_HOME:-$HOME/.pulumi}

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

# Upstream tree directory of each artifact, relative to $upstream.
source_dirs_of() {
  case "$1" in
    language-nodejs) echo "pulumi-language-nodejs-v$PULUMI_VERSION" ;;
    command) echo "pulumi-command-v${2}" ;;
    docker) echo "pulumi-docker-v${2} pulumi-terraform-bridge-v3.125.0" ;;
    github) echo "pulumi-github-v${2}" ;;
  esac
}

# What a cached binary was built from: recipe, version and the content of its source trees.
inputs_stamp() {
  local name=$1 version=$2 d
  {
    echo "recipe=$RECIPE name=$name version=$version"
    for d in $(source_dirs_of "$name" "$version"); do
      [[ -d "$upstream/$d" ]] ||
        die "upstream source $upstream/$d is missing; set UPSTREAM_SRC to the directory holding the plugins' upstream trees (shared/upstream)"
      (cd "$upstream" && find "$d" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    done
  } | sha256sum | cut -d' ' -f1
}

fresh() { # fresh BINARY STAMP: the binary exists and was built from these inputs
  [[ -x "$1" && -f "$1.stamp" && "$(cat "$1.stamp")" == "$2" ]]
}

pulumi_version_of() { "$1" version 2>/dev/null | head -n1 || true; }

build_cli() {
  local go=$1 src="$version_dir/src" pkg_dir sdk_dir
  log "building pulumi v$PULUMI_VERSION from Go modules"
  pkg_dir=$("$go" mod download -json "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  sdk_dir=$("$go" mod download -json "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -d "$pkg_dir" && -d "$sdk_dir" ]] ||
    die "could not download github.com/pulumi/pulumi/{pkg,sdk}/v3@v$PULUMI_VERSION from the Go module proxy (GOPROXY=$("$go" env GOPROXY)); check network access to it"
  # pkg's go.mod has `replace github.com/pulumi/pulumi/sdk/v3 => ../sdk`, which
  # `go install pkg@version` refuses; the repo layout (pkg next to sdk) satisfies it.
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

# build_plugin NAME VERSION OUT: upstream's recipe, in a writable copy of the read-only tree.
build_plugin() {
  local go=$1 name=$2 version=$3 out=$4 work d
  log "building $(basename "$out") v$version from $upstream"
  work=$(mktemp -d "$cache_root/build.XXXXXX")
  for d in $(source_dirs_of "$name" "$version"); do cp -r "$upstream/$d" "$work/"; done
  chmod -R u+w "$work"
  local first
  first=$(source_dirs_of "$name" "$version" | cut -d' ' -f1)
  if ! (
    set -e
    export GOFLAGS="-buildvcs=false -mod=mod" CGO_ENABLED=0
    case "$name" in
      language-nodejs)
        cd "$work/$first"
        # The monorepo's relative replaces point outside this tree; take the released modules.
        "$go" mod edit -dropreplace github.com/pulumi/pulumi/pkg/v3 \
          -dropreplace github.com/pulumi/pulumi/sdk/v3 \
          -require "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" \
          -require "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
        "$go" build -trimpath -tags osusergo,grpcnotrace \
          -ldflags "-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
          -o "$out.tmp" .
        ;;
      command)
        cd "$work/$first/provider"
        "$go" build -trimpath \
          -ldflags "-s -w -X github.com/pulumi/pulumi-command/provider/pkg/version.Version=v$version" \
          -o "$out.tmp" ./cmd/pulumi-resource-command
        ;;
      docker | github)
        cd "$work/$first/provider"
        if [[ $name == docker ]]; then
          # The proxy refuses this bridge version; a relative path keeps the build reproducible.
          "$go" mod edit -replace github.com/pulumi/pulumi-terraform-bridge/v3=../../pulumi-terraform-bridge-v3.125.0
        fi
        local major=${version%%.*}
        (cd "cmd/pulumi-resource-$name" && VERSION=$version "$go" run ./generate.go)
        "$go" build -trimpath \
          -ldflags "-s -w -X github.com/pulumi/pulumi-$name/provider/v$major/pkg/version.Version=$version" \
          -o "$out.tmp" "./cmd/pulumi-resource-$name"
        ;;
    esac
  ); then
    rm -rf "$work"
    die "building $(basename "$out") v$version failed (see the Go errors above)"
  fi
  rm -rf "$work"
  mv -f "$out.tmp" "$out"
}

plugin_bin() { echo "$cache_root/plugins/$1-v$2/pulumi-resource-$1"; }

engine_fresh() {
  [[ -x "$bin_dir/pulumi" && "$(pulumi_version_of "$bin_dir/pulumi")" == "v$PULUMI_VERSION" ]] || return 1
  fresh "$bin_dir/pulumi-language-nodejs" "$(inputs_stamp language-nodejs "$PULUMI_VERSION")" || return 1
  local p
  for p in "${PROVIDERS[@]}"; do
    fresh "$(plugin_bin "${p%%:*}" "${p#*:}")" "$(inputs_stamp "${p%%:*}" "${p#*:}")" || return 1
  done
}

build_engine() {
  local go p name version out stamp
  go=$(find_go) || die "Go is required to build the engine offline but was not found; install Go 1.26 or newer (e.g. at /usr/local/go) and re-run"
  mkdir -p "$bin_dir" "$cache_root/plugins" ||
    die "cannot create $bin_dir; set PULUMI_ENGINE_CACHE to a writable directory"
  # Several test processes may install at once: one builds, the others wait.
  exec 9>"$cache_root/.lock"
  flock 9
  # One after the other: they share most packages (pkg/sdk; the bridge for docker and github),
  # so each build reuses what the previous one compiled instead of competing for the 2 cores.
  if ! [[ -x "$bin_dir/pulumi" && "$(pulumi_version_of "$bin_dir/pulumi")" == "v$PULUMI_VERSION" ]]; then
    build_cli "$go"
  fi
  stamp=$(inputs_stamp language-nodejs "$PULUMI_VERSION")
  out="$bin_dir/pulumi-language-nodejs"
  if ! fresh "$out" "$stamp"; then
    build_plugin "$go" language-nodejs "$PULUMI_VERSION" "$out"
    echo "$stamp" >"$out.stamp"
  fi
  for p in "${PROVIDERS[@]}"; do
    name=${p%%:*} version=${p#*:}
    out=$(plugin_bin "$name" "$version")
    stamp=$(inputs_stamp "$name" "$version")
    if ! fresh "$out" "$stamp"; then
      mkdir -p "$(dirname "$out")"
      build_plugin "$go" "$name" "$version" "$out"
      echo "$stamp" >"$out.stamp"
    fi
  done
}

# Puts each provider into $PULUMI_HOME's plugin cache, where the engine looks it up by name and
# version (no "using ... from \$PATH" warning, no download). Skipped when the same binary is there.
install_plugins() {
  local p name version src dir
  for p in "${PROVIDERS[@]}"; do
    name=${p%%:*} version=${p#*:}
    src=$(plugin_bin "$name" "$version")
    dir="$pulumi_home/plugins/resource-$name-v$version"
    if cmp -s "$src" "$dir/pulumi-resource-$name" && [[ ! -e "$dir.partial" ]]; then
      continue
    fi
    log "installing pulumi-resource-$name v$version into $pulumi_home/plugins"
    PULUMI_HOME="$pulumi_home" PULUMI_SKIP_UPDATE_CHECK=true "$bin_dir/pulumi" plugin install \
      resource "$name" "v$version" --file "$src" --reinstall >&2 ||
      die "could not install the $name plugin into $pulumi_home/plugins; check that PULUMI_HOME is writable"
  done
}

if ! engine_fresh; then
  start=$(date +%s)
  build_engine
  log "built in $(($(date +%s) - start))s"
fi
install_plugins

if [[ $print_path == 1 ]]; then
  echo "$bin_dir"
else
  echo "pulumi v$PULUMI_VERSION and pulumi-language-nodejs are in $bin_dir;"
  echo "the command, docker and github providers are in $pulumi_home/plugins. Add the engine to PATH:"
  echo "  export PATH=\"$bin_dir:\$PATH\""
fi
