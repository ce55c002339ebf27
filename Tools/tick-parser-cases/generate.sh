#!/usr/bin/env bash
# Regenerates Tests/AlertRulesTests/KapacitorParserCases+Kapacitor.swift from Kapacitor v1.5.9's
# tick/ast/parser_test.go and tick/ast/lex_test.go.
# usage: generate.sh KAPACITOR — a checkout of https://github.com/influxdata/kapacitor at v1.5.9, or a
# git directory of it (read at the tag v1.5.9). Needs only Go: its standard library reads the test
# files as source; nothing of Kapacitor is built or run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in parser_test.go lex_test.go; do
  if [ -f "$src/tick/ast/$f" ]; then
    cp "$src/tick/ast/$f" "$work/$f"
  else
    git --git-dir="$src" show "v1.5.9:tick/ast/$f" > "$work/$f"
  fi
done
mkdir -p "$work/src/tick-parser-cases"
cp "$here/main.go" "$work/src/tick-parser-cases/"
(cd "$work/src/tick-parser-cases" && GO111MODULE=off GOPATH="$work" GOCACHE="$work/cache" go build -o "$work/tick-parser-cases" .)
out="$root/Tests/AlertRulesTests/KapacitorParserCases+Kapacitor.swift"
"$work/tick-parser-cases" "$work/parser_test.go" "$work/lex_test.go" > "$out"
grep -c 'source: ' "$out"
