#!/usr/bin/env bash
# Fuzzes with libFuzzer (from the Swift toolchain) under AddressSanitizer.
# usage: Tools/fuzz/run.sh [lineprotocol|template] [SECONDS]   (default: lineprotocol 600)
# The corpora start from the oracle fixtures.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${1:-lineprotocol}
# Go's goroutine stacks grow to 1 GiB; give the fuzzed code room to recurse as deeply as inputs ask.
ulimit -s unlimited 2>/dev/null || ulimit -s 1048576 2>/dev/null || true
seconds=${2:-600}
work=${FUZZ_WORK:-/tmp/alertrelay-fuzz}
mkdir -p "$work/corpus-lp" "$work/corpus-template"
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
