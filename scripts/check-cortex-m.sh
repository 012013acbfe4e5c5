#!/usr/bin/env bash
# Cross-compiles the device runtime with a patched generated model for Cortex-M4
# (-Os -fno-exceptions -fno-rtti, newlib-nano, no syscalls) and fails if malloc, operator new or
# any exception runtime is linked (bench/cortex_m/main.cpp links the update path, the slot store and the HTTP client). Prints the runtime's flash and RAM footprint.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
work=$(mktemp -d /tmp/eiota-m4.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
build="${EIOTA_BUILD_DIR:-build}"
"$build"/tests/gen/eiota-fixture-gen --synthetic fc-int8 --era 2025 --layout arduino --name demo --out "$work/exp" >/dev/null
"$build"/eiota patch "$work/exp" -o "$work/lib" --key "$work/k.key" >/dev/null
root="$work/lib/src"

flags="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os -fno-exceptions -fno-rtti -std=c++11
       -ffunction-sections -fdata-sections -I$root"
objs=""
for src in $(find "$root" -name '*.cpp') "$here/bench/cortex_m/main.cpp"; do
  obj="$work/$(basename "$src" .cpp).o"
  case "$src" in
    */tflite-model/eiota_*) arm-none-eabi-g++ $flags -Wall -Wextra -Werror -c "$src" -o "$obj" ;;  # ours: no warnings
    *) arm-none-eabi-g++ $flags -w -c "$src" -o "$obj" ;;
  esac
  objs="$objs $obj"
done
link() {
  arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 --specs=nano.specs --specs=nosys.specs \
    -Wl,--gc-sections -Wl,-Map="$work/fw.map" "$@" -o "$work/fw.elf"
}
forbidden_in() {
  arm-none-eabi-nm -C "$1" | grep -E ' (malloc|_malloc_r|calloc|realloc|free|_free_r|operator new|operator delete|__cxa_[a-z_]*|_Unwind_[A-Za-z_]*|__gxx_personality_v0)(\(|$)' || true
}

# The detector must see a heap when there is one.
printf '#include <stdlib.h>\nextern "C" void* eiota_probe(size_t n) { return malloc(n); }\nint main() { return eiota_probe(4) != 0; }\n' > "$work/probe.cpp"
arm-none-eabi-g++ $flags -c "$work/probe.cpp" -o "$work/probe.o"
link "$work/probe.o"
[ -n "$(forbidden_in "$work/fw.elf")" ] || { echo "check-cortex-m: FAIL: the detector missed malloc" >&2; exit 1; }

link $objs
forbidden=$(forbidden_in "$work/fw.elf")
if [ -n "$forbidden" ]; then
  echo "check-cortex-m: FAIL: heap or exception support linked:" >&2
  echo "$forbidden" >&2
  exit 1
fi

echo "check-cortex-m: ok: no malloc, operator new or exception runtime in the Cortex-M4 image"
echo "device runtime footprint (arm-none-eabi-g++ -Os, Cortex-M4F):"
arm-none-eabi-size -t $(ls "$work"/eiota_*.o | grep -v model_config) | awk 'NR==1 || /eiota|TOTALS/ { printf "  %s\n", $0 }' | sed "s#$work/##"
ctx=$(arm-none-eabi-nm -S -C "$work/fw.elf" | awk '/g_update/ { print $2 }')
echo "  eiota_update context (static RAM): $((16#$ctx)) bytes"
store=$(arm-none-eabi-nm -S -C "$work/fw.elf" | awk '/g_store$/ { print $2 }')
echo "  eiota_store (static RAM): $((16#$store)) bytes"
client=$(arm-none-eabi-nm -S -C "$work/fw.elf" | awk '/g_client$/ { print $2 }')
echo "  eiota_client context (static RAM): $((16#$client)) bytes"
