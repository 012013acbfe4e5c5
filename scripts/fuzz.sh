#!/usr/bin/env bash
# fuzz.sh [SECONDS]: builds the libFuzzer targets (tests/fuzz) with clang in their own build
# folder and runs each for SECONDS (default 60); fails on any crash, leak or sanitizer report,
# keeping the input that caused it. The upload target's manifest and seed payload are generated
# here (fixture generator, patch, pack) with the tools of the normal build ($EIOTA_BUILD_DIR,
# default build/), built first if missing.
# Environment: EIOTA_FUZZ_BUILD_DIR (default build-fuzz), EIOTA_FUZZ_OUT (kept crash inputs;
# default a temp folder).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
[[ "$secs" =~ ^[0-9]+$ ]] || { echo "fuzz: usage: fuzz.sh [SECONDS]" >&2; exit 2; }
build="${EIOTA_BUILD_DIR:-build}"
fbuild="${EIOTA_FUZZ_BUILD_DIR:-build-fuzz}"
command -v clang++ >/dev/null || { echo "fuzz: clang++ is not installed (scripts/deps.sh installs clang libclang-rt-14-dev)" >&2; exit 1; }
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
jobs="-j$(nproc)"

t0=$(date +%s)
if [ ! -x "$build/eiota" ] || [ ! -x "$build/tests/gen/eiota-fixture-gen" ]; then
  echo "== fuzz: building eiota and the fixture generator in $build"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
  cmake --build "$build" "$jobs" --target eiota eiota-fixture-gen >/dev/null
fi
echo "== fuzz: building the targets with clang in $fbuild"
cmake -S . -B "$fbuild" -DEIOTA_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
  "${launcher[@]}" >/dev/null
cmake --build "$fbuild" "$jobs" --target http_parser_fuzz upload_fuzz pointer_fuzz client_fuzz inflate_fuzz >/dev/null
echo "fuzz: built in $(( $(date +%s) - t0 )) s"

work=$(mktemp -d /tmp/eiota-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
out="${EIOTA_FUZZ_OUT:-$work/crashes}"
mkdir -p "$out"
eiota=$(cd "$build" && pwd)/eiota
gen=$(cd "$build" && pwd)/tests/gen/eiota-fixture-gen
(
  cd "$work"
  "$gen" --era 2025 --layout arduino --name demo --synthetic fc-int8 --out old >/dev/null
  "$gen" --era 2025 --layout arduino --name demo --synthetic fc-int8 --perturb 4 --out new >/dev/null
  "$eiota" patch old -o patched --key k.key --no-check >/dev/null
  "$eiota" pack --base patched new -o update.eiota --key k.key --sequence 7 >/dev/null
)
mkdir -p "$work/seed-upload" "$work/seed-http" "$work/corpus-upload" "$work/corpus-http" "$work/seed-pointer" \
  "$work/corpus-pointer" "$work/seed-client" "$work/corpus-client" "$work/seed-inflate" "$work/corpus-inflate"
cp "$work/update.eiota" "$work/seed-upload/payload"
printf 'demo' >"$work/seed-upload/name"
printf '../x' >"$work/seed-upload/dotdot"
printf '7-89abcdef01234567' >"$work/seed-upload/id"
printf 'eiota-pointer 1\nid 7-89abcdef01234567\nsequence 7\nsize 1\n' >"$work/seed-upload/pointer"
# The HTTP target's first byte picks the chunking (docs in tests/fuzz/http_parser_fuzz.cpp).
printf '\x07HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: "7-89abcdef01234567"\r\n\r\nhello' >"$work/seed-http/length"
printf '\x03HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' >"$work/seed-http/chunked"
printf '\x01HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n' >"$work/seed-http/304"
printf '\x05HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 2-4/5\r\nContent-Length: 3\r\n\r\nllo' >"$work/seed-http/206"

sha=$(sha256sum "$work/update.eiota" | cut -d' ' -f1)
printf 'eiota-pointer 1\nid 7-89abcdef01234567\nsequence 7\nsize %s\nsha256 %s\npayload payloads/%s.eiota\n' \
  "$(stat -c%s "$work/update.eiota")" "$sha" "$sha" >"$work/seed-pointer/pointer"
# The client target's first byte picks the receive size; the rest is all the server sends.
{ printf '\x20'; printf 'HTTP/1.1 200 OK\r\nContent-Length: %s\r\nETag: "7-1"\r\n\r\n' "$(stat -c%s "$work/seed-pointer/pointer")"
  cat "$work/seed-pointer/pointer"; printf 'HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\n' "$(stat -c%s "$work/update.eiota")"
  cat "$work/update.eiota"; printf 'HTTP/1.1 204 No Content\r\n\r\n'; } >"$work/seed-client/update"

status=0
run_target() {  # name, seed dir, corpus dir, extra flags...
  local name=$1 seed=$2 corpus=$3
  shift 3
  echo "== fuzz: $name for $secs s"
  if ! "$fbuild/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$out/$name-" "$@" "$corpus" "$seed" >"$work/$name.log" 2>&1; then
    tail -40 "$work/$name.log" >&2
    echo "fuzz: $name FAILED; the input is kept in $out (EIOTA_FUZZ_OUT keeps it after this script)" >&2
    status=1
  else
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$work/$name.log" | tail -2 || true
  fi
}
run_target http_parser_fuzz "$work/seed-http" "$work/corpus-http" -max_len=4096
manifest=$(find "$work/patched" -name eiota-manifest.json | head -1)
[ -n "$manifest" ] || { echo "fuzz: no eiota-manifest.json in $work/patched" >&2; exit 1; }
export EIOTA_FUZZ_MANIFEST="$manifest"
run_target upload_fuzz "$work/seed-upload" "$work/corpus-upload" -max_len=8192
run_target pointer_fuzz "$work/seed-pointer" "$work/corpus-pointer" -max_len=1024
run_target client_fuzz "$work/seed-client" "$work/corpus-client" -max_len=8192
# The inflate target's first two bytes are the decoded length, the third the chunk size: a stored
# block and a fixed-Huffman block with a match ("hello hello hello").
printf '\x05\x00\x40\x01\x05\x00\xfa\xffhello' >"$work/seed-inflate/stored"
printf '\x11\x00\x03\xcb\x48\xcd\xc9\xc9\x57\xc8\x40\x90\x00' >"$work/seed-inflate/fixed"
run_target inflate_fuzz "$work/seed-inflate" "$work/corpus-inflate" -max_len=4096
if [ "$status" != 0 ] && [ -z "${EIOTA_FUZZ_OUT:-}" ]; then
  keep=$(mktemp -d /tmp/eiota-fuzz-crashes.XXXXXX)
  cp -r "$out"/. "$keep"/
  echo "fuzz: crash inputs copied to $keep" >&2
fi
echo "fuzz: done in $(( $(date +%s) - t0 )) s"
exit "$status"
