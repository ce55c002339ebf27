#!/usr/bin/env bash
# Set up and run on a fresh Debian machine: installs what is missing, builds, starts
# kafka-test-broker, runs `alertrelay run` on Config/ (the seed's two scenarios), sends CPU points
# over UDP as an app would, shows the alert messages arriving in Kafka, and stops everything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./scripts/install-deps.sh
swift build -c release --product alertrelay
swift build -c release --product kafka-test-broker
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d)
broker_pid=""
relay_pid=""
cleanup() {
  [ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null && wait "$relay_pid" 2>/dev/null
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/kafka-test-broker" --topic cpu-alerts:1 > "$work/broker.out" 2>/dev/null &
broker_pid=$!
for _ in $(seq 50); do grep -q BOOTSTRAP= "$work/broker.out" && break; sleep 0.1; done
bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$work/broker.out")
echo "== kafka-test-broker is up at $bootstrap"

# Config/alertrelay.conf as shipped; only the brokers come from the environment, as in a container.
export ALERTRELAY_KAFKA_0_BROKERS="$bootstrap"
echo "== alertrelay check --config Config/alertrelay.conf"
"$bin/alertrelay" check --config Config/alertrelay.conf
echo "== alertrelay run --config Config/alertrelay.conf"
"$bin/alertrelay" run --config Config/alertrelay.conf 2> "$work/relay.log" &
relay_pid=$!
for _ in $(seq 100); do grep -q 'alertrelay started' "$work/relay.log" && break; sleep 0.1; done
sed 's/^/   relay: /' "$work/relay.log"

echo "== The app sends CPU points over UDP to 127.0.0.1:8089 (Config/samples/cpu.lp):"
grep -v '^#' Config/samples/cpu.lp | while read -r line; do
  echo "   $line"
  printf '%s\n' "$line" > /dev/udp/127.0.0.1/8089
  sleep 0.2
done
sleep 1
echo "== Alert log lines:"
grep 'alert triggered' "$work/relay.log" | sed 's/^/   /'
echo "== Reading topic cpu-alerts back from Kafka (key, then the Kapacitor alert JSON):"
kcat -C -b "$bootstrap" -t cpu-alerts -o beginning -e -q -f '   key=%k %s'
echo "== /metrics (excerpt):"
curl -s http://127.0.0.1:8086/metrics | grep -E '^alertrelay_(alerts_total|kafka_messages_delivered_total|points_received_total)' | sed 's/^/   /'
kill -TERM "$relay_pid"; wait "$relay_pid" || true; relay_pid=""
echo "== Stopped (SIGTERM: queue drained, Kafka flushed):"
tail -2 "$work/relay.log" | sed 's/^/   relay: /'
