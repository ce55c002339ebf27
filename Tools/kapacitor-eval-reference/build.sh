#!/usr/bin/env bash
# Builds kapacitor-eval-reference from a Kapacitor source tree (tick/ast and tick/stateful) in GOPATH
# mode with Debian's Go packages. usage: build.sh KAPACITOR_SRC OUTPUT_BINARY
# KAPACITOR_SRC is a checkout of https://github.com/influxdata/kapacitor (MIT); it is not vendored here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$1; out=$2
for p in golang-go golang-github-influxdata-influxql-dev golang-github-dustin-go-humanize-dev golang-github-pkg-errors-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || { sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"; DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "$p" >/dev/null; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
k="$work/src/github.com/influxdata/kapacitor"
mkdir -p "$k/tick" "$work/src/kapacitor-eval-reference" "$work/src/github.com/zeebo/mwc"
cp -r "$src/tick/ast" "$src/tick/stateful" "$k/tick/"
rm -f "$k"/tick/*/*_test.go
# rand() is not used by the benchmark; a stand-in for the one package Debian lacks.
cat > "$work/src/github.com/zeebo/mwc/mwc.go" <<'GO'
package mwc
type T struct{ x uint64 }
func Rand() *T { return &T{x: 1} }
func (t *T) Uint64() uint64 { t.x = t.x*6364136223846793005 + 1; return t.x }
func (t *T) Uint64n(n uint64) uint64 { return t.Uint64() % n }
GO
cp "$here/main.go" "$work/src/kapacitor-eval-reference/"
cd "$work/src/kapacitor-eval-reference"
GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOCACHE="$work/cache" go build -o "$out" .
