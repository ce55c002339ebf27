# Sourced by run.sh and report.sh: the alertrelay.conf their end-to-end runs start the relay with.
# relay_conf BOOTSTRAP READ_BUFFER — cluster "bench", UDP on 127.0.0.1:18189, HTTP on 127.0.0.1:19192,
# warnings only; callers append sections of their own.
relay_conf() {
  cat <<CONF
[[kafka]]
  enabled = true
  id = "bench"
  brokers = ["$1"]
  batch-timeout = "10ms"
[[udp]]
  bind-address = "127.0.0.1:18189"
  read-buffer = $2
[http]
  bind-address = "127.0.0.1:19192"
[logging]
  level = "warning"
CONF
}
