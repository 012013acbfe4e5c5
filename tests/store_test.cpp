// The slot store: updates land in the inactive slot while the old model serves, become a trial at
// the next inference, are confirmed or reverted, survive resets, and resume after one.
#include <gtest/gtest.h>

#include <random>

#include "store_harness.h"

using namespace store_harness;

namespace {

const Geometry kSmall = {4096, 1, 0xFF, 1};

// Version v (sent as sequence v) applied, serving from the next inference, and confirmed.
::testing::AssertionResult install(Device& d, int v) {
  if (int err = d.apply(d.payload(v, v)); err != EIOTA_OK) return ::testing::AssertionFailure() << "apply " << v << ": " << err;
  if (int now = d.serving(); now != v) return ::testing::AssertionFailure() << "serving " << now << ", not " << v;
  if (int err = eiota_store_confirm(&d.model); err != EIOTA_OK) return ::testing::AssertionFailure() << "confirm: " << err;
  return ::testing::AssertionSuccess();
}

class Store : public ::testing::TestWithParam<bool> {};  // param: values read in place (flash mode)

TEST_P(Store, AnUpdateServesFromTheNextInferenceAndSurvivesAReset) {
  Device d(kSmall, GetParam(), 3);
  d.known(1);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  EXPECT_EQ(d.serving(), 0);
  ASSERT_EQ(d.apply(d.payload(1, 10)), EIOTA_OK);
  EXPECT_EQ(d.store.serving, EIOTA_SLOT_FACTORY);  // not before the next inference
  EXPECT_EQ(d.serving(), 1);
  const eiota_journal_status* j = eiota_store_status(&d.model);
  EXPECT_EQ(j->trial, 1);
  EXPECT_EQ(j->active, EIOTA_SLOT_A);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  EXPECT_EQ(d.serving(), 1);  // a trial boot (of 3)
  ASSERT_EQ(eiota_store_confirm(&d.model), EIOTA_OK);
  for (int i = 0; i < 4; i++) ASSERT_EQ(d.boot(), EIOTA_OK);
  EXPECT_EQ(d.serving(), 1);
  EXPECT_EQ(d.state.applied_sequence, 10u);
}

TEST_P(Store, InferenceRunsOnTheOldValuesDuringTheDownload) {
  Device d(kSmall, GetParam());
  d.known(1);
  d.known(2);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  ASSERT_TRUE(install(d, 1));
  std::string p = d.payload(2, 2);
  eiota_update u;
  eiota_update_begin(&u, &d.model);
  for (size_t off = 0; off < p.size(); off += 40) {
    ASSERT_EQ(eiota_update_write(&u, (const uint8_t*)p.data() + off, std::min<size_t>(40, p.size() - off)), EIOTA_OK);
    ASSERT_TRUE(eiota_model_ready(&d.model));
    ASSERT_EQ(d.serving(), 1) << "at " << off;
  }
  ASSERT_EQ(eiota_update_finish(&u), EIOTA_OK);
  EXPECT_EQ(d.serving(), 2);
}

TEST_P(Store, AnUnconfirmedTrialRevertsAtTheNthBoot) {
  Device d(kSmall, GetParam(), 2);
  d.known(1);
  d.known(2);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  ASSERT_TRUE(install(d, 1));
  ASSERT_EQ(d.apply(d.payload(2, 2)), EIOTA_OK);
  ASSERT_EQ(d.serving(), 2);
  ASSERT_EQ(d.boot(), EIOTA_OK);  // boot 1 of the trial
  EXPECT_EQ(d.serving(), 2);
  EXPECT_EQ(d.report.reverted, 0);
  ASSERT_EQ(d.boot(), EIOTA_OK);  // boot 2: reverted
  EXPECT_EQ(d.report.reverted, 1);
  EXPECT_EQ(d.serving(), 1);
  EXPECT_EQ(eiota_store_status(&d.model)->reason, EIOTA_REVERT_BOOTS);
  // The reverted release is not accepted again; a newer one is.
  EXPECT_EQ(d.apply(d.payload(2, 2)), EIOTA_ERR_OLD_SEQUENCE);
  d.known(3);
  ASSERT_EQ(d.apply(d.payload(3, 3)), EIOTA_OK);
  EXPECT_EQ(d.serving(), 3);
}

TEST_P(Store, TheApplicationRevertsAndRecordsWhy) {
  Device d(kSmall, GetParam(), 5);
  d.known(1);
  d.known(2);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  ASSERT_TRUE(install(d, 1));
  ASSERT_EQ(d.apply(d.payload(2, 2)), EIOTA_OK);
  ASSERT_EQ(d.serving(), 2);
  EXPECT_EQ(d.apply(d.payload(1, 3)), EIOTA_ERR_TRIAL);  // decide the trial first
  ASSERT_EQ(eiota_store_revert(&d.model, 77), EIOTA_OK);
  EXPECT_EQ(d.serving(), 1);
  EXPECT_EQ(eiota_store_status(&d.model)->reason, 77);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  EXPECT_EQ(d.serving(), 1);
}

TEST_P(Store, AntiRollbackHoldsAcrossResets) {
  Device d(kSmall, GetParam());
  for (int v = 1; v <= 3; v++) d.known(v);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  std::string p5 = d.payload(1, 5);
  ASSERT_EQ(d.apply(p5), EIOTA_OK);
  ASSERT_EQ(d.serving(), 1);
  ASSERT_EQ(eiota_store_confirm(&d.model), EIOTA_OK);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  EXPECT_EQ(d.apply(d.payload(2, 4)), EIOTA_ERR_OLD_SEQUENCE);
  EXPECT_EQ(d.apply(d.payload(2, 5)), EIOTA_ERR_OLD_SEQUENCE);  // same number, other content
  uint64_t ops = d.sim->ops();
  EXPECT_EQ(d.apply(p5), EIOTA_OK);  // the payload serving, sent again: verified, nothing written
  EXPECT_EQ(d.sim->ops(), ops);
  EXPECT_EQ(d.serving(), 1);
  ASSERT_EQ(d.apply(d.payload(3, 6)), EIOTA_OK);
  EXPECT_EQ(d.serving(), 3);
}

TEST_P(Store, ABrokenDownloadLeavesTheServingModelAndABadSlotIsNeverServed) {
  Device d(kSmall, GetParam());
  d.known(1);
  d.known(2);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  ASSERT_TRUE(install(d, 1));
  std::string bad = d.payload(2, 2);
  bad[bad.size() - 3] ^= 1;
  EXPECT_EQ(d.apply(bad), EIOTA_ERR_HASH_MISMATCH);
  EXPECT_EQ(d.serving(), 1);
  // A bit flips in the confirmed slot at rest: the next boot rejects it and serves the factory values.
  d.sim->memory()[d.areas[1].base + d.def.regions[0].slot_offset + 3] ^= 0x10;
  ASSERT_EQ(d.boot(), EIOTA_OK);
  EXPECT_EQ(d.report.rejected, 1u << EIOTA_SLOT_A);
  EXPECT_EQ(d.report.reject_error[EIOTA_SLOT_A], EIOTA_ERR_HASH_MISMATCH);
  EXPECT_EQ(d.serving(), 0);
}

TEST_P(Store, SwapsBetweenStoredModelsEachVerified) {
  Device d(kSmall, GetParam(), 3);
  d.known(1);
  d.known(2);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  ASSERT_TRUE(install(d, 1));
  ASSERT_TRUE(install(d, 2));
  ASSERT_EQ(eiota_store_select(&d.model, EIOTA_SLOT_A), EIOTA_OK);  // older than the floor: the device's own
  EXPECT_EQ(d.serving(), 1);
  ASSERT_EQ(eiota_store_select(&d.model, EIOTA_SLOT_FACTORY), EIOTA_OK);
  EXPECT_EQ(d.serving(), 0);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  EXPECT_EQ(d.serving(), 0);
  ASSERT_EQ(eiota_store_select(&d.model, EIOTA_SLOT_B), EIOTA_OK);
  EXPECT_EQ(d.serving(), 2);
  // A slot that no longer verifies is refused and the serving one stays.
  d.sim->memory()[d.areas[1].base + d.def.regions[3].slot_offset] ^= 1;
  EXPECT_EQ(eiota_store_select(&d.model, EIOTA_SLOT_A), EIOTA_ERR_HASH_MISMATCH);
  EXPECT_EQ(d.serving(), 2);
}

TEST_P(Store, RestoreServesTheFactoryValuesAlsoAfterAReset) {
  Device d(kSmall, GetParam());
  d.known(1);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  ASSERT_EQ(d.apply(d.payload(1, 1)), EIOTA_OK);
  ASSERT_EQ(d.serving(), 1);
  ASSERT_EQ(eiota_model_restore(&d.model), EIOTA_OK);
  EXPECT_EQ(d.serving(), 0);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  EXPECT_EQ(d.serving(), 0);
}

TEST_P(Store, ResumesAfterAResetSendingAtMostOneEraseBlockAgain) {
  // Erase blocks small beside the payload (about 1.7 KB in the slot), so there is something to resume.
  for (Geometry g : {Geometry{64, 1, 0xFF, 30}, Geometry{128, 8, 0x00, 15}, Geometry{256, 32, 0xFF, 8}}) {
    Device d(g, GetParam());
    d.known(1);
    ASSERT_EQ(d.boot(), EIOTA_OK);
    std::string p = d.payload(1, 1);
    d.sim->mark();
    uint64_t start = d.sim->ops();
    ASSERT_EQ(d.apply(p, 16), EIOTA_OK);
    uint64_t total = d.sim->ops() - start;
    d.sim->rewind();
    int resumed = 0;
    for (uint64_t cut = 1; cut <= total; cut++) {
      ASSERT_EQ(d.boot(), EIOTA_OK);
      d.sim->mark();
      d.sim->cut_at(start + cut, cut % 2 == 0);
      eiota_update u;
      eiota_update_begin(&u, &d.model);
      size_t fed = 0;
      EXPECT_NE(d.send(&u, p, 0, 16, &fed), EIOTA_OK);
      d.sim->reboot();
      ASSERT_EQ(d.boot(), EIOTA_OK);
      int now = d.serving();
      ASSERT_TRUE(now == 0 || now == 1) << "cut " << cut;
      if (now == 0) {
        uint32_t from = 0;
        int err = eiota_update_resume(&u, &d.model, &from);
        if (err == EIOTA_OK) {
          resumed++;
          EXPECT_GT(from, 0u);
          // One erase block, the prog buffer (64 B) and the chunk in flight.
          EXPECT_LE(fed - from, g.erase_size + 64u + 16u) << "cut " << cut;
          ASSERT_EQ(d.send(&u, p, from, 16), EIOTA_OK) << "cut " << cut;
        } else {
          EXPECT_EQ(err, EIOTA_ERR_STATE);
          EXPECT_LE(fed, (size_t)g.erase_size + 64u + 16u) << "cut " << cut << ": nothing resumable after " << fed << " bytes";
          ASSERT_EQ(d.apply(p), EIOTA_OK);
        }
      }
      EXPECT_EQ(d.serving(), 1) << "cut " << cut;
      d.sim->rewind();
    }
    EXPECT_GT(resumed, 0) << g.erase_size;
  }
}

// A self-test block whose model "computes" the sum of its inputs; `wrong` spoils one expectation.
std::string selftest_block(bool wrong) {
  eiota_selftest_header h = {EIOTA_SELFTEST_VERSION, EIOTA_FLOAT32, 3, 4, 1, 0.0f};
  std::string b(EIOTA_SELFTEST_HEADER_LEN, '\0');
  eiota_selftest_encode(&h, (uint8_t*)b.data());
  for (int s = 0; s < 3; s++) {
    float sum = 0;
    for (int i = 0; i < 4; i++) {
      float x = 0.5f * (float)(s + i);
      sum += x;
      uint8_t f[4];
      eiota_selftest_put_f32(f, x);
      b.append((const char*)f, 4);
    }
    uint8_t f[4];
    eiota_selftest_put_f32(f, wrong && s == 2 ? sum + 1 : sum);
    b.append((const char*)f, 4);
  }
  return b;
}

int sum_model(void* ctx, eiota_selftest_sample* sample) {
  ++*(int*)ctx;
  float in[4];
  if (eiota_selftest_inputs(sample, 0, 4, in) != EIOTA_OK) return -1;
  eiota_selftest_output(sample, in[0] + in[1] + in[2] + in[3]);
  return 0;
}

TEST_P(Store, TheSelfTestConfirmsOrReverts) {
  Device d(kSmall, GetParam(), 5);
  for (int v = 1; v <= 3; v++) d.known(v);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  int runs = 0;
  eiota_selftest_report r;
  EXPECT_EQ(eiota_store_selftest(&d.model, sum_model, &runs, &r), EIOTA_ERR_STATE);  // no trial
  ASSERT_EQ(d.apply(d.payload(1, 1, selftest_block(false))), EIOTA_OK);
  ASSERT_EQ(d.boot(), EIOTA_OK);  // the test runs at the next boot, as the demo does
  ASSERT_EQ(eiota_store_selftest(&d.model, sum_model, &runs, &r), EIOTA_OK);
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(r.samples_run, 3u);
  EXPECT_FALSE(eiota_store_status(&d.model)->trial);
  EXPECT_EQ(eiota_store_status(&d.model)->confirmed, EIOTA_SLOT_A);
  EXPECT_EQ(d.serving(), 1);

  ASSERT_EQ(d.apply(d.payload(2, 2, selftest_block(true))), EIOTA_OK);
  EXPECT_EQ(eiota_store_selftest(&d.model, sum_model, &runs, &r), EIOTA_ERR_SELFTEST_FAILED);
  EXPECT_EQ(r.fail_sample, 2u);
  EXPECT_EQ(eiota_store_status(&d.model)->reason, EIOTA_REVERT_SELFTEST);
  EXPECT_EQ(d.serving(), 1);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  EXPECT_EQ(d.serving(), 1);

  // Without a self-test the trial stays for the application to decide.
  ASSERT_EQ(d.apply(d.payload(3, 3)), EIOTA_OK);
  EXPECT_EQ(eiota_store_selftest(&d.model, sum_model, &runs, &r), EIOTA_ERR_SELFTEST_BLOCK);
  EXPECT_TRUE(eiota_store_status(&d.model)->trial);
  EXPECT_EQ(d.serving(), 3);
}

// Found in review: each of these once served a mix of versions, forgot a good model, or let an old
// one back in.
TEST_P(Store, AResumeIsOnlyForItsOwnStream) {
  Device d({64, 1, 0xFF, 30}, GetParam());
  for (int v = 1; v <= 3; v++) d.known(v);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  ASSERT_TRUE(install(d, 1));
  std::string p2 = d.payload(2, 2);
  d.sim->cut_at(d.sim->ops() + 40, true);
  eiota_update u;
  eiota_update_begin(&u, &d.model);
  EXPECT_NE(d.send(&u, p2, 0, 16), EIOTA_OK);
  d.sim->reboot();
  ASSERT_EQ(d.boot(), EIOTA_OK);
  uint32_t from = 0;
  ASSERT_EQ(eiota_update_resume(&u, &d.model, &from), EIOTA_OK);
  // The application drops that download and sends another release, on a new context.
  ASSERT_EQ(d.apply(d.payload(3, 3)), EIOTA_OK);
  EXPECT_EQ(d.serving(), 3);
  ASSERT_EQ(eiota_store_confirm(&d.model), EIOTA_OK);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  EXPECT_EQ(d.report.rejected, 0u);
  EXPECT_EQ(d.serving(), 3);
}

TEST_P(Store, AFlashReadErrorAtBootDoesNotForgetTheModel) {
  Device d(kSmall, GetParam());
  d.known(1);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  ASSERT_TRUE(install(d, 1));
  d.areas[1].failing_reads = 1;
  ASSERT_EQ(d.boot(), EIOTA_OK);
  EXPECT_EQ(d.serving(), 0);  // unreadable this boot: factory
  EXPECT_EQ(eiota_store_status(&d.model)->slot_sequence[EIOTA_SLOT_A], 1u);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  EXPECT_EQ(d.serving(), 1);
}

TEST_P(Store, ARevertChecksTheSlotItGoesBackTo) {
  Device d(kSmall, GetParam(), 5);
  d.known(1);
  d.known(2);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  ASSERT_TRUE(install(d, 1));
  ASSERT_EQ(d.apply(d.payload(2, 2)), EIOTA_OK);
  ASSERT_EQ(d.serving(), 2);
  d.sim->memory()[d.areas[1].base + d.def.regions[0].slot_offset] ^= 4;  // slot A decays during the trial
  ASSERT_EQ(eiota_store_revert(&d.model, EIOTA_REVERT_REQUESTED), EIOTA_OK);
  EXPECT_EQ(d.serving(), 0);
}

TEST_P(Store, AReleaseThatFailedItsTrialIsNeverServedAgain) {
  Device d(kSmall, GetParam(), 5);
  d.known(1);
  d.known(2);
  ASSERT_EQ(d.boot(), EIOTA_OK);
  ASSERT_TRUE(install(d, 1));
  ASSERT_EQ(d.apply(d.payload(2, 2)), EIOTA_OK);
  ASSERT_EQ(d.serving(), 2);
  ASSERT_EQ(eiota_store_revert(&d.model, EIOTA_REVERT_SELFTEST), EIOTA_OK);
  EXPECT_EQ(d.serving(), 1);
  EXPECT_EQ(eiota_store_select(&d.model, EIOTA_SLOT_B), EIOTA_ERR_STATE);
  EXPECT_EQ(d.apply(d.payload(2, 2)), EIOTA_ERR_OLD_SEQUENCE);
  EXPECT_EQ(d.serving(), 1);
}

INSTANTIATE_TEST_SUITE_P(Modes, Store, ::testing::Values(false, true),
                         [](const auto& i) { return i.param ? std::string("InPlace") : std::string("RamCopies"); });

}  // namespace
