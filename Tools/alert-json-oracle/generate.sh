#!/usr/bin/env bash
# Regenerates Tests/AlertRulesTests/Fixtures/alert-json.jsonl: Kapacitor's alert.Data encoded by Go's
# encoding/json and rendered by text/template. Needs: apt-get install golang-go (GOPATH mode).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/alert-json-oracle"
cp "$here/main.go" "$work/src/alert-json-oracle/"
cd "$work/src/alert-json-oracle"
GO111MODULE=off GOPATH="$work" GOCACHE="$work/cache" go run . > "$root/Tests/AlertRulesTests/Fixtures/alert-json.jsonl"
wc -l "$root/Tests/AlertRulesTests/Fixtures/alert-json.jsonl"
