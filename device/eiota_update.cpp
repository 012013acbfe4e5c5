#include "eiota_update.h"

#include <string.h>

#include "eiota_slot_layout.h"
#include "eiota_store.h"
#include "eiota_update_internal.h"

// Out of line: one copy for two callers, or a frame of its own.
#if defined(__GNUC__)
#define EIOTA_NOINLINE __attribute__((noinline))
#else
#define EIOTA_NOINLINE
#endif

namespace {

enum Phase { kHeader, kSignature, kTable, kData, kEnd, kDone, kFailed };

// A restore, or another update that started writing, since this update started writing made it
// void: it must not touch the values again.
bool superseded(const eiota_update* u) {
  return u->generation != 0 && u->generation != u->model->state->generation;
}

void take_values(eiota_update* u) {
  u->writing = 1;
  u->generation = eiota_model_next_generation(u->model);
  u->model->state->writer = u;
}

int fail(eiota_update* u, int err) {
  if (u->phase == kFailed) return u->error;
  u->phase = kFailed;
  u->error = (int16_t)err;
  const eiota_model* m = u->model;
  if (superseded(u) || u->mode == EIOTA_UPDATE_CHECK) return err;  // the values are someone else's, or never ours
  m->state->last_error = (int16_t)err;
  if (u->writing && u->to_store) {  // the serving values were never touched
    u->writing = 0;
    m->state->writer = NULL;
    eiota_store_close(m);
  } else if (u->writing) {
    u->writing = 0;
    m->state->writer = NULL;
    m->state->status = EIOTA_STATUS_FAILED;  // stays so if the restore fails
    if (m->storage->restore(m->storage->ctx, m) == EIOTA_OK) {
      m->state->status = EIOTA_STATUS_FACTORY;
      m->state->applied_sequence = 0;
    }
  }
  return err;
}

// Appends input to `dst` until it holds `want` bytes. Returns true once it does.
bool collect(uint8_t* dst, uint32_t* have, uint32_t want, const uint8_t** data, size_t* len) {
  uint32_t take = want - *have;
  if (take > *len) take = (uint32_t)*len;
  if (take == 0) return *have == want;  // *data may be NULL
  memcpy(dst + *have, *data, take);
  *have += take;
  *data += take;
  *len -= take;
  return *have == want;
}

bool is_delta(const eiota_update* u) { return (u->header.flags & EIOTA_FLAG_DELTA) != 0; }
bool deflated(const eiota_update* u) { return (u->header.flags & EIOTA_FLAG_DEFLATE) != 0; }

// An entry's encoding is the payload's: with EIOTA_FLAG_DEFLATE every entry's, else none.
EIOTA_NOINLINE bool encoding_ok(const eiota_update* u, const eiota::Entry& e) {
  return e.reserved == 0 && e.encoding == (deflated(u) ? eiota::kDeflate : eiota::kRaw);
}

// Counts an entry's bytes as sent and decoded; a compressed stream has its own length (at least a byte).
EIOTA_NOINLINE int count_bytes(eiota_update* u, const eiota::Entry& e, uint64_t size) {
  if (deflated(u) ? e.stored_len == 0 : e.stored_len != size) return EIOTA_ERR_SIZE_MISMATCH;
  u->data_sum += e.stored_len;
  u->values_sum += size;
  return EIOTA_OK;
}

// --- Delta payloads (1.2, EIOTA_FLAG_DELTA) -------------------------------------------------------

// A delta needs whole regions to carry (no prefix region, whose unsent tail has no agreed value)
// and, in RAM mode, a working copy of every region to keep the unchanged values in.
int delta_model_ok(const eiota_update* u) {
  const eiota_model* m = u->model;
  for (uint32_t i = 0; i < m->region_count; i++) {
    const eiota_region* r = eiota_model_region(m, i);
    if (r == NULL) return EIOTA_ERR_SIZE_MISMATCH;
    if (r->flags & EIOTA_REGION_PREFIX) return EIOTA_ERR_UNSUPPORTED;
    if (u->mode == EIOTA_UPDATE_APPLY && m->state->store == NULL && r->working == NULL) return EIOTA_ERR_UNSUPPORTED;
  }
  return EIOTA_OK;
}

// The base the delta names must be what serves now: its sequence and full-data digest, or for
// base sequence 0 the factory values' digest the generated table carries.
int delta_check_base(eiota_update* u) {
  const eiota_model* m = u->model;
  const eiota_model_state* s = m->state;
  uint64_t sequence = 0;
  uint8_t digest[32];
  uint32_t compare = 32;
  if (s->store != NULL) {
    int err = eiota_store_base(m, &u->base_slot, &sequence, digest);
    if (err != EIOTA_OK) return err;
  } else if (s->status == EIOTA_STATUS_UPDATED) {
    sequence = s->applied_sequence;
    memcpy(digest, s->values_digest, EIOTA_DIGEST_KEPT);
    compare = EIOTA_DIGEST_KEPT;  // the assembled values are proven in full by result_digest
  } else if (s->status == EIOTA_STATUS_FACTORY) {
    if (m->factory_digest == NULL) return u->header.base_sequence == 0 ? EIOTA_ERR_NO_BASE_DIGEST : EIOTA_ERR_WRONG_BASE;
    memcpy(digest, m->factory_digest, 32);
  } else {
    return EIOTA_ERR_WRONG_BASE;
  }
  if (sequence != u->header.base_sequence || memcmp(digest, u->header.base_digest, compare) != 0)
    return EIOTA_ERR_WRONG_BASE;
  return EIOTA_OK;
}

// An entry of a delta: a whole region, after the one before it; consecutive regions join a run.
int check_delta_entry(eiota_update* u, const eiota::Entry& e) {
  const eiota_region* r = eiota_model_region(u->model, e.region);
  uint32_t next = u->run_count == 0 ? 0 : u->run_end[u->run_count - 1];
  if (!r || e.region < next) return EIOTA_ERR_SIZE_MISMATCH;  // strictly increasing
  if (!encoding_ok(u, e)) return EIOTA_ERR_UNSUPPORTED;
  uint64_t size = (uint64_t)e.count * eiota_elem_size(r->elem_type);
  if (e.elem_type != r->elem_type || e.count != r->count) return EIOTA_ERR_SIZE_MISMATCH;
  int err = count_bytes(u, e, size);
  if (err != EIOTA_OK) return err;
  if (u->run_count > 0 && e.region == next) {
    u->run_end[u->run_count - 1]++;
  } else {
    if (u->run_count == EIOTA_MAX_DELTA_RUNS) return EIOTA_ERR_UNSUPPORTED;
    u->run_first[u->run_count] = e.region;
    u->run_end[u->run_count] = e.region + 1;
    u->run_count++;
  }
  return EIOTA_OK;
}

bool carries(const eiota_update* u, uint32_t region) {
  if (!is_delta(u)) return true;
  for (uint32_t i = 0; i < u->run_count; i++)
    if (region >= u->run_first[i] && region < u->run_end[i]) return true;
  return false;
}

// With a store, the slot gets every region in ascending order: those the delta does not carry are
// copied from the base (the serving slot, or the factory arrays) before region `below`.
int delta_copy_until(eiota_update* u, uint32_t below) {
  if (!u->to_store || u->mode != EIOTA_UPDATE_APPLY || u->verify_only) return EIOTA_OK;
  for (; u->copied_to < below; u->copied_to++) {
    if (carries(u, u->copied_to)) continue;
    int err = eiota_store_copy_region(u->model, u->base_slot, u->copied_to);
    if (err != EIOTA_OK) return err;
  }
  return EIOTA_OK;
}

// The hash so far covers exactly the regions' values: keep the first bytes of its digest, the
// full-data digest of a full payload that carries extra data.
void values_hashed(eiota_update* u) {
  if (is_delta(u)) return;
  eiota_sha256 copy = u->sha;
  uint8_t digest[32];
  eiota_sha256_final(&copy, digest);
  memcpy(u->values_digest, digest, EIOTA_DIGEST_KEPT);
}

// Before commit: every region's values, assembled, must hash to result_digest.
int delta_check_result(eiota_update* u) {
  const eiota_model* m = u->model;
  int err = delta_copy_until(u, m->region_count);
  if (err != EIOTA_OK) return err;
  if (u->to_store) return eiota_store_check_result(m, u->header.result_digest);
  eiota_sha256 sha;
  eiota_sha256_init(&sha);
  for (uint32_t i = 0; i < m->region_count; i++) {
    const void* v = eiota_region_values(m, i);
    if (v == NULL) return EIOTA_ERR_STORAGE;
    eiota_sha256_update(&sha, (const uint8_t*)v, eiota_region_size(eiota_model_region(m, i)));
  }
  uint8_t digest[32];
  eiota_sha256_final(&sha, digest);
  return memcmp(digest, u->header.result_digest, 32) == 0 ? EIOTA_OK : EIOTA_ERR_DELTA_RESULT;
}

// --------------------------------------------------------------------------------------------------

int check_header(eiota_update* u) {
  eiota::Header* h = &u->header;
  switch (eiota::decode_header(u->scratch.sig.head, u->head_len, h)) {
    case eiota::kDecodeOk: break;
    case eiota::kDecodeBadMagic: return EIOTA_ERR_BAD_MAGIC;
    case eiota::kDecodeBadFlags: return EIOTA_ERR_UNSUPPORTED;
    default: return EIOTA_ERR_BAD_VERSION;
  }
  const eiota_model* m = u->model;
  if (memcmp(h->fingerprint, m->fingerprint, eiota::kFingerprintLen) != 0)
    return EIOTA_ERR_WRONG_MODEL;
  if (h->key_id != m->key_id) return EIOTA_ERR_UNKNOWN_KEY;
  if (h->flags & EIOTA_FLAG_DELTA) {  // a delta's table lists some of the regions
    if (h->region_count > m->region_count) return EIOTA_ERR_SIZE_MISMATCH;
    int err = delta_model_ok(u);
    if (err != EIOTA_OK) return err;
  } else if (h->region_count != m->region_count) {
    return EIOTA_ERR_SIZE_MISMATCH;
  }
  if (u->mode == EIOTA_UPDATE_CHECK) return EIOTA_OK;  // a slot holds its values decoded
  if ((h->flags & EIOTA_FLAG_DEFLATE) && m->inflate == NULL) return EIOTA_ERR_UNSUPPORTED;  // no decoder linked
  const eiota_model_state* s = m->state;
  if (h->sequence < s->sequence_floor) return EIOTA_ERR_OLD_SEQUENCE;
  if (h->sequence == s->sequence_floor && s->sequence_floor != 0) {
    // An accepted release number names one payload. Sent again while it serves (a retried
    // download) it is verified and nothing is written; in RAM mode it may also be applied again
    // after a restore. Any other payload under that number is refused, and so is, with slots, a
    // release that was reverted or rejected here.
    bool serving = s->status == EIOTA_STATUS_UPDATED && s->applied_sequence == h->sequence &&
                   memcmp(s->applied_digest, h->data_sha256, EIOTA_DIGEST_KEPT) == 0;
    if (serving) {
      u->verify_only = 1;
    } else if (s->store != NULL || memcmp(s->floor_digest, h->data_sha256, EIOTA_DIGEST_KEPT) != 0) {
      return EIOTA_ERR_OLD_SEQUENCE;
    }
  }
  return EIOTA_OK;
}

// Payload bytes before the data go verbatim to the start of the slot.
int stage(eiota_update* u, uint32_t at, const uint8_t* data, uint32_t len) {
  return u->to_store ? eiota_store_put(u->model, at, data, len) : EIOTA_OK;
}

uint32_t table_at(const eiota_update* u) { return eiota::table_offset(u->header.header_len); }

// The whole header is in: its 1.1 fields, and a store picks and prepares the slot.
int header_done(eiota_update* u) {
  switch (eiota_decode_header_ext(u->scratch.sig.head, u->head_len, &u->header)) {
    case EIOTA_DECODE_OK: break;
    case EIOTA_DECODE_BAD_FLAGS: return EIOTA_ERR_UNSUPPORTED;
    default: return EIOTA_ERR_BAD_VERSION;
  }
  const eiota_model* m = u->model;
  memcpy(u->values_digest, is_delta(u) ? u->header.result_digest : u->header.data_sha256, EIOTA_DIGEST_KEPT);
  if (is_delta(u) && u->mode == EIOTA_UPDATE_APPLY && !u->verify_only) {
    int err = delta_check_base(u);
    if (err != EIOTA_OK) return err;
  }
  if (u->mode == EIOTA_UPDATE_APPLY && !u->verify_only && m->state->store != NULL) {
    int err = eiota_store_open(m, &u->header, u->scratch.sig.head);
    if (err != EIOTA_OK) return err;
    u->to_store = 1;
    take_values(u);  // the slot is ours: an update that was writing it is void
  }
  u->phase = kSignature;
  return stage(u, 0, u->scratch.sig.head, u->head_len);
}

int check_entry(eiota_update* u) {
  eiota::Entry e = eiota::Entry();
  if (eiota::decode_entry(u->scratch.sig.piece, u->piece_len, &e) != eiota::kDecodeOk) return EIOTA_ERR_STATE;
  if (is_delta(u)) return check_delta_entry(u, e);
  const eiota_region* r = eiota_model_region(u->model, u->entry_index);
  if (e.region != u->entry_index || !r) return EIOTA_ERR_SIZE_MISMATCH;
  if (!encoding_ok(u, e)) return EIOTA_ERR_UNSUPPORTED;
  uint64_t size = (uint64_t)e.count * eiota_elem_size(r->elem_type);
  if (e.elem_type != r->elem_type) return EIOTA_ERR_SIZE_MISMATCH;
  if (e.count != r->count) {  // only a prefix region may be sent short, and never long
    if (!(r->flags & EIOTA_REGION_PREFIX) || e.count > r->count) return EIOTA_ERR_SIZE_MISMATCH;
    if (u->short_count == EIOTA_MAX_SHORT_ENTRIES) return EIOTA_ERR_UNSUPPORTED;
    u->short_region[u->short_count] = e.region;
    u->short_len[u->short_count] = (uint32_t)size;
    u->short_count++;
  }
  return count_bytes(u, e, size);
}

int read_header(eiota_update* u, const uint8_t** data, size_t* len) {
  uint32_t want = u->head_len < eiota::kHeaderLen ? eiota::kHeaderLen : u->header.header_len;
  if (!collect(u->scratch.sig.head, &u->head_len, want, data, len)) return EIOTA_OK;
  if (want == eiota::kHeaderLen) {
    int err = check_header(u);
    if (err != EIOTA_OK) return err;
    if (u->header.header_len > eiota::kHeaderLen) return EIOTA_OK;  // extra bytes follow
  }
  return header_done(u);
}

int read_signature(eiota_update* u, const uint8_t** data, size_t* len) {
  if (!collect(u->scratch.sig.piece, &u->piece_len, eiota::kSignatureLen, data, len)) return EIOTA_OK;
  eiota_ed25519_verify_init(&u->scratch.sig.ed, u->scratch.sig.piece, u->model->public_key);
  eiota_ed25519_verify_update(&u->scratch.sig.ed, u->scratch.sig.head, u->head_len);
  u->piece_len = 0;
  u->phase = kTable;
  return stage(u, u->head_len, u->scratch.sig.piece, eiota::kSignatureLen);
}

int end_table(eiota_update* u) {
  if (u->data_sum + u->header.extra_len != u->header.data_len) return EIOTA_ERR_SIZE_MISMATCH;
  if (!eiota_ed25519_verify_final(&u->scratch.sig.ed)) return EIOTA_ERR_BAD_SIGNATURE;
  if (deflated(u) && u->mode == EIOTA_UPDATE_CHECK) u->data_sum = u->values_sum;  // a slot's values are decoded
  uint64_t end = u->data_sum + u->header.extra_len;
  if (end > UINT32_MAX) return EIOTA_ERR_SIZE_MISMATCH;
  u->data_end = (uint32_t)end;
  eiota_sha256_init(&u->sha);
  u->phase = u->data_end == 0 ? kEnd : kData;
  return EIOTA_OK;
}

int read_table(eiota_update* u, const uint8_t** data, size_t* len) {
  if (u->entry_index == u->header.region_count) return end_table(u);
  if (!collect(u->scratch.sig.piece, &u->piece_len, eiota::kEntryLen, data, len)) return EIOTA_OK;
  eiota_ed25519_verify_update(&u->scratch.sig.ed, u->scratch.sig.piece, eiota::kEntryLen);
  int err = check_entry(u);
  if (err == EIOTA_OK) err = stage(u, table_at(u) + eiota::kEntryLen * u->entry_index, u->scratch.sig.piece, eiota::kEntryLen);
  if (err != EIOTA_OK) return err;
  u->piece_len = 0;
  u->entry_index++;
  return u->entry_index == u->header.region_count ? end_table(u) : EIOTA_OK;
}

// Bytes of region `region` the payload carries (decoded).
uint32_t sent_size(const eiota_update* u, uint32_t region) {
  if (!carries(u, region)) return 0;
  for (uint32_t i = 0; i < u->short_count; i++)
    if (u->short_region[i] == region) return u->short_len[i];
  return eiota_region_size(eiota_model_region(u->model, region));
}

// Moves the data cursor to the next region that still has bytes to receive.
void seek_region(eiota_update* u) {
  while (u->region < u->model->region_count) {
    u->region_size = sent_size(u, u->region);
    if (u->region_offset < u->region_size) return;
    u->region++;
    u->region_offset = 0;
  }
}

// Writes the next `take` bytes of the current region: to the RAM storage, or at the region's
// place in the slot, a counted region's count first.
int put_value(eiota_update* u, const uint8_t* data, uint32_t take) {
  const eiota_model* m = u->model;
  if (!u->to_store) return m->storage->write(m->storage->ctx, m, u->region, u->region_offset, data, take);
  const eiota_region* r = eiota_model_region(m, u->region);
  if (u->region_offset == 0 && is_delta(u)) {
    int err = delta_copy_until(u, u->region);
    if (err != EIOTA_OK) return err;
    u->copied_to = u->region + 1;
  }
  if (u->region_offset == 0 && (r->flags & EIOTA_REGION_COUNTED)) {
    uint8_t count[4];
    eiota_put_u32(count, r->count);
    int err = eiota_store_put(m, (uint64_t)r->slot_offset - 4u, count, 4);
    if (err != EIOTA_OK) return err;
  }
  return eiota_store_put(m, (uint64_t)r->slot_offset + u->region_offset, data, take);
}

int read_data(eiota_update* u, const uint8_t** data, size_t* len) {
  const eiota_model* m = u->model;
  bool writes = u->mode == EIOTA_UPDATE_APPLY && !u->verify_only;
  if (writes && !u->writing) {  // RAM: the values become the update's only now, past the signature
    if (u->header.sequence < m->state->sequence_floor) return EIOTA_ERR_OLD_SEQUENCE;  // applied meanwhile
    if (is_delta(u)) {  // the base may have changed since the header was checked
      int berr = delta_check_base(u);
      if (berr != EIOTA_OK) return berr;
    }
    int err = m->storage->begin(m->storage->ctx, m);
    if (err != EIOTA_OK) return err;
    take_values(u);  // the values are ours: any other update is void
    m->state->status = EIOTA_STATUS_UPDATING;
  }
  while (*len > 0 && u->data_seen < u->data_end) {
    uint32_t take;
    int err = EIOTA_OK;
    if (u->data_seen < u->data_sum && deflated(u) && u->mode == EIOTA_UPDATE_APPLY) {
      err = m->inflate(u, data, len);  // decodes, writes and hashes; moves the cursor and data_seen
      if (err != EIOTA_OK) return err;
      continue;
    }
    if (u->data_seen < u->data_sum) {
      seek_region(u);
      take = u->region_size - u->region_offset;
      if (take > *len) take = (uint32_t)*len;
      if (writes) err = put_value(u, *data, take);
      u->region_offset += take;
    } else {  // extra data: kept by a store, hashed by everyone
      uint32_t at = u->data_seen - (uint32_t)u->data_sum;
      take = u->data_end - u->data_seen;
      if (take > *len) take = (uint32_t)*len;
      if (at == 0) {
        values_hashed(u);
        if (writes && is_delta(u)) err = delta_copy_until(u, m->region_count);  // the extra data follows the regions
      }
      if (err != EIOTA_OK) return err;
      if (writes && u->to_store) err = eiota_store_put(m, eiota_store_extra_at(m) + at, *data, take);
    }
    if (err != EIOTA_OK) return err;
    eiota_sha256_update(&u->sha, *data, take);
    u->data_seen += take;
    *data += take;
    *len -= take;
  }
  if (u->data_seen == u->data_end) u->phase = kEnd;
  return EIOTA_OK;
}

// Clears what the short entries did not send: the rest of their regions is zeros.
int zero_fill(eiota_update* u) {
  static const uint8_t zeros[64] = {0};
  const eiota_model* m = u->model;
  for (uint32_t i = 0; i < u->short_count; i++) {
    uint32_t at = u->short_len[i];
    uint32_t end = eiota_region_size(eiota_model_region(m, u->short_region[i]));
    while (at < end) {
      uint32_t n = end - at < sizeof(zeros) ? end - at : (uint32_t)sizeof(zeros);
      int err = m->storage->write(m->storage->ctx, m, u->short_region[i], at, zeros, n);
      if (err != EIOTA_OK) return err;
      at += n;
    }
  }
  return EIOTA_OK;
}

}  // namespace

// For the decoder side (eiota_update_inflate.cpp); dropped from a build that does not link it.
bool eiota_internal::carries(const eiota_update* u, uint32_t region) { return ::carries(u, region); }
uint32_t eiota_internal::sent_size(const eiota_update* u, uint32_t region) { return ::sent_size(u, region); }
int eiota_internal::put_value(eiota_update* u, const uint8_t* data, uint32_t take) { return ::put_value(u, data, take); }

void eiota_update_begin(eiota_update* u, const eiota_model* m) {
  if (m->state->writer == u) {  // this context was still writing: that update is abandoned
    m->state->last_error = EIOTA_ERR_TRUNCATED;
    if (u->to_store) {
      m->state->writer = NULL;
      eiota_model_next_generation(m);
      eiota_store_close(m);
    } else {
      eiota_model_restore(m);
    }
  }
  memset(u, 0, sizeof(*u));
  u->model = m;
  u->phase = kHeader;
  if (m->state->store != NULL) {
    eiota_store_forget_resume(m);  // a resume is only for the context eiota_update_resume set up
  } else {
    eiota_model_ready(m);  // first use: the working copy must hold factory values
  }
}

void eiota_update_begin_check(eiota_update* u, const eiota_model* m) {
  memset(u, 0, sizeof(*u));
  u->model = m;
  u->phase = kHeader;
  u->mode = EIOTA_UPDATE_CHECK;
}

int eiota_update_write(eiota_update* u, const uint8_t* data, size_t len) {
  if (!u->model) return EIOTA_ERR_STATE;
  if (u->phase == kFailed) return u->error;
  if (u->phase == kDone) return EIOTA_ERR_STATE;
  if (superseded(u)) return fail(u, EIOTA_ERR_STATE);
  while (len > 0 || u->phase == kTable) {
    int err = EIOTA_OK;
    uint8_t before = u->phase;
    switch (u->phase) {
      case kHeader: err = read_header(u, &data, &len); break;
      case kSignature: err = read_signature(u, &data, &len); break;
      case kTable: err = read_table(u, &data, &len); break;
      case kData: err = read_data(u, &data, &len); break;
      default: err = EIOTA_ERR_OVERSIZE; break;  // kEnd: nothing more may come
    }
    if (err != EIOTA_OK) return fail(u, err);
    if (len == 0 && u->phase == before) break;
  }
  return EIOTA_OK;
}

int eiota_update_finish(eiota_update* u) {
  if (!u->model || u->phase == kDone) return EIOTA_ERR_STATE;
  if (u->phase == kFailed) return u->error;
  if (superseded(u)) return fail(u, EIOTA_ERR_STATE);
  if (u->phase != kEnd) return fail(u, EIOTA_ERR_TRUNCATED);
  uint8_t digest[32];
  eiota_sha256_final(&u->sha, digest);
  if (memcmp(digest, u->header.data_sha256, 32) != 0) return fail(u, EIOTA_ERR_HASH_MISMATCH);
  const eiota_model* m = u->model;
  if (u->mode == EIOTA_UPDATE_CHECK || u->verify_only) {
    u->phase = kDone;
    return EIOTA_OK;
  }
  if (u->header.sequence < m->state->sequence_floor) return fail(u, EIOTA_ERR_OLD_SEQUENCE);
  if (is_delta(u) && u->to_store) {
    int err = delta_check_result(u);
    if (err != EIOTA_OK) return fail(u, err);
  }
  if (u->to_store) {
    int err = eiota_store_commit(m, &u->header);
    if (err != EIOTA_OK) return fail(u, err);
    u->writing = 0;
    m->state->writer = NULL;
    m->state->last_error = 0;
    u->phase = kDone;
    return EIOTA_OK;
  }
  if (!u->writing) {  // no bytes of values: the payload still becomes the active one
    if (is_delta(u)) {
      int berr = delta_check_base(u);
      if (berr != EIOTA_OK) return fail(u, berr);
    }
    int err = m->storage->begin(m->storage->ctx, m);
    if (err != EIOTA_OK) return fail(u, err);
    take_values(u);
    m->state->status = EIOTA_STATUS_UPDATING;
  }
  int err = zero_fill(u);
  if (err == EIOTA_OK && is_delta(u)) err = delta_check_result(u);
  if (err != EIOTA_OK) return fail(u, err);
  err = m->storage->commit(m->storage->ctx, m, u->header.sequence);
  if (err != EIOTA_OK) return fail(u, err);
  u->writing = 0;
  m->state->writer = NULL;
  u->phase = kDone;
  eiota_model_state* s = m->state;
  s->status = EIOTA_STATUS_UPDATED;
  s->applied_sequence = u->header.sequence;
  memcpy(s->applied_digest, u->header.data_sha256, EIOTA_DIGEST_KEPT);
  memcpy(s->values_digest, u->values_digest, EIOTA_DIGEST_KEPT);
  if (u->header.sequence > s->sequence_floor) {
    s->sequence_floor = u->header.sequence;
    memcpy(s->floor_digest, u->header.data_sha256, EIOTA_DIGEST_KEPT);
  }
  s->last_error = 0;
  return EIOTA_OK;
}

void eiota_update_abort(eiota_update* u, int err) {
  if (u->model && u->phase != kDone) fail(u, err < 0 ? err : EIOTA_ERR_TRUNCATED);
}

uint32_t eiota_update_remaining(const eiota_update* u) {
  if (u->phase == kHeader && u->head_len < eiota::kHeaderLen) return UINT32_MAX;
  const eiota::Header& h = u->header;
  uint64_t total = (uint64_t)h.header_len + eiota::kSignatureLen +
                   (uint64_t)eiota::kEntryLen * h.region_count + h.data_len;
  uint64_t seen = u->head_len;
  if (u->phase >= kSignature) seen += u->phase == kSignature ? u->piece_len : eiota::kSignatureLen;
  if (u->phase >= kTable) seen += (uint64_t)u->entry_index * eiota::kEntryLen;
  if (u->phase == kTable) seen += u->piece_len;
  seen += u->data_seen;
  uint64_t left = total > seen ? total - seen : 0;
  return left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}


namespace {

// Reads the payload into `buf` and applies it until it is complete or, with `until_data`, until
// the data section starts. Returns EIOTA_OK or the error.
int pull_into(eiota_update* u, eiota_read_fn read, void* ctx, uint8_t* buf, uint32_t size, bool until_data) {
  for (;;) {
    if (until_data && u->phase >= kData) return EIOTA_OK;
    uint32_t want = eiota_update_remaining(u);
    if (want == 0) return EIOTA_OK;
    if (want == UINT32_MAX) want = eiota::kHeaderLen - u->head_len;  // never read past a short payload
    if (want > size) want = size;
    int n = read(ctx, buf, want);
    if (n < 0) return fail(u, n >= EIOTA_ERR_UPDATING ? n : EIOTA_ERR_TIMEOUT);  // unknown codes: the stream failed
    if (n == 0) return fail(u, EIOTA_ERR_TRUNCATED);
    if (n > (int)want) return fail(u, EIOTA_ERR_STATE);  // the callback broke its contract
    int err = eiota_update_write(u, buf, (size_t)n);
    if (err != EIOTA_OK) return err;
  }
}

// The values are read in a frame of their own with a large buffer: fewer, longer reads cost less
// per byte. Until then a small one does, on the stack while the signature is checked (the
// deepest call).
EIOTA_NOINLINE int pull_data(eiota_update* u, eiota_read_fn read, void* ctx) {
  uint8_t buf[512];
  return pull_into(u, read, ctx, buf, sizeof(buf), false);
}

}  // namespace

int eiota_update_pull(eiota_update* u, const eiota_model* m, eiota_read_fn read, void* ctx) {
  uint8_t head[16];
  eiota_update_begin(u, m);
  int err = pull_into(u, read, ctx, head, sizeof(head), true);
  if (err == EIOTA_OK) err = pull_data(u, read, ctx);
  if (err != EIOTA_OK) return err;
  if (read(ctx, head, 0) > 0) return fail(u, EIOTA_ERR_OVERSIZE);
  return eiota_update_finish(u);
}
