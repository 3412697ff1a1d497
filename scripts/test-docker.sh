#!/usr/bin/env bash
# `npm run test:docker`: the Docker image, docker-compose.yml and docker-compose.scaled.yml, for real. Starts
# an engine when none runs, builds stand-ins for the official images when they are missing (no registry on
# these machines), builds the image, starts the compose file under its own project name on a free 127.0.0.1
# port, and checks what a user would: /readyz, the demo's services and data in the API, the page and its
# compressed JavaScript, the health check, a non-root process, a quick stop; then down/up and the data
# survived. Then the scaled file: two instances, PostgreSQL, Redis and nginx (scripts/docker/scaled.sh).
# Cleans up the projects, the engine it started and that engine's changes to the host. Skips, saying why, only
# when no engine can start.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/docker/engine.sh
source scripts/docker/base-images.sh
source scripts/docker/scaled.sh

# The legacy builder: these machines have no buildx for BuildKit (DOCKER.md).
unset DOCKER_BUILDKIT
export COMPOSE_DOCKER_CLI_BUILD=0
PROJECT="pulseboard-test-$$"
export PULSEBOARD_IMAGE_TAG="test-$$"
WORK=$(mktemp -d /tmp/pulseboard-docker.XXXXXX)
STARTED=$SECONDS
UP=0
SERVICE_IMAGES=""

compose() { docker-compose -p "$PROJECT" "$@"; }
fail() {
  echo "test:docker: FAILED: $*"
  [ "$UP" = 1 ] && compose logs --tail 30
  [ "$SCALED_UP" = 1 ] && scaled logs --tail 30
  exit 1
}
cleanup() {
  if [ "$UP" = 1 ]; then compose down -v --remove-orphans >/dev/null 2>&1; fi
  if [ "$SCALED_UP" = 1 ]; then scaled down -v --remove-orphans >/dev/null 2>&1; fi
  [ -n "$SERVICE_IMAGES" ] && kill "$SERVICE_IMAGES" 2>/dev/null
  docker image rm "pulseboard:$PULSEBOARD_IMAGE_TAG" >/dev/null 2>&1
  engine_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
# wait_for URL SECONDS: polls until the URL answers 2xx (a published port accepts connections before the app listens).
wait_for() {
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}
# json EXPR: evaluates EXPR on the JSON read from stdin (as `d`) and prints the result.
json() { node -e "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{const d=JSON.parse(s);console.log($1)})"; }
ms_since() { echo $(( $(date +%s%3N) - $1 )); }

ensure_tools || { echo "test:docker: SKIPPED: no Docker engine can start here (tools missing)"; exit 0; }
engine_start "$WORK/engine" || { echo "test:docker: SKIPPED: no Docker engine could start"; exit 0; }
ensure_base_images "$WORK/images" || fail "building the base image stand-ins"
# The scaled file's PostgreSQL, Redis and nginx, built while the image builds: mostly apt downloading.
ensure_service_images "$WORK/images" >"$WORK/service-images.log" 2>&1 &
SERVICE_IMAGES=$!

# The network-facing variant: refuses to start without keys, and publishes on every address with them.
keys=deploy/docker-compose.keys.yml
docker-compose -f "$keys" config >/dev/null 2>&1 && fail "$keys accepted missing keys"
# The config in a variable first: `grep -q` leaving early made docker-compose die of SIGPIPE, which pipefail
# reported as a failure.
config=$(PULSEBOARD_INGEST_KEYS=i PULSEBOARD_READ_KEYS=r PULSEBOARD_ADMIN_KEYS=a docker-compose -f "$keys" config)
grep -q 'PULSEBOARD_READ_KEYS: r' <<<"$config" || fail "$keys does not pass the keys on"

echo "test:docker: building the image (docker-compose build)"
t=$(date +%s%3N)
compose build -q >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log"; fail "docker-compose build"; }
echo "test:docker: image built in $(( $(ms_since "$t") / 1000 )) s, $(docker image inspect -f '{{.Size}}' "pulseboard:$PULSEBOARD_IMAGE_TAG" | awk '{printf "%d MB", $1/1e6}')"

PORT=$(free_port)
export PULSEBOARD_PUBLISH_PORT=$PORT
URL="http://127.0.0.1:$PORT"
up() {
  local t
  t=$(date +%s%3N)
  compose up -d >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; fail "docker-compose up -d"; }
  UP=1
  wait_for "$URL/" 60 || fail "the page did not answer within 60 s of up -d"
  echo "test:docker: up -d to the page answering: $(ms_since "$t") ms"
  wait_for "$URL/readyz" 180 || fail "/readyz did not answer 200 within 180 s"
  echo "test:docker: up -d to /readyz: $(ms_since "$t") ms"
}
up

services=$(curl -fsS "$URL/api/v1/services" | json 'd.services.map(s=>s.name).sort().join(",")')
[ "$services" = "api-gateway,auth-service,inventory-service,order-service,payment-service" ] ||
  fail "the demo's five services, got '$services'"
requests=$(curl -fsS "$URL/api/v1/red?from=now-15m&maxPoints=30" | json 'd.series.reduce((n,s)=>n+s.points.reduce((m,p)=>m+p.count,0),0)')
[ "$requests" -gt 1000 ] || fail "red over the last 15 minutes counts $requests requests"
echo "test:docker: API ok: 5 demo services, $requests requests in the last 15 minutes"

page=$(curl -fsS "$URL/services/api-gateway?from=now-5m") || fail "the page at a client route"
script=$(grep -oE '/assets/index-[A-Za-z0-9_-]+\.js' <<<"$page" | head -n1)
[ -n "$script" ] || fail "index.html names no /assets/index-*.js"
headers=$(curl -fsS -o "$WORK/index.js.br" -D - -H 'accept-encoding: gzip, deflate, br' "$URL$script") ||
  fail "fetching $script"
grep -qi '^content-encoding: br' <<<"$headers" || fail "$script not sent brotli-compressed"
grep -qi '^cache-control: .*immutable' <<<"$headers" || fail "$script not cacheable for good"
echo "test:docker: page ok: index.html and $script ($(stat -c %s "$WORK/index.js.br") bytes as brotli)"

container=$(compose ps -q pulseboard)
[ "$(docker exec "$container" id -u)" = 1000 ] || fail "the server runs as root"
docker port "$container" 3000 | grep -qx "127.0.0.1:$PORT" || fail "published elsewhere than 127.0.0.1:$PORT"
health=starting
for _ in $(seq 40); do
  health=$(docker inspect -f '{{.State.Health.Status}}' "$container")
  [ "$health" = healthy ] && break
  sleep 1
done
[ "$health" = healthy ] || fail "the container's health check says $health"
echo "test:docker: non-root (uid 1000), published on 127.0.0.1 only, health check: healthy"

# A marker the restart must keep: one observation of a service of our own.
marker='{"metrics":[{"service":"docker-test","name":"http.server.request.duration","type":"histogram","value":42}]}'
curl -fsS -X POST -H 'content-type: application/json' -d "$marker" "$URL/api/v1/metrics" >/dev/null ||
  fail "posting the marker"

t=$(date +%s%3N)
compose down >/dev/null 2>&1 || fail "docker-compose down"
UP=0
stop_ms=$(ms_since "$t")
echo "test:docker: down in $stop_ms ms"
[ "$stop_ms" -lt 8000 ] || fail "down took $stop_ms ms: SIGTERM not handled (the 10 s kill timeout ran out)"
up
count=$(curl -fsS "$URL/api/v1/red?service=docker-test&from=now-1h&maxPoints=1" | json 'd.series[0]?.points[0]?.count ?? 0')
[ "$count" = 1 ] || fail "after down/up the marker service has $count observations, not 1"
echo "test:docker: data kept across down/up"
compose down -v >/dev/null 2>&1 || fail "docker-compose down -v"
UP=0

t=$(date +%s%3N)
wait "$SERVICE_IMAGES" || { cat "$WORK/service-images.log"; fail "building the scaled file's image stand-ins"; }
SERVICE_IMAGES=""
if grep -q . "$WORK/service-images.log"; then
  cat "$WORK/service-images.log"
  echo "test:docker: those stand-ins were ready $(ms_since "$t") ms after the single-node checks"
fi
test_scaled

echo "test:docker: passed in $((SECONDS - STARTED)) s"
