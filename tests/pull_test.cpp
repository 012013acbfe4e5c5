// The pull API over regions of odd sizes, with read callbacks that return any number of bytes up
// to what is asked: the values arrive whole, the callback is never asked past the end of the
// payload, and a payload cut or extended anywhere is refused with the factory values intact.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "eiota_update.h"
#include "payload.h"

using namespace eiota::host;

namespace {

// Sizes that put the region boundaries at every alignment inside the reads and hash blocks.
int8_t f_a[1001], w_a[1001];
float f_b[257], w_b[257];
int32_t f_c[3], w_c[3];
int16_t f_d[499], w_d[499];
uint8_t f_e[2050], w_e[2050];

const eiota_region kRegions[] = {
    {f_a, w_a, 1001, eiota::kInt8}, {f_b, w_b, 257, eiota::kFloat32}, {f_c, w_c, 3, eiota::kInt32},
    {f_d, w_d, 499, eiota::kInt16}, {f_e, w_e, 2050, eiota::kUInt8},
};
const eiota_block kBlocks[] = {{kRegions, 5}};
const uint8_t kFingerprint[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

struct Source {
  std::string bytes;
  size_t pos = 0;
  std::mt19937_64* rng = nullptr;  // return a random count up to what is asked, else all of it
  bool asked_past_end = false;
};

int read_source(void* ctx, uint8_t* buf, uint32_t max) {
  Source* s = static_cast<Source*>(ctx);
  if (max == 0) return s->pos < s->bytes.size() ? 1 : 0;
  if (s->pos + max > s->bytes.size()) s->asked_past_end = true;
  size_t n = std::min<size_t>(max, s->bytes.size() - s->pos);
  if (s->rng && n > 1) n = 1 + (*s->rng)() % n;
  std::memcpy(buf, s->bytes.data() + s->pos, n);
  s->pos += n;
  return (int)n;
}

class PullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    std::mt19937_64 rng(77);
    for (const auto& r : kRegions) {
      uint8_t* p = (uint8_t*)const_cast<void*>(r.factory);
      for (size_t i = 0; i < size_of(r); i++) p[i] = (uint8_t)rng();
    }
    crypto_sign_keypair(key.pk.data(), key.sk.data());
    state = eiota_model_state{};
    model = eiota_model{kBlocks, 1, 5, kFingerprint, key.pk.data(), key_id(key.pk), &state, &eiota_ram_storage};
    fp.fill(0);
    std::memcpy(fp.data(), kFingerprint, 16);
    ASSERT_TRUE(eiota_model_ready(&model));
  }

  static size_t size_of(const eiota_region& r) { return r.count * eiota::elem_size(r.elem_type); }

  std::vector<Region> next_regions(int salt) const {
    std::vector<Region> rs;
    for (uint32_t i = 0; i < 5; i++) {
      const eiota_region& r = kRegions[i];
      Region g;
      g.elem_type = r.elem_type;
      g.count = r.count;
      g.name = "r" + std::to_string(i);
      const uint8_t* f = (const uint8_t*)r.factory;
      g.values.assign(f, f + size_of(r));
      for (size_t k = 0; k < g.values.size(); k++) g.values[k] = (uint8_t)(g.values[k] + 1 + salt + k % 251);
      rs.push_back(g);
    }
    return rs;
  }

  static std::vector<uint8_t> concat(const std::vector<Region>& rs) {
    std::vector<uint8_t> out;
    for (const auto& r : rs) out.insert(out.end(), r.values.begin(), r.values.end());
    return out;
  }
  static std::vector<uint8_t> read_out(bool working) {
    std::vector<uint8_t> out;
    for (const auto& r : kRegions) {
      const uint8_t* p = (const uint8_t*)(working ? r.working : r.factory);
      out.insert(out.end(), p, p + size_of(r));
    }
    return out;
  }

  SecretKey key;
  eiota_model_state state;
  eiota_model model;
  std::array<uint8_t, 16> fp;
};

TEST_F(PullTest, WholeReadsAndRandomShortReadsApplyTheValues) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 6; round++) {
    std::string p = write_payload(fp, next_regions(round), 10 + round, key);
    Source s{p};
    if (round % 2 == 1) s.rng = &rng;
    eiota_update u;
    ASSERT_EQ(eiota_update_pull(&u, &model, read_source, &s), EIOTA_OK) << "round " << round;
    EXPECT_EQ(s.pos, p.size());
    EXPECT_FALSE(s.asked_past_end);
    EXPECT_EQ(read_out(true), concat(next_regions(round))) << "round " << round;
    EXPECT_EQ(state.applied_sequence, 10u + round);
  }
}

// Cut anywhere (in the header, the table, at the start of the values, inside them) or one byte
// too long: refused, the factory values serve.
TEST_F(PullTest, CutOrExtendedAnywhereIsRefused) {
  std::string p = write_payload(fp, next_regions(0), 3, key);
  size_t data_at = p.size() - concat(next_regions(0)).size();
  for (size_t len : {size_t(0), size_t(1), size_t(79), size_t(80), size_t(150), data_at - 1, data_at, data_at + 1,
                     data_at + 1000, p.size() - 1}) {
    Source s{p.substr(0, len)};
    eiota_update u;
    EXPECT_EQ(eiota_update_pull(&u, &model, read_source, &s), EIOTA_ERR_TRUNCATED) << "len " << len;
    EXPECT_EQ(read_out(true), read_out(false)) << "len " << len;
  }
  Source longer{p + "x"};
  eiota_update u;
  EXPECT_EQ(eiota_update_pull(&u, &model, read_source, &longer), EIOTA_ERR_OVERSIZE);
  EXPECT_EQ(read_out(true), read_out(false));
  Source ok{p};
  EXPECT_EQ(eiota_update_pull(&u, &model, read_source, &ok), EIOTA_OK);
  EXPECT_FALSE(ok.asked_past_end);
}

}  // namespace
