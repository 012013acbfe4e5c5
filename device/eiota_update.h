// Applying a payload: a push API (begin / write / finish) that takes bytes in any chunking, and a
// pull API over a read callback. The caller owns the eiota_update context (about 1.5 KB on Cortex-M4);
// nothing is allocated.
//
// Values are written only after the header and region table have passed the Ed25519 check.
// RAM mode: on any failure after the first value was written, the factory values are restored
// before the call returns, so inference never runs on a mix of old and new values. With a slot
// store (eiota_store.h) the values go to a slot nobody serves; a failure leaves the serving model.
#ifndef EIOTA_UPDATE_H
#define EIOTA_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "eiota_ed25519.h"
#include "eiota_format.h"
#include "eiota_inflate.h"
#include "eiota_model.h"
#include "eiota_sha256.h"

// At most this many table entries may be shorter than their region (EIOTA_REGION_PREFIX).
#define EIOTA_MAX_SHORT_ENTRIES 4

#define EIOTA_UPDATE_APPLY 0
#define EIOTA_UPDATE_CHECK 1  // a stored slot re-validated: every check but the sequence, nothing written

typedef struct eiota_update {
  const eiota_model* model;
  uint8_t phase;
  int16_t error;             // first error, sticky
  uint32_t head_len;         // bytes of head collected
  uint32_t piece_len;
  eiota_header header;
  uint32_t entry_index;      // table entries read
  uint64_t data_sum;         // sum of stored_len over the table; from the data on, the regions' bytes read
  uint64_t values_sum;       // sum of count * element size over the table
  uint32_t data_end;         // bytes of data section this reading takes (a slot holds compressed values decoded)
  uint32_t region;           // data cursor: region index and byte offset inside it
  uint32_t region_offset;
  uint32_t region_size;
  uint32_t data_seen;
  uint8_t writing;           // storage begun: a failure must restore
  uint8_t short_count;       // entries shorter than their region, listed below
  uint32_t short_region[EIOTA_MAX_SHORT_ENTRIES];
  uint32_t short_len[EIOTA_MAX_SHORT_ENTRIES];  // bytes sent; the rest of the region is zero-filled
  uint32_t generation;       // the model state's generation since this update started writing, 0 before
  uint8_t mode;              // EIOTA_UPDATE_APPLY, or EIOTA_UPDATE_CHECK: verify only, any sequence
  uint8_t verify_only;       // the payload is the one active (equal sequence and hash): write nothing
  uint8_t to_store;          // values go to a slot of the model's store
  // EIOTA_FLAG_DELTA (1.2): the regions the table names, as runs [first, end) of consecutive ones.
  uint8_t run_count;
  uint8_t base_slot;         // with a store: the slot (or factory) unchanged regions are copied from
  uint32_t run_first[EIOTA_MAX_DELTA_RUNS];
  uint32_t run_end[EIOTA_MAX_DELTA_RUNS];
  uint32_t copied_to;        // with a store: regions below this are in the slot being written
  uint8_t values_digest[EIOTA_DIGEST_KEPT];  // full-data digest of the values once applied (RAM mode keeps it)
  uint8_t inflating;         // EIOTA_FLAG_DEFLATE: a region's stream is being decoded
  eiota_sha256 sha;
  union {                    // what the header and table need, then (1.3) the decoder
    struct {
      uint8_t head[EIOTA_MAX_HEADER_LEN];  // kept until the signature arrives to start the hash
      uint8_t piece[EIOTA_SIGNATURE_LEN];  // the signature, then one table entry at a time
      eiota_ed25519_verify_ctx ed;
    } sig;
    eiota_inflate z;
  } scratch;
} eiota_update;

#ifdef __cplusplus
extern "C" {
#endif

// Starts an update of model `m`. `u` may be uninitialised, or a context used before: if it
// was still writing values, that update is abandoned and the factory values are restored.
void eiota_update_begin(eiota_update* u, const eiota_model* m);

// Like eiota_update_begin, for EIOTA_UPDATE_CHECK: the payload is only judged.
void eiota_update_begin_check(eiota_update* u, const eiota_model* m);

// Feeds the next `len` bytes (`data` may be NULL when `len` is 0). Returns EIOTA_OK or the
// (sticky) error.
int eiota_update_write(eiota_update* u, const uint8_t* data, size_t len);

// Ends the stream: checks the values' SHA-256 and makes them active. Returns EIOTA_OK or the error.
int eiota_update_finish(eiota_update* u);

// Abandons the update (the stream broke); restores factory values if any were written.
void eiota_update_abort(eiota_update* u, int err);

// Bytes still needed to complete the payload, or UINT32_MAX while the header is incomplete.
uint32_t eiota_update_remaining(const eiota_update* u);

// Pull API. The callback fills up to `max` bytes and returns how many (> 0), 0 at end of stream,
// or a negative eiota_err (for example EIOTA_ERR_TIMEOUT). Called with max == 0 it must not
// block: it returns 1 if more bytes are available right now, else 0 (used to detect oversize).
typedef int (*eiota_read_fn)(void* ctx, uint8_t* buf, uint32_t max);

// Reads a whole payload from `read` and applies it. Returns EIOTA_OK or the error.
int eiota_update_pull(eiota_update* u, const eiota_model* m, eiota_read_fn read, void* ctx);

#ifdef __cplusplus
}
#endif

#endif  // EIOTA_UPDATE_H
