#!/usr/bin/env bash
# Regenerates Tests/GoTemplateTests/Fixtures/*.jsonl with Go's own text/template (Debian golang-go).
# usage: generate.sh            (fixtures)
#        generate.sh bench N R  (Go's renders/s for Benchmarks/run.sh template)
set -euo pipefail
# Go's Local zone is the machine's; the fixtures take it to be UTC, as alertrelay does.
export TZ=UTC
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/template-oracle"
cp "$here"/*.go "$work/src/template-oracle/"
(cd "$work/src/template-oracle" && GO111MODULE=off GOPATH="$work" GOCACHE="$work/cache" go build -o "$work/template-oracle" .)
if [ $# -gt 0 ]; then
  "$work/template-oracle" "$@"
  exit 0
fi
"$work/template-oracle" parse > "$root/Tests/GoTemplateTests/Fixtures/parse.jsonl"
"$work/template-oracle" exec > "$root/Tests/GoTemplateTests/Fixtures/exec.jsonl"
"$work/template-oracle" json > "$root/Tests/GoTemplateTests/Fixtures/json.jsonl"
"$work/template-oracle" timeformat > "$root/Tests/GoTemplateTests/Fixtures/timeformat.jsonl"
"$work/template-oracle" entities > "$root/Sources/GoTemplate/HTMLEntities.swift"
for set in zone printf methods typed html; do
  "$work/template-oracle" "$set" > "$root/Tests/GoTemplateTests/Fixtures/$set.jsonl"
done
wc -l "$root"/Tests/GoTemplateTests/Fixtures/*.jsonl
