// The device runtime applying payloads written by the host writer: success in any chunking,
// and every kind of bad input rejected with the running values intact.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <random>

#include "eiota_update.h"
#include "payload.h"

using namespace eiota::host;

namespace {

// A small model: five regions of every element type.
const int8_t f_w[37] = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16, 17, -18, 19,
                        -20, 21, -22, 23, -24, 25, -26, 27, -28, 29, -30, 31, -32, 33, -34, 35, -36, 37};
const float f_s[5] = {0.5f, 0.25f, 0.125f, 1.5f, 3.0f};
const int32_t f_z[5] = {0, -1, 2, -3, 4};
const uint8_t f_u[3] = {200, 100, 50};
const int16_t f_h[4] = {-300, 300, -30000, 30000};
int8_t w_w[37];
float w_s[5];
int32_t w_z[5];
uint8_t w_u[3];
int16_t w_h[4];

const eiota_region kRegions[] = {
    {f_w, w_w, 37, eiota::kInt8},  {f_s, w_s, 5, eiota::kFloat32}, {f_z, w_z, 5, eiota::kInt32},
    {f_u, w_u, 3, eiota::kUInt8},  {f_h, w_h, 4, eiota::kInt16},
};
const eiota_block kBlocks[] = {{kRegions, 3}, {kRegions + 3, 2}};  // two blocks, as a multi-model library
const uint8_t kFingerprint[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

class UpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    crypto_sign_keypair(key.pk.data(), key.sk.data());
    state = eiota_model_state{};
    model = eiota_model{kBlocks, 2, 5, kFingerprint, key.pk.data(), key_id(key.pk), &state, &eiota_ram_storage};
    fp.fill(0);
    std::memcpy(fp.data(), kFingerprint, 16);
  }

  // New values: every factory value changed.
  std::vector<Region> next_regions(int salt) const {
    std::vector<Region> rs;
    for (uint32_t i = 0; i < 5; i++) {
      const eiota_region& r = kRegions[i];
      Region g;
      g.elem_type = r.elem_type;
      g.count = r.count;
      g.name = "r" + std::to_string(i);
      size_t n = r.count * eiota::elem_size(r.elem_type);
      g.values.assign((const uint8_t*)r.factory, (const uint8_t*)r.factory + n);
      for (size_t k = 0; k < n; k++) g.values[k] = (uint8_t)(g.values[k] + 17 + salt);
      rs.push_back(g);
    }
    return rs;
  }

  std::string payload(uint64_t seq = 5, int salt = 0) { return write_payload(fp, next_regions(salt), seq, key); }

  std::vector<uint8_t> working() const {
    std::vector<uint8_t> out;
    for (const auto& r : kRegions) {
      const uint8_t* p = (const uint8_t*)r.working;
      out.insert(out.end(), p, p + r.count * eiota::elem_size(r.elem_type));
    }
    return out;
  }
  std::vector<uint8_t> factory() const {
    std::vector<uint8_t> out;
    for (const auto& r : kRegions) {
      const uint8_t* p = (const uint8_t*)r.factory;
      out.insert(out.end(), p, p + r.count * eiota::elem_size(r.elem_type));
    }
    return out;
  }
  static std::vector<uint8_t> values_of(const std::vector<Region>& rs) {
    std::vector<uint8_t> out;
    for (const auto& r : rs) out.insert(out.end(), r.values.begin(), r.values.end());
    return out;
  }

  int apply(const std::string& p, size_t chunk = SIZE_MAX) {
    eiota_update u;
    eiota_update_begin(&u, &model);
    for (size_t off = 0; off < p.size(); off += chunk) {
      size_t n = std::min(chunk, p.size() - off);
      int err = eiota_update_write(&u, (const uint8_t*)p.data() + off, n);
      if (err != EIOTA_OK) return err;
    }
    return eiota_update_finish(&u);
  }

  SecretKey key;
  eiota_model_state state;
  eiota_model model;
  std::array<uint8_t, 16> fp;
};

TEST_F(UpdateTest, AppliesAndRestores) {
  ASSERT_TRUE(eiota_model_ready(&model));
  EXPECT_EQ(working(), factory());
  ASSERT_EQ(apply(payload()), EIOTA_OK);
  EXPECT_EQ(working(), values_of(next_regions(0)));
  EXPECT_EQ(state.status, EIOTA_STATUS_UPDATED);
  EXPECT_EQ(state.applied_sequence, 5u);
  EXPECT_TRUE(eiota_model_ready(&model));
  ASSERT_EQ(eiota_model_restore(&model), EIOTA_OK);
  EXPECT_EQ(working(), factory());
  EXPECT_EQ(state.status, EIOTA_STATUS_FACTORY);
}

// An accepted release number names one payload: the same one may be applied again (after a
// restore, or a retried download: then nothing is written), another under that number never.
TEST_F(UpdateTest, AnEqualSequenceIsOnlyTheSamePayload) {
  std::string p = payload(5, 0);
  ASSERT_EQ(apply(p), EIOTA_OK);
  EXPECT_EQ(apply(p), EIOTA_OK);  // sent again while it serves
  EXPECT_EQ(working(), values_of(next_regions(0)));
  EXPECT_EQ(apply(payload(5, 1)), EIOTA_ERR_OLD_SEQUENCE);
  EXPECT_EQ(working(), values_of(next_regions(0)));
  ASSERT_EQ(eiota_model_restore(&model), EIOTA_OK);
  EXPECT_EQ(apply(payload(5, 1)), EIOTA_ERR_OLD_SEQUENCE);
  ASSERT_EQ(apply(p), EIOTA_OK);  // the accepted one, after a restore
  EXPECT_EQ(working(), values_of(next_regions(0)));
  EXPECT_EQ(apply(payload(4, 2)), EIOTA_ERR_OLD_SEQUENCE);
}

TEST_F(UpdateTest, AnyChunkingGivesTheSameValues) {
  std::string p = payload();
  std::mt19937 rng(7);
  for (size_t chunk : {1, 2, 3, 7, 16, 63, 64, 65, 100, 1000}) {
    ASSERT_EQ(eiota_model_restore(&model), EIOTA_OK);
    ASSERT_EQ(apply(p, chunk), EIOTA_OK) << "chunk " << chunk;
    EXPECT_EQ(working(), values_of(next_regions(0))) << "chunk " << chunk;
  }
  // Random chunk sizes.
  for (int round = 0; round < 20; round++) {
    ASSERT_EQ(eiota_model_restore(&model), EIOTA_OK);
    eiota_update u;
    eiota_update_begin(&u, &model);
    size_t off = 0;
    while (off < p.size()) {
      size_t n = std::min<size_t>(1 + rng() % 40, p.size() - off);
      ASSERT_EQ(eiota_update_write(&u, (const uint8_t*)p.data() + off, n), EIOTA_OK);
      off += n;
    }
    ASSERT_EQ(eiota_update_finish(&u), EIOTA_OK);
    EXPECT_EQ(working(), values_of(next_regions(0)));
  }
}

TEST_F(UpdateTest, EveryBitFlipIsRejectedAndValuesStayIntact) {
  std::string p = payload();
  size_t data_at = eiota::table_offset(eiota::kHeaderLen) + 5 * eiota::kEntryLen;
  int rejected = 0;
  for (size_t byte = 0; byte < p.size(); byte++) {
    for (int bit = 0; bit < 8; bit++) {
      std::string bad = p;
      bad[byte] = (char)(bad[byte] ^ (1 << bit));
      int err = apply(bad, 29);
      ASSERT_NE(err, EIOTA_OK) << "flip at byte " << byte << " bit " << bit;
      if (byte >= data_at) ASSERT_EQ(err, EIOTA_ERR_HASH_MISMATCH) << "byte " << byte;
      ASSERT_EQ(working(), factory()) << "values changed after a flip at byte " << byte;
      ASSERT_TRUE(eiota_model_ready(&model));  // factory values restored: inference allowed
      rejected++;
    }
  }
  EXPECT_EQ(rejected, (int)p.size() * 8);
}

TEST_F(UpdateTest, EveryTruncationIsRejected) {
  std::string p = payload();
  for (size_t len = 0; len < p.size(); len++) {
    int err = apply(p.substr(0, len), 13);
    ASSERT_EQ(err, EIOTA_ERR_TRUNCATED) << "length " << len;
    ASSERT_EQ(working(), factory()) << "length " << len;
    ASSERT_TRUE(eiota_model_ready(&model));
  }
}

TEST_F(UpdateTest, PreviousUpdateSurvivesRejectionsBeforeTheData) {
  ASSERT_EQ(apply(payload(5, 0)), EIOTA_OK);
  std::vector<uint8_t> v1 = working();
  std::string p2 = payload(6, 1);
  p2[eiota::kHeaderLen + 3] ^= 1;  // signature
  EXPECT_EQ(apply(p2), EIOTA_ERR_BAD_SIGNATURE);
  EXPECT_EQ(working(), v1);
  EXPECT_EQ(state.status, EIOTA_STATUS_UPDATED);
}

TEST_F(UpdateTest, DistinctErrors) {
  std::string p = payload(10);
  EXPECT_EQ(apply("GARBAGE" + p), EIOTA_ERR_BAD_MAGIC);
  std::string v = p;
  v[4] = 2;
  EXPECT_EQ(apply(v), EIOTA_ERR_BAD_VERSION);
  std::string other_fp = p;
  other_fp[24] ^= 0x80;
  EXPECT_EQ(apply(other_fp), EIOTA_ERR_WRONG_MODEL);

  SecretKey other;
  crypto_sign_keypair(other.pk.data(), other.sk.data());
  EXPECT_EQ(apply(write_payload(fp, next_regions(0), 10, other)), EIOTA_ERR_UNKNOWN_KEY);
  std::string forged = write_payload(fp, next_regions(0), 10, other);  // other key, our key id
  eiota::put_u32((uint8_t*)forged.data() + 40, key_id(key.pk));
  EXPECT_EQ(apply(forged), EIOTA_ERR_BAD_SIGNATURE);

  auto rs = next_regions(0);
  rs.pop_back();
  EXPECT_EQ(apply(write_payload(fp, rs, 10, key)), EIOTA_ERR_SIZE_MISMATCH);
  rs = next_regions(0);
  rs[0].count = 36;
  rs[0].values.pop_back();
  EXPECT_EQ(apply(write_payload(fp, rs, 10, key)), EIOTA_ERR_SIZE_MISMATCH);

  EXPECT_EQ(apply(p + "x"), EIOTA_ERR_OVERSIZE);
  EXPECT_EQ(working(), factory());
  std::string bad_data = p;
  bad_data.back() ^= 1;
  EXPECT_EQ(apply(bad_data), EIOTA_ERR_HASH_MISMATCH);

  ASSERT_EQ(apply(p), EIOTA_OK);
  EXPECT_EQ(apply(payload(9)), EIOTA_ERR_OLD_SEQUENCE);
  EXPECT_EQ(apply(payload(10)), EIOTA_OK);  // the same release again is fine
  EXPECT_EQ(state.sequence_floor, 10u);
  ASSERT_EQ(eiota_model_restore(&model), EIOTA_OK);
  EXPECT_EQ(apply(payload(9)), EIOTA_ERR_OLD_SEQUENCE);  // restore does not reopen rollback
  for (int e = EIOTA_ERR_FLASH_RANGE; e <= EIOTA_ERR_BAD_MAGIC; e++) EXPECT_STRNE(eiota_strerror(e), "unknown error");
}

TEST_F(UpdateTest, InferenceRefusedWhileValuesAreWritten) {
  std::string p = payload();
  size_t data_at = eiota::table_offset(eiota::kHeaderLen) + 5 * eiota::kEntryLen;
  eiota_update u;
  eiota_update_begin(&u, &model);
  ASSERT_EQ(eiota_update_write(&u, (const uint8_t*)p.data(), data_at), EIOTA_OK);
  EXPECT_TRUE(eiota_model_ready(&model));  // authenticated, nothing written yet
  ASSERT_EQ(eiota_update_write(&u, (const uint8_t*)p.data() + data_at, 3), EIOTA_OK);
  EXPECT_FALSE(eiota_model_ready(&model));
  eiota_update_abort(&u, EIOTA_ERR_TIMEOUT);
  EXPECT_TRUE(eiota_model_ready(&model));
  EXPECT_EQ(working(), factory());
  EXPECT_EQ(state.last_error, EIOTA_ERR_TIMEOUT);
}

TEST_F(UpdateTest, RestoreEndsAnAbandonedUpdate) {
  std::string p = payload();
  size_t data_at = eiota::table_offset(eiota::kHeaderLen) + 5 * eiota::kEntryLen;
  eiota_update u;
  eiota_update_begin(&u, &model);
  ASSERT_EQ(eiota_update_write(&u, (const uint8_t*)p.data(), data_at + 10), EIOTA_OK);
  EXPECT_FALSE(eiota_model_ready(&model));  // the push user walked away here
  ASSERT_EQ(eiota_model_restore(&model), EIOTA_OK);
  EXPECT_TRUE(eiota_model_ready(&model));
  EXPECT_EQ(working(), factory());
  // The old context must not write into the restored values.
  EXPECT_EQ(eiota_update_write(&u, (const uint8_t*)p.data() + data_at + 10, p.size() - data_at - 10), EIOTA_ERR_STATE);
  EXPECT_EQ(eiota_update_finish(&u), EIOTA_ERR_STATE);
  EXPECT_EQ(working(), factory());
  EXPECT_TRUE(eiota_model_ready(&model));
  EXPECT_EQ(apply(p), EIOTA_OK);  // a fresh update works
}

TEST_F(UpdateTest, ConcurrentContextsNeverCommitAMix) {
  std::string p5 = payload(5, 0), p6 = payload(6, 1);
  size_t data_at = eiota::table_offset(eiota::kHeaderLen) + 5 * eiota::kEntryLen;

  // A stale context's abort must not restore under a live update.
  eiota_update u1, u2;
  eiota_update_begin(&u1, &model);
  ASSERT_EQ(eiota_update_write(&u1, (const uint8_t*)p5.data(), data_at + 10), EIOTA_OK);
  ASSERT_EQ(eiota_model_restore(&model), EIOTA_OK);
  eiota_update_begin(&u2, &model);
  ASSERT_EQ(eiota_update_write(&u2, (const uint8_t*)p6.data(), data_at + 20), EIOTA_OK);
  eiota_update_abort(&u1, EIOTA_ERR_TIMEOUT);
  EXPECT_FALSE(eiota_model_ready(&model));  // u2 still owns the values
  ASSERT_EQ(eiota_update_write(&u2, (const uint8_t*)p6.data() + data_at + 20, p6.size() - data_at - 20), EIOTA_OK);
  ASSERT_EQ(eiota_update_finish(&u2), EIOTA_OK);
  EXPECT_EQ(working(), values_of(next_regions(1)));

  // Interleaved: the second update to start writing wins; the first stops, and cannot roll back.
  ASSERT_EQ(eiota_model_restore(&model), EIOTA_OK);
  std::string p7 = payload(7, 2), p8 = payload(8, 3);
  eiota_update a, b;
  eiota_update_begin(&a, &model);
  eiota_update_begin(&b, &model);
  ASSERT_EQ(eiota_update_write(&a, (const uint8_t*)p7.data(), data_at + 10), EIOTA_OK);
  ASSERT_EQ(eiota_update_write(&b, (const uint8_t*)p8.data(), p8.size()), EIOTA_OK);
  ASSERT_EQ(eiota_update_finish(&b), EIOTA_OK);
  EXPECT_EQ(eiota_update_write(&a, (const uint8_t*)p7.data() + data_at + 10, p7.size() - data_at - 10), EIOTA_ERR_STATE);
  EXPECT_EQ(eiota_update_finish(&a), EIOTA_ERR_STATE);
  EXPECT_EQ(working(), values_of(next_regions(3)));
  EXPECT_EQ(state.applied_sequence, 8u);
  EXPECT_EQ(state.last_error, 0);
  EXPECT_EQ(eiota_update_finish(&b), EIOTA_ERR_STATE);  // a second finish changes nothing
  EXPECT_EQ(state.last_error, 0);
  EXPECT_EQ(state.status, EIOTA_STATUS_UPDATED);

  // An update authenticated before a newer one was applied cannot write afterwards.
  ASSERT_EQ(eiota_model_restore(&model), EIOTA_OK);
  eiota_update c;
  eiota_update_begin(&c, &model);
  std::string p9 = payload(9, 4), p10 = payload(10, 5);
  ASSERT_EQ(eiota_update_write(&c, (const uint8_t*)p9.data(), data_at), EIOTA_OK);  // header checked, floor 8
  ASSERT_EQ(apply(p10), EIOTA_OK);  // floor 10
  EXPECT_NE(eiota_update_write(&c, (const uint8_t*)p9.data() + data_at, p9.size() - data_at), EIOTA_OK);
  EXPECT_EQ(working(), values_of(next_regions(5)));
  EXPECT_EQ(state.applied_sequence, 10u);
}

struct Source {
  std::string bytes;
  size_t pos = 0;
  size_t stall_at = SIZE_MAX;  // report a timeout here
};

int read_source(void* ctx, uint8_t* buf, uint32_t max) {
  Source* s = static_cast<Source*>(ctx);
  if (max == 0) return s->pos < s->bytes.size() ? 1 : 0;
  if (s->pos >= s->stall_at) return EIOTA_ERR_TIMEOUT;
  size_t n = std::min<size_t>({max, s->bytes.size() - s->pos, 7});
  std::memcpy(buf, s->bytes.data() + s->pos, n);
  s->pos += n;
  return (int)n;
}

TEST_F(UpdateTest, PullApi) {
  eiota_update u;
  Source ok{payload()};
  ASSERT_EQ(eiota_update_pull(&u, &model, read_source, &ok), EIOTA_OK);
  EXPECT_EQ(working(), values_of(next_regions(0)));
  ASSERT_EQ(eiota_model_restore(&model), EIOTA_OK);

  Source stalled{payload(), 0, 250};
  EXPECT_EQ(eiota_update_pull(&u, &model, read_source, &stalled), EIOTA_ERR_TIMEOUT);
  EXPECT_EQ(working(), factory());
  Source shorter{payload().substr(0, 200)};
  EXPECT_EQ(eiota_update_pull(&u, &model, read_source, &shorter), EIOTA_ERR_TRUNCATED);
  Source longer{payload() + "trailing"};
  EXPECT_EQ(eiota_update_pull(&u, &model, read_source, &longer), EIOTA_ERR_OVERSIZE);
  EXPECT_EQ(working(), factory());
}

TEST_F(UpdateTest, HostReaderAgreesWithTheWriter) {
  std::string p = payload(77);
  PayloadInfo info = read_payload(p, &key.pk);
  EXPECT_TRUE(info.problems.empty());
  EXPECT_TRUE(info.hash_ok);
  EXPECT_TRUE(*info.signature_ok);
  EXPECT_EQ(info.header.sequence, 77u);
  EXPECT_EQ(info.entries.size(), 5u);
  EXPECT_EQ(p.size(), 144 + 5 * 16 + values_of(next_regions(0)).size());  // the documented overhead
  PayloadInfo cut = read_payload(p.substr(0, p.size() - 1), &key.pk);
  EXPECT_FALSE(cut.problems.empty());
}

}  // namespace
