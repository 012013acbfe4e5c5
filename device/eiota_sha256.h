// SHA-256 (FIPS 180-4), streaming.
//
// Contract: call eiota_sha256_init, then eiota_sha256_update any number of
// times with any chunking (len may be 0, data may then be NULL), then
// eiota_sha256_final, which writes the 32-byte digest. The digest depends only
// on the concatenated input, never on how it was split. After final the
// context must be re-initialised before reuse. No heap, no global state.
#ifndef EIOTA_SHA256_H
#define EIOTA_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct eiota_sha256 {
  uint32_t state[8];
  uint64_t length;    // message bytes absorbed so far
  uint8_t block[64];  // the (length % 64) bytes not yet compressed
} eiota_sha256;

#ifdef __cplusplus
extern "C" {
#endif

void eiota_sha256_init(eiota_sha256* ctx);
void eiota_sha256_update(eiota_sha256* ctx, const uint8_t* data, size_t len);
void eiota_sha256_final(eiota_sha256* ctx, uint8_t out[32]);

// The 64 round constants K_t of FIPS 180-4 (4.2.2). SHA-512's first 64 constants begin with the
// same 32 bits, so eiota_sha512.cpp keeps only their low halves.
extern const uint32_t eiota_sha256_k[64];

#ifdef __cplusplus
}
#endif

#endif
