// Power cuts against the slot store: after every single erase and prog of full updates, an
// activation, a confirm, a revert and a swap, on three geometries and both erased values, and in
// thousands of random multi-fault runs, the rebooted device serves exactly one whole version, the
// one its journal names, and still takes the next update.
#include <gtest/gtest.h>

#include <random>

#include "store_harness.h"

using namespace store_harness;

namespace {

struct Case {
  Geometry g;
  bool in_place;
};

std::string name(const Case& c) {
  return std::to_string(c.g.erase_size) + "_" + std::to_string(c.g.prog_size) + "_" + (c.g.erased ? "FF" : "00") +
         (c.in_place ? "_InPlace" : "_RamCopies");
}

// The version the journal says is active: payload version v is sent with sequence v.
int journal_version(const Device& d) {
  const eiota_journal_status* j = eiota_store_status(&d.model);
  return j == nullptr ? -2 : (int)j->slot_sequence[j->active];
}

// After a reboot: one whole version serves, the one the journal names, and updates still work.
void check_recovers(Device& d, const std::string& what, int next_version) {
  ASSERT_EQ(d.boot(), EIOTA_OK) << what;
  int v = d.serving();
  ASSERT_GE(v, 0) << what << ": a mix of versions, or garbage";
  ASSERT_EQ(v, journal_version(d)) << what;
  if (eiota_store_status(&d.model)->trial) ASSERT_EQ(eiota_store_confirm(&d.model), EIOTA_OK) << what;
  ASSERT_EQ(d.apply(d.payload(next_version, next_version)), EIOTA_OK) << what;
  ASSERT_EQ(d.serving(), next_version) << what;
  ASSERT_EQ(eiota_store_confirm(&d.model), EIOTA_OK) << what;
  ASSERT_EQ(d.boot(), EIOTA_OK) << what;
  ASSERT_EQ(d.serving(), next_version) << what;
}

// A full update, activation, confirm; another, reverted; a third, confirmed; a swap back to the first.
void scenario(Device& d) {
  auto step = [&](int err) { return err == EIOTA_OK && !d.sim->dead(); };
  if (!step(d.apply(d.payload(1, 1), 29))) return;
  d.serving();
  if (!step(eiota_store_confirm(&d.model))) return;
  if (!step(d.apply(d.payload(2, 2), 500))) return;  // long progs straight from the caller's buffer
  d.serving();
  if (!step(eiota_store_revert(&d.model, EIOTA_REVERT_REQUESTED))) return;
  d.serving();
  if (!step(d.apply(d.payload(3, 3), 7))) return;
  d.serving();
  if (!step(eiota_store_confirm(&d.model))) return;
  if (!step(eiota_store_select(&d.model, EIOTA_SLOT_A))) return;
  d.serving();
}

class PowerCut : public ::testing::TestWithParam<Case> {};

TEST_P(PowerCut, EveryCutPointLeavesOneWholeConfirmedOrTrialVersion) {
  const Case c = GetParam();
  Device d(c.g, c.in_place, 2);
  for (int v = 0; v <= 9; v++) d.known(v);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  d.sim->mark();
  const uint64_t start = d.sim->ops();
  scenario(d);
  ASSERT_EQ(d.serving(), 1);
  const uint64_t total = d.sim->ops() - start;
  d.sim->rewind();
  uint64_t points = 0;
  for (uint64_t cut = 1; cut <= total; cut++) {
    for (bool torn : {false, true}) {
      ASSERT_EQ(d.boot(), EIOTA_OK);
      d.sim->cut_at(start + cut, torn);
      scenario(d);
      ASSERT_TRUE(d.sim->dead()) << "cut " << cut;
      d.sim->reboot();
      check_recovers(d, "cut at op " + std::to_string(cut) + (torn ? " (torn)" : ""), 9);
      if (::testing::Test::HasFatalFailure()) return;
      d.sim->rewind();
      points++;
    }
  }
  RecordProperty("cut_points", (int)points);
  std::printf("[ cut points ] %s: %llu operations, %llu cuts\n", name(c).c_str(), (unsigned long long)total,
              (unsigned long long)points);
}

// Random runs with several faults each: any API call, power lost at a random operation (torn or
// not), rebooted and continued; after every reboot one whole version serves, the journal's.
TEST_P(PowerCut, RandomMultiFaultRuns) {
  const Case c = GetParam();
  Device d(c.g, c.in_place, 2, 77);
  for (int v = 0; v <= 200; v++) d.known(v);
  std::mt19937_64 rng(1234 + c.g.prog_size + c.g.erased + c.in_place);
  const int runs = 10000 / 20 + 1;  // twenty cases: over 10 000 runs in all
  int faults = 0;
  for (int run = 0; run < runs; run++) {
    d.sim->mark();
    ASSERT_EQ(d.boot(), EIOTA_OK);
    int next = 1;
    eiota_update u;
    for (int step = 0; step < 14; step++) {
      if (rng() % 3 == 0) d.sim->cut_at(d.sim->ops() + 1 + rng() % 12, rng() % 2 == 0);
      switch (rng() % 7) {
        case 0:
        case 1: {
          int v = next++;
          d.apply(d.payload(v, v), 1 + rng() % 80);
          break;
        }
        case 2: eiota_store_confirm(&d.model); break;
        case 3: eiota_store_revert(&d.model, 20); break;
        case 4: eiota_store_select(&d.model, (uint8_t)(rng() % 3)); break;
        case 5: {
          uint32_t from = 0;
          if (eiota_update_resume(&u, &d.model, &from) == EIOTA_OK) {
            std::string p = d.payload(next - 1, next - 1);
            d.send(&u, p, from, 33);
          }
          break;
        }
        default: break;
      }
      d.serving();
      if (d.sim->dead() || rng() % 5 == 0) {
        faults += d.sim->dead();
        d.sim->reboot();
        ASSERT_EQ(d.boot(), EIOTA_OK) << "run " << run << " step " << step;
        int v = d.serving();
        ASSERT_GE(v, 0) << "run " << run << " step " << step << ": a mix of versions";
        ASSERT_EQ(v, journal_version(d)) << "run " << run << " step " << step;
      }
    }
    d.sim->reboot();
    check_recovers(d, "run " + std::to_string(run), 200);
    if (::testing::Test::HasFatalFailure()) return;
    d.sim->rewind();
  }
  std::printf("[ random ] %s: %d runs, %d power cuts\n", name(c).c_str(), runs, faults);
  EXPECT_GT(faults, runs / 2);
}

std::vector<Case> cases() {
  std::vector<Case> out;
  // The three, and small blocks so that payloads span several and the journal compacts.
  for (Geometry g : {Geometry{4096, 1, 0xFF, 1}, Geometry{4096, 8, 0xFF, 1}, Geometry{131072, 32, 0xFF, 1},
                     Geometry{256, 1, 0xFF, 8}, Geometry{512, 16, 0xFF, 4}})
    for (uint8_t erased : {0xFF, 0x00})
      for (bool in_place : {false, true}) {
        Geometry x = g;
        x.erased = erased;
        out.push_back({x, in_place});
      }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Geometries, PowerCut, ::testing::ValuesIn(cases()),
                         [](const auto& i) { return name(i.param); });

}  // namespace
