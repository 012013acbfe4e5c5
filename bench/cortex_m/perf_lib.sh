# Shared by perf.sh and reference.sh (sourced): the M4 flags of the figures, building a
# firmware with the startup and semihosting of tests/cortex_m, running it under the icount plugin,
# and summing what objects occupy in a linked image (from the linker's map).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cm=$repo/tests/cortex_m
cpu_m4="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
launcher=""
if command -v ccache >/dev/null; then
  launcher=ccache
  export CCACHE_DIR=${CCACHE_DIR:-/work/.ccache} CCACHE_BASEDIR=${CCACHE_BASEDIR:-/work} CCACHE_NOHASHDIR=1
fi
for t in qemu-system-arm arm-none-eabi-gcc arm-none-eabi-g++ gcc; do
  command -v $t >/dev/null || { echo "perf: $t not found (scripts/deps.sh)" >&2; exit 1; }
done

plugin() {  # WORK -> path of libicount.so
  gcc -shared -fPIC -O2 -o "$1/libicount.so" "$repo/tools/qemu/icount.c" && echo "$1/libicount.so"
}

# build_fw CPU OUT FLAGS -- SOURCES...: compiles at -Os with sections, links with newlib-nano and
# --gc-sections against the an386 linker script, writes OUT.elf and OUT.map.
build_fw() {
  local cpu=$1 out=$2 flags="" objs="" src obj
  shift 2
  while [ "$1" != -- ]; do flags="$flags $1"; shift; done
  shift
  mkdir -p "$out.o"
  for src in "$@"; do
    obj="$out.o/$(echo "$src" | tr / _).o"
    case "$src" in
      *.c) $launcher arm-none-eabi-gcc $cpu -Os -ffunction-sections -fdata-sections -w $flags -c "$src" -o "$obj" ;;
      *) $launcher arm-none-eabi-g++ $cpu -Os -ffunction-sections -fdata-sections -w -std=c++11 -fno-exceptions \
           -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit $flags -c "$src" -o "$obj" ;;
    esac || { echo "perf: compiling $src failed" >&2; return 1; }
    objs="$objs $obj"
  done
  arm-none-eabi-g++ $cpu -nostartfiles --specs=nano.specs -Wl,--gc-sections -Wl,-Map="$out.map" \
    -L"$cm" -T "$cm/mps2-an386.ld" $objs -o "$out.elf"
}

# run_fw ELF WORKDIR PLUGIN: runs under the plugin with a mark at perf_mark; writes WORKDIR/out.txt
# (the firmware's lines) and WORKDIR/marks (the span of each pair of marks after the first, minus
# the first pair: the marks' own cost).
run_fw() {
  local elf=$1 dir=$2 so=$3 addr
  addr=$(arm-none-eabi-nm "$elf" | awk '$3 == "perf_mark" { print $1 }')
  [ -n "$addr" ] || { echo "perf: no perf_mark in $elf" >&2; return 1; }
  (cd "$dir" && timeout 600 qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
     -semihosting-config enable=on,target=native -kernel "$elf" -plugin "$so,mark=0x$addr" -d plugin \
     -D "$dir/icount.log") > "$dir/out.txt" 2>&1 || { cat "$dir/out.txt" >&2; echo "perf: $elf failed" >&2; return 1; }
  grep -q '^PASSED$' "$dir/out.txt" || { cat "$dir/out.txt" >&2; return 1; }
  awk '/^mark / { m[n++] = $3 } END { c = m[1] - m[0]; for (i = 2; i + 1 < n; i += 2) print m[i + 1] - m[i] - c }' \
    "$dir/icount.log" > "$dir/marks"
}
span() { sed -n "$2p" "$1/marks"; }      # DIR N (1-based)
value() { awk -v k="$2" '$1 == k { print $2 }' "$1/out.txt"; }  # DIR NAME

# obj_bytes MAP KINDS REGEX: bytes of the input sections whose name starts with one of KINDS
# (".text .rodata") from objects whose path matches REGEX, as linked (discarded ones excluded).
obj_bytes() {
  awk -v kinds="$2" -v re="$3" '
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    function hex(s,   v, i, c) {
      v = 0
      for (i = 3; i <= length(s); i++) { c = index("0123456789abcdef", tolower(substr(s, i, 1))) - 1; v = v * 16 + c }
      return v
    }
    function take(name, size, file,   i, n, ks) {
      n = split(kinds, ks, " ")
      for (i = 1; i <= n; i++) if (index(name, ks[i]) == 1 && file ~ re) { total += hex(size); return }
    }
    /^ \.[a-zA-Z]/ {
      if (NF >= 4 && $2 ~ /^0x/) take($1, $3, $4)
      else if (NF == 1) { pending = $1 }
      next
    }
    pending != "" && $1 ~ /^0x/ && NF >= 3 { take(pending, $2, $3); pending = ""; next }
    { pending = "" }
    END { print total + 0 }' "$1"
}
kb() { awk -v b="$1" 'BEGIN { printf "%.2f KB", b / 1000 }'; }  # KB = 1000 B, as the issue counts

# fixed_key FILE: writes FILE (and its public key's bytes to k.pk beside it), a signing key from a fixed seed (bytes 0..31), so that the signatures, and with
# them the verify figures (they depend on the scalars' bits), are the same on every run.
fixed_key() {
  local dir
  dir=$(dirname "$1")
  cat > "$dir/fixed_key.c" <<'C'
#include <sodium.h>
#include <stdio.h>
int main(int argc, char** argv) {
  unsigned char seed[32], pk[32], sk[64];
  FILE* f;
  for (int i = 0; i < 32; i++) seed[i] = (unsigned char)i;
  if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, seed) != 0) return 1;
  printf("eiota-ed25519-secret-key ");
  for (int i = 0; i < 64; i++) printf("%02x", sk[i]);
  printf("\n");
  f = argc > 1 ? fopen(argv[1], "wb") : NULL;  /* the public key's 32 bytes, for reference.sh */
  return f && fwrite(pk, 1, 32, f) == 32 && fclose(f) == 0 ? 0 : 1;
}
C
  gcc -O1 -o "$dir/fixed_key" "$dir/fixed_key.c" -lsodium && "$dir/fixed_key" "$dir/k.pk" > "$1"
}

# payloads WORK BUILD: fc-int8-large exported, retrained twice (--perturb 7, 8), patched (RAM mode)
# with the fixed key, packed as WORK/new.eiota (sequence 1) and WORK/newer.eiota (sequence 2);
# WORK/k.pk holds the public key's 32 bytes.
payloads() {
  local work=$1 build=$2
  local g="$build/tests/gen/eiota-fixture-gen --synthetic fc-int8-large --era 2025 --layout cpp --name demo"
  $g --out "$work/old" >/dev/null
  $g --perturb 7 --out "$work/new" >/dev/null
  $g --perturb 8 --out "$work/newer" >/dev/null
  fixed_key "$work/k.key"
  "$build/eiota" patch "$work/old" -o "$work/lib" --key "$work/k.key" --storage ram >/dev/null
  "$build/eiota" pack --base "$work/lib" "$work/new" -o "$work/new.eiota" --key "$work/k.key" --sequence 1 >/dev/null
  "$build/eiota" pack --base "$work/lib" "$work/newer" -o "$work/newer.eiota" --key "$work/k.key" --sequence 2 >/dev/null
  # The same model patched with the decoder, and newer's values compressed (format 1.3).
  "$build/eiota" patch "$work/old" -o "$work/lib-z" --key "$work/k.key" --storage ram --inflate >/dev/null
  "$build/eiota" pack --base "$work/lib-z" "$work/newer" -o "$work/newer-z.eiota" --key "$work/k.key" --sequence 3 \
    --compress always >/dev/null
}
