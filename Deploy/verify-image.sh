#!/usr/bin/env bash
# Builds what Deploy/Dockerfile builds, without a Docker engine, and runs it the way the image does:
#   1. build stage: the Dockerfile's own `swift build` command (release, static Swift stdlib);
#   2. runtime stage: a Debian bookworm minbase root (debootstrap) with exactly the packages the
#      Dockerfile's runtime stage installs (read from the Dockerfile), the binary at
#      /usr/local/bin/alertrelay, Config/ at /etc/alertrelay, user 10001;
#   3. inside that root, as user 10001: every shared library resolves, `alertrelay check` on the
#      image's default config passes, and the image's CMD (`run --config /etc/alertrelay/alertrelay.conf`)
#      turns Config/samples/cpu.lp (sent over UDP to 127.0.0.1:8089) into the CRITICAL alert in Kafka;
#   4. TLS inside that root, as user 10001, against the CA bundle the runtime stage copies (with a
#      test CA appended to the root's copy for this check only): an https post to a server whose
#      certificate that CA signed is delivered, one to a server of an unknown CA is refused; librdkafka's
#      TLS handshake with a listener of the test CA verifies, one of the unknown CA fails with
#      "certificate verify failed" (the listeners are Python `ssl` servers, not brokers: the
#      handshake is what is checked).
# The runtime stage's `COPY --from=build` files are taken from this machine (the build stage) and its
# `ENV` lines are the relay's environment in both runs.
# Needs root (debootstrap, chroot) and the Debian mirror. usage: Deploy/verify-image.sh [ROOTFS_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rootfs=${1:-/tmp/alertrelay-image-root}
dockerfile="$root/Deploy/Dockerfile"
[ "$(id -u)" -eq 0 ] || { echo "verify-image.sh needs root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null

# The runtime stage's packages, as the Dockerfile names them.
packages=$(awk '/^FROM debian:bookworm-slim/{rt=1} rt' "$dockerfile" | tr '\n\\' '  ' \
  | sed -n 's/.*--no-install-recommends *\([^&]*\)&&.*/\1/p' | head -1 | xargs | tr ' ' ',')
build_cmd=$(grep -E '^RUN swift build' "$dockerfile" | sed 's/^RUN //; s/ *\\$//')
echo "runtime packages from the Dockerfile: $packages"
echo "build command from the Dockerfile:    $build_cmd"

cd "$root"
build_log=$(mktemp)
eval "$build_cmd" >"$build_log" 2>&1 || { cat "$build_log"; echo "FAIL: the Dockerfile's build command failed" >&2; exit 1; }
tail -1 "$build_log"; rm -f "$build_log"
binary="$(swift build -c release --show-bin-path)/alertrelay"
# Before it is stripped: no Foundation or ICU symbol may be in what the image ships.
"$root/scripts/check-no-foundation.sh" "$binary" || { echo "FAIL: the image's binary links Foundation or ICU" >&2; exit 1; }

if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
  debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
fi
chroot "$rootfs" id -u 10001 >/dev/null 2>&1 || \
  chroot "$rootfs" useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin alertrelay
install -m 0755 "$binary" "$rootfs/usr/local/bin/alertrelay"
# The Dockerfile strips the binary it copies into the runtime stage (no symbols, no debug info).
if grep -q '&& strip /alertrelay' "$dockerfile"; then strip "$rootfs/usr/local/bin/alertrelay"; fi
rm -rf "$rootfs/etc/alertrelay" && cp -r "$root/Config" "$rootfs/etc/alertrelay"
# The runtime stage's other `COPY --from=build SRC DST` lines (the CA bundle), from this machine.
copied_bytes=0
while read -r src dst; do
  [ "$src" = /alertrelay ] && continue
  [ -f "$src" ] || { echo "FAIL: the Dockerfile copies $src from the build stage; this machine has no such file" >&2; exit 1; }
  install -D -m 0644 "$src" "$rootfs$dst"
  echo "copied from the build stage: $src -> $dst ($(stat -c %s "$src") bytes)"
  copied_bytes=$((copied_bytes + $(stat -c %s "$src")))
done < <(awk '/^FROM debian:bookworm-slim/{rt=1} rt && $1 == "COPY" && $2 == "--from=build" { print $3, $4 }' "$dockerfile")
# The runtime stage's ENV (single-line `ENV K=V K=V`, values without spaces), as the image sets it.
image_env=$(awk '/^FROM debian:bookworm-slim/{rt=1} rt && $1 == "ENV" { $1 = ""; print }' "$dockerfile" | xargs)
echo "environment from the Dockerfile:      $image_env"

# A container has /proc, /dev and /sys; so must the root (the Swift runtime reads its arguments
# from /proc/self/cmdline, the relay its UDP drop counts from /proc/net/udp).
for fs in proc dev sys; do mountpoint -q "$rootfs/$fs" || mount --bind "/$fs" "$rootfs/$fs"; done
unmount_all() { for fs in proc dev sys; do umount -l "$rootfs/$fs" 2>/dev/null || true; done; }
trap unmount_all EXIT

echo "--- shared libraries inside the runtime root"
# (Not `tee /dev/stderr`: with stderr redirected to a file, tee would reopen and truncate it.)
libs=$(chroot "$rootfs" ldd /usr/local/bin/alertrelay)
echo "$libs"
if grep -q "not found" <<<"$libs"; then
  echo "FAIL: a shared library the binary needs is not in the runtime stage" >&2; exit 1
fi
echo "--- alertrelay check (as user 10001)"
chroot --userspec=10001:10001 "$rootfs" /usr/local/bin/alertrelay check --config /etc/alertrelay/alertrelay.conf

echo "--- the image's CMD, fed the sample points"
swift build --product kafka-test-broker >/dev/null
bin=$(swift build --show-bin-path)
work=$(mktemp -d)
"$bin/kafka-test-broker" --topic cpu-alerts:1 >"$work/broker.out" 2>"$work/broker.err" &
broker_pid=$!
relay_pid="" tls_pid=""
cleanup() {
  if [ -n "$relay_pid" ]; then kill "$relay_pid" 2>/dev/null || true; fi
  kill "$broker_pid" 2>/dev/null || true
  if [ -n "$tls_pid" ]; then kill "$tls_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  # The test CA was appended to the root's bundle for the TLS check only.
  if [ -f "$work/bundle.orig" ]; then cp "$work/bundle.orig" "$rootfs/etc/ssl/certs/ca-certificates.crt"; fi
  rm -rf "$work" "$rootfs/tmp/alertrelay-tls-check"
  unmount_all
}
trap cleanup EXIT
# TLS inside the root as user 10001, trusting only what the image's CA bundle holds. Certificates:
# a test CA (appended to the root's bundle for this check, restored by cleanup) and an unknown CA
# (in no bundle), each signing a server certificate for 127.0.0.1.
tls_check() {
  echo "--- TLS against the image's CA bundle (as user 10001)"
  local bundle="$rootfs/etc/ssl/certs/ca-certificates.crt" certs="$work/certs" check=/tmp/alertrelay-tls-check
  [ -s "$bundle" ] || { echo "FAIL: the root has no CA bundle at /etc/ssl/certs/ca-certificates.crt" >&2; exit 1; }
  mkdir -p "$certs"
  for ca in test-ca unknown-ca; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=alertrelay $ca" \
      -keyout "$certs/$ca.key" -out "$certs/$ca.pem" 2>/dev/null
  done
  for server in good:test-ca bad:unknown-ca; do
    local name=${server%%:*} ca=${server#*:}
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
      -keyout "$certs/$name.key" -out "$certs/$name.csr" 2>/dev/null
    openssl x509 -req -in "$certs/$name.csr" -CA "$certs/$ca.pem" -CAkey "$certs/$ca.key" -CAcreateserial -days 2 \
      -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n') -out "$certs/$name.pem" 2>/dev/null
  done
  cp "$bundle" "$work/bundle.orig"
  cat "$certs/test-ca.pem" >> "$bundle"

  # Four listeners: https servers that answer 200 (post-good, post-bad) and TLS listeners that only
  # do the handshake and read librdkafka's first request (kafka-good, kafka-bad).
  cat > "$work/tls-servers.py" <<'PY'
import socket, ssl, sys, threading
certs, lock = sys.argv[1], threading.Lock()
def say(*words):
    with lock: print(*words, flush=True)
def handle(name, ctx, conn):
    conn.settimeout(10)
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError) as e:
        say(name, "handshake refused:", e); conn.close(); return
    say(name, "handshake ok")
    try:
        data = b""
        while name.startswith("post"):
            while b"\r\n\r\n" not in data:
                chunk = tls.recv(65536)
                if not chunk: return
                data += chunk
            head, data = data.split(b"\r\n\r\n", 1)
            length = next((int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")), 0)
            while len(data) < length:
                chunk = tls.recv(65536)
                if not chunk: return
                data += chunk
            body, data = data[:length], data[length:]
            say(name, head.split(b"\r\n")[0].decode(), body[:120].decode(errors="replace"))
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        tls.recv(4096)  # librdkafka's first request: this is no broker
    except OSError:
        pass
    finally:
        tls.close()
def serve(name, sock, ctx):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handle, args=(name, ctx, conn), daemon=True).start()
ports = []
for name, cert in (("post-good", "good"), ("post-bad", "bad"), ("kafka-good", "good"), ("kafka-bad", "bad")):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(f"{certs}/{cert}.pem", f"{certs}/{cert}.key")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0)); sock.listen(16)
    ports.append(str(sock.getsockname()[1]))
    threading.Thread(target=serve, args=(name, sock, ctx), daemon=True).start()
say("PORTS", *ports)
threading.Event().wait()
PY
  python3 "$work/tls-servers.py" "$certs" > "$work/tls.out" 2>&1 &
  tls_pid=$!
  for _ in $(seq 50); do grep -q '^PORTS' "$work/tls.out" && break; sleep 0.1; done
  local post_good post_bad kafka_good kafka_bad
  read -r _ post_good post_bad kafka_good kafka_bad < <(grep '^PORTS' "$work/tls.out")

  # A config of the image's shape: its ports (the ENV moves them), two TLS clusters with no
  # `ssl-ca` (librdkafka's default trust), one rule posting and producing to all four listeners.
  rm -rf "${rootfs:?}$check" && mkdir -p "$rootfs$check/rules"
  cat > "$rootfs$check/alertrelay.conf" <<CONF
[[kafka]]
  enabled = true
  id = "tls-good"
  brokers = ["127.0.0.1:$kafka_good"]
  use-ssl = true
[[kafka]]
  enabled = true
  id = "tls-bad"
  brokers = ["127.0.0.1:$kafka_bad"]
  use-ssl = true
[[udp]]
  bind-address = "127.0.0.1:8089"
[http]
  bind-address = "127.0.0.1:8086"
[load]
  enabled = true
  dir = "$check"
[relay]
  shutdown-timeout = "1s"
  dead-letter-file = "$check/dead-letters.jsonl"
CONF
  cat > "$rootfs$check/rules/tls.yaml" <<RULE
id: tls_check
measurement: cpu
crit: '"usage_idle" < 10'
message: 'TLS check'
post:
  - url: https://127.0.0.1:$post_good/good
  - url: https://127.0.0.1:$post_bad/bad
kafka:
  - {cluster: tls-good, topic: tls}
  - {cluster: tls-bad, topic: tls}
RULE
  chown -R 10001:10001 "$rootfs$check"
  # shellcheck disable=SC2086 # image_env is a list of K=V words
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin $image_env chroot --userspec=10001:10001 "$rootfs" \
    /usr/local/bin/alertrelay run --config "$check/alertrelay.conf" 2>"$work/tls-relay.log" &
  relay_pid=$!
  for _ in $(seq 100); do grep -q 'alertrelay started' "$work/tls-relay.log" && break; sleep 0.1; done
  kill -0 "$relay_pid" 2>/dev/null || { echo "FAIL: the TLS check's relay did not start:"; cat "$work/tls-relay.log"; exit 1; }
  python3 - "$root/Config/samples/cpu.lp" <<'PY'
import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(open(sys.argv[1], "rb").read(), ("127.0.0.1", 8089))
PY
  local dead="$rootfs$check/dead-letters.jsonl" ok=""
  for _ in $(seq 100); do
    if grep -q '^post-good POST /good' "$work/tls.out" && grep -q '^kafka-good handshake ok' "$work/tls.out" \
       && grep -q "127.0.0.1:$kafka_bad.*certificate verify failed" "$work/tls-relay.log" \
       && grep -q "127.0.0.1:$post_bad" "$dead" 2>/dev/null; then ok=1; break; fi
    sleep 0.2
  done
  kill -TERM "$relay_pid" 2>/dev/null || true
  wait "$relay_pid" 2>/dev/null || true; relay_pid=""
  local fail=""
  if ! grep -q '^post-good POST /good .*TLS check' "$work/tls.out"; then fail+=" the https post to the test CA's server was not delivered;"; fi
  if grep -q '^post-bad POST' "$work/tls.out" || ! grep -q "127.0.0.1:$post_bad" "$dead" 2>/dev/null; then
    fail+=" the https post to the unknown CA's server was not refused;"; fi
  if ! grep -q '^kafka-good handshake ok' "$work/tls.out" || grep -q "127.0.0.1:$kafka_good.*certificate verify failed" "$work/tls-relay.log"; then
    fail+=" librdkafka's handshake with the test CA's listener did not verify;"; fi
  if grep -q '^kafka-bad handshake ok' "$work/tls.out" || ! grep -q "127.0.0.1:$kafka_bad.*certificate verify failed" "$work/tls-relay.log"; then
    fail+=" librdkafka's handshake with the unknown CA's listener was not refused;"; fi
  if [ -n "$fail" ] || [ -z "$ok" ]; then
    echo "FAIL:$fail"; echo "listeners:"; cat "$work/tls.out"; echo "relay log:"; cat "$work/tls-relay.log"
    echo "dead letters:"; cat "$dead" 2>/dev/null; exit 1
  fi
  grep -m1 '^post-good POST' "$work/tls.out" | cut -c1-110
  grep -m1 '^post-bad handshake refused' "$work/tls.out" | cut -c1-140
  echo "dead letter: $(grep -m1 -o '"reason":"[^"]*"' "$dead" | cut -c1-150)"
  grep -m1 '^kafka-good handshake ok' "$work/tls.out"
  echo "relay log: $(grep -m1 -o "127.0.0.1:$kafka_bad.*certificate verify failed" "$work/tls-relay.log" | cut -c1-150)"
  cp "$work/bundle.orig" "$bundle" && rm -f "$work/bundle.orig"
  echo "TLS verified: https posts (BoringSSL) and librdkafka (OpenSSL) trust the image's CA bundle and refuse an unknown CA"
}
for _ in $(seq 100); do grep -q BOOTSTRAP= "$work/broker.out" 2>/dev/null && break; sleep 0.1; done
bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$work/broker.out")
# shellcheck disable=SC2086 # image_env is a list of K=V words
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin $image_env ALERTRELAY_KAFKA_0_BROKERS="$bootstrap" chroot --userspec=10001:10001 "$rootfs" \
  /usr/local/bin/alertrelay run --config /etc/alertrelay/alertrelay.conf 2>"$work/relay.log" &
relay_pid=$!
for _ in $(seq 100); do grep -q 'alertrelay started' "$work/relay.log" && break; sleep 0.1; done
kill -0 "$relay_pid" 2>/dev/null || { echo "FAIL: the relay did not start:"; cat "$work/relay.log"; exit 1; }
python3 - "$root/Config/samples/cpu.lp" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(open(sys.argv[1], "rb").read(), ("127.0.0.1", 8089))
PY
found=""
for _ in $(seq 50); do
  found=$(kcat -C -b "$bootstrap" -t cpu-alerts -o beginning -e -q -f '%k %s\n' 2>/dev/null | grep 'Hey, check your CPU' || true)
  [ -n "$found" ] && break
  sleep 0.2
done
kill -TERM "$relay_pid" 2>/dev/null || { echo "FAIL: the relay exited early:"; cat "$work/relay.log"; exit 1; }
status=0; wait "$relay_pid" || status=$?; relay_pid=""
echo "$found" | head -3
[ -n "$found" ] || { echo "FAIL: no alert from the image's relay"; cat "$work/relay.log"; exit 1; }
[ "$status" -eq 0 ] || { echo "FAIL: SIGTERM exit status $status"; exit 1; }
tls_check
echo "image verified: $(du -sh "$rootfs/usr/local/bin/alertrelay" | cut -f1) binary, root filesystem $(du -sxh "$rootfs" | cut -f1) (the bind mounts left out), runtime packages: $packages"
# Issue 20 goal 4 counts the binary, what the runtime packages add over Debian minbase, and the
# files copied from the build stage besides the binary (the CA bundle).
binary_bytes=$(stat -c %s "$rootfs/usr/local/bin/alertrelay")
read -r runtime_kib runtime_list < <("$root/Deploy/runtime-size.py" "$rootfs" "$packages")
awk -v b="$binary_bytes" -v k="$runtime_kib" -v c="$copied_bytes" -v r="$(du -sxk "$rootfs" | cut -f1)" -v list="$runtime_list" 'BEGIN {
  t = b + k * 1024 + c
  printf "image size: binary %d bytes (%.2f MB, %.2f MiB) + runtime packages over minbase %d KiB (%.2f MB, %.2f MiB: %s) + copied files %d bytes = %.2f MB, %.2f MiB; root filesystem %.1f MiB\n",
         b, b / 1e6, b / 1048576, k, k * 1024 / 1e6, k / 1024, list, c, t / 1e6, t / 1048576, r / 1024 }'
