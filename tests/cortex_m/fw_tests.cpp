// The update tests of the host suite, run on the board itself: a model patched by `eiota patch`
// (RAM mode: --storage ram; flash mode: --storage flash, the store over an emulated NOR flash,
// nor.h), payloads packed on the host and read through semihosting in chunks. Each test prints
// one "ok NAME" or "FAIL NAME: why" line; main() returns the number of failures (0: QEMU exits 0).
//
// Host files (in QEMU's working directory): new.eiota (sequence 1), newer.eiota (sequence 2),
// bad-data.eiota (new.eiota with its last data byte flipped: hash mismatch), bad-sig.eiota (a
// signature byte flipped: refused before anything is written), bad-next.eiota (sequence 3, its
// last data byte flipped), delta.eiota (sequence 4, a delta on the factory values: only the last
// layer of a fine-tuning retrain), bad-z.eiota (sequence 5, compressed, a byte flipped inside its
// streams), newer-z.eiota (sequence 6, newer's values compressed: format 1.3, same data_sha256).
#include <stdint.h>
#include <string.h>

#include "eiota_sha256.h"
#include "eiota_store.h"
#include "eiota_update.h"
#include "nor.h"
#include "semihost.h"

namespace {

const eiota_model* const M = &eiota_default_model;
eiota_update g_update;
int g_failures;

void result(const char* name, bool ok, const char* why, int err) {
  sh_puts(ok ? "ok " : "FAIL ");
  sh_puts(name);
  if (!ok) {
    sh_puts(": ");
    sh_puts(why);
    sh_puts(" (error ");
    if (err < 0) sh_puts("-");
    sh_putu((uint32_t)(err < 0 ? -err : err));
    sh_puts(")");
    g_failures++;
  }
  sh_puts("\n");
}

// SHA-256 over the values inference reads now, every region in order: what a full payload's
// data section holds, so after an apply it equals the payload's data_sha256.
void values_digest(uint8_t out[32]) {
  eiota_model_ready(M);  // makes a switch the store asked for
  eiota_sha256 s;
  eiota_sha256_init(&s);
  for (uint32_t i = 0; i < M->region_count; i++)
    eiota_sha256_update(&s, (const uint8_t*)eiota_region_values(M, i), eiota_region_size(eiota_model_region(M, i)));
  eiota_sha256_final(&s, out);
}

struct host_file {
  int handle;
  uint32_t left;
};

bool open_file(host_file* f, const char* path) {
  f->handle = sh_open_read(path);
  int n = f->handle < 0 ? -1 : sh_flen(f->handle);
  f->left = n < 0 ? 0 : (uint32_t)n;
  return n > 0;
}

int read_file(void* ctx, uint8_t* buf, uint32_t max) {
  host_file* f = (host_file*)ctx;
  if (max == 0) return f->left ? 1 : 0;
  if (max > f->left) max = f->left;
  if (max == 0) return 0;
  int n = sh_read(f->handle, buf, max);
  if (n <= 0) return EIOTA_ERR_TRUNCATED;
  f->left -= (uint32_t)n;
  return n;
}

// data_sha256 of a payload file (header offset 48).
bool payload_digest(const char* path, uint8_t out[32]) {
  host_file f;
  uint8_t head[80];
  bool ok = open_file(&f, path) && sh_read(f.handle, head, sizeof head) == (int)sizeof head;
  sh_close(f.handle);
  if (ok) memcpy(out, head + 48, 32);
  return ok;
}

// result_digest of a delta payload file (1.2 header, offset 128): the values once it is applied.
bool delta_digest(const char* path, uint8_t out[32]) {
  host_file f;
  uint8_t head[EIOTA_HEADER_DELTA_LEN];
  bool ok = open_file(&f, path) && sh_read(f.handle, head, sizeof head) == (int)sizeof head;
  sh_close(f.handle);
  ok = ok && (eiota_get_u32(head + 44) & EIOTA_FLAG_DELTA) != 0;
  if (ok) memcpy(out, head + 128, 32);
  return ok;
}

// The pull API over the host file.
int pull(const char* path) {
  host_file f;
  if (!open_file(&f, path)) return 1;
  int err = eiota_update_pull(&g_update, M, read_file, &f);
  sh_close(f.handle);
  return err;
}

// The push API, fed in chunks of `chunk` bytes.
uint8_t g_chunk[1024];
int push(const char* path, uint32_t chunk) {
  host_file f;
  if (!open_file(&f, path)) return 1;
  eiota_update_begin(&g_update, M);
  int err = EIOTA_OK;
  while (err == EIOTA_OK && f.left) {
    int n = read_file(&f, g_chunk, chunk);
    err = n < 0 ? n : eiota_update_write(&g_update, g_chunk, (size_t)n);
  }
  if (err == EIOTA_OK) err = eiota_update_finish(&g_update);
  else eiota_update_abort(&g_update, err);
  sh_close(f.handle);
  return err;
}

uint8_t g_factory[32], g_new[32], g_newer[32], g_delta[32];

bool setup_digests() {
  bool ok = payload_digest("new.eiota", g_new) && payload_digest("newer.eiota", g_newer) && delta_digest("delta.eiota", g_delta);
  result("payload files readable over semihosting", ok, "cannot read new.eiota / newer.eiota / delta.eiota (a delta)", 0);
  return ok;
}

#if !EIOTA_CM_FLASH_MODE
// ---- RAM mode: the working copies are RAM arrays; a failure restores the factory values. ----
bool digest_is(const uint8_t want[32]) {
  uint8_t d[32];
  values_digest(d);
  return memcmp(d, want, 32) == 0;
}

void ram_tests() {
  values_digest(g_factory);
  int err = pull("bad-sig.eiota");
  result("ram: bad signature refused, factory values kept", err == EIOTA_ERR_BAD_SIGNATURE && digest_is(g_factory),
         "not refused as a bad signature, or values changed", err);
  err = pull("bad-data.eiota");
  result("ram: tampered data refused, factory values restored", err == EIOTA_ERR_HASH_MISMATCH && digest_is(g_factory),
         "not refused as a hash mismatch, or values changed", err);
  err = pull("new.eiota");
  result("ram: pull applies the payload (values == data_sha256)", err == EIOTA_OK && digest_is(g_new),
         "apply failed or values differ", err);
  err = push("newer.eiota", 509);
  result("ram: push (509-byte chunks) applies the next payload", err == EIOTA_OK && digest_is(g_newer),
         "apply failed or values differ", err);
  err = pull("new.eiota");
  result("ram: an older sequence is refused, values kept", err == EIOTA_ERR_OLD_SEQUENCE && digest_is(g_newer),
         "rollback not refused", err);
  err = pull("delta.eiota");
  result("ram: a delta on the factory values refused while a release serves, values kept",
         err == EIOTA_ERR_WRONG_BASE && digest_is(g_newer), "not refused as another base, or values changed", err);
  err = push("bad-next.eiota", 1);
  result("ram: a tampered next payload fed bytewise refused, factory values restored",
         err != EIOTA_OK && digest_is(g_factory), "accepted, or values not restored", err);
  err = push("delta.eiota", 61);
  result("ram: a delta on the factory values applies (values == its result digest)", err == EIOTA_OK && digest_is(g_delta),
         "apply failed or values differ", err);
  err = push("bad-z.eiota", 61);
  result("ram: a compressed payload with a damaged stream refused, factory values restored",
         err != EIOTA_OK && digest_is(g_factory), "accepted, or values not restored", err);
  err = pull("newer-z.eiota");
  result("ram: a compressed payload inflates into the working copies (values == data_sha256)",
         err == EIOTA_OK && digest_is(g_newer), "apply failed or values differ", err);
  err = push("newer-z.eiota", 7);
  result("ram: the compressed payload that serves, sent again in 7-byte chunks, verifies and writes nothing",
         err == EIOTA_OK && digest_is(g_newer), "refused, or values changed", err);
}
#else
// ---- Flash mode: the store over NOR (journal's two blocks, slots A and B). ----
#ifndef EIOTA_CM_NOR_BASE
alignas(16) uint8_t g_nor_mem[2 * EIOTA_CM_ERASE + 2 * EIOTA_CM_SLOT];
#define EIOTA_CM_NOR_MEM g_nor_mem
#else
#define EIOTA_CM_NOR_MEM ((uint8_t*)EIOTA_CM_NOR_BASE)
#endif
nor_sim g_nor = {EIOTA_CM_NOR_MEM, 2 * EIOTA_CM_ERASE + 2 * EIOTA_CM_SLOT, EIOTA_CM_ERASE, EIOTA_CM_PROG, 0, 0, 0, 0, 0x9E3779B9u};
eiota_flash g_journal, g_slot_a, g_slot_b;
eiota_store_config g_cfg;
eiota_store g_store;

// A reset: RAM is gone (state, store, working copies), the flash stays.
int boot() {
  memset(M->state, 0, sizeof *M->state);
  for (uint32_t i = 0; i < M->region_count; i++) {
    const eiota_region* r = eiota_model_region(M, i);
    if (r->working) memset(r->working, 0x5A, eiota_region_size(r));
  }
  memset(&g_store, 0, sizeof g_store);
  eiota_store_report report;
  return eiota_store_attach(M, &g_store, &g_cfg, &report);
}

// Which version serves: 0 factory, 1 new, 2 newer, -1 a mix or garbage.
int serving() {
  uint8_t d[32];
  values_digest(d);
  if (memcmp(d, g_factory, 32) == 0) return 0;
  if (memcmp(d, g_new, 32) == 0) return 1;
  if (memcmp(d, g_newer, 32) == 0) return 2;
  if (memcmp(d, g_delta, 32) == 0) return 4;
  return -1;
}

// Applies new.eiota and confirms it: the sequence the power is cut in.
int scenario() {
  int err = pull("new.eiota");
  if (err == EIOTA_OK && serving() != 1) return -100;
  if (err == EIOTA_OK) err = eiota_store_confirm(M);
  return err;
}

void flash_tests() {
  g_journal = nor_area(&g_nor, 0, 2 * EIOTA_CM_ERASE);
  g_slot_a = nor_area(&g_nor, 2 * EIOTA_CM_ERASE, EIOTA_CM_SLOT);
  g_slot_b = nor_area(&g_nor, 2 * EIOTA_CM_ERASE + EIOTA_CM_SLOT, EIOTA_CM_SLOT);
  g_cfg.journal = &g_journal;
  g_cfg.journal_offset = 0;
  g_cfg.slot[0] = &g_slot_a;
  g_cfg.slot[1] = &g_slot_b;
  g_cfg.max_trial_boots = 1;

  nor_reset(&g_nor);
  int err = boot();
  values_digest(g_factory);
  result("flash: a blank flash boots the factory values", err == EIOTA_OK, "attach failed", err);
  err = pull("bad-sig.eiota");
  result("flash: bad signature refused, factory values serve", err == EIOTA_ERR_BAD_SIGNATURE && serving() == 0,
         "not refused, or values changed", err);
  err = scenario();
  uint32_t ops = g_nor.ops;
  result("flash: pull applies into a slot, served and confirmed (values == data_sha256)", err == EIOTA_OK,
         "apply, switch or confirm failed", err);
  err = pull("bad-data.eiota");
  result("flash: tampered data refused, the serving model unchanged", err == EIOTA_ERR_HASH_MISMATCH && serving() == 1,
         "not refused, or values changed", err);
  err = boot();
  result("flash: after a reboot the confirmed payload serves", err == EIOTA_OK && serving() == 1, "attach failed or wrong values", err);
  err = push("newer.eiota", 509);
  result("flash: push applies the next payload into the other slot", err == EIOTA_OK && serving() == 2,
         "apply failed or values differ", err);
  err = eiota_store_confirm(M);
  if (err == EIOTA_OK) err = push("bad-next.eiota", 1);
  result("flash: a tampered next payload fed bytewise refused, the serving model unchanged",
         err == EIOTA_ERR_HASH_MISMATCH && serving() == 2, "not refused, or values changed", err);
  err = pull("delta.eiota");
  result("flash: a delta on the factory values refused while a release serves", err == EIOTA_ERR_WRONG_BASE && serving() == 2,
         "not refused as another base, or values changed", err);
  err = eiota_store_select(M, EIOTA_SLOT_FACTORY);
  if (err == EIOTA_OK && serving() != 0) err = -103;
  if (err == EIOTA_OK) err = pull("delta.eiota");
  if (err == EIOTA_OK && serving() != 4) err = -104;
  if (err == EIOTA_OK) err = eiota_store_confirm(M);
  if (err == EIOTA_OK) err = boot();
  result("flash: on the factory values a delta applies, copying the unchanged regions; re-validated at boot it serves",
         err == EIOTA_OK && serving() == 4, "select, apply, confirm or reboot failed, or values differ", err);
  err = push("bad-z.eiota", 61);
  result("flash: a compressed payload with a damaged stream refused, the serving model unchanged",
         err != EIOTA_OK && serving() == 4, "accepted, or values changed", err);
  err = push("newer-z.eiota", 509);
  if (err == EIOTA_OK && serving() != 2) err = -105;
  if (err == EIOTA_OK) err = eiota_store_confirm(M);
  if (err == EIOTA_OK) err = boot();
  result("flash: a compressed payload inflates into a slot (matches read back from flash and the write buffer); "
         "re-validated at boot it serves", err == EIOTA_OK && serving() == 2, "apply, confirm or reboot failed, or values differ", err);

  // Power cuts: at a spread of the scenario's operations (every one of them when it is short, and
  // always the last ones, where the journal is written), before the op starts and torn.
  const uint32_t kMaxPoints = EIOTA_CM_CUT_POINTS;
  uint32_t tried = 0, bad = 0, first_bad = 0;
  int bad_err = 0;
  for (uint32_t k = 1; k <= ops; k++) {
    bool tail = ops - k < 12;
    uint32_t stride = ops / kMaxPoints + 1;
    if (!tail && k > 3 && k % stride != 0) continue;
    for (int torn = 0; torn < 2; torn++) {
      tried++;
      nor_reset(&g_nor);
      int e = boot();
      g_nor.cut_op = k;
      g_nor.torn = (uint8_t)torn;
      if (e == EIOTA_OK) scenario();
      nor_power_back(&g_nor);
      e = boot();
      int v = e == EIOTA_OK ? serving() : -1;
      const eiota_journal_status* j = eiota_store_status(M);
      if (e == EIOTA_OK && v == 1 && j && j->trial) e = eiota_store_confirm(M);
      if (e == EIOTA_OK && (v == 0 || v == 1)) e = push("newer.eiota", 509);
      if (e == EIOTA_OK && serving() != 2) e = -101;
      if (e == EIOTA_OK) e = eiota_store_confirm(M);
      if (e == EIOTA_OK) e = boot();
      if (e == EIOTA_OK && serving() != 2) e = -102;
      if (e != EIOTA_OK || (v != 0 && v != 1)) {
        if (!bad) first_bad = k, bad_err = e != EIOTA_OK ? e : v;
        bad++;
      }
    }
  }
  sh_puts("  power cuts: ");
  sh_putu(tried);
  sh_puts(" cuts over ");
  sh_putu(ops);
  sh_puts(" flash operations\n");
  result("flash: every power cut leaves the old or the new model whole, and it still updates", bad == 0,
         "a cut left a mix, or the next update failed; first at op", (int)first_bad);
  if (bad) result("flash: first bad power cut's error", false, "error or version", bad_err);
}
#endif

}  // namespace

int main() {
  if (!setup_digests()) return 1;
#if EIOTA_CM_FLASH_MODE
  flash_tests();
#else
  ram_tests();
#endif
  sh_puts(g_failures ? "FAILED\n" : "PASSED\n");
  return g_failures;
}
