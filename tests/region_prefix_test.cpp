// EIOTA_REGION_PREFIX: a payload entry for such a region may carry fewer elements than the
// region holds; the device writes what is sent and zero-fills the rest before commit.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>

#include "eiota_update.h"
#include "payload.h"

using namespace eiota::host;

namespace {

uint8_t f_model[64];  // a non-EON flatbuffer region: bytes, with room to grow
uint8_t w_model[64];
const int32_t f_len[1] = {40};
int32_t w_len[1];
const float f_s[3] = {1.0f, 2.0f, 3.0f};
float w_s[3];
const eiota_region kRegions[] = {
    {f_s, w_s, 3, EIOTA_FLOAT32, 0},
    {f_model, w_model, 64, EIOTA_UINT8, EIOTA_REGION_PREFIX},
    {f_len, w_len, 1, EIOTA_INT32, 0},
};
const eiota_block kBlocks[] = {{kRegions, 3}};
const uint8_t kFingerprint[16] = {7, 7, 7, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

// Builds a payload by hand, so that entries may differ from the regions.
struct Piece {
  uint32_t count;
  uint8_t elem_type;
  std::vector<uint8_t> values;
  uint32_t stored_len;  // defaults to values.size()
};

class RegionPrefix : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    crypto_sign_keypair(key.pk.data(), key.sk.data());
    for (int i = 0; i < 64; i++) f_model[i] = (uint8_t)(i + 1);  // no zeros: a fill shows
    state = eiota_model_state{};
    model = eiota_model{kBlocks, 1, 3, kFingerprint, key.pk.data(), key_id(key.pk), &state, &eiota_ram_storage};
    ASSERT_EQ(eiota_model_restore(&model), EIOTA_OK);
  }

  std::string payload(std::vector<Piece> pieces, uint64_t sequence = 2) const {
    std::string table, data;
    for (size_t i = 0; i < pieces.size(); i++) {
      const Piece& p = pieces[i];
      eiota_entry e = {(uint32_t)i, p.count, p.stored_len ? p.stored_len : (uint32_t)p.values.size(), p.elem_type,
                       EIOTA_ENCODING_RAW, 0};
      uint8_t buf[EIOTA_ENTRY_LEN];
      eiota_encode_entry(&e, buf);
      table.append((const char*)buf, sizeof buf);
      data.append((const char*)p.values.data(), p.values.size());
    }
    eiota_header h = {};
    h.major = EIOTA_FORMAT_MAJOR;
    h.region_count = (uint32_t)pieces.size();
    h.data_len = (uint32_t)data.size();
    h.sequence = sequence;
    std::memcpy(h.fingerprint, kFingerprint, 16);
    h.key_id = key_id(key.pk);
    crypto_hash_sha256(h.data_sha256, (const uint8_t*)data.data(), data.size());
    uint8_t head[EIOTA_HEADER_LEN];
    eiota_encode_header(&h, head);
    std::string msg = std::string((const char*)head, sizeof head) + table;
    uint8_t sig[64];
    crypto_sign_detached(sig, nullptr, (const uint8_t*)msg.data(), msg.size(), key.sk.data());
    return std::string((const char*)head, sizeof head) + std::string((const char*)sig, 64) + table + data;
  }

  static std::vector<uint8_t> floats(std::vector<float> v) {
    std::vector<uint8_t> b(v.size() * 4);
    std::memcpy(b.data(), v.data(), b.size());
    return b;
  }
  static std::vector<uint8_t> bytes(uint32_t n, uint8_t first) {
    std::vector<uint8_t> b(n);
    for (uint32_t i = 0; i < n; i++) b[i] = (uint8_t)(first + i);
    return b;
  }
  static std::vector<uint8_t> i32(int32_t v) { return {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)}; }

  int apply(const std::string& p, size_t chunk = SIZE_MAX) {
    eiota_update u;
    eiota_update_begin(&u, &model);
    for (size_t off = 0; off < p.size(); off += chunk) {
      int err = eiota_update_write(&u, (const uint8_t*)p.data() + off, std::min(chunk, p.size() - off));
      if (err != EIOTA_OK) return err;
    }
    return eiota_update_finish(&u);
  }
  bool factory_values() const {
    return std::memcmp(w_model, f_model, 64) == 0 && std::memcmp(w_s, f_s, 12) == 0 && w_len[0] == f_len[0];
  }

  SecretKey key;
  eiota_model_state state;
  eiota_model model;
};

TEST_F(RegionPrefix, ShortEntryIsWrittenAndTheRestZeroFilled) {
  for (size_t chunk : {(size_t)1, (size_t)5, (size_t)1000}) {
    ASSERT_EQ(eiota_model_restore(&model), EIOTA_OK);
    std::string p = payload({{3, EIOTA_FLOAT32, floats({4, 5, 6})}, {20, EIOTA_UINT8, bytes(20, 100)}, {1, EIOTA_INT32, i32(20)}});
    ASSERT_EQ(apply(p, chunk), EIOTA_OK) << chunk;
    EXPECT_EQ(std::vector<uint8_t>(w_model, w_model + 20), bytes(20, 100));
    EXPECT_EQ(std::vector<uint8_t>(w_model + 20, w_model + 64), std::vector<uint8_t>(44, 0));
    EXPECT_EQ(w_s[2], 6.0f);
    EXPECT_EQ(w_len[0], 20);
    EXPECT_EQ(state.status, EIOTA_STATUS_UPDATED);
  }
}

TEST_F(RegionPrefix, FullAndEmptyEntriesWork) {
  std::string full = payload({{3, EIOTA_FLOAT32, floats({4, 5, 6})}, {64, EIOTA_UINT8, bytes(64, 9)}, {1, EIOTA_INT32, i32(64)}});
  ASSERT_EQ(apply(full), EIOTA_OK);
  EXPECT_EQ(std::vector<uint8_t>(w_model, w_model + 64), bytes(64, 9));
  std::string empty = payload({{3, EIOTA_FLOAT32, floats({4, 5, 6})}, {0, EIOTA_UINT8, {}}, {1, EIOTA_INT32, i32(0)}}, 3);
  ASSERT_EQ(apply(empty), EIOTA_OK);
  EXPECT_EQ(std::vector<uint8_t>(w_model, w_model + 64), std::vector<uint8_t>(64, 0));
}

TEST_F(RegionPrefix, OnlyPrefixRegionsMayBeShortAndNoneLong) {
  // A region without the flag must be sent whole.
  std::string short_plain = payload({{2, EIOTA_FLOAT32, floats({4, 5})}, {64, EIOTA_UINT8, bytes(64, 9)}, {1, EIOTA_INT32, i32(64)}});
  EXPECT_EQ(apply(short_plain), EIOTA_ERR_SIZE_MISMATCH);
  std::string long_prefix = payload({{3, EIOTA_FLOAT32, floats({4, 5, 6})}, {65, EIOTA_UINT8, bytes(65, 9)}, {1, EIOTA_INT32, i32(65)}});
  EXPECT_EQ(apply(long_prefix), EIOTA_ERR_SIZE_MISMATCH);
  // stored_len must still be count * element size.
  std::string bad_len = payload({{3, EIOTA_FLOAT32, floats({4, 5, 6})}, {20, EIOTA_UINT8, bytes(21, 9), 21}, {1, EIOTA_INT32, i32(20)}});
  EXPECT_EQ(apply(bad_len), EIOTA_ERR_SIZE_MISMATCH);
  std::string bad_type = payload({{3, EIOTA_FLOAT32, floats({4, 5, 6})}, {5, EIOTA_INT32, bytes(20, 9)}, {1, EIOTA_INT32, i32(20)}});
  EXPECT_EQ(apply(bad_type), EIOTA_ERR_SIZE_MISMATCH);
  EXPECT_TRUE(factory_values());
}

TEST_F(RegionPrefix, AFailedShortUpdateRestoresFactoryValues) {
  std::string p = payload({{3, EIOTA_FLOAT32, floats({4, 5, 6})}, {20, EIOTA_UINT8, bytes(20, 100)}, {1, EIOTA_INT32, i32(20)}});
  p[p.size() - 1] ^= 1;  // data no longer matches its hash
  EXPECT_EQ(apply(p), EIOTA_ERR_HASH_MISMATCH);
  EXPECT_TRUE(factory_values());
  EXPECT_EQ(state.status, EIOTA_STATUS_FACTORY);
}

}  // namespace
