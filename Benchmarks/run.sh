#!/usr/bin/env bash
# Builds the release binaries and runs the benchmarks, each next to its peer in the same run.
# usage: Benchmarks/run.sh [kafka|parse|all] [extra args for the kafka benchmark]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
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
  rm -rf "$work"
}

case "$what" in
  kafka) kafka "$@" ;;
  parse) parse ;;
  all) parse; kafka "$@" ;;
  *) echo "unknown benchmark: $what (known: kafka, parse, all)" >&2; exit 64 ;;
esac
