#!/usr/bin/env bash
# Installs the Debian packages alertrelay builds and tests with (needs root or sudo).
set -euo pipefail
# stunnel4, socat, openssl and iproute2: the TLS end-to-end tests (a broker behind TLS in a network namespace).
# chromium: the status page test (headless, reads the page's DOM after its JavaScript ran).
packages=(librdkafka-dev kcat pkg-config zlib1g-dev libyaml-dev influxdb-client python3-influxdb stunnel4 socat openssl iproute2 chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "${missing[@]}"
fi
