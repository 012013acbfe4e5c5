// SHA-512 (FIPS 180-4), streaming. Used by Ed25519 verification.
//
// Contract: call eiota_sha512_init, then eiota_sha512_update any number of
// times with any chunking (len may be 0, data may then be NULL), then
// eiota_sha512_final, which writes the 64-byte digest. The digest depends only
// on the concatenated input, never on how it was split. After final the
// context must be re-initialised before reuse. Messages are limited to
// 2^64 - 1 bytes. No heap, no global state.
#ifndef EIOTA_SHA512_H
#define EIOTA_SHA512_H

#include <stddef.h>
#include <stdint.h>

typedef struct eiota_sha512 {
  uint64_t state[8];
  uint64_t length;     // message bytes absorbed so far
  uint8_t block[128];  // the (length % 128) bytes not yet compressed
} eiota_sha512;

#ifdef __cplusplus
extern "C" {
#endif

void eiota_sha512_init(eiota_sha512* ctx);
void eiota_sha512_update(eiota_sha512* ctx, const uint8_t* data, size_t len);
void eiota_sha512_final(eiota_sha512* ctx, uint8_t out[64]);

#ifdef __cplusplus
}
#endif

#endif
