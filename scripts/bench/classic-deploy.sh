#!/usr/bin/env bash
# The baseline of `npm run bench:deploy`: the classic pipeline this project replaces, step by step,
# as the bench runs it on the server in one SSH session (the release arrives as a tarball on
# stdin, over the same connection):
#   stop web and workers -> up -d db -> sleep 5 -> build -> run --rm web migrate --noinput
#   -> run --rm web collectstatic --noinput -> up -d
# It stops the web first, so requests fail until the new web answers: the gap our switch removes.
#
# Usage (on the server): classic-deploy.sh <dir> <compose project>   (stdin: tar.gz of the release)
set -euo pipefail
dir=$1 project=$2

mkdir -p "$dir"
tar -xz -C "$dir"
cd "$dir"
# This machine's Docker has no buildx; the classic builder needs no network for local bases.
export DOCKER_BUILDKIT=0
dc() { docker compose --project-name "$project" "$@"; }

dc stop web celery_worker celery_beat
dc up -d db
sleep 5
dc build web
dc run --rm web python manage.py migrate --noinput
dc run --rm web python manage.py collectstatic --noinput
dc up -d
