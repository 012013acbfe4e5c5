// The reader's decoder side (1.3, EIOTA_FLAG_DEFLATE): each region's values arrive as a DEFLATE
// stream and are inflated straight into their destination, hashed as they are produced. Linked
// only when the generated table points eiota_model.inflate here (`eiota patch --inflate`).
#include <string.h>

#include "eiota_store.h"
#include "eiota_update.h"
#include "eiota_update_internal.h"

namespace {

bool writes(const eiota_update* u) { return u->mode == EIOTA_UPDATE_APPLY && !u->verify_only; }

// The next decoded bytes of the current region: written where they go, and hashed.
int put(void* ctx, const uint8_t* data, uint32_t len) {
  eiota_update* u = static_cast<eiota_update*>(ctx);
  if (writes(u)) {
    int err = eiota_internal::put_value(u, data, len);
    if (err != EIOTA_OK) return err;
  }
  eiota_sha256_update(&u->sha, data, len);
  u->region_offset += len;
  return EIOTA_OK;
}

// Decoded bytes of the current region from `at`: from the slot being written, or from what
// inference reads (the working copy being written; when only verifying, the values that serve,
// which are the payload's: its hash tells).
int read_back(const eiota_update* u, uint32_t at, uint8_t* buf, uint32_t n) {
  const eiota_model* m = u->model;
  if (u->to_store) return eiota_store_read_back(m, (uint64_t)eiota_model_region(m, u->region)->slot_offset + at, buf, n);
  const uint8_t* v = static_cast<const uint8_t*>(eiota_region_values(m, u->region));
  if (v == NULL) return EIOTA_ERR_STORAGE;
  memcpy(buf, v + at, n);
  return EIOTA_OK;
}

// A match: `len` bytes repeating the output from `dist` back (the decoder checked dist against
// what was decoded), through a small buffer; a short distance repeats its pattern in it.
int copy(void* ctx, uint32_t dist, uint32_t len) {
  eiota_update* u = static_cast<eiota_update*>(ctx);
  uint8_t buf[64];
  while (len > 0) {
    uint32_t n = len < sizeof buf ? len : (uint32_t)sizeof buf;
    uint32_t k = dist < n ? dist : n;
    int err = read_back(u, u->region_offset - dist, buf, k);
    for (uint32_t i = k; i < n; i++) buf[i] = buf[i - k];
    if (err == EIOTA_OK) err = put(u, buf, n);
    if (err != EIOTA_OK) return err;
    len -= n;
  }
  return EIOTA_OK;
}

// After a stream: none may be missing when the streams' bytes are over.
bool streams_left(const eiota_update* u) {
  for (uint32_t r = u->region; r < u->model->region_count; r++)
    if (eiota_internal::carries(u, r)) return true;
  return false;
}

}  // namespace

extern "C" int eiota_update_inflate(eiota_update* u, const uint8_t** data, size_t* len) {
  const eiota_model* m = u->model;
  eiota_inflate* z = &u->scratch.z;
  if (!u->inflating) {  // the next entry's stream; every entry has one, also an empty region
    while (u->region < m->region_count && !eiota_internal::carries(u, u->region)) u->region++;
    if (u->region == m->region_count) return EIOTA_ERR_INFLATE;  // more bytes than the streams need
    u->region_offset = 0;
    u->region_size = eiota_internal::sent_size(u, u->region);
    eiota_inflate_init(z, u->region_size);
    u->inflating = 1;
  }
  uint64_t left = u->data_sum - u->data_seen;
  uint32_t n = *len < left ? (uint32_t)*len : (uint32_t)left;
  eiota_inflate_sink sink = {u, put, copy};
  uint32_t used = 0;
  int err = eiota_inflate_feed(z, *data, n, &sink, &used);
  *data += used;
  *len -= used;
  u->data_seen += used;
  if (err != EIOTA_OK) return err;
  if (eiota_inflate_done(z)) {
    u->inflating = 0;
    u->region++;
    if (u->data_seen == u->data_sum && streams_left(u)) return EIOTA_ERR_INFLATE;
  } else if (u->data_seen == u->data_sum) {
    return EIOTA_ERR_INFLATE;  // the table's bytes are over, the stream is not
  }
  return EIOTA_OK;
}
