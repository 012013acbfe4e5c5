// From the review of delta payloads: a base that changes between the header and the first value
// (RAM mode, another update context) is caught before anything is written; regions copied after
// the last one sent, with extra data, survive power cuts.
#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "delta_harness.h"

using namespace delta_harness;

namespace {

// RAM mode: the base is checked when the header completes, but the values are taken only when the
// data starts. Another context that commits in between changes the base under the delta.
TEST(ReviewDelta, RamBaseChangedBetweenHeaderAndDataIsRefusedAndTheReleaseStays) {
  Rig r(false);
  r.ram();
  Vals v1 = version_values(r.d.def, 1);
  ASSERT_EQ(r.apply(r.full(v1, 1)), EIOTA_OK);
  Vals v2 = tuned(r.d.def, v1, 2, {3});
  std::string delta = r.delta(v1, 1, v2, 5);
  size_t head_and_table = EIOTA_HEADER_DELTA_LEN + 64 + 16;  // one entry
  eiota_update u1;
  eiota_update_begin(&u1, &r.d.model);
  ASSERT_EQ(eiota_update_write(&u1, (const uint8_t*)delta.data(), head_and_table), EIOTA_OK);
  // Meanwhile release 2 (a full payload) is applied by another context.
  Vals v3 = version_values(r.d.def, 3);
  ASSERT_EQ(r.apply(r.full(v3, 2)), EIOTA_OK);
  ASSERT_TRUE(r.serves(v3));
  int err = eiota_update_write(&u1, (const uint8_t*)delta.data() + head_and_table, delta.size() - head_and_table);
  if (err == EIOTA_OK) err = eiota_update_finish(&u1);
  EXPECT_EQ(err, EIOTA_ERR_WRONG_BASE);
  EXPECT_TRUE(r.serves(v3)) << "release 2 lost: err " << err;
  EXPECT_EQ(r.d.state.applied_sequence, 2u);
}

// Flash: a delta whose last sent region is followed by copied ones, with and without extra data:
// a cut at every operation leaves base or result, and the delta resumes or is sent again.
TEST(ReviewDelta, FlashTrailingCopiesAndExtraSurviveACutAtEveryOperation) {
  for (bool in_place : {false, true}) {
    for (int with_extra = 0; with_extra < 2; with_extra++) {
      Rig r(in_place, Geometry{64, 4, 0xFF, 30});
      Vals v1 = version_values(r.d.def, 1);
      Vals v2 = tuned(r.d.def, v1, 2, {1});
      ASSERT_EQ(r.boot(), EIOTA_OK);
      ASSERT_EQ(r.apply(r.full(v1, 1)), EIOTA_OK);
      ASSERT_EQ(eiota_store_confirm(&r.d.model), EIOTA_OK);
      std::array<uint8_t, 16> fp{};
      std::memcpy(fp.data(), kFingerprint, 16);
      std::string extra = with_extra ? std::string(70, 'e') : std::string();
      const std::string delta = eiota::host::write_delta_payload(fp, regions_of(r.d.def, v2), base_of(r.d.def, v1, 1), 2,
                                                                 r.k, extra, nullptr);
      r.d.sim->mark();
      const uint64_t start = r.d.sim->ops();
      ASSERT_EQ(r.apply(delta, 16), EIOTA_OK);
      ASSERT_TRUE(r.serves(v2));
      const uint64_t total = r.d.sim->ops() - start;
      r.d.sim->rewind();
      int resumed = 0;
      for (uint64_t cut = 1; cut <= total; cut++) {
        for (bool torn : {false, true}) {
          ASSERT_EQ(r.boot(), EIOTA_OK);
          r.d.sim->cut_at(start + cut, torn);
          EXPECT_NE(r.apply(delta, 16), EIOTA_OK);
          r.d.sim->reboot();
          ASSERT_EQ(r.boot(), EIOTA_OK);
          bool b = r.serves(v1), res = r.serves(v2);
          ASSERT_TRUE(b || res) << cut << " mix";
          if (b) {
            eiota_update u;
            uint32_t from = 0;
            if (eiota_update_resume(&u, &r.d.model, &from) == EIOTA_OK) {
              resumed++;
              ASSERT_EQ(r.d.send(&u, delta, from, 16), EIOTA_OK) << cut << " extra " << with_extra;
            } else {
              const eiota_journal_status* j = eiota_store_status(&r.d.model);
              if (j->floor >= 2) { r.d.sim->rewind(); continue; }
              ASSERT_EQ(r.apply(delta), EIOTA_OK) << cut;
            }
            ASSERT_TRUE(r.serves(v2)) << cut;
          }
          r.d.sim->rewind();
        }
      }
      EXPECT_GT(resumed, 0) << "in place " << in_place << " extra " << with_extra;
    }
  }
}

}  // namespace
