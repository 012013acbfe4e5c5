#!/usr/bin/env bash
# The test command: builds everything, checks that the device runtime cross-compiles for Cortex-M4
# without heap or exception support, then runs the test suite (ctest's summary is the last line).
# Builds into build/, or into $EIOTA_BUILD_DIR (any folder, also outside the checkout).
# Needs nothing beside the clone: tests of the real models in ../shared/fixtures skip without them.
set -euo pipefail
cd "$(dirname "$0")/.."
export EIOTA_BUILD_DIR="${EIOTA_BUILD_DIR:-build}"
bash scripts/build.sh
bash scripts/check-cortex-m.sh
ctest --test-dir "$EIOTA_BUILD_DIR" --output-on-failure -j"$(nproc)"
