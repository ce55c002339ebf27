#!/usr/bin/env bash
# Builds the release binaries and runs the benchmarks, each next to its peer in the same run.
# usage: Benchmarks/run.sh [kafka|parse|udp|template|rules|windows|state|e2e|rules-e2e|consumer|spool|sidecar|all] [extra args for the kafka benchmark]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/relay-conf.sh"
"$root/scripts/install-deps.sh"
what=${1:-all}
shift || true

machine() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
}

kafka() {
  (cd "$root" && swift build -c release --product kafka-test-broker)
  (cd "$here" && swift build -c release --product KafkaSendBenchmark)
  "$here/.build/release/KafkaSendBenchmark" "$root/.build/release/kafka-test-broker" "$@"
}

parse() {
  # The peer: InfluxDB 1.6.7's models.ParsePoints from Debian, full decode (tags, typed fields, time).
  if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/github.com/influxdata/influxdb ]; then
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q golang-go golang-github-influxdb-influxdb-dev
  fi
  (cd "$here" && swift build -c release --product ParseBenchmark)
  work=$(mktemp -d)
  export LP_ORACLE_WORK="$work"
  "$root/Tools/lineprotocol-oracle/generate.sh" corpus 1000000 7 > "$work/corpus.lp"
  local lines bytes
  lines=$(wc -l < "$work/corpus.lp"); bytes=$(wc -c < "$work/corpus.lp")
  echo "Line-protocol parsing: $lines Telegraf-like lines, $((bytes / lines)) bytes/line, full decode, median of 5, one core"
  machine
  local ours theirs
  for round in 1 2 3; do
    ours=$(taskset -c 0 "$here/.build/release/ParseBenchmark" "$work/corpus.lp" 5)
    theirs=$(GOMAXPROCS=1 taskset -c 0 "$work/lineprotocol-oracle" bench "$work/corpus.lp" 5)
    awk -v r="$round" -v o="$ours" -v t="$theirs" 'BEGIN { split(o, a, " "); split(t, b, " ");
      printf "round %d: alertrelay %9.0f lines/s %6.1f MB/s   InfluxDB models.ParsePoints %9.0f lines/s %6.1f MB/s   ratio %.2f\n", r, a[1], a[2], b[1], b[2], a[1] / b[1] }'
  done
  # As the UDP reader parses: 25-line buffers into one reused array, points dropped before the
  # next buffer; the one-off parser against a LineProtocolSession that reuses their storage.
  local oneoff session
  for round in 1 2 3; do
    oneoff=$(taskset -c 0 "$here/.build/release/ParseBenchmark" "$work/corpus.lp" 5 25 oneoff)
    session=$(taskset -c 0 "$here/.build/release/ParseBenchmark" "$work/corpus.lp" 5 25 session)
    awk -v r="$round" -v o="$oneoff" -v s="$session" 'BEGIN { split(o, a, " "); split(s, b, " ");
      printf "round %d, 25-line buffers: one-off parser %9.0f lines/s   LineProtocolSession %9.0f lines/s   ratio %.2f\n", r, a[1], b[1], b[1] / a[1] }'
  done
  rm -rf "$work"
}

udp() {
  # The peer: InfluxDB 1.6.7's UDP listener (Debian `influxdb`); the same C load generator drives both.
  if ! command -v influxd >/dev/null; then
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q influxdb
  fi
  (cd "$here" && swift build -c release --product UDPIngestServer && swift build -c release --product UDPLoad)
  # Both get a 50 MiB socket buffer; root may raise the cap (otherwise both are capped alike).
  [ "$(id -u)" -eq 0 ] && sysctl -q -w net.core.rmem_max=52428800 || true
  local seconds=${UDP_SECONDS:-10}
  local rates=${UDP_RATES:-"100000 200000 300000 400000 500000 600000 800000 1000000 1200000 1500000 2000000"}
  echo "UDP ingest: 25 points per datagram, ${seconds}s per rate, kept = points counted / points sent"
  machine
  work=$(mktemp -d)
  sed "s|@WORK@|$work|g" "$here/influxdb-udp.conf" > "$work/influxdb.conf"
  local best_ours=0 best_influx=0
  for rate in $rates; do
    # alertrelay: UDP listener + parser + counting sink.
    "$here/.build/release/UDPIngestServer" 18089 > "$work/ours.out" &
    local pid=$!
    for _ in $(seq 50); do grep -q READY "$work/ours.out" 2>/dev/null && break; sleep 0.1; done
    local sent_ours; sent_ours=$("$here/.build/release/UDPLoad" 18089 "$rate" "$seconds")
    sleep 1; kill -TERM $pid; wait $pid || true
    local got_ours; got_ours=$(tail -1 "$work/ours.out")
    # InfluxDB: pointsRx of its UDP service.
    rm -rf "$work/meta" "$work/data" "$work/wal"
    influxd -config "$work/influxdb.conf" > "$work/influxd.log" 2>&1 &
    local ipid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:18086/ping" && break; sleep 0.1; done
    local sent_influx; sent_influx=$("$here/.build/release/UDPLoad" 18090 "$rate" "$seconds")
    sleep 1
    local got_influx; got_influx=$(curl -s http://127.0.0.1:18086/debug/vars | python3 -c '
import json, sys
v = json.load(sys.stdin)
print(sum(x.get("values", {}).get("pointsRx", 0) for k, x in v.items() if isinstance(x, dict) and x.get("name") == "udp"))')
    kill -TERM $ipid; wait $ipid || true
    awk -v r="$rate" -v so="$sent_ours" -v go="$got_ours" -v si="$sent_influx" -v gi="$got_influx" 'BEGIN {
      printf "rate %8d pts/s: alertrelay kept %7.3f%%   InfluxDB 1.6.7 kept %7.3f%%\n", r, 100 * go / so, 100 * gi / si }'
    awk -v so="$sent_ours" -v go="$got_ours" 'BEGIN { exit !(go / so >= 0.999) }' && best_ours=$rate
    awk -v si="$sent_influx" -v gi="$got_influx" 'BEGIN { exit !(gi / si >= 0.999) }' && best_influx=$rate
  done
  awk -v o="$best_ours" -v i="$best_influx" 'BEGIN {
    printf "highest rate with >= 99.9%% kept: alertrelay %d pts/s, InfluxDB %d pts/s, ratio %.2f (goal >= 2)\n", o, i, (i > 0 ? o / i : 0) }'
  rm -rf "$work"
}

template() {
  # The peer: Go's text/template (Debian golang-go) on the same template and an alert context of the same shape.
  command -v go >/dev/null || { sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"; DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q golang-go; }
  (cd "$here" && swift build -c release --product TemplateBenchmark)
  echo 'Template rendering: {{.ID}} is {{.Level}} value={{index .Fields "value"}} host={{index .Tags "host"}}, 200,000 renders, median of 5'
  machine
  for round in 1 2 3; do
    local ours theirs
    ours=$(taskset -c 0 "$here/.build/release/TemplateBenchmark" 200000 5 | cut -d' ' -f1)
    theirs=$(GOMAXPROCS=1 taskset -c 0 "$root/Tools/template-oracle/generate.sh" bench 200000 5 | cut -d' ' -f1)
    awk -v r="$round" -v o="$ours" -v t="$theirs" 'BEGIN { printf "round %d: alertrelay %8.0f renders/s   Go text/template %8.0f renders/s   ratio %.2f (goal >= 3)\n", r, o, t, o / t }'
  done
}

rules() {
  # The peer: Kapacitor's own tick/ast + tick/stateful (the expression engine of its alert node),
  # driven by Tools/kapacitor-eval-reference with the same rules and points. It needs a Kapacitor
  # source tree (not vendored): KAPACITOR_SRC=/path/to/kapacitor (git clone github.com/influxdata/kapacitor).
  (cd "$here" && swift build -c release --product RuleBenchmark)
  local ref=""
  if [ -n "${KAPACITOR_SRC:-}" ] && [ -d "$KAPACITOR_SRC/tick/stateful" ]; then
    ref=$(mktemp -d)/kapacitor-eval-reference
    "$root/Tools/kapacitor-eval-reference/build.sh" "$KAPACITOR_SRC" "$ref"
  else
    echo "Kapacitor reference skipped: set KAPACITOR_SRC to a checkout of github.com/influxdata/kapacitor"
  fi
  echo "Rule evaluation: warn/crit threshold rules grouped by host over 100 measurements x 10 hosts,"
  echo "stateChangesOnly, 1,000,000 points per pass, one core; evaluation = point x matching rule"
  machine
  for rules in 1 100 1000; do
    for share in 0 0.01; do
      local ours theirs
      ours=$(taskset -c 0 "$here/.build/release/RuleBenchmark" --one "$rules" "$share")
      if [ -n "$ref" ]; then theirs=$(GOMAXPROCS=1 taskset -c 0 "$ref" "$rules" "$share"); else theirs="0 0 0"; fi
      awk -v n="$rules" -v s="$share" -v o="$ours" -v t="$theirs" 'BEGIN { split(o, a, " "); split(t, b, " ");
        printf "rules %4d, %4.1f%% alerting: alertrelay %9.0f evals/s %7.0f events/s   Kapacitor tick/stateful %9.0f evals/s %7.0f events/s   ratio %s\n",
          n, s * 100, a[1], a[3], b[1], b[3], (b[1] > 0 ? sprintf("%.2f", a[1] / b[1]) : "n/a") }'
    done
  done
  taskset -c 0 "$here/.build/release/RuleBenchmark" --memory
  taskset -c 0 "$here/.build/release/RuleBenchmark" 0 | grep unmatched
  windows
}

windows() {
  # No peer: Kapacitor's window and InfluxQL nodes need its edge/models/pipeline packages and the
  # influxql package of InfluxDB 1.1, which Debian does not carry (it has InfluxDB 1.6.7's query
  # package, whose reducers the step tests follow). Beside: the plain threshold rule's figure.
  (cd "$here" && swift build -c release --product RuleBenchmark)
  echo "Window steps: window(10s, every 10s) + mean, one rule grouped by host, a point per group per second, one core"
  for groups in 1000 10000 100000; do
    taskset -c 0 "$here/.build/release/RuleBenchmark" --window "$groups" |
      awk '{ printf "groups %6d: %9.0f points/s through window+mean+alert, %5.1f bytes per buffered point (goals: >= 2M points/s, <= 64 B)\n", $1, $2, $3 }'
  done
  local plain
  plain=$(taskset -c 0 "$here/.build/release/RuleBenchmark" --groups 10000)
  echo "$plain" | awk '{ printf "plain threshold rule, %d groups: %9.0f points/s\n", $1, $2 }'
}

e2e() {
  # End to end through `alertrelay run`: UDP points (one per datagram) that each raise an alert,
  # Kafka batch-timeout 10ms, into kafka-test-broker. Latency = point received → broker ack, from
  # the relay's alertrelay_alert_latency_seconds histogram (quantiles interpolated in buckets).
  (cd "$root" && swift build -c release --product alertrelay && swift build -c release --product kafka-test-broker)
  (cd "$here" && swift build -c release --product UDPLoad)
  local bin; bin=$(cd "$root" && swift build -c release --show-bin-path)
  local rate=${E2E_RATE:-1000} seconds=${E2E_SECONDS:-20}
  work=$(mktemp -d)
  "$bin/kafka-test-broker" --topic lat:4 > "$work/broker.out" 2>/dev/null &
  local bpid=$!
  for _ in $(seq 50); do grep -q BOOTSTRAP= "$work/broker.out" && break; sleep 0.1; done
  local bootstrap; bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$work/broker.out")
  mkdir -p "$work/rules"
  relay_conf "$bootstrap" 8388608 > "$work/alertrelay.conf"
  if [ -n "${E2E_SPOOL:-}" ]; then
    printf '[spool]\n  dir = "%s/spool"\n  fsync = "%s"\n' "$work" "$E2E_SPOOL" >> "$work/alertrelay.conf"
  fi
  cat > "$work/rules/lat.yaml" <<'RULE'
id: lat
measurement: cpu
groupBy: [host]
crit: '"usage_idle" >= 0'
message: 'Hey, check your CPU'
kafka: {topic: lat}
RULE
  "$bin/alertrelay" run --config "$work/alertrelay.conf" 2> "$work/relay.log" &
  local rpid=$!
  for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:19192/health && break; sleep 0.1; done
  echo "End to end: $rate alerting points/s over UDP (1 per datagram) for ${seconds}s, every point an alert, batch-timeout 10ms, spool ${E2E_SPOOL:-off}"
  machine
  local sent; sent=$("$here/.build/release/UDPLoad" 18189 "$rate" "$seconds" 1)
  sleep 2
  curl -s http://127.0.0.1:19192/metrics > "$work/metrics.txt"
  local rss; rss=$(awk '/VmHWM/ {print $2}' /proc/$rpid/status)
  kill -TERM $rpid; wait $rpid || true
  kill -TERM $bpid; wait $bpid || true
  python3 - "$work/metrics.txt" "$sent" "$seconds" "$rss" "$here" <<'PY'
import sys
sys.path.insert(0, sys.argv[5])
from latency import summary
sent, seconds, rss = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
delivered, q = summary(open(sys.argv[1]).read())
print("sent %d points, %d alerts delivered (%.0f alerts/s); latency receipt -> Kafka ack: p50 %.1f ms, p99 %.1f ms; peak RSS %.1f MiB"
      % (sent, delivered, delivered / seconds, q(0.5) * 1000, q(0.99) * 1000, rss / 1024))
PY
  rm -rf "$work"
}

consumer() {
  # Group mode's input: one relay consuming line protocol from kafka-test-broker (a [[kafka-consumer]],
  # 100 rules) beside kcat consuming the same topic in the same run. The topic is filled once
  # (the mock broker keeps a few hundred KB to ~2 MB of such messages per partition); each round reads it
  # from the start with a fresh group. Relay rate: points evaluated / time from the first point
  # evaluated to the last (its group join left out); kcat: messages / its wall time (connecting included).
  # RELAY_BIN_DIR=<dir with alertrelay and kafka-test-broker>: run those (e.g. a before/after pair) instead of building.
  local bin=${RELAY_BIN_DIR:-}
  if [ -z "$bin" ]; then
    (cd "$root" && swift build -c release --product alertrelay && swift build -c release --product kafka-test-broker)
    bin=$(cd "$root" && swift build -c release --show-bin-path)
  fi
  # 256 partitions: the mock broker keeps only so much per partition (11,665 of 14,000 messages
  # over 64 partitions once, 4,570 in a later session: half a second of evaluation, too short for a
  # window read every 50 ms); over 256 it kept 11,600-17,500 (1.2-1.75M points, about a second).
  local partitions=${CONSUMER_PARTITIONS:-256} lines=${CONSUMER_LINES:-100} messages=${CONSUMER_MESSAGES:-40000}
  # CONSUMER_LIBRDKAFKA="name=value ...": librdkafka properties given to both consumers (the relay's
  # [kafka-consumer.librdkafka], kcat's -X), e.g. "fetch.wait.max.ms=10 queued.min.messages=1000000".
  local props=() kcatx=() prop
  for prop in ${CONSUMER_LIBRDKAFKA:-}; do props+=("    \"${prop%%=*}\" = \"${prop#*=}\""); kcatx+=(-X "$prop"); done
  work=$(mktemp -d)
  # Each round's group writes its state changelog (<group-id>-state), one partition per input
  # partition: made here, since a topic the mock broker creates on first use has only 4.
  local rounds=${CONSUMER_ROUNDS:-3} changelogs=() r
  for r in $(seq "$rounds"); do changelogs+=(--topic "bench-$r-$$-state:$partitions"); done
  "$bin/kafka-test-broker" --topic "lp:$partitions" --topic "bench-alerts:4" "${changelogs[@]}" > "$work/broker.out" 2>/dev/null &
  local bpid=$! rpid=""
  # Whatever ends the run (a failed step, ^C), the broker and the relay end with it.
  trap 'kill -TERM $bpid $rpid 2>/dev/null || true' EXIT
  for _ in $(seq 50); do grep -q BOOTSTRAP= "$work/broker.out" && break; sleep 0.1; done
  local bootstrap; bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$work/broker.out")
  # Telegraf-like points, 100 measurements x 64 hosts, 1% above the thresholds. Unkeyed, so the
  # messages spread evenly and no partition passes what the mock broker keeps.
  python3 - "$messages" "$lines" > "$work/lp.txt" <<'PY'
import random, sys
messages, lines = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(42)
out = sys.stdout
n = 0
for m in range(messages):
    body = []
    for _ in range(lines):
        v = rng.uniform(80, 100) if rng.random() < 0.01 else rng.uniform(0, 70)
        body.append("m%d,host=host-%d,region=eu value=%.2f,other=%di %d" % (n % 100, m % 64, v, n, 1700000000000000000 + n * 1000000))
        n += 1
    out.write("%s\x1e" % "\n".join(body))
PY
  kcat -P -b "$bootstrap" -t lp -D '\x1e' -l "$work/lp.txt"
  mkdir -p "$work/rules"
  relay_rules 100 bench bench-alerts > "$work/rules/bench.yaml"
  # What the broker kept is what both read.
  local kept; kept=$(kcat -C -b "$bootstrap" -t lp -o beginning -e -q -f '.' 2>/dev/null | wc -c)
  local points=$((kept * lines))
  echo "Kafka consumer: $kept messages x $lines lines ($points points, $(($(wc -c < "$work/lp.txt") / messages)) bytes/message) in $partitions partitions, 100 rules"
  machine
  for round in $(seq "$rounds"); do
    # Ports of its own (18389, 19392), so that an e2e run beside it cannot be the one answering.
    relay_conf "$bootstrap" 0 | sed 's/127.0.0.1:18189/127.0.0.1:18389/; s/127.0.0.1:19192/127.0.0.1:19392/' > "$work/alertrelay.conf"
    cat >> "$work/alertrelay.conf" <<CONF
[[kafka-consumer]]
  cluster = "bench"
  topics = ["lp"]
  group-id = "bench-$round-$$"
  start = "earliest"
  [kafka-consumer.librdkafka]
$(printf '%s\n' "${props[@]}")
[relay]
  queue-size = 200000
CONF
    "$bin/alertrelay" run --config "$work/alertrelay.conf" 2> "$work/relay.log" &
    rpid=$!
    # Progress from one keep-alive connection every 50 ms (progress.py): a curl and an awk per
    # read cost the shared machine ~5 ms of CPU each, and the relay rendered its whole /metrics.
    # CONSUMER_PERF=<file prefix>: a cpu-clock profile of every thread of the relay (all exist by
    # the first point) for CONSUMER_PERF_SECONDS, one file per round.
    local onfirst=""
    if [ -n "${CONSUMER_PERF:-}" ]; then
      onfirst="perf record -e cpu-clock -g --call-graph dwarf,16384 -F 250 -p $rpid -o $CONSUMER_PERF.$round -- sleep ${CONSUMER_PERF_SECONDS:-8} 2>/dev/null"
    fi
    local first first_n last n
    read -r first first_n last n < <(PROGRESS_ON_FIRST="$onfirst" python3 "$here/progress.py" \
      http://127.0.0.1:19392/metrics alertrelay_points_evaluated_total "$points" 0.05 60)
    [ "$first" = - ] && first=""
    [ "$last" = - ] && last=""
    [ -n "$onfirst" ] && sleep "${CONSUMER_PERF_SECONDS:-8}"
    # Per thread CPU (utime+stime ticks) of the run, for the cost per point of each: on a loaded
    # machine the steadier figure. The share is the relay's CPU over the evaluation's wall time
    # (1.00 = one core): a run far below the threads' sum of 1/(us/point) was waiting for a core.
    # A thread may end between the listing and its read (librdkafka's, at the group's rebalance):
    # skipped, not fatal (under `set -e` it ended the script and left the relay running).
    for t in /proc/$rpid/task/*; do
      awk -v p="$points" '{ name = $2; gsub(/[()]/, "", name); printf "  thread %-18s %6.2f s CPU (%.2f us/point)\n", name, ($14 + $15) / 100, ($14 + $15) / 100 / p * 1e6 }' "$t/stat" 2>/dev/null || true
    done | sort -k3 -n -r | head -6
    awk -v p="$points" -v f="${first:-0}" -v l="${last:-0}" '{ cpu = ($14 + $15) / 100 } END {
      if (l > f) printf "  relay CPU %.2f s in all (%.2f us/point), %.2f cores during the evaluation (load %s)\n", cpu, cpu / p * 1e6, cpu / (l - f), "'"$(cut -d' ' -f1 /proc/loadavg)"'" }' /proc/$rpid/stat
    # Peak resident memory of the run (the input queue, librdkafka's prefetch, the heap).
    awk '/^VmHWM/ { printf "  relay peak RSS %.0f MiB\n", $2 / 1024 }' /proc/$rpid/status
    kill -TERM $rpid; wait $rpid || true
    rpid=""
    local t0 t1
    t0=$(date +%s.%N)
    # kcat as a plain consumer of every partition (-C -e): `-G` would spend its first seconds joining.
    local got; got=$(kcat -C -b "$bootstrap" -t lp -o beginning -e -q -f '.' "${kcatx[@]}" 2>/dev/null | wc -c)
    t1=$(date +%s.%N)
    # And kcat as the relay reads: in a group of its own, cooperative-sticky, first to last message
    # (its join left out, as the relay's is).
    kcat -b "$bootstrap" -G "kcat-$round-$$" -X auto.offset.reset=earliest -X partition.assignment.strategy=cooperative-sticky \
      "${kcatx[@]}" -e -q -f '%o\n' lp 2>/dev/null | python3 -c '
import sys, time
first = None; n = 0
for _ in sys.stdin.buffer:
    n += 1
    if first is None: first = time.time()
last = time.time()
print("  kcat -G (group, cooperative-sticky) %d messages/s first to last (%d messages)" % (n / max(last - first, 1e-9), n) if first else "  kcat -G read nothing")'

    awk -v r="$round" -v p="$points" -v f="$first" -v fn="$first_n" -v l="$last" -v n="$n" -v g="$got" -v t0="$t0" -v t1="$t1" -v lines="$lines" 'BEGIN {
      if (l == "") { printf "round %d: alertrelay evaluated %d of %d points within 60 s\n", r, n, p; exit }
      ours = (p - fn) / (l - f); kcat = g / (t1 - t0)
      printf "round %d: alertrelay %9.0f points/s (%7.0f messages/s)   kcat -C -e %7.0f messages/s (%d messages)   ratio %.2f (goals: >= 1M points/s, >= 0.8)\n",
        r, ours, ours / lines, kcat, g, ours / lines / kcat }'
  done
  kill -TERM $bpid; wait $bpid || true
  trap - EXIT
  rm -rf "$work"
}

spool() {
  # The durable spool's cost: the same end-to-end run without a spool, with fsync = "os" and with
  # fsync = "always", at a rate above what the spool can take with a flush per alert.
  local rate=${SPOOL_RATE:-20000}
  for mode in "" os always; do E2E_SPOOL=$mode E2E_RATE=$rate E2E_SECONDS=${E2E_SECONDS:-10} e2e; done
}

state() {
  # The engine's longest hold per state save at 1M groups: the one-go save it did before beside
  # the sliced snapshot it takes now (the encode and fsync then run on the writer's thread).
  (cd "$here" && swift build -c release --product StateSaveBenchmark)
  machine
  "$here/.build/release/StateSaveBenchmark" "${STATE_GROUPS:-1000000}"
}

sidecar() {
  # The sidecar's cost beside InfluxDB 1.6.7's UDP service: CPU per point and per alert, RSS,
  # threads (Benchmarks/sidecar.sh; IMAGE_REPORT=<saved Deploy/verify-image.sh output> adds the image).
  if ! command -v influxd >/dev/null; then
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q influxdb
  fi
  (cd "$root" && swift build -c release --product alertrelay && swift build -c release --product kafka-test-broker)
  (cd "$here" && swift build -c release --product UDPLoad)
  "$here/sidecar.sh" "$(cd "$root" && swift build -c release --show-bin-path)" "$here/.build/release"
}

rulese2e() {
  # Issue 20 goal 5: `alertrelay run` with E2E_RULES threshold rules (report.sh's e2e setup: 100
  # measurements, grouped by host, none firing; queue-size 1,000,000; 25 points per datagram from
  # UDPLoad, 5 s per rate): per rate the share of points evaluated and the relay's peak RSS so far.
  # RELAY_BIN_DIR / UDPLOAD_BIN: prebuilt binaries instead of building.
  local bin=${RELAY_BIN_DIR:-} load=${UDPLOAD_BIN:-}
  if [ -z "$bin" ]; then
    (cd "$root" && swift build -c release --product alertrelay && swift build -c release --product kafka-test-broker)
    bin=$(cd "$root" && swift build -c release --show-bin-path)
  fi
  if [ -z "$load" ]; then (cd "$here" && swift build -c release --product UDPLoad); load="$here/.build/release/UDPLoad"; fi
  local n=${E2E_RULES:-1000} rates=${E2E_RATES:-"200000 400000 600000 800000 1000000"}
  work=$(mktemp -d)
  "$bin/kafka-test-broker" --topic e2e:4 > "$work/broker.out" 2>/dev/null &
  local bpid=$!
  for _ in $(seq 50); do grep -q BOOTSTRAP= "$work/broker.out" && break; sleep 0.1; done
  local bootstrap; bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$work/broker.out")
  mkdir -p "$work/rules"
  local i
  for ((i = 0; i < n; i++)); do
    echo "- {id: r$i, measurement: m$((i % 100)), groupBy: [host], warn: '\"usage_idle\" < -1', crit: '\"usage_idle\" < -2', kafka: {topic: e2e}}"
  done > "$work/rules/r.yaml"
  { relay_conf "$bootstrap" 33554432; printf '[relay]\n  queue-size = 1000000\n'; } > "$work/alertrelay.conf"
  "$bin/alertrelay" run --config "$work/alertrelay.conf" > "$work/relay.out" 2> "$work/relay.log" &
  local rpid=$!
  for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:19192/health && break; sleep 0.1; done
  echo "End to end with $n rules: UDP, 25 points per datagram, 5 s per rate"
  machine
  metric() { curl -s http://127.0.0.1:19192/metrics | awk -v m="$1" '$1 == m {print $2}'; }
  local rate before after sent
  for rate in $rates; do
    before=$(metric alertrelay_points_evaluated_total)
    local cpu0; cpu0=$(awk '{print $14 + $15}' /proc/$rpid/stat)
    sent=$("$load" 18189 "$rate" 5 25 100); sleep 2
    after=$(metric alertrelay_points_evaluated_total)
    awk -v r="$rate" -v b="${before:-0}" -v a="${after:-0}" -v s="$sent" -v c0="$cpu0" -v c1="$(awk '{print $14 + $15}' /proc/$rpid/stat)" \
        -v rss="$(awk '/VmHWM/ {print $2}' /proc/$rpid/status)" 'BEGIN {
      printf "rate %8d: evaluated %8d of %8d (%.1f%%), %.2f us CPU per point, peak RSS %.1f MiB\n", r, a - b, s, (a - b) * 100 / s, (c1 - c0) / 100 / (a - b) * 1e6, rss / 1024 }'
  done
  kill -TERM $rpid; wait $rpid || true
  kill -TERM $bpid; wait $bpid || true
  rm -rf "$work"
}

case "$what" in
  rules-e2e) rulese2e ;;
  spool) spool ;;
  state) state ;;
  kafka) kafka "$@" ;;
  parse) parse ;;
  udp) udp ;;
  template) template ;;
  rules) rules ;;
  windows) windows ;;
  e2e) e2e ;;
  consumer) consumer ;;
  sidecar) sidecar ;;
  all) parse; template; rules; e2e; consumer; udp; kafka "$@" ;;
  *) echo "unknown benchmark: $what (known: kafka, parse, udp, template, rules, windows, state, e2e, rules-e2e, consumer, spool, sidecar, all)" >&2; exit 64 ;;
esac
