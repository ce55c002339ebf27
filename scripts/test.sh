#!/usr/bin/env bash
# The test command: builds everything (the tests start the built kafka-test-broker as a
# separate process) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
# Foundation (with ICU) must not come back into the relay: the image's size depends on it.
./scripts/check-no-foundation.sh "$(swift build --show-bin-path)/alertrelay"
swift test --skip-build
