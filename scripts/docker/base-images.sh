# Sourced by scripts/test-docker.sh. Builds local stand-ins named exactly like the official base images the
# Dockerfile names, when they are missing: `docker build` uses a local image of that name without pulling,
# so the project's own files stay unchanged where a registry is reachable (../shared/DOCKER.md).

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
