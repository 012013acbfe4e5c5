#!/usr/bin/env bash
# build-sim.sh EXPORT_DIR OUT_BINARY [SKETCH.ino]
# Builds the host simulator (sim/sim_main.cpp) against an unpacked export, patched or not, with
# the SDK inside it; with a sketch, builds that sketch instead, on a small host Arduino shim
# (sim/arduino). Object files are cached next to OUT_BINARY, so a rebuild takes seconds.
set -euo pipefail
export_dir=$(cd "$1" && pwd)
out=$(realpath -m "$2")
sketch=${3:+$(realpath "$3")}
here=$(cd "$(dirname "$0")/.." && pwd)

root=$(find "$export_dir" -type d -name model-parameters -printf '%h\n' | awk '{ print length, $0 }' | sort -n | head -1 | cut -d' ' -f2-)
[ -n "$root" ] || { echo "build-sim: no model-parameters/ in $export_dir" >&2; exit 2; }
sdk="$root/edge-impulse-sdk"

defs="-DTF_LITE_DISABLE_X86_NEON=1 -DEIDSP_USE_CMSIS_DSP=0 -DEI_CLASSIFIER_TFLITE_ENABLE_CMSIS_NN=0 -DEI_PORTING_POSIX=1 -DEIDSP_QUANTIZE_FILTERBANK=0 -DNDEBUG"
srcs=$(find "$root/tflite-model" -maxdepth 1 -name '*.cpp'; \
       find "$sdk" \( -path "$sdk/CMSIS" -o -path "$sdk/porting" -o -path "$sdk/third_party" \) -prune -o \
            \( -name '*.c' -o -name '*.cc' -o -name '*.cpp' \) -print)
own_porting=$(find "$sdk/porting" -maxdepth 1 \( -name '*.c' -o -name '*.cc' -o -name '*.cpp' \) 2>/dev/null || true)
if [ -n "$own_porting" ]; then
  srcs="$srcs $own_porting"
elif [ -d "$sdk/porting/posix" ]; then
  srcs="$srcs $(find "$sdk/porting/posix" \( -name '*.c' -o -name '*.cc' -o -name '*.cpp' \))"
else
  srcs="$srcs $here/sim/sim_porting.cpp"
fi
if [ -f "$root/eiota/eiota_update.h" ]; then
  srcs="$srcs $(find "$root/eiota" -name '*.cpp')"
  defs="$defs -DEIOTA_SIM_PATCHED=1"
fi
incs=""
if [ -n "$sketch" ]; then
  cp "$sketch" "$(dirname "$out")/$(basename "$sketch" .ino).ino.cpp"
  srcs="$srcs $(dirname "$out")/$(basename "$sketch" .ino).ino.cpp $here/sim/arduino/arduino_main.cpp"
  defs="$defs -DEIOTA_HOST_ARDUINO_SHIM=\\\"Arduino.h\\\""
  incs="-I$here/sim/arduino -include Arduino.h"
else
  srcs="$srcs $here/sim/sim_main.cpp"
fi

objdir="$out.objs"
mkdir -p "$objdir"
mk="$objdir/Makefile"
{
  echo "CXXFLAGS := -std=c++14 -O2 -w $defs $incs -I$root -I$sdk -I$sdk/third_party/flatbuffers/include -I$sdk/third_party/gemmlowp -I$sdk/third_party/ruy"
  echo "CFLAGS := -std=c11 -O2 -w $defs -I$root -I$sdk"
  objs=""
  for s in $srcs; do
    o="$objdir/$(echo "$s" | md5sum | cut -c1-12)_$(basename "$s").o"
    objs="$objs $o"
    case "$s" in
      *.c) echo "$o: $s"; printf '\t@$(CC) $(CFLAGS) -MMD -c $< -o $@\n' ;;
      *) echo "$o: $s"; printf '\t@$(CXX) $(CXXFLAGS) -MMD -c $< -o $@\n' ;;
    esac
  done
  echo "$out: $objs"
  printf '\t@$(CXX) -o $@ $^ -lm\n'
  echo "-include $objdir/*.d"
} > "$mk"
n=$(echo $srcs | wc -w)
echo "build-sim: $n sources from $root -> $out" >&2
make -s -f "$mk" -j"$(nproc)" "$out"
