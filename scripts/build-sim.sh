#!/usr/bin/env bash
# build-sim.sh EXPORT OUT_BINARY [SKETCH.ino]
# Builds an export (patched or not, folder or zip) with the SDK inside it into a host simulator,
# or builds a sketch against it on the host Arduino shim. See `eiota build-sim --help`.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
exec "$here/build/eiota" build-sim "$1" "$2" ${3:+--sketch "$3"}
