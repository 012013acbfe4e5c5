// SHA-256 as specified in FIPS 180-4, sections 4.1.2, 5.1.1, 5.3.3 and 6.2.
#include "eiota_sha256.h"

#include <string.h>

// First 32 bits of the fractional parts of the cube roots of the first 64 primes.
const uint32_t eiota_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// First 32 bits of the fractional parts of the square roots of the first 8 primes.
static const uint32_t H0[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static inline uint32_t rotr(uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

static inline uint32_t load_be32(const uint8_t* p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void store_be32(uint8_t* p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

#define S0(x) (rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22))
#define S1(x) (rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25))
#define s0(x) (rotr(x, 7) ^ rotr(x, 18) ^ ((x) >> 3))
#define s1(x) (rotr(x, 17) ^ rotr(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))

// One round with W_t in p[i]; the caller names the working variables so that they rotate by
// renaming instead of by moving eight words per round. Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)),
// and this round's a ^ b is the next round's b ^ c: `bc` carries it.
#define ROUND(a, b, c, d, e, f, g, h, i)                 \
  do {                                                 \
    h += S1(e) + CH(e, f, g) + k[i] + p[i];            \
    d += h;                                            \
    uint32_t ab = a ^ b;                               \
    h += S0(a) + (b ^ (ab & bc));                      \
    bc = ab;                                           \
  } while (0)

// Compresses `blocks` consecutive 64-byte blocks. Two rounds are written out (small: about 49
// instructions a byte on Cortex-M4, four rounds 44 for 100 B more, eight 38 for 640 B more);
// after them the working variables have moved by two names, which eight moves undo. The 16-word
// rolling schedule keeps a copy of each word 16 places up (w[i + 16] == w[i]), so that every
// word a pair of rounds needs is a constant offset from p.
static void compress(uint32_t state[8], const uint8_t* in, size_t blocks) {
  uint32_t w[32];
  for (; blocks > 0; blocks--, in += 64) {
    for (int i = 0; i < 16; i++) w[i] = w[i + 16] = load_be32(in + 4 * i);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    uint32_t bc = b ^ c;
    for (const uint32_t* k = eiota_sha256_k; k < eiota_sha256_k + 64; k += 2) {
      uint32_t* p = w + ((k - eiota_sha256_k) & 15);
      if (k >= eiota_sha256_k + 16) {
        // W_{t+16} = s1(W_{t+14}) + W_{t+9} + s0(W_{t+1}) + W_t, in place of W_t.
        for (int i = 0; i < 2; i++) p[i] = p[i + 16] = p[i] + s1(p[i + 14]) + p[i + 9] + s0(p[i + 1]);
      }
      ROUND(a, b, c, d, e, f, g, h, 0);
      ROUND(h, a, b, c, d, e, f, g, 1);
      uint32_t t0 = g, t1 = h;  // the names move back by two
      h = f;
      g = e;
      f = d;
      e = c;
      d = b;
      c = a;
      b = t1;
      a = t0;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
}

void eiota_sha256_init(eiota_sha256* ctx) {
  memcpy(ctx->state, H0, sizeof H0);
  ctx->length = 0;
}

void eiota_sha256_update(eiota_sha256* ctx, const uint8_t* data, size_t len) {
  size_t used = (size_t)(ctx->length % 64);
  ctx->length += len;
  if (used != 0) {  // complete the buffered block first
    size_t n = 64 - used < len ? 64 - used : len;
    memcpy(ctx->block + used, data, n);
    used += n;
    data += n;
    len -= n;
    if (used < 64) return;
    compress(ctx->state, ctx->block, 1);
  }
  if (len >= 64) {  // whole blocks straight from the input
    compress(ctx->state, data, len / 64);
    data += len & ~(size_t)63;
    len &= 63;
  }
  if (len > 0) memcpy(ctx->block, data, len);
}

void eiota_sha256_final(eiota_sha256* ctx, uint8_t out[32]) {
  size_t used = (size_t)(ctx->length % 64);
  uint64_t bits = ctx->length * 8;
  ctx->block[used++] = 0x80;
  if (used > 56) {  // no room for the length field: pad out this block
    memset(ctx->block + used, 0, 64 - used);
    compress(ctx->state, ctx->block, 1);
    used = 0;
  }
  memset(ctx->block + used, 0, 56 - used);
  for (int i = 0; i < 8; i++) ctx->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
  compress(ctx->state, ctx->block, 1);
  for (int i = 0; i < 8; i++) store_be32(out + 4 * i, ctx->state[i]);
}
