#!/usr/bin/env bash
# Idle memory of one alertrelay binary (issue 20 goal 3), and what it is made of: `alertrelay run`
# with one warn/crit rule and a spool (sidecar.sh's idle setup), 5 s after start, then
#   RSS (/proc/PID/smaps_rollup) and threads, Rss by kind (smaps_rollup), and Rss per mapping
#   group (/proc/PID/smaps): the binary's code, its other mappings, each shared library, heap,
#   anonymous, stacks.
# usage: Benchmarks/idle-memory.sh ALERTRELAY KAFKA_TEST_BROKER [ROUNDS]
#   IDLE_PORT_OFFSET (default 0) moves its ports (UDP 18289, HTTP 19292) to run beside others;
#   IDLE_ENV (e.g. "MALLOC_ARENA_MAX=2") is put in the relay's environment.
#   IDLE_WAIT (default 5) is how many seconds after start it measures.
set -euo pipefail
relay=$1 broker=$2 rounds=${3:-1}
offset=${IDLE_PORT_OFFSET:-0}
udp_port=$((18289 + offset)) http_port=$((19292 + offset))
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$broker" --topic side:4 > "$work/broker.out" 2>/dev/null & pids+=($!)
for _ in $(seq 50); do grep -q BOOTSTRAP= "$work/broker.out" && break; sleep 0.1; done
bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$work/broker.out")
mkdir -p "$work/rules"
cat > "$work/rules/r.yaml" <<'RULE'
id: load
measurement: cpu
groupBy: [host]
warn: '"usage_idle" > 1000'
crit: '"usage_idle" > 2000'
kafka: {topic: side}
RULE
cat > "$work/alertrelay.conf" <<CONF
[[kafka]]
  enabled = true
  id = "bench"
  brokers = ["$bootstrap"]
  batch-timeout = "10ms"
[[udp]]
  bind-address = "127.0.0.1:$udp_port"
  read-buffer = 8388608
[http]
  bind-address = "127.0.0.1:$http_port"
[logging]
  level = "warning"
[spool]
  dir = "$work/spool"
CONF

echo "binary: $relay ($(stat -c %s "$relay") bytes)  machine load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  env ${IDLE_ENV:-} "$relay" run --config "$work/alertrelay.conf" 2> "$work/relay.log" &
  rpid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$http_port/health" && break; sleep 0.1; done
  sleep "${IDLE_WAIT:-5}"
  kill -0 "$rpid" 2>/dev/null || { echo "the relay exited:"; cat "$work/relay.log"; exit 1; }
  # RSS is smaps_rollup's Rss, counted from the page tables; /proc/PID/status's VmRSS is read from
  # per-CPU counters on this kernel (6.2 and later) and can be off by megabytes just after many
  # pages were dropped or faulted in (StartupPages), so it is only shown beside it.
  rss=$(awk '$1 == "Rss:" { print $2 }' "/proc/$rpid/smaps_rollup")
  vmrss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$rpid/status")
  threads=$(awk '$1 == "Threads:" { print $2 }' "/proc/$rpid/status")
  rollup=$(awk '$1 ~ /^(Shared_Clean|Private_Clean|Private_Dirty|Anonymous):$/ { printf "%s %.1f  ", $1, $2 / 1024 }' "/proc/$rpid/smaps_rollup")
  echo "round $round: RSS $(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }') MiB ($rss KiB; VmRSS $vmrss KiB), $threads threads; MiB: $rollup"
  # Rss per mapping group: header lines name the mapping (address perms offset dev inode path).
  awk -v bin="$(readlink -f "$relay")" '
    /^[0-9a-f]+-[0-9a-f]+ / { perms = $2; path = $6; if (path == "") path = "[anon]"
                              name = path == bin ? (perms ~ /x/ ? "binary code (r-x)" : "binary data (" perms ")") : path; next }
    $1 == "Rss:" { kib[name] += $2 }
    END { for (n in kib) if (kib[n] >= 64) printf "  %8.1f MiB  %s\n", kib[n] / 1024, n }' "/proc/$rpid/smaps" | sort -rn
  kill -TERM "$rpid"; wait "$rpid" || true
done
