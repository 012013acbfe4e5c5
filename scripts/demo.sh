#!/usr/bin/env bash
# The whole loop on a bundled model: an int8 EON export is deployed (patched), retrained
# (a second export of the same architecture), packed into a signed payload, and applied by a
# simulated device, whose outputs change to exactly those of the retrained export.
set -euo pipefail
cd "$(dirname "$0")/.."
export EIOTA_BUILD_DIR="${EIOTA_BUILD_DIR:-build}"  # the build folder, as in scripts/test.sh
bash scripts/build.sh >/dev/null
build=$(cd "$EIOTA_BUILD_DIR" && pwd)
gen=$build/tests/gen/eiota-fixture-gen
eiota=$build/eiota
work=$(mktemp -d /tmp/eiota-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

step() { printf '\n== %s\n' "$*"; }

step "1. Two Edge Impulse style exports of one model (2025 EON format): deployed, and retrained"
"$gen" --synthetic fc-int8 --era 2025 --layout arduino --name demo --out deployed
"$gen" --synthetic fc-int8 --era 2025 --layout arduino --name demo --perturb 42 --out retrained
ls deployed/src/tflite-model

step "2. eiota keygen, then eiota patch: the library users flash once"
"$eiota" keygen demo
"$eiota" patch deployed -o patched --key demo.pub

step "3. eiota pack: the retrained export becomes a signed payload"
"$eiota" pack --base patched retrained -o update.eiota --key demo.key --sequence 1
"$eiota" verify update.eiota --base patched

step "4. A simulated device runs the patched library, applies the payload, restores"
"$eiota" build-sim patched device 2>/dev/null
"$eiota" build-sim retrained reference 2>/dev/null
./device > before.txt
./device --payload update.eiota > after.txt
./device --payload update.eiota --restore > restored.txt
./reference > expected.txt
printf '%-34s | %-34s | %s\n' "device, factory weights" "device after the payload" "retrained export"
paste -d'|' <(grep -v '^apply\|^restore' before.txt) <(grep -v '^apply' after.txt) expected.txt |
  awk -F'|' '{ printf "%-34s | %-34s | %s\n", $1, $2, $3 }'

grep -q '^apply update.eiota: ok' after.txt
cmp -s <(grep -v '^apply' after.txt) expected.txt || { echo "FAIL: device outputs differ from the retrained export" >&2; exit 1; }
cmp -s before.txt <(grep -v '^apply' after.txt) && { echo "FAIL: the payload did not change the outputs" >&2; exit 1; }
cmp -s <(grep -v '^apply\|^restore' restored.txt) before.txt || { echo "FAIL: restore did not bring the factory outputs back" >&2; exit 1; }

step "5. A tampered payload is refused and the device keeps a working model"
cp update.eiota tampered.eiota
size=$(stat -c%s update.eiota)
b=$(od -An -tu1 -j$((size - 5)) -N1 update.eiota | tr -d ' ')
printf "$(printf '\\%03o' $((b ^ 1)))" | dd of=tampered.eiota bs=1 seek=$((size - 5)) conv=notrunc 2>/dev/null  # flip a value bit
./device --payload tampered.eiota | tee tampered.txt | head -1
cmp -s <(grep -v '^apply' tampered.txt) before.txt || { echo "FAIL: tampered payload changed the outputs" >&2; exit 1; }

step "6. eiota simulate: the same proof in one command, from the user's own exports"
"$eiota" simulate --base patched --payload update.eiota --expect retrained --cache "$work/cache" 2>/dev/null

echo
echo "demo ok: the device computes bit for bit what the retrained export computes"
