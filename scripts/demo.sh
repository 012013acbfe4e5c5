#!/usr/bin/env bash
# The whole loop on a bundled model: an int8 EON export is deployed (patched for flash slots),
# retrained (a second export of the same architecture), packed into a signed payload with a
# self-test, published on `eiota serve`, and fetched over HTTP by a simulated device that keeps its
# model in memory-mapped slot files: it checks in, downloads, verifies, activates and reports, then
# reboots, runs the self-test, confirms (and reports it), and computes exactly what the retrained
# export does.
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

step "2. eiota keygen, then eiota patch --storage flash: the library users flash once"
"$eiota" keygen demo
"$eiota" patch deployed -o patched --key demo.pub --storage flash

step "3. eiota pack: the retrained export becomes a signed payload with a self-test"
printf '0.1 0.2 0.3 0.4 -0.5 0.6 0.7 -0.8\n-0.3 0.9 0 0.25 0.5 -0.75 1 -1\n' > samples.txt
"$eiota" pack --base patched retrained -o update.eiota --key demo.key --sequence 1 --selftest samples.txt --cache "$work/cache"
"$eiota" verify update.eiota --base patched

step "4. eiota serve (SQLite) on loopback: register the model, upload and release the payload"
port=$((20000 + RANDOM % 20000))  # a free loopback port, most likely
url=http://127.0.0.1:$port/eiota/v1
"$eiota" serve-admin --db sqlite:serve.db model --name demo --manifest patched
export EIOTA_TOKEN=$("$eiota" serve-admin --db sqlite:serve.db token --name demo 2>/dev/null)
"$eiota" serve --db sqlite:serve.db --port "$port" > serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q '^listening on' serve.log && break; sleep 0.1; done
grep '^listening on' serve.log || { cat serve.log >&2; echo "FAIL: eiota serve did not start" >&2; exit 1; }
"$eiota" publish update.eiota --server "$url" --model demo --channel stable --percent 100

step "5. A simulated device (model in memory-mapped flash slots) checks in, downloads, verifies, activates, reports; reboots, self-tests, confirms"
"$eiota" build-sim patched device 2>/dev/null
"$eiota" build-sim retrained reference 2>/dev/null
outputs() { grep -v '^apply\|^store\|^restore\|^ota'; }
ota=(--server "$url" --model demo --channel stable --device-id demo-1)
./device --store flash > before.txt                        # boot 1: factory values
./device --store flash "${ota[@]}" > after.txt             # check-in: the update is downloaded into slot A, on trial
./device --store flash --selftest "${ota[@]}" > selftest.txt   # boot 2: the self-test runs on the device, confirms, reports
./device --store flash "${ota[@]}" > rebooted.txt          # boot 3: still the new model; the check-in costs a 304
./reference > expected.txt
grep '^store\|^apply\|^ota\|^self-test' before.txt after.txt selftest.txt rebooted.txt | sed 's/^/  /'
printf '%-34s | %-34s | %s\n' "device, factory weights" "device after reboots" "retrained export"
paste -d'|' <(outputs < before.txt) <(outputs < rebooted.txt) expected.txt |
  awk -F'|' '{ printf "%-34s | %-34s | %s\n", $1, $2, $3 }'

grep -q '^ota: applied ' after.txt || { echo "FAIL: the device did not apply the update from the server" >&2; exit 1; }
grep -q 'self-test: .* every output as expected: confirmed' selftest.txt || { echo "FAIL: the self-test did not confirm" >&2; exit 1; }
grep -q '^ota: report confirmed status=204' selftest.txt || { echo "FAIL: the confirmation was not reported" >&2; exit 1; }
grep -q '^ota: current .*status=304 body_bytes=0' rebooted.txt || { echo "FAIL: the check-in after the update was not a 304" >&2; exit 1; }
grep -q '^store: boot: slot A serves (sequence 1), confirmed slot A' rebooted.txt || { echo "FAIL: the model did not survive the reboot" >&2; exit 1; }
for f in after.txt selftest.txt rebooted.txt; do
  cmp -s <(outputs < $f) expected.txt || { echo "FAIL: device outputs ($f) differ from the retrained export" >&2; exit 1; }
done
cmp -s <(outputs < before.txt) expected.txt && { echo "FAIL: the payload did not change the outputs" >&2; exit 1; }
"$eiota" status --server "$url" --model demo --channel stable > status.json
grep -q '"result": "confirmed"' status.json || { cat status.json >&2; echo "FAIL: the server has no confirmed report from demo-1" >&2; exit 1; }
echo "  the server's view of demo-1 (eiota status):"
grep -A12 '"id": "demo-1"' status.json | sed 's/^/  /' | head -14 || true

step "6. A tampered payload is refused and the device keeps its model; a restore brings the factory values back"
"$gen" --synthetic fc-int8 --era 2025 --layout arduino --name demo --perturb 43 --out retrained2
"$eiota" pack --base patched retrained2 -o update2.eiota --key demo.key --sequence 2
cp update2.eiota tampered.eiota
size=$(stat -c%s update2.eiota)
b=$(od -An -tu1 -j$((size - 5)) -N1 update2.eiota | tr -d ' ')
printf "$(printf '\\%03o' $((b ^ 1)))" | dd of=tampered.eiota bs=1 seek=$((size - 5)) conv=notrunc 2>/dev/null  # flip a value bit
./device --store flash --payload tampered.eiota > tampered.txt || [ $? -eq 3 ]  # 3: the device refused it
grep '^apply' tampered.txt
cmp -s <(outputs < tampered.txt) expected.txt || { echo "FAIL: tampered payload changed the outputs" >&2; exit 1; }
./device --store flash --restore > restored.txt
cmp -s <(outputs < restored.txt) <(outputs < before.txt) || { echo "FAIL: restore did not bring the factory outputs back" >&2; exit 1; }
./device --store flash > restored-rebooted.txt
cmp -s <(outputs < restored-rebooted.txt) <(outputs < before.txt) || { echo "FAIL: the restore did not survive a reboot" >&2; exit 1; }
echo "  tampered: refused, the confirmed model kept; restore: factory values, also after a reboot"

step "7. eiota simulate: the same proof in one command, from the user's own exports"
"$eiota" simulate --base patched --payload update.eiota --expect retrained --cache "$work/cache" 2>/dev/null

echo
echo "demo ok: the device computes bit for bit what the retrained export computes"
