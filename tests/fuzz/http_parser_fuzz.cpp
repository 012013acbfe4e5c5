// libFuzzer target for the device HTTP response reader (device/eiota_http.h). The first byte
// picks the chunking and the options; the rest is the response. Checks that the outcome does
// not depend on the chunking and that the body never exceeds the input.
//   cmake -S . -B build-fuzz -DEIOTA_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang
//   cmake --build build-fuzz --target http_parser_fuzz && build-fuzz/http_parser_fuzz -max_total_time=60
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eiota_http.h"

namespace {

struct Sum {
  uint32_t len;
  uint32_t hash;
};

int sum_body(void* ctx, const eiota_http_response* r, const uint8_t* data, size_t len) {
  Sum* s = static_cast<Sum*>(ctx);
  if (len == 0 || r->body_len != s->len) abort();
  for (size_t i = 0; i < len; i++) s->hash = (s->hash ^ data[i]) * 16777619u;
  s->len += (uint32_t)len;
  return EIOTA_OK;
}

struct Outcome {
  int feed;
  int finish;
  Sum body;
  uint16_t status;
  char etag[EIOTA_HTTP_MAX_ETAG + 1];
};

Outcome run(const uint8_t* data, size_t size, size_t step, unsigned options) {
  static eiota_http_response r;
  Outcome o = {EIOTA_OK, EIOTA_OK, {0, 2166136261u}, 0, {0}};
  eiota_http_begin(&r, options);
  for (size_t at = 0; at < size; at += step) {
    size_t n = size - at < step ? size - at : step;
    int err = eiota_http_feed(&r, data + at, n, sum_body, &o.body);
    if (err != EIOTA_OK) {
      o.feed = err;
      break;
    }
  }
  o.finish = eiota_http_finish(&r);
  o.status = r.status;
  memcpy(o.etag, r.etag, sizeof o.etag);
  if (r.body_len != o.body.len || o.body.len > size || strlen(r.etag) > EIOTA_HTTP_MAX_ETAG) abort();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = 1 + (data[0] & 0x3F);
  unsigned options = (data[0] & 0x80) ? EIOTA_HTTP_HEAD_REQUEST : 0;
  data++;
  size--;
  Outcome whole = run(data, size, size + 1, options);
  Outcome split = run(data, size, step, options);
  if (whole.feed != split.feed || whole.finish != split.finish || whole.body.len != split.body.len ||
      whole.body.hash != split.body.hash || whole.status != split.status || strcmp(whole.etag, split.etag) != 0)
    abort();
  return 0;
}
