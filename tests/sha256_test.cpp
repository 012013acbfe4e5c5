// SHA-256 against libsodium on the paths the block-at-a-time update takes: inputs at every
// alignment, every split of a message across block boundaries, the padding lengths around
// 55/56/64, and long messages in random pieces.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <random>
#include <vector>

#include "eiota_sha256.h"

namespace {

using Bytes = std::vector<uint8_t>;

Bytes random_bytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

Bytes sodium256(const uint8_t* m, size_t n) {
  Bytes out(32);
  crypto_hash_sha256(out.data(), m, n);
  return out;
}

Bytes ours(const uint8_t* m, size_t n) {
  eiota_sha256 c;
  eiota_sha256_init(&c);
  eiota_sha256_update(&c, m, n);
  Bytes out(32);
  eiota_sha256_final(&c, out.data());
  return out;
}

// The message in pieces cut at `cuts` (ascending offsets inside it).
Bytes ours_split(const Bytes& m, const std::vector<size_t>& cuts) {
  eiota_sha256 c;
  eiota_sha256_init(&c);
  size_t at = 0;
  for (size_t cut : cuts) {
    eiota_sha256_update(&c, m.data() + at, cut - at);
    at = cut;
  }
  eiota_sha256_update(&c, m.data() + at, m.size() - at);
  Bytes out(32);
  eiota_sha256_final(&c, out.data());
  return out;
}

class Sha256 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_GE(sodium_init(), 0); }
};

TEST_F(Sha256, ContextLayoutUnchanged) {
  static_assert(sizeof(eiota_sha256) == 8 * 4 + 8 + 64, "eiota_sha256 layout is part of the API");
  SUCCEED();
}

// Every length up to three blocks, each at every offset from an aligned buffer (the word loads
// must not depend on the input's alignment).
TEST_F(Sha256, EveryLengthAtEveryAlignment) {
  std::mt19937_64 rng(256);
  Bytes store = random_bytes(rng, 200 + 8);
  alignas(8) uint8_t buf[200 + 8];
  int checked = 0;
  for (size_t len = 0; len <= 200; len++) {
    for (size_t off = 0; off < 8; off++) {
      std::copy(store.begin(), store.end(), buf);
      ASSERT_EQ(ours(buf + off, len), sodium256(buf + off, len)) << "len " << len << " offset " << off;
      checked++;
    }
  }
  EXPECT_EQ(checked, 201 * 8);
}

// The lengths where the padding changes shape: the 0x80 and the length field fit in the last
// block (<= 55 bytes used), or need one more (56..63), or start a block of their own (64).
TEST_F(Sha256, PaddingBoundaries) {
  std::mt19937_64 rng(5564);
  for (size_t base : {0u, 64u, 128u, 4096u}) {
    for (size_t d = 50; d <= 70; d++) {
      Bytes m = random_bytes(rng, base + d);
      ASSERT_EQ(ours(m.data(), m.size()), sodium256(m.data(), m.size())) << "len " << m.size();
      ASSERT_EQ(ours_split(m, {m.size() / 2}), sodium256(m.data(), m.size())) << "len " << m.size();
    }
  }
}

// Every place to cut a message of a few blocks in two, and every pair of cuts in a shorter one:
// the buffered block, a run of whole blocks from the input and the tail all meet.
TEST_F(Sha256, EveryChunkingAcrossBlockBoundaries) {
  std::mt19937_64 rng(6464);
  Bytes m = random_bytes(rng, 300);
  Bytes want = sodium256(m.data(), m.size());
  for (size_t i = 0; i <= m.size(); i++) ASSERT_EQ(ours_split(m, {i}), want) << "cut " << i;
  Bytes s = random_bytes(rng, 150);
  Bytes want_s = sodium256(s.data(), s.size());
  for (size_t i = 0; i <= s.size(); i++)
    for (size_t j = i; j <= s.size(); j++) ASSERT_EQ(ours_split(s, {i, j}), want_s) << i << " " << j;
  for (size_t chunk = 1; chunk <= 130; chunk++) {
    std::vector<size_t> cuts;
    for (size_t at = chunk; at < m.size(); at += chunk) cuts.push_back(at);
    ASSERT_EQ(ours_split(m, cuts), want) << "chunk " << chunk;
  }
}

// Long messages in random pieces at random alignments, and in one piece.
TEST_F(Sha256, LongRandomMessages) {
  std::mt19937_64 rng(0x10000);
  for (size_t len : {65536u + 17u, 1000003u}) {
    Bytes backing = random_bytes(rng, len + 3);
    const uint8_t* m = backing.data() + len % 4;
    Bytes want = sodium256(m, len);
    ASSERT_EQ(ours(m, len), want) << "len " << len;
    eiota_sha256 c;
    eiota_sha256_init(&c);
    for (size_t at = 0; at < len;) {
      size_t n = std::min<size_t>(len - at, rng() % 1500);
      eiota_sha256_update(&c, n == 0 ? nullptr : m + at, n);
      at += n;
    }
    Bytes got(32);
    eiota_sha256_final(&c, got.data());
    ASSERT_EQ(got, want) << "len " << len;
  }
}

// A context used to the end and initialised again gives the same digest as a fresh one.
TEST_F(Sha256, ReinitialisedContext) {
  std::mt19937_64 rng(1);
  Bytes a = random_bytes(rng, 1000), b = random_bytes(rng, 77);
  eiota_sha256 c;
  Bytes got(32);
  eiota_sha256_init(&c);
  eiota_sha256_update(&c, a.data(), a.size());
  eiota_sha256_final(&c, got.data());
  ASSERT_EQ(got, sodium256(a.data(), a.size()));
  eiota_sha256_init(&c);
  eiota_sha256_update(&c, b.data(), b.size());
  eiota_sha256_final(&c, got.data());
  ASSERT_EQ(got, sodium256(b.data(), b.size()));
}

}  // namespace
