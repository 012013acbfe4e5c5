#!/usr/bin/env bash
# firmware.sh EXPORT [--storage ram|flash|ram+store]... [--keep]
#
# Links a whole Cortex-M4F firmware around a real Edge Impulse export (SDK, CMSIS-NN, CMSIS-DSP,
# model; bench/cortex_m/fw_main.cpp runs the classifier once) and prints arm-none-eabi-size of the
# linked image: the unpatched export first, then the export patched in each storage mode asked for
# (default: ram and flash). flash attaches the slot store (fw_main.cpp, EIOTA_FW_STORE); ram does
# not (today's path); ram+store is --storage ram with the store attached (flash not mappable).
# flash = text + data, RAM = data + bss (static RAM; the heap the SDK's DSP takes at run time is
# the same in every build and not counted).
#
# Environment: EIOTA (the CLI, default build/eiota), EIOTA_FW_WORK (work folder, default
# /tmp/eiota-fw; objects are cached by ccache when it is installed), JOBS (parallel compiles, 2),
# EIOTA_FW_CMSIS_TABLES (CMSIS-DSP's arm_common_tables.c, for an export that lacks it: without it
# an export whose DSP needs CMSIS's FFT tables is built with EIDSP_USE_CMSIS_DSP=0, the SDK's
# own FFT, in every variant alike).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() { echo "usage: $0 EXPORT [--storage ram|flash|ram+store]... [--keep]" >&2; exit 2; }
[ $# -ge 1 ] || usage
export_arg=$1; shift
modes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --storage) [ $# -ge 2 ] || usage; case "$2" in ram|flash|ram+store) modes+=("$2") ;; *) usage ;; esac; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) usage ;;
  esac
done
[ ${#modes[@]} -gt 0 ] || modes=(ram flash)

eiota=${EIOTA:-$repo/build/eiota}
jobs=${JOBS:-2}
[ -d "$export_arg" ] || { echo "firmware: $export_arg: not a folder (unzip an export first)" >&2; exit 1; }
command -v arm-none-eabi-g++ >/dev/null || { echo "firmware: arm-none-eabi-g++ not found (apt install gcc-arm-none-eabi libnewlib-arm-none-eabi)" >&2; exit 1; }
name=$(basename "$(cd "$export_arg" && pwd)")
[ "$name" != src ] || name=$(basename "$(cd "$export_arg/.." && pwd)")
work=${EIOTA_FW_WORK:-/tmp/eiota-fw}/$name
mkdir -p "$work"

# The folder holding edge-impulse-sdk/ (an Arduino library keeps it under src/).
export_root() {
  local sdk
  sdk=$(find "$1" -maxdepth 3 -type d -name edge-impulse-sdk | sort | head -n 1)
  [ -n "$sdk" ] || { echo "firmware: $1: no edge-impulse-sdk folder" >&2; exit 1; }
  dirname "$sdk"
}

cpu="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
# The SDK's own defaults for an M-profile arm-gcc turn on CMSIS-NN and CMSIS-DSP; nothing overrides them.
common="$cpu -Os -ffunction-sections -fdata-sections -w -DNDEBUG -I. -Iedge-impulse-sdk
        -Iedge-impulse-sdk/third_party/flatbuffers/include -Iedge-impulse-sdk/third_party/gemmlowp
        -Iedge-impulse-sdk/third_party/ruy -Iedge-impulse-sdk/CMSIS/Core/Include
        -Iedge-impulse-sdk/CMSIS/DSP/Include -Iedge-impulse-sdk/CMSIS/DSP/PrivateInclude
        -Iedge-impulse-sdk/CMSIS/NN/Include"
cxxflags="-std=gnu++14 -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit"
cflags="-std=gnu11"
launcher=""
if command -v ccache >/dev/null; then
  launcher=ccache
  export CCACHE_DIR=${CCACHE_DIR:-/work/.ccache} CCACHE_NOHASHDIR=1
fi

# The sources the SDK's own Zephyr CMakeLists builds: every C++ source, CMSIS-NN, the CMSIS-DSP
# groups the DSP blocks use, TFLite's common.c; not porting/ (fw_port.cpp stands in for it).
sources() {
  local sdk=edge-impulse-sdk d
  find tflite-model -maxdepth 1 \( -name '*.cpp' -o -name '*.cc' -o -name '*.c' \)
  find "$sdk" \( -path "$sdk/porting" -o -path "$sdk/CMSIS" \) -prune -o \( -name '*.cpp' -o -name '*.cc' \) -print
  [ -f "$sdk/tensorflow/lite/c/common.c" ] && echo "$sdk/tensorflow/lite/c/common.c"
  for d in TransformFunctions CommonTables BasicMathFunctions ComplexMathFunctions FastMathFunctions \
           SupportFunctions MatrixFunctions StatisticsFunctions; do
    [ -d "$sdk/CMSIS/DSP/Source/$d" ] && find "$sdk/CMSIS/DSP/Source/$d" -name '*.c'
  done
  [ -d "$sdk/CMSIS/NN/Source" ] && find "$sdk/CMSIS/NN/Source" -name '*.c'
  [ -d eiota ] && find eiota -maxdepth 1 -name '*.cpp'
  echo eiota-fw/fw_port.cpp
  echo eiota-fw/fw_main.cpp
}

compile_one() {  # run inside the variant's root: SRC OBJ
  case "$1" in
    *.c) $launcher arm-none-eabi-gcc $common $cflags $defs -c "$1" -o "$2" ;;
    *) $launcher arm-none-eabi-g++ $common $cxxflags $defs -c "$1" -o "$2" ;;
  esac || { echo "firmware: compiling $1 failed" >&2; return 255; }
}
export -f compile_one
export common cxxflags cflags launcher

# build VARIANT ROOT DEFINES: compiles and links ROOT into $work/VARIANT.elf.
build() {
  local variant=$1 root=$2
  local objs="$work/$variant.objs"
  mkdir -p "$objs" "$root/eiota-fw"
  cp "$here/fw_main.cpp" "$here/fw_port.cpp" "$root/eiota-fw/"
  local tables="$root/edge-impulse-sdk/CMSIS/DSP/Source/CommonTables/arm_common_tables.c"
  if [ -n "${EIOTA_FW_CMSIS_TABLES:-}" ] && [ ! -f "$tables" ]; then cp "$EIOTA_FW_CMSIS_TABLES" "$tables"; fi
  export defs="$3 $dsp_defs -Wa,-I."
  (cd "$root" && sources | sort -u | awk -v o="$objs" '{ f = $0; gsub("/", "__", f); print $0, o "/" f ".o" }' > "$objs/list")
  echo "firmware: $name/$variant: compiling $(wc -l < "$objs/list") sources" >&2
  (cd "$root" && xargs -P "$jobs" -n 2 bash -c 'compile_one "$0" "$1"' < "$objs/list")
  arm-none-eabi-g++ $cpu --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -Wl,-Map="$work/$variant.map" \
    $(awk '{ print $2 }' "$objs/list") -lm -o "$work/$variant.elf" 2> "$work/$variant.link.err" || {
    if [ -z "$dsp_defs" ] && grep -q 'undefined reference to `\(twiddleCoef\|armBitRevIndexTable\|sqrt_initR\|realCoef\)' "$work/$variant.link.err"; then
      notes+=("CMSIS-DSP's arm_common_tables.c is missing from the export: built with EIDSP_USE_CMSIS_DSP=0 (set EIOTA_FW_CMSIS_TABLES)")
      dsp_defs="-DEIDSP_USE_CMSIS_DSP=0"
      build "$@"
      return
    fi
    cat "$work/$variant.link.err" >&2
    echo "firmware: linking $name/$variant failed" >&2
    exit 1
  }
}

report() {  # VARIANT
  local elf="$work/$1.elf" t d b
  read -r t d b _ < <(arm-none-eabi-size "$elf" | awk 'NR == 2')
  printf '%-10s text %8d  data %6d  bss %8d  | flash %8d  RAM %8d' "$1" "$t" "$d" "$b" $((t + d)) $((d + b))
  if [ -n "${base_flash:-}" ]; then
    printf '  (flash %+d, RAM %+d)' $((t + d - base_flash)) $((d + b - base_ram))
  else
    base_flash=$((t + d)) base_ram=$((d + b))
  fi
  printf '\n'
}

symbol_size() {  # ELF NAME: bytes of a data object, 0 if absent
  local s
  s=$(arm-none-eabi-nm -S -C "$1" | awk -v n="$2" '$NF == n || $NF ~ "::" n "$" { print $2; exit }')
  echo $((16#${s:-0}))
}

dsp_defs=""
notes=()
plain=$(export_root "$export_arg")
rm -rf "$work/unpatched.src"
mkdir -p "$work/unpatched.src"
cp -r "$plain/edge-impulse-sdk" "$plain/model-parameters" "$plain/tflite-model" "$work/unpatched.src/"
build unpatched "$work/unpatched.src" "-DEIOTA_FW_PATCHED=0"

has_storage_flag=0
"$eiota" patch --help 2>&1 | grep -q -- '--storage' && has_storage_flag=1
built=(unpatched)
for mode in "${modes[@]}"; do
  if [ "$mode" != ram ] && [ $has_storage_flag = 0 ]; then
    notes+=("$mode: skipped: $eiota patch has no --storage flag yet")
    continue
  fi
  out="$work/patched-$mode"
  rm -rf "$out"
  flag=()
  [ $has_storage_flag = 1 ] && flag=(--storage "${mode%+store}")
  "$eiota" patch "$export_arg" -o "$out" --key "$work/k.key" --no-check "${flag[@]}" >/dev/null
  root=$(export_root "$out")
  defs="-DEIOTA_FW_PATCHED=1"
  if [ "$mode" != ram ]; then
    if [ -n "$(find "$root" -name eiota_store.cpp | head -n 1)" ]; then
      defs="$defs -DEIOTA_FW_STORE=1"
    else
      notes+=("$mode: the slot store is not linked (no eiota_store.cpp in the patched library)")
    fi
  fi
  build "$mode" "$root" "$defs"
  built+=("$mode")
done

echo "$name (arm-none-eabi-g++ $(arm-none-eabi-g++ -dumpversion), Cortex-M4F, -Os, --gc-sections, newlib-nano):"
base_flash="" base_ram=""
for v in "${built[@]}"; do report "$v"; done
for v in "${built[@]}"; do
  [ "$v" = unpatched ] && continue
  echo "  $v: eiota_update context $(symbol_size "$work/$v.elf" g_update) B, store $(symbol_size "$work/$v.elf" g_store) B"
done
for n in "${notes[@]+"${notes[@]}"}"; do echo "  $n"; done
[ -n "${KEEP:-}" ] || rm -rf "$work"/*.objs/list
