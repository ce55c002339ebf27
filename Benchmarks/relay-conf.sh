# Sourced by run.sh and report.sh: the alertrelay.conf their end-to-end runs start the relay with.
# relay_conf BOOTSTRAP READ_BUFFER — cluster "bench", UDP on 127.0.0.1:18189, HTTP on 127.0.0.1:19192,
# warnings only; callers append sections of their own. RELAY_BATCH_TIMEOUT (default 10ms) is the
# producer's batch-timeout (Kapacitor's default is 1s).
relay_conf() {
  cat <<CONF
[[kafka]]
  enabled = true
  id = "bench"
  brokers = ["$1"]
  batch-timeout = "${RELAY_BATCH_TIMEOUT:-10ms}"
[[udp]]
  bind-address = "127.0.0.1:18189"
  read-buffer = $2
[http]
  bind-address = "127.0.0.1:19192"
[logging]
  level = "warning"
CONF
}

# relay_rules COUNT CLUSTER TOPIC — COUNT threshold rules (as Benchmarks/Sources/RuleBenchmark's) over
# 100 measurements m0..m99, grouped by host, warn above 80, crit above 90, stateChangesOnly, each
# sending its alerts to TOPIC on CLUSTER: one YAML file on stdout.
relay_rules() {
  local i
  for ((i = 0; i < $1; i++)); do
    cat <<RULE
- id: rule-$i
  measurement: m$((i % 100))
  groupBy: [host]
  warn: '"value" > 80'
  crit: '"value" > 90'
  stateChangesOnly: true
  kafka: {cluster: $2, topic: $3}
RULE
  done
}
