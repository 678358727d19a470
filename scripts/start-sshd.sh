#!/usr/bin/env bash
# Starts a throwaway sshd on 127.0.0.1 for the end-to-end tests: the stack deploys over SSH to
# this very machine as root (docker runs as root here), key-only, with a host key generated per
# run so the test can pin it, as production stacks pin theirs.
#
# Usage: scripts/start-sshd.sh [--port N] [--reuse] [DIR]  start; DIR defaults to $SSHD_DIR or a mktemp -d
#        (--reuse: keep DIR's keys and port from an earlier start, and accept one still running)
#        scripts/start-sshd.sh --stop DIR           stop the sshd started with DIR
#
# --port (or $SSH_PORT) is the first port tried, default 2222; the next free one is used if it
# is taken. DIR must be outside the repository (it holds a private key) and gets:
#   ssh_host_ed25519_key(.pub)  the server's host key      id_ed25519(.pub)  the client key
#   authorized_keys, sshd_config, sshd.pid, sshd.log, known_hosts (host key pinned for [127.0.0.1]:PORT)
#   env        shell-sourceable KEY='value' lines, also printed on stdout:
#              SSH_HOST SSH_PORT SSH_USER SSH_PRIVATE_KEY_FILE SSH_KNOWN_HOSTS_FILE HOST_KEY SSHD_DIR SSHD_PID
#   env.json   the same values as a JSON object
# HOST_KEY is the host's public key as "ssh-ed25519 AAAA..." (authorized_keys format, no comment).
set -euo pipefail

log() { printf '[start-sshd %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  printf 'start-sshd.sh: error: %s\n' "$*" >&2
  exit 1
}

stop_dir=""
reuse=false
port="${SSH_PORT:-2222}"
dir="${SSHD_DIR:-}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stop)
      [[ $# -ge 2 ]] || die "--stop needs the directory the sshd was started with"
      stop_dir=$2
      shift 2
      ;;
    --reuse)
      reuse=true
      shift
      ;;
    --port)
      [[ $# -ge 2 ]] || die "--port needs a number"
      port=$2
      shift 2
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    -*) die "unknown option '$1'; allowed: --port N, --reuse, --stop DIR, --help" ;;
    *)
      dir=$1
      shift
      ;;
  esac
done

if [[ -n $stop_dir ]]; then
  pidfile="$stop_dir/sshd.pid"
  if [[ ! -s $pidfile ]]; then
    log "no $pidfile; nothing to stop"
    exit 0
  fi
  pid=$(<"$pidfile")
  # Only kill the pid if it still is our sshd (pids are reused).
  if kill -0 "$pid" 2>/dev/null && grep -qa "$stop_dir/sshd_config" "/proc/$pid/cmdline"; then
    kill "$pid"
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "stopped sshd (pid $pid)"
  else
    log "sshd (pid $pid) from $stop_dir is not running"
  fi
  rm -f "$pidfile"
  exit 0
fi

[[ $(id -u) -eq 0 ]] || die "must run as root (sshd logs users in as root here); re-run with sudo"
[[ $port =~ ^[0-9]+$ && $port -ge 1 && $port -le 65535 ]] || die "port '$port' is not a number in 1-65535"

if [[ ! -x /usr/sbin/sshd ]] || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
  log "installing openssh-server and openssh-client"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server openssh-client >/dev/null 2>&1; then
    apt-get update >/dev/null || die "apt-get update failed; check the mirrors in /etc/apt/sources.list*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server openssh-client >/dev/null ||
      die "apt-get install openssh-server openssh-client failed; run it by hand to see why"
  fi
fi
# sshd refuses to start without its privilege-separation directory.
mkdir -p /run/sshd
chmod 0755 /run/sshd

if [[ -z $dir ]]; then
  dir=$(mktemp -d -t django-deploy-sshd.XXXXXX)
fi
dir=$(realpath -m "$dir")
# The env files quote values naively; a path with quotes or backslashes would break them.
[[ $dir != *[\'\"\\[:space:]]* ]] || die "directory '$dir' contains quotes, backslashes or spaces; use a plain path"
if repo_root=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel 2>/dev/null) &&
  [[ $dir == "$repo_root" || $dir == "$repo_root"/* ]]; then
  die "directory '$dir' is inside the repository and would hold a private key; use a directory outside it (e.g. omit DIR for a mktemp -d)"
fi
mkdir -p "$dir"
chmod 700 "$dir"
if [[ -s $dir/sshd.pid ]] && kill -0 "$(<"$dir/sshd.pid")" 2>/dev/null; then
  if $reuse && [[ -s $dir/env ]]; then
    cat "$dir/env"
    exit 0
  fi
  die "an sshd (pid $(<"$dir/sshd.pid")) is already running for $dir; stop it first: $0 --stop $dir"
fi
# With --reuse, a persistent workspace keeps its keys and port, so the stack's pinned host key and
# connection stay the same from one run to the next.
if $reuse && [[ -s $dir/env.json && -s $dir/ssh_host_ed25519_key && -s $dir/id_ed25519 ]]; then
  port=$(sed -n 's/^SSH_PORT=//p' "$dir/env" | tr -d "'\"")
  keep_keys=true
else
  keep_keys=false
fi

port_in_use() { (: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
first_port=$port
while port_in_use "$port"; do
  port=$((port + 1))
  ((port <= first_port + 100 && port <= 65535)) ||
    die "no free port in $first_port-$((port - 1)) on 127.0.0.1; pass --port with another start"
done

if ! $keep_keys; then
  rm -f "$dir"/ssh_host_ed25519_key* "$dir"/id_ed25519*
  ssh-keygen -q -t ed25519 -N '' -C "django-deploy-e2e-host" -f "$dir/ssh_host_ed25519_key"
  ssh-keygen -q -t ed25519 -N '' -C "django-deploy-e2e-client" -f "$dir/id_ed25519"
fi
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
chmod 600 "$dir/authorized_keys"
host_key=$(cut -d' ' -f1-2 "$dir/ssh_host_ed25519_key.pub")
echo "[127.0.0.1]:$port $host_key" >"$dir/known_hosts"

# Without PAM, sshd refuses accounts whose password is locked ("!..."); with it, it does not.
use_pam=no
if [[ $(getent shadow root | cut -d: -f2) == '!'* ]]; then
  use_pam=yes
fi

cat >"$dir/sshd_config" <<EOF
# Throwaway sshd for end-to-end tests; generated by scripts/start-sshd.sh.
ListenAddress 127.0.0.1
Port $port
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
# The test client's key for root; a deploy user's own ~/.ssh/authorized_keys as on a real server.
AuthorizedKeysFile $dir/authorized_keys %h/.ssh/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM $use_pam
# The key files live under /tmp, whose mode 1777 StrictModes rejects in the path check.
StrictModes no
# Pulumi opens a connection per command resource, many in parallel.
MaxStartups 100
MaxSessions 100
# Debian's bash sources ~/.bashrc for "ssh host cmd" unless SHLVL says it is nested; root's
# .bashrc on the test machines can take seconds (pyenv init) and reorders PATH. Commands should
# see the plain system environment, as on a fresh server.
SetEnv SHLVL=1
X11Forwarding no
PrintMotd no
LogLevel VERBOSE
Subsystem sftp internal-sftp
EOF

/usr/sbin/sshd -t -f "$dir/sshd_config" || die "sshd rejected $dir/sshd_config (error above)"
: >"$dir/sshd.log"
/usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" ||
  die "sshd failed to start; see $dir/sshd.log"

ssh_check=(ssh -p "$port" -i "$dir/id_ed25519" -o BatchMode=yes -o IdentitiesOnly=yes
  -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$dir/known_hosts" -o ConnectTimeout=5
  root@127.0.0.1 true)
for attempt in $(seq 50); do
  if "${ssh_check[@]}" 2>/dev/null; then
    break
  fi
  if ((attempt == 50)); then
    tail -n 20 "$dir/sshd.log" >&2
    die "sshd on 127.0.0.1:$port does not accept the client key; see $dir/sshd.log (tail above) and try: ${ssh_check[*]}"
  fi
  sleep 0.1
done

pid=$(<"$dir/sshd.pid")
vars=(
  "SSH_HOST=127.0.0.1"
  "SSH_PORT=$port"
  "SSH_USER=root"
  "SSH_PRIVATE_KEY_FILE=$dir/id_ed25519"
  "SSH_KNOWN_HOSTS_FILE=$dir/known_hosts"
  "HOST_KEY=$host_key"
  "SSHD_DIR=$dir"
  "SSHD_PID=$pid"
)
for kv in "${vars[@]}"; do
  printf "%s='%s'\n" "${kv%%=*}" "${kv#*=}"
done >"$dir/env"
{
  printf '{'
  sep=""
  for kv in "${vars[@]}"; do
    # No value here can hold a quote or backslash: paths from mktemp, base64 keys, numbers.
    printf '%s\n  "%s": "%s"' "$sep" "${kv%%=*}" "${kv#*=}"
    sep=","
  done
  printf '\n}\n'
} >"$dir/env.json"
log "sshd (pid $pid) listening on 127.0.0.1:$port; stop with: $0 --stop $dir"
cat "$dir/env"
