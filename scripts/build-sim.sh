#!/usr/bin/env bash
# build-sim.sh EXPORT OUT_BINARY [SKETCH.ino]
# Builds an export (patched or not, folder or zip) with the SDK inside it into a host simulator,
# or builds a sketch against it on the host Arduino shim. See `eiota build-sim --help`.
# Runs $EIOTA_CLI if set (the tests pass the CLI they were built with), else build/eiota.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
exec "${EIOTA_CLI:-$here/build/eiota}" build-sim "$1" "$2" ${3:+--sketch "$3"}
