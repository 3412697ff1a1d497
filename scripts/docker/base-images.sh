# Sourced by scripts/test-docker.sh. Builds local stand-ins named exactly like the official images the
# Dockerfile and the compose files name, when they are missing: `docker build` and `docker-compose up` use a
# local image of that name without pulling, so the project's own files stay unchanged where a registry is
# reachable (../shared/DOCKER.md).

# The Debian mirror this machine's apt uses (deb822 `URIs:` or a one-line `deb` entry), not the security one.
debian_mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -oE '(URIs:|^deb)[[:space:]]+(\[[^]]*\][[:space:]]+)?https?://[^[:space:]]+/debian/?([[:space:]]|$)' |
    grep -oE 'https?://[^[:space:]]+' | head -n1)
  echo "${uri:-http://deb.debian.org/debian}"
}

# ensure_base_images WORKDIR: local/bookworm:base (debootstrap) and node:20-bookworm-slim (this machine's node).
ensure_base_images() {
  local work=$1
  mkdir -p "$work"
  if ! docker image inspect local/bookworm:base >/dev/null 2>&1; then
    local mirror
    mirror=$(debian_mirror)
    echo "test:docker: debootstrap bookworm from $mirror (~30 s)"
    debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
      { tail -n 20 "$work/debootstrap.log"; return 1; }
    tar -C "$work/rootfs" -c . | docker import - local/bookworm:base >/dev/null || return 1
    rm -rf "$work/rootfs"
  fi
  if ! docker image inspect node:20-bookworm-slim >/dev/null 2>&1; then
    echo "test:docker: building the node:20-bookworm-slim stand-in from $(command -v node) ($(node --version))"
    local ctx="$work/node-standin" here npm_root
    here=$(dirname "${BASH_SOURCE[0]}")
    npm_root=$(npm root -g)
    mkdir -p "$ctx/lib" "$ctx/include"
    cp "$(readlink -f "$(command -v node)")" "$ctx/node"
    cp -a "$npm_root/npm" "$npm_root/corepack" "$ctx/lib/"
    cp -a "$(dirname "$(readlink -f "$(command -v node)")")/../include/node/." "$ctx/include/"
    cp "$here/node-standin.Dockerfile" "$here/docker-entrypoint.sh" "$ctx/"
    cp /etc/ssl/certs/ca-certificates.crt "$ctx/"
    docker build -q -t node:20-bookworm-slim -f "$ctx/node-standin.Dockerfile" "$ctx" >/dev/null || return 1
    rm -rf "$ctx"
  fi
}

# ensure_service_images WORKDIR: postgres:15-bookworm, redis:7-bookworm and nginx:1.27-bookworm (those of
# docker-compose.scaled.yml), each from Debian's package of it on local/bookworm:base (ensure_base_images).
# The three build at once: most of their time is apt downloading.
ensure_service_images() {
  local work=$1 here pids=() tag name failed=0
  here=$(dirname "${BASH_SOURCE[0]}")
  for tag in postgres:15-bookworm redis:7-bookworm nginx:1.27-bookworm; do
    docker image inspect "$tag" >/dev/null 2>&1 && continue
    name=${tag%%:*}
    echo "test:docker: building the $tag stand-in from Debian's packages"
    mkdir -p "$work/$name-standin"
    cp "$here/$name"-* "$work/$name-standin/"
    docker build -q -t "$tag" -f "$work/$name-standin/$name-standin.Dockerfile" "$work/$name-standin" \
      >"$work/$name-standin.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || { tail -n 20 "$work"/*-standin.log; return 1; }
}
