#!/usr/bin/env bash
# Regenerates Tests/KafkaDispatchTests/Fixtures/partitions.jsonl from Sarama (Debian packages).
# Needs: apt-get install golang-go golang-github-shopify-sarama-dev golang-github-spaolacci-murmur3-dev
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/partition-oracle"
cp "$here/main.go" "$work/src/partition-oracle/"
cd "$work/src/partition-oracle"
GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOCACHE="$work/cache" go run . > "$root/Tests/KafkaDispatchTests/Fixtures/partitions.jsonl"
wc -l "$root/Tests/KafkaDispatchTests/Fixtures/partitions.jsonl"
