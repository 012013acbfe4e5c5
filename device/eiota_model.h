// What `eiota patch` generates for a model, and the state the runtime keeps about it.
//
// A region is one array of replaceable values. Its factory copy stays const in flash; the values
// inference reads live behind `working`. All writes go through an eiota_storage so that the RAM
// backend here and a flash A/B backend share one update path.
#ifndef EIOTA_MODEL_H
#define EIOTA_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "eiota_errors.h"

// Placement of the working copies of the model values (RAM mode). Define it before building to
// put them elsewhere, e.g. -DEIOTA_RAM_ATTR=EXT_RAM_BSS_ATTR for an ESP32's PSRAM.
#ifndef EIOTA_RAM_ATTR
#define EIOTA_RAM_ATTR
#endif

#ifndef __cplusplus
#include <stdbool.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eiota_region eiota_region;
typedef struct eiota_block eiota_block;
typedef struct eiota_model_state eiota_model_state;
typedef struct eiota_storage eiota_storage;
typedef struct eiota_model eiota_model;
typedef struct eiota_store eiota_store;  // eiota_store.h
struct eiota_update;                     // eiota_update.h

// Reads the values of a compressed payload (1.3, EIOTA_FLAG_DEFLATE). `eiota patch --inflate` points
// the table at eiota_update_inflate (eiota_update_inflate.cpp); NULL refuses such payloads, and
// then the decoder is not linked.
typedef int (*eiota_inflate_fn)(struct eiota_update* u, const uint8_t** data, size_t* len);

// eiota_region.flags
#define EIOTA_REGION_PREFIX 1u  // a payload may send fewer elements; the device zero-fills the rest

struct eiota_region {
  const void* factory;  // const, in flash
  void* working;        // the RAM working copy the SDK reads, or NULL: read in place from the
                        // serving slot (`eiota patch --storage flash`), or the factory values
  uint32_t count;       // elements
  uint8_t elem_type;    // enum eiota_elem_type
  uint8_t flags;        // EIOTA_REGION_* (here and eiota_slot_layout.h); 0 (the default of older
                        // generated tables): the payload sends every element
  uint32_t slot_offset; // where a slot keeps the values (eiota_slot_layout.h); 0 in tables generated
                        // before slots, which a store refuses
};

// The regions of one compiled model file (one learn block), in structural order.
struct eiota_block {
  const eiota_region* regions;
  uint32_t count;
};

enum eiota_status {
  EIOTA_STATUS_FACTORY = 0,   // factory values active
  EIOTA_STATUS_UPDATED = 1,   // a payload's values active
  EIOTA_STATUS_UPDATING = 2,  // values being written: inference refused
  EIOTA_STATUS_FAILED = 3     // restore failed: inference refused until a restore succeeds
};

// Bytes of a payload's data_sha256 the state keeps to tell whether an equal sequence is the same
// payload: only payloads signed by the trusted key are compared, so a prefix suffices.
#define EIOTA_DIGEST_KEPT 8

struct eiota_model_state {
  uint8_t loaded;            // working copy filled from factory values
  uint8_t status;            // eiota_status
  int16_t last_error;        // eiota_err of the last failed update, 0 if none
  uint32_t generation;       // never 0; bumped by every restore and by each update that starts
                             // writing: an update that was writing before that is void
  uint64_t applied_sequence; // sequence of the active payload, 0 for factory
  uint64_t sequence_floor;   // highest sequence ever applied (anti-rollback)
  const void* writer;        // the eiota_update context writing the values now, NULL if none
  eiota_store* store;        // the slots updates go to (eiota_store.h), NULL: RAM only
  uint8_t applied_digest[EIOTA_DIGEST_KEPT]; // first bytes of the active payload's data_sha256
  uint8_t floor_digest[EIOTA_DIGEST_KEPT];   // RAM mode: those of the payload that set sequence_floor
  uint8_t values_digest[EIOTA_DIGEST_KEPT];  // RAM mode: first bytes of the active payload's full-data
                                             // digest (the base a delta names), valid while UPDATED
};

// The storage seam. Every function returns EIOTA_OK or a negative eiota_err.
struct eiota_storage {
  void* ctx;
  // An authenticated payload is about to write values.
  int (*begin)(void* ctx, const eiota_model* m);
  // Writes `len` bytes at byte `offset` of region `region` (global index).
  int (*write)(void* ctx, const eiota_model* m, uint32_t region, uint32_t offset,
               const uint8_t* data, uint32_t len);
  // All values written and verified: make them the active ones.
  int (*commit)(void* ctx, const eiota_model* m, uint64_t sequence);
  // Make the factory values the active ones.
  int (*restore)(void* ctx, const eiota_model* m);
};

struct eiota_model {
  const eiota_block* blocks;
  uint32_t block_count;
  uint32_t region_count;        // over all blocks
  const uint8_t* fingerprint;   // EIOTA_FINGERPRINT_LEN bytes
  const uint8_t* public_key;    // Ed25519, 32 bytes
  uint32_t key_id;              // first 4 bytes (LE) of SHA-256(public_key)
  eiota_model_state* state;
  const eiota_storage* storage;
  const uint8_t* factory_digest; // 32 bytes: SHA-256 of every region's factory values in region order
                                 // (the base of a delta on factory); NULL in tables generated before 1.2
  eiota_inflate_fn inflate;      // eiota_update_inflate, or NULL: compressed payloads refused
};

// Region by global index, or NULL past the end.
const eiota_region* eiota_model_region(const eiota_model* m, uint32_t index);

// Bytes of a region's values (count * element size).
uint32_t eiota_region_size(const eiota_region* r);

// Called by the patched model init before every inference: fills the working copy from the
// factory values the first time, and says whether inference may run now.
bool eiota_model_ready(const eiota_model* m);

// The values inference reads now for region `index`: the working copy when the region has one,
// else the serving slot's bytes (memory-mapped) or the factory array. NULL past the end. For an
// EIOTA_REGION_COUNTED region the int32 element count sits just before the returned pointer.
const void* eiota_region_values(const eiota_model* m, uint32_t index);

// Makes the factory values active. Always allowed, also mid-update (an abandoned push update
// would otherwise block inference until reboot); the interrupted update then fails with
// EIOTA_ERR_STATE and writes nothing more.
int eiota_model_restore(const eiota_model* m);

// Voids every update that has started writing; returns the new generation (never 0).
uint32_t eiota_model_next_generation(const eiota_model* m);

// The decoder's side of the reader, for eiota_model.inflate.
int eiota_update_inflate(struct eiota_update* u, const uint8_t** data, size_t* len);

// The RAM backend: working copies are RAM arrays, restore copies the factory values back.
extern const eiota_storage eiota_ram_storage;

// The model `eiota patch` generated for this library.
extern const eiota_model eiota_default_model;

#ifdef __cplusplus
}
#endif

#endif  // EIOTA_MODEL_H
