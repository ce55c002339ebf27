#!/usr/bin/env bash
# Runs the whole test suite (unit, socket, CLI and end-to-end tests, which start the sanitized
# alertrelay binary as a process) under ThreadSanitizer or AddressSanitizer.
# usage: Tools/sanitizers/run.sh thread|address        reports: $SANITIZER_REPORTS (default /tmp/alertrelay-<name>-reports)
#
# - librdkafka starts its threads with C11 thrd_create, which ThreadSanitizer does not intercept;
#   c11threads-shim.c (LD_PRELOAD) routes them through pthread_create so TSan knows them.
# - kafka-test-broker runs uninstrumented (KAFKA_TEST_BROKER): librdkafka's mock cluster is the
#   test's broker, not our code.
# - SANITIZER_RUN tells the tests which sanitizer runs (not ALERTRELAY_*: those are config overrides).
# - Reports of every process go to files (log_path); the script fails if any report is found.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
kind=${1:?usage: run.sh thread|address}
case "$kind" in thread) short=tsan ;; address) short=asan ;; *) echo "thread or address" >&2; exit 2 ;; esac
reports=${SANITIZER_REPORTS:-/tmp/alertrelay-$short-reports}
rm -rf "$reports" && mkdir -p "$reports"
cd "$root"
swift build --product kafka-test-broker >/dev/null
broker="$(swift build --show-bin-path)/kafka-test-broker"
swift build --build-tests --sanitize="$kind" --scratch-path ".build-$short" 2>&1 | grep -E "error|Compiling|Build complete" | tail -3
preload=""
options="log_path=$reports/report halt_on_error=0"
if [ "$kind" = thread ]; then
  clang -shared -fPIC -O1 -o "$root/.build-$short/c11threads-shim.so" "$here/c11threads-shim.c" -lpthread
  preload="$root/.build-$short/c11threads-shim.so"
fi
set +e
SANITIZER_RUN="$kind" KAFKA_TEST_BROKER="$broker" LD_PRELOAD="$preload" TSAN_OPTIONS="$options" \
  ASAN_OPTIONS="$options detect_leaks=0" \
  swift test --skip-build --sanitize="$kind" --scratch-path ".build-$short" 2>&1 | tee "$reports/test.log" | grep -E "✘|Test run with|error:"
status=${PIPESTATUS[0]}
set -e
found=$(ls "$reports" | grep -c '^report' || true)
echo "sanitizer=$kind tests_exit=$status reports=$found ($reports)"
if [ "$found" -gt 0 ]; then
  grep -h -A12 -E "^WARNING: ThreadSanitizer|^==[0-9]+==ERROR: AddressSanitizer" "$reports"/report* | head -80
  exit 1
fi
exit "$status"
