#!/usr/bin/env bash
# Builds the offline base images the end-to-end tests deploy with:
#   django-deploy/python:trixie    Python 3.13 + Django 4.2, psycopg 3, gunicorn, Celery, redis-py
#   django-deploy/postgres:trixie  PostgreSQL 17 honouring the official image's POSTGRES_* vars
#   django-deploy/redis:trixie     redis-server in the foreground, reachable from other containers
#   django-deploy/nginx:trixie     nginx in the foreground: the deploy's proxy in front of the web
#
# Nothing can be pulled here (no Docker Hub, no PyPI), so everything comes from Debian packages:
# mmdebstrap a trixie minbase rootfs with the packages of base-images/packages.txt
# (base-images/make-rootfs.sh), `docker import` it once as django-deploy/rootfs:<hash>, then
# small Dockerfiles FROM that local image add entrypoints and env (no network needed).
#
# Cached by content: the rootfs tarball lives in $DJANGO_DEPLOY_CACHE/rootfs/<suite>-<hash>.tar,
# each image carries the label org.django-deploy.inputs-hash; a run whose inputs did not change
# only inspects images and exits. Images, tarballs and rootfs images of earlier inputs or of an
# earlier suite (the bookworm ones) are removed once the new ones are built.
#
# Usage: scripts/build-base-images.sh [--force] [--verify]
#   --force   rebuild the rootfs and all images even if their inputs did not change
#   --verify  afterwards, smoke-test the images and compose (base-images/verify.sh, ~1 min)
# Env:   DJANGO_DEPLOY_CACHE (default /var/cache/django-deploy)
#        DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR: passed on to base-images/make-rootfs.sh
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
images_dir="$script_dir/base-images"
cache_dir="${DJANGO_DEPLOY_CACHE:-/var/cache/django-deploy}"
# The Debian release: the rootfs is built from it and every image is tagged with it. packages.txt
# and postgres/Dockerfile name its PostgreSQL major (17), so change them together.
suite=trixie
label=org.django-deploy.inputs-hash
force=0
verify=0

for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --verify) verify=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "build-base-images.sh: unknown argument '$arg'; allowed: --force, --verify, --help" >&2
      exit 2
      ;;
  esac
done

log() { printf '[build-base-images %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  printf 'build-base-images.sh: error: %s\n' "$*" >&2
  exit 1
}

[[ $(id -u) -eq 0 ]] || die "must run as root (mmdebstrap and docker need it); re-run with sudo"
docker info >/dev/null 2>&1 ||
  die "the Docker daemon does not answer 'docker info'; start it with scripts/install-docker.sh"

# The classic builder is what works without the buildx plugin; it builds FROM local images offline.
export DOCKER_BUILDKIT=0

# Contents only, so the hash does not depend on the path the script was invoked by.
hash_files() { cat "$@" | sha256sum | cut -c1-64; }

# Rootfs inputs: the suite, make-rootfs.sh and the package list (so editing a Dockerfile or this
# script does not redo the rootfs build). Image inputs: the rootfs hash, this script and the
# image's dir.
rootfs_hash=$(hash_files <(echo "$suite") "$images_dir/make-rootfs.sh" "$images_dir/packages.txt")
rootfs_tag="django-deploy/rootfs:${rootfs_hash:0:16}"
rootfs_tar="$cache_dir/rootfs/$suite-${rootfs_hash:0:16}.tar"

mkdir -p "$cache_dir/rootfs"
# Two concurrent runs would build the same tarball and tags; serialize them.
exec 9>"$cache_dir/rootfs/.lock"
flock 9

image_hash() {
  local name=$1
  (
    echo "$rootfs_hash"
    sha256sum <"${BASH_SOURCE[0]}"
    cd "$images_dir/$name" && find . -type f -print0 | sort -z | xargs -0 sha256sum
  ) | sha256sum | cut -c1-64
}

current_label() { docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$1" 2>/dev/null || true; }

ensure_rootfs_image() {
  if [[ $force -eq 0 && $(current_label "$rootfs_tag") == "$rootfs_hash" ]]; then
    return
  fi
  if [[ $force -eq 1 || ! -s $rootfs_tar ]]; then
    local t0=$SECONDS
    "$images_dir/make-rootfs.sh" "$suite" "$rootfs_tar"
    log "rootfs built in $((SECONDS - t0))s"
  else
    log "using cached rootfs tarball $rootfs_tar"
  fi
  log "docker import $rootfs_tar as $rootfs_tag"
  docker import \
    --change "LABEL $label=$rootfs_hash" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
    --change 'CMD ["bash"]' \
    "$rootfs_tar" "$rootfs_tag" >/dev/null
}

build_image() {
  local name=$1 tag="django-deploy/$1:$suite" hash
  hash=$(image_hash "$name")
  if [[ $force -eq 0 && $(current_label "$tag") == "$hash" ]]; then
    log "$tag is up to date (${hash:0:12})"
    return
  fi
  ensure_rootfs_image
  local t0=$SECONDS
  log "building $tag"
  local out old_id
  old_id=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  if ! out=$(docker build --label "$label=$hash" --build-arg "BASE=$rootfs_tag" -t "$tag" \
    "$images_dir/$name" 2>&1); then
    printf '%s\n' "$out" | tail -n 30 >&2
    die "docker build of $tag failed (Dockerfile: $images_dir/$name/Dockerfile)"
  fi
  log "built $tag in $((SECONDS - t0))s"
  # The superseded image is now untagged; drop it unless a container still uses it.
  if [[ -n $old_id && $old_id != "$(docker image inspect -f '{{.Id}}' "$tag")" ]]; then
    docker image rm "$old_id" >/dev/null 2>&1 || true
  fi
}

for name in python postgres redis nginx; do
  build_image "$name"
done

# Tarballs and rootfs images of earlier inputs, and the images of an earlier suite
# (django-deploy/python:bookworm, ...), are dead weight once every image is built. `docker image rm`
# without --force keeps an image that a container still uses.
find "$cache_dir/rootfs" -maxdepth 1 -name "*.tar" ! -path "$rootfs_tar" -delete
docker image ls --format '{{.Repository}}:{{.Tag}}' django-deploy/rootfs | while read -r old; do
  [[ $old == "$rootfs_tag" ]] || docker image rm "$old" >/dev/null 2>&1 || true
done
for name in python postgres redis nginx; do
  docker image ls --format '{{.Repository}}:{{.Tag}}' "django-deploy/$name" | while read -r old; do
    if [[ $old != "django-deploy/$name:$suite" ]] && docker image rm "$old" >/dev/null 2>&1; then
      log "removed $old, superseded by django-deploy/$name:$suite"
    fi
  done
done

if [[ $verify -eq 1 ]]; then
  "$images_dir/verify.sh" "$suite"
fi
