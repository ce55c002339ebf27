#!/usr/bin/env bash
# Regenerates Tests/AlertRulesTests/Fixtures/aggregate-oracle.jsonl with InfluxDB 1.6.7's own
# InfluxQL reducers. Needs: apt-get install golang-go golang-github-influxdb-influxdb-dev
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/aggregate-oracle"
cp "$here"/main.go "$work/src/aggregate-oracle/"
(cd "$work/src/aggregate-oracle" && GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOCACHE="$work/cache" go build -o "$work/aggregate-oracle" .)
"$work/aggregate-oracle" > "$root/Tests/AlertRulesTests/Fixtures/aggregate-oracle.jsonl"
wc -l "$root/Tests/AlertRulesTests/Fixtures/aggregate-oracle.jsonl"
