#!/usr/bin/env bash
# Fuzzes with libFuzzer (from the Swift toolchain) under AddressSanitizer.
# usage: Tools/fuzz/run.sh [lineprotocol|tcpsplit|template|lambda] [SECONDS]   (default: lineprotocol 600)
# The corpora start from the oracle fixtures.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${1:-lineprotocol}
# Go's goroutine stacks grow to 1 GiB; give the fuzzed code room to recurse as deeply as inputs ask.
ulimit -s unlimited 2>/dev/null || ulimit -s 1048576 2>/dev/null || true
seconds=${2:-600}
# A crash must end the run with libFuzzer's report: Swift's own backtracer can hang under ASan.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
work=${FUZZ_WORK:-/tmp/alertrelay-fuzz}
mkdir -p "$work/corpus-lp" "$work/corpus-tcpsplit" "$work/corpus-template" "$work/corpus-lambda"
if [ "$target" = lambda ]; then
  # The system libyaml through the CYAML module map; the rest as one module, cross-module imports dropped.
  rm -rf "$work/src-lambda" && mkdir -p "$work/src-lambda"
  for f in "$root"/Sources/GoDuration/*.swift "$root"/Sources/GoTemplate/*.swift "$root"/Sources/LineProtocol/*.swift \
           "$root"/Sources/AlertRules/*.swift "$root"/Sources/AlertRules/Lambda/*.swift \
           "$root"/Sources/AlertRules/Steps/*.swift "$root"/Sources/AlertRules/TICKscript/*.swift "$root"/Sources/Locking/*.swift \
           "$root"/Sources/KafkaDispatch/KafkaPartitioning.swift "$root"/Sources/KafkaDispatch/KafkaMessage.swift "$root"/Sources/KafkaDispatch/KafkaHeader.swift; do
    grep -v -E '^import (GoDuration|GoTemplate|LineProtocol|KafkaDispatch|CRdKafka|Logging|Locking)$' "$f" \
      > "$work/src-lambda/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
  # KafkaConfigProblem lives with the cluster config; the fuzz build needs only its shape.
  printf 'public struct KafkaConfigProblem: Error, Sendable, Equatable { public var key: String; public var reason: String }\n' > "$work/src-lambda/KafkaConfigProblem.swift"
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name LambdaFuzz \
    -I "$root/Sources/CYAML" -Xcc -fmodule-map-file="$root/Sources/CYAML/module.modulemap" \
    "$work"/src-lambda/*.swift "$here/LambdaFuzz.swift" -lyaml -o "$work/lambda-fuzz"
  if [ -z "$(ls -A "$work/corpus-lambda")" ]; then
    i=0
    for f in "$root"/Config/rules/*.yaml "$root"/Config/handlers/*.yaml "$root"/Config/examples/tick/*.tick; do cp "$f" "$work/corpus-lambda/seed-file-$i"; i=$((i + 1)); done
    python3 -c 'import json,sys
for i, l in enumerate(open(sys.argv[1])):
    c = json.loads(l)
    open(f"{sys.argv[2]}/seed-kapacitor-{i}", "w").write(c["tick"])
    open(f"{sys.argv[2]}/seed-kapacitor-yaml-{i}", "w").write(c["rule"])' "$root/Tests/AlertRulesTests/Fixtures/kapacitor-streamer.jsonl" "$work/corpus-lambda"
    grep -ho "(\"[^)]*\"" "$root"/Tests/AlertRulesTests/LambdaTests.swift | sed 's/^(\"//; s/\"$//; s/\\"/"/g' |
      while IFS= read -r line; do printf '%s' "$line" > "$work/corpus-lambda/seed-$i"; i=$((i + 1)); done
  fi
  LSAN_OPTIONS="suppressions=$here/lsan-suppressions.txt" "$work/lambda-fuzz" -max_total_time="$seconds" -print_final_stats=1 -max_len=2048 -artifact_prefix="$work/" "$work/corpus-lambda" 2>&1 | grep -v "ld.gold" | tail -25
  exit 0
fi
if [ "$target" = template ]; then
  # One module from GoDuration + GoTemplate sources (their cross-module import dropped).
  rm -rf "$work/src-template" && mkdir -p "$work/src-template"
  for f in "$root"/Sources/GoDuration/*.swift "$root"/Sources/GoTemplate/*.swift; do
    grep -v '^import GoDuration$' "$f" > "$work/src-template/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name TemplateFuzz \
    "$work"/src-template/*.swift "$here/TemplateFuzz.swift" -o "$work/template-fuzz"
  if [ -z "$(ls -A "$work/corpus-template")" ]; then
    python3 - "$root/Tests/GoTemplateTests/Fixtures" "$work/corpus-template" <<'PY'
import json, sys, os
n = 0
for name in ("parse.jsonl", "exec.jsonl"):
    for line in open(os.path.join(sys.argv[1], name)):
        c = json.loads(line)
        text = c.get("text", c.get("template", ""))
        data = c.get("data", "")
        open(os.path.join(sys.argv[2], "seed-%04d" % n), "wb").write((text + ("\0" + data if data else "")).encode())
        n += 1
PY
  fi
  "$work/template-fuzz" -max_total_time="$seconds" -print_final_stats=1 -max_len=4096 -artifact_prefix="$work/" "$work/corpus-template" 2>&1 | grep -v "ld.gold" | tail -25
  exit 0
fi
if [ "$target" = tcpsplit ]; then
  # The TCP listener's line splitting: LineStreamSplitter over streams cut where the input says.
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name LineSplitFuzz \
    "$root"/Sources/LineProtocol/*.swift "$here/LineSplitFuzz.swift" -o "$work/tcpsplit-fuzz"
  if [ -z "$(ls -A "$work/corpus-tcpsplit")" ]; then
    # Each oracle input behind two bytes: the line-length limit (none, or 0-127 bytes) and the cuts' seed.
    python3 - "$root/Tests/LineProtocolTests/Fixtures/oracle.jsonl" "$work/corpus-tcpsplit" <<'PY'
import json, sys, os
for i, line in enumerate(open(sys.argv[1])):
    head = bytes([(i * 37) % 256, (i * 11) % 256])
    open(os.path.join(sys.argv[2], "seed-%04d" % i), "wb").write(head + json.loads(line)["input"].encode())
PY
  fi
  "$work/tcpsplit-fuzz" -max_total_time="$seconds" -print_final_stats=1 -max_len=4096 -artifact_prefix="$work/" "$work/corpus-tcpsplit" 2>&1 | grep -v "ld.gold" | tail -25
  exit 0
fi
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name LineProtocolFuzz \
  "$root"/Sources/LineProtocol/*.swift "$here/LineProtocolFuzz.swift" -o "$work/lineprotocol-fuzz"
if [ -z "$(ls -A "$work/corpus-lp")" ]; then
  python3 - "$root/Tests/LineProtocolTests/Fixtures/oracle.jsonl" "$work/corpus-lp" <<'PY'
import json, sys, os
for i, line in enumerate(open(sys.argv[1])):
    open(os.path.join(sys.argv[2], "seed-%04d" % i), "wb").write(json.loads(line)["input"].encode())
PY
fi
"$work/lineprotocol-fuzz" -max_total_time="$seconds" -print_final_stats=1 -max_len=4096 -artifact_prefix="$work/" "$work/corpus-lp" 2>&1 | grep -v "ld.gold" | tail -25
