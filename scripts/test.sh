#!/usr/bin/env bash
# The test command: builds everything, checks that the device runtime cross-compiles for Cortex-M4
# without heap or exception support, then runs the test suite; the last line is ctest's summary
# ("100% tests passed, 0 tests failed out of N"), repeated after the list of skipped tests.
# Builds into build/, or into $EIOTA_BUILD_DIR (any folder, also outside the checkout).
# Needs nothing beside the clone: tests of the real models in ../shared/fixtures skip without them.
set -euo pipefail
cd "$(dirname "$0")/.."
export EIOTA_BUILD_DIR="${EIOTA_BUILD_DIR:-build}"
bash scripts/build.sh
bash scripts/check-cortex-m.sh
log=$(mktemp /tmp/eiota-ctest.XXXXXX)
trap 'rm -f "$log"' EXIT
status=0
ctest --test-dir "$EIOTA_BUILD_DIR" --output-on-failure -j"$(nproc)" 2>&1 | tee "$log" || status=$?
# ctest lists skipped tests after its summary: repeat the summary so that it is the last line.
grep -E '^[0-9]+% tests passed' "$log" | tail -1
exit "$status"
