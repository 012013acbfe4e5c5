// A device patched before format 1.2 refuses a delta cleanly: its codec (tests/legacy, the 1.1
// eiota_format.h) rejects the 160-byte header as an unsupported version before it reads a value,
// and would reject the unknown flag bit next.
#include <gtest/gtest.h>

#include "delta_harness.h"
#include "legacy/eiota_format_1_1.h"

using namespace delta_harness;

namespace {

TEST(DeltaLegacy, A11ReaderRefusesTheHeaderAndTheFlag) {
  Rig r(false);
  Vals next = tuned(r.d.def, r.factory, 2, {3});
  std::string delta = r.delta(r.factory, 0, next, 2);
  eiota11_header h;
  EXPECT_EQ(eiota11_decode_header((const uint8_t*)delta.data(), delta.size(), &h), EIOTA11_DECODE_BAD_VERSION);
  std::string short_header = delta;
  eiota_put_u16((uint8_t*)&short_header[6], 128);
  EXPECT_EQ(eiota11_decode_header((const uint8_t*)short_header.data(), short_header.size(), &h), EIOTA11_DECODE_BAD_FLAGS);
  // Full payloads read as before.
  std::string full = r.full(next, 2), extra = r.full(next, 2, "selftest");
  EXPECT_EQ(eiota11_decode_header((const uint8_t*)full.data(), full.size(), &h), EIOTA11_DECODE_OK);
  EXPECT_EQ(eiota11_decode_header((const uint8_t*)extra.data(), extra.size(), &h), EIOTA11_DECODE_OK);
  EXPECT_EQ(eiota11_decode_header_ext((const uint8_t*)extra.data(), extra.size(), &h), EIOTA11_DECODE_OK);
  EXPECT_EQ(h.extra_len, 8u);
}

}  // namespace
