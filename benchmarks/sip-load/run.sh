#!/usr/bin/env bash
# SIP load benchmark, RFC 7502 style: the highest call rate (calls/s) at which every call of a step
# succeeds and fewer than 1 % of INVITEs are retransmitted, found by binary search over sipp -r;
# then how many concurrent calls the target holds (long calls under sipp -l); CPU seconds per call of
# the target's processes (/proc/<pid>/stat utime+stime, children included) over the search steps.
#
#   benchmarks/sip-load/run.sh kamailio      sipp UAC -> Kamailio (kamailio.cfg) -> sipp UAS
#   benchmarks/sip-load/run.sh node          sipp UAC -> Routing node (bench.yaml) -> 600 sipp operators
#   benchmarks/sip-load/run.sh both          both, and the ratio node/kamailio (the figure that counts)
#
# Environment: STEP_SECONDS (10) calls per step = rate x seconds; LO (50) HI (4000) search bounds;
# HOLD_MS (1000) call hold time in the search; PRECISION (5 %) search stops when hi-lo < lo x 5 %;
# CONCURRENT (600) long calls for the concurrency run (0 skips it); OUT (a temp dir) logs; NODE_ARGS extra node
# options, e.g. "--hocon hocon/postgres.conf --db-connection …" for a PostgreSQL journal (tools/cluster.sh pg-start).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
STEP_SECONDS=${STEP_SECONDS:-10}
LO=${LO:-50}
HI=${HI:-4000}
HOLD_MS=${HOLD_MS:-1000}
PRECISION=${PRECISION:-5}
CONCURRENT=${CONCURRENT:-600}
OUT=${OUT:-$(mktemp -d /tmp/sip-load.XXXXXX)}
mkdir -p "$OUT"
UAC_PORT=${UAC_PORT:-5061}
UAS_PORT=${UAS_PORT:-5090}
KAM_PORT=${KAM_PORT:-5070}
SIP_PORT=${SIP_PORT:-5080}
HTTP_PORT=${HTTP_PORT:-8089}
OPERATORS=${OPERATORS:-600}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# CPU ticks (utime+stime) of a process and its direct children.
cpu_ticks() {
  local root=$1 t=0 p
  for p in $root $(pgrep -P "$root" || true); do
    [ -r /proc/$p/stat ] || continue
    t=$(( t + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' /proc/$p/stat) ))
  done
  echo $t
}

# The sum over every label set of one series on the node's /metrics.
metric_sum() {
  curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v m="$1" 'index($0, m) == 1 {n+=$2} END{printf "%d\n", n}'
}

# Calls answered by operators so far.
answered_total() { metric_sum routing_calls_answered_total; }

# Calls the node's gateway still carries (the backlog of an overloaded step drains before the next one starts, so each
# step is an independent trial, as RFC 7502 wants).
wait_node_idle() {
  local n
  for _ in $(seq 1 60); do
    n=$(metric_sum routing_gateway_active_calls)
    [ "${n:-0}" -eq 0 ] && return 0
    sleep 1
  done
  log "node still carries $n calls after 60 s"
}

# One step: rate r, r*STEP_SECONDS calls. Prints "ok|fail successful failed invites retrans".
step() {
  local target=$1 rate=$2 service=$3
  local dir="$OUT/step-$target-$rate"
  local calls=$(( rate * STEP_SECONDS ))
  mkdir -p "$dir"
  [ "$target" = node ] && wait_node_idle
  local answered0=""; [ "$target" = node ] && answered0=$(answered_total)
  ( cd "$dir" && timeout $(( STEP_SECONDS * 3 + 60 )) sipp "127.0.0.1:$4" -sf "$here/uac_call.xml" -s "$service" \
      -i 127.0.0.1 -p "$UAC_PORT" -m "$calls" -r "$rate" -l $(( rate * (HOLD_MS / 1000 + 3) + 100 )) -d "$HOLD_MS" \
      -max_retrans 3 -recv_timeout 10000 -timeout $(( STEP_SECONDS * 3 + 40 ))s \
      -trace_stat -trace_counts -trace_err -fd 1 -nostdin >/dev/null 2>&1 ) || true
  local stat counts
  stat=$(ls "$dir"/uac_call_*_.csv | head -1); counts=$(ls "$dir"/uac_call_*_counts.csv | head -1)
  local succ fail inv re
  succ=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="SuccessfulCall(C)") c=i} END{print $c}' "$stat")
  fail=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="FailedCall(C)") c=i} END{print $c}' "$stat")
  inv=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="0_INVITE_Sent") c=i} END{print $c}' "$counts")
  re=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="0_INVITE_Retrans") c=i} END{print $c}' "$counts")
  if [ -z "$succ" ] || [ $(( succ + fail )) -eq 0 ]; then
    echo "sipp made no call at rate $rate (port $UAC_PORT busy? see $dir)" >&2; exit 3
  fi
  local verdict=ok answered=""
  if [ "$fail" != 0 ] || [ "$succ" != "$calls" ] || [ $(( re * 100 )) -ge "$inv" ]; then verdict=fail; fi
  # The node answers the caller itself (queue music) before an operator takes the call: a complete call is one an
  # operator answered, so the node's answered counter must have grown by every call of the step.
  if [ -n "$answered0" ]; then
    sleep 1; answered=$(( $(answered_total) - answered0 ))
    [ "$answered" -lt "$calls" ] && verdict=fail
  fi
  echo "$verdict $succ $fail $inv $re${answered:+ answered=$answered}"
}

# Binary search; prints "best_rate cpu_seconds_per_call".
search() {
  local target=$1 service=$2 port=$3 pid=$4
  local lo=0 hi=$HI r=$LO res ticks0 ticks1 calls_total=0 hz
  hz=$(getconf CLK_TCK)
  ticks0=$(cpu_ticks "$pid")
  # Exponential probe upwards from LO, then bisect.
  while :; do
    res=$(step "$target" "$r" "$service" "$port"); log "$target r=$r: $res"
    calls_total=$(( calls_total + $(echo "$res" | cut -d' ' -f2) ))
    if [ "${res%% *}" = ok ]; then lo=$r; [ $(( r * 2 )) -gt "$hi" ] && break; r=$(( r * 2 )); else hi=$r; break; fi
    sleep 2
  done
  while [ $(( hi - lo )) -gt $(( lo * PRECISION / 100 + 1 )) ]; do
    r=$(( (lo + hi) / 2 )); sleep 2
    res=$(step "$target" "$r" "$service" "$port"); log "$target r=$r: $res"
    calls_total=$(( calls_total + $(echo "$res" | cut -d' ' -f2) ))
    if [ "${res%% *}" = ok ]; then lo=$r; else hi=$r; fi
  done
  ticks1=$(cpu_ticks "$pid")
  echo "$lo $(awk -v t=$(( ticks1 - ticks0 )) -v hz="$hz" -v n="$calls_total" 'BEGIN{ if (n>0) printf "%.6f", t/hz/n; else print "n/a" }')"
}

# Concurrency: CONCURRENT calls of 60 s at 50/s, -l CONCURRENT; the peak of CurrentCall while no call fails.
concurrent() {
  local target=$1 service=$2 port=$3
  local dir="$OUT/concurrent-$target"
  [ "$CONCURRENT" -gt 0 ] || { echo "skipped"; return; }
  mkdir -p "$dir"
  # For the node: sample /metrics meanwhile, so "held" can be checked against calls really bridged to operators
  # (operators on a call, RTP streams open: two per bridged call).
  local sampler=""
  if [ "$target" = node ]; then
    ( while :; do curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v t="$(date +%s)" \
        '/^routing_operators\{.*state="on-call"/{oc+=$2} /^routing_rtp_streams/{rtp+=$2} /^routing_gateway_active_calls/{ac+=$2} END{print t, oc+0, rtp+0, ac+0}' >>"$dir/metrics.txt"; sleep 2; done ) &
    sampler=$!
  fi
  ( cd "$dir" && timeout 200 sipp "127.0.0.1:$port" -sf "$here/uac_call.xml" -s "$service" -i 127.0.0.1 -p "$UAC_PORT" \
      -m "$CONCURRENT" -r 50 -l "$CONCURRENT" -d 60000 -max_retrans 3 -trace_stat -fd 1 -nostdin >/dev/null 2>&1 ) || true
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  local stat; stat=$(ls "$dir"/uac_call_*_.csv | head -1)
  local bridged=""
  [ -f "$dir/metrics.txt" ] && bridged=$(awk 'BEGIN{m=0;r=0;a=0} {if($2>m)m=$2; if($3>r)r=$3; if($4>a)a=$4} END{print "; peak "m" operators on a call, "r" RTP streams, "a" gateway calls"}' "$dir/metrics.txt")
  awk -F';' -v b="$bridged" 'NR==1{for(i=1;i<=NF;i++){if($i=="CurrentCall")c=i; if($i=="FailedCall(C)")f=i; if($i=="SuccessfulCall(C)")s=i}} NR>1{if($c>m)m=$c; fl=$f; sc=$s} END{print m" held, "sc" successful, "fl" failed"b}' "$stat"
}

start_uas() { # UAS that answers every INVITE with 200 at once
  ( cd "$OUT" && exec sipp -sf "$here/uas_answer.xml" -i 127.0.0.1 -p "$UAS_PORT" \
      -nostdin -trace_err >/dev/null 2>&1 ) &
  UAS_PID=$!; pids+=($UAS_PID)
}

run_kamailio() {
  start_uas
  kamailio -f "$here/kamailio.cfg" -l "udp:127.0.0.1:$KAM_PORT" -A "UAS=\"sip:127.0.0.1:$UAS_PORT\"" -m "${KAM_SHM_MB:-512}" -M "${KAM_PKG_MB:-16}" -DD -E -w "$OUT" >"$OUT/kamailio.log" 2>&1 &
  local kpid=$!; pids+=($kpid); sleep 2
  log "kamailio pid $kpid on $KAM_PORT, UAS on $UAS_PORT"
  read -r kcps kcpu < <(search kamailio 1000 "$KAM_PORT" "$kpid")
  kconc=$(concurrent kamailio 1000 "$KAM_PORT")
  echo "kamailio: $kcps CPS, $kcpu CPU s/call, concurrent: $kconc"
  KAM_CPS=$kcps
  # The node's operator phones take the UAS port next ('both'): free it.
  kill "$kpid" "$UAS_PID" 2>/dev/null || true; wait "$kpid" "$UAS_PID" 2>/dev/null || true; sleep 1
}

run_node() {
  local users="$OUT/operators.csv"
  echo SEQUENTIAL > "$users"
  for i in $(seq 1 "$OPERATORS"); do id=$(( 5000 + i )); echo "$id;[authentication username=$id password=bench$id]" >> "$users"; done
  ( cd "$repo" && exec dotnet run -c Release --project src/Routing.Node -- --config "$here/bench.yaml" --sip-port "$SIP_PORT" --sip-host 127.0.0.1 \
      --http-port "$HTTP_PORT" --port 0 --data-dir "$OUT/node-data" ${NODE_ARGS:-} >"$OUT/node.log" 2>&1 ) &
  local npid=$!; pids+=($npid)
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$HTTP_PORT/api/tenants/bench/figures" -H "X-Api-Key: bench-tenant-key" >/dev/null && break; sleep 1; done
  # The node's own process (dotnet run starts it as a child).
  local node; node=$(pgrep -P "$npid" | head -1); node=${node:-$npid}
  log "node pid $node, SIP $SIP_PORT"
  ( cd "$OUT" && exec sipp "127.0.0.1:$SIP_PORT" -sf "$repo/tests/Routing.Integration.Tests/Sip/Scenarios/operator_register.xml" \
      -oocsf "$repo/tests/Routing.Integration.Tests/Sip/Scenarios/operator_answer.xml" -inf "$users" -i 127.0.0.1 -p "$UAS_PORT" \
      -m "$OPERATORS" -r 200 -l "$OPERATORS" -d 3600000 -nostdin -trace_err >/dev/null 2>&1 ) &
  pids+=($!)
  sleep $(( OPERATORS / 200 + 3 ))
  for i in $(seq 1 "$OPERATORS"); do id=$(( 5000 + i ))
    curl -sf -X POST "http://127.0.0.1:$HTTP_PORT/api/operators/$id/login" -H "X-Api-Key: ${API_KEY:-bench-tenant-key}" >/dev/null
    curl -sf -X POST "http://127.0.0.1:$HTTP_PORT/api/operators/$id/ready" -H "X-Api-Key: ${API_KEY:-bench-tenant-key}" >/dev/null
  done
  log "$OPERATORS operators registered, logged in, ready"
  read -r ncps ncpu < <(search node 3000 "$SIP_PORT" "$node")
  nconc=$(concurrent node 3000 "$SIP_PORT")
  echo "node: $ncps CPS, $ncpu CPU s/call, concurrent: $nconc"
  NODE_CPS=$ncps
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); date: $(date -u +%F' '%H:%MZ); logs: $OUT"
case "${1:-both}" in
  kamailio) run_kamailio ;;
  node) run_node ;;
  both) run_kamailio; run_node; awk -v n="$NODE_CPS" -v k="$KAM_CPS" 'BEGIN{printf "ratio node/kamailio: %.3f\n", n/k}' ;;
  *) echo "usage: $0 kamailio|node|both" >&2; exit 2 ;;
esac
