#!/usr/bin/env bash
# reference.sh MONOCYPHER_DIR [SHA256_DIR]: the reference figures of docs/PERFORMANCE.md, measured as
# perf.sh measures ours (emulated Cortex-M4, -Os, newlib-nano, --gc-sections, icount plugin):
# Monocypher's crypto_ed25519_check (src/monocypher.c + src/optional/monocypher-ed25519.c, its
# own SHA-512) on the same payload signature, its linked flash (.text + .rodata of both objects)
# and peak stack; and a plain reference SHA-256 (SHA256_DIR/sha256.c, e.g. B-Con's
# crypto-algorithms) in instructions per byte over 64 KB. The reference code is compiled from the
# folders given and never copied into this repository. Fetch them, for example:
#   git clone https://github.com/LoupVaillant/Monocypher /work/real/monocypher && git -C /work/real/monocypher checkout 4.0.3
#   git clone https://github.com/B-Con/crypto-algorithms /work/real/crypto-algorithms
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 MONOCYPHER_DIR [SHA256_DIR]" >&2; exit 2; }
source "$(dirname "$0")/perf_lib.sh"
mono=$(cd "$1" && pwd)
shadir=$(cd "${2:-$(dirname "$mono")/crypto-algorithms}" && pwd)
for f in "$mono/src/monocypher.c" "$mono/src/optional/monocypher-ed25519.c" "$shadir/sha256.c"; do
  [ -f "$f" ] || { echo "reference: $f not found" >&2; exit 1; }
done
build=$(cd "${EIOTA_BUILD_DIR:-$repo/build}" && pwd)
work=${EIOTA_REF_WORK:-/tmp/eiota-ref}
rm -rf "$work" && mkdir -p "$work/run"
so=$(plugin "$work")
payloads "$work" "$build"
cp "$work/new.eiota" "$work/k.pk" "$work/run/"
max=$(( $(stat -c %s "$work/new.eiota") + 4096 ))
# ref: crypto_ed25519_check alone linked (its flash, stack and time); ref-eddsa adds crypto_eddsa_check.
srcs=("$cm/startup.c" "$cm/semihost.c" "$here/ref_fw.c" "$mono/src/monocypher.c" "$mono/src/optional/monocypher-ed25519.c" "$shadir/sha256.c")
inc="-I$cm -I$mono/src -I$mono/src/optional -I$shadir -DPERF_MAX_PAYLOAD=$max"
build_fw "$cpu_m4" "$work/ref" $inc -DREF_WITH_EDDSA=0 -- "${srcs[@]}"
build_fw "$cpu_m4" "$work/ref-eddsa" $inc -DREF_WITH_EDDSA=1 -- "${srcs[@]}"
mkdir -p "$work/run2" && cp "$work/run"/* "$work/run2/"
run_fw "$work/ref.elf" "$work/run" "$so"
run_fw "$work/ref-eddsa.elf" "$work/run2" "$so"
r=$work/run
verify=$(span "$r" 1); sha=$(span "$r" 2); eddsa=$(span "$work/run2" 2)
flash=$(obj_bytes "$work/ref.map" ".text .rodata" "monocypher(-ed25519)?\\.c\\.o$")
cat <<TABLE
References on the emulated Cortex-M4 ($(basename "$mono")${version:+, $version}; SHA-256: $(basename "$shadir")/sha256.c):

| figure | reference |
|---|---|
| Ed25519 verify, instructions (crypto_ed25519_check, $(value "$r" signed_bytes) signed bytes) | $(awk -v a="$verify" 'BEGIN { printf "%.2f M", a / 1e6 }') ($verify) |
| EdDSA check, instructions (crypto_eddsa_check: BLAKE2b instead of SHA-512, same curve work) | $(awk -v a="$eddsa" 'BEGIN { printf "%.2f M", a / 1e6 }') ($eddsa) |
| verify path flash (monocypher.c + monocypher-ed25519.c .text + .rodata, linked) | $(kb "$flash") ($flash B) |
| peak stack: crypto_ed25519_check alone | $(value "$r" stack_verify) B |
| SHA-256, instructions/byte (over 64 KB, init + update + final) | $(awk -v a="$sha" -v b="$(value "$r" sha256_bytes)" 'BEGIN { printf "%.1f", a / b }') |
TABLE
