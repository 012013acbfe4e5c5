// The flash seam, the simulated NOR flash and the activation journal, including power cuts after
// every flash operation of a long sequence of events and random multi-fault sequences.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "eiota_flash.h"
#include "eiota_journal.h"
#include "nor_sim.h"

namespace {

eiota_journal_event ev(uint8_t type, uint8_t slot = 0, uint64_t sequence = 0, uint8_t reason = 0) {
  eiota_journal_event e;
  e.type = type;
  e.slot = slot;
  e.reason = reason;
  e.sequence = sequence;
  return e;
}

bool same(const eiota_journal_status& a, const eiota_journal_status& b) {
  return a.active == b.active && a.confirmed == b.confirmed && a.trial == b.trial && a.boots == b.boots &&
         a.pending == b.pending && a.reason == b.reason && a.floor == b.floor && a.last_event == b.last_event &&
         a.slot_sequence[1] == b.slot_sequence[1] && a.slot_sequence[2] == b.slot_sequence[2];
}

std::string show(const eiota_journal_status& s) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "{active %u confirmed %u trial %u boots %u pending %u event %u reason %u floor %llu A %llu B %llu}",
                s.active, s.confirmed, s.trial, s.boots, s.pending, s.last_event, s.reason, (unsigned long long)s.floor,
                (unsigned long long)s.slot_sequence[1], (unsigned long long)s.slot_sequence[2]);
  return buf;
}

const uint8_t kBoots = 3;

// --- the flash seam ---------------------------------------------------------------------------

TEST(FlashSeam, RefusesUnalignedAndOutOfRangeBeforeTheBackendRuns) {
  NorSim sim(8192, 4096, 8, 0xFF);
  eiota_flash f = sim.flash();
  uint8_t buf[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  EXPECT_EQ(eiota_flash_check(&f), EIOTA_OK);
  EXPECT_EQ(eiota_flash_prog(&f, 4, buf, 8), EIOTA_ERR_FLASH_RANGE);   // address not on a prog unit
  EXPECT_EQ(eiota_flash_prog(&f, 8, buf, 12), EIOTA_ERR_FLASH_RANGE);  // length not whole units
  EXPECT_EQ(eiota_flash_prog(&f, 8192 - 8, buf, 16), EIOTA_ERR_FLASH_RANGE);
  EXPECT_EQ(eiota_flash_prog(&f, 0xFFFFFFF8u, buf, 16), EIOTA_ERR_FLASH_RANGE);  // wraps
  EXPECT_EQ(eiota_flash_erase(&f, 2048, 4096), EIOTA_ERR_FLASH_RANGE);
  EXPECT_EQ(eiota_flash_erase(&f, 0, 2048), EIOTA_ERR_FLASH_RANGE);
  EXPECT_EQ(eiota_flash_erase(&f, 4096, 8192), EIOTA_ERR_FLASH_RANGE);
  EXPECT_EQ(eiota_flash_read(&f, 8190, buf, 4), EIOTA_ERR_FLASH_RANGE);
  EXPECT_EQ(eiota_flash_read(&f, 0xFFFFFFFFu, buf, 2), EIOTA_ERR_FLASH_RANGE);
  EXPECT_EQ(sim.ops(), 0u);
  EXPECT_EQ(sim.reads, 0u);
  EXPECT_EQ(sim.misaligned, 0u);

  EXPECT_EQ(eiota_flash_prog(&f, 8, buf, 16), EIOTA_OK);
  EXPECT_EQ(eiota_flash_prog(&f, 8, buf, 8), EIOTA_ERR_STORAGE);  // not erased: the sim refuses
  EXPECT_EQ(sim.refused, 1u);
  EXPECT_EQ(eiota_flash_erased(&f, 0, 8), EIOTA_OK);
  EXPECT_EQ(eiota_flash_erased(&f, 0, 16), EIOTA_ERR_STATE);
  uint8_t back[16];
  EXPECT_EQ(eiota_flash_read(&f, 8, back, 16), EIOTA_OK);
  EXPECT_EQ(0, memcmp(back, buf, 16));
  EXPECT_EQ(eiota_flash_erase(&f, 0, 4096), EIOTA_OK);
  EXPECT_EQ(eiota_flash_erased(&f, 0, 4096), EIOTA_OK);
  EXPECT_EQ(sim.erases, 1u);
  EXPECT_EQ(sim.progs, 1u);
}

TEST(FlashSeam, RefusesInconsistentGeometryAndReadsMappedFlashInPlace) {
  NorSim sim(8192, 4096, 8, 0x00);
  eiota_flash f = sim.flash();
  eiota_flash bad = f;
  bad.prog_size = 0;
  EXPECT_EQ(eiota_flash_check(&bad), EIOTA_ERR_FLASH_RANGE);
  bad = f;
  bad.prog_size = 3;  // 4096 is not a multiple
  EXPECT_EQ(eiota_flash_check(&bad), EIOTA_ERR_FLASH_RANGE);
  bad = f;
  bad.size = 6000;
  EXPECT_EQ(eiota_flash_check(&bad), EIOTA_ERR_FLASH_RANGE);
  bad = f;
  bad.prog = nullptr;
  EXPECT_EQ(eiota_flash_check(&bad), EIOTA_ERR_STATE);
  bad = f;
  bad.read = nullptr;
  EXPECT_EQ(eiota_flash_check(&bad), EIOTA_ERR_STATE);
  EXPECT_EQ(eiota_flash_check(nullptr), EIOTA_ERR_STATE);

  eiota_flash mapped = f;
  mapped.read = nullptr;
  mapped.mapped = sim.memory().data();
  sim.memory()[100] = 42;
  uint8_t b = 0;
  EXPECT_EQ(eiota_flash_read(&mapped, 100, &b, 1), EIOTA_OK);
  EXPECT_EQ(b, 42);
  EXPECT_EQ(sim.reads, 0u);
}

TEST(NorSimulator, TornOperationsLeaveNoiseAndStopTheFlash) {
  NorSim sim(4096, 4096, 1, 0xFF, 7);
  eiota_flash f = sim.flash();
  std::vector<uint8_t> data(256, 0x5A);
  sim.cut_at(1, true);
  EXPECT_EQ(eiota_flash_prog(&f, 0, data.data(), 256), EIOTA_ERR_STORAGE);
  EXPECT_TRUE(sim.dead());
  EXPECT_EQ(eiota_flash_erase(&f, 0, 4096), EIOTA_ERR_STORAGE);  // no power
  size_t written = 0, erased = 0;
  for (int i = 0; i < 256; i++) (sim.memory()[i] == 0x5A ? written : sim.memory()[i] == 0xFF ? erased : written) += 1;
  EXPECT_GT(erased, 0u);
  EXPECT_LT(erased, 256u);
  sim.reboot();
  EXPECT_EQ(eiota_flash_prog(&f, 0, data.data(), 256), EIOTA_ERR_STORAGE);  // torn bytes are not erased
  EXPECT_GT(sim.refused, 0u);
  sim.cut_at(sim.ops() + 1, false);
  EXPECT_EQ(eiota_flash_erase(&f, 0, 4096), EIOTA_ERR_STORAGE);
  EXPECT_NE(sim.memory()[0], 0xFF);  // never started
  sim.reboot();
  EXPECT_EQ(eiota_flash_erase(&f, 0, 4096), EIOTA_OK);
  EXPECT_EQ(eiota_flash_erased(&f, 0, 4096), EIOTA_OK);
}

// --- the journal --------------------------------------------------------------------------------

TEST(Journal, Crc32IsTheIeeeOne) {
  const uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  EXPECT_EQ(eiota_crc32(check, sizeof check), 0xCBF43926u);
  EXPECT_EQ(eiota_crc32(check, 0), 0u);
}

TEST(Journal, OpenRefusesBadPlacementAndGeometry) {
  NorSim sim(3 * 4096, 4096, 1, 0xFF);
  eiota_flash f = sim.flash();
  eiota_journal j;
  EXPECT_EQ(eiota_journal_open(&j, &f, 100, kBoots), EIOTA_ERR_FLASH_RANGE);
  EXPECT_EQ(eiota_journal_open(&j, &f, 8192, kBoots), EIOTA_ERR_FLASH_RANGE);  // needs two blocks
  EXPECT_EQ(eiota_journal_open(&j, &f, 0, 0), EIOTA_ERR_STATE);
  EXPECT_EQ(eiota_journal_state(&j), nullptr);
  EXPECT_EQ(eiota_journal_record(&j, nullptr), EIOTA_ERR_STATE);
  eiota_journal_event boot = ev(EIOTA_JOURNAL_BOOT);
  EXPECT_EQ(eiota_journal_record(&j, &boot), EIOTA_ERR_STATE);
  NorSim wide(2 * 4096, 4096, 128, 0xFF);
  eiota_flash fw = wide.flash();
  EXPECT_EQ(eiota_journal_open(&j, &fw, 0, kBoots), EIOTA_ERR_UNSUPPORTED);
  NorSim tiny(64, 32, 1, 0xFF);  // a record does not fit an erase block
  eiota_flash ft = tiny.flash();
  EXPECT_EQ(eiota_journal_open(&j, &ft, 0, kBoots), EIOTA_ERR_FLASH_RANGE);
  EXPECT_EQ(eiota_journal_open(&j, &f, 4096, kBoots), EIOTA_OK);
  EXPECT_EQ(sim.ops(), 0u);  // open only reads
}

TEST(Journal, NewTrialConfirmRevertAndTheFloorSurviveReopening) {
  NorSim sim(2 * 4096, 4096, 8, 0xFF);
  eiota_flash f = sim.flash();
  eiota_journal j;
  ASSERT_EQ(eiota_journal_open(&j, &f, 0, kBoots), EIOTA_OK);
  const eiota_journal_status* s = eiota_journal_state(&j);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->active, EIOTA_SLOT_FACTORY);
  EXPECT_EQ(s->confirmed, EIOTA_SLOT_FACTORY);
  EXPECT_EQ(s->floor, 0u);
  EXPECT_EQ(s->last_event, EIOTA_JOURNAL_NONE);

  auto rec = [&](eiota_journal_event e) { return eiota_journal_record(&j, &e); };
  auto reopen = [&]() {
    eiota_journal_status before = *eiota_journal_state(&j);
    ASSERT_EQ(eiota_journal_open(&j, &f, 0, kBoots), EIOTA_OK);
    EXPECT_TRUE(same(before, *eiota_journal_state(&j))) << show(before) << " vs " << show(*eiota_journal_state(&j));
    s = eiota_journal_state(&j);
  };

  EXPECT_EQ(rec(ev(EIOTA_JOURNAL_TRIAL)), EIOTA_ERR_STATE);    // nothing new
  EXPECT_EQ(rec(ev(EIOTA_JOURNAL_CONFIRM)), EIOTA_ERR_STATE);  // no trial
  EXPECT_EQ(rec(ev(EIOTA_JOURNAL_NEW, EIOTA_SLOT_FACTORY, 5)), EIOTA_ERR_STATE);
  EXPECT_EQ(rec(ev(EIOTA_JOURNAL_NEW, EIOTA_SLOT_A, 0)), EIOTA_ERR_OLD_SEQUENCE);
  EXPECT_EQ(rec(ev(EIOTA_JOURNAL_BOOT)), EIOTA_OK);  // outside a trial: nothing written
  EXPECT_EQ(sim.ops(), 0u);

  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_NEW, EIOTA_SLOT_A, 5)), EIOTA_OK);
  EXPECT_EQ(s->pending, EIOTA_SLOT_A);
  EXPECT_EQ(s->active, EIOTA_SLOT_FACTORY);
  EXPECT_EQ(s->floor, 5u);
  reopen();
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_TRIAL)), EIOTA_OK);
  EXPECT_EQ(s->active, EIOTA_SLOT_A);
  EXPECT_EQ(s->trial, 1);
  EXPECT_EQ(s->confirmed, EIOTA_SLOT_FACTORY);
  EXPECT_EQ(s->pending, EIOTA_SLOT_FACTORY);
  EXPECT_EQ(rec(ev(EIOTA_JOURNAL_NEW, EIOTA_SLOT_A, 6)), EIOTA_ERR_STATE);  // the active slot
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_BOOT)), EIOTA_OK);
  EXPECT_EQ(s->boots, 1);
  reopen();
  EXPECT_EQ(s->boots, 1);
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_CONFIRM)), EIOTA_OK);
  EXPECT_EQ(s->confirmed, EIOTA_SLOT_A);
  EXPECT_EQ(s->trial, 0);
  EXPECT_EQ(s->boots, 0);
  reopen();

  // Anti-rollback across a reset: the floor came back from the flash.
  EXPECT_EQ(rec(ev(EIOTA_JOURNAL_NEW, EIOTA_SLOT_B, 5)), EIOTA_ERR_OLD_SEQUENCE);
  EXPECT_EQ(rec(ev(EIOTA_JOURNAL_NEW, EIOTA_SLOT_B, 4)), EIOTA_ERR_OLD_SEQUENCE);
  EXPECT_EQ(rec(ev(EIOTA_JOURNAL_NEW, EIOTA_SLOT_A, 9)), EIOTA_ERR_STATE);  // confirmed and active
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_NEW, EIOTA_SLOT_B, 9)), EIOTA_OK);
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_TRIAL)), EIOTA_OK);
  EXPECT_EQ(s->active, EIOTA_SLOT_B);
  // Not confirmed within kBoots boots: the kBoots-th boot after activation reverts.
  for (uint8_t b = 1; b < kBoots; b++) {
    ASSERT_EQ(rec(ev(EIOTA_JOURNAL_BOOT)), EIOTA_OK);
    EXPECT_EQ(s->trial, 1);
    EXPECT_EQ(s->boots, b);
    reopen();
  }
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_BOOT)), EIOTA_OK);
  EXPECT_EQ(s->trial, 0);
  EXPECT_EQ(s->active, EIOTA_SLOT_A);
  EXPECT_EQ(s->confirmed, EIOTA_SLOT_A);
  EXPECT_EQ(s->reason, EIOTA_REVERT_BOOTS);
  EXPECT_EQ(s->last_event, EIOTA_JOURNAL_REVERT);
  EXPECT_EQ(s->floor, 9u);
  EXPECT_EQ(s->slot_sequence[EIOTA_SLOT_B], 0u);  // forgotten: never served again
  reopen();
  EXPECT_EQ(rec(ev(EIOTA_JOURNAL_NEW, EIOTA_SLOT_B, 9)), EIOTA_ERR_OLD_SEQUENCE);  // the reverted one again

  // The application's own revert (a failed self-test) keeps its reason.
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_NEW, EIOTA_SLOT_B, 10)), EIOTA_OK);
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_TRIAL)), EIOTA_OK);
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_REVERT, 0, 0, 17)), EIOTA_OK);
  EXPECT_EQ(s->active, EIOTA_SLOT_A);
  EXPECT_EQ(s->reason, 17);
  EXPECT_EQ(rec(ev(EIOTA_JOURNAL_REVERT)), EIOTA_ERR_STATE);
  reopen();

  // A confirmed slot that fails re-validation: factory serves, and the slot is forgotten.
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_REJECT, EIOTA_SLOT_A)), EIOTA_OK);
  EXPECT_EQ(s->active, EIOTA_SLOT_FACTORY);
  EXPECT_EQ(s->confirmed, EIOTA_SLOT_FACTORY);
  EXPECT_EQ(s->slot_sequence[EIOTA_SLOT_A], 0u);
  EXPECT_EQ(s->floor, 10u);
  reopen();
  // A trial slot that fails re-validation reverts to the confirmed one.
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_NEW, EIOTA_SLOT_A, 11)), EIOTA_OK);
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_TRIAL)), EIOTA_OK);
  ASSERT_EQ(rec(ev(EIOTA_JOURNAL_REJECT, EIOTA_SLOT_A)), EIOTA_OK);
  EXPECT_EQ(s->active, EIOTA_SLOT_FACTORY);
  EXPECT_EQ(s->trial, 0);
  EXPECT_EQ(s->reason, EIOTA_REVERT_REJECTED);
  reopen();
  EXPECT_EQ(sim.refused, 0u);
  EXPECT_EQ(sim.erases, 0u);
}

TEST(Journal, CompactsIntoTheOtherBlockAndWearsOneRecordPerEvent) {
  NorSim sim(2 * 4096, 4096, 1, 0x00);
  eiota_flash f = sim.flash();
  eiota_journal j;
  ASSERT_EQ(eiota_journal_open(&j, &f, 0, 200), EIOTA_OK);
  ASSERT_EQ(j.record_size, (uint32_t)EIOTA_JOURNAL_RECORD_LEN);
  const uint32_t per_block = 4096 / EIOTA_JOURNAL_RECORD_LEN;
  uint64_t seq = 0;
  uint32_t records = 0;
  while (records < 3 * per_block + 7) {
    eiota_journal_event e = ev(EIOTA_JOURNAL_NEW, EIOTA_SLOT_A, ++seq);
    ASSERT_EQ(eiota_journal_record(&j, &e), EIOTA_OK);
    e = ev(EIOTA_JOURNAL_TRIAL);
    ASSERT_EQ(eiota_journal_record(&j, &e), EIOTA_OK);
    e = ev(EIOTA_JOURNAL_REVERT);
    ASSERT_EQ(eiota_journal_record(&j, &e), EIOTA_OK);
    records += 3;
    if (records % 30 == 0) {
      eiota_journal k;
      ASSERT_EQ(eiota_journal_open(&k, &f, 0, 200), EIOTA_OK);
      ASSERT_TRUE(same(j.status, k.status)) << records;
      ASSERT_EQ(k.block, j.block);
      ASSERT_EQ(k.next, j.next);
    }
  }
  EXPECT_EQ(sim.progs, records);
  EXPECT_EQ(sim.bytes_programmed, records * (uint64_t)EIOTA_JOURNAL_RECORD_LEN);
  EXPECT_EQ(sim.erases, records / per_block);
  EXPECT_EQ(sim.refused, 0u);
  EXPECT_EQ(j.status.floor, seq);
}

// --- power cuts ---------------------------------------------------------------------------------

struct Geometry {
  uint32_t erase_size, prog_size;
  uint8_t erased;
};

// The next event of a script that keeps cycling through every transition: a confirmed update, one
// reverted by boots, one reverted by the application, one rejected while new, one rejected on trial.
struct Script {
  int step = 0;
  uint64_t seq = 0;
  bool next(const eiota_journal_status& s, eiota_journal_event* e) {
    static const uint8_t kCycle[] = {
        EIOTA_JOURNAL_NEW, EIOTA_JOURNAL_TRIAL, EIOTA_JOURNAL_BOOT, EIOTA_JOURNAL_BOOT, EIOTA_JOURNAL_CONFIRM,
        EIOTA_JOURNAL_BOOT, EIOTA_JOURNAL_NEW, EIOTA_JOURNAL_TRIAL, EIOTA_JOURNAL_BOOT, EIOTA_JOURNAL_BOOT,
        EIOTA_JOURNAL_BOOT, EIOTA_JOURNAL_NEW, EIOTA_JOURNAL_TRIAL, EIOTA_JOURNAL_REVERT, EIOTA_JOURNAL_NEW,
        EIOTA_JOURNAL_REJECT, EIOTA_JOURNAL_NEW, EIOTA_JOURNAL_TRIAL, EIOTA_JOURNAL_REJECT, EIOTA_JOURNAL_NEW,
        EIOTA_JOURNAL_TRIAL, EIOTA_JOURNAL_CONFIRM};
    uint8_t type = kCycle[step++ % sizeof kCycle];
    uint8_t free_slot = s.active != EIOTA_SLOT_A && s.confirmed != EIOTA_SLOT_A ? EIOTA_SLOT_A : EIOTA_SLOT_B;
    switch (type) {
      case EIOTA_JOURNAL_NEW: *e = ev(type, free_slot, ++seq); break;
      case EIOTA_JOURNAL_REVERT: *e = ev(type, 0, 0, 16); break;
      case EIOTA_JOURNAL_REJECT: *e = ev(type, s.pending != EIOTA_SLOT_FACTORY ? s.pending : s.active); break;
      default: *e = ev(type); break;
    }
    return true;
  }
};

// Recovers after a cut during event `e`; the state must be the one before it or the one it commits.
// Then the journal must go on working: the event (if lost) and the next one land.
void check_recovery(NorSim& sim, const eiota_flash& f, const eiota_journal_status& before,
                    const eiota_journal_status& after, const eiota_journal_event& e, const std::string& where) {
  sim.reboot();
  eiota_journal j;
  ASSERT_EQ(eiota_journal_open(&j, &f, 0, kBoots), EIOTA_OK) << where;
  const eiota_journal_status got = *eiota_journal_state(&j);
  bool is_before = same(got, before), is_after = same(got, after);
  ASSERT_TRUE(is_before || is_after) << where << ": got " << show(got) << ", want " << show(before) << " or "
                                     << show(after);
  if (is_before && !is_after) {
    ASSERT_EQ(eiota_journal_record(&j, &e), EIOTA_OK) << where;
    ASSERT_TRUE(same(*eiota_journal_state(&j), after)) << where;
  }
  eiota_journal_event boot = ev(EIOTA_JOURNAL_BOOT);
  eiota_journal_status expect;
  ASSERT_EQ(eiota_journal_apply(&after, &boot, kBoots, &expect), EIOTA_OK);
  ASSERT_EQ(eiota_journal_record(&j, &boot), EIOTA_OK) << where;
  eiota_journal again;
  ASSERT_EQ(eiota_journal_open(&again, &f, 0, kBoots), EIOTA_OK) << where;
  ASSERT_TRUE(same(*eiota_journal_state(&again), expect)) << where;
  ASSERT_EQ(sim.refused, 0u) << where;
}

TEST(JournalPowerCut, EveryOperationOfALongSequenceOnThreeGeometries) {
  const Geometry geometries[] = {{4096, 1, 0xFF}, {4096, 1, 0x00}, {4096, 8, 0xFF},
                                 {4096, 8, 0x00}, {131072, 32, 0xFF}, {131072, 32, 0x00}};
  uint64_t cut_points = 0;
  for (const Geometry& g : geometries) {
    NorSim sim(2 * g.erase_size, g.erase_size, g.prog_size, g.erased, g.erase_size + g.prog_size + g.erased);
    eiota_flash f = sim.flash();
    eiota_journal j;
    ASSERT_EQ(eiota_journal_open(&j, &f, 0, kBoots), EIOTA_OK);
    // Enough events to fill both blocks and compact twice.
    const uint64_t target_records = 2 * j.per_block + 3;
    Script script;
    uint64_t records = 0, compactions = 0;
    while (records < target_records) {
      eiota_journal_event e;
      script.next(j.status, &e);
      const eiota_journal_status before = j.status;
      eiota_journal_status after;
      ASSERT_EQ(eiota_journal_apply(&before, &e, kBoots, &after), EIOTA_OK) << script.step;
      // Measure the event's operations, then replay it cut during and before each one.
      const eiota_journal saved = j;
      sim.mark();
      const uint64_t start = sim.ops();
      ASSERT_EQ(eiota_journal_record(&j, &e), EIOTA_OK);
      const uint64_t ops = sim.ops() - start;
      const uint64_t erases = sim.erases;
      sim.rewind();
      compactions += erases - sim.erases;
      for (uint64_t op = 1; op <= ops; op++) {
        for (bool torn : {true, false}) {
          eiota_journal cut = saved;
          sim.mark();
          sim.cut_at(start + op, torn);
          ASSERT_NE(eiota_journal_record(&cut, &e), EIOTA_OK);
          ASSERT_TRUE(sim.dead());
          std::string where = "geometry " + std::to_string(g.erase_size) + "/" + std::to_string(g.prog_size) + "/" +
                              std::to_string(g.erased) + " step " + std::to_string(script.step) + " op " +
                              std::to_string(op) + (torn ? " torn" : " before");
          check_recovery(sim, f, before, after, e, where);
          if (HasFatalFailure()) return;
          sim.rewind();
          cut_points++;
        }
      }
      j = saved;
      sim.mark();
      ASSERT_EQ(eiota_journal_record(&j, &e), EIOTA_OK);
      ASSERT_TRUE(same(j.status, after));
      records += ops > 0;
    }
    EXPECT_GE(compactions, 2u);
  }
  std::printf("journal power cuts: %llu cut points tested over 6 geometries\n", (unsigned long long)cut_points);
  RecordProperty("cut_points", std::to_string(cut_points));
}

// Random events with 1 to 4 power cuts each (torn or clean, during any operation), on geometries
// small enough to compact often. After every reboot the state is the last committed one or the one
// being committed, and the journal keeps working.
TEST(JournalPowerCut, TenThousandRandomMultiFaultSequences) {
  const Geometry geometries[] = {{128, 16, 0xFF}, {256, 1, 0x00}, {512, 32, 0xFF}, {4096, 8, 0x00}, {192, 64, 0xFF}};
  std::mt19937_64 rng(20261201);
  uint64_t sequences = 0, faults = 0, reboots = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (; sequences < 10000; sequences++) {
    const Geometry& g = geometries[rng() % (sizeof geometries / sizeof geometries[0])];
    NorSim sim(3 * g.erase_size, g.erase_size, g.prog_size, g.erased, rng());
    eiota_flash f = sim.flash();
    const uint32_t offset = (rng() % 2) * g.erase_size;
    const uint8_t boots = (uint8_t)(1 + rng() % 3);
    eiota_journal j;
    ASSERT_EQ(eiota_journal_open(&j, &f, offset, boots), EIOTA_OK);
    eiota_journal_status committed = j.status;
    uint64_t seq = 0;
    int cuts = 1 + (int)(rng() % 4);
    for (int step = 0; step < 40; step++) {
      // A valid random event for the committed state (occasionally an invalid one, refused unwritten).
      eiota_journal_event e;
      const eiota_journal_status& s = committed;
      uint8_t free_slot = s.active != EIOTA_SLOT_A && s.confirmed != EIOTA_SLOT_A ? EIOTA_SLOT_A : EIOTA_SLOT_B;
      switch (rng() % 7) {
        case 0: e = ev(EIOTA_JOURNAL_NEW, free_slot, seq + 1 + rng() % 3); break;
        case 1: e = ev(EIOTA_JOURNAL_TRIAL); break;
        case 2: e = ev(EIOTA_JOURNAL_CONFIRM); break;
        case 3: e = ev(EIOTA_JOURNAL_REVERT, 0, 0, (uint8_t)(16 + rng() % 8)); break;
        case 4: e = ev(EIOTA_JOURNAL_REJECT, (uint8_t)(1 + rng() % 2)); break;
        default: e = ev(EIOTA_JOURNAL_BOOT); break;
      }
      eiota_journal_status after;
      const int valid = eiota_journal_apply(&committed, &e, boots, &after);
      if (cuts > 0 && rng() % 4 == 0) {
        sim.cut_at(sim.ops() + 1 + rng() % 2, rng() % 2);
        cuts--;
      }
      const int err = eiota_journal_record(&j, &e);
      if (valid != EIOTA_OK) {
        ASSERT_EQ(err, valid);
        continue;
      }
      if (e.type == EIOTA_JOURNAL_NEW) seq = e.sequence;
      if (err == EIOTA_OK) {
        committed = after;
        continue;
      }
      ASSERT_TRUE(sim.dead()) << eiota_strerror(err);
      faults++;
      reboots++;
      sim.reboot();
      ASSERT_EQ(eiota_journal_open(&j, &f, offset, boots), EIOTA_OK);
      const eiota_journal_status& got = *eiota_journal_state(&j);
      ASSERT_TRUE(same(got, committed) || same(got, after))
          << "sequence " << sequences << " step " << step << ": got " << show(got) << ", committed "
          << show(committed) << ", committing " << show(after);
      committed = got;
      seq = committed.floor;
    }
    sim.reboot();
    eiota_journal k;
    ASSERT_EQ(eiota_journal_open(&k, &f, offset, boots), EIOTA_OK);
    ASSERT_TRUE(same(*eiota_journal_state(&k), committed)) << "sequence " << sequences;
    ASSERT_EQ(sim.refused, 0u);
    for (uint32_t a = 0; a < sim.memory().size(); a++)  // the block outside the journal is untouched
      if (a < offset || a >= offset + 2 * g.erase_size) ASSERT_EQ(sim.memory()[a], g.erased) << a;
    reboots++;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("journal random faults: %llu sequences, %llu power cuts, %llu reboots, %.2f s\n",
              (unsigned long long)sequences, (unsigned long long)faults, (unsigned long long)reboots, secs);
  RecordProperty("random_faults", std::to_string(faults));
  EXPECT_GE(faults, 10000u);
  EXPECT_LT(secs, 30.0);
}

}  // namespace
