#!/usr/bin/env bash
# A small re-implementation of the official postgres image's entrypoint for Debian's
# PostgreSQL: initialise the cluster on first start only (data in $PGDATA survives restarts),
# create POSTGRES_USER/POSTGRES_DB, run /docker-entrypoint-initdb.d, then exec postgres in the
# foreground as the postgres user, listening on all addresses with password authentication.
set -euo pipefail

# Reads VAR or VAR_FILE (Docker/compose secrets), as the official image does.
file_env() {
  local var=$1 def=${2:-} file_var="${1}_FILE"
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    echo "docker-entrypoint: both $var and $file_var are set; set only one of them" >&2
    exit 1
  fi
  local val=$def
  if [[ -n ${!var:-} ]]; then
    val=${!var}
  elif [[ -n ${!file_var:-} ]]; then
    val=$(<"${!file_var}")
  fi
  export "$var"="$val"
  unset "$file_var"
}

if [[ $# -eq 0 || ${1:0:1} == "-" ]]; then
  set -- postgres "$@"
fi
if [[ $1 != postgres ]]; then
  exec "$@"
fi

if [[ $(id -u) -eq 0 ]]; then
  # Bind mounts and fresh named volumes may be root-owned; postgres refuses a data dir it
  # does not own with mode 0700.
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  export HOME=/var/lib/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

file_env POSTGRES_PASSWORD
file_env POSTGRES_USER postgres
file_env POSTGRES_DB "$POSTGRES_USER"
file_env POSTGRES_INITDB_ARGS
auth_method=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}

# A cluster of another major version (say a volume from the PostgreSQL 15 bookworm image) would
# only make postgres exit with "database files are incompatible with server"; say how to move on.
if [[ -s $PGDATA/PG_VERSION && -n ${PG_MAJOR:-} && $(<"$PGDATA/PG_VERSION") != "$PG_MAJOR" ]]; then
  cat >&2 <<MSG
docker-entrypoint: error: $PGDATA holds a PostgreSQL $(<"$PGDATA/PG_VERSION") cluster, and this image runs
  PostgreSQL $PG_MAJOR, which cannot open it. Either dump it with the old image (pg_dumpall) and
  restore into a new, empty volume here, or, if the data is disposable, remove the volume.
MSG
  exit 1
fi

if [[ ! -s $PGDATA/PG_VERSION ]]; then
  if [[ -z $POSTGRES_PASSWORD && $auth_method != trust ]]; then
    cat >&2 <<'MSG'
docker-entrypoint: error: the database is uninitialized and POSTGRES_PASSWORD is not set.
  Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to the superuser's password, e.g.
  `docker run -e POSTGRES_PASSWORD=secret ...`, or POSTGRES_HOST_AUTH_METHOD=trust to allow
  connections without a password (not recommended).
MSG
    exit 1
  fi

  echo "docker-entrypoint: initialising a new cluster in $PGDATA"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments, as in the official image
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    $POSTGRES_INITDB_ARGS
  rm -f "$pwfile"

  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf '\nhost all all all %s\n' "$auth_method" >>"$PGDATA/pg_hba.conf"

  # The setup server listens on a private socket only, so nothing can connect to a half-made
  # database and healthchecks (pg_isready, by TCP or the usual socket) stay red until it is done.
  setup_socket=$(mktemp -d)
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories='$setup_socket'" -w start
  export PGHOST=$setup_socket PGUSER=$POSTGRES_USER PGPASSWORD=$POSTGRES_PASSWORD
  psql=(psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc --dbname postgres)
  if [[ $POSTGRES_DB != postgres ]]; then
    "${psql[@]}" -v db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  psql+=(--dbname "$POSTGRES_DB")
  for f in /docker-entrypoint-initdb.d/*; do
    # shellcheck disable=SC1090 # user-provided init scripts, sourced as the official image does
    case "$f" in
      *.sh) echo "docker-entrypoint: running $f" && . "$f" ;;
      *.sql) echo "docker-entrypoint: running $f" && "${psql[@]}" -f "$f" ;;
      *.sql.gz) echo "docker-entrypoint: running $f" && gunzip -c "$f" | "${psql[@]}" ;;
      *) if [[ -e $f ]]; then echo "docker-entrypoint: ignoring $f"; fi ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGHOST PGUSER PGPASSWORD
  rmdir "$setup_socket"
  echo "docker-entrypoint: cluster initialised; starting postgres"
fi

exec "$@"
