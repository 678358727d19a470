#!/usr/bin/env bash
# Smoke-tests the base images and the compose features the deploy relies on, end to end:
#   - python: the app's imports, and the example app's requirements.txt (and `pip install django`)
#     satisfied with no network at all;
#   - postgres: POSTGRES_* honoured, password auth over TCP from another container (psycopg 3),
#     data kept across a container restart, pg_isready on PATH;
#   - redis: PING from redis-cli and from another container;
#   - compose: `build:` FROM a local image (BuildKit and classic builder), healthchecks,
#     depends_on condition: service_healthy, `up --wait`.
# Prints the versions it ran on stdout, one line each (Debian, Python, Django, psycopg, Celery,
# gunicorn, and the PostgreSQL and Redis servers as they answer), so a log shows what was tested.
# Leaves nothing behind (containers, networks, volumes and the test image are removed).
#
# Usage: scripts/base-images/verify.sh <suite>   e.g. trixie: checks django-deploy/*:<suite>
#        (run by scripts/build-base-images.sh --verify, which passes its suite)
set -euo pipefail

[[ $# -eq 1 ]] || {
  echo "usage: verify.sh <suite>   (e.g. verify.sh trixie, as tagged by build-base-images.sh)" >&2
  exit 2
}
suite=$1
python_image="django-deploy/python:$suite"
postgres_image="django-deploy/postgres:$suite"
redis_image="django-deploy/redis:$suite"
requirements="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/examples/django-app/requirements.txt"

log() { printf '[verify %s] %s\n' "$(date +%T)" "$*" >&2; }
fail() {
  printf 'verify.sh: FAILED: %s\n' "$*" >&2
  exit 1
}

# Both builders must work: compose's default (BuildKit through its embedded buildx, against
# dockerd's built-in BuildKit; no buildx plugin needed) and the classic one (DOCKER_BUILDKIT=0).
unset DOCKER_BUILDKIT
run_id="ddverify$$"
net="$run_id-net"
work=$(mktemp -d)

cleanup() {
  docker compose -p "$run_id" --project-directory "$work" -f "$work/compose.yaml" down -v --rmi local \
    >/dev/null 2>&1 || true
  # -v: the redis container's /data is an anonymous volume (VOLUME in its Dockerfile).
  docker rm -f -v "$run_id-db" "$run_id-redis" >/dev/null 2>&1 || true
  docker volume rm "$run_id-pgdata" >/dev/null 2>&1 || true
  docker network rm "$net" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Polls a command until it succeeds, bounded, instead of sleeping a fixed time.
wait_for() {
  local what=$1 tries=$2
  shift 2
  for _ in $(seq "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  fail "$what did not become ready after $((tries / 2))s (command: $*)"
}

for image in "$python_image" "$postgres_image" "$redis_image"; do
  docker image inspect "$image" >/dev/null 2>&1 ||
    fail "image $image does not exist; build it with scripts/build-base-images.sh"
done

log "python: imports and offline pip"
# Fixed-width "name version" lines, the same format as the server lines below.
docker run --rm --network none "$python_image" python -c "
import platform
import celery, django, gunicorn, psycopg, redis
os_release = dict(l.rstrip().split('=', 1) for l in open('/etc/os-release') if '=' in l)
debian = open('/etc/debian_version').read().strip()
libpq = psycopg.pq.version()
for name, version in [
    ('Debian', f\"{debian} ({os_release.get('VERSION_CODENAME', '?')})\"),
    ('Python', platform.python_version()),
    ('Django', django.get_version()),
    ('psycopg', f'{psycopg.__version__} ({psycopg.pq.__impl__} implementation,'
                f' libpq {libpq // 10000}.{libpq % 10000})'),
    ('Celery', celery.__version__),
    ('gunicorn', gunicorn.__version__),
]:
    print(f'{name:<11} {version}')
" || fail "python image cannot import the app's dependencies"
[[ -f $requirements ]] || fail "the example app's requirements are not at $requirements"
out=$(docker run --rm --network none -v "$requirements:/tmp/requirements.txt:ro" "$python_image" \
  sh -c 'pip install --no-index -r /tmp/requirements.txt && pip install django' 2>&1) ||
  fail "pip install of $requirements needs the network (a requirement Debian does not satisfy): $out"
grep -q "Requirement already satisfied: django" <<<"$out" || fail "unexpected pip output: $out"

docker network create "$net" >/dev/null
log "postgres: first start initialises the cluster"
docker volume create "$run_id-pgdata" >/dev/null
start_db() {
  docker run -d --name "$run_id-db" --network "$net" --network-alias db \
    -e POSTGRES_USER=app -e POSTGRES_PASSWORD='s3cret pass' -e POSTGRES_DB=appdb \
    -v "$run_id-pgdata:/var/lib/postgresql/data" "$postgres_image" >/dev/null
  wait_for "postgres" 120 docker exec "$run_id-db" pg_isready -h 127.0.0.1 -U app -d appdb
}
start_db
docker run --rm --network "$net" -e PGPASSWORD='s3cret pass' "$postgres_image" \
  psql -h db -U app -d appdb -v ON_ERROR_STOP=1 -c "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives');" >/dev/null ||
  fail "psql over TCP with POSTGRES_USER/PASSWORD/DB was refused; see: docker logs $run_id-db"
if docker run --rm --network "$net" -e PGPASSWORD=wrong "$postgres_image" \
  psql -h db -U app -d appdb -c "SELECT 1" >/dev/null 2>&1; then
  fail "postgres accepted a wrong password over TCP; pg_hba.conf must require a password"
fi
docker run --rm --network "$net" "$python_image" python -c "
import psycopg
with psycopg.connect(host='db', user='app', password='s3cret pass', dbname='appdb') as c:
    assert c.execute('SELECT v FROM kept').fetchone()[0] == 'survives'
" || fail "psycopg from the python image cannot use the database"
server=$(docker exec -e PGPASSWORD='s3cret pass' "$run_id-db" \
  psql -h 127.0.0.1 -U app -d appdb -tAc "SHOW server_version") ||
  fail "cannot read the server version; see: docker logs $run_id-db"
printf '%-11s %s\n' PostgreSQL "$server"

log "postgres: data survives a new container on the same volume"
docker rm -f "$run_id-db" >/dev/null
start_db
got=$(docker exec -e PGPASSWORD='s3cret pass' "$run_id-db" psql -h 127.0.0.1 -U app -d appdb -tAc "SELECT v FROM kept") ||
  fail "postgres did not come back on the existing volume; see: docker logs $run_id-db"
[[ $got == survives ]] || fail "data did not survive a restart (got '$got')"
inits=$(docker logs "$run_id-db" 2>&1 | grep -c "initialising a new cluster" || true)
[[ $inits == 0 ]] || fail "the second container re-initialised the cluster instead of reusing it"

log "redis: PING"
docker run -d --name "$run_id-redis" --network "$net" --network-alias redis "$redis_image" >/dev/null
wait_for "redis" 60 docker exec "$run_id-redis" redis-cli ping
docker run --rm --network "$net" "$python_image" \
  python -c "import redis; assert redis.Redis(host='redis').ping()" ||
  fail "redis is not reachable from another container (bind / protected mode); see: docker logs $run_id-redis"
server=$(docker exec "$run_id-redis" redis-cli info server | sed -n 's/^redis_version:\([^[:space:]]*\).*/\1/p')
[[ -n $server ]] || fail "redis-cli INFO server reported no redis_version; see: docker logs $run_id-redis"
printf '%-11s %s\n' Redis "$server"

log "compose: build FROM a local image (both builders), healthchecks, service_healthy, up --wait"
mkdir -p "$work/app"
cat >"$work/app/Dockerfile" <<EOF
FROM $python_image
RUN printf 'Django>=4.2\n' >/tmp/requirements.txt && pip install -r /tmp/requirements.txt
CMD ["python", "-m", "http.server", "8000"]
EOF
cat >"$work/compose.yaml" <<EOF
services:
  db:
    image: $postgres_image
    environment: { POSTGRES_USER: app, POSTGRES_PASSWORD: pw, POSTGRES_DB: appdb }
    healthcheck:
      test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "app", "-d", "appdb"]
      interval: 1s
      retries: 60
  redis:
    image: $redis_image
    healthcheck: { test: ["CMD", "redis-cli", "ping"], interval: 1s, retries: 60 }
  web:
    build: ./app
    depends_on:
      db: { condition: service_healthy }
      redis: { condition: service_healthy }
    healthcheck:
      test: ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/')"]
      interval: 1s
      retries: 60
EOF
compose=(docker compose -p "$run_id" --project-directory "$work" -f "$work/compose.yaml")
DOCKER_BUILDKIT=0 "${compose[@]}" build >"$work/build.log" 2>&1 || {
  cat "$work/build.log" >&2
  fail "docker compose build failed with the classic builder (DOCKER_BUILDKIT=0)"
}
classic_id=$(docker image inspect -f '{{.Id}}' "$run_id-web")
"${compose[@]}" build --no-cache >"$work/build.log" 2>&1 || {
  cat "$work/build.log" >&2
  fail "docker compose build failed with its default builder (BuildKit); set DOCKER_BUILDKIT=0 to use the classic one"
}
docker image rm "$classic_id" >/dev/null 2>&1 || true
"${compose[@]}" up -d --wait --wait-timeout 120 >"$work/up.log" 2>&1 || {
  cat "$work/up.log" >&2
  "${compose[@]}" ps -a >&2 || true
  fail "docker compose up --wait did not get every service healthy"
}
state=$("${compose[@]}" ps --format '{{.Service}}={{.Health}}' | sort | tr '\n' ' ')
[[ $state == "db=healthy redis=healthy web=healthy " ]] || fail "unexpected service health: $state"
log "all checks passed ($state)"
