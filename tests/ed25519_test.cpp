// Tests of the Ed25519 verifier's internals (device/eiota_ed25519.cpp) against
// libsodium: the double-scalar multiplication on scalars that stress the
// signed sliding-window recoding, the Barrett reduction mod L on edge inputs,
// and whole signatures in volume, with S at and around L.
#include <gtest/gtest.h>
#include <sodium.h>

#include <random>
#include <string>
#include <vector>

#include "eiota_ed25519.h"

// The internals are static: compile the source once more here, with its public
// functions renamed so they do not clash with the library's.
#define eiota_ed25519_verify_init whitebox_verify_init
#define eiota_ed25519_verify_update whitebox_verify_update
#define eiota_ed25519_verify_final whitebox_verify_final
#define eiota_ed25519_verify whitebox_verify
#include "../device/eiota_ed25519.cpp"
#undef eiota_ed25519_verify_init
#undef eiota_ed25519_verify_update
#undef eiota_ed25519_verify_final
#undef eiota_ed25519_verify

namespace {

using Bytes = std::vector<uint8_t>;

const uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                        0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                        0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};

Bytes random_bytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

// a + b * m (little-endian, n bytes, m small); the carry out is dropped.
Bytes add_mul(const Bytes& a, const uint8_t* b, size_t nb, unsigned m) {
  Bytes out = a;
  unsigned carry = 0;
  for (size_t i = 0; i < out.size(); i++) {
    unsigned v = out[i] + (i < nb ? b[i] * m : 0) + carry;
    out[i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  return out;
}

Bytes sub_one(Bytes a) {
  for (auto& x : a) {
    if (x-- != 0) break;
  }
  return a;
}

Bytes bit_value(int bit) {
  Bytes s(32, 0);
  s[bit / 8] = static_cast<uint8_t>(1u << (bit % 8));
  return s;
}

// Scalars below 2^253 whose recoding is delicate: 0, 1, small, single bits,
// runs of ones of every length, L and its neighbours, 2^252 +- 1, 2^253 - 1,
// alternating bits, and ones in the window-boundary positions.
std::vector<Bytes> stress_scalars() {
  std::vector<Bytes> out;
  for (unsigned v : {0u, 1u, 2u, 3u, 5u, 7u, 8u, 15u, 16u, 17u, 31u, 33u, 0x55u, 0xaau, 0xffu}) {
    Bytes s(32, 0);
    s[0] = static_cast<uint8_t>(v);
    out.push_back(s);
  }
  for (int bit : {1, 4, 5, 6, 7, 8, 63, 64, 127, 128, 200, 247, 248, 250, 251, 252}) {
    out.push_back(bit_value(bit));
  }
  for (int n = 1; n < 253; n += (n < 12 ? 1 : 17)) out.push_back(sub_one(bit_value(n)));  // 2^n - 1
  Bytes top(32, 0xff);  // 2^253 - 1
  top[31] = 0x1f;
  out.push_back(top);
  Bytes l(kL, kL + 32);
  out.push_back(l);
  out.push_back(sub_one(l));
  out.push_back(sub_one(sub_one(l)));
  out.push_back(add_mul(l, bit_value(0).data(), 32, 1));  // L + 1
  out.push_back(sub_one(bit_value(252)));                 // 2^252 - 1
  out.push_back(add_mul(bit_value(252), bit_value(0).data(), 32, 1));
  for (uint8_t pattern : {0x55, 0xaa, 0x33, 0xcc, 0x0f, 0xf0, 0x81, 0x7e}) {
    Bytes s(32, pattern);
    s[31] &= 0x0f;
    out.push_back(s);
  }
  return out;
}

// [s]B with libsodium, the identity when s = 0 mod L (which libsodium refuses).
Bytes sodium_base(const Bytes& s) {
  Bytes out(32, 0);
  if (crypto_scalarmult_ed25519_base_noclamp(out.data(), s.data()) != 0) {
    out.assign(32, 0);
    out[0] = 1;
  }
  return out;
}

Bytes sodium_mul(const Bytes& k, const Bytes& p) {
  Bytes out(32, 0);
  if (crypto_scalarmult_ed25519_noclamp(out.data(), k.data(), p.data()) != 0) {
    out.assign(32, 0);
    out[0] = 1;
  }
  return out;
}

Bytes sodium_expected(const Bytes& s, const Bytes& k, const Bytes& p) {
  Bytes sb = sodium_base(s), kp = sodium_mul(k, p), out(32);
  EXPECT_EQ(crypto_core_ed25519_sub(out.data(), sb.data(), kp.data()), 0);
  return out;
}

Bytes ours_double_scalarmult(const Bytes& s, const Bytes& k, const Bytes& p) {
  ge r;
  EXPECT_TRUE(ge_frombytes(&r, p.data()));
  ge_double_scalarmult(&r, s.data(), k.data());
  Bytes out(32);
  ge_tobytes(out.data(), &r);
  return out;
}

Bytes random_point(std::mt19937_64& rng) {
  Bytes a = random_bytes(rng, 32), p(32);
  a[31] &= 0x0f;
  EXPECT_EQ(crypto_scalarmult_ed25519_base_noclamp(p.data(), a.data()), 0);
  return p;
}

Bytes random_scalar(std::mt19937_64& rng) {
  Bytes wide = random_bytes(rng, 64), s(32);
  crypto_core_ed25519_scalar_reduce(s.data(), wide.data());
  return s;
}

TEST(Ed25519Internals, DoubleScalarMultMatchesLibsodiumOnStressScalars) {
  std::mt19937_64 rng(2552);
  std::vector<Bytes> scalars = stress_scalars();
  int checked = 0;
  for (size_t i = 0; i < scalars.size(); i++) {
    Bytes p = random_point(rng);
    const Bytes& fixed = scalars[i];
    Bytes other = random_scalar(rng);
    ASSERT_EQ(ours_double_scalarmult(fixed, other, p), sodium_expected(fixed, other, p)) << "s #" << i;
    ASSERT_EQ(ours_double_scalarmult(other, fixed, p), sodium_expected(other, fixed, p)) << "k #" << i;
    const Bytes& partner = scalars[(i * 7 + 3) % scalars.size()];
    ASSERT_EQ(ours_double_scalarmult(fixed, partner, p), sodium_expected(fixed, partner, p))
        << "pair #" << i;
    checked += 3;
  }
  EXPECT_GE(checked, 3 * 60);
}

TEST(Ed25519Internals, DoubleScalarMultMatchesLibsodiumOnRandomScalars) {
  std::mt19937_64 rng(1234);
  for (int iter = 0; iter < 300; iter++) {
    Bytes p = random_point(rng), s = random_scalar(rng), k = random_scalar(rng);
    ASSERT_EQ(ours_double_scalarmult(s, k, p), sodium_expected(s, k, p)) << "iter " << iter;
  }
}

// The slider's digits, summed back, give the scalar: every window's odd digit
// is in range and lands on a position of its own.
TEST(Ed25519Internals, SlidingWindowDigitsRebuildTheScalar) {
  std::mt19937_64 rng(99);
  std::vector<Bytes> scalars = stress_scalars();
  for (int i = 0; i < 200; i++) scalars.push_back(random_scalar(rng));
  for (int width : {A_WINDOW, B_WINDOW}) {
    for (const Bytes& s : scalars) {
      slider w;
      slider_init(&w);
      std::vector<long long> digit_at(254, 0);
      for (int i = 253; i >= 0; i--) {
        int d = slider_step(&w, s.data(), i, width);
        if (d == 0) continue;
        ASSERT_EQ(d & 1, 1) << "even digit";
        ASSERT_LT(d < 0 ? -d : d, 1 << (width - 1));
        digit_at[i] = d;
      }
      // sum d_i 2^i as 33 bytes, signed digits folded with borrows
      std::vector<long long> acc(34, 0);
      for (int i = 0; i < 254; i++) acc[i / 8] += digit_at[i] * (1LL << (i % 8));
      Bytes rebuilt(32);
      long long carry = 0;
      for (int i = 0; i < 34; i++) {
        long long v = acc[i] + carry;
        long long low = ((v % 256) + 256) % 256;
        if (i < 32) {
          rebuilt[i] = static_cast<uint8_t>(low);
        } else {
          ASSERT_EQ(low, 0) << "overflow";
        }
        carry = (v - low) / 256;
      }
      ASSERT_EQ(carry, 0);
      ASSERT_EQ(rebuilt, s);
    }
  }
}

Bytes fe_bytes(const fe f) {
  Bytes out(32);
  fe_tobytes(out.data(), f);
  return out;
}

// The flash table is [1]B, [3]B, [5]B, ... as (y + x, y - x, 2 d x y): rebuilt
// here from B's encoding (y = 4/5, x even) and libsodium's multiples of B.
TEST(Ed25519Internals, BaseTableHoldsTheOddMultiplesOfB) {
  for (int i = 0; i < B_TABLE_SIZE; i++) {
    Bytes n(32, 0);
    n[0] = static_cast<uint8_t>(2 * i + 1);
    Bytes enc = sodium_base(n);
    ge p;
    ASSERT_TRUE(ge_frombytes(&p, enc.data()));  // Z = 1: X, Y are x, y
    fe ypx, ymx, t2d;
    fe_add(ypx, p.Y, p.X);
    fe_sub(ymx, p.Y, p.X);
    fe_mul(t2d, p.T, D2);
    EXPECT_EQ(fe_bytes(B_TABLE[i].ypx), fe_bytes(ypx)) << "entry " << i;
    EXPECT_EQ(fe_bytes(B_TABLE[i].ymx), fe_bytes(ymx)) << "entry " << i;
    EXPECT_EQ(fe_bytes(B_TABLE[i].t2d), fe_bytes(t2d)) << "entry " << i;
    for (int k = 0; k < 10; k++) {  // carried, as fe_mul's inputs need
      EXPECT_LE(B_TABLE[i].ypx[k] < 0 ? -B_TABLE[i].ypx[k] : B_TABLE[i].ypx[k], 1 << 25);
      EXPECT_LE(B_TABLE[i].t2d[k] < 0 ? -B_TABLE[i].t2d[k] : B_TABLE[i].t2d[k], 1 << 25);
    }
  }
}

TEST(Ed25519Internals, ReduceModLMatchesLibsodiumOnEdgeInputs) {
  std::mt19937_64 rng(4242);
  std::vector<Bytes> inputs;
  inputs.push_back(Bytes(64, 0));
  inputs.push_back(Bytes(64, 0xff));
  Bytes l(64, 0);
  std::copy(kL, kL + 32, l.begin());
  for (unsigned m : {1u, 2u, 3u, 15u, 16u, 17u, 255u}) {
    Bytes ml = add_mul(Bytes(64, 0), l.data(), 64, m);
    inputs.push_back(ml);
    inputs.push_back(sub_one(ml));
    inputs.push_back(add_mul(ml, bit_value(0).data(), 32, 1));
  }
  // q L + r for a large random q and r near 0 or near L: Barrett's estimate
  // of q is then at its most fragile.
  for (int iter = 0; iter < 200; iter++) {
    Bytes q = random_bytes(rng, 33);
    q[32] &= (iter % 2) ? 0x0f : 0x00;
    Bytes x(64, 0);
    for (size_t i = 0; i < q.size(); i++) {  // x += q[i] L 2^(8 i)
      Bytes shifted(64, 0);
      for (int j = 0; j < 32 && i + j < 64; j++) shifted[i + j] = kL[j];
      x = add_mul(x, shifted.data(), 64, q[i]);
    }
    Bytes r = (iter % 3 == 0) ? sub_one(l) : Bytes(64, 0);
    r.resize(64, 0);
    if (iter % 3 == 2) r[0] = static_cast<uint8_t>(rng());
    x = add_mul(x, r.data(), 64, 1);
    inputs.push_back(x);
    inputs.push_back(random_bytes(rng, 64));
    // Near 2^512 the estimate falls one short: the correcting subtraction runs.
    Bytes high = random_bytes(rng, 64);
    std::fill(high.begin() + 32 + (iter % 8), high.end(), 0xff);
    inputs.push_back(high);
  }
  for (size_t i = 0; i < inputs.size(); i++) {
    uint8_t ours_out[32], want[32];
    Bytes in = inputs[i];
    sc_reduce(ours_out, in.data());
    crypto_core_ed25519_scalar_reduce(want, inputs[i].data());
    ASSERT_EQ(Bytes(ours_out, ours_out + 32), Bytes(want, want + 32)) << "input #" << i;
    ASSERT_TRUE(sc_is_canonical(ours_out));
  }
}

// Many random signatures: valid ones accepted, each with S replaced by S + L
// (same equation, non-canonical) refused, and random tweaks of S, R, A and the
// message decided as libsodium decides.
TEST(Ed25519Volume, MatchesLibsodiumOnManySignatures) {
  std::mt19937_64 rng(8032);
  int accepted = 0, agreed = 0;
  for (int iter = 0; iter < 1500; iter++) {
    Bytes seed = random_bytes(rng, 32), pub(32), sk(64), sig(64);
    crypto_sign_seed_keypair(pub.data(), sk.data(), seed.data());
    Bytes msg = random_bytes(rng, rng() % 200);
    crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk.data());
    ASSERT_TRUE(eiota_ed25519_verify(sig.data(), pub.data(), msg.data(), msg.size())) << iter;
    accepted++;

    Bytes big = sig;
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) {
      unsigned v = big[32 + i] + kL[i] + carry;
      big[32 + i] = static_cast<uint8_t>(v);
      carry = v >> 8;
    }
    ASSERT_FALSE(eiota_ed25519_verify(big.data(), pub.data(), msg.data(), msg.size())) << iter;

    Bytes s = sig, p = pub, m = msg;
    switch (iter % 4) {
      case 0:  // S set to L - 1 - small, or L + small
        for (int i = 0; i < 32; i++) s[32 + i] = kL[i];
        s[32] = static_cast<uint8_t>(s[32] + (rng() % 5) - 2);
        break;
      case 1:
        s[rng() % 32] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 2:
        p[rng() % 32] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      default:
        m.push_back(static_cast<uint8_t>(rng()));
    }
    bool want = crypto_sign_verify_detached(s.data(), m.data(), m.size(), p.data()) == 0;
    ASSERT_EQ(eiota_ed25519_verify(s.data(), p.data(), m.data(), m.size()), want) << iter;
    agreed++;
  }
  EXPECT_EQ(accepted, 1500);
  EXPECT_EQ(agreed, 1500);
}

// y = p + low (non-canonical, low < 19) as the key or as R: refused, as
// libsodium refuses them, whether or not y = low is on the curve.
TEST(Ed25519Volume, RefusesNonCanonicalEncodings) {
  int checked = 0;
  std::mt19937_64 rng(19);
  for (unsigned low = 0; low < 19; low++) {
    Bytes enc(32, 0xff);
    enc[0] = static_cast<uint8_t>(0xed + low);  // p + low, low < 19
    enc[31] = 0x7f;
    for (int sign = 0; sign < 2; sign++) {
      Bytes e = enc;
      e[31] |= static_cast<uint8_t>(sign << 7);
      Bytes sig = random_bytes(rng, 64), msg = random_bytes(rng, 8);
      sig[63] &= 0x0f;
      EXPECT_FALSE(eiota_ed25519_verify(sig.data(), e.data(), msg.data(), msg.size()));
      Bytes seed = random_bytes(rng, 32), pub(32), sk(64);
      crypto_sign_seed_keypair(pub.data(), sk.data(), seed.data());
      std::copy(e.begin(), e.end(), sig.begin());
      EXPECT_FALSE(eiota_ed25519_verify(sig.data(), pub.data(), msg.data(), msg.size()));
      EXPECT_EQ(crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), pub.data()), -1);
      checked++;
    }
  }
  EXPECT_EQ(checked, 38);
}

}  // namespace
