// Power cuts during a delta apply (format 1.2), with the slot store: after a cut at every erase and
// prog of a delta's download, activation and confirm, the rebooted device serves one whole version
// (the base or the delta's result, the one its journal names); the delta is then resumed from
// where the slot says it got to (at most one erase block and the write buffer sent again), or
// sent again, and gives the result bit for bit.
#include <gtest/gtest.h>

#include "delta_harness.h"

using namespace delta_harness;

namespace {

struct Case {
  Geometry g;
  bool in_place;
};

class DeltaPowerCut : public ::testing::TestWithParam<Case> {};

TEST_P(DeltaPowerCut, EveryCutLeavesBaseOrResult_AndTheDeltaResumes) {
  const Case c = GetParam();
  Rig r(c.in_place, c.g);
  Vals v1 = version_values(r.d.def, 1);
  Vals v2 = tuned(r.d.def, v1, 2, {3, 4, 5});
  ASSERT_EQ(r.boot(), EIOTA_OK);
  ASSERT_EQ(r.apply(r.full(v1, 1)), EIOTA_OK);
  ASSERT_TRUE(r.serves(v1));
  ASSERT_EQ(eiota_store_confirm(&r.d.model), EIOTA_OK);
  const std::string delta = r.delta(v1, 1, v2, 2);
  r.d.sim->mark();
  const uint64_t start = r.d.sim->ops();
  auto run = [&](size_t* fed) {
    eiota_update u;
    eiota_update_begin(&u, &r.d.model);
    if (r.d.send(&u, delta, 0, 16, fed) != EIOTA_OK) return false;
    if (!r.serves(v2)) return false;
    return eiota_store_confirm(&r.d.model) == EIOTA_OK;
  };
  size_t fed = 0;
  ASSERT_TRUE(run(&fed));
  const uint64_t total = r.d.sim->ops() - start;
  r.d.sim->rewind();
  int resumed = 0, results = 0;
  for (uint64_t cut = 1; cut <= total; cut++) {
    for (bool torn : {false, true}) {
      std::string at = "cut " + std::to_string(cut) + (torn ? " (torn)" : "");
      ASSERT_EQ(r.boot(), EIOTA_OK) << at;
      r.d.sim->cut_at(start + cut, torn);
      fed = 0;
      EXPECT_FALSE(run(&fed)) << at;
      ASSERT_TRUE(r.d.sim->dead()) << at;
      r.d.sim->reboot();
      ASSERT_EQ(r.boot(), EIOTA_OK) << at;
      bool base = r.serves(v1), result = r.serves(v2);
      ASSERT_TRUE(base || result) << at << ": a mix, or garbage";
      const eiota_journal_status* j = eiota_store_status(&r.d.model);
      EXPECT_EQ(j->slot_sequence[j->active], result ? 2u : 1u) << at;
      if (result) {
        results++;
        if (j->trial) ASSERT_EQ(eiota_store_confirm(&r.d.model), EIOTA_OK) << at;
      } else {
        eiota_update u;
        uint32_t from = 0;
        int err = eiota_update_resume(&u, &r.d.model, &from);
        if (err == EIOTA_OK) {
          resumed++;
          EXPECT_LE(fed - from, c.g.erase_size + 64u + 16u) << at;
          ASSERT_EQ(r.d.send(&u, delta, from, 16), EIOTA_OK) << at;
        } else {
          EXPECT_EQ(err, EIOTA_ERR_STATE) << at;
          // Sent again; under a new sequence if release 2 was accepted and then reverted (a cut
          // during its confirm: the trial's next boot reverts it, and the floor stays).
          ASSERT_EQ(r.apply(r.delta(v1, 1, v2, j->floor + 1)), EIOTA_OK) << at;
        }
        ASSERT_TRUE(r.serves(v2)) << at;
        ASSERT_EQ(eiota_store_confirm(&r.d.model), EIOTA_OK) << at;
      }
      ASSERT_EQ(r.boot(), EIOTA_OK) << at;
      ASSERT_TRUE(r.serves(v2)) << at;
      r.d.sim->rewind();
    }
  }
  EXPECT_GT(resumed, 0);
  EXPECT_GT(results, 0);
  std::printf("[ delta cuts ] %llu operations, %d resumed, %d already the result\n", (unsigned long long)total, resumed,
              results);
}

// A reset in the middle of a delta on the factory values, resumed: the unchanged regions copied
// from the factory arrays before the reset are kept, the rest follows.
TEST_P(DeltaPowerCut, ResumeOfADeltaOnFactory) {
  const Case c = GetParam();
  Rig r(c.in_place, c.g);
  Vals next = tuned(r.d.def, r.factory, 3, {1, 5});
  const std::string delta = r.delta(r.factory, 0, next, 4);
  ASSERT_EQ(r.boot(), EIOTA_OK);
  r.d.sim->mark();
  const uint64_t start = r.d.sim->ops();
  ASSERT_EQ(r.apply(delta, 16), EIOTA_OK);
  const uint64_t total = r.d.sim->ops() - start;
  r.d.sim->rewind();
  int resumed = 0;
  for (uint64_t cut = total / 3; cut <= total; cut += 3) {
    ASSERT_EQ(r.boot(), EIOTA_OK);
    r.d.sim->cut_at(start + cut, true);
    EXPECT_NE(r.apply(delta, 16), EIOTA_OK);
    r.d.sim->reboot();
    ASSERT_EQ(r.boot(), EIOTA_OK);
    if (!r.serves(r.factory)) {
      ASSERT_TRUE(r.serves(next)) << cut;
    } else {
      eiota_update u;
      uint32_t from = 0;
      if (eiota_update_resume(&u, &r.d.model, &from) == EIOTA_OK) {
        resumed++;
        ASSERT_EQ(r.d.send(&u, delta, from, 16), EIOTA_OK) << cut;
      } else {
        ASSERT_EQ(r.apply(delta), EIOTA_OK) << cut;
      }
      ASSERT_TRUE(r.serves(next)) << cut;
    }
    r.d.sim->rewind();
  }
  EXPECT_GT(resumed, 0);
}

INSTANTIATE_TEST_SUITE_P(Geometries, DeltaPowerCut,
                         ::testing::Values(Case{Geometry{64, 1, 0xFF, 30}, false}, Case{Geometry{128, 8, 0x00, 15}, true},
                                           Case{Geometry{256, 32, 0xFF, 8}, false}, Case{Geometry{64, 4, 0x00, 30}, true}));

}  // namespace
