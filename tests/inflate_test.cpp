// The DEFLATE decoder (device/eiota_inflate.h) against zlib: every block type and strategy,
// window sizes, chunkings down to one byte, and malformed streams that must fail without writing
// past the declared length.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "eiota_inflate.h"

namespace {

std::string deflate_raw(const std::string& in, int level, int window_bits = 15, int strategy = Z_DEFAULT_STRATEGY) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, -window_bits, 9, strategy), Z_OK);
  std::string out(deflateBound(&z, in.size()) + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A sink writing into a fixed buffer, as a region's RAM copy would be written.
struct Buffer {
  std::vector<uint8_t> bytes;
  size_t n = 0;
  size_t calls = 0;
};

int put(void* ctx, const uint8_t* data, uint32_t len) {
  auto* b = static_cast<Buffer*>(ctx);
  if (len > b->bytes.size() - b->n) return EIOTA_ERR_STORAGE;
  memcpy(b->bytes.data() + b->n, data, len);
  b->n += len;
  b->calls++;
  return EIOTA_OK;
}

int copy(void* ctx, uint32_t dist, uint32_t len) {
  auto* b = static_cast<Buffer*>(ctx);
  if (dist == 0 || dist > b->n || len > b->bytes.size() - b->n) return EIOTA_ERR_STORAGE;
  for (uint32_t i = 0; i < len; i++, b->n++) b->bytes[b->n] = b->bytes[b->n - dist];
  b->calls++;
  return EIOTA_OK;
}

// Decodes `stream` fed in chunks of `chunk` bytes into a buffer of `out_len`: the feed error, or
// EIOTA_ERR_INFLATE if the stream did not end exactly at its last byte. *taken: bytes it took.
int inflate_into(const std::string& stream, uint32_t out_len, size_t chunk, Buffer* b, size_t* taken = nullptr) {
  b->bytes.assign(out_len, 0);
  b->n = 0;
  eiota_inflate z;
  eiota_inflate_init(&z, out_len);
  eiota_inflate_sink sink = {b, put, copy};
  const auto* p = reinterpret_cast<const uint8_t*>(stream.data());
  size_t at = 0;
  while (at < stream.size() && !eiota_inflate_done(&z)) {
    uint32_t n = static_cast<uint32_t>(std::min(chunk, stream.size() - at));
    uint32_t used = 0;
    int err = eiota_inflate_feed(&z, p + at, n, &sink, &used);
    EXPECT_LE(used, n);
    at += used;
    if (err != EIOTA_OK) return err;
    if (used < n) EXPECT_TRUE(eiota_inflate_done(&z));
  }
  if (taken) *taken = at;
  return eiota_inflate_done(&z) && at == stream.size() ? EIOTA_OK : EIOTA_ERR_INFLATE;
}

std::string sample(const std::string& kind, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  if (kind == "random") {
    for (auto& c : s) c = static_cast<char>(rng());
  } else if (kind == "int8 weights") {  // roughly normal around 0, as quantized weights are
    std::normal_distribution<double> d(0, 20);
    for (auto& c : s) c = static_cast<char>(std::max(-128.0, std::min(127.0, d(rng))));
  } else if (kind == "zeros") {
    // all zero: long matches with distance 1
  } else if (kind == "text") {
    const char* words[] = {"scale ", "zero_point ", "tensor ", "weights ", "bias ", "conv2d "};
    s.clear();
    while (s.size() < n) s += words[rng() % 6];
    s.resize(n);
  } else {  // int32 zero points: runs of one value with rare changes
    for (size_t i = 0; i + 4 <= n; i += 4) {
      uint32_t v = (rng() % 50 == 0) ? rng() : 0u;
      memcpy(&s[i], &v, 4);
    }
  }
  return s;
}

TEST(Inflate, DecodesWhatZlibWritesForEveryLevelStrategyAndWindow) {
  const char* kinds[] = {"random", "int8 weights", "zeros", "text", "zero points"};
  const int strategies[] = {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED};
  int cases = 0;
  for (const char* kind : kinds) {
    for (size_t n : {size_t(0), size_t(1), size_t(257), size_t(70000)}) {
      std::string in = sample(kind, n, static_cast<uint32_t>(n) + 7);
      for (int level : {0, 1, 6, 9}) {
        for (int strategy : strategies) {
          for (int window : {9, 15}) {
            std::string z = deflate_raw(in, level, window, strategy);
            Buffer b;
            ASSERT_EQ(inflate_into(z, static_cast<uint32_t>(in.size()), z.size() + 1, &b), EIOTA_OK)
                << kind << " n=" << n << " level=" << level << " strategy=" << strategy << " window=" << window;
            ASSERT_EQ(b.n, in.size());
            ASSERT_EQ(0, memcmp(b.bytes.data(), in.data(), in.size())) << kind << " level " << level;
            cases++;
          }
        }
      }
    }
  }
  EXPECT_EQ(cases, 5 * 4 * 4 * 5 * 2);
}

TEST(Inflate, EveryChunkingGivesTheSameBytes) {
  std::string in = sample("int8 weights", 5000, 1) + sample("zero points", 4000, 2) + sample("text", 3000, 3);
  for (int level : {0, 9}) {
    std::string z = deflate_raw(in, level);
    for (size_t chunk : {1, 2, 3, 5, 7, 13, 64, 1000}) {
      Buffer b;
      ASSERT_EQ(inflate_into(z, static_cast<uint32_t>(in.size()), chunk, &b), EIOTA_OK) << "chunk " << chunk;
      ASSERT_EQ(0, memcmp(b.bytes.data(), in.data(), in.size())) << "chunk " << chunk;
    }
  }
}

TEST(Inflate, HandsLiteralsToTheSinkInRuns) {
  std::string in = sample("random", 20000, 4);
  std::string z = deflate_raw(in, 9, 15, Z_HUFFMAN_ONLY);
  Buffer b;
  ASSERT_EQ(inflate_into(z, static_cast<uint32_t>(in.size()), z.size(), &b), EIOTA_OK);
  EXPECT_LT(b.calls, in.size() / 32);  // not a call per byte
}

TEST(Inflate, RefusesAStreamLongerOrShorterThanDeclared) {
  std::string in = sample("text", 3000, 5);
  std::string z = deflate_raw(in, 9);
  Buffer b;
  EXPECT_EQ(inflate_into(z, 2999, 64, &b), EIOTA_ERR_INFLATE);
  EXPECT_LE(b.n, 2999u);
  EXPECT_EQ(inflate_into(z, 3001, 64, &b), EIOTA_ERR_INFLATE);
  std::string stored = deflate_raw(in, 0);
  EXPECT_EQ(inflate_into(stored, 2000, 64, &b), EIOTA_ERR_INFLATE);
  EXPECT_LE(b.n, 2000u);
}

TEST(Inflate, RefusesTruncatedStreamsAndTrailingBytes) {
  std::string in = sample("int8 weights", 4000, 6);
  std::string z = deflate_raw(in, 9);
  Buffer b;
  for (size_t cut : {size_t(0), size_t(1), z.size() / 2, z.size() - 1})
    EXPECT_EQ(inflate_into(z.substr(0, cut), 4000, 64, &b), EIOTA_ERR_INFLATE) << "cut at " << cut;
}

TEST(Inflate, StopsAtTheLastBlocksEndAndLeavesWhatFollows) {
  std::string a = sample("int8 weights", 4000, 6), c = sample("zero points", 1000, 7);
  for (int level : {0, 1, 9}) {
    std::string za = deflate_raw(a, level), zc = deflate_raw(c, level);
    for (size_t chunk : {size_t(1), size_t(7), size_t(64), za.size() + zc.size()}) {
      Buffer b;
      size_t taken = 0;
      inflate_into(za + zc, 4000, chunk, &b, &taken);
      ASSERT_EQ(taken, za.size()) << "level " << level << " chunk " << chunk;
      ASSERT_EQ(0, memcmp(b.bytes.data(), a.data(), a.size()));
      Buffer b2;
      ASSERT_EQ(inflate_into(zc, 1000, chunk, &b2), EIOTA_OK);
    }
  }
  Buffer e;
  EXPECT_EQ(inflate_into(deflate_raw("", 9), 0, 1, &e), EIOTA_OK);  // a stream of nothing
  EXPECT_EQ(deflate_raw("", 9).size(), 2u);
}

TEST(Inflate, RefusesHandMadeMalformedBlocks) {
  Buffer b;
  // Block type 3 (reserved).
  EXPECT_EQ(inflate_into(std::string(1, '\x07'), 10, 1, &b), EIOTA_ERR_INFLATE);
  // A stored block whose NLEN is not LEN's complement.
  EXPECT_EQ(inflate_into(std::string("\x01\x05\x00\x00\x00hello", 10), 5, 1, &b), EIOTA_ERR_INFLATE);
  // A fixed block whose first code is a match reaching before the output's start: length code
  // 257 (7 bits 0000001), distance code 0 (5 bits 00000).
  std::string far_back = {'\x03', '\x02', '\x00', '\x00'};  // BFINAL=1, BTYPE=01, then the codes
  EXPECT_EQ(inflate_into(far_back, 10, 1, &b), EIOTA_ERR_INFLATE);
  EXPECT_EQ(b.n, 0u);
}

TEST(Inflate, CorruptedStreamsNeverWritePastTheDeclaredLength) {
  std::string in = sample("int8 weights", 3000, 8) + sample("zero points", 3000, 9);
  std::string z = deflate_raw(in, 9);
  std::mt19937 rng(10);
  int refused = 0;
  for (int i = 0; i < 3000; i++) {
    std::string bad = z;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; k++) bad[rng() % bad.size()] ^= static_cast<char>(1u << (rng() % 8));
    Buffer b;  // the sink refuses (EIOTA_ERR_STORAGE) anything past the buffer: the decoder must not try
    int err = inflate_into(bad, static_cast<uint32_t>(in.size()), 1 + rng() % 97, &b);
    ASSERT_NE(err, EIOTA_ERR_STORAGE) << "flip run " << i;
    ASSERT_LE(b.n, in.size());
    if (err != EIOTA_OK) refused++;
  }
  // DEFLATE has no check of its own: a flip inside a literal's code often decodes to another
  // literal of the same length. The payload's SHA-256 catches those; here a third or more fail.
  EXPECT_GT(refused, 600);
}

TEST(Inflate, StateStaysSmall) { EXPECT_LE(sizeof(eiota_inflate), 1100u); }

}  // namespace
