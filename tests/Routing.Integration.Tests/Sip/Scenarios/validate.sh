#!/usr/bin/env bash
# Checks every scenario against sipp peers and Kamailio's registrar (no gateway needed), so the
# scenarios are known-good before the gateway is blamed. Usage: validate.sh (exit 0 = all good).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
work="$(mktemp -d)"; cd "$work"
pcaps=/usr/share/sip-tester
fail=0
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
check() { # name, expected rc, command...
  local name=$1 want=$2; shift 2
  timeout 40 "$@" -nostdin >"$name.out" 2>&1; local rc=$?
  if [ "$rc" = "$want" ]; then echo "ok   $name"; else echo "FAIL $name (rc $rc, logs in $work)"; fail=1; fi
}
caller=(-key dtmf_pcap "$pcaps/dtmf_2833_1.pcap" -key audio_pcap "$pcaps/g711a.pcap")
printf 'SEQUENTIAL\n2001;[authentication username=2001 password=op2001pw]\n' > users.csv

# 1. caller -> operator answering (sipp to sipp), RTP echoed.
sipp -sf "$here/operator_answer.xml" -i 127.0.0.1 -p 35060 -mp 36000 -rtp_echo -m 1 -trace_err -bg >/dev/null
check caller_menu_queue-answer 0 sipp 127.0.0.1:35060 -sf "$here/caller_menu_queue.xml" -s 1000 "${caller[@]}" -i 127.0.0.1 -p 35061 -mp 37000 -m 1 -d 2000 -trace_err
# 2. caller cancel -> operator that never answers (CANCEL, 200, 487, ACK).
sipp -sf "$here/operator_no_answer.xml" -i 127.0.0.1 -p 35062 -m 1 -trace_err -bg >/dev/null
check caller_cancel-no_answer 0 sipp 127.0.0.1:35062 -sf "$here/caller_cancel.xml" -s 1000 -i 127.0.0.1 -p 35063 -m 1 -trace_err
# 3. caller -> busy operator: the caller's call fails on the 486 (rc 1), the operator's succeeds.
sipp -sf "$here/operator_busy.xml" -i 127.0.0.1 -p 35064 -m 1 -trace_err -bg >/dev/null
check caller-busy-fails 1 sipp 127.0.0.1:35064 -sf "$here/caller_menu_queue.xml" -s 1000 "${caller[@]}" -i 127.0.0.1 -p 35065 -m 1 -d 1000 -trace_err
# 4. operator registers with digest auth at Kamailio's registrar, is called through it, unregisters.
kamailio -f "$repo/benchmarks/sip-load/kamailio-registrar.cfg" -l udp:127.0.0.1:35075 -D -E -w "$work" >kamailio.log 2>&1 &
pids+=($!); sleep 1
sipp 127.0.0.1:35075 -sf "$here/operator_register.xml" -oocsf "$here/operator_answer.xml" -inf users.csv -i 127.0.0.1 -p 35070 -mp 36100 -rtp_echo -m 1 -d 8000 -trace_err -trace_screen -bg >/dev/null
sleep 1
check caller-via-registrar 0 sipp 127.0.0.1:35075 -sf "$here/caller_menu_queue.xml" -s 2001 "${caller[@]}" -i 127.0.0.1 -p 35071 -mp 37100 -m 1 -d 2000 -trace_err
sleep 6
if grep -q "Successful call.*|  *1 *$" operator_register_*_screen.log; then echo "ok   operator_register"; else echo "FAIL operator_register (see $work)"; fail=1; fi
exit $fail
