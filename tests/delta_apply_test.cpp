// Delta payloads (format 1.2): applied on the base they name, in RAM mode and with a slot store
// (values read in place and copied), they give bit for bit the values of the full payload; on
// any other base, tampered, or with a signed result digest that does not match, they are refused.
#include <gtest/gtest.h>

#include "delta_harness.h"

using namespace delta_harness;

namespace {

// Fine-tuning: version 1 everywhere, then a retrain that changes the last regions only.
struct Pair {
  Vals v1, v2;
};
Pair fine_tune(const ModelDef& def) {
  Pair p;
  p.v1 = version_values(def, 1);
  p.v2 = tuned(def, p.v1, 2, {3, 5});
  return p;
}

TEST(DeltaRam, OnTheFactoryValuesGivesTheFullPayloadsValues) {
  Rig r(false);
  r.ram();
  Vals next = tuned(r.d.def, r.factory, 3, {1, 2});
  eiota::host::DeltaStats st;
  std::string delta = r.delta(base_of(r.d.def, r.factory, 0), next, 5, &st);
  EXPECT_EQ(st.regions_sent, 2u);
  EXPECT_EQ(st.runs, 1u);
  EXPECT_LT(delta.size(), r.full(next, 5).size());
  ASSERT_EQ(r.apply(delta), EIOTA_OK);
  EXPECT_TRUE(r.serves(next));
  // The same values as the full payload gives a device.
  Rig full(false);
  full.ram();
  ASSERT_EQ(full.apply(full.full(next, 5)), EIOTA_OK);
  for (uint32_t i = 0; i < r.d.def.regions.size(); i++)
    EXPECT_EQ(0, std::memcmp(eiota_region_values(&r.d.model, i), eiota_region_values(&full.d.model, i), next[i].size())) << i;
}

TEST(DeltaRam, OnARelease_AndAChainOfDeltas) {
  Rig r(false);
  r.ram();
  Pair p = fine_tune(r.d.def);
  ASSERT_EQ(r.apply(r.full(p.v1, 1)), EIOTA_OK);
  ASSERT_EQ(r.apply(r.delta(p.v1, 1, p.v2, 2)), EIOTA_OK);
  EXPECT_TRUE(r.serves(p.v2));
  Vals v3 = tuned(r.d.def, p.v2, 3, {0, 5});
  ASSERT_EQ(r.apply(r.delta(p.v2, 2, v3, 3)), EIOTA_OK);  // its base is itself a delta's result
  EXPECT_TRUE(r.serves(v3));
}

// A base that carried extra data (a self-test, 1.1): its full-data digest is that of its values
// alone, not its data_sha256.
TEST(DeltaRam, OnAReleaseThatCarriedExtraData) {
  Rig r(false);
  r.ram();
  Pair p = fine_tune(r.d.def);
  ASSERT_EQ(r.apply(r.full(p.v1, 1, std::string(40, 'x'))), EIOTA_OK);
  ASSERT_EQ(r.apply(r.delta(p.v1, 1, p.v2, 2)), EIOTA_OK);
  EXPECT_TRUE(r.serves(p.v2));
}

TEST(DeltaRam, RefusedOnAnyOtherBase) {
  Rig r(false);
  r.ram();
  Pair p = fine_tune(r.d.def);
  ASSERT_EQ(r.apply(r.full(p.v1, 1)), EIOTA_OK);
  EXPECT_EQ(r.apply(r.delta(p.v1, 7, p.v2, 8)), EIOTA_ERR_WRONG_BASE);  // sequence
  Vals other = version_values(r.d.def, 4);
  EXPECT_EQ(r.apply(r.delta(other, 1, p.v2, 8)), EIOTA_ERR_WRONG_BASE);  // digest
  EXPECT_EQ(r.apply(r.delta(r.factory, 0, p.v2, 8)), EIOTA_ERR_WRONG_BASE);  // factory, while a release serves
  EXPECT_TRUE(r.serves(p.v1));
  // After a restore to factory a delta on the release is refused, one on factory taken.
  ASSERT_EQ(eiota_model_restore(&r.d.model), EIOTA_OK);
  EXPECT_EQ(r.apply(r.delta(p.v1, 1, p.v2, 9)), EIOTA_ERR_WRONG_BASE);
  EXPECT_TRUE(r.serves(r.factory));
  ASSERT_EQ(r.apply(r.delta(r.factory, 0, p.v2, 9)), EIOTA_OK);
  EXPECT_TRUE(r.serves(p.v2));
}

TEST(DeltaRam, OnFactoryRefusedByALibraryWithoutTheFactoryDigest) {
  Rig r(false);
  r.ram();
  r.d.model.factory_digest = nullptr;  // a table generated before 1.2
  Pair p = fine_tune(r.d.def);
  EXPECT_EQ(r.apply(r.delta(r.factory, 0, p.v2, 2)), EIOTA_ERR_NO_BASE_DIGEST);
  EXPECT_TRUE(r.serves(r.factory));
  ASSERT_EQ(r.apply(r.full(p.v1, 1)), EIOTA_OK);  // a release serves: deltas on it are fine
  ASSERT_EQ(r.apply(r.delta(p.v1, 1, p.v2, 2)), EIOTA_OK);
  EXPECT_TRUE(r.serves(p.v2));
}

TEST(DeltaRam, TamperedRefusedAndFactoryRestored) {
  Rig r(false);
  r.ram();
  Pair p = fine_tune(r.d.def);
  ASSERT_EQ(r.apply(r.full(p.v1, 1)), EIOTA_OK);
  std::string delta = r.delta(p.v1, 1, p.v2, 2);
  std::string data = delta;
  data[data.size() - 3] ^= 1;
  EXPECT_EQ(r.apply(data), EIOTA_ERR_HASH_MISMATCH);
  EXPECT_TRUE(r.serves(r.factory));  // RAM mode: a failure after a value was written restores factory
  ASSERT_EQ(r.apply(r.full(p.v1, 3)), EIOTA_OK);
  EXPECT_EQ(r.apply(r.delta(p.v1, 1, p.v2, 4)), EIOTA_ERR_WRONG_BASE);  // base sequence 1, device serves 3
  std::string d3 = r.delta(p.v1, 3, p.v2, 4);
  d3[EIOTA_HEADER_DELTA_LEN + 64] ^= 1;  // the first entry's region: 2, whose shape differs
  EXPECT_EQ(r.apply(d3), EIOTA_ERR_SIZE_MISMATCH);
  d3 = r.delta(p.v1, 3, p.v2, 4);
  d3[EIOTA_HEADER_DELTA_LEN + 5] ^= 1;  // the signature
  EXPECT_EQ(r.apply(d3), EIOTA_ERR_BAD_SIGNATURE);
  d3 = r.delta(p.v1, 3, p.v2, 4);
  d3[100] ^= 1;  // the base digest, signed
  EXPECT_EQ(r.apply(d3), EIOTA_ERR_WRONG_BASE);
  d3 = r.delta(p.v1, 3, p.v2, 4);
  d3[130] ^= 1;  // the result digest: the signature catches it
  EXPECT_EQ(r.apply(d3), EIOTA_ERR_BAD_SIGNATURE);
  EXPECT_TRUE(r.serves(p.v1));
}

// Signed by the key, right base, but it leaves out a region that did change: only the check of
// the assembled values against result_digest catches it.
TEST(DeltaRam, ResultDigestMismatchRefusedBeforeCommit) {
  Rig r(false);
  r.ram();
  Pair p = fine_tune(r.d.def);
  ASSERT_EQ(r.apply(r.full(p.v1, 1)), EIOTA_OK);
  DeltaBase lie = base_of(r.d.def, p.v1, 1);
  lie.region_digests[3] = eiota::host::sha256_of(p.v2[3].data(), p.v2[3].size());  // "region 3 did not change"
  std::string delta = r.delta(lie, p.v2, 2);
  EXPECT_EQ(r.apply(delta), EIOTA_ERR_DELTA_RESULT);
  EXPECT_TRUE(r.serves(r.factory));
  EXPECT_EQ(r.d.state.applied_sequence, 0u);
}

TEST(DeltaFormat, UnknownFlagBitsRefused_SoA11DeviceRefusesTheDeltaFlag) {
  // A 1.0/1.1 reader knows flag bits 0 only (EIOTA_KNOWN_FLAGS was EIOTA_FLAG_EXTRA) and at most a
  // 128-byte header: both refuse a delta (flag bit 1, header_len 160) before any value is written.
  // This reader applies the same rule to a bit it does not know.
  Rig r(false);
  r.ram();
  Pair p = fine_tune(r.d.def);
  std::string delta = r.delta(r.factory, 0, p.v2, 2);
  EXPECT_EQ(eiota_get_u32((const uint8_t*)delta.data() + 44), EIOTA_FLAG_DELTA);
  EXPECT_EQ(eiota_get_u16((const uint8_t*)delta.data() + 6), 160);
  EXPECT_EQ(EIOTA_FLAG_DELTA & 1u, 0u);  // not the bit a 1.1 reader knows
  std::string unknown = delta;
  unknown[44] = (char)(EIOTA_FLAG_DELTA | 4u);
  EXPECT_EQ(r.apply(unknown), EIOTA_ERR_UNSUPPORTED);
  std::string longer = delta;
  eiota_put_u16((uint8_t*)&longer[6], 161 + 32);
  EXPECT_EQ(r.apply(longer), EIOTA_ERR_BAD_VERSION);
  std::string shorter = delta;
  eiota_put_u16((uint8_t*)&shorter[6], 128);  // the flag needs 160
  EXPECT_EQ(r.apply(shorter), EIOTA_ERR_BAD_VERSION);
  EXPECT_TRUE(r.serves(r.factory));
}

TEST(DeltaFormat, TableMustBeStrictlyIncreasingWholeRegions) {
  Rig r(false);
  r.ram();
  Pair p = fine_tune(r.d.def);
  ASSERT_EQ(r.apply(r.full(p.v1, 1)), EIOTA_OK);
  std::string delta = r.delta(p.v1, 1, p.v2, 2);  // regions 3 and 5
  const size_t e0 = EIOTA_HEADER_DELTA_LEN + 64, e1 = e0 + 16;
  // Entries rewritten and signed again: the order and the counts are the device's to judge.
  auto resign = [&](std::string s) {
    std::string msg = s.substr(0, EIOTA_HEADER_DELTA_LEN) + s.substr(e0, 32);
    crypto_sign_detached((uint8_t*)&s[EIOTA_HEADER_DELTA_LEN], nullptr, (const uint8_t*)msg.data(), msg.size(), r.k.sk.data());
    return s;
  };
  EXPECT_EQ(r.apply(resign(delta)), EIOTA_OK);  // resigning alone changes nothing
  ASSERT_EQ(r.apply(r.full(p.v1, 3)), EIOTA_OK);
  std::string same = r.delta(p.v1, 3, p.v2, 4);
  eiota_put_u32((uint8_t*)&same[e1], 3);  // region 3 twice
  EXPECT_EQ(r.apply(resign(same)), EIOTA_ERR_SIZE_MISMATCH);
  std::string past = r.delta(p.v1, 3, p.v2, 4);
  eiota_put_u32((uint8_t*)&past[e1], 6);  // no region 6
  EXPECT_EQ(r.apply(resign(past)), EIOTA_ERR_SIZE_MISMATCH);
  std::string part = r.delta(p.v1, 3, p.v2, 4);
  eiota_put_u32((uint8_t*)&part[e0 + 4], 4);  // 4 of region 3's 5 values
  eiota_put_u32((uint8_t*)&part[e0 + 8], 16);
  EXPECT_EQ(r.apply(resign(part)), EIOTA_ERR_SIZE_MISMATCH);
  EXPECT_TRUE(r.serves(p.v1));
}

TEST(DeltaFormat, RefusedForAModelWithAPrefixRegion) {
  Rig r(false);
  r.ram();
  Pair p = fine_tune(r.d.def);
  std::string delta = r.delta(r.factory, 0, p.v2, 2);
  r.d.def.regions[4].flags |= EIOTA_REGION_PREFIX;
  EXPECT_EQ(r.apply(delta), EIOTA_ERR_UNSUPPORTED);
}

class DeltaFlash : public ::testing::TestWithParam<bool> {};

TEST_P(DeltaFlash, OnAReleaseAndOnFactory_SurvivesResets) {
  Rig r(GetParam());
  ASSERT_EQ(r.boot(), EIOTA_OK);
  Pair p = fine_tune(r.d.def);
  Vals f1 = tuned(r.d.def, r.factory, 1, {0, 1, 2});
  ASSERT_EQ(r.apply(r.delta(r.factory, 0, f1, 1)), EIOTA_OK);  // on the factory arrays
  EXPECT_TRUE(r.serves(f1));
  ASSERT_EQ(eiota_store_confirm(&r.d.model), EIOTA_OK);
  ASSERT_EQ(r.apply(r.full(p.v1, 2)), EIOTA_OK);
  EXPECT_TRUE(r.serves(p.v1));
  ASSERT_EQ(eiota_store_confirm(&r.d.model), EIOTA_OK);
  ASSERT_EQ(r.boot(), EIOTA_OK);
  ASSERT_EQ(r.apply(r.delta(p.v1, 2, p.v2, 3)), EIOTA_OK);  // copied from slot to slot
  EXPECT_TRUE(r.serves(p.v2));
  ASSERT_EQ(eiota_store_confirm(&r.d.model), EIOTA_OK);
  ASSERT_EQ(r.boot(), EIOTA_OK);  // re-validated: signature, own hash, then the whole slot's digest
  EXPECT_EQ(r.d.report.rejected, 0);
  EXPECT_TRUE(r.serves(p.v2));
  Vals v3 = tuned(r.d.def, p.v2, 4, {4});
  ASSERT_EQ(r.apply(r.delta(p.v2, 3, v3, 4)), EIOTA_OK);  // on a delta's slot
  EXPECT_TRUE(r.serves(v3));
  ASSERT_EQ(eiota_store_confirm(&r.d.model), EIOTA_OK);
  ASSERT_EQ(eiota_store_validate(&r.d.model, EIOTA_SLOT_A), EIOTA_OK);
  ASSERT_EQ(eiota_store_validate(&r.d.model, EIOTA_SLOT_B), EIOTA_OK);
  // Swapping back to the older slot, then a delta on it.
  uint8_t older = r.d.store.serving == EIOTA_SLOT_A ? EIOTA_SLOT_B : EIOTA_SLOT_A;
  ASSERT_EQ(eiota_store_select(&r.d.model, older), EIOTA_OK);
  EXPECT_TRUE(r.serves(p.v2));
  EXPECT_EQ(r.apply(r.delta(v3, 4, p.v2, 5)), EIOTA_ERR_WRONG_BASE);
  ASSERT_EQ(r.apply(r.delta(p.v2, 3, v3, 6)), EIOTA_OK);
  EXPECT_TRUE(r.serves(v3));
}

TEST_P(DeltaFlash, RefusalsLeaveTheServingSlot) {
  Rig r(GetParam());
  ASSERT_EQ(r.boot(), EIOTA_OK);
  Pair p = fine_tune(r.d.def);
  ASSERT_EQ(r.apply(r.full(p.v1, 1)), EIOTA_OK);
  ASSERT_EQ(eiota_store_confirm(&r.d.model), EIOTA_OK);
  EXPECT_EQ(r.apply(r.delta(p.v1, 5, p.v2, 6)), EIOTA_ERR_WRONG_BASE);
  EXPECT_EQ(r.apply(r.delta(version_values(r.d.def, 7), 1, p.v2, 6)), EIOTA_ERR_WRONG_BASE);
  std::string bad = r.delta(p.v1, 1, p.v2, 6);
  bad[bad.size() - 1] ^= 0x40;
  EXPECT_EQ(r.apply(bad), EIOTA_ERR_HASH_MISMATCH);
  DeltaBase lie = base_of(r.d.def, p.v1, 1);
  lie.region_digests[5] = eiota::host::sha256_of(p.v2[5].data(), p.v2[5].size());
  EXPECT_EQ(r.apply(r.delta(lie, p.v2, 6)), EIOTA_ERR_DELTA_RESULT);
  EXPECT_TRUE(r.serves(p.v1));
  ASSERT_EQ(r.boot(), EIOTA_OK);
  EXPECT_TRUE(r.serves(p.v1));
  // A restore to factory: the delta on the release is refused.
  ASSERT_EQ(eiota_model_restore(&r.d.model), EIOTA_OK);
  EXPECT_TRUE(r.serves(r.factory));
  EXPECT_EQ(r.apply(r.delta(p.v1, 1, p.v2, 7)), EIOTA_ERR_WRONG_BASE);
  r.d.model.factory_digest = nullptr;
  EXPECT_EQ(r.apply(r.delta(r.factory, 0, p.v2, 7)), EIOTA_ERR_NO_BASE_DIGEST);
  EXPECT_TRUE(r.serves(r.factory));
}

TEST_P(DeltaFlash, OnASlotThatCarriesExtraData) {
  Rig r(GetParam());
  ASSERT_EQ(r.boot(), EIOTA_OK);
  Pair p = fine_tune(r.d.def);
  ASSERT_EQ(r.apply(r.full(p.v1, 1, std::string(40, 'x'))), EIOTA_OK);
  ASSERT_TRUE(r.serves(p.v1));
  ASSERT_EQ(eiota_store_confirm(&r.d.model), EIOTA_OK);
  ASSERT_EQ(r.boot(), EIOTA_OK);
  ASSERT_EQ(r.apply(r.delta(p.v1, 1, p.v2, 2)), EIOTA_OK);  // the base's digest: its values hashed in the slot
  EXPECT_TRUE(r.serves(p.v2));
}

// A delta slot whose copied values were damaged after it was accepted is rejected at boot: its
// own bytes still verify, the full-data digest over the slot does not.
TEST_P(DeltaFlash, ADamagedCopiedRegionIsRejectedAtBoot) {
  Rig r(GetParam());
  ASSERT_EQ(r.boot(), EIOTA_OK);
  Pair p = fine_tune(r.d.def);
  ASSERT_EQ(r.apply(r.full(p.v1, 1)), EIOTA_OK);
  ASSERT_EQ(eiota_store_confirm(&r.d.model), EIOTA_OK);
  ASSERT_EQ(r.apply(r.delta(p.v1, 1, p.v2, 2)), EIOTA_OK);
  ASSERT_TRUE(r.serves(p.v2));
  ASSERT_EQ(eiota_store_confirm(&r.d.model), EIOTA_OK);
  uint8_t slot = r.d.store.serving;
  const eiota_flash& f = r.d.flash[slot];
  uint8_t byte;
  uint32_t at = r.d.def.regions[0].slot_offset + 10;  // region 0 was copied, not sent
  ASSERT_EQ(eiota_flash_read(&f, at, &byte, 1), EIOTA_OK);
  r.d.sim->memory()[r.d.areas[slot].base + at] = (uint8_t)(byte & 0x0F);  // NOR: bits only clear
  ASSERT_NE(byte, byte & 0x0F);
  ASSERT_EQ(r.boot(), EIOTA_OK);
  EXPECT_EQ(r.d.report.reject_error[slot], EIOTA_ERR_DELTA_RESULT);
  EXPECT_TRUE(r.serves(r.factory));  // the rejected slot was the confirmed one: factory is now
}

INSTANTIATE_TEST_SUITE_P(InPlaceOrCopied, DeltaFlash, ::testing::Bool());

}  // namespace
