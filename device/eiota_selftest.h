// The self-test block (docs/FORMAT.md, "Self-test block"): test inputs and the outputs the
// retrained export computes for them, carried as a 1.1 payload's extra data; its codec, and the
// runner a device uses to check its model against it before confirming a trial.
//
// C99 or C++11, no heap. The runner reads the block piece by piece through a callback (from a
// slot in flash, a file, RAM): it never holds a whole sample, only a few values at a time, so
// models with hundreds of inputs need no more RAM than tiny ones. It neither confirms nor
// reverts: the caller (eiota_store_selftest) decides from its result.
//
// How eiota_store_selftest uses it, over the serving slot: the block is the payload's extra data,
// `extra_len` bytes (eiota_decode_header_ext of the slot's header) from
// eiota_slot_extra_start(end of the last region) on; `read` adds that offset and calls
// eiota_flash_read on the slot's flash; `infer`/`ctx` are the application's (for EI SDKs
// eiota_selftest_ei_infer from eiota_selftest_ei.h). Then: EIOTA_OK -> confirm;
// EIOTA_ERR_SELFTEST_FAILED or EIOTA_ERR_SELFTEST_BLOCK -> revert with the self-test reason;
// any other error (the flash read failed) -> neither, the trial stays and the error is returned.
// A payload without EIOTA_FLAG_EXTRA has no self-test: the store says so without calling this.
#ifndef EIOTA_SELFTEST_H
#define EIOTA_SELFTEST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eiota_errors.h"
#include "eiota_format.h"

#define EIOTA_SELFTEST_MAGIC 0x54534945u  // the bytes "EIST"
#define EIOTA_SELFTEST_VERSION 1u
#define EIOTA_SELFTEST_HEADER_LEN 24u
#define EIOTA_SELFTEST_NONE 0xFFFFFFFFu  // report.fail_sample / fail_output when nothing failed

typedef struct eiota_selftest_header {
  uint8_t version;        // EIOTA_SELFTEST_VERSION
  uint8_t elem_type;      // of inputs and outputs: EIOTA_FLOAT32 (the only one defined)
  uint32_t sample_count;  // >= 1
  uint32_t input_count;   // per sample, >= 1
  uint32_t output_count;  // per sample, >= 1
  float tolerance;        // absolute, finite, >= 0; 0: bit for bit
} eiota_selftest_header;

enum eiota_selftest_decode_result {
  EIOTA_SELFTEST_OK = 0,
  EIOTA_SELFTEST_SHORT,          // fewer than 24 bytes
  EIOTA_SELFTEST_BAD_MAGIC,
  EIOTA_SELFTEST_BAD_VERSION,    // version or reserved bytes this runtime does not know
  EIOTA_SELFTEST_BAD_TYPE,       // element type other than float32
  EIOTA_SELFTEST_BAD_COUNTS,     // a count of 0
  EIOTA_SELFTEST_BAD_TOLERANCE,  // negative, infinite or NaN
  EIOTA_SELFTEST_BAD_LENGTH      // the samples the counts claim do not fill the block exactly
};

static inline float eiota_selftest_get_f32(const uint8_t* p) {
  uint32_t u = eiota_get_u32(p);
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static inline void eiota_selftest_put_f32(uint8_t* p, float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  eiota_put_u32(p, u);
}

// Bytes one sample takes: its inputs then its expected outputs, 4 bytes each.
static inline uint64_t eiota_selftest_sample_len(const eiota_selftest_header* h) {
  return ((uint64_t)h->input_count + h->output_count) * 4u;
}

// Decodes the block header from its first `len` bytes (at least 24) and checks it against
// `block_len`, the block's whole length: every count and the exact length the samples take.
static inline enum eiota_selftest_decode_result eiota_selftest_decode(const uint8_t* p, size_t len, uint32_t block_len,
                                                                      eiota_selftest_header* h) {
  uint64_t per, body;
  if (len < EIOTA_SELFTEST_HEADER_LEN || block_len < EIOTA_SELFTEST_HEADER_LEN) return EIOTA_SELFTEST_SHORT;
  if (eiota_get_u32(p) != EIOTA_SELFTEST_MAGIC) return EIOTA_SELFTEST_BAD_MAGIC;
  h->version = p[4];
  h->elem_type = p[5];
  h->sample_count = eiota_get_u32(p + 8);
  h->input_count = eiota_get_u32(p + 12);
  h->output_count = eiota_get_u32(p + 16);
  h->tolerance = eiota_selftest_get_f32(p + 20);
  if (h->version != EIOTA_SELFTEST_VERSION || eiota_get_u16(p + 6) != 0) return EIOTA_SELFTEST_BAD_VERSION;
  if (h->elem_type != EIOTA_FLOAT32) return EIOTA_SELFTEST_BAD_TYPE;
  if (h->sample_count == 0 || h->input_count == 0 || h->output_count == 0) return EIOTA_SELFTEST_BAD_COUNTS;
  if (!(h->tolerance >= 0.0f) || h->tolerance > 3.402823466e38f) return EIOTA_SELFTEST_BAD_TOLERANCE;
  per = eiota_selftest_sample_len(h);  // < 2^35: no overflow
  body = block_len - EIOTA_SELFTEST_HEADER_LEN;
  if (per > body || body % per != 0 || body / per != h->sample_count) return EIOTA_SELFTEST_BAD_LENGTH;
  return EIOTA_SELFTEST_OK;
}

// Writes the 24-byte block header (version and reserved bytes as defined).
static inline void eiota_selftest_encode(const eiota_selftest_header* h, uint8_t* out) {
  eiota_put_u32(out, EIOTA_SELFTEST_MAGIC);
  out[4] = (uint8_t)EIOTA_SELFTEST_VERSION;
  out[5] = h->elem_type;
  eiota_put_u16(out + 6, 0);
  eiota_put_u32(out + 8, h->sample_count);
  eiota_put_u32(out + 12, h->input_count);
  eiota_put_u32(out + 16, h->output_count);
  eiota_selftest_put_f32(out + 20, h->tolerance);
}

static inline const char* eiota_selftest_decode_message(enum eiota_selftest_decode_result r) {
  switch (r) {
    case EIOTA_SELFTEST_OK: return "ok";
    case EIOTA_SELFTEST_SHORT: return "shorter than the 24-byte self-test header";
    case EIOTA_SELFTEST_BAD_MAGIC: return "bad magic: not a self-test block";
    case EIOTA_SELFTEST_BAD_VERSION: return "unsupported self-test version";
    case EIOTA_SELFTEST_BAD_TYPE: return "element type is not float32";
    case EIOTA_SELFTEST_BAD_COUNTS: return "a count of samples, inputs or outputs is 0";
    case EIOTA_SELFTEST_BAD_TOLERANCE: return "tolerance is negative, infinite or NaN";
    default: return "the samples the counts claim do not fill the block exactly";
  }
}

// ---- The runner ----

// Reads `len` bytes at `offset` of the block into `buf`: EIOTA_OK or an error (< 0).
typedef int (*eiota_selftest_read_fn)(void* src, uint32_t offset, uint8_t* buf, uint32_t len);

typedef struct eiota_selftest_report {
  int16_t result;             // what eiota_selftest_run returned
  uint8_t decode;             // eiota_selftest_decode_result (EIOTA_ERR_SELFTEST_BLOCK says why)
  uint32_t samples;           // in the block
  uint32_t inputs, outputs;   // per sample
  float tolerance;
  uint32_t samples_run;       // samples infer was called for
  uint32_t mismatches;        // outputs that did not match (a missing or extra output counts one)
  uint32_t fail_sample;       // first failure: sample and output index, EIOTA_SELFTEST_NONE if none;
  uint32_t fail_output;       // fail_output is EIOTA_SELFTEST_NONE when infer itself failed
  float expected, got;        // the values at the first mismatch
  int16_t infer_error;        // infer's return at fail_sample when it failed, else 0
  float worst_diff;           // largest |got - expected| compared; infinity for a NaN or an infinity that differs
} eiota_selftest_report;

#define EIOTA_SELFTEST_CACHE 16u  // expected outputs read ahead, in values

// One sample while infer runs: what infer reads its inputs from and writes its outputs to.
// The runner's own (on its stack); infer uses only the functions below.
typedef struct eiota_selftest_sample {
  eiota_selftest_read_fn read;
  void* src;
  eiota_selftest_report* report;
  uint32_t index;            // the sample's number
  uint32_t inputs_at;        // block offset of its first input
  uint32_t input_count;
  uint32_t expected_at;      // block offset of its first expected output
  uint32_t output_count;
  uint32_t given;            // outputs infer has written so far
  float tolerance;
  int16_t error;             // a read error while comparing
  uint32_t cache_first;      // output index of cache[0]
  uint32_t cache_len;        // values in cache
  uint8_t cache[EIOTA_SELFTEST_CACHE * 4];
} eiota_selftest_sample;

// Runs one sample through the model: fills its inputs with eiota_selftest_inputs (in any order,
// any number of times), runs inference, and gives every output in order with
// eiota_selftest_output. Returns 0 when inference ran, anything else when it failed.
typedef int (*eiota_infer_fn)(void* ctx, eiota_selftest_sample* sample);

#ifdef __cplusplus
extern "C" {
#endif

// Runs every sample of the block (`block_len` bytes, read through `read`) through `infer` and
// compares each output with the expected one: bit for bit when the tolerance is 0, else
// |got - expected| <= tolerance; a NaN never matches. Every sample runs even after a mismatch,
// so the report has the worst difference; an infer failure or a read error stops the run.
// Returns EIOTA_OK when every output of every sample matched; EIOTA_ERR_SELFTEST_FAILED when an
// output differed, was missing or extra, or infer failed; EIOTA_ERR_SELFTEST_BLOCK when the
// block is malformed (report->decode says how; nothing was run); a read error as `read` returned
// it (EIOTA_ERR_STORAGE for a positive one). `report` may be NULL.
int eiota_selftest_run(eiota_selftest_read_fn read, void* src, uint32_t block_len, eiota_infer_fn infer, void* ctx,
                       eiota_selftest_report* report);

uint32_t eiota_selftest_input_count(const eiota_selftest_sample* s);
uint32_t eiota_selftest_output_count(const eiota_selftest_sample* s);
// Copies inputs [offset, offset + count) of the sample into `out` (an EI signal_t get_data):
// EIOTA_OK, EIOTA_ERR_SIZE_MISMATCH past the sample's inputs, or the read error.
int eiota_selftest_inputs(eiota_selftest_sample* s, uint32_t offset, uint32_t count, float* out);
// The sample's next output: compared with the expected one at once. EIOTA_OK when it matched,
// EIOTA_ERR_SELFTEST_FAILED when not (or when it is one too many), or a read error.
int eiota_selftest_output(eiota_selftest_sample* s, float value);

#ifdef __cplusplus
}
#endif

#endif  // EIOTA_SELFTEST_H
