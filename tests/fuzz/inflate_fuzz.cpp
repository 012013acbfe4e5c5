// libFuzzer target for the DEFLATE decoder (device/eiota_inflate.h). Any input, in any chunking:
// no crash, no write past the declared length (the sink's buffer is exactly that long, on the
// heap so ASan sees an overrun), no match reaching before the output's start.
//   cmake -S . -B build-fuzz -DEIOTA_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang
//   cmake --build build-fuzz --target inflate_fuzz && build-fuzz/inflate_fuzz -max_total_time=60
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eiota_inflate.h"

namespace {

struct Out {
  uint8_t* bytes;
  uint32_t size;
  uint32_t n;
};

int put(void* ctx, const uint8_t* data, uint32_t len) {
  Out* o = static_cast<Out*>(ctx);
  if (len > o->size - o->n) abort();  // the decoder promised never to exceed out_len
  memcpy(o->bytes + o->n, data, len);
  o->n += len;
  return EIOTA_OK;
}

int copy(void* ctx, uint32_t dist, uint32_t len) {
  Out* o = static_cast<Out*>(ctx);
  if (dist == 0 || dist > o->n || len > o->size - o->n) abort();
  for (uint32_t i = 0; i < len; i++, o->n++) o->bytes[o->n] = o->bytes[o->n - dist];
  return EIOTA_OK;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3 || size > 65536) return 0;
  // First two bytes: the declared decoded length (up to 64 KB); third: the chunk size.
  uint32_t out_len = (uint32_t)data[0] | (uint32_t)data[1] << 8;
  uint32_t chunk = data[2] ? data[2] : 1;
  data += 3;
  size -= 3;
  Out o = {static_cast<uint8_t*>(malloc(out_len ? out_len : 1)), out_len, 0};
  eiota_inflate z;
  eiota_inflate_init(&z, out_len);
  eiota_inflate_sink sink = {&o, put, copy};
  int err = EIOTA_OK;
  for (size_t at = 0; at < size && err == EIOTA_OK && !eiota_inflate_done(&z);) {
    uint32_t n = (uint32_t)(size - at < chunk ? size - at : chunk);
    uint32_t used = 0;
    err = eiota_inflate_feed(&z, data + at, n, &sink, &used);
    if (used > n || (err == EIOTA_OK && used < n && !eiota_inflate_done(&z))) abort();
    at += used;
  }
  if (eiota_inflate_done(&z) && o.n != out_len) abort();
  free(o.bytes);
  return 0;
}
