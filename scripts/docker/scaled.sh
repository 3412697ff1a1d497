# Sourced by scripts/test-docker.sh, whose fail, free_port, wait_for, json and ms_since it uses:
# docker-compose.scaled.yml for real, under its own project name on a free 127.0.0.1 port. Checks what a user
# of the cluster would: every service healthy, /readyz and the page through nginx, the two instances seeing
# each other on Redis with one alert lease, ingest through nginx reaching both instances, a live socket through
# nginx whose frame holds the traffic of both, what each instance's API answers, a session cookie keeping to
# one instance, every service stopping on its signal, and `down -v` leaving nothing behind.
#
# Shared storage: with the instances on PostgreSQL (their PULSEBOARD_DB a postgres:// URL, in the compose file
# or from PULSEBOARD_SCALED_DB) both must answer every observation; on their own SQLite files each answers
# what it took in, and the two add up to what was sent.

SCALED_PROJECT="pulseboard-scaled-test-$$"
SCALED_UP=0
scaled() { docker-compose -p "$SCALED_PROJECT" -f docker-compose.scaled.yml "$@"; }

# on_instance SERVICE PATH: GET PATH from that instance itself, inside its container (not through nginx).
on_instance() {
  docker exec "$(scaled ps -q "$1")" node -e \
    "fetch('http://127.0.0.1:3000$2').then(async r=>{process.stdout.write(await r.text());process.exit(r.ok?0:1)},()=>process.exit(1))"
}
# gauge FILE NAME: a metric's value in a /metrics text (an unlabelled one), 0 when absent.
gauge() { awk -v n="$2" '$1 == n { v = $2 } END { print v + 0 }' "$1"; }
red_count() { json 'd.series[0]?.points[0]?.count ?? 0'; }

test_scaled() {
  local url t port db shared=0 service=docker-scaled
  port=$(free_port)
  url="http://127.0.0.1:$port"
  db=$(PULSEBOARD_PUBLISH_PORT=$port scaled config | awk '$1 == "PULSEBOARD_DB:" { print $2; exit }' | tr -d "'\"")
  [[ $db == postgres://* ]] && shared=1
  echo "test:docker: scaled: PULSEBOARD_DB=$db ($([ "$shared" = 1 ] && echo "shared store: checking both instances answer everything" || echo "a store per instance: the shared-store checks are off"))"

  # No demo: the counts below are then exactly what this test sends. A frame waits up to 2 s for the other
  # instance's data (25 ms by default): these machines are loaded, and a late partial misses its frame.
  t=$(date +%s%3N)
  PULSEBOARD_PUBLISH_PORT=$port PULSEBOARD_DEMO=false PULSEBOARD_REDIS_FRAME_WAIT=2s \
    scaled up -d --no-build >"$WORK/scaled-up.log" 2>&1 || { cat "$WORK/scaled-up.log"; SCALED_UP=1; fail "scaled: up -d"; }
  SCALED_UP=1
  wait_for "$url/readyz" 120 || fail "scaled: /readyz through nginx did not answer 200 within 120 s of up -d"
  echo "test:docker: scaled: up -d to /readyz through nginx: $(ms_since "$t") ms"
  local svc health unhealthy
  for _ in $(seq 60); do
    unhealthy=""
    for svc in postgres redis pulseboard-1 pulseboard-2 nginx; do
      health=$(docker inspect -f '{{.State.Health.Status}}' "$(scaled ps -q "$svc")")
      [ "$health" = healthy ] || unhealthy+=" $svc:$health"
    done
    [ -z "$unhealthy" ] && break
    sleep 1
  done
  [ -z "$unhealthy" ] || fail "scaled: health checks not all healthy:$unhealthy"
  echo "test:docker: scaled: postgres, redis, pulseboard-1, pulseboard-2 and nginx healthy"

  local page script
  page=$(curl -fsS "$url/services/api-gateway") || fail "scaled: the page through nginx"
  script=$(grep -oE '/assets/index-[A-Za-z0-9_-]+\.js' <<<"$page" | head -n1)
  [ -n "$script" ] || fail "scaled: index.html through nginx names no /assets/index-*.js"
  curl -fsS -o /dev/null -D - -H 'accept-encoding: br' "$url$script" | grep -qi '^content-encoding: br' ||
    fail "scaled: $script not passed on brotli-compressed by nginx"

  # The bus: each instance counts the other as a peer, and exactly one holds the alert lease.
  local m1="$WORK/metrics-1" m2="$WORK/metrics-2" peers lease
  for _ in $(seq 40); do
    on_instance pulseboard-1 /metrics >"$m1" && on_instance pulseboard-2 /metrics >"$m2" || fail "scaled: /metrics of each instance"
    peers="$(gauge "$m1" pulseboard_cluster_peers),$(gauge "$m2" pulseboard_cluster_peers)"
    lease=$(($(gauge "$m1" pulseboard_alert_lease_held) + $(gauge "$m2" pulseboard_alert_lease_held)))
    [ "$peers" = 1,1 ] && [ "$lease" = 1 ] && break
    sleep 0.5
  done
  [ "$peers" = 1,1 ] || fail "scaled: cluster peers seen by pulseboard-1,pulseboard-2: $peers (1,1 expected)"
  [ "$lease" = 1 ] || fail "scaled: $lease instances hold the alert lease (1 expected)"
  echo "test:docker: scaled: page through nginx; the instances see each other on Redis, one holds the alert lease"

  # A live socket through nginx, then 10 requests of 5 observations each through nginx at once, all in one
  # second a few seconds ahead: nginx spreads them over both instances, and the socket's frame of that second
  # must count all 50, the other instance's through Redis. Data for a second whose frame went out stays out of
  # it, so a round whose requests were not all answered before its second ended (a loaded machine) proves
  # nothing about the frame: it is done again, at most 3 times.
  local frames="$WORK/frames" second i points posted round sent=0 in1=0 in2=0 d1 d2 pids
  node_modules/.bin/tsx scripts/docker/live-frames.ts "$url" "$service" >"$frames" 2>&1 &
  local listener=$!
  for _ in $(seq 200); do grep -q '^open$' "$frames" && break; kill -0 "$listener" 2>/dev/null || break; sleep 0.1; done
  grep -q '^open$' "$frames" || fail "scaled: live socket through nginx: $(cat "$frames")"
  for round in 1 2 3; do
    second=$((($(date +%s) + 5) * 1000))
    pids=()
    for i in $(seq 0 9); do
      points=$(for j in 0 1 2 3 4; do printf '[%d,%d],' $((second + i * 50 + j)) $((10 + i * 5 + j)); done)
      curl -fsS -o /dev/null -X POST -H 'content-type: application/json' "$url/api/v1/metrics" -d \
        "{\"metrics\":[{\"service\":\"$service\",\"name\":\"http.server.request.duration\",\"type\":\"histogram\",\"unit\":\"ms\",\"points\":[${points%,}]}]}" &
      pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || fail "scaled: ingest through nginx"; done
    posted=$(date +%s%3N)
    sent=$((sent + 50))
    on_instance pulseboard-1 /metrics >"$m1" && on_instance pulseboard-2 /metrics >"$m2" || fail "scaled: /metrics of each instance"
    d1=$(($(gauge "$m1" pulseboard_ingested_observations_total) - in1))
    d2=$(($(gauge "$m2" pulseboard_ingested_observations_total) - in2))
    in1=$((in1 + d1))
    in2=$((in2 + d2))
    [ "$d1" -gt 0 ] && [ "$d2" -gt 0 ] || fail "scaled: nginx sent ingest to one instance only: $d1 and $d2 observations"
    [ $((d1 + d2)) = 50 ] || fail "scaled: the instances acknowledged $d1 + $d2 observations, 50 were sent"
    [ "$posted" -lt $((second + 1000)) ] && break
    echo "test:docker: scaled: round $round's requests were answered $((posted - second - 1000)) ms after their second ended; again"
    [ "$round" = 3 ] && fail "scaled: in 3 rounds the 10 requests were never answered within their second"
  done
  local socket_on frame=""
  socket_on=$([ "$(gauge "$m1" pulseboard_live_clients)" = 1 ] && echo pulseboard-1 || echo pulseboard-2)
  for _ in $(seq 300); do
    frame=$(grep -F "{\"t\":$second," "$frames") && break
    kill -0 "$listener" 2>/dev/null || break
    sleep 0.1
  done
  kill "$listener" 2>/dev/null
  [ -n "$frame" ] || fail "scaled: no live frame through nginx for the second of the requests: $(tail -n 3 "$frames")"
  local count
  count=$(json 'd.count ?? 0' <<<"$frame")
  [ "$count" = 50 ] || fail "scaled: the live frame through nginx (socket on $socket_on) counts $count observations, not 50 ($d1 through pulseboard-1, $d2 through pulseboard-2)"
  echo "test:docker: scaled: ingest through nginx: $d1 observations to pulseboard-1, $d2 to pulseboard-2; the live frame (socket on $socket_on) counts all 50"

  local n1 n2 q="/api/v1/red?service=$service&from=now-1h&maxPoints=1"
  n1=$(on_instance pulseboard-1 "$q" | red_count) && n2=$(on_instance pulseboard-2 "$q" | red_count) ||
    fail "scaled: red from each instance"
  if [ "$shared" = 1 ]; then
    [ "$n1,$n2" = "$sent,$sent" ] || fail "scaled: shared store: pulseboard-1 and pulseboard-2 answer $n1 and $n2 observations, not $sent each"
    local via1 via2
    via1=$(curl -fsS "$url$q" | red_count) && via2=$(curl -fsS "$url$q" | red_count) || fail "scaled: red through nginx"
    [ "$via1,$via2" = "$sent,$sent" ] || fail "scaled: shared store: two reads through nginx answer $via1 and $via2, not $sent"
    local tables
    tables=$(docker exec "$(scaled ps -q postgres)" psql -U postgres -d pulseboard -tAc \
      "select count(*) from information_schema.tables where table_schema not in ('pg_catalog','information_schema')")
    [ "${tables:-0}" -gt 0 ] || fail "scaled: shared store: the pulseboard database in the postgres service has no tables"
    echo "test:docker: scaled: shared store: both instances and nginx answer all $sent observations ($tables tables in PostgreSQL)"
  else
    [ "$n1,$n2" = "$in1,$in2" ] ||
      fail "scaled: each instance's own store should answer what it took in ($in1, $in2), answers $n1, $n2"
    echo "test:docker: scaled: each instance's store answers what it took in ($n1 + $n2); shared-store checks skipped"
  fi

  # A page's session cookie keeps its requests on one instance (sessions live in an instance's memory).
  local d1 d2
  for i in 1 2 3 4; do
    curl -fsS -o /dev/null -X POST -H 'content-type: application/json' -H 'cookie: pulseboard_session=docker-test' \
      "$url/api/v1/metrics" -d "{\"metrics\":[{\"service\":\"$service-session\",\"name\":\"requests\",\"type\":\"counter\",\"value\":1}]}" ||
      fail "scaled: ingest with a session cookie through nginx (request $i)"
  done
  on_instance pulseboard-1 /metrics >"$m1" && on_instance pulseboard-2 /metrics >"$m2" || fail "scaled: /metrics of each instance"
  d1=$(($(gauge "$m1" pulseboard_ingested_observations_total) - in1))
  d2=$(($(gauge "$m2" pulseboard_ingested_observations_total) - in2))
  [ "$d1,$d2" = 4,0 ] || [ "$d1,$d2" = 0,4 ] ||
    fail "scaled: 4 requests with one session cookie should reach one instance: $d1 reached pulseboard-1, $d2 pulseboard-2"
  echo "test:docker: scaled: 4 requests with one session cookie all reached the same instance"

  # Every service stops on its signal (exit 0), none killed at the end of its grace period (137).
  local ids codes
  ids=$(scaled ps -q)
  t=$(date +%s%3N)
  scaled stop >/dev/null 2>&1 || fail "scaled: stop"
  echo "test:docker: scaled: stop in $(ms_since "$t") ms"
  # shellcheck disable=SC2086 # one argument per container id
  codes=$(docker inspect -f '{{.Name}}={{.State.ExitCode}}' $ids | grep -v '=0$')
  [ -z "$codes" ] || fail "scaled: containers that did not exit cleanly on stop: $codes"
  scaled down -v >/dev/null 2>&1 || fail "scaled: down -v"
  SCALED_UP=0
  [ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$SCALED_PROJECT")" ] || fail "scaled: containers left after down -v"
  [ -z "$(docker volume ls -q --filter "label=com.docker.compose.project=$SCALED_PROJECT")" ] || fail "scaled: volumes left after down -v"
  [ -z "$(docker network ls -q --filter "label=com.docker.compose.project=$SCALED_PROJECT")" ] || fail "scaled: network left after down -v"
  echo "test:docker: scaled: every service exited 0 on stop; down -v left no container, volume or network"
}
