#!/usr/bin/env bash
# Set up and run on a fresh Debian machine: installs what is missing, builds, starts
# kafka-test-broker, parses a line-protocol point, renders Kapacitor's alert message template for
# it, sends it through alertrelay's Kafka dispatcher (`alertrelay send-test`, Kapacitor's
# `service-tests kafka`), reads it back from Kafka, and stops everything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./scripts/install-deps.sh
swift build -c release --product alertrelay
swift build -c release --product kafka-test-broker
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d)
broker_pid=""
cleanup() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/kafka-test-broker" --topic cpu-alerts:4 > "$work/broker.out" 2>/dev/null &
broker_pid=$!
for _ in $(seq 50); do grep -q BOOTSTRAP= "$work/broker.out" && break; sleep 0.1; done
bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$work/broker.out")
echo "kafka-test-broker is up at $bootstrap"

cat > "$work/alertrelay.conf" <<CONF
[[kafka]]
  enabled = true
  id = "infra-monitoring"
  brokers = ["$bootstrap"]
  timeout = "10s"
  batch-size = 100
  batch-timeout = "1s"
CONF
"$bin/alertrelay" check --config "$work/alertrelay.conf"
echo "A CPU point as the app would send it over UDP:"
echo 'cpu,host=server01,cpu=cpu-total usage_idle=5.5 1795822382000000000' | "$bin/alertrelay" parse
echo "The alert message Kapacitor's template gives it:"
body=$("$bin/alertrelay" render --kind alert \
  --template '{{.ID}} is {{.Level}}: Hey, check your CPU (usage_idle={{index .Fields "usage_idle"}} on {{.Tags.host}})' \
  --data '{"Name":"cpu","ID":"cpu:nil","Level":"CRITICAL","Tags":{"host":"server01"},"Fields":{"usage_idle":5.5},"Time":1795822382000000000}')
echo "$body"
"$bin/alertrelay" send-test --config "$work/alertrelay.conf" --cluster infra-monitoring \
  --topic cpu-alerts --key "cpu:nil" --message "$body"
echo "Reading topic cpu-alerts back from Kafka:"
kcat -C -b "$bootstrap" -t cpu-alerts -o beginning -e -q -f 'partition %p offset %o key %k: %s\n'
