// libFuzzer target for the device delivery client (device/eiota_client.h) against any server: a
// transport serves the input as everything the server sends, over as many connections as the
// client opens, in receives of a size the first byte picks. A check, then (if a pointer came) a
// download into a small RAM model, then a report: no crash, no read or write out of bounds, every
// result an outcome or an eiota_err, and the client's counters within what it was sent.
//   cmake --build build-fuzz --target client_fuzz && build-fuzz/client_fuzz -max_total_time=60
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eiota_client.h"

namespace {

struct Feed {
  const uint8_t* data;
  size_t len, at, piece;
  bool open;
  unsigned connects;
};

int f_connect(void* ctx, const char*, uint16_t, uint32_t) {
  Feed* f = static_cast<Feed*>(ctx);
  if (++f->connects > 16) abort();  // bounded retries
  f->open = true;
  return f->at < f->len ? EIOTA_OK : EIOTA_ERR_NET;
}
int f_send(void* ctx, const uint8_t* d, size_t n, uint32_t) {
  Feed* f = static_cast<Feed*>(ctx);
  if (!f->open || (n > 0 && d == NULL)) abort();
  volatile uint8_t sink = 0;
  for (size_t i = 0; i < n; i++) sink ^= d[i];  // ASan: the request lies in its buffer
  (void)sink;
  return EIOTA_OK;
}
int f_recv(void* ctx, uint8_t* buf, size_t cap, uint32_t) {
  Feed* f = static_cast<Feed*>(ctx);
  if (!f->open || cap == 0) abort();
  if (f->at >= f->len) return 0;
  size_t n = f->len - f->at;
  if (n > f->piece) n = f->piece;
  if (n > cap) n = cap;
  if (f->data[f->at] == 0xFE && n == 1) {  // a marker byte: this receive times out
    f->at++;
    return EIOTA_ERR_TIMEOUT;
  }
  memcpy(buf, f->data + f->at, n);
  f->at += n;
  return (int)n;
}
void f_close(void* ctx) { static_cast<Feed*>(ctx)->open = false; }

const int8_t kFactory[4] = {1, 2, 3, 4};
int8_t g_working[8];
const eiota_region kRegions[] = {
    {kFactory, g_working, 4, EIOTA_INT8, 0, 256},
    {kFactory, g_working + 4, 4, EIOTA_UINT8, EIOTA_REGION_PREFIX, 260},
};
const eiota_block kBlocks[] = {{kRegions, 2}};
eiota_model_state g_state;
const uint8_t kFingerprint[EIOTA_FINGERPRINT_LEN] = {0};
const uint8_t kKey[32] = {0};
const eiota_model kModel = {kBlocks, 1, 2, kFingerprint, kKey, 0, &g_state, &eiota_ram_storage};

bool outcome(int r) { return r == EIOTA_CLIENT_CURRENT || r == EIOTA_CLIENT_AVAILABLE || (r < 0 && r >= -49); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 65536) return 0;
  uint8_t* copy = static_cast<uint8_t*>(malloc(size));
  memcpy(copy, data, size);
  Feed f = {copy + 1, size - 1, 0, (size_t)(copy[0] % 64) * 8 + 1, false, 0};
  eiota_transport t = {&f, f_connect, f_send, f_recv, f_close};
  eiota_client_config cfg = {&t, "http://h:8080/eiota/v1", "m", "stable", "dev-1", 1, 2, NULL, NULL};
  static eiota_client c;
  static eiota_update u;
  memset(&g_state, 0, sizeof g_state);
  eiota_model_ready(&kModel);
  if (eiota_client_init(&c, &cfg) != EIOTA_OK) abort();
  int r = eiota_client_check(&c, &kModel);
  if (!outcome(r)) abort();
  if (r == EIOTA_CLIENT_AVAILABLE) {
    if (eiota_client_parse_pointer(c.buf.text, c.text_len, &c.pointer) != EIOTA_OK && c.text_len > 0) abort();
    int d = eiota_client_download(&c, &kModel, &u);
    if (!(d == EIOTA_OK || (d < 0 && d >= -49))) abort();
    if (c.fed > c.pointer.size || c.body_bytes > f.len) abort();
  }
  int rep = eiota_client_report(&c, "current", NULL, NULL, 0);
  if (!(rep == EIOTA_OK || (rep < 0 && rep >= -49))) abort();
  free(copy);
  return 0;
}
