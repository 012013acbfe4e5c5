/* The reference measurements of bench/cortex_m/reference.sh, made as perf_fw.cpp makes ours:
 * Monocypher's Ed25519 check (crypto_ed25519_check, with its SHA-512) of the same payload's
 * signature over header || table, its peak stack, and a plain reference SHA-256 over 64 KB.
 * The reference code is compiled from folders outside this repository. */
#include <stdint.h>
#include <string.h>

#include "monocypher-ed25519.h"
#include "monocypher.h"
#include "semihost.h"
#include "sha256.h"

__attribute__((noinline, used)) void perf_mark(void) { __asm__ volatile("" ::: "memory"); }
extern uint32_t __stack_limit;

static uint8_t g_payload[PERF_MAX_PAYLOAD];
static uint8_t g_message[128 + 16 * 1024];
static uint32_t* g_api_sp;
static int g_failures;

static void line(const char* name, uint32_t v) {
  sh_puts(name);
  sh_puts(" ");
  sh_putu(v);
  sh_puts("\n");
}

static uint32_t load(const char* path, uint8_t* buf, uint32_t max) {
  int h = sh_open_read(path);
  int n = h < 0 ? -1 : sh_flen(h);
  uint32_t got = 0;
  while (n > 0 && (uint32_t)n <= max && got < (uint32_t)n) {
    int k = sh_read(h, buf + got, (uint32_t)n - got > 4096 ? 4096 : (uint32_t)n - got);
    if (k <= 0) break;
    got += (uint32_t)k;
  }
  if (h >= 0) sh_close(h);
  return n > 0 && got == (uint32_t)n ? got : 0;
}

#define PAINT 0xA5C3E1F0u
static __attribute__((always_inline)) inline uint32_t* current_sp(void) {
  uint32_t* sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp;
}
static __attribute__((noinline)) void paint(void) {
  uint32_t* top = current_sp() - 16;
  for (uint32_t* p = &__stack_limit; p < top; p++) *p = PAINT;
}
static uint32_t used_since_paint(uint32_t* sp) {
  uint32_t* p = &__stack_limit;
  while (p < sp && *p == PAINT) p++;
  return (uint32_t)((uint8_t*)sp - (uint8_t*)p);
}

static __attribute__((noinline)) int run_check(const uint8_t* sig, const uint8_t* pk, uint32_t len) {
  g_api_sp = current_sp();
  return crypto_ed25519_check(sig, pk, g_message, len);
}

int main(void) {
  static uint8_t pk[32];
  uint32_t n = load("new.eiota", g_payload, sizeof g_payload);
  if (load("k.pk", pk, sizeof pk) != 32 || n < 65536 + 200) {
    sh_puts("FAIL inputs\n");
    return 1;
  }
  uint32_t header_len = (uint32_t)g_payload[6] | (uint32_t)g_payload[7] << 8;
  uint32_t regions = (uint32_t)g_payload[8] | (uint32_t)g_payload[9] << 8 | (uint32_t)g_payload[10] << 16;
  uint32_t len = header_len + 16 * regions;
  if (len > sizeof g_message) return 1;
  memcpy(g_message, g_payload, header_len);
  memcpy(g_message + header_len, g_payload + header_len + 64, 16 * regions);
  const uint8_t* sig = g_payload + header_len;
  line("signed_bytes", len);

  perf_mark(); /* calibration */
  perf_mark();

  perf_mark();
  int bad = crypto_ed25519_check(sig, pk, g_message, len);
  perf_mark();
  if (bad) sh_puts("FAIL crypto_ed25519_check refused the signature\n"), g_failures++;

#if REF_WITH_EDDSA
  /* Monocypher's own EdDSA (BLAKE2b instead of SHA-512): the same curve work; this signature is
   * not one of its, so it refuses it, after the whole check equation. */
  perf_mark();
  int blake = crypto_eddsa_check(sig, pk, g_message, len);
  perf_mark();
  if (!blake) sh_puts("FAIL crypto_eddsa_check accepted an Ed25519 (SHA-512) signature\n"), g_failures++;
#endif

  static SHA256_CTX sha;
  uint8_t digest[32];
  perf_mark();
  sha256_init(&sha);
  sha256_update(&sha, g_payload, 65536);
  sha256_final(&sha, digest);
  perf_mark();
  line("sha256_bytes", 65536);

  paint();
  bad = run_check(sig, pk, len);
  line("stack_verify", used_since_paint(g_api_sp));
  if (bad) g_failures++;
  sh_puts(g_failures ? "FAILED\n" : "PASSED\n");
  return g_failures;
}
