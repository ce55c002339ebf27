#!/usr/bin/env bash
# Builds what Deploy/Dockerfile builds, without a Docker engine, and runs it the way the image does:
#   1. build stage: the Dockerfile's own `swift build` command (release, static Swift stdlib);
#   2. runtime stage: a Debian bookworm minbase root (debootstrap) with exactly the packages the
#      Dockerfile's runtime stage installs (read from the Dockerfile), the binary at
#      /usr/local/bin/alertrelay, Config/ at /etc/alertrelay, user 10001;
#   3. inside that root, as user 10001: every shared library resolves, `alertrelay check` on the
#      image's default config passes, and the image's CMD (`run --config /etc/alertrelay/alertrelay.conf`)
#      turns Config/samples/cpu.lp (sent over UDP to 127.0.0.1:8089) into the CRITICAL alert in Kafka.
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

# A container has /proc, /dev and /sys; so must the root (the Swift runtime reads its arguments
# from /proc/self/cmdline, the relay its UDP drop counts from /proc/net/udp).
for fs in proc dev sys; do mountpoint -q "$rootfs/$fs" || mount --bind "/$fs" "$rootfs/$fs"; done
unmount_all() { for fs in proc dev sys; do umount -l "$rootfs/$fs" 2>/dev/null || true; done; }
trap unmount_all EXIT

echo "--- shared libraries inside the runtime root"
if chroot "$rootfs" ldd /usr/local/bin/alertrelay | tee /dev/stderr | grep -q "not found"; then
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
relay_pid=""
cleanup() {
  if [ -n "$relay_pid" ]; then kill "$relay_pid" 2>/dev/null || true; fi
  kill "$broker_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
  unmount_all
}
trap cleanup EXIT
for _ in $(seq 100); do grep -q BOOTSTRAP= "$work/broker.out" 2>/dev/null && break; sleep 0.1; done
bootstrap=$(sed -n 's/^BOOTSTRAP=//p' "$work/broker.out")
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ALERTRELAY_KAFKA_0_BROKERS="$bootstrap" chroot --userspec=10001:10001 "$rootfs" \
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
echo "image verified: $(du -sh "$rootfs/usr/local/bin/alertrelay" | cut -f1) binary, root filesystem $(du -sxh "$rootfs" | cut -f1) (the bind mounts left out), runtime packages: $packages"
# Issue 20 goal 4 counts the binary plus what the runtime packages add over Debian minbase.
binary_bytes=$(stat -c %s "$rootfs/usr/local/bin/alertrelay")
read -r runtime_kib runtime_list < <("$root/Deploy/runtime-size.py" "$rootfs" "$packages")
awk -v b="$binary_bytes" -v k="$runtime_kib" -v r="$(du -sxk "$rootfs" | cut -f1)" -v list="$runtime_list" 'BEGIN {
  t = b + k * 1024
  printf "image size: binary %d bytes (%.2f MB, %.2f MiB) + runtime packages over minbase %d KiB (%.2f MB, %.2f MiB: %s) = %.2f MB, %.2f MiB; root filesystem %.1f MiB\n",
         b, b / 1e6, b / 1048576, k, k * 1024 / 1e6, k / 1024, list, t / 1e6, t / 1048576, r / 1024 }'
