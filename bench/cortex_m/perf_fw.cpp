// The measurement firmware of bench/cortex_m/perf.sh (mps2-an386, Cortex-M4, -Os). Spans are
// bracketed by calls of perf_mark(), whose address the icount plugin (tools/qemu) is given: each
// call prints the instruction count so far, and perf.sh takes the differences of consecutive
// pairs. The first pair is empty: it measures the marks themselves, which perf.sh subtracts.
// Spans, in order: Ed25519 one-shot verify, Ed25519 streaming verify (as the update path runs it),
// SHA-256 over 64 KB, a whole RAM-mode apply through the push API (one write from memory) and one
// through the pull API (its read callback copies from memory). Peak stack is measured by
// painting the unused stack and scanning it after the call. Results go to semihosting as
// "name value" lines; a check that fails prints "FAIL ...".
#include <stdint.h>
#include <string.h>

#include "eiota_ed25519.h"
#include "eiota_sha256.h"
#include "eiota_store.h"
#include "eiota_update.h"
#include "semihost.h"

extern "C" __attribute__((noinline, used)) void perf_mark(void) { __asm__ volatile("" ::: "memory"); }
extern "C" uint32_t __stack_limit;

namespace {

const eiota_model* const M = &eiota_default_model;
eiota_update g_update;
alignas(4) uint8_t g_payload[PERF_MAX_PAYLOAD];
uint32_t g_payload_len;
uint8_t g_message[128 + 16 * 1024];  // header || table, for the one-shot verify
int g_failures;

void line(const char* name, uint32_t v) {
  sh_puts(name);
  sh_puts(" ");
  sh_putu(v);
  sh_puts("\n");
}
void check(bool ok, const char* what) {
  if (ok) return;
  sh_puts("FAIL ");
  sh_puts(what);
  sh_puts("\n");
  g_failures++;
}

uint32_t load(const char* path, uint8_t* buf, uint32_t max) {
  int h = sh_open_read(path);
  int n = h < 0 ? -1 : sh_flen(h);
  uint32_t got = 0;
  if (n > 0 && (uint32_t)n <= max) {
    while (got < (uint32_t)n) {
      int k = sh_read(h, buf + got, (uint32_t)n - got > 4096 ? 4096 : (uint32_t)n - got);
      if (k <= 0) break;
      got += (uint32_t)k;
    }
  }
  if (h >= 0) sh_close(h);
  return got == (uint32_t)n ? got : 0;
}

struct mem_src {
  const uint8_t* p;
  uint32_t len, pos;
};
int read_mem(void* ctx, uint8_t* buf, uint32_t max) {
  mem_src* s = (mem_src*)ctx;
  if (max == 0) return s->pos < s->len ? 1 : 0;
  uint32_t n = s->len - s->pos < max ? s->len - s->pos : max;
  memcpy(buf, s->p + s->pos, n);
  s->pos += n;
  return (int)n;
}

// Stack painting: everything between the stack limit and a little below the caller's SP.
const uint32_t kPaint = 0xA5C3E1F0u;
uint32_t* g_sp_at_call;
__attribute__((noinline)) void paint() {
  uint32_t here;
  g_sp_at_call = &here;
  for (uint32_t* p = &__stack_limit; p < g_sp_at_call - 16; p++) *p = kPaint;
}
uint32_t used_since_paint(uint32_t* sp_of_caller) {
  uint32_t* p = &__stack_limit;
  while (p < sp_of_caller && *p == kPaint) p++;
  return (uint32_t)((uint8_t*)sp_of_caller - (uint8_t*)p);
}
__attribute__((always_inline)) inline uint32_t* current_sp() {
  uint32_t* sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

// The API calls' own stack: measured from the SP inside these wrappers, below their frames.
uint32_t* g_api_sp;

// The push API fed from memory in one write: what it costs beyond the hash and the one copy.
__attribute__((noinline)) int run_push(const uint8_t* p, uint32_t len) {
  g_api_sp = current_sp();
  eiota_update_begin(&g_update, M);
  int err = eiota_update_write(&g_update, p, len);
  return err == EIOTA_OK ? eiota_update_finish(&g_update) : err;
}

__attribute__((noinline)) int run_pull(const uint8_t* p, uint32_t len) {
  mem_src s = {p, len, 0};
  g_api_sp = current_sp();
  return eiota_update_pull(&g_update, M, read_mem, &s);
}

__attribute__((noinline)) bool run_verify(const uint8_t* sig, uint32_t len) {
  g_api_sp = current_sp();
  return eiota_ed25519_verify(sig, M->public_key, g_message, len);
}

}  // namespace

int main() {
  static uint8_t newer[PERF_MAX_PAYLOAD];
  g_payload_len = load("new.eiota", g_payload, sizeof g_payload);
  uint32_t newer_len = load("newer.eiota", newer, sizeof newer);
  check(g_payload_len > 200 && newer_len == g_payload_len, "payload files");
  if (g_failures) return 1;
  uint32_t header_len = (uint32_t)g_payload[6] | (uint32_t)g_payload[7] << 8;
  uint32_t regions = (uint32_t)g_payload[8] | (uint32_t)g_payload[9] << 8 | (uint32_t)g_payload[10] << 16;
  uint32_t table = 16 * regions;
  check(header_len + table <= sizeof g_message, "message buffer");
  if (g_failures) return 1;
  memcpy(g_message, g_payload, header_len);
  memcpy(g_message + header_len, g_payload + header_len + 64, table);
  const uint8_t* sig = g_payload + header_len;
  line("payload_bytes", g_payload_len);
  line("signed_bytes", header_len + table);

  perf_mark();  // calibration
  perf_mark();

  perf_mark();
  bool one_shot = eiota_ed25519_verify(sig, M->public_key, g_message, header_len + table);
  perf_mark();
  check(one_shot, "one-shot verify");

  static eiota_ed25519_verify_ctx ed;
  perf_mark();
  eiota_ed25519_verify_init(&ed, sig, M->public_key);
  eiota_ed25519_verify_update(&ed, g_payload, header_len);
  eiota_ed25519_verify_update(&ed, g_payload + header_len + 64, table);
  bool streamed = eiota_ed25519_verify_final(&ed);
  perf_mark();
  check(streamed, "streaming verify");

  static eiota_sha256 sha;
  uint8_t digest[32];
  const uint32_t kShaBytes = 65536;
  check(g_payload_len >= kShaBytes, "64 KB for SHA-256");
  perf_mark();
  eiota_sha256_init(&sha);
  eiota_sha256_update(&sha, g_payload, kShaBytes);
  eiota_sha256_final(&sha, digest);
  perf_mark();
  line("sha256_bytes", kShaBytes);

  // Push API (new.eiota), then pull API (newer.eiota): each a real apply in RAM mode.
  uint32_t* sp = current_sp();
  paint();
  perf_mark();
  int err = run_push(g_payload, g_payload_len);
  perf_mark();
  line("stack_push", used_since_paint(g_api_sp));
  check(err == EIOTA_OK, "push apply");

  paint();
  perf_mark();
  err = run_pull(newer, newer_len);
  perf_mark();
  line("stack_pull", used_since_paint(g_api_sp));
  check(err == EIOTA_OK, "pull apply");
  line("apply_bytes", newer_len);

#if PERF_INFLATE
  // A compressed payload of newer's values (format 1.3, sequence 3) through the pull API: inflated
  // into the working copies, hashed as decoded.
  static uint8_t z[PERF_MAX_PAYLOAD];
  uint32_t z_len = load("newer-z.eiota", z, sizeof z);
  check(z_len > 200, "newer-z.eiota");
  paint();
  perf_mark();
  err = run_pull(z, z_len);
  perf_mark();
  line("stack_pull_z", used_since_paint(g_api_sp));
  check(err == EIOTA_OK, "pull apply of the compressed payload");
  line("z_bytes", z_len);
#endif

  // Peak stack of the one-shot verify alone (the reference's figure is of its verify alone).
  paint();
  one_shot = run_verify(sig, header_len + table);
  line("stack_verify", used_since_paint(g_api_sp));
  line("update_context", (uint32_t)sizeof(eiota_update));
  line("model_state", (uint32_t)sizeof(eiota_model_state));
  line("store_context", (uint32_t)sizeof(eiota_store));
  sh_puts(g_failures ? "FAILED\n" : "PASSED\n");
  return g_failures;
}
