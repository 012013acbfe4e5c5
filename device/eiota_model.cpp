#include "eiota_model.h"

#include <string.h>

#include "eiota_format.h"
#include "eiota_store.h"

const char* eiota_strerror(int err) {
  switch (err) {
    case EIOTA_OK: return "ok";
    case EIOTA_ERR_BAD_MAGIC: return "bad magic: not an eiota payload";
    case EIOTA_ERR_BAD_VERSION: return "unsupported payload format version";
    case EIOTA_ERR_WRONG_MODEL: return "wrong model: payload built for another architecture";
    case EIOTA_ERR_UNKNOWN_KEY: return "payload signed by an unknown key";
    case EIOTA_ERR_BAD_SIGNATURE: return "bad signature";
    case EIOTA_ERR_OLD_SEQUENCE: return "sequence not above the highest accepted one (rollback refused; a release reverted or restored here needs a new sequence)";
    case EIOTA_ERR_SIZE_MISMATCH: return "size mismatch: region table does not fit this model";
    case EIOTA_ERR_HASH_MISMATCH: return "hash mismatch: values corrupted";
    case EIOTA_ERR_TRUNCATED: return "truncated payload";
    case EIOTA_ERR_TIMEOUT: return "stream timeout";
    case EIOTA_ERR_OVERSIZE: return "oversize: data beyond the declared payload size";
    case EIOTA_ERR_UNSUPPORTED: return "unsupported payload feature";
    case EIOTA_ERR_STORAGE: return "storage failure";
    case EIOTA_ERR_STATE: return "call not valid in this state";
    case EIOTA_ERR_UPDATING: return "update in progress: inference refused";
    case EIOTA_ERR_FLASH_RANGE: return "flash access out of range or not aligned to the flash geometry";
    case EIOTA_ERR_SLOT_TOO_SMALL: return "payload does not fit in a slot";
    case EIOTA_ERR_TRIAL: return "a trial is undecided: confirm or revert it first";
    case EIOTA_ERR_NO_STORE: return "this library reads its values from flash slots: attach a store (eiota_store_attach) before updating";
    case EIOTA_ERR_WRONG_BASE: return "delta payload for another base: this device does not serve the release it was built on (send the full payload)";
    case EIOTA_ERR_NO_BASE_DIGEST: return "delta payload on the factory values, but this library has no factory digest (patched before format 1.2): send the full payload";
    case EIOTA_ERR_DELTA_RESULT: return "delta result mismatch: the values assembled on the base are not the ones signed";
    case EIOTA_ERR_SELFTEST_FAILED: return "self-test failed: the model's outputs differ from the expected ones";
    case EIOTA_ERR_SELFTEST_BLOCK: return "self-test block malformed or absent";
    case EIOTA_ERR_HTTP_MALFORMED: return "malformed HTTP response";
    case EIOTA_ERR_HTTP_HEADER_TOO_LONG: return "HTTP header line or header section too long";
    case EIOTA_ERR_HTTP_TOO_LARGE: return "HTTP body or chunk too large";
    case EIOTA_ERR_HTTP_UNSUPPORTED: return "unsupported HTTP transfer coding";
    case EIOTA_ERR_HTTP_EXCESS: return "bytes after the end of the HTTP response";
    case EIOTA_ERR_HTTP_NO_ROOM: return "HTTP request does not fit its buffer";
    case EIOTA_ERR_HTTP_BAD_REQUEST: return "HTTP request field missing or invalid";
    case EIOTA_ERR_NET: return "network error: connect, send or receive failed";
    case EIOTA_ERR_HTTP_STATUS: return "unexpected HTTP status from the update server";
    case EIOTA_ERR_POINTER: return "malformed update pointer, URL or name";
    case EIOTA_ERR_INFLATE: return "compressed values malformed";
    default: return "unknown error";
  }
}

const eiota_region* eiota_model_region(const eiota_model* m, uint32_t index) {
  for (uint32_t b = 0; b < m->block_count; b++) {
    if (index < m->blocks[b].count) return &m->blocks[b].regions[index];
    index -= m->blocks[b].count;
  }
  return NULL;
}

uint32_t eiota_region_size(const eiota_region* r) { return r->count * eiota_elem_size(r->elem_type); }

static int restore_now(const eiota_model* m) {
  int err = m->storage->restore(m->storage->ctx, m);
  eiota_model_state* s = m->state;
  s->writer = NULL;
  s->loaded = 1;
  s->status = err == EIOTA_OK ? EIOTA_STATUS_FACTORY : EIOTA_STATUS_FAILED;
  s->applied_sequence = 0;
  return err;
}

const void* eiota_region_values(const eiota_model* m, uint32_t index) {
  const eiota_region* r = eiota_model_region(m, index);
  if (r == NULL) return NULL;
  if (r->working != NULL) return r->working;
  return m->state->store != NULL ? eiota_store_values(m, r) : r->factory;
}

bool eiota_model_ready(const eiota_model* m) {
  if (eiota_store_switch(m)) return m->state->status != EIOTA_STATUS_FAILED;
  if (!m->state->loaded) restore_now(m);
  uint8_t st = m->state->status;
  return st == EIOTA_STATUS_FACTORY || st == EIOTA_STATUS_UPDATED;
}

uint32_t eiota_model_next_generation(const eiota_model* m) {
  uint32_t g = m->state->generation + 1;
  m->state->generation = g == 0 ? 1 : g;
  return m->state->generation;
}

int eiota_model_restore(const eiota_model* m) {
  eiota_model_next_generation(m);
  if (m->state->store != NULL) {  // the factory values serve from the next inference, also after a reset
    m->state->writer = NULL;
    eiota_store_close(m);
    return eiota_store_select(m, EIOTA_SLOT_FACTORY);
  }
  return restore_now(m);
}

// RAM backend.

// A region read in place (`eiota patch --storage flash`) has no RAM to write: only a store updates it.
static int ram_begin(void*, const eiota_model* m) {
  for (uint32_t i = 0; i < m->region_count; i++) {
    const eiota_region* r = eiota_model_region(m, i);
    if (!r) return EIOTA_ERR_STORAGE;
    if (!r->working) return EIOTA_ERR_NO_STORE;
  }
  return EIOTA_OK;
}

static int ram_write(void*, const eiota_model* m, uint32_t region, uint32_t offset,
                     const uint8_t* data, uint32_t len) {
  const eiota_region* r = eiota_model_region(m, region);
  if (!r || !r->working) return EIOTA_ERR_STORAGE;  // read in place: only a store can update it
  uint32_t size = eiota_region_size(r);
  if (offset > size || len > size - offset) return EIOTA_ERR_STORAGE;
  memcpy((uint8_t*)r->working + offset, data, len);
  return EIOTA_OK;
}

static int ram_commit(void*, const eiota_model*, uint64_t) { return EIOTA_OK; }

static int ram_restore(void*, const eiota_model* m) {
  for (uint32_t i = 0; i < m->region_count; i++) {
    const eiota_region* r = eiota_model_region(m, i);
    if (!r) return EIOTA_ERR_STORAGE;
    if (r->working) memcpy(r->working, r->factory, eiota_region_size(r));
  }
  return EIOTA_OK;
}

const eiota_storage eiota_ram_storage = {NULL, ram_begin, ram_write, ram_commit, ram_restore};
