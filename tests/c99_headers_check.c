/* Every public device header, included from C99 (Zephyr and ESP-IDF applications are C) and
 * used: built by the default build with -std=c99 -Wall -Wextra -Werror -pedantic. */
#include "eiota_arduino.h"
#include "eiota_arduino_transport.h"
#include "eiota_client.h"
#include "eiota_ed25519.h"
#include "eiota_errors.h"
#include "eiota_file_flash.h"
#include "eiota_flash.h"
#include "eiota_format.h"
#include "eiota_http.h"
#include "eiota_journal.h"
#include "eiota_model.h"
#include "eiota_posix_transport.h"
#include "eiota_sha256.h"
#include "eiota_slot_layout.h"
#include "eiota_transport.h"
#include "eiota_selftest.h"
#include "eiota_store.h"
#include "eiota_sha512.h"
#include "eiota_update.h"

static int read_nothing(void* ctx, uint8_t* buf, uint32_t max) {
  (void)ctx;
  (void)buf;
  (void)max;
  return 0;
}

static int count_body(void* ctx, const eiota_http_response* r, const uint8_t* data, size_t len) {
  (void)r;
  (void)data;
  *(size_t*)ctx += len;
  return EIOTA_OK;
}

int eiota_c99_http_check(const uint8_t* response, size_t len, char* request, size_t cap);
int eiota_c99_http_check(const uint8_t* response, size_t len, char* request, size_t cap) {
  static eiota_http_response r;
  eiota_http_request q = {NULL, "host", "/", "etag", NULL, 0, 0, 1, NULL};
  size_t body = 0;
  int err;
  eiota_http_begin(&r, EIOTA_HTTP_HEAD_REQUEST);
  err = eiota_http_feed(&r, response, len, count_body, &body);
  if (err == EIOTA_OK) err = eiota_http_finish(&r);
  if (err == EIOTA_OK && (r.flags & EIOTA_HTTP_F_DONE) && r.status == 304) return (int)body + (int)r.etag[0];
  return err < 0 ? err : eiota_http_write_request(&q, request, cap);
}

static const int8_t factory[4] = {1, 2, 3, 4};
static int8_t working[4];
static const struct eiota_region regions[] = {
    {factory, working, 4, EIOTA_INT8, 0, 256},
    {factory, working, 4, EIOTA_UINT8, EIOTA_REGION_PREFIX, 260},
};
static const eiota_block blocks[] = {{regions, 2}};
static eiota_model_state state;
static const uint8_t fingerprint[EIOTA_FINGERPRINT_LEN] = {0};
static const uint8_t public_key[32] = {0};
static const eiota_model model = {blocks, 1, 2, fingerprint, public_key, 0, &state, &eiota_ram_storage, NULL, NULL};

static int flash_read(void* ctx, uint32_t addr, uint8_t* buf, uint32_t len) {
  (void)ctx;
  (void)addr;
  (void)buf;
  (void)len;
  return 0;
}
static int flash_prog(void* ctx, uint32_t addr, const uint8_t* buf, uint32_t len) {
  (void)ctx;
  (void)addr;
  (void)buf;
  (void)len;
  return -1;
}
static int flash_erase(void* ctx, uint32_t addr, uint32_t len) {
  (void)ctx;
  (void)addr;
  (void)len;
  return -1;
}

int eiota_c99_journal_check(void);
int eiota_c99_journal_check(void) {
  static eiota_journal j;
  const eiota_flash flash = {NULL, flash_read, flash_prog, flash_erase, 8192, 4096, 1, 0xFF, NULL};
  eiota_journal_event ev;
  eiota_journal_status next;
  const eiota_journal_status* s;
  uint8_t b;
  int err = eiota_journal_open(&j, &flash, 0, 3);
  if (err != EIOTA_OK) return err;
  s = eiota_journal_state(&j);
  ev.type = EIOTA_JOURNAL_NEW;
  ev.slot = EIOTA_SLOT_A;
  ev.reason = EIOTA_REVERT_NONE;
  ev.sequence = s->floor + 1;
  err = eiota_journal_apply(s, &ev, 3, &next);
  if (err == EIOTA_OK) err = eiota_journal_record(&j, &ev);
  if (eiota_flash_check(&flash) == EIOTA_OK && eiota_flash_erased(&flash, 0, 4) == EIOTA_OK)
    err = eiota_flash_read(&flash, 0, &b, 1) + eiota_flash_prog(&flash, 0, &b, 1) + eiota_flash_erase(&flash, 0, 4096);
  return err + (int)(eiota_crc32(&b, 1) & 1u) + (int)sizeof(eiota_journal_status);
}

int eiota_c99_file_flash_check(const char* path);
int eiota_c99_file_flash_check(const char* path) {
  static eiota_file_flash ff;
  int err = eiota_file_flash_open(&ff, path, 8192, 4096, 8, 0xFF);
  if (err == EIOTA_OK) err = eiota_flash_erased(&ff.flash, 0, 8192);
  return err + eiota_file_flash_close(&ff);
}

int eiota_c99_check(const uint8_t* payload, size_t len);
int eiota_c99_check(const uint8_t* payload, size_t len) {
  static eiota_update u;
  struct eiota_header h;
  eiota_entry e;
  uint8_t digest[32];
  uint8_t head[EIOTA_HEADER_EXTRA_LEN];
  eiota_sha256 sha;
  eiota_sha512 sha512;
  uint8_t digest512[64];
  bool ok;
  int err;
  if (eiota_decode_header(payload, len, &h) != EIOTA_DECODE_OK) return EIOTA_ERR_BAD_MAGIC;
  eiota_encode_header(&h, head);
  h.extra_len = 0;
  if (eiota_encode_header_ext(&h, head) == EIOTA_HEADER_EXTRA_LEN && eiota_decode_header_ext(head, sizeof head, &h) != EIOTA_DECODE_OK)
    return EIOTA_ERR_BAD_VERSION;
  if (eiota_decode_entry(payload + eiota_table_offset(h.header_len), EIOTA_ENTRY_LEN, &e) == EIOTA_DECODE_OK)
    eiota_encode_entry(&e, head);
  eiota_sha256_init(&sha);
  eiota_sha256_update(&sha, payload, len);
  eiota_sha256_final(&sha, digest);
  eiota_sha512_init(&sha512);
  eiota_sha512_update(&sha512, digest, sizeof digest);
  eiota_sha512_final(&sha512, digest512);
  ok = eiota_ed25519_verify(digest512, public_key, payload, len);
  if (!eiota_model_ready(&model) || eiota_model_region(&model, 1) == NULL) return EIOTA_ERR_STATE;
  eiota_update_begin(&u, &model);
  err = eiota_update_write(&u, payload, len);
  if (err == EIOTA_OK) err = eiota_update_finish(&u);
  if (err != EIOTA_OK) eiota_update_abort(&u, err);
  if (eiota_update_remaining(&u) == 0 && ok) err = eiota_update_pull(&u, &model, read_nothing, NULL);
  if (state.status == EIOTA_STATUS_FAILED) err = eiota_model_restore(&model);
  (void)eiota_model_next_generation(&model);
  (void)eiota_strerror(err);
  return err + (int)eiota_elem_size(e.elem_type) + (int)eiota_region_size(&regions[0]) + (int)eiota_get_u64(digest) % 2 +
         (int)eiota_get_u32(digest) % 2 + (int)eiota_get_u16(digest) % 2;
}

static int read_block(void* src, uint32_t offset, uint8_t* buf, uint32_t len) {
  memcpy(buf, (const uint8_t*)src + offset, len);
  return EIOTA_OK;
}

static int infer_zero(void* ctx, eiota_selftest_sample* s) {
  float in[1];
  uint32_t i;
  (void)ctx;
  if (eiota_selftest_inputs(s, 0, 1, in) != EIOTA_OK) return -1;
  for (i = 0; i < eiota_selftest_output_count(s); i++) (void)eiota_selftest_output(s, 0.0f);
  return eiota_selftest_input_count(s) == 1 ? 0 : -1;
}

int eiota_c99_selftest_check(void);
int eiota_c99_selftest_check(void) {
  uint8_t block[EIOTA_SELFTEST_HEADER_LEN + 8];
  eiota_selftest_header h;
  eiota_selftest_report report;
  h.version = EIOTA_SELFTEST_VERSION;
  h.elem_type = EIOTA_FLOAT32;
  h.sample_count = 1;
  h.input_count = 1;
  h.output_count = 1;
  h.tolerance = 0.0f;
  eiota_selftest_encode(&h, block);
  eiota_selftest_put_f32(block + EIOTA_SELFTEST_HEADER_LEN, 1.0f);
  eiota_selftest_put_f32(block + EIOTA_SELFTEST_HEADER_LEN + 4, 0.0f);
  if (eiota_selftest_decode(block, sizeof block, sizeof block, &h) != EIOTA_SELFTEST_OK) return -1;
  (void)eiota_selftest_decode_message(EIOTA_SELFTEST_SHORT);
  return eiota_selftest_run(read_block, block, sizeof block, infer_zero, NULL, &report) + (int)report.samples_run;
}

static void progress_nothing(void* ctx, uint32_t bytes, uint32_t total) {
  (void)ctx;
  (void)bytes;
  (void)total;
}

int eiota_c99_client_check(const char* url);
int eiota_c99_client_check(const char* url) {
  static eiota_posix_socket sock;
  static eiota_transport t;
  static eiota_client c;
  static eiota_update u;
  static eiota_client_config cfg;
  eiota_client_pointer p;
  char id[EIOTA_PAYLOAD_ID_MAX];
  int err;
  eiota_posix_transport_init(&sock, &t);
  cfg.transport = &t;
  cfg.base_url = url;
  cfg.model = "m";
  cfg.channel = "stable";
  cfg.device_id = "d";
  cfg.progress = progress_nothing;
  err = eiota_client_init(&c, &cfg);
  if (err != EIOTA_OK) return err;
  err = eiota_client_run(&c, &model, &u);
  if (err == EIOTA_CLIENT_CURRENT) err = eiota_client_check(&c, &model);
  if (err == EIOTA_CLIENT_AVAILABLE) err = eiota_client_download(&c, &model, &u);
  (void)eiota_client_running_id(&model, id);
  (void)eiota_client_report(&c, "current", id, NULL, 0);
  return err + eiota_client_parse_pointer(c.buf.text, 0, &p) + (int)c.pointer.size + (int)sizeof(eiota_client);
}
