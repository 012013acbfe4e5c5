// Compressed payloads (format 1.3) through the device reader in RAM mode: every chunking and the
// pull API give the signed values; a prefix region sent short or empty; the same release sent
// again verifies and writes nothing; the plain and compressed payloads of one release are one
// release; a tampered stream, a wrong stream length, a wrong sum or trailing bytes are refused
// with the factory values restored; extra data and deltas compressed too.
#include <gtest/gtest.h>
#include <zlib.h>

#include "deflate_harness.h"
#include "delta_harness.h"

using namespace deflate_harness;

namespace {

const Geometry kGeo{256, 8, 0xFF, 12};

// All random: zlib keeps it in stored blocks.
Vals noise(const ModelDef& def, uint32_t seed) {
  std::mt19937 rng(seed);
  Vals v = factory(def);
  for (auto& r : v)
    for (auto& b : r) b = (uint8_t)rng();
  std::fill(v[4].begin() + 30, v[4].end(), 0);
  return v;
}

// One stream of several block types: compressed, then stored (level 0), then compressed again
// with matches reaching back across the stored block, then an empty stored block (sync flush).
std::string blocky_stream(const std::vector<uint8_t>& in) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(in.size() * 2 + 256, '\0');
  z.next_out = (Bytef*)out.data();
  z.avail_out = (uInt)out.size();
  size_t third = in.size() / 3;
  auto feed = [&](size_t from, size_t n, int flush) {
    z.next_in = (Bytef*)in.data() + from;
    z.avail_in = (uInt)n;
    if (deflate(&z, flush) == Z_STREAM_ERROR) std::abort();
  };
  feed(0, third, Z_NO_FLUSH);
  if (deflateParams(&z, 0, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  feed(third, third, Z_NO_FLUSH);
  if (deflateParams(&z, 9, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  feed(2 * third, in.size() - 2 * third - 1, Z_SYNC_FLUSH);
  feed(in.size() - 1, 1, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

struct Counter {
  int begins = 0, writes = 0, commits = 0, restores = 0;
};
Counter g_count;
int c_begin(void*, const eiota_model* m) { return g_count.begins++, eiota_ram_storage.begin(eiota_ram_storage.ctx, m); }
int c_write(void*, const eiota_model* m, uint32_t r, uint32_t o, const uint8_t* d, uint32_t n) {
  return g_count.writes++, eiota_ram_storage.write(eiota_ram_storage.ctx, m, r, o, d, n);
}
int c_commit(void*, const eiota_model* m, uint64_t s) { return g_count.commits++, eiota_ram_storage.commit(eiota_ram_storage.ctx, m, s); }
int c_restore(void*, const eiota_model* m) { return g_count.restores++, eiota_ram_storage.restore(eiota_ram_storage.ctx, m); }
const eiota_storage kCounting = {nullptr, c_begin, c_write, c_commit, c_restore};

bool at_factory(Device& d) { return d.state.status == EIOTA_STATUS_FACTORY && serves(d, factory(d.def)); }

struct Source {
  const std::string* p;
  size_t at;
  uint32_t chunk;
};
int read_source(void* ctx, uint8_t* buf, uint32_t max) {
  Source* s = (Source*)ctx;
  size_t n = std::min<size_t>({max, s->chunk, s->p->size() - s->at});
  std::memcpy(buf, s->p->data() + s->at, n);
  s->at += n;
  return (int)n;
}

TEST(DeflateRam, EveryChunkingAndPullGiveTheSignedValues) {
  Device d(kGeo, false);
  for (uint32_t seed : {1u, 2u}) {
    for (bool random : {false, true}) {
      Vals v = random ? noise(d.def, seed) : mixed(d.def, seed);
      std::string p = compressed(d, v, 1);
      std::string pl = plain(d, v, 1);
      if (!random) EXPECT_LT(p.size() + 300, pl.size());
      for (size_t chunk : {1, 2, 7, 61, 4096}) {
        ram(d);
        ASSERT_EQ(d.apply(p, chunk), EIOTA_OK) << chunk << " random " << random;
        EXPECT_TRUE(serves(d, served(d.def, v))) << chunk;
        EXPECT_EQ(d.state.status, EIOTA_STATUS_UPDATED);
        EXPECT_EQ(d.state.applied_sequence, 1u);
      }
      for (uint32_t chunk : {1u, 13u, 512u, 100000u}) {
        ram(d);
        eiota_update u;
        Source s{&p, 0, chunk};
        ASSERT_EQ(eiota_update_pull(&u, &d.model, read_source, &s), EIOTA_OK) << chunk;
        EXPECT_EQ(s.at, p.size());
        EXPECT_TRUE(serves(d, served(d.def, v)));
      }
    }
  }
}

TEST(DeflateRam, StreamsOfMixedBlockTypes) {
  Device d(kGeo, false);
  Vals v = mixed(d.def, 3);
  Parts s = split(compressed(d, v, 1));
  s.streams[0] = blocky_stream(v[0]);
  std::string p = join(s, d);
  for (size_t chunk : {1, 5, 61, 4096}) {
    ram(d);
    ASSERT_EQ(d.apply(p, chunk), EIOTA_OK) << chunk;
    EXPECT_TRUE(serves(d, served(d.def, v)));
  }
}

TEST(DeflateRam, APrefixRegionSentWholeShortAndEmpty) {
  Device d(kGeo, false);
  Vals v = mixed(d.def, 4);
  std::fill(v[4].begin(), v[4].end(), 0x33);
  for (uint32_t prefix : {kWhole, 30u, 1u, 0u}) {
    std::string p = compressed(d, v, 1, "", prefix);
    Parts s = split(p);
    if (prefix == 0) {
      EXPECT_EQ(s.entries[4].count, 0u);
      EXPECT_EQ(s.streams[4].size(), 2u);  // a stream decoding to nothing
    }
    for (size_t chunk : {1, 61}) {
      ram(d);
      ASSERT_EQ(d.apply(p, chunk), EIOTA_OK) << prefix;
      EXPECT_TRUE(serves(d, served(d.def, v, prefix))) << prefix;
    }
  }
}

TEST(DeflateRam, AnEmptyStreamMissingOrStoredLenZeroIsRefused) {
  Device d(kGeo, false);
  Vals v = mixed(d.def, 4);
  Parts s = split(compressed(d, v, 1, "", 0));
  Parts none = s;
  none.streams[4].clear();  // stored_len 0: every entry has a stream
  ram(d);
  EXPECT_EQ(d.apply(join(none, d)), EIOTA_ERR_SIZE_MISMATCH);
  EXPECT_TRUE(at_factory(d));
}

TEST(DeflateRam, SentAgainWhileItServesVerifiesAndWritesNothing) {
  Device d(kGeo, false);
  Vals v = mixed(d.def, 5);
  std::string p = compressed(d, v, 1);
  ram(d, true, &kCounting);
  ASSERT_EQ(d.apply(p), EIOTA_OK);
  for (size_t chunk : {1, 61, 4096}) {
    g_count = Counter{};
    ASSERT_EQ(d.apply(p, chunk), EIOTA_OK);
    EXPECT_EQ(g_count.begins + g_count.writes + g_count.commits + g_count.restores, 0);
    EXPECT_TRUE(serves(d, served(d.def, v)));
  }
  // The same header and table with other stream bytes: the signature still holds, the values do not.
  Parts s = split(p);
  int refused = 0;
  for (size_t i = 0; i < s.streams[0].size(); i += 3) {
    Parts t = s;
    t.streams[0][i] ^= (char)(1u << (i % 8));
    std::string bad = join(t, d, false);
    ASSERT_EQ(bad.substr(0, 200), p.substr(0, 200));
    g_count = Counter{};
    int err = d.apply(bad, i % 2 ? 7 : 61);
    EXPECT_NE(err, EIOTA_OK) << i;
    refused += err != EIOTA_OK;
    EXPECT_EQ(g_count.begins + g_count.writes + g_count.commits + g_count.restores, 0) << i;
    EXPECT_TRUE(serves(d, served(d.def, v))) << i;
    EXPECT_EQ(d.state.status, EIOTA_STATUS_UPDATED);
    if (HasFailure()) return;
  }
  EXPECT_GT(refused, 0);
  // And after all that, the release itself is still just verified.
  g_count = Counter{};
  EXPECT_EQ(d.apply(p), EIOTA_OK);
  EXPECT_EQ(g_count.writes, 0);
}

TEST(DeflateRam, ThePlainAndTheCompressedPayloadOfOneReleaseAreOneRelease) {
  Device d(kGeo, false);
  Vals v = mixed(d.def, 6), w = mixed(d.def, 7);
  std::string p = plain(d, v, 3), c = deflated(d, p);
  for (int order = 0; order < 2; order++) {
    ram(d, true, &kCounting);
    ASSERT_EQ(d.apply(order ? c : p), EIOTA_OK);
    g_count = Counter{};
    EXPECT_EQ(d.apply(order ? p : c), EIOTA_OK);  // verified, nothing written
    EXPECT_EQ(g_count.writes, 0);
    EXPECT_TRUE(serves(d, served(d.def, v)));
    EXPECT_EQ(d.apply(compressed(d, w, 3)), EIOTA_ERR_OLD_SEQUENCE);  // other values, same number
    EXPECT_EQ(d.apply(compressed(d, w, 2)), EIOTA_ERR_OLD_SEQUENCE);
    EXPECT_TRUE(serves(d, served(d.def, v)));
    ASSERT_EQ(d.apply(compressed(d, w, 4)), EIOTA_OK);
    EXPECT_TRUE(serves(d, served(d.def, w)));
  }
}

// Every byte of the data section tampered (one bit, and a few at once): any refusal leaves the
// factory values; anything accepted is the signed values.
TEST(DeflateRam, TamperedStreamsRestoreTheFactoryValues) {
  Device d(kGeo, false);
  for (bool random : {false, true}) {
    Vals v = random ? noise(d.def, 8) : mixed(d.def, 8);
    std::string p = compressed(d, v, 1, selftest(2));
    Parts s = split(p);
    size_t data_at = p.size() - s.extra.size();
    for (const auto& st : s.streams) data_at -= st.size();
    int refused = 0, accepted = 0;
    std::mt19937 rng(9);
    for (size_t i = data_at; i < p.size() - s.extra.size(); i++) {
      for (int many = 0; many < 2; many++) {
        std::string bad = p;
        bad[i] ^= (char)(1u << (rng() % 8));
        if (many)
          for (int k = 0; k < 3; k++) bad[data_at + rng() % (bad.size() - data_at)] ^= (char)(1u << (rng() % 8));
        ram(d);
        int err = d.apply(bad, 1 + rng() % 80);
        if (err == EIOTA_OK) {
          accepted++;
          EXPECT_TRUE(serves(d, served(d.def, v))) << i;  // a flip zlib's decoder would not notice either
        } else {
          refused++;
          EXPECT_TRUE(err == EIOTA_ERR_INFLATE || err == EIOTA_ERR_HASH_MISMATCH) << i << " " << err;
          EXPECT_TRUE(at_factory(d)) << i;
          EXPECT_EQ(d.state.last_error, err);
        }
        if (HasFailure()) return;
      }
    }
    EXPECT_GT(refused, 10 * (accepted + 1));
  }
}

TEST(DeflateRam, ATableWhoseSumIsNotTheStreamsIsRefused) {
  Device d(kGeo, false);
  Vals v = mixed(d.def, 10);
  Parts s = split(compressed(d, v, 1));
  auto entries = [&](const Parts& t) {
    uint32_t n = 0;
    for (auto& e : t.entries) n += e.stored_len;
    return n;
  };
  {  // stored_len one more than the stream, data_len as before
    Parts t = s;
    t.entries[0].stored_len++;
    ram(d);
    EXPECT_EQ(d.apply(join(t, d, false)), EIOTA_ERR_SIZE_MISMATCH);
    EXPECT_TRUE(at_factory(d));
  }
  {  // sum and data_len one more, with a byte after the last stream: the streams end early
    Parts t = s;
    t.entries[0].stored_len++;
    t.gap = std::string(1, '\0');
    eiota_put_u32((uint8_t*)&t.head[12], entries(t));
    ram(d);
    EXPECT_EQ(d.apply(join(t, d, false)), EIOTA_ERR_INFLATE);
    EXPECT_TRUE(at_factory(d));
  }
  {  // sum and data_len one less: the last stream is not over when the table's bytes are
    Parts t = s;
    t.entries[5].stored_len--;
    eiota_put_u32((uint8_t*)&t.head[12], entries(t));
    std::string bad = join(t, d, false);
    for (size_t chunk : {1, 61, 4096}) {
      ram(d);
      EXPECT_EQ(d.apply(bad, chunk), EIOTA_ERR_INFLATE) << chunk;
      EXPECT_TRUE(at_factory(d));
    }
    // and without the byte: the last stream is cut
    t.streams[5].pop_back();
    ram(d);
    EXPECT_EQ(d.apply(join(t, d, false)), EIOTA_ERR_INFLATE);
    EXPECT_TRUE(at_factory(d));
  }
  {  // entries wrong one by one but the sum right: only the sum is the device's to check
    Parts t = s;
    t.entries[0].stored_len += 3;
    t.entries[1].stored_len -= 3;
    ram(d);
    EXPECT_EQ(d.apply(join(t, d, false)), EIOTA_OK);
    EXPECT_TRUE(serves(d, served(d.def, v)));
  }
}

TEST(DeflateRam, AStreamDecodingToMoreOrFewerBytesThanItsEntryIsRefused) {
  Device d(kGeo, false);
  Vals v = mixed(d.def, 11);
  Parts s = split(compressed(d, v, 1));
  for (size_t region : {0, 3, 5}) {
    for (int delta : {+1, -1, +100}) {
      std::vector<uint8_t> b = v[region];
      if (delta < 0) b.pop_back();
      else b.insert(b.end(), (size_t)delta, b.back());
      Parts t = s;
      t.streams[region] = eiota::host::deflate_raw(b.data(), b.size());
      for (size_t chunk : {1, 61}) {
        ram(d);
        EXPECT_EQ(d.apply(join(t, d), chunk), EIOTA_ERR_INFLATE) << region << " " << delta;
        EXPECT_TRUE(at_factory(d));
      }
    }
  }
  {  // a stream of the right length whose last block is not final (the next stream follows)
    Parts t = s;
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
    std::string out(4096, '\0');
    z.next_in = (Bytef*)v[3].data();
    z.avail_in = (uInt)v[3].size();
    z.next_out = (Bytef*)out.data();
    z.avail_out = (uInt)out.size();
    deflate(&z, Z_SYNC_FLUSH);
    out.resize(z.total_out);
    deflateEnd(&z);
    t.streams[3] = out;
    ram(d);
    EXPECT_EQ(d.apply(join(t, d)), EIOTA_ERR_INFLATE);
    EXPECT_TRUE(at_factory(d));
  }
}

TEST(DeflateRam, BytesAfterTheLastStreamAreRefused) {
  Device d(kGeo, false);
  Vals v = mixed(d.def, 12);
  for (std::string extra : {std::string(), selftest(3)}) {
    for (std::string junk : {std::string(1, '\0'), std::string("\x03\x00", 2), std::string(70, 'j')}) {
      Parts t = split(compressed(d, v, 1, extra));
      t.streams[5] += junk;  // counted in its entry: the stream itself ends before
      for (size_t chunk : {1, 61, 4096}) {
        ram(d);
        EXPECT_EQ(d.apply(join(t, d), chunk), EIOTA_ERR_INFLATE) << extra.size() << " " << junk.size();
        EXPECT_TRUE(at_factory(d));
      }
      Parts u = split(compressed(d, v, 1, extra));
      u.streams[0] += junk;  // inside: the next stream starts at the junk
      ram(d);
      EXPECT_NE(d.apply(join(u, d)), EIOTA_OK);
      EXPECT_TRUE(at_factory(d));
    }
  }
}

TEST(DeflateRam, ExtraDataAndTheValuesDigest) {
  Device d(kGeo, false);
  Vals v = mixed(d.def, 13);
  std::string extra = selftest(4);
  std::string p = plain(d, v, 1, extra), c = deflated(d, p);
  ram(d);
  ASSERT_EQ(d.apply(p), EIOTA_OK);
  std::array<uint8_t, EIOTA_DIGEST_KEPT> want;
  std::memcpy(want.data(), d.state.values_digest, want.size());
  // The values as sent, hashed: the full-data digest.
  std::string sent;
  Parts s = split(c);
  for (size_t i = 0; i < v.size(); i++) sent.append((const char*)v[i].data(), i == 4 ? 30 : v[i].size());
  uint8_t h[32];
  crypto_hash_sha256(h, (const uint8_t*)sent.data(), sent.size());
  EXPECT_EQ(0, std::memcmp(h, want.data(), want.size()));
  EXPECT_EQ(s.extra, extra);
  for (size_t chunk : {1, 61, 4096}) {
    ram(d);
    ASSERT_EQ(d.apply(c, chunk), EIOTA_OK);
    EXPECT_TRUE(serves(d, served(d.def, v)));
    EXPECT_EQ(0, std::memcmp(d.state.values_digest, want.data(), want.size())) << chunk;
    EXPECT_EQ(0, std::memcmp(d.state.applied_digest, c.data() + 48, EIOTA_DIGEST_KEPT));
  }
  // Tampered extra data (never compressed) is the hash's to refuse.
  std::string bad = c;
  bad[bad.size() - 5] ^= 1;
  ram(d);
  EXPECT_EQ(d.apply(bad), EIOTA_ERR_HASH_MISMATCH);
  EXPECT_TRUE(at_factory(d));
}

TEST(DeflateRam, ADecoderlessDeviceRefusesAtTheHeader) {
  Device d(kGeo, false);
  Vals v = mixed(d.def, 14);
  ram(d, false, &kCounting);
  g_count = Counter{};
  eiota_update u;
  eiota_update_begin(&u, &d.model);
  std::string p = compressed(d, v, 1);
  EXPECT_EQ(eiota_update_write(&u, (const uint8_t*)p.data(), EIOTA_HEADER_LEN), EIOTA_ERR_UNSUPPORTED);
  EXPECT_EQ(g_count.begins + g_count.writes, 0);
  EXPECT_TRUE(at_factory(d));
  EXPECT_EQ(d.apply(plain(d, v, 1)), EIOTA_OK);  // the plain one is fine
}

// --- deltas (the delta Rig: no prefix region) -----------------------------------------------------

using delta_harness::Rig;

std::string deflate(const Rig& r, const std::string& p) { return eiota::host::deflate_payload(p, r.k); }
void ram(Rig& r) {
  r.ram();
  r.d.model.inflate = eiota_update_inflate;
}
Vals full_mixed(const ModelDef& def, uint32_t seed) { return mixed(def, seed); }

TEST(DeflateRamDelta, OnFactoryAndOnARelease) {
  Rig r(false);
  Vals v1 = delta_harness::tuned(r.d.def, r.factory, 1, {1, 2});
  v1[0] = full_mixed(r.d.def, 20)[0];
  Vals v2 = v1;
  v2[0] = full_mixed(r.d.def, 21)[0];
  v2[5] = full_mixed(r.d.def, 21)[5];
  for (size_t chunk : {1, 7, 61, 4096}) {
    ram(r);
    ASSERT_EQ(r.apply(deflate(r, r.delta(r.factory, 0, v1, 1)), chunk), EIOTA_OK) << chunk;
    EXPECT_TRUE(r.serves(v1));
    ASSERT_EQ(r.apply(deflate(r, r.delta(v1, 1, v2, 2)), chunk), EIOTA_OK) << chunk;
    EXPECT_TRUE(r.serves(v2));
  }
  // On a compressed full release, and the delta sent again verified.
  ram(r);
  ASSERT_EQ(r.apply(deflate(r, r.full(v1, 1))), EIOTA_OK);
  std::string d12 = deflate(r, r.delta(v1, 1, v2, 2));
  ASSERT_EQ(r.apply(d12), EIOTA_OK);
  EXPECT_TRUE(r.serves(v2));
  EXPECT_EQ(r.apply(d12), EIOTA_OK);
  EXPECT_TRUE(r.serves(v2));
}

TEST(DeflateRamDelta, OnAnotherBaseOrABaseThatChangedIsRefused) {
  Rig r(false);
  Vals v1 = r.factory, v2;
  v1[0] = full_mixed(r.d.def, 22)[0];
  v2 = v1;
  v2[3] = full_mixed(r.d.def, 23)[3];
  std::string d02 = deflate(r, r.delta(r.factory, 0, v2, 2));
  ram(r);
  ASSERT_EQ(r.apply(deflate(r, r.full(v1, 1))), EIOTA_OK);
  EXPECT_EQ(r.apply(d02), EIOTA_ERR_WRONG_BASE);
  EXPECT_TRUE(r.serves(v1));
  // The base changes between the table and the values: another update applied meanwhile.
  ram(r);
  std::string d12 = deflate(r, r.delta(v1, 1, v2, 2));
  ASSERT_EQ(r.apply(deflate(r, r.full(v1, 1))), EIOTA_OK);
  eiota_update u;
  eiota_update_begin(&u, &r.d.model);
  Parts parts = split(d12);
  size_t streams = 0;
  for (auto& st : parts.streams) streams += st.size();
  size_t cut = d12.size() - streams - 1;  // up to the last byte of the table
  ASSERT_EQ(eiota_update_write(&u, (const uint8_t*)d12.data(), cut), EIOTA_OK);
  Vals v3 = v1;
  v3[5] = full_mixed(r.d.def, 24)[5];
  ASSERT_EQ(r.apply(deflate(r, r.full(v3, 3))), EIOTA_OK);
  EXPECT_NE(eiota_update_write(&u, (const uint8_t*)d12.data() + cut, d12.size() - cut), EIOTA_OK);
  EXPECT_NE(eiota_update_finish(&u), EIOTA_OK);
  EXPECT_TRUE(r.serves(v3));
  // A compressed delta with a tampered stream: the factory values again.
  ram(r);
  ASSERT_EQ(r.apply(deflate(r, r.full(v1, 1))), EIOTA_OK);
  Parts t = split(d12);
  t.streams[0][t.streams[0].size() / 2] ^= 0x10;
  int err = r.apply(join(t, r.d, false));
  EXPECT_TRUE(err == EIOTA_ERR_INFLATE || err == EIOTA_ERR_HASH_MISMATCH) << err;
  EXPECT_TRUE(r.serves(r.factory));
  EXPECT_EQ(r.d.state.status, EIOTA_STATUS_FACTORY);
}

}  // namespace
