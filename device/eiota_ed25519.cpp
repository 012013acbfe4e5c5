// Ed25519 verification, written from RFC 8032 (sections 5.1.3, 5.1.4, 5.1.7).
//
// Field elements mod p = 2^255 - 19 use ten signed limbs in radix 2^25.5:
// limb i has weight 2^ceil(25.5 i) and nominal width 26 bits (even i) or 25
// bits (odd i). "Carried" means |even limb| <= 2^25 and |odd limb| <= 2^24
// + 2^16, which fe_mul, fe_sq and fe_carry produce. fe_add and fe_sub do not
// carry (lazy carries): fe_mul and fe_sq accept any sum or difference of up to
// three carried elements, which keeps 19 * limb within int32 and every column
// sum below 2^62. Each call site below respects that budget.
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

// A precomputed point (x, y) as (y + x, y - x, 2 d x y), for mixed addition.
struct ge_niels {
  fe ypx, ymx, t2d;
};

// A point as (Y + X, Y - X, 2 d T, Z), stored in a ge (X, Y, Z, T in order
// ypx, ymx, t2d, z).
#define CACHED_YPX(p) ((p)->X)
#define CACHED_YMX(p) ((p)->Y)
#define CACHED_T2D(p) ((p)->Z)
#define CACHED_Z(p) ((p)->T)

// Window widths of the signed sliding windows: digits are odd and below
// 2^(w-1) in magnitude, so a table holds 2^(w-2) odd multiples. [k]A uses a
// table built on the stack per call, [S]B one in flash.
static const int A_WINDOW = 3;
static const int B_WINDOW = 4;
#define A_TABLE_SIZE 2  // 2^(A_WINDOW - 2)
#define B_TABLE_SIZE 4  // 2^(B_WINDOW - 2)

// Constants as carried limbs.
// d = -121665/121666 mod p
static const fe D = {-10913610, 13857413, -15372611, 6949391,   114729,
                     -8787816,  -6275908, -3247719,  -18696448, -12055116};
// 2d mod p
static const fe D2 = {-21827239, -5839606,  -30745221, 13898782, 229458,
                      15978800,  -12551817, -6495438,  29715968, 9444199};
// 2^((p-1)/4), a square root of -1 mod p
static const fe SQRTM1 = {-32595792, -7943725,  9377950,  3500415, 12389472,
                          -272473,   -25146209, -2005654, 326686,  11406482};

// Odd multiples [1]B, [3]B, ..., [2 B_TABLE_SIZE - 1]B of the base point B
// (y = 4/5, x even), affine, as (y + x, y - x, 2 d x y) in carried limbs.
// Generated with this file's own arithmetic; tests/ed25519_test.cpp rebuilds it.
static const ge_niels B_TABLE[B_TABLE_SIZE] = {
    {{25967493, -14356035, 29566456, 3660896, -12694345, 4014787, 27544626, -11754271, -6079156, 2047605},
     {-12545711, 934262, -2722910, 3049990, -727428, 9406986, 12720692, 5043384, 19500929, -15469378},
     {-8738181, 4489570, 9688441, -14785194, 10184609, -12363380, 29287919, 11864899, -24514362, -4438546}},
    {{15636291, -9688557, 24204773, -7912398, 616977, -16685262, 27787600, -14772189, 28944400, -1550024},
     {16568933, 4717097, -11556148, -1102322, 15682896, -11807043, 16354577, -11775962, 7689662, 11199574},
     {30464156, -5976125, -11779434, -15670865, 23220365, 15915852, 7512774, 10017326, -17749093, -9920357}},
    {{10861363, 11473154, 27284546, 1981175, -30064349, 12577861, 32867885, 14515107, -15438304, 10819380},
     {4708026, 6336745, 20377586, 9066809, -11272109, 6594696, -25653668, 12483688, -12668491, 5581306},
     {19563160, 16186464, -29386857, 4097519, 10237984, -4348115, 28542350, 13850243, -23678021, -15815942}},
    {{5153746, 9909285, 1723747, -2777874, 30523605, 5516873, 19480852, 5230134, -23952439, -15175766},
     {-30269007, -3463509, 7665486, 10083793, 28475525, 1649722, 20654025, 16520125, 30598449, 7715701},
     {28881845, 14381568, 9657904, 3680757, -20181635, 7843316, -31400660, 1370708, 29794553, -1409300}},
};

// Group order L = 2^252 + 27742317777372353535851937790883648493, as 32-bit
// little-endian words.
static const uint32_t L_WORDS[8] = {0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de,
                                    0x00000000, 0x00000000, 0x00000000, 0x10000000};

// ---------------------------------------------------------------- field

static int limb_bits(int i) {
  return 26 - (i & 1);
}

// Takes the low w bits of x + c (rounded, so signed) into *limb and returns
// the carry. The limb is formed in 32 bits: only its low bits matter.
static int64_t carry_into(int32_t* limb, int64_t x, int w) {
  int64_t c = (x + ((int64_t)1 << (w - 1))) >> w;
  *limb = (int32_t)((uint32_t)x - ((uint32_t)c << w));
  return c;
}

// Brings limbs back to carried form from magnitudes below 2^62. The carry
// out of limb 9 re-enters limb 0 times 19 because 2^255 = 19 (mod p); limb 0
// is then carried once more.
static void fe_carry(fe h, const int64_t t[10]) {
  int64_t c = 0;
  for (int i = 0; i < 10; i += 2) {
    c = carry_into(&h[i], t[i] + c, 26);
    c = carry_into(&h[i + 1], t[i + 1] + c, 25);
  }
  c = carry_into(&h[0], h[0] + 19 * c, 26);
  h[1] += (int32_t)c;
}

static void fe_add(fe h, const fe f, const fe g) {
  h[0] = f[0] + g[0];
  h[1] = f[1] + g[1];
  h[2] = f[2] + g[2];
  h[3] = f[3] + g[3];
  h[4] = f[4] + g[4];
  h[5] = f[5] + g[5];
  h[6] = f[6] + g[6];
  h[7] = f[7] + g[7];
  h[8] = f[8] + g[8];
  h[9] = f[9] + g[9];
}

static void fe_sub(fe h, const fe f, const fe g) {
  h[0] = f[0] - g[0];
  h[1] = f[1] - g[1];
  h[2] = f[2] - g[2];
  h[3] = f[3] - g[3];
  h[4] = f[4] - g[4];
  h[5] = f[5] - g[5];
  h[6] = f[6] - g[6];
  h[7] = f[7] - g[7];
  h[8] = f[8] - g[8];
  h[9] = f[9] - g[9];
}

static void fe_neg(fe h, const fe f) {
  for (int i = 0; i < 10; i++) h[i] = -f[i];
}

static void fe_copy(fe h, const fe f) {
  memcpy(h, f, sizeof(fe));
}

static int64_t M(int32_t a, int32_t b) {
  return (int64_t)a * b;
}

// h = f g. Limb product f[i] g[j] lands in limb i + j, wrapping past limb 9
// times 19 (2^255 = 19 mod p); two odd limbs overshoot their weight by a
// factor 2. h may alias f or g.
static void fe_mul(fe h, const fe f, const fe g) {
  int32_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
  int32_t f5 = f[5], f6 = f[6], f7 = f[7], f8 = f[8], f9 = f[9];
  int32_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4];
  int32_t g5 = g[5], g6 = g[6], g7 = g[7], g8 = g[8], g9 = g[9];
  int32_t f1_2 = 2 * f1, f3_2 = 2 * f3, f5_2 = 2 * f5, f7_2 = 2 * f7, f9_2 = 2 * f9;
  int32_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4, g5_19 = 19 * g5;
  int32_t g6_19 = 19 * g6, g7_19 = 19 * g7, g8_19 = 19 * g8, g9_19 = 19 * g9;
  int64_t t[10];
t[0] = M(f0, g0) + M(f1_2, g9_19) + M(f2, g8_19) + M(f3_2, g7_19) + M(f4, g6_19) + M(f5_2, g5_19) + M(f6, g4_19) + M(f7_2, g3_19) + M(f8, g2_19) + M(f9_2, g1_19);
  t[1] = M(f0, g1) + M(f1, g0) + M(f2, g9_19) + M(f3, g8_19) + M(f4, g7_19) + M(f5, g6_19) + M(f6, g5_19) + M(f7, g4_19) + M(f8, g3_19) + M(f9, g2_19);
  t[2] = M(f0, g2) + M(f1_2, g1) + M(f2, g0) + M(f3_2, g9_19) + M(f4, g8_19) + M(f5_2, g7_19) + M(f6, g6_19) + M(f7_2, g5_19) + M(f8, g4_19) + M(f9_2, g3_19);
  t[3] = M(f0, g3) + M(f1, g2) + M(f2, g1) + M(f3, g0) + M(f4, g9_19) + M(f5, g8_19) + M(f6, g7_19) + M(f7, g6_19) + M(f8, g5_19) + M(f9, g4_19);
  t[4] = M(f0, g4) + M(f1_2, g3) + M(f2, g2) + M(f3_2, g1) + M(f4, g0) + M(f5_2, g9_19) + M(f6, g8_19) + M(f7_2, g7_19) + M(f8, g6_19) + M(f9_2, g5_19);
  t[5] = M(f0, g5) + M(f1, g4) + M(f2, g3) + M(f3, g2) + M(f4, g1) + M(f5, g0) + M(f6, g9_19) + M(f7, g8_19) + M(f8, g7_19) + M(f9, g6_19);
  t[6] = M(f0, g6) + M(f1_2, g5) + M(f2, g4) + M(f3_2, g3) + M(f4, g2) + M(f5_2, g1) + M(f6, g0) + M(f7_2, g9_19) + M(f8, g8_19) + M(f9_2, g7_19);
  t[7] = M(f0, g7) + M(f1, g6) + M(f2, g5) + M(f3, g4) + M(f4, g3) + M(f5, g2) + M(f6, g1) + M(f7, g0) + M(f8, g9_19) + M(f9, g8_19);
  t[8] = M(f0, g8) + M(f1_2, g7) + M(f2, g6) + M(f3_2, g5) + M(f4, g4) + M(f5_2, g3) + M(f6, g2) + M(f7_2, g1) + M(f8, g0) + M(f9_2, g9_19);
  t[9] = M(f0, g9) + M(f1, g8) + M(f2, g7) + M(f3, g6) + M(f4, g5) + M(f5, g4) + M(f6, g3) + M(f7, g2) + M(f8, g1) + M(f9, g0);
  fe_carry(h, t);
}

// h = f^2, or 2 f^2 when twice; the same columns as fe_mul with the equal
// cross products merged. h may alias f.
static void fe_sq_impl(fe h, const fe f, bool twice) {
  int32_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
  int32_t f5 = f[5], f6 = f[6], f7 = f[7], f8 = f[8], f9 = f[9];
  int32_t f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3, f4_2 = 2 * f4;
  int32_t f5_2 = 2 * f5, f6_2 = 2 * f6, f7_2 = 2 * f7, f8_2 = 2 * f8;
  int32_t f6_19 = 19 * f6, f7_19 = 19 * f7, f8_19 = 19 * f8, f9_19 = 19 * f9;
  int32_t f5_38 = 38 * f5, f7_38 = 38 * f7, f9_38 = 38 * f9;
  int64_t t[10];
  t[0] = M(f0, f0) + M(f1_2, f9_38) + M(f2_2, f8_19) + M(f3_2, f7_38) + M(f4_2, f6_19) + M(f5, f5_38);
  t[1] = M(f0_2, f1) + M(f2_2, f9_19) + M(f3_2, f8_19) + M(f4_2, f7_19) + M(f5_2, f6_19);
  t[2] = M(f0_2, f2) + M(f1_2, f1) + M(f3_2, f9_38) + M(f4_2, f8_19) + M(f5_2, f7_38) + M(f6, f6_19);
  t[3] = M(f0_2, f3) + M(f1_2, f2) + M(f4_2, f9_19) + M(f5_2, f8_19) + M(f6_2, f7_19);
  t[4] = M(f0_2, f4) + M(f1_2, f3_2) + M(f2, f2) + M(f5_2, f9_38) + M(f6_2, f8_19) + M(f7, f7_38);
  t[5] = M(f0_2, f5) + M(f1_2, f4) + M(f2_2, f3) + M(f6_2, f9_19) + M(f7_2, f8_19);
  t[6] = M(f0_2, f6) + M(f1_2, f5_2) + M(f2_2, f4) + M(f3_2, f3) + M(f7_2, f9_38) + M(f8, f8_19);
  t[7] = M(f0_2, f7) + M(f1_2, f6) + M(f2_2, f5) + M(f3_2, f4) + M(f8_2, f9_19);
  t[8] = M(f0_2, f8) + M(f1_2, f7_2) + M(f2_2, f6) + M(f3_2, f5_2) + M(f4, f4) + M(f9, f9_38);
  t[9] = M(f0_2, f9) + M(f1_2, f8) + M(f2_2, f7) + M(f3_2, f6) + M(f4_2, f5);
  if (twice)
    for (int i = 0; i < 10; i++) t[i] += t[i];
  fe_carry(h, t);
}

static void fe_sq(fe h, const fe f) {
  fe_sq_impl(h, f, false);
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

// Writes the canonical (fully reduced) little-endian encoding. Accepts limbs
// below 2^29 in magnitude.
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

// RFC 8032 5.1.4 doubling, in place; T is read never and written only when
// want_t (the next operation is an addition).
static void ge_dbl(ge* p, bool want_t) {
  fe a, b;
  fe_sq(a, p->X);                 // A
  fe_sq(b, p->Y);                 // B
  fe_sq_impl(p->Z, p->Z, true);   // C
  fe_add(p->T, p->X, p->Y);
  fe_sq(p->T, p->T);              // (X + Y)^2
  fe_add(p->Y, a, b);             // H
  fe_sub(p->X, p->Y, p->T);       // E
  fe_sub(a, a, b);                // G
  fe_add(b, p->Z, a);             // F
  if (want_t) fe_mul(p->T, p->X, p->Y);
  fe_mul(p->X, p->X, b);
  fe_mul(p->Y, a, p->Y);
  fe_mul(p->Z, b, a);
}

// RFC 8032 5.1.4 addition of q = (ypx, ymx, t2d, z), in place: p += q, or
// p -= q when negate. z == NULL means Z2 = 1 (a table point). Complete, so q
// may equal p. T is written only when want_t.
static void ge_add(ge* p, const int32_t* ypx, const int32_t* ymx, const int32_t* t2d,
                   const int32_t* z, bool negate, bool want_t) {
  fe a, b;
  if (negate) {  // -(x, y) = (-x, y): swaps y + x with y - x, negates t
    const int32_t* s = ypx;
    ypx = ymx;
    ymx = s;
  }
  fe_sub(a, p->Y, p->X);
  fe_mul(a, a, ymx);  // A
  fe_add(b, p->Y, p->X);
  fe_mul(b, b, ypx);  // B
  fe_mul(p->X, p->T, t2d);  // C (or -C when negate)
  if (z)
    fe_mul(p->Y, p->Z, z);
  else
    fe_copy(p->Y, p->Z);
  fe_add(p->Y, p->Y, p->Y);  // D
  fe_sub(p->Z, b, a);        // E
  fe_add(p->T, b, a);        // H
  if (negate) {
    fe_add(a, p->Y, p->X);  // F = D - C
    fe_sub(b, p->Y, p->X);  // G = D + C
  } else {
    fe_sub(a, p->Y, p->X);
    fe_add(b, p->Y, p->X);
  }
  fe_mul(p->X, p->Z, a);
  fe_mul(p->Y, b, p->T);
  if (want_t) fe_mul(p->T, p->Z, p->T);
  fe_mul(p->Z, a, b);
}

// c = p as (Y + X, Y - X, 2 d T, Z), carried.
static void ge_to_cached(ge* c, const ge* p) {
  fe_add(CACHED_YPX(c), p->Y, p->X);
  fe_sub(CACHED_YMX(c), p->Y, p->X);
  fe_mul(CACHED_T2D(c), p->T, D2);
  fe_copy(CACHED_Z(c), p->Z);
}

static void ge_add_cached(ge* p, const ge* c, bool negate, bool want_t) {
  ge_add(p, CACHED_YPX(c), CACHED_YMX(c), CACHED_T2D(c), CACHED_Z(c), negate, want_t);
}

// RFC 8032 5.1.3 decoding, rejecting y >= p and x = 0 with the sign bit set.
EIOTA_NOINLINE static bool ge_frombytes(ge* p, const uint8_t s[32]) {
  fe u, v, v3, x;
  uint8_t y[32];
  fe_frombytes(p->Y, s);
  fe_tobytes(y, p->Y);
  if (memcmp(y, s, 31) != 0 || y[31] != (s[31] & 0x7f)) return false;
  fe_set(p->Z, 1);
  fe_sq(u, p->Y);
  fe_mul(v, D, u);
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
  fe_sq(v3, x);
  fe_mul(v3, v3, v);  // v x^2
  fe_sub(v, v3, u);
  if (!fe_iszero(v)) {
    fe_add(v, v3, u);
    if (!fe_iszero(v)) return false;
    fe_mul(x, x, SQRTM1);
  }
  bool sign = (s[31] >> 7) != 0;
  if (sign && fe_iszero(x)) return false;
  if (fe_isodd(x) != sign) fe_neg(x, x);
  fe_copy(p->X, x);
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

// ---------------------------------------------------------------- scalars

static int scalar_bit(const uint8_t s[32], int i) {
  if (i < 0) return 0;
  return (s[i >> 3] >> (i & 7)) & 1;
}

// Signed sliding windows, read from the top bit down. A scalar s < 2^253
// equals sum_j (b[j-1] - b[j]) 2^j for j = 0..253 (b[-1] = 0): signed digits
// in {-1, 0, 1}, nonzero where the bits change. A window starts at each
// nonzero digit j not yet covered and spans digits j..j-w+1; its value is an
// odd digit (below 2^(w-1) in magnitude) times a power of two, added where
// that power lands. The next window starts below it.
struct slider {
  int check;  // next digit position to look at
  int pos;    // position of the pending odd digit (-1: none)
  int digit;
};

static void slider_init(slider* w) {
  w->check = 253;
  w->pos = -1;
  w->digit = 0;
}

// Returns the odd digit to add at position i (0 if none); call for i from
// 253 down to 0.
static int slider_step(slider* w, const uint8_t s[32], int i, int width) {
  if (i == w->check) {
    if (scalar_bit(s, i) == scalar_bit(s, i - 1)) {
      w->check--;
    } else {
      int lo = i - width + 1;
      if (lo < 0) lo = 0;
      // Sum of the signed digits lo..i, scaled by 2^-lo; telescopes to this.
      int v = scalar_bit(s, lo - 1) - (scalar_bit(s, i) << (i - lo));
      for (int m = lo; m < i; m++) v += scalar_bit(s, m) << (m - lo);
      while ((v & 1) == 0) {  // v != 0: the top digit outweighs the rest
        v /= 2;
        lo++;
      }
      w->pos = lo;
      w->digit = v;
      w->check = i - width;
    }
  }
  return i == w->pos ? w->digit : 0;
}

// r = [s]B - [k]P for scalars below 2^253; r holds P on entry.
EIOTA_NOINLINE static void ge_double_scalarmult(ge* r, const uint8_t s[32], const uint8_t k[32]) {
  ge table[A_TABLE_SIZE];  // [1]P, [3]P, [5]P, ... as cached points
  ge_to_cached(&table[0], r);
  ge_dbl(r, true);
  ge_to_cached(&table[A_TABLE_SIZE - 1], r);  // [2]P until the last entry is due
  for (int i = 1; i < A_TABLE_SIZE; i++) {
    ge_add_cached(r, &table[i == 1 ? 0 : A_TABLE_SIZE - 1], false, true);
    ge_to_cached(&table[i], r);  // [2i + 1]P
  }
  slider ws, wk;
  slider_init(&ws);
  slider_init(&wk);
  ge_identity(r);
  bool started = false;  // r is still the identity: doublings are skipped
  for (int i = 253; i >= 0; i--) {
    int dk = slider_step(&wk, k, i, A_WINDOW);
    int ds = slider_step(&ws, s, i, B_WINDOW);
    if (started) ge_dbl(r, dk != 0 || ds != 0);
    if (dk != 0) {  // subtract [dk]P
      ge_add_cached(r, &table[(dk < 0 ? -dk : dk) >> 1], dk > 0, ds != 0);
      started = true;
    }
    if (ds != 0) {
      const ge_niels* b = &B_TABLE[(ds < 0 ? -ds : ds) >> 1];
      ge_add(r, b->ypx, b->ymx, b->t2d, NULL, ds < 0, false);
      started = true;
    }
  }
}

static uint32_t load_le32(const uint8_t* p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool sc_is_canonical(const uint8_t s[32]) {
  for (int i = 7; i >= 0; i--) {
    uint32_t w = load_le32(s + 4 * i);
    if (w != L_WORDS[i]) return w < L_WORDS[i];
  }
  return false;  // s == L
}

// r -= L (8 words, modulo 2^256).
static void words_sub_l(uint32_t r[8]) {
  uint32_t borrow = 0;
  for (int i = 0; i < 8; i++) {
    uint64_t t = (uint64_t)r[i] - L_WORDS[i] - borrow;
    r[i] = (uint32_t)t;
    borrow = (uint32_t)(t >> 63);
  }
}

static bool words_below_l(const uint32_t r[8]) {
  for (int i = 7; i >= 0; i--) {
    if (r[i] != L_WORDS[i]) return r[i] < L_WORDS[i];
  }
  return false;
}

// out = in mod L for a 512-bit little-endian input. Bits 260..511 are below 2^252 < L as they
// stand; the rest enter one at a time from the top: r = 2 r + bit, less L once that reaches L
// (r < L before, so 2 r + 1 < 2 L < 2^254). Small rather than fast: it runs once per verify.
// out may alias in.
EIOTA_NOINLINE static void sc_reduce(uint8_t out[32], const uint8_t in[64]) {
  uint32_t r[8];
  for (int j = 0; j < 8; j++) r[j] = load_le32(in + 32 + 4 * j) >> 4 | (j < 7 ? load_le32(in + 36 + 4 * j) << 28 : 0);
  for (int i = 259; i >= 0; i--) {
    uint32_t bit = (in[i >> 3] >> (i & 7)) & 1;
    for (int j = 0; j < 8; j++) {
      uint32_t top = r[j] >> 31;
      r[j] = r[j] << 1 | bit;
      bit = top;
    }
    if (!words_below_l(r)) words_sub_l(r);
  }
  for (int i = 0; i < 32; i++) out[i] = (uint8_t)(r[i >> 2] >> (8 * (i & 3)));
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

// The digest and k = digest mod L live in the context's spent hash block,
// which keeps them off the stack.
// True if [8]P is the identity, i.e. P lies in the torsion subgroup. A point
// with x = 0 after three doublings is the identity: (0, -1) has order 2, and
// no point has order 16.
EIOTA_NOINLINE static bool ge_is_small_order(const ge* p) {
  ge q = *p;
  for (int i = 0; i < 3; i++) ge_dbl(&q, false);
  return fe_iszero(q.X);
}

// The digest and k = digest mod L live in the context's spent hash block,
// which keeps them off the stack.
bool eiota_ed25519_verify_final(eiota_ed25519_verify_ctx* ctx) {
  uint8_t* h = ctx->hash.block;
  ge a;
  eiota_sha512_final(&ctx->hash, h);
  if (!sc_is_canonical(ctx->sig + 32)) return false;
  if (!ge_frombytes(&a, ctx->pub) || ge_is_small_order(&a)) return false;
  sc_reduce(h, h);  // k, in h[0..31]
  ge_double_scalarmult(&a, ctx->sig + 32, h);  // [S]B - [k]A
  // Only a canonical R can equal the encoding of the result, so comparing
  // encodings also rejects non-canonical R; a small-order R is rejected
  // explicitly.
  if (ge_is_small_order(&a)) return false;
  ge_tobytes(h, &a);
  return memcmp(h, ctx->sig, 32) == 0;
}

bool eiota_ed25519_verify(const uint8_t sig[64], const uint8_t pub[32], const uint8_t* msg,
                          size_t len) {
  eiota_ed25519_verify_ctx ctx;
  eiota_ed25519_verify_init(&ctx, sig, pub);
  eiota_ed25519_verify_update(&ctx, msg, len);
  return eiota_ed25519_verify_final(&ctx);
}
