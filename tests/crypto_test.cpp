// Tests for the device crypto (SHA-256, SHA-512, Ed25519 verify) against the
// NIST, RFC 8032 and Wycheproof vectors in tests/vectors and
// against libsodium on deterministic random inputs.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "eiota_ed25519.h"
#include "eiota_sha256.h"
#include "eiota_sha512.h"

namespace {

using Bytes = std::vector<uint8_t>;

// The published vectors are committed under tests/vectors (sources and licences in its NOTICE).
std::filesystem::path vectors_dir() {
#ifdef EIOTA_SOURCE_DIR
  std::filesystem::path root = EIOTA_SOURCE_DIR;
#else
  std::filesystem::path root = std::filesystem::path(__FILE__).parent_path().parent_path();
#endif
  return root / "tests" / "vectors";
}

std::string read_fixture(const std::string& name) {
  std::filesystem::path path = vectors_dir() / name;
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "cannot open test vector file " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Bytes unhex(const std::string& hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::runtime_error("bad hex");
  };
  if (hex.size() % 2 != 0) throw std::runtime_error("odd hex length");
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); i++)
    out[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t start = s.find_first_not_of(" \t");
  return start == std::string::npos ? "" : s.substr(start);
}

Bytes sha256_ours(const Bytes& m, size_t chunk) {
  eiota_sha256 ctx;
  eiota_sha256_init(&ctx);
  if (m.empty()) eiota_sha256_update(&ctx, nullptr, 0);
  for (size_t off = 0; off < m.size(); off += chunk)
    eiota_sha256_update(&ctx, m.data() + off, std::min(chunk, m.size() - off));
  Bytes out(32);
  eiota_sha256_final(&ctx, out.data());
  return out;
}

Bytes sha512_ours(const Bytes& m, size_t chunk) {
  eiota_sha512 ctx;
  eiota_sha512_init(&ctx);
  if (m.empty()) eiota_sha512_update(&ctx, nullptr, 0);
  for (size_t off = 0; off < m.size(); off += chunk)
    eiota_sha512_update(&ctx, m.data() + off, std::min(chunk, m.size() - off));
  Bytes out(64);
  eiota_sha512_final(&ctx, out.data());
  return out;
}

// Runs the NIST ShortMsg file through `hash` one-shot and byte by byte;
// returns the number of vectors checked.
template <typename Hash>
int run_nist(const std::string& file, Hash hash) {
  std::istringstream in(read_fixture(file));
  std::string line;
  long len_bits = -1;
  Bytes msg;
  int count = 0;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.rfind("Len = ", 0) == 0) {
      len_bits = std::stol(line.substr(6));
    } else if (line.rfind("Msg = ", 0) == 0) {
      msg = unhex(line.substr(6));
    } else if (line.rfind("MD = ", 0) == 0) {
      EXPECT_GE(len_bits, 0);
      EXPECT_EQ(len_bits % 8, 0);
      msg.resize(static_cast<size_t>(len_bits / 8));  // Len = 0 comes with Msg = 00
      Bytes md = unhex(line.substr(5));
      EXPECT_EQ(hash(msg, msg.size() + 1), md) << file << " Len=" << len_bits;
      EXPECT_EQ(hash(msg, 1), md) << file << " Len=" << len_bits << " (1-byte updates)";
      count++;
      len_bits = -1;
    }
  }
  return count;
}

bool ours_streaming(const Bytes& sig, const Bytes& pub, const Bytes& msg, std::mt19937_64& rng) {
  eiota_ed25519_verify_ctx ctx;
  eiota_ed25519_verify_init(&ctx, sig.data(), pub.data());
  size_t off = 0;
  while (off < msg.size()) {
    size_t n = std::min<size_t>(msg.size() - off, 1 + rng() % 70);
    eiota_ed25519_verify_update(&ctx, msg.data() + off, n);
    off += n;
  }
  return eiota_ed25519_verify_final(&ctx);
}

bool ours(const Bytes& sig, const Bytes& pub, const Bytes& msg) {
  return eiota_ed25519_verify(sig.data(), pub.data(), msg.data(), msg.size());
}

bool sodium_ok(const Bytes& sig, const Bytes& pub, const Bytes& msg) {
  return crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), pub.data()) == 0;
}

Bytes random_bytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

class Crypto : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_GE(sodium_init(), 0);
  }
};

TEST_F(Crypto, Sha256NistShortMsg) {
  EXPECT_EQ(run_nist("SHA256ShortMsg.rsp", sha256_ours), 65);
}

TEST_F(Crypto, Sha512NistShortMsg) {
  EXPECT_EQ(run_nist("SHA512ShortMsg.rsp", sha512_ours), 129);
}

// The committed files are the published ones byte for byte (SHA256SUMS), CRLF line endings of the
// NIST files included: a checkout that normalised them would still parse, but not be NIST's file.
TEST_F(Crypto, VectorFilesAreThePublishedOnes) {
  std::istringstream sums(read_fixture("SHA256SUMS"));
  std::string want, name;
  int files = 0;
  while (sums >> want >> name) {
    const std::string text = read_fixture(name);
    Bytes got = sha256_ours(Bytes(text.begin(), text.end()), 4096);
    EXPECT_EQ(got, unhex(want)) << name;
    files++;
  }
  EXPECT_EQ(files, 4);
  EXPECT_NE(read_fixture("SHA256ShortMsg.rsp").find("Len = 0\r\nMsg = 00\r\n"), std::string::npos);
  EXPECT_NE(read_fixture("SHA512ShortMsg.rsp").find("\r\n"), std::string::npos);
}

TEST_F(Crypto, ShaMatchesLibsodiumWithRandomChunking) {
  std::mt19937_64 rng(0x5a2);
  int checked = 0;
  for (int iter = 0; iter < 400; iter++) {
    // Bias lengths towards block boundaries, where padding bugs live.
    size_t len = iter < 300 ? iter : rng() % 3000;
    Bytes m = random_bytes(rng, len);
    size_t chunk = iter % 4 == 0 ? 1 : 1 + rng() % (len + 1);
    Bytes want256(32), want512(64);
    crypto_hash_sha256(want256.data(), m.data(), m.size());
    crypto_hash_sha512(want512.data(), m.data(), m.size());
    ASSERT_EQ(sha256_ours(m, chunk), want256) << "len " << len << " chunk " << chunk;
    ASSERT_EQ(sha512_ours(m, chunk), want512) << "len " << len << " chunk " << chunk;

    // Irregular chunk sizes within one message.
    eiota_sha256 c256;
    eiota_sha512 c512;
    eiota_sha256_init(&c256);
    eiota_sha512_init(&c512);
    for (size_t off = 0; off < len;) {
      size_t n = std::min<size_t>(len - off, rng() % 200);
      eiota_sha256_update(&c256, m.data() + off, n);
      eiota_sha512_update(&c512, m.data() + off, n);
      off += n;
    }
    Bytes got256(32), got512(64);
    eiota_sha256_final(&c256, got256.data());
    eiota_sha512_final(&c512, got512.data());
    ASSERT_EQ(got256, want256);
    ASSERT_EQ(got512, want512);
    checked++;
  }
  EXPECT_EQ(checked, 400);
}

TEST_F(Crypto, Ed25519Rfc8032) {
  std::istringstream in(read_fixture("rfc8032_ed25519.txt"));
  std::string line;
  std::mt19937_64 rng(8032);
  int count = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(trim(line));
    std::string sk_hex, pk_hex, msg_hex, sig_hex;
    if (!(fields >> sk_hex >> pk_hex >> msg_hex >> sig_hex)) continue;
    Bytes seed = unhex(sk_hex), pub = unhex(pk_hex), sig = unhex(sig_hex);
    Bytes msg = msg_hex == "-" ? Bytes() : unhex(msg_hex);
    ASSERT_EQ(pub.size(), 32u);
    ASSERT_EQ(sig.size(), 64u);

    // The fixture itself is consistent with libsodium's signer.
    Bytes pk2(32), sk2(64), sig2(64);
    crypto_sign_seed_keypair(pk2.data(), sk2.data(), seed.data());
    crypto_sign_detached(sig2.data(), nullptr, msg.data(), msg.size(), sk2.data());
    EXPECT_EQ(pk2, pub);
    EXPECT_EQ(sig2, sig);

    EXPECT_TRUE(ours(sig, pub, msg)) << "vector " << count;
    EXPECT_TRUE(ours_streaming(sig, pub, msg, rng)) << "vector " << count;
    Bytes bad = msg;
    if (bad.empty())
      bad.push_back(0);
    else
      bad[0] ^= 1;
    EXPECT_FALSE(ours(sig, pub, bad)) << "vector " << count;
    count++;
  }
  EXPECT_EQ(count, 5);
}

TEST_F(Crypto, Ed25519Wycheproof) {
  auto doc = nlohmann::json::parse(read_fixture("ed25519_wycheproof.json"));
  std::mt19937_64 rng(151);
  int count = 0, valid = 0, well_formed = 0;
  for (const auto& group : doc.at("testGroups")) {
    Bytes pub = unhex(group.at("publicKey").at("pk").get<std::string>());
    ASSERT_EQ(pub.size(), 32u);
    for (const auto& t : group.at("tests")) {
      Bytes msg = unhex(t.at("msg").get<std::string>());
      Bytes sig = unhex(t.at("sig").get<std::string>());
      std::string result = t.at("result").get<std::string>();
      ASSERT_TRUE(result == "valid" || result == "invalid") << result;
      bool expected = result == "valid";
      // The API takes exactly 64 signature bytes; other lengths are
      // rejected before reaching it.
      bool got = false, got_stream = false, sodium = false;
      if (sig.size() == 64) {
        got = ours(sig, pub, msg);
        got_stream = ours_streaming(sig, pub, msg, rng);
        sodium = sodium_ok(sig, pub, msg);
        well_formed++;
      }
      int id = t.at("tcId").get<int>();
      EXPECT_EQ(got, expected) << "tcId " << id;
      EXPECT_EQ(got_stream, expected) << "tcId " << id;
      EXPECT_EQ(got, sodium) << "tcId " << id;
      valid += expected;
      count++;
    }
  }
  EXPECT_EQ(count, 151);
  EXPECT_EQ(count, doc.at("numberOfTests").get<int>());
  EXPECT_EQ(valid, 88);
  EXPECT_EQ(well_formed, 139);
}

TEST_F(Crypto, Ed25519MatchesLibsodiumOnRandomKeysAndBitFlips) {
  std::mt19937_64 rng(25519);
  int signatures = 0, mutations = 0, mutations_accepted = 0;
  for (int iter = 0; iter < 300; iter++) {
    Bytes seed = random_bytes(rng, 32), pub(32), sk(64), sig(64);
    crypto_sign_seed_keypair(pub.data(), sk.data(), seed.data());
    Bytes msg = random_bytes(rng, rng() % 300);
    crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk.data());
    ASSERT_TRUE(ours(sig, pub, msg)) << "iter " << iter;
    ASSERT_TRUE(ours_streaming(sig, pub, msg, rng)) << "iter " << iter;
    signatures++;

    for (int m = 0; m < 6; m++) {
      Bytes s = sig, p = pub, x = msg;
      switch (m % 3) {
        case 0:
          s[rng() % 64] ^= static_cast<uint8_t>(1u << (rng() % 8));
          break;
        case 1:
          p[rng() % 32] ^= static_cast<uint8_t>(1u << (rng() % 8));
          break;
        default:
          if (x.empty())
            x.push_back(static_cast<uint8_t>(rng()));
          else
            x[rng() % x.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      }
      bool want = sodium_ok(s, p, x);
      ASSERT_EQ(ours(s, p, x), want) << "iter " << iter << " mutation " << m;
      mutations++;
      mutations_accepted += want;
    }
  }
  EXPECT_EQ(signatures, 300);
  EXPECT_EQ(mutations, 1800);
  EXPECT_EQ(mutations_accepted, 0);
}

// Signature with S + L in place of S: the same group equation holds, but
// both implementations must refuse the non-canonical scalar.
TEST_F(Crypto, Ed25519RejectsNonCanonicalS) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 20; iter++) {
    Bytes seed = random_bytes(rng, 32), pub(32), sk(64), sig(64);
    crypto_sign_seed_keypair(pub.data(), sk.data(), seed.data());
    Bytes msg = random_bytes(rng, 40);
    crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk.data());
    static const uint8_t L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                  0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                  0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) {
      unsigned v = sig[32 + i] + L[i] + carry;
      sig[32 + i] = static_cast<uint8_t>(v);
      carry = v >> 8;
    }
    ASSERT_EQ(carry, 0u);
    EXPECT_FALSE(sodium_ok(sig, pub, msg));
    EXPECT_FALSE(ours(sig, pub, msg));
  }
}

// Encodings (y, sign bit ignored by libsodium) of the points of order 1, 2,
// 4 and 8, including the non-canonical y = p and y = p + 1.
const char* const kSmallOrder[] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};

TEST_F(Crypto, Ed25519RejectsSmallOrderKeysAndR) {
  std::mt19937_64 rng(8);
  int checked = 0;
  for (const char* hex : kSmallOrder) {
    for (int sign = 0; sign < 2; sign++) {
      Bytes point = unhex(hex);
      point[31] |= static_cast<uint8_t>(sign << 7);
      Bytes msg = random_bytes(rng, 16);
      // S = 0 makes [S]B - [k]A = -[k]A, a small-order point when A is one.
      Bytes sig(64, 0);
      EXPECT_FALSE(ours(sig, point, msg)) << hex << " sign " << sign;
      EXPECT_EQ(ours(sig, point, msg), sodium_ok(sig, point, msg));
      Bytes sig2 = random_bytes(rng, 64);
      sig2[63] &= 0x0f;
      std::copy(point.begin(), point.end(), sig2.begin());
      Bytes seed = random_bytes(rng, 32), pub(32), sk(64);
      crypto_sign_seed_keypair(pub.data(), sk.data(), seed.data());
      EXPECT_FALSE(ours(sig2, pub, msg));
      EXPECT_EQ(ours(sig2, pub, msg), sodium_ok(sig2, pub, msg));
      checked++;
    }
  }
  EXPECT_EQ(checked, 14);
}

// Hand-built signatures (via libsodium's group/scalar primitives) that pass
// the cofactorless equation but must be rejected, or that exercise keys with
// a torsion component.
struct Signer {
  Bytes a = Bytes(32), A = Bytes(32);

  explicit Signer(std::mt19937_64& rng) {
    Bytes wide = random_bytes(rng, 64);
    crypto_core_ed25519_scalar_reduce(a.data(), wide.data());
    EXPECT_EQ(crypto_scalarmult_ed25519_base_noclamp(A.data(), a.data()), 0);
  }

  static Bytes challenge(const Bytes& R, const Bytes& pub, const Bytes& msg) {
    Bytes h(64), k(32);
    crypto_hash_sha512_state st;
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, R.data(), 32);
    crypto_hash_sha512_update(&st, pub.data(), 32);
    crypto_hash_sha512_update(&st, msg.data(), msg.size());
    crypto_hash_sha512_final(&st, h.data());
    crypto_core_ed25519_scalar_reduce(k.data(), h.data());
    return k;
  }

  // S = r + k a for the given R (= [r]B, or anything when r is zero).
  Bytes sign(const Bytes& r, const Bytes& R, const Bytes& pub, const Bytes& msg) const {
    Bytes k = challenge(R, pub, msg), ka(32), S(32), sig(R);
    crypto_core_ed25519_scalar_mul(ka.data(), k.data(), a.data());
    crypto_core_ed25519_scalar_add(S.data(), r.data(), ka.data());
    sig.insert(sig.end(), S.begin(), S.end());
    return sig;
  }
};

TEST_F(Crypto, Ed25519RejectsIdentityR) {
  std::mt19937_64 rng(9);
  Bytes zero(32, 0), identity = unhex(kSmallOrder[1]);
  for (int iter = 0; iter < 10; iter++) {
    Signer s(rng);
    Bytes msg = random_bytes(rng, 20);
    Bytes sig = s.sign(zero, identity, s.A, msg);  // R = O, S = k a
    EXPECT_FALSE(sodium_ok(sig, s.A, msg));
    EXPECT_FALSE(ours(sig, s.A, msg));
  }
}

// With A the identity, [S]B - [k]A = [S]B, so R = [S]B satisfies the
// equation for every message; with A of order 2 it does whenever k is even.
// The small-order key check must still reject.
TEST_F(Crypto, Ed25519RejectsSmallOrderKeyEvenWhenEquationHolds) {
  std::mt19937_64 rng(11);
  int checked = 0;
  for (const char* hex : {kSmallOrder[1], kSmallOrder[4]}) {
    Bytes pub = unhex(hex);
    for (int iter = 0; iter < 10; iter++) {
      Bytes wide = random_bytes(rng, 64), S(32), R(32);
      crypto_core_ed25519_scalar_reduce(S.data(), wide.data());
      ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(R.data(), S.data()), 0);
      Bytes sig = R, msg = random_bytes(rng, 12);
      sig.insert(sig.end(), S.begin(), S.end());
      EXPECT_FALSE(sodium_ok(sig, pub, msg));
      EXPECT_FALSE(ours(sig, pub, msg)) << hex << " iter " << iter;
      checked++;
    }
  }
  EXPECT_EQ(checked, 20);
}

TEST_F(Crypto, Ed25519MixedOrderKeysMatchLibsodium) {
  std::mt19937_64 rng(10);
  int accepted = 0, rejected = 0;
  for (int iter = 0; iter < 96; iter++) {
    Signer s(rng);
    Bytes torsion = unhex(kSmallOrder[2 + iter % 2]), mixed(32);
    ASSERT_EQ(crypto_core_ed25519_add(mixed.data(), s.A.data(), torsion.data()), 0);
    Bytes wide = random_bytes(rng, 64), r(32), R(32);
    crypto_core_ed25519_scalar_reduce(r.data(), wide.data());
    ASSERT_EQ(crypto_scalarmult_ed25519_base_noclamp(R.data(), r.data()), 0);
    Bytes msg = random_bytes(rng, 24);
    // Valid under the cofactorless check exactly when 8 divides k.
    Bytes sig = s.sign(r, R, mixed, msg);
    bool want = sodium_ok(sig, mixed, msg);
    EXPECT_EQ(ours(sig, mixed, msg), want) << "iter " << iter;
    (want ? accepted : rejected)++;

    // R with a torsion component: [S]B - [k]A lands on R only by luck.
    Bytes Rt(32);
    ASSERT_EQ(crypto_core_ed25519_add(Rt.data(), R.data(), torsion.data()), 0);
    Bytes sig2 = s.sign(r, Rt, s.A, msg);
    EXPECT_EQ(ours(sig2, s.A, msg), sodium_ok(sig2, s.A, msg)) << "iter " << iter;
  }
  EXPECT_GT(accepted, 0);
  EXPECT_GT(rejected, 0);
}

}  // namespace
