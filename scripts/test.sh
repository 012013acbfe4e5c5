#!/usr/bin/env bash
# The test command: builds everything, runs the test suite, then checks that the device runtime
# cross-compiles for Cortex-M4 without heap or exception support.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)")
bash scripts/check-cortex-m.sh
