#!/usr/bin/env bash
# Regenerates Tests/LineProtocolTests/Fixtures/oracle.jsonl with InfluxDB 1.6.7's own parser.
# Needs: apt-get install golang-go golang-github-influxdb-influxdb-dev
# usage: generate.sh [fixtures | corpus N SEED | bench FILE RUNS]   (default: fixtures into the tests)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${LP_ORACLE_WORK:-$(mktemp -d)}
mkdir -p "$work/src/lineprotocol-oracle"
cp "$here"/*.go "$work/src/lineprotocol-oracle/"
(cd "$work/src/lineprotocol-oracle" && GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOCACHE="$work/cache" \
  go build -o "$work/lineprotocol-oracle" . )
if [ $# -eq 0 ]; then
  "$work/lineprotocol-oracle" fixtures > "$root/Tests/LineProtocolTests/Fixtures/oracle.jsonl"
  wc -l "$root/Tests/LineProtocolTests/Fixtures/oracle.jsonl"
else
  "$work/lineprotocol-oracle" "$@"
fi
[ -n "${LP_ORACLE_WORK:-}" ] || rm -rf "$work"
