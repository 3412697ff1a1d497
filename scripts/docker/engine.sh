# Sourced by scripts/test-docker.sh: a Docker engine of the test's own when none runs, and undoing what that
# engine changed on the host once it stops (../shared/DOCKER.md). Sets ENGINE_STARTED=1 when it started one.

ENGINE_STARTED=0

# ensure_tools: dockerd, docker, docker-compose (v1) and debootstrap, installed with apt when missing (CI runs
# as root on a fresh machine). Fails when they are missing and cannot be installed.
ensure_tools() {
  local missing=()
  for tool in dockerd docker docker-compose debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "test:docker: missing ${missing[*]} (apt-get install docker.io docker-compose debootstrap, as root)"
    return 1
  fi
  echo "test:docker: installing docker.io docker-compose debootstrap (missing: ${missing[*]})"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose debootstrap >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose debootstrap >/dev/null 2>&1; }
}

# engine_start DIR: uses a running engine (DOCKER_HOST or the default socket); otherwise starts dockerd with
# its data, exec root and socket under DIR and waits for it. Records the host state the cleanup restores.
engine_start() {
  local dir=$1
  if docker info >/dev/null 2>&1; then
    echo "test:docker: using the running Docker engine"
    return 0
  fi
  HOST_IP_FORWARD=$(sysctl -n net.ipv4.ip_forward)
  HOST_NFT_TABLES=$(nft list tables 2>/dev/null)
  HOST_LINKS=$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1)
  mkdir -p "$dir/data" "$dir/exec"
  # Its own socket: never taking over the default one another engine or tool may use.
  export DOCKER_HOST="unix://$dir/docker.sock"
  dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" -H "$DOCKER_HOST" \
    >"$dir/dockerd.log" 2>&1 &
  ENGINE_STARTED=1
  ENGINE_DIR=$dir
  for _ in $(seq 150); do
    docker info >/dev/null 2>&1 && return 0
    [ -f "$dir/docker.pid" ] || kill -0 $! 2>/dev/null || break
    sleep 0.2
  done
  echo "test:docker: dockerd did not start:"
  tail -n 5 "$dir/dockerd.log"
  return 1
}

# engine_stop: stops the engine this script started and undoes its host changes: the netns mount, docker0
# and br-* bridges, nft tables that were not there before, ip_forward; then unmounts what is left under DIR.
engine_stop() {
  [ "$ENGINE_STARTED" = 1 ] || return 0
  local dir=$ENGINE_DIR pid
  pid=$(cat "$dir/docker.pid" 2>/dev/null)
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null
  fi
  umount "$dir/exec/netns/default" 2>/dev/null
  local link
  for link in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^(docker0|br-|veth)'); do
    grep -qx "$link" <<<"$HOST_LINKS" || ip link del "$link" 2>/dev/null
  done
  local table
  for table in nat filter; do
    grep -qx "table ip $table" <<<"$HOST_NFT_TABLES" || nft delete table ip "$table" 2>/dev/null
  done
  sysctl -qw "net.ipv4.ip_forward=$HOST_IP_FORWARD" >/dev/null
  # Overlay and shm mounts a killed engine can leave behind, deepest first, so the directory can go.
  grep -F " $dir/" /proc/mounts | awk '{print $2}' | sort -r | while read -r mount; do umount -l "$mount"; done
  ENGINE_STARTED=0
}
