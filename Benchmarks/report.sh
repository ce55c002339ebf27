#!/usr/bin/env bash
# One command for every comparison: builds the release binaries and the peers (Debian packages),
# runs each benchmark 3 times in the same run, and writes BENCHMARKS.md with PNG plots
# (matplotlib from PyPI in a private venv). Takes about 25 minutes on 2 cores.
#   Benchmarks/report.sh                 # KAPACITOR_SRC=<kapacitor checkout> adds Kapacitor's expression engine as a peer
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/relay-conf.sh"
rounds=${ROUNDS:-3}
out="$root/BENCHMARKS.md"
plots="$root/Benchmarks/plots"
work=$(mktemp -d)
results="$work/results.jsonl"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
"$root/scripts/install-deps.sh"
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q golang-go golang-github-influxdb-influxdb-dev influxdb curl >/dev/null
python3 -m venv "$work/venv" && "$work/venv/bin/pip" install -q matplotlib
py="$work/venv/bin/python"
record() { echo "$1" >> "$results"; }   # one JSON object per line
want() { [ -z "${SECTIONS:-}" ] || [[ " $SECTIONS " == *" $1 "* ]]; }   # SECTIONS="parse udp" runs a subset

echo "== building"
(cd "$root" && swift build -c release --product alertrelay && swift build -c release --product kafka-test-broker) >/dev/null
(cd "$here" && for p in ParseBenchmark TemplateBenchmark RuleBenchmark UDPIngestServer UDPLoad KafkaSendBenchmark; do swift build -c release --product $p; done) >/dev/null
bin=$(cd "$root" && swift build -c release --show-bin-path)
bench="$here/.build/release"
record "{\"kind\":\"machine\",\"cores\":$(nproc),\"mem_gib\":$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo),\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"cpu\":\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\",\"date\":\"$(date -u +%FT%TZ)\",\"commit\":\"$(git -C "$root" rev-parse --short HEAD)\"}"

if want parse; then
echo "== line-protocol parsing"
export LP_ORACLE_WORK="$work/lp"
mkdir -p "$LP_ORACLE_WORK"
"$root/Tools/lineprotocol-oracle/generate.sh" corpus 1000000 7 > "$work/corpus.lp"
for r in $(seq "$rounds"); do
  o=$(taskset -c 0 "$bench/ParseBenchmark" "$work/corpus.lp" 5)
  t=$(GOMAXPROCS=1 taskset -c 0 "$LP_ORACLE_WORK/lineprotocol-oracle" bench "$work/corpus.lp" 5)
  record "{\"kind\":\"parse\",\"round\":$r,\"ours\":$(echo $o | cut -d' ' -f1),\"ours_mb\":$(echo $o | cut -d' ' -f2),\"peer\":$(echo $t | cut -d' ' -f1),\"peer_mb\":$(echo $t | cut -d' ' -f2)}"
done

fi
if want template; then
echo "== template rendering"
for r in $(seq "$rounds"); do
  o=$(taskset -c 0 "$bench/TemplateBenchmark" 200000 5 | cut -d' ' -f1)
  t=$(GOMAXPROCS=1 taskset -c 0 "$root/Tools/template-oracle/generate.sh" bench 200000 5 | cut -d' ' -f1)
  record "{\"kind\":\"template\",\"round\":$r,\"ours\":$o,\"peer\":$t}"
done

fi
if want rules; then
echo "== rule evaluation"
ref=""
if [ -n "${KAPACITOR_SRC:-}" ] && [ -d "$KAPACITOR_SRC/tick/stateful" ]; then
  ref="$work/kapacitor-eval-reference"
  "$root/Tools/kapacitor-eval-reference/build.sh" "$KAPACITOR_SRC" "$ref"
fi
for r in $(seq "$rounds"); do
  for n in 1 100 1000; do
    for share in 0 0.01; do
      o=$(taskset -c 0 "$bench/RuleBenchmark" --one "$n" "$share")
      if [ -n "$ref" ]; then t=$(GOMAXPROCS=1 taskset -c 0 "$ref" "$n" "$share"); else t="0 0 0"; fi
      record "{\"kind\":\"rules\",\"round\":$r,\"rules\":$n,\"share\":$share,\"ours\":$(echo $o | cut -d' ' -f1),\"ours_events\":$(echo $o | cut -d' ' -f3),\"peer\":$(echo $t | cut -d' ' -f1),\"peer_events\":$(echo $t | cut -d' ' -f3)}"
    done
  done
done

fi
if want scaling; then
echo "== scaling (rules, groups)"
for r in $(seq "$rounds"); do
  for n in 1 10 100 1000 10000; do
    o=$(taskset -c 0 "$bench/RuleBenchmark" --scale-rules "$n")
    record "{\"kind\":\"scale_rules\",\"round\":$r,\"rules\":$n,\"evals\":$(echo $o | cut -d' ' -f2),\"rss\":$(echo $o | cut -d' ' -f3)}"
  done
  for g in 10 100 1000 10000 100000 1000000; do
    o=$(taskset -c 0 "$bench/RuleBenchmark" --groups "$g")
    record "{\"kind\":\"scale_groups\",\"round\":$r,\"groups\":$g,\"evals\":$(echo $o | cut -d' ' -f2),\"bytes_per_group\":$(echo $o | cut -d' ' -f3)}"
  done
done

fi
if want kafka; then
echo "== kafka sending"
"$bench/KafkaSendBenchmark" "$bin/kafka-test-broker" --runs 7 | tee "$work/kafka.txt"
grep '^run ' "$work/kafka.txt" | sed -E 's/run ([0-9]+): alertrelay +([0-9]+) msgs\/s +kcat +([0-9]+) msgs\/s.*/{"kind":"kafka","round":\1,"ours":\2,"peer":\3}/' >> "$results"

fi
if want udp; then
echo "== UDP ingest"
[ "$(id -u)" -eq 0 ] && sysctl -q -w net.core.rmem_max=52428800 || true
sed "s|@WORK@|$work/influx|g" "$here/influxdb-udp.conf" > "$work/influxdb.conf"
mkdir -p "$work/influx"
udp_seconds=${UDP_SECONDS:-5}
for r in $(seq "$rounds"); do
  for rate in 200000 400000 600000 800000 1000000 1500000 2000000; do
    "$bench/UDPIngestServer" 18089 > "$work/ours.out" & spid=$!
    for _ in $(seq 50); do grep -q READY "$work/ours.out" 2>/dev/null && break; sleep 0.1; done
    so=$("$bench/UDPLoad" 18089 "$rate" "$udp_seconds"); sleep 1; kill -TERM $spid; wait $spid || true
    go=$(tail -1 "$work/ours.out")
    rm -rf "$work/influx/meta" "$work/influx/data" "$work/influx/wal"
    influxd -config "$work/influxdb.conf" > "$work/influxd.log" 2>&1 & ipid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:18086/ping" && break; sleep 0.1; done
    si=$("$bench/UDPLoad" 18090 "$rate" "$udp_seconds"); sleep 1
    gi=$(curl -s http://127.0.0.1:18086/debug/vars | python3 -c '
import json, sys
v = json.load(sys.stdin)
print(sum(x.get("values", {}).get("pointsRx", 0) for k, x in v.items() if isinstance(x, dict) and x.get("name") == "udp"))')
    kill -TERM $ipid; wait $ipid || true
    record "{\"kind\":\"udp\",\"round\":$r,\"rate\":$rate,\"ours_sent\":$so,\"ours_got\":$go,\"peer_sent\":$si,\"peer_got\":$gi}"
    echo "   round $r rate $rate: ours $go/$so influx $gi/$si"
  done
done

fi
if want e2e; then
echo "== end to end (alertrelay run)"
"$bin/kafka-test-broker" --topic lat:4 --topic e2e:4 > "$work/broker.out" 2>/dev/null & bpid=$!; pids+=($bpid)
for _ in $(seq 50); do grep -q BOOTSTRAP= "$work/broker.out" && break; sleep 0.1; done
bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$work/broker.out")
relay() {  # relay DIR RULES-YAML → starts alertrelay run, echoes its pid
  local d=$1
  mkdir -p "$d/rules"
  printf '%s\n' "$2" > "$d/rules/r.yaml"
  { relay_conf "$bootstrap" 33554432; printf '[relay]\n  queue-size = 1000000\n'; } > "$d/alertrelay.conf"
  "$bin/alertrelay" run --config "$d/alertrelay.conf" > "$d/relay.out" 2> "$d/relay.log" &
  local p=$!
  for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:19192/health && break; sleep 0.1; done
  echo $p
}
metric() { curl -s http://127.0.0.1:19192/metrics | awk -v m="$1" '$1 == m {print $2}'; }
for r in $(seq "$rounds"); do
  for n in 1 100 1000; do
    rules=""
    for i in $(seq 0 $((n - 1))); do
      rules+="- {id: r$i, measurement: m$((i % 100)), groupBy: [host], warn: '\"usage_idle\" < -1', crit: '\"usage_idle\" < -2', kafka: {topic: e2e}}"$'\n'
    done
    d="$work/e2e-$n-$r"; rpid=$(relay "$d" "$rules")
    best=0
    for rate in 100000 200000 300000 400000 600000 800000 1000000 1500000 2000000; do
      before=$(metric alertrelay_points_evaluated_total); before=${before:-0}
      sent=$("$bench/UDPLoad" 18189 "$rate" 5 25 100); sleep 2
      after=$(metric alertrelay_points_evaluated_total)
      got=$(python3 -c "print(int(float('$after') - float('$before')))")
      echo "   rules $n rate $rate: evaluated $got of $sent"
      if python3 -c "import sys; sys.exit(0 if $got >= 0.999 * $sent else 1)"; then best=$rate; else break; fi
    done
    rss=$(awk '/VmHWM/ {print $2}' /proc/$rpid/status)
    kill -TERM $rpid; wait $rpid || true
    record "{\"kind\":\"e2e_throughput\",\"round\":$r,\"rules\":$n,\"best_rate\":$best,\"peak_rss_kib\":$rss}"
  done
  d="$work/lat-$r"
  rpid=$(relay "$d" "id: lat
measurement: cpu
groupBy: [host]
crit: '\"usage_idle\" >= 0'
kafka: {topic: lat}")
  sent=$("$bench/UDPLoad" 18189 1000 20 1); sleep 2
  curl -s http://127.0.0.1:19192/metrics > "$d/metrics.txt"
  rss=$(awk '/VmHWM/ {print $2}' /proc/$rpid/status)
  kill -TERM $rpid; wait $rpid || true
  "$py" - "$d/metrics.txt" "$sent" "$rss" "$r" "$here" >> "$results" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[5])
from latency import summary
delivered, q = summary(open(sys.argv[1]).read(), beyond=float("nan"))
print(json.dumps({"kind": "e2e_latency", "round": int(sys.argv[4]), "sent": int(sys.argv[2]), "delivered": delivered,
                  "p50_ms": q(0.5) * 1000, "p99_ms": q(0.99) * 1000, "peak_rss_kib": int(sys.argv[3])}))
PY
done

fi
if want sidecar; then
echo "== sidecar cost (issue 20)"
for r in $(seq "$rounds"); do SIDECAR_ROUND=$r "$here/sidecar.sh" "$bin" "$bench" "$results"; done

fi
echo "== writing BENCHMARKS.md"
mkdir -p "$plots"
cp "$results" "$here/results.jsonl"
"$py" "$here/report.py" "$results" "$out" "$plots"
echo "wrote $out, $plots/*.png and Benchmarks/results.jsonl (the raw measurements)"
