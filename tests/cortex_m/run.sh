#!/usr/bin/env bash
# run.sh [BOARD...]: the device update tests on emulated Cortex-M boards (default: all five).
# For each board: builds two heap-free firmwares (tests/cortex_m: own startup, linker script,
# semihosting) around a model patched by `eiota patch` from a generated fixture, one in RAM mode
# (--storage ram) and one in flash mode (--storage flash, the slot store over an emulated NOR
# flash), packs payloads on the host, runs both under qemu-system-arm with a timeout and fails
# if any test, firmware or board fails. Fails (does not skip) without qemu-system-arm or
# arm-none-eabi-gcc.
#
# Environment: EIOTA_BUILD_DIR (build/: the CLI, the generator, and the work folder cortex_m/),
# QEMU_TIMEOUT (seconds per firmware, 240), EIOTA_CM_KEEP (keep the folders).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$(cd "${EIOTA_BUILD_DIR:-$repo/build}" && pwd)
eiota=$build/eiota
gen=$build/tests/gen/eiota-fixture-gen
boards=("$@")
[ ${#boards[@]} -gt 0 ] || boards=(microbit mps2-an385 mps2-an386 mps2-an500 mps2-an505)

missing=""
for t in qemu-system-arm arm-none-eabi-gcc arm-none-eabi-g++ arm-none-eabi-nm; do
  command -v $t >/dev/null || missing="$missing $t"
done
if [ -n "$missing" ]; then
  echo "cortex_m: FAIL: missing$missing (scripts/deps.sh installs qemu-system-arm and gcc-arm-none-eabi)" >&2
  exit 1
fi
[ -x "$eiota" ] && [ -x "$gen" ] || { echo "cortex_m: FAIL: build $eiota and $gen first" >&2; exit 1; }
launcher=""
if command -v ccache >/dev/null; then
  launcher=ccache
  export CCACHE_DIR=${CCACHE_DIR:-/work/.ccache} CCACHE_BASEDIR=${CCACHE_BASEDIR:-/work} CCACHE_NOHASHDIR=1
fi

# Per board: the model, the CPU flags, the flash-mode NOR geometry and where its bytes are.
# The model (BOARD MODE): on the mps2 boards fc-int8-large (a 310 KB payload). The micro:bit's
# 16 KB of RAM hold fc-int8's working copies (RAM mode); in flash mode the values stay in flash,
# so there it takes the real keyword spotter ei-kws-v1.tflite from ../shared/fixtures when present
# (a 15 KB payload), else fc-int8.
fixtures_dir=${EIOTA_SHARED_FIXTURES:-$repo/../shared/fixtures}
board_model() {
  case "$1/$2" in
    microbit/flash) if [ -f "$fixtures_dir/tflite/ei-kws-v1.tflite" ]; then echo kws; else echo fc-int8; fi ;;
    microbit/*) echo fc-int8 ;;
    *) echo fc-int8-large ;;
  esac
}
model_flag() {  # MODEL -> the generator's flags
  case "$1" in
    kws) echo "--tflite $fixtures_dir/tflite/ei-kws-v1.tflite" ;;
    *) echo "--synthetic $1" ;;
  esac
}
board_cpu() {
  case "$1" in
    microbit) echo "-mcpu=cortex-m0 -mthumb -mfloat-abi=soft" ;;
    mps2-an385) echo "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft" ;;
    mps2-an386) echo "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" ;;
    mps2-an500) echo "-mcpu=cortex-m7 -mthumb -mfloat-abi=soft" ;;
    mps2-an505) echo "-mcpu=cortex-m33 -mthumb -mfloat-abi=soft" ;;
    *) echo "cortex_m: unknown board $1" >&2; exit 2 ;;
  esac
}
# The micro:bit's NOR is its own flash (nRF51 NVMC, 1 KB pages) from 128 KB on; the mps2 boards'
# is a RAM array (4 KB blocks, 16-byte progs: NOR rules are enforced by nor.cpp).
board_nor() {
  case "$1" in
    microbit) echo "-DEIOTA_CM_NVMC=1 -DEIOTA_CM_NOR_BASE=0x20000 -DEIOTA_CM_ERASE=1024 -DEIOTA_CM_PROG=4 -DEIOTA_CM_CUT_POINTS=40" ;;
    *) echo "-DEIOTA_CM_ERASE=4096 -DEIOTA_CM_PROG=16 -DEIOTA_CM_CUT_POINTS=24" ;;
  esac
}

flip_byte() {  # FILE OFFSET: xors one byte with 0x01
  local v
  v=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf %03o $((v ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# Exports, patched libraries (RAM and flash mode) and payloads for one model, made once (locked:
# ctest runs the boards in parallel).
fixtures() {  # MODEL -> prints the folder
  local model=$1 dir=$build/cortex_m/fixtures-$1
  mkdir -p "$build/cortex_m"
  (
    flock 9
    if [ ! -f "$dir/done" ] || [ "$dir/done" -ot "$eiota" ] || [ "$dir/done" -ot "$gen" ]; then
      rm -rf "$dir" && mkdir -p "$dir" || exit 1
      local g="$gen $(model_flag "$model") --era 2025 --layout cpp --name demo"
      $g --out "$dir/old" >/dev/null || exit 1
      $g --perturb 7 --out "$dir/new" >/dev/null || exit 1
      $g --perturb 8 --out "$dir/newer" >/dev/null || exit 1
      "$eiota" patch "$dir/old" -o "$dir/lib-ram" --key "$dir/k.key" --storage ram --inflate >/dev/null || exit 1
      "$eiota" patch "$dir/old" -o "$dir/lib-flash" --key "$dir/k.key" --storage flash --inflate >/dev/null || exit 1
      pk() { "$eiota" pack --base "$dir/lib-ram" --key "$dir/k.key" "$@" >/dev/null; }  # NEW -o OUT --sequence N ...
      pk "$dir/new" -o "$dir/new.eiota" --sequence 1 --compress never || exit 1
      pk "$dir/newer" -o "$dir/newer.eiota" --sequence 2 --compress never || exit 1
      pk "$dir/newer" -o "$dir/bad-z.eiota" --sequence 5 --compress always || exit 1
      flip_byte "$dir/bad-z.eiota" $(($(stat -c %s "$dir/bad-z.eiota") / 2)) || exit 1
      pk "$dir/newer" -o "$dir/newer-z.eiota" --sequence 6 --compress always || exit 1
      cp "$dir/new.eiota" "$dir/bad-data.eiota" || exit 1
      flip_byte "$dir/bad-data.eiota" $(($(stat -c %s "$dir/new.eiota") - 1)) || exit 1
      cp "$dir/new.eiota" "$dir/bad-sig.eiota" || exit 1
      flip_byte "$dir/bad-sig.eiota" $(($(od -An -tu2 -j6 -N2 "$dir/new.eiota") + 5)) || exit 1  # in the signature
      pk "$dir/new" -o "$dir/bad-next.eiota" --sequence 3 --compress never || exit 1
      flip_byte "$dir/bad-next.eiota" $(($(stat -c %s "$dir/bad-next.eiota") - 1)) || exit 1
      $g --perturb 9 --tune-last 1 --out "$dir/tuned" >/dev/null || exit 1  # fine-tuning: only the last layer changes
      pk "$dir/tuned" -o "$dir/delta.eiota" --sequence 4 --delta-from factory --compress never || exit 1
      touch "$dir/done"
    fi
  ) 9> "$build/cortex_m/fixtures-$model.lock" || { echo "cortex_m: making the $model fixtures failed" >&2; return 1; }
  echo "$dir"
}

# The device runtime the patched library carries (what the update path links) and the model files.
runtime_sources() {  # LIB
  local f
  for f in model update update_inflate inflate store journal flash sha256 sha512 ed25519 selftest model_config; do
    echo "$1/tflite-model/eiota_$f.cpp"
  done
  ls "$1"/tflite-model/*_compiled.cpp
  [ -f "$1/tflite-model/eiota_macros.cpp" ] && echo "$1/tflite-model/eiota_macros.cpp"
  return 0
}

compile() {  # SRC OBJ FLAGS...
  local src=$1 obj=$2
  shift 2
  case "$src" in
    *.c) $launcher arm-none-eabi-gcc "$@" -std=c99 -c "$src" -o "$obj" ;;
    *) $launcher arm-none-eabi-g++ "$@" -std=c++11 -fno-exceptions -fno-rtti -fno-threadsafe-statics \
         -fno-use-cxa-atexit -c "$src" -o "$obj" ;;
  esac
}

firmware() {  # BOARD MODE(ram|flash) FIXTURES OUT -> builds OUT.elf
  local board=$1 mode=$2 fx=$3 out=$4 lib=$3/lib-$2
  local cpu defs flags objs="" src obj slot
  cpu=$(board_cpu "$board")
  defs="-DEIOTA_CM_FLASH_MODE=$([ "$mode" = flash ] && echo 1 || echo 0)"
  if [ "$mode" = flash ]; then
    slot=$(grep -o '"slot_size": *[0-9]*' "$lib/eiota-manifest.json" | grep -o '[0-9]*$')
    defs="$defs $(board_nor "$board") -DEIOTA_CM_SLOT=$(( (slot + 4095) / 4096 * 4096 ))"
  fi
  flags="$cpu -Os -g -ffunction-sections -fdata-sections -Wall -I$here -I$lib -I$lib/tflite-model $defs"
  mkdir -p "$out.o"
  for src in "$here"/{startup.c,semihost.c,nor.cpp,fw_tests.cpp,model_tables.cpp} $(runtime_sources "$lib"); do
    obj="$out.o/$(basename "$src").o"
    case "$src" in
      *_compiled.cpp | */model_tables.cpp) compile "$src" "$obj" $flags -w ;;  # generated, SDK headers
      *) compile "$src" "$obj" $flags -Werror ;;
    esac || return 1
    objs="$objs $obj"
  done
  arm-none-eabi-g++ $cpu -nostartfiles --specs=nano.specs -Wl,--gc-sections -Wl,-Map="$out.map" \
    -L"$here" -T "$here/$board.ld" $objs -o "$out.elf" || return 1
  local bad
  bad=$(arm-none-eabi-nm -C "$out.elf" | grep -E ' (malloc|_malloc_r|calloc|realloc|free|_free_r|_sbrk|printf|puts|operator new|operator delete|__cxa_[a-z_]*|_Unwind_[A-Za-z_]*)(\(|$)' || true)
  [ -z "$bad" ] || { echo "cortex_m: $board/$mode: heap, stdio or exception support linked:" >&2; echo "$bad" >&2; return 1; }
}

run_board() {  # BOARD
  local board=$1 fx work status=0 mode log t0 t1
  work=$build/cortex_m/$board
  rm -rf "$work"
  for mode in ram flash; do
    fx=$(fixtures "$(board_model "$board" "$mode")") || { echo "FAIL $board/$mode: fixtures"; status=1; continue; }
    mkdir -p "$work/$mode.run"
    cp "$fx"/*.eiota "$work/$mode.run/"
    firmware "$board" "$mode" "$fx" "$work/$mode" || { echo "FAIL $board/$mode: build"; status=1; continue; }
    log=$work/$mode.log
    t0=$(date +%s)
    (cd "$work/$mode.run" && timeout "${QEMU_TIMEOUT:-240}" qemu-system-arm -M "$board" -nographic -monitor none -serial none \
       -semihosting-config enable=on,target=native -kernel "$work/$mode.elf") > "$log" 2>&1 && rc=0 || rc=$?
    t1=$(date +%s)
    sed "s#^#$board/$mode: #" "$log"
    if [ $rc -ne 0 ] || grep -q '^FAIL' "$log" || ! grep -q '^PASSED$' "$log"; then
      echo "FAIL $board/$mode (qemu exit $rc$([ $rc = 124 ] && echo ': timeout'), $((t1 - t0)) s)"
      status=1
    else
      echo "ok $board/$mode ($((t1 - t0)) s)"
    fi
  done
  [ -n "${EIOTA_CM_KEEP:-}" ] || rm -rf "$work"/*.o
  return $status
}

failed=0
for b in "${boards[@]}"; do run_board "$b" || failed=1; done
[ $failed = 0 ] && echo "cortex_m: all passed: ${boards[*]}" || echo "cortex_m: FAILED" >&2
exit $failed
