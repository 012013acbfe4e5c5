#!/usr/bin/env bash
# perf.sh: the Cortex-M figures of docs/PERFORMANCE.md, measured on an emulated Cortex-M4
# (qemu-system-arm -M mps2-an386) at -Os (arm-none-eabi-gcc, newlib-nano, --gc-sections,
# -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16), counting executed instructions
# with tools/qemu/icount.c (QEMU counts no cycles). Prints a markdown table to paste.
#
# Builds bench/cortex_m/perf_fw.cpp with the device runtime a patched fc-int8-large fixture
# carries (RAM mode), payloads packed by `eiota pack` (about 300 KB), then sizes of the same image
# for Cortex-M0+, M7 and M33. Environment: EIOTA_BUILD_DIR (build/), EIOTA_PERF_WORK (/tmp/eiota-perf).
set -euo pipefail
source "$(dirname "$0")/perf_lib.sh"
build=$(cd "${EIOTA_BUILD_DIR:-$repo/build}" && pwd)
work=${EIOTA_PERF_WORK:-/tmp/eiota-perf}
rm -rf "$work" && mkdir -p "$work"
so=$(plugin "$work")

payloads "$work" "$build"
lib=$work/lib
max=$(( $(stat -c %s "$work/new.eiota") + 4096 ))

sources=("$cm/startup.c" "$cm/semihost.c" "$cm/model_tables.cpp" "$here/perf_fw.cpp")
for f in model update store journal flash sha256 sha512 ed25519 selftest model_config; do sources+=("$lib/tflite-model/eiota_$f.cpp"); done
sources+=("$lib"/tflite-model/*_compiled.cpp)
flags="-I$cm -I$lib -I$lib/tflite-model -DPERF_MAX_PAYLOAD=$max"

build_fw "$cpu_m4" "$work/m4" $flags -- "${sources[@]}"
mkdir -p "$work/run"
cp "$work"/*.eiota "$work/run/"
run_fw "$work/m4.elf" "$work/run" "$so"
r=$work/run

verify=$(span "$r" 1); verify_stream=$(span "$r" 2); sha=$(span "$r" 3); push=$(span "$r" 4); apply=$(span "$r" 5)
sha_b=$(value "$r" sha256_bytes); apply_b=$(value "$r" apply_bytes)
per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
mega() { awk -v a="$1" 'BEGIN { printf "%.2f M", a / 1e6 }'; }

# Sizes as linked: the verify path (Ed25519 + SHA-512) and the update core (the payload reader
# and its crypto: eiota_update, eiota_model, SHA-256, SHA-512, Ed25519; the slot store and the
# journal are counted apart).
vpath='eiota_(ed25519|sha512)\.cpp\.o$'
core='eiota_(update|model|sha256|sha512|ed25519)\.cpp\.o$'
store='eiota_(store|journal|flash|selftest)\.cpp\.o$'
sizes() {  # MAP -> "verify core store ram"
  echo "$(obj_bytes "$1" ".text .rodata" "$vpath") $(obj_bytes "$1" ".text .rodata" "$core") $(obj_bytes "$1" ".text .rodata" "$store") $(obj_bytes "$1" ".data .bss" "$core|$store")"
}
read -r v4 c4 s4 ram4 < <(sizes "$work/m4.map")

# With the decoder (`eiota patch --inflate`): a compressed payload applied, and what it adds.
libz=$work/lib-z
zsources=("$cm/startup.c" "$cm/semihost.c" "$cm/model_tables.cpp" "$here/perf_fw.cpp")
for f in model update update_inflate inflate store journal flash sha256 sha512 ed25519 selftest model_config; do zsources+=("$libz/tflite-model/eiota_$f.cpp"); done
zsources+=("$libz"/tflite-model/*_compiled.cpp)
build_fw "$cpu_m4" "$work/m4z" -I$cm -I$libz -I$libz/tflite-model -DPERF_MAX_PAYLOAD=$max -DPERF_INFLATE=1 -- "${zsources[@]}"
mkdir -p "$work/runz"
cp "$work"/*.eiota "$work/runz/"
run_fw "$work/m4z.elf" "$work/runz" "$so"
rz=$work/runz
inflate_apply=$(span "$rz" 6)
dec=$(obj_bytes "$work/m4z.map" ".text .rodata" 'eiota_(inflate|update_inflate)\.cpp\.o$')
cz=$(obj_bytes "$work/m4z.map" ".text .rodata" "$core")
declare -A cpus=([M0+]="-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft" [M7]="-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16" [M33]="-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16")

cat <<TABLE
Cortex-M4 (qemu-system-arm $(qemu-system-arm --version | awk 'NR == 1 { print $4 }') -M mps2-an386), arm-none-eabi-gcc $(arm-none-eabi-gcc -dumpversion) -Os, newlib-nano, --gc-sections; instructions executed (tools/qemu/icount.c), QEMU counts no cycles.

| figure | eiota |
|---|---|
| Ed25519 verify, instructions (streaming, as the update path runs it; $(value "$r" signed_bytes) signed bytes) | $(mega "$verify_stream") ($verify_stream) |
| Ed25519 verify, instructions (one-shot eiota_ed25519_verify) | $(mega "$verify") ($verify) |
| verify path flash (Ed25519 + SHA-512 .text + .rodata, linked) | $(kb "$v4") ($v4 B) |
| whole update core, linked, M4 (update, model, SHA-256, SHA-512, Ed25519) | $(kb "$c4") ($c4 B) |
| slot store linked besides (store, journal, flash, selftest) | $(kb "$s4") ($s4 B) |
| SHA-256, instructions/byte (over $((sha_b / 1024)) KB, init + update + final) | $(per "$sha" "$sha_b") |
| apply, instructions per payload byte (RAM mode, eiota_update_pull of $apply_b B from memory, verify included) | $(per "$apply" "$apply_b") |
| apply without its one verify (hash + copy), instructions per payload byte | $(per $((apply - verify_stream)) "$apply_b") |
| apply through the push API (one eiota_update_write of the whole payload), verify included / without | $(per "$push" "$apply_b") / $(per $((push - verify_stream)) "$apply_b") |
| peak stack: push API / pull API | $(value "$r" stack_push) / $(value "$r" stack_pull) B |
| peak stack: Ed25519 one-shot verify alone | $(value "$r" stack_verify) B |
| with the decoder (patch --inflate): decoder linked (eiota_inflate + eiota_update_inflate) / update core then | $dec B / $cz B |
| apply of a compressed payload (newer's values, $(value "$rz" z_bytes) B sent for $apply_b B plain), pull API, verify included: instructions per byte sent / per plain byte | $(per "$inflate_apply" "$(value "$rz" z_bytes)") / $(per "$inflate_apply" "$apply_b") |
| peak stack, pull API, compressed payload | $(value "$rz" stack_pull_z) B |
| static RAM: eiota_update context (the caller's) / model state (generated, one per model) / eiota_store (flash mode) / the runtime's own .data + .bss | $(value "$r" update_context) / $(value "$r" model_state) / $(value "$r" store_context) / $ram4 B |

| CPU | verify path (Ed25519 + SHA-512) | update core | slot store | runtime .data + .bss |
|---|---|---|---|---|
| Cortex-M4 | $v4 B | $c4 B | $s4 B | $ram4 B |
TABLE
for c in M0+ M7 M33; do
  build_fw "${cpus[$c]}" "$work/$c" $flags -- "${sources[@]}"
  read -r v cc s ram < <(sizes "$work/$c.map")
  echo "| Cortex-$c | $v B | $cc B | $s B | $ram B |"
done

echo
echo "| object (Cortex-M4, linked .text + .rodata) | bytes |"
echo "|---|---|"
for o in ed25519 sha512 sha256 update model store journal flash selftest; do
  echo "| eiota_$o.cpp | $(obj_bytes "$work/m4.map" ".text .rodata" "eiota_$o\\.cpp\\.o$") |"
done
