// Ed25519 verification, written from RFC 8032 (sections 5.1.3, 5.1.4, 5.1.7).
//
// Field elements mod p = 2^255 - 19 use ten signed limbs in radix 2^25.5:
// limb i has weight 2^ceil(25.5 i) and nominal width 26 bits (even i) or 25
// bits (odd i). Every fe_* function that produces an element leaves
// |even limb| < 2^26 and |odd limb| < 2^25, which keeps fe_mul's
// intermediate values within int32 and int64.
// Carries rely on >> of a negative value being an arithmetic shift (as with
// GCC and Clang). Points use extended coordinates (X : Y : Z : T) with
// x = X/Z, y = Y/Z, xy = T/Z.
#include "eiota_ed25519.h"

#include <string.h>

// Keeps the big stack frames of decoding, scalar multiplication and encoding
// from being merged into one frame by inlining.
#if defined(__GNUC__)
#define EIOTA_NOINLINE __attribute__((noinline))
#else
#define EIOTA_NOINLINE
#endif

typedef int32_t fe[10];

struct ge {
  fe X, Y, Z, T;
};

// Constants as little-endian integers.
// d = -121665/121666 mod p
static const uint8_t D_BYTES[32] = {
    0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
    0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52,
};
// 2d mod p
static const uint8_t D2_BYTES[32] = {
    0x59, 0xf1, 0xb2, 0x26, 0x94, 0x9b, 0xd6, 0xeb, 0x56, 0xb1, 0x83, 0x82, 0x9a, 0x14, 0xe0, 0x00,
    0x30, 0xd1, 0xf3, 0xee, 0xf2, 0x80, 0x8e, 0x19, 0xe7, 0xfc, 0xdf, 0x56, 0xdc, 0xd9, 0x06, 0x24,
};
// 2^((p-1)/4), a square root of -1 mod p
static const uint8_t SQRTM1_BYTES[32] = {
    0xb0, 0xa0, 0x0e, 0x4a, 0x27, 0x1b, 0xee, 0xc4, 0x78, 0xe4, 0x2f, 0xad, 0x06, 0x18, 0x43, 0x2f,
    0xa7, 0xd7, 0xfb, 0x3d, 0x99, 0x00, 0x4d, 0x2b, 0x0b, 0xdf, 0xc1, 0x4f, 0x80, 0x24, 0x83, 0x2b,
};
// Base point B: x = 151122213...7762202, y = 4/5
static const uint8_t BX_BYTES[32] = {
    0x1a, 0xd5, 0x25, 0x8f, 0x60, 0x2d, 0x56, 0xc9, 0xb2, 0xa7, 0x25, 0x95, 0x60, 0xc7, 0x2c, 0x69,
    0x5c, 0xdc, 0xd6, 0xfd, 0x31, 0xe2, 0xa4, 0xc0, 0xfe, 0x53, 0x6e, 0xcd, 0xd3, 0x36, 0x69, 0x21,
};
static const uint8_t BY_BYTES[32] = {
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
};
// Group order L = 2^252 + 27742317777372353535851937790883648493
static const uint8_t L_BYTES[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

// ---------------------------------------------------------------- field

static int limb_bits(int i) {
  return 26 - (i & 1);
}

// Moves the excess of *x above w bits into the returned carry (rounding, so
// the limb ends up signed).
template <typename T>
static T carry_round(T* x, int w) {
  T c = (*x + ((T)1 << (w - 1))) >> w;
  *x -= c * ((T)1 << w);
  return c;
}

// Brings limbs back to |even limb| <= 2^25 and |odd limb| < 2^24 + 2^15,
// from magnitudes below 2^61 (T = int64_t) or 2^30 (T = int32_t). The carry
// out of limb 9 re-enters limb 0 times 19 because 2^255 = 19 (mod p); limb 0
// is then carried once more.
template <typename T>
static void fe_carry(fe h, T t[10]) {
  for (int i = 0; i < 10; i += 2) {
    t[i + 1] += carry_round(&t[i], 26);
    T c = carry_round(&t[i + 1], 25);
    if (i < 8)
      t[i + 2] += c;
    else
      t[0] += 19 * c;
  }
  t[1] += carry_round(&t[0], 26);
  for (int i = 0; i < 10; i++) h[i] = (int32_t)t[i];
}

static void fe_add(fe h, const fe f, const fe g) {
  int32_t t[10];
  for (int i = 0; i < 10; i++) t[i] = f[i] + g[i];
  fe_carry(h, t);
}

static void fe_sub(fe h, const fe f, const fe g) {
  int32_t t[10];
  for (int i = 0; i < 10; i++) t[i] = f[i] - g[i];
  fe_carry(h, t);
}

static void fe_mul(fe h, const fe f, const fe g) {
  // Limb product f[i] g[j] lands in limb k = i + j, except that products
  // past limb 9 wrap to k - 10 times 19 (2^255 = 19 mod p), and two odd
  // limbs overshoot the weight of limb k by a factor 2. So limb k is
  // sum_i f[i] * e[k - i + 10], with e[m] = g[m - 10] for m >= 10 and
  // 19 g[m] below; for odd i, odd-index entries of e are doubled.
  int32_t e_even[20], e_odd[20];
  for (int j = 0; j < 10; j++) {
    int32_t twice = (j & 1) ? 2 : 1;
    e_even[j] = 19 * g[j];
    e_even[j + 10] = g[j];
    e_odd[j] = twice * 19 * g[j];
    e_odd[j + 10] = twice * g[j];
  }
  int64_t t[10];
  for (int k = 0; k < 10; k++) {
    int64_t acc = 0;
    for (int i = 0; i < 10; i += 2) {
      acc += (int64_t)f[i] * e_even[k - i + 10];
      acc += (int64_t)f[i + 1] * e_odd[k - i + 9];
    }
    t[k] = acc;
  }
  fe_carry(h, t);
}

static void fe_sq(fe h, const fe f) {
  fe_mul(h, f, f);
}

static void fe_set(fe h, int32_t v) {
  memset(h, 0, sizeof(fe));
  h[0] = v;
}

// Reads 255 bits; bit 255 is ignored. Non-canonical values (>= p) are kept.
static void fe_frombytes(fe h, const uint8_t s[32]) {
  uint64_t acc = 0;
  int bits = 0, pos = 0;
  for (int i = 0; i < 10; i++) {
    int w = limb_bits(i);
    while (bits < w) {
      acc |= (uint64_t)s[pos++] << bits;
      bits += 8;
    }
    h[i] = (int32_t)(acc & ((1u << w) - 1));
    acc >>= w;
    bits -= w;
  }
}

// Floor carries leaving every limb in [0, 2^w); returns the carry out of
// limb 9 (weight 2^255) for the caller to fold back.
static int32_t carry_floor(int32_t t[10]) {
  int32_t c = 0;
  for (int i = 0; i < 10; i++) {
    int w = limb_bits(i);
    t[i] += c;
    c = t[i] >> w;
    t[i] -= c * (1 << w);
  }
  return c;
}

// Writes the canonical (fully reduced) little-endian encoding.
static void fe_tobytes(uint8_t s[32], const fe f) {
  int32_t t[10];
  memcpy(t, f, sizeof t);
  // Three passes leave every limb in [0, 2^w), i.e. 0 <= value < 2^255.
  for (int n = 0; n < 3; n++) t[0] += 19 * carry_floor(t);
  // value >= p exactly when value + 19 carries out of bit 255; then
  // subtract p by adding 19 and dropping bit 255.
  int32_t q = 19;
  for (int i = 0; i < 10; i++) q = (t[i] + q) >> limb_bits(i);
  t[0] += 19 * q;
  carry_floor(t);

  uint64_t acc = 0;
  int bits = 0, pos = 0;
  for (int i = 0; i < 10; i++) {
    acc |= (uint64_t)t[i] << bits;
    bits += limb_bits(i);
    while (bits >= 8) {
      s[pos++] = (uint8_t)acc;
      acc >>= 8;
      bits -= 8;
    }
  }
  s[31] = (uint8_t)acc;  // the last 7 bits
}

static bool fe_iszero(const fe f) {
  uint8_t s[32];
  uint8_t acc = 0;
  fe_tobytes(s, f);
  for (int i = 0; i < 32; i++) acc |= s[i];
  return acc == 0;
}

static bool fe_isodd(const fe f) {
  uint8_t s[32];
  fe_tobytes(s, f);
  return s[0] & 1;
}

// h = f^(2^n) * g; h may alias f or g.
static void fe_sqn_mul(fe h, const fe f, int n, const fe g) {
  fe t;
  fe_sq(t, f);
  for (int i = 1; i < n; i++) fe_sq(t, t);
  fe_mul(h, t, g);
}

// h = z^(2^250 - 1), the common head of the inversion and square-root
// exponents. Comments give e for the value z^(2^e - 1) just computed.
static void fe_pow2_250_1(fe h, const fe z) {
  fe a, b, c;
  fe_sqn_mul(a, z, 1, z);    // 2
  fe_sqn_mul(b, a, 2, a);    // 4
  fe_sqn_mul(b, b, 1, z);    // 5
  fe_sqn_mul(a, b, 5, b);    // 10
  fe_sqn_mul(b, a, 10, a);   // 20
  fe_sqn_mul(c, b, 20, b);   // 40
  fe_sqn_mul(a, c, 10, a);   // 50
  fe_sqn_mul(b, a, 50, a);   // 100
  fe_sqn_mul(c, b, 100, b);  // 200
  fe_sqn_mul(h, c, 50, a);   // 250
}

// h = z^(p-2) = 1/z, with p - 2 = (2^250 - 1) * 2^5 + 11.
static void fe_invert(fe h, const fe z) {
  fe z11, t;
  fe_sqn_mul(z11, z, 1, z);    // z^3
  fe_sqn_mul(z11, z, 3, z11);  // z^8 * z^3
  fe_pow2_250_1(t, z);
  fe_sqn_mul(h, t, 5, z11);
}

// h = z^((p-5)/8), with (p-5)/8 = (2^250 - 1) * 2^2 + 1.
static void fe_pow2523(fe h, const fe z) {
  fe t;
  fe_pow2_250_1(t, z);
  fe_sqn_mul(h, t, 2, z);
}

// ---------------------------------------------------------------- group

static void ge_identity(ge* p) {
  fe_set(p->X, 0);
  fe_set(p->Y, 1);
  fe_set(p->Z, 1);
  fe_set(p->T, 0);
}

static void ge_base(ge* p) {
  fe_frombytes(p->X, BX_BYTES);
  fe_frombytes(p->Y, BY_BYTES);
  fe_set(p->Z, 1);
  fe_mul(p->T, p->X, p->Y);
}

// RFC 8032 5.1.4 addition; complete, so it also doubles. r may alias p or q.
static void ge_add(ge* r, const ge* p, const ge* q) {
  fe a, b, c, d, e;
  fe_sub(a, p->Y, p->X);
  fe_sub(e, q->Y, q->X);
  fe_mul(a, a, e);  // A
  fe_add(b, p->Y, p->X);
  fe_add(e, q->Y, q->X);
  fe_mul(b, b, e);  // B
  fe_frombytes(e, D2_BYTES);
  fe_mul(c, p->T, e);
  fe_mul(c, c, q->T);  // C
  fe_mul(d, p->Z, q->Z);
  fe_add(d, d, d);  // D
  fe_sub(e, b, a);  // E
  fe_add(b, b, a);  // H
  fe_sub(a, d, c);  // F
  fe_add(d, d, c);  // G
  fe_mul(r->X, e, a);
  fe_mul(r->Y, d, b);
  fe_mul(r->T, e, b);
  fe_mul(r->Z, a, d);
}

// RFC 8032 5.1.4 doubling. r may alias p.
static void ge_dbl(ge* r, const ge* p) {
  fe a, b, c, e, h;
  fe_sq(a, p->X);  // A
  fe_sq(b, p->Y);  // B
  fe_sq(c, p->Z);
  fe_add(c, c, c);  // C
  fe_add(h, a, b);  // H
  fe_add(e, p->X, p->Y);
  fe_sq(e, e);
  fe_sub(e, h, e);  // E
  fe_sub(a, a, b);  // G
  fe_add(c, c, a);  // F
  fe_mul(r->X, e, c);
  fe_mul(r->Y, a, h);
  fe_mul(r->T, e, h);
  fe_mul(r->Z, c, a);
}

static void ge_neg(ge* p) {
  fe zero;
  fe_set(zero, 0);
  fe_sub(p->X, zero, p->X);
  fe_sub(p->T, zero, p->T);
}

// True if [8]P is the identity, i.e. P lies in the torsion subgroup. A point
// with x = 0 after three doublings is the identity: (0, -1) has order 2, and
// no point has order 16. The caller lends a spare point to keep stack small.
static bool ge_is_small_order(const ge* p, ge* scratch) {
  ge_dbl(scratch, p);
  ge_dbl(scratch, scratch);
  ge_dbl(scratch, scratch);
  return fe_iszero(scratch->X);
}

// RFC 8032 5.1.3 decoding, rejecting y >= p and x = 0 with the sign bit set.
EIOTA_NOINLINE static bool ge_frombytes(ge* p, const uint8_t s[32]) {
  fe u, v, v3, x, chk;
  uint8_t y[32];
  fe_frombytes(p->Y, s);
  fe_tobytes(y, p->Y);
  if (memcmp(y, s, 31) != 0 || y[31] != (s[31] & 0x7f)) return false;
  fe_set(p->Z, 1);
  fe_sq(u, p->Y);
  fe_frombytes(v, D_BYTES);
  fe_mul(v, v, u);
  fe_sub(u, u, p->Z);  // u = y^2 - 1
  fe_add(v, v, p->Z);  // v = d y^2 + 1
  // Candidate root x = u v^3 (u v^7)^((p-5)/8).
  fe_sq(v3, v);
  fe_mul(v3, v3, v);
  fe_sq(x, v3);
  fe_mul(x, x, v);
  fe_mul(x, x, u);
  fe_pow2523(x, x);
  fe_mul(x, x, v3);
  fe_mul(x, x, u);
  // v x^2 == u: x is a root; v x^2 == -u: x * sqrt(-1) is; else no root.
  fe_sq(chk, x);
  fe_mul(chk, chk, v);
  fe_sub(v, chk, u);
  if (!fe_iszero(v)) {
    fe_add(v, chk, u);
    if (!fe_iszero(v)) return false;
    fe_frombytes(v, SQRTM1_BYTES);
    fe_mul(x, x, v);
  }
  bool sign = (s[31] >> 7) != 0;
  if (sign && fe_iszero(x)) return false;
  if (fe_isodd(x) != sign) {
    fe_set(v, 0);
    fe_sub(x, v, x);
  }
  memcpy(p->X, x, sizeof(fe));
  fe_mul(p->T, x, p->Y);
  return true;
}

EIOTA_NOINLINE static void ge_tobytes(uint8_t s[32], const ge* p) {
  fe zi, x, y;
  fe_invert(zi, p->Z);
  fe_mul(x, p->X, zi);
  fe_mul(y, p->Y, zi);
  fe_tobytes(s, y);
  s[31] |= (uint8_t)(fe_isodd(x) << 7);
}

static int scalar_bit(const uint8_t s[32], int i) {
  return (s[i >> 3] >> (i & 7)) & 1;
}

// r = [s]B + [k]P for scalars below 2^253, by joint double-and-add.
EIOTA_NOINLINE static void ge_double_scalarmult(ge* r, const uint8_t s[32], const uint8_t k[32],
                                                const ge* p) {
  ge b, bp;
  ge_base(&b);
  ge_add(&bp, &b, p);
  ge_identity(r);
  for (int i = 252; i >= 0; i--) {
    ge_dbl(r, r);
    int sb = scalar_bit(s, i), kb = scalar_bit(k, i);
    if (sb && kb)
      ge_add(r, r, &bp);
    else if (sb)
      ge_add(r, r, &b);
    else if (kb)
      ge_add(r, r, p);
  }
}

// ---------------------------------------------------------------- scalars

static bool sc_is_canonical(const uint8_t s[32]) {
  for (int i = 31; i >= 0; i--) {
    if (s[i] != L_BYTES[i]) return s[i] < L_BYTES[i];
  }
  return false;  // s == L
}

// out = in mod L for a 512-bit little-endian input, by binary long division.
// Slow-ish (512 steps) but small and plainly correct. out may alias in.
static void sc_reduce(uint8_t out[32], const uint8_t in[64]) {
  uint8_t r[32];
  memset(r, 0, sizeof r);
  for (int i = 511; i >= 0; i--) {
    // r = 2r + bit; r < L < 2^253 beforehand, so no overflow.
    int carry = scalar_bit(in, i);
    for (int j = 0; j < 32; j++) {
      int v = (r[j] << 1) | carry;
      r[j] = (uint8_t)v;
      carry = v >> 8;
    }
    if (!sc_is_canonical(r)) {  // r >= L: subtract L once
      int borrow = 0;
      for (int j = 0; j < 32; j++) {
        int v = r[j] - L_BYTES[j] - borrow;
        r[j] = (uint8_t)v;
        borrow = v < 0;
      }
    }
  }
  memcpy(out, r, 32);
}

// ---------------------------------------------------------------- verify

void eiota_ed25519_verify_init(eiota_ed25519_verify_ctx* ctx, const uint8_t sig[64],
                               const uint8_t pub[32]) {
  memcpy(ctx->sig, sig, 64);
  memcpy(ctx->pub, pub, 32);
  eiota_sha512_init(&ctx->hash);
  eiota_sha512_update(&ctx->hash, sig, 32);
  eiota_sha512_update(&ctx->hash, pub, 32);
}

void eiota_ed25519_verify_update(eiota_ed25519_verify_ctx* ctx, const uint8_t* data, size_t len) {
  eiota_sha512_update(&ctx->hash, data, len);
}

bool eiota_ed25519_verify_final(eiota_ed25519_verify_ctx* ctx) {
  uint8_t h[64];
  ge a, r;
  eiota_sha512_final(&ctx->hash, h);
  if (!sc_is_canonical(ctx->sig + 32)) return false;
  if (!ge_frombytes(&a, ctx->pub) || ge_is_small_order(&a, &r)) return false;
  sc_reduce(h, h);  // k = SHA-512(R || A || M) mod L, in h[0..31]
  ge_neg(&a);
  ge_double_scalarmult(&r, ctx->sig + 32, h, &a);  // [S]B - [k]A
  // Only a canonical R can equal the encoding of r, so comparing encodings
  // also rejects non-canonical R; a small-order R is rejected explicitly.
  if (ge_is_small_order(&r, &a)) return false;
  ge_tobytes(h, &r);
  return memcmp(h, ctx->sig, 32) == 0;
}

bool eiota_ed25519_verify(const uint8_t sig[64], const uint8_t pub[32], const uint8_t* msg,
                          size_t len) {
  eiota_ed25519_verify_ctx ctx;
  eiota_ed25519_verify_init(&ctx, sig, pub);
  eiota_ed25519_verify_update(&ctx, msg, len);
  return eiota_ed25519_verify_final(&ctx);
}
