#!/usr/bin/env bash
# Starts a throwaway Docker Swarm of N nodes on this one machine for the swarm end-to-end test:
# one dockerd per node, each in its own network namespace (so each has its own IP, iptables and
# docker0), joined over a bridge on the host, node 1 the manager. The machine's own dockerd is not
# touched. Images the nodes need and cannot pull (the base images) are copied into them once and
# kept in their data roots, so a second start is quick.
#
# Usage: scripts/start-swarm.sh [--nodes N] [--registry HOST:PORT] [--image REF]... DIR
#        scripts/start-swarm.sh --stop DIR
#
# Measured here: the kernel has no IPVS, so Swarm's VIP load balancing and its ingress routing mesh
# do not work on this machine; services are reached with `endpoint_mode: dnsrr` on an overlay
# network and ports published in `mode: host` (both work: vxlan is there).
#
# DIR (outside the repository) gets nodeN.log, nodeN.pid and env.json:
#   {"MANAGER_SOCKET": "unix:///run/ddsw/n1.sock", "MANAGER_IP": "10.77.0.11",
#    "NODE_IPS": ["10.77.0.11", ...], "HOST_IP": "10.77.0.1", "SOCKETS": [...]}
# HOST_IP is this machine on the swarm's bridge: a registry the nodes pull from listens there.
set -euo pipefail

log() { printf '[start-swarm %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  printf 'start-swarm.sh: error: %s\n' "$*" >&2
  exit 1
}

BRIDGE=ddsw0
SUBNET_PREFIX=10.77.0
HOST_IP=$SUBNET_PREFIX.1
CACHE=/var/cache/django-deploy/swarm
# Socket paths have a 108-byte limit; keep them short and fixed.
RUN=/run/ddsw

nodes=2
registry=""
images=()
stop_dir=""
dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --stop)
      [[ $# -ge 2 ]] || die "--stop needs the directory the swarm was started with"
      stop_dir=$2
      shift 2
      ;;
    --nodes)
      [[ $# -ge 2 && $2 =~ ^[1-9]$ ]] || die "--nodes needs a number from 1 to 9"
      nodes=$2
      shift 2
      ;;
    --registry)
      [[ $# -ge 2 ]] || die "--registry needs HOST:PORT"
      registry=$2
      shift 2
      ;;
    --image)
      [[ $# -ge 2 ]] || die "--image needs an image reference present in this machine's dockerd"
      images+=("$2")
      shift 2
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    -*) die "unknown option '$1'; allowed: --nodes N, --registry HOST:PORT, --image REF, --stop DIR, --help" ;;
    *)
      dir=$1
      shift
      ;;
  esac
done

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, dockerd); re-run with sudo"

node_sock() { echo "unix://$RUN/n$1.sock"; }
node_docker() {
  local n=$1
  shift
  docker -H "$(node_sock "$n")" "$@"
}

stop_node() {
  local n=$1 pid
  if [[ -S $RUN/n$n.sock ]]; then node_docker "$n" swarm leave --force >/dev/null 2>&1 || true; fi
  if pid=$(cat "$RUN/n$n.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  ip netns del "ddsw-n$n" 2>/dev/null || true
}

teardown() {
  for n in $(seq 9); do stop_node "$n"; done
  ip link del "$BRIDGE" 2>/dev/null || true
  while iptables -D DOCKER-USER -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null; do :; done
  while iptables -D DOCKER-USER -i "$BRIDGE" -j ACCEPT 2>/dev/null; do :; done
}

if [[ -n $stop_dir ]]; then
  teardown
  log "stopped"
  exit 0
fi

[[ -n $dir ]] || die "give a directory for the swarm's logs and env.json (outside the repository)"
command -v ip >/dev/null || die "'ip' (iproute2) is missing: apt-get install iproute2"
command -v nsenter >/dev/null || die "'nsenter' (util-linux) is missing: apt-get install util-linux"
docker info >/dev/null 2>&1 || die "this machine's dockerd is not running; start it with scripts/install-docker.sh"
mkdir -p "$dir" "$RUN"
dir=$(realpath "$dir")

# A leftover of an earlier start (killed test) would make every step below fail half way.
teardown

ip link add "$BRIDGE" type bridge
ip addr add "$HOST_IP/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
# Docker's FORWARD policy is DROP; the nodes talk to each other and to the host over the bridge.
iptables -I DOCKER-USER -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
iptables -I DOCKER-USER -i "$BRIDGE" -j ACCEPT

insecure=()
[[ -n $registry ]] && insecure=(--insecure-registry "$registry")
for n in $(seq "$nodes"); do
  ns=ddsw-n$n
  ip netns add "$ns"
  ip link add "ddsw-v$n" type veth peer name eth0 netns "$ns"
  ip link set "ddsw-v$n" master "$BRIDGE" up
  ip -n "$ns" addr add "$SUBNET_PREFIX.1$n/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" route add default via "$HOST_IP"
  mkdir -p "$CACHE/n$n"
  # nsenter, not `ip netns exec`: the latter remounts /sys and hides the cgroup mounts dockerd needs.
  setsid nsenter --net="/var/run/netns/$ns" dockerd \
    --data-root "$CACHE/n$n" --exec-root "$RUN/n$n" --pidfile "$RUN/n$n.pid" \
    -H "$(node_sock "$n")" --cgroup-parent "ddsw-n$n" "${insecure[@]}" \
    >"$dir/node$n.log" 2>&1 </dev/null &
done
for n in $(seq "$nodes"); do
  for _ in $(seq 120); do
    node_docker "$n" info >/dev/null 2>&1 && break
    sleep 0.5
  done
  node_docker "$n" info >/dev/null 2>&1 || {
    tail -n 20 "$dir/node$n.log" >&2
    die "node $n's dockerd did not start; log: $dir/node$n.log"
  }
  cp "$RUN/n$n.pid" "$dir/node$n.pid"
done
log "$nodes dockerd nodes are up"

node_docker 1 swarm init --advertise-addr "$SUBNET_PREFIX.11" >/dev/null
token=$(node_docker 1 swarm join-token -q worker)
for n in $(seq 2 "$nodes"); do
  node_docker "$n" swarm join --token "$token" "$SUBNET_PREFIX.11:2377" >/dev/null
done
for n in $(seq "$nodes"); do
  # Every node is named "vm" (one kernel): a label says which one it is, for placement and asserts.
  id=$(node_docker "$n" info --format '{{.Swarm.NodeID}}')
  node_docker 1 node update --label-add "ddsw.node=n$n" "$id" >/dev/null
done
log "swarm of $nodes nodes formed"

for image in "${images[@]}"; do
  want=$(docker image inspect --format '{{.Id}}' "$image") || die "image '$image' is not in this machine's dockerd"
  for n in $(seq "$nodes"); do
    have=$(node_docker "$n" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
    if [[ $have != "$want" ]]; then
      log "copying $image into node $n"
      docker save "$image" | node_docker "$n" load -q >/dev/null
    fi
  done
done

ips=()
socks=()
for n in $(seq "$nodes"); do
  ips+=("\"$SUBNET_PREFIX.1$n\"")
  socks+=("\"$(node_sock "$n")\"")
done
printf '{"MANAGER_SOCKET": "%s", "MANAGER_IP": "%s", "HOST_IP": "%s", "NODE_IPS": [%s], "SOCKETS": [%s]}\n' \
  "$(node_sock 1)" "$SUBNET_PREFIX.11" "$HOST_IP" "$(IFS=,; echo "${ips[*]}")" "$(IFS=,; echo "${socks[*]}")" >"$dir/env.json"
cat "$dir/env.json"
