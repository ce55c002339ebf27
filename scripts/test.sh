#!/usr/bin/env bash
# The test command: builds everything (the tests start the built kafka-test-broker as a
# separate process) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
