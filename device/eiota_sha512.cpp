// SHA-512 as specified in FIPS 180-4, sections 4.1.3, 5.1.2, 5.3.5 and 6.4.
#include "eiota_sha512.h"

#include "eiota_sha256.h"

#include <string.h>

// First 64 bits of the fractional parts of the cube roots of the first 80 primes: for t < 64
// the high 32 bits are SHA-256's K_t (eiota_sha256_k), so only the rest is here.
static const uint32_t K_LO[80] = {
    0xd728ae22, 0x23ef65cd, 0xec4d3b2f, 0x8189dbbc, 0xf348b538, 0xb605d019, 0xaf194f9b, 0xda6d8118,
    0xa3030242, 0x45706fbe, 0x4ee4b28c, 0xd5ffb4e2, 0xf27b896f, 0x3b1696b1, 0x25c71235, 0xcf692694,
    0x9ef14ad2, 0x384f25e3, 0x8b8cd5b5, 0x77ac9c65, 0x592b0275, 0x6ea6e483, 0xbd41fbd4, 0x831153b5,
    0xee66dfab, 0x2db43210, 0x98fb213f, 0xbeef0ee4, 0x3da88fc2, 0x930aa725, 0xe003826f, 0x0a0e6e70,
    0x46d22ffc, 0x5c26c926, 0x5ac42aed, 0x9d95b3df, 0x8baf63de, 0x3c77b2a8, 0x47edaee6, 0x1482353b,
    0x4cf10364, 0xbc423001, 0xd0f89791, 0x0654be30, 0xd6ef5218, 0x5565a910, 0x5771202a, 0x32bbd1b8,
    0xb8d2d0c8, 0x5141ab53, 0xdf8eeb99, 0xe19b48a8, 0xc5c95a63, 0xe3418acb, 0x7763e373, 0xd6b2b8a3,
    0x5defb2fc, 0x43172f60, 0xa1f0ab72, 0x1a6439ec, 0x23631e28, 0xde82bde9, 0xb2c67915, 0xe372532b,
    0xea26619c, 0x21c0c207, 0xcde0eb1e, 0xee6ed178, 0x72176fba, 0xa2c898a6, 0xbef90dae, 0x131c471b,
    0x23047d84, 0x40c72493, 0x15c9bebc, 0x9c100d4c, 0xcb3e42b6, 0xfc657e2a, 0x3ad6faec, 0x4a475817,
};
static const uint32_t K_HI_TAIL[16] = {
    0xca273ece, 0xd186b8c7, 0xeada7dd6, 0xf57d4f7f, 0x06f067aa, 0x0a637dc5, 0x113f9804, 0x1b710b35,
    0x28db77f5, 0x32caab7b, 0x3c9ebe0a, 0x431d67c4, 0x4cc5d4be, 0x597f299c, 0x5fcb6fab, 0x6c44198c,
};

static uint64_t k_at(unsigned t) {
  uint32_t hi = t < 64 ? eiota_sha256_k[t] : K_HI_TAIL[t - 64];
  return (uint64_t)hi << 32 | K_LO[t];
}

// First 64 bits of the fractional parts of the square roots of the first 8 primes.
static const uint64_t H0[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static uint64_t rotr(uint64_t x, int n) {
  return (x >> n) | (x << (64 - n));
}

static uint64_t load_be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
  return v;
}

static void store_be64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; i--) {
    p[i] = (uint8_t)v;
    v >>= 8;
  }
}

// The four functions of FIPS 180-4 (4.10 to 4.13), kept out of line: SHA-512 only hashes
// Ed25519's R || A || M, a few blocks per update, so size matters more than speed here.
static uint64_t big_sigma0(uint64_t x) { return rotr(x, 28) ^ rotr(x, 34) ^ rotr(x, 39); }
static uint64_t big_sigma1(uint64_t x) { return rotr(x, 14) ^ rotr(x, 18) ^ rotr(x, 41); }
static uint64_t small_sigma0(uint64_t x) { return rotr(x, 1) ^ rotr(x, 8) ^ (x >> 7); }
static uint64_t small_sigma1(uint64_t x) { return rotr(x, 19) ^ rotr(x, 61) ^ (x >> 6); }

// Rolled for size: SHA-512 only hashes Ed25519's R || A || M, a few blocks per update. The
// working variables a..h of a round are p[0..7]; p steps down one word per round, the new a
// going below the old one, and back to the top of v every eight rounds.
static void compress(uint64_t state[8], const uint8_t block[128]) {
  uint64_t v[16];
  uint64_t w[32];  // rolling message schedule: W_t at q[0], a copy of each word 16 places up
  for (int i = 0; i < 16; i++) w[i] = w[i + 16] = load_be64(block + 8 * i);
  uint64_t* p = v + 8;
  memcpy(p, state, 8 * sizeof v[0]);
  for (unsigned t = 0; t < 80; t++) {
    if (p == v) {
      memcpy(v + 8, v, 8 * sizeof v[0]);
      p = v + 8;
    }
    uint64_t* q = &w[t & 15];
    if (t >= 16) q[0] = q[16] = q[0] + small_sigma0(q[1]) + small_sigma1(q[14]) + q[9];
    uint64_t e = p[4], a = p[0];
    uint64_t t1 = p[7] + big_sigma1(e) + ((e & p[5]) ^ (~e & p[6])) + k_at(t) + q[0];
    p[3] += t1;
    p[-1] = t1 + big_sigma0(a) + ((a & p[1]) ^ (a & p[2]) ^ (p[1] & p[2]));
    p--;
  }
  for (int i = 0; i < 8; i++) state[i] += p[i];
}

void eiota_sha512_init(eiota_sha512* ctx) {
  memcpy(ctx->state, H0, sizeof H0);
  ctx->length = 0;
}

void eiota_sha512_update(eiota_sha512* ctx, const uint8_t* data, size_t len) {
  size_t used = (size_t)(ctx->length % 128);
  ctx->length += len;
  while (len > 0) {
    if (used == 0 && len >= 128) {  // whole block straight from the input
      compress(ctx->state, data);
      data += 128;
      len -= 128;
      continue;
    }
    size_t n = 128 - used < len ? 128 - used : len;
    memcpy(ctx->block + used, data, n);
    used += n;
    data += n;
    len -= n;
    if (used == 128) {
      compress(ctx->state, ctx->block);
      used = 0;
    }
  }
}

void eiota_sha512_final(eiota_sha512* ctx, uint8_t out[64]) {
  size_t used = (size_t)(ctx->length % 128);
  ctx->block[used++] = 0x80;
  if (used > 112) {  // no room for the 128-bit length field: pad out this block
    memset(ctx->block + used, 0, 128 - used);
    compress(ctx->state, ctx->block);
    used = 0;
  }
  memset(ctx->block + used, 0, 112 - used);
  store_be64(ctx->block + 112, ctx->length >> 61);  // high 64 bits of the bit length
  store_be64(ctx->block + 120, ctx->length << 3);
  compress(ctx->state, ctx->block);
  for (int i = 0; i < 8; i++) store_be64(out + 8 * i, ctx->state[i]);
}
