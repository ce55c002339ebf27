#!/usr/bin/env bash
# Builds the release binaries and runs the benchmarks, each next to its peer in the same run.
# usage: Benchmarks/run.sh [kafka] [extra args passed to the benchmark]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
"$root/scripts/install-deps.sh"
(cd "$root" && swift build -c release --product kafka-test-broker)
(cd "$here" && swift build -c release --product KafkaSendBenchmark)
what=${1:-kafka}
shift || true
case "$what" in
  kafka) "$here/.build/release/KafkaSendBenchmark" "$root/.build/release/kafka-test-broker" "$@" ;;
  *) echo "unknown benchmark: $what (known: kafka)" >&2; exit 64 ;;
esac
