// Ed25519 signature verification (RFC 8032, section 5.1.7).
//
// Contract: returns true only if sig (R || S) is a valid signature of the
// message under the public key pub. The strictness matches libsodium 1.0.18's
// crypto_sign_verify_detached:
//   - S must be canonical (S < L);
//   - pub must be a canonical encoding (y < p) of a curve point that is not of
//     small order (order 1, 2, 4 or 8);
//   - R must not be a small-order point;
//   - the check is the cofactorless [S]B - [k]A == R, compared on encodings,
//     with k = SHA-512(R || pub || M) mod L.
// Inputs are public, so the code is not constant time. No heap, no global
// state. Measured on an emulated Cortex-M4 (arm-none-eabi-gcc 12.2, -Os,
// bench/cortex_m/perf.sh): one verify of a 560-byte message takes about
// 1.48 M instructions; peak stack is 940 B for _final (1.25 KB for the one-shot
// call, which holds the context); code and tables take 6.35 KB of flash with
// SHA-512, which also uses the 256 B of SHA-256's round constants. On
// Cortex-M0 (no 64-bit multiply instruction) _final needs about 1.1 KB.
//
// Streaming use: _init with the signature and key, feed the message with
// _update in any chunking, then _final (once) for the verdict. The one-shot
// eiota_ed25519_verify wraps these.
#ifndef EIOTA_ED25519_H
#define EIOTA_ED25519_H

#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#include "eiota_sha512.h"

typedef struct eiota_ed25519_verify_ctx {
  eiota_sha512 hash;  // SHA-512 over R || A || M so far
  uint8_t sig[64];
  uint8_t pub[32];
} eiota_ed25519_verify_ctx;

#ifdef __cplusplus
extern "C" {
#endif

void eiota_ed25519_verify_init(eiota_ed25519_verify_ctx* ctx, const uint8_t sig[64],
                               const uint8_t pub[32]);
void eiota_ed25519_verify_update(eiota_ed25519_verify_ctx* ctx, const uint8_t* data, size_t len);
bool eiota_ed25519_verify_final(eiota_ed25519_verify_ctx* ctx);

bool eiota_ed25519_verify(const uint8_t sig[64], const uint8_t pub[32], const uint8_t* msg,
                          size_t len);

#ifdef __cplusplus
}
#endif

#endif
