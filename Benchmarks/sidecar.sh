#!/usr/bin/env bash
# The sidecar's cost (issue 20), alertrelay beside InfluxDB 1.6.7's UDP service (Debian `influxdb`),
# both fed by the same load generator (Sources/UDPLoad, 25 points per datagram):
#   - CPU seconds per million points and RSS at 1k, 10k and 100k points/s (alertrelay: one
#     warn/crit rule grouped by host that never fires; InfluxDB: its UDP service writing them);
#   - CPU per alert message at 100, 1,000 and 3,000 alerts/s (one point per datagram, each an
#     alert, default message and details, spool on, into kafka-test-broker);
#   - idle RSS, threads and CPU;
#   - the image size, when IMAGE_REPORT names a saved Deploy/verify-image.sh output.
# CPU is utime+stime of /proc/PID/stat (every thread, clock ticks) over the whole load window,
# from just before the first datagram to 1 s after the last: everything the process spent on it.
#
# usage: Benchmarks/sidecar.sh BIN_DIR BENCH_DIR [JSONL]
#   BIN_DIR holds alertrelay and kafka-test-broker, BENCH_DIR UDPLoad (release builds).
#   Prints a table; with JSONL, appends one JSON object per measurement ("kind":"sidecar_*").
#   SIDECAR_SECONDS (default 10) is the load window per rate; SIDECAR_ROUND tags the records;
#   SIDECAR_PORT_OFFSET (default 0) moves every port (to run beside another benchmark);
#   SIDECAR_PARTS (default "idle points alerts"), SIDECAR_RATES and SIDECAR_ALERT_RATES pick a
#   subset, SIDECAR_PEER=0 leaves InfluxDB out (quick before/after comparisons);
#   SIDECAR_CONF_EXTRA is appended to alertrelay.conf (e.g. '[relay]\n  udp-linger = "10ms"').
#   RELAY_BATCH_TIMEOUT (relay-conf.sh; default 10ms) sets the [[kafka]] batch-timeout (Kapacitor: 1s).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/relay-conf.sh"
bin=$1 bench=$2 jsonl=${3:-/dev/null}
seconds=${SIDECAR_SECONDS:-10}
round=${SIDECAR_ROUND:-1}
tick=$(getconf CLK_TCK)
offset=${SIDECAR_PORT_OFFSET:-0}
udp_port=$((18189 + offset)) http_port=$((19192 + offset)) influx_udp=$((18090 + offset)) influx_http=$((18086 + offset))
ports() {  # the default ports of relay_conf and influxdb-udp.conf, moved by the offset
  sed -e "s/:18189\"/:$udp_port\"/; s/:19192\"/:$http_port\"/; s/:18090\"/:$influx_udp\"/; s/:18086\"/:$influx_http\"/" \
      -e "s/:18088\"/:$((18088 + offset))\"/"
}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }      # utime + stime, all threads
status() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }  # Threads
# RSS in KiB from smaps_rollup: this kernel's VmRSS is approximate (per-thread counters folded in
# lazily; it was 5 MiB off in one round), smaps_rollup walks the page tables.
rss() { awk '$1 == "Rss:" { print $2 }' "/proc/$1/smaps_rollup"; }
record() { echo "$1" >> "$jsonl"; }
part() { [[ " ${SIDECAR_PARTS:-idle points alerts} " == *" $1 "* ]]; }
peer=${SIDECAR_PEER:-1}

"$bin/kafka-test-broker" --topic side:4 > "$work/broker.out" 2>/dev/null & pids+=($!)
for _ in $(seq 50); do grep -q BOOTSTRAP= "$work/broker.out" && break; sleep 0.1; done
bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$work/broker.out")

relay() {  # relay NAME RULE-YAML → starts `alertrelay run` with a spool, sets $rpid
  local d="$work/$1"
  mkdir -p "$d/rules"
  printf '%s\n' "$2" > "$d/rules/r.yaml"
  { relay_conf "$bootstrap" 8388608; printf '[spool]\n  dir = "%s/spool"\n' "$d"; printf '%b\n' "${SIDECAR_CONF_EXTRA:-}"; } | ports > "$d/alertrelay.conf"
  "$bin/alertrelay" run --config "$d/alertrelay.conf" 2> "$d/relay.log" &
  rpid=$!
  pids+=($rpid)
  for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:$http_port/health && break; sleep 0.1; done
}
stop() { kill -TERM "$1"; wait "$1" || true; }
delivered() { curl -s http://127.0.0.1:$http_port/metrics | awk '/^alertrelay_kafka_messages_delivered_total/ { n += $2 } END { print n + 0 }'; }

# One load window against PID at PORT: prints "points cpu_seconds rss_kib".
window() {  # window PID PORT RATE PER_DATAGRAM
  local before sent after
  before=$(cpu_ticks "$1")
  sent=$("$bench/UDPLoad" "$2" "$3" "$seconds" "$4")
  sleep 1
  after=$(cpu_ticks "$1")
  echo "$sent $(awk -v a="$after" -v b="$before" -v t="$tick" 'BEGIN { printf "%.2f", (a - b) / t }') $(rss "$1")"
}

points_rule="id: load
measurement: cpu
groupBy: [host]
warn: '\"usage_idle\" > 1000'
crit: '\"usage_idle\" > 2000'
kafka: {topic: side}"
alert_rule="id: storm
measurement: cpu
groupBy: [host]
crit: '\"usage_idle\" >= 0'
kafka: {topic: side}"

echo "Sidecar cost: CPU = utime+stime from /proc/PID/stat over each ${seconds}s load window (+1 s), all threads"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

sed "s|@WORK@|$work/influx|g" "$here/influxdb-udp.conf" | ports > "$work/influxdb.conf"
start_influx() {
  rm -rf "$work/influx"; mkdir -p "$work/influx"
  influxd -config "$work/influxdb.conf" > "$work/influxd.log" 2>&1 &
  ipid=$!
  pids+=($ipid)
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$influx_http/ping" && break; sleep 0.1; done
}

# Idle: 5 s after start, then CPU over 10 s with nothing sent.
if part idle; then
relay idle "$points_rule"
sleep 5
t0=$(cpu_ticks "$rpid"); sleep 10; t1=$(cpu_ticks "$rpid")
idle_rss=$(rss "$rpid") idle_threads=$(status "$rpid" Threads)
idle_cpu=$(awk -v a="$t1" -v b="$t0" -v t="$tick" 'BEGIN { printf "%.2f", (a - b) / t / 10 * 1000 }')
stop "$rpid"
peer_rss=0 peer_threads=0 peer_cpu=0
if [ "$peer" = 1 ]; then
start_influx
sleep 5
t0=$(cpu_ticks "$ipid"); sleep 10; t1=$(cpu_ticks "$ipid")
peer_rss=$(rss "$ipid") peer_threads=$(status "$ipid" Threads)
peer_cpu=$(awk -v a="$t1" -v b="$t0" -v t="$tick" 'BEGIN { printf "%.2f", (a - b) / t / 10 * 1000 }')
stop "$ipid"
fi
printf "idle:            alertrelay %6.1f MiB RSS %3d threads %6.2f ms CPU/s   InfluxDB 1.6.7 %6.1f MiB RSS %3d threads %6.2f ms CPU/s\n" \
  "$(awk -v k="$idle_rss" 'BEGIN { print k / 1024 }')" "$idle_threads" "$idle_cpu" \
  "$(awk -v k="$peer_rss" 'BEGIN { print k / 1024 }')" "$peer_threads" "$peer_cpu"
record "{\"kind\":\"sidecar_idle\",\"round\":$round,\"ours_rss_kib\":$idle_rss,\"ours_threads\":$idle_threads,\"ours_cpu_ms_per_s\":$idle_cpu,\"peer_rss_kib\":$peer_rss,\"peer_threads\":$peer_threads,\"peer_cpu_ms_per_s\":$peer_cpu}"
fi

# Points: alertrelay and InfluxDB, each rate on a fresh process, interleaved.
for rate in ${SIDECAR_RATES:-1000 10000 100000}; do
  part points || break
  relay "points-$rate" "$points_rule"
  read -r so co ro <<< "$(window "$rpid" "$udp_port" "$rate" 25)"
  stop "$rpid"
  si=1 ci=0 ri=0
  if [ "$peer" = 1 ]; then
    start_influx
    read -r si ci ri <<< "$(window "$ipid" "$influx_udp" "$rate" 25)"
    stop "$ipid"
  fi
  awk -v r="$rate" -v so="$so" -v co="$co" -v ro="$ro" -v si="$si" -v ci="$ci" -v ri="$ri" 'BEGIN {
    printf "%7d points/s: alertrelay %6.2f CPU s per 1M points (%5.2f us/point) %6.1f MiB RSS   InfluxDB 1.6.7 %6.2f CPU s per 1M points %6.1f MiB RSS\n",
      r, co / so * 1e6, co / so * 1e6, ro / 1024, ci / si * 1e6, ri / 1024 }'
  record "{\"kind\":\"sidecar_points\",\"round\":$round,\"rate\":$rate,\"ours_points\":$so,\"ours_cpu_s\":$co,\"ours_rss_kib\":$ro,\"peer_points\":$si,\"peer_cpu_s\":$ci,\"peer_rss_kib\":$ri}"
done

# Alerts: one point per datagram, every point an alert message (default body), spool on.
for rate in ${SIDECAR_ALERT_RATES:-100 1000 3000}; do
  part alerts || break
  relay "alerts-$rate" "$alert_rule"
  read -r sent cpu rss <<< "$(window "$rpid" "$udp_port" "$rate" 1)"
  sleep 1
  got=$(delivered)
  stop "$rpid"
  awk -v r="$rate" -v s="$sent" -v g="$got" -v c="$cpu" -v m="$rss" 'BEGIN {
    printf "%7d alerts/s: alertrelay %7.1f us CPU per alert message (%d of %d delivered) %6.1f MiB RSS\n", r, (g > 0 ? c / g * 1e6 : 0), g, s, m / 1024 }'
  record "{\"kind\":\"sidecar_alerts\",\"round\":$round,\"rate\":$rate,\"sent\":$sent,\"delivered\":$got,\"cpu_s\":$cpu,\"rss_kib\":$rss}"
done

# The image: Deploy/verify-image.sh measures it (needs root and debootstrap); its saved output is read here.
if [ -n "${IMAGE_REPORT:-}" ] && [ -r "$IMAGE_REPORT" ]; then
  grep -E '^image verified|root filesystem' "$IMAGE_REPORT" | sed 's/^/image: /'
  line=$(grep -E 'root filesystem' "$IMAGE_REPORT" | tail -1 || true)
  if [ -n "$line" ]; then
    record "{\"kind\":\"sidecar_image\",\"round\":$round,\"line\":$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$line")}"
  fi
else
  echo "image: not measured here (run Deploy/verify-image.sh as root, save its output, set IMAGE_REPORT=<file>)"
fi
