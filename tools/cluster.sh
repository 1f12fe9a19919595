#!/usr/bin/env bash
# A local Routing cluster on loopback with its own PostgreSQL: N routing nodes and one gateway+api node, as real
# processes. The multi-process tests drive it, and so can anyone:
#
#   tools/cluster.sh start [N]     build, start PostgreSQL and N routing nodes (default 3) plus the edge node
#   tools/cluster.sh status        each node's pid, ports and whether it is alive
#   tools/cluster.sh kill I        kill -9 routing node I (1..N): no leave, no hand-off
#   tools/cluster.sh leave I       SIGTERM routing node I: it hands its shards off, leaves, exits 0
#   tools/cluster.sh start-node I  start routing node I again (after kill or leave)
#   tools/cluster.sh roll          graceful rolling restart of every routing node, one by one
#   tools/cluster.sh pause I       freeze routing node I (SIGSTOP), as a long GC pause or a stalled VM would
#   tools/cluster.sh resume I      let it run again (SIGCONT); if it was downed meanwhile it exits with code 3
#   tools/cluster.sh exit-code I   the exit code of routing node I's last run ("running" while it runs)
#   tools/cluster.sh stop          every node leaves, then PostgreSQL stops (the data dir stays for reading)
#   tools/cluster.sh psql [SQL]    a psql prompt (or one statement, unaligned rows) on the cluster's database
#   tools/cluster.sh ctl I [CMD…]  routingctl on node I's command port (0: the edge node), e.g. `ctl 1 cluster show`;
#                                  the key is ROUTING_CTL_KEY, else the adminKey of CONFIG
#   tools/cluster.sh pg-start      only PostgreSQL (e.g. for benchmarks that start their own nodes); pg-stop stops it
#
# Settings (environment): CLUSTER_DIR (/tmp/routing-cluster: pids, logs, PostgreSQL data), PG_PORT (55432),
# BASE_PORT (4100: the edge node's Akka port; routing node I listens on BASE_PORT+I), HTTP_PORT (8080: the edge
# node's API; routing node I serves health on HTTP_PORT+I), SIP_PORT (5060), CTL_PORT (9110; node I gets CTL_PORT+I),
# CONFIG (config/demo.yaml), NO_BUILD=1 (use the last Release build), EXTRA_HOCON (one more HOCON file).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${CLUSTER_DIR:-/tmp/routing-cluster}"
PG_PORT="${PG_PORT:-55432}"
BASE_PORT="${BASE_PORT:-4100}"
HTTP_PORT="${HTTP_PORT:-8080}"
SIP_PORT="${SIP_PORT:-5060}"
CTL_PORT="${CTL_PORT:-9110}"
CONFIG="${CONFIG:-$ROOT/config/demo.yaml}"
NODE_DLL="$ROOT/src/Routing.Node/bin/Release/net10.0/Routing.Node.dll"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
DB_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Database=routing;Username=routing;Password=routing;Maximum Pool Size=20"

die() { echo "cluster: $*" >&2; exit 1; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
count() { cat "$DIR/count" 2>/dev/null || echo 0; }

build() {
  [ "${NO_BUILD:-0}" = 1 ] && [ -f "$NODE_DLL" ] && return 0
  echo "cluster: building Routing.Node (Release)"
  dotnet build "$ROOT/src/Routing.Node" -c Release -v q -nologo >"$DIR/build.log" 2>&1 || { cat "$DIR/build.log"; die "build failed"; }
}

pg_start() {
  [ -n "$PG_BIN" ] || die "PostgreSQL is not installed (apt-get install -y postgresql)"
  local data="$DIR/pg"
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR" "$data"
    as_pg "$PG_BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log"; die "initdb failed"; }
  fi
  as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $data -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB" start >/dev/null \
    || { cat "$data/server.log"; die "PostgreSQL did not start"; }
  as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='routing'" | grep -q 1 \
    || as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE ROLE routing LOGIN PASSWORD 'routing'"
  as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='routing'" | grep -q 1 \
    || as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE routing OWNER routing"
}

pg_stop() {
  [ -f "$DIR/pg/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg" -m fast -w stop >/dev/null 2>&1 || true
}

seeds() {
  local n; n="$(count)"; local s="" i
  for ((i = 1; i <= n && i <= 3; i++)); do s+="${s:+,}127.0.0.1:$((BASE_PORT + i))"; done
  echo "$s"
}

# start_one NAME ROLES AKKA_PORT HTTP CTL [extra args]: start one node in the background, wait for its banner.
start_one() {
  local name="$1" roles="$2" port="$3" http="$4" ctl="$5"; shift 5
  local log="$DIR/$name.log"
  mkdir -p "$DIR/$name"
  if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then die "$name is already running"; fi
  local hocon=(--hocon "$ROOT/hocon/postgres.conf")
  [ -n "${EXTRA_HOCON:-}" ] && hocon+=(--hocon "$EXTRA_HOCON")
  echo "--- start $(date -u +%FT%T.%3NZ)" >>"$log"
  rm -f "$DIR/$name.pid" "$DIR/$name.exit"
  # A small supervisor shell keeps the node's exit code (3: it was downed) in $name.exit, like a pod's restart reason.
  (
    ROUTING_DB_CONNECTION="$DB_CONNECTION" ROUTING_CTL_PORT="$ctl" \
      dotnet "$NODE_DLL" --roles "$roles" --config "$CONFIG" "${hocon[@]}" \
        --hostname 127.0.0.1 --port "$port" --seeds "$(seeds)" --http-port "$http" --data-dir "$DIR/$name" "$@" \
        >>"$log" 2>&1 </dev/null &
    echo $! >"$DIR/$name.pid.tmp" && mv "$DIR/$name.pid.tmp" "$DIR/$name.pid"
    code=0
    wait $! || code=$?
    echo "$code" >"$DIR/$name.exit"
  ) >/dev/null 2>&1 &
  until [ -f "$DIR/$name.pid" ]; do sleep 0.05; done
  local deadline=$((SECONDS + 120)) lines
  lines="$(grep -c '^--- start' "$log")"
  until awk -v n="$lines" '/^--- start/{k++} k==n && /Routing node up/{found=1} END{exit !found}' "$log"; do
    kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null || { tail -n 30 "$log" >&2; die "$name exited during start-up"; }
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$log" >&2; die "$name did not come up within 120 s"; }
    sleep 0.2
  done
  echo "cluster: $name up (pid $(cat "$DIR/$name.pid"), akka $port, http $http, ctl $ctl)"
}

start_routing() {
  local i="$1"
  start_one "routing-$i" routing $((BASE_PORT + i)) $((HTTP_PORT + i)) $((CTL_PORT + i))
}

stop_one() { # stop_one NAME SIGNAL: signal a node and wait for it to exit
  local name="$1" sig="$2" pid
  [ -f "$DIR/$name.pid" ] || return 0
  pid="$(cat "$DIR/$name.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$sig" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 60))
    while kill -0 "$pid" 2>/dev/null; do
      [ $SECONDS -lt $deadline ] || { kill -9 "$pid" 2>/dev/null || true; echo "cluster: $name did not stop within 60 s; killed" >&2; }
      sleep 0.1
    done
  fi
  rm -f "$DIR/$name.pid"
}

cmd="${1:-}"
case "$cmd" in
  start)
    n="${2:-3}"
    [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] || die "start N: N must be a positive number"
    mkdir -p "$DIR"
    echo "$n" >"$DIR/count"
    build
    pg_start
    # The first seed forms the cluster; the others join it (all routing nodes start in parallel after it).
    start_routing 1
    pids=()
    for ((i = 2; i <= n; i++)); do start_routing "$i" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p"; done
    start_one edge gateway,api "$BASE_PORT" "$HTTP_PORT" "$CTL_PORT" --sip-port "$SIP_PORT" --sip-host 127.0.0.1
    echo "cluster: up: $n routing nodes, API http://127.0.0.1:$HTTP_PORT, SIP 127.0.0.1:$SIP_PORT, PostgreSQL 127.0.0.1:$PG_PORT"
    ;;
  start-node)
    [ -n "${2:-}" ] || die "start-node I"
    NO_BUILD=1 build
    start_routing "$2"
    ;;
  kill)
    [ -n "${2:-}" ] || die "kill I"
    stop_one "routing-$2" 9
    echo "cluster: routing-$2 killed"
    ;;
  leave)
    [ -n "${2:-}" ] || die "leave I"
    stop_one "routing-$2" TERM
    echo "cluster: routing-$2 left"
    ;;
  roll)
    for ((i = 1; i <= $(count); i++)); do
      stop_one "routing-$i" TERM
      echo "cluster: routing-$i left"
      start_routing "$i"
    done
    ;;
  pause)
    [ -n "${2:-}" ] || die "pause I"
    kill -STOP "$(cat "$DIR/routing-$2.pid")"
    echo "cluster: routing-$2 frozen (SIGSTOP)"
    ;;
  resume)
    [ -n "${2:-}" ] || die "resume I"
    kill -CONT "$(cat "$DIR/routing-$2.pid")"
    echo "cluster: routing-$2 resumed (SIGCONT)"
    ;;
  exit-code)
    [ -n "${2:-}" ] || die "exit-code I"
    cat "$DIR/routing-$2.exit" 2>/dev/null || echo "running"
    ;;
  status)
    for f in "$DIR"/*.pid; do
      [ -e "$f" ] || continue
      name="$(basename "$f" .pid)"; pid="$(cat "$f")"
      if kill -0 "$pid" 2>/dev/null; then echo "$name pid $pid alive"; else echo "$name pid $pid dead"; fi
    done
    ;;
  stop)
    stop_one edge TERM
    pids=()
    for ((i = 1; i <= $(count); i++)); do stop_one "routing-$i" TERM & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p"; done
    pg_stop
    echo "cluster: stopped (logs and data in $DIR)"
    ;;
  ctl)
    i="${2:?usage: cluster.sh ctl I [command…]}"; shift 2
    CTL_DLL="$ROOT/src/Routing.Ctl/bin/Release/net10.0/Routing.Ctl.dll"
    [ -f "$CTL_DLL" ] || dotnet build "$ROOT/src/Routing.Ctl" -c Release -v q -nologo >/dev/null
    key="${ROUTING_CTL_KEY:-$(sed -n 's/.*adminKey: *"\{0,1\}\([^ ",}]*\).*/\1/p' "$CONFIG" | head -n 1)}"
    ROUTING_CTL_KEY="$key" exec dotnet "$CTL_DLL" "127.0.0.1:$((CTL_PORT + i))" "$@"
    ;;
  pg-start)
    mkdir -p "$DIR"
    pg_start
    echo "cluster: PostgreSQL on 127.0.0.1:$PG_PORT: $DB_CONNECTION"
    ;;
  pg-stop)
    pg_stop
    ;;
  psql)
    shift
    if [ $# -gt 0 ]; then as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U routing routing -At -c "$*"
    else as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U routing routing; fi
    ;;
  *)
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
    [ -z "$cmd" ] || exit 2
    ;;
esac
