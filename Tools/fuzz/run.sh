#!/usr/bin/env bash
# Fuzzes the line-protocol parser with libFuzzer (from the Swift toolchain) under AddressSanitizer.
# usage: Tools/fuzz/run.sh [SECONDS]   (default 600); the corpus starts from the oracle fixtures.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-600}
work=${FUZZ_WORK:-/tmp/alertrelay-fuzz}
mkdir -p "$work/corpus-lp"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name LineProtocolFuzz \
  "$root"/Sources/LineProtocol/*.swift "$here/LineProtocolFuzz.swift" -o "$work/lineprotocol-fuzz"
if [ -z "$(ls -A "$work/corpus-lp")" ]; then
  python3 - "$root/Tests/LineProtocolTests/Fixtures/oracle.jsonl" "$work/corpus-lp" <<'PY'
import json, sys, os
for i, line in enumerate(open(sys.argv[1])):
    open(os.path.join(sys.argv[2], "seed-%04d" % i), "wb").write(json.loads(line)["input"].encode())
PY
fi
"$work/lineprotocol-fuzz" -max_total_time="$seconds" -print_final_stats=1 -max_len=4096 "$work/corpus-lp" 2>&1 | tail -25
