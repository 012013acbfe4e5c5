// The self-test block codec (device/eiota_selftest.h), the 1.1 header writer, and the device
// runner with a fake infer: pass, fail, tolerance, NaN, missing and extra outputs, infer and
// read errors, and every malformed block refused before anything runs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "eiota_format.h"
#include "eiota_selftest.h"
#include "selftest.h"

namespace {

using Samples = std::vector<std::vector<float>>;

std::string block(const Samples& in, const Samples& out, float tol) { return eiota::host::selftest_block(in, out, tol); }

struct Source {
  std::string bytes;
  uint32_t reads = 0;
  uint32_t max_read = 0;
  int fail_at = -1;  // the read number that fails
};

int read_src(void* src, uint32_t offset, uint8_t* buf, uint32_t len) {
  Source* s = static_cast<Source*>(src);
  if ((int)s->reads++ == s->fail_at) return EIOTA_ERR_STORAGE;
  if ((uint64_t)offset + len > s->bytes.size()) return EIOTA_ERR_FLASH_RANGE;
  if (len > s->max_read) s->max_read = len;
  memcpy(buf, s->bytes.data() + offset, len);
  return EIOTA_OK;
}

// A model: output k = sum of the inputs * (k + 1), plus per-test tweaks.
struct Fake {
  float bump = 0;          // added to output `bump_at` of sample `bump_sample`
  uint32_t bump_sample = 0, bump_at = 0;
  int outputs_delta = 0;   // outputs given minus the count asked
  int fail_sample = -1;    // infer returns 7 on this sample
  uint32_t piece = 3;      // inputs read this many at a time
  std::vector<float> seen;  // every input read
  uint32_t sample = 0;
};

int fake_infer(void* ctx, eiota_selftest_sample* s) {
  Fake* f = static_cast<Fake*>(ctx);
  uint32_t n = eiota_selftest_input_count(s);
  float sum = 0, piece[8];
  for (uint32_t at = 0; at < n; at += f->piece) {
    uint32_t k = n - at < f->piece ? n - at : f->piece;
    if (eiota_selftest_inputs(s, at, k, piece) != EIOTA_OK) return -1;
    for (uint32_t i = 0; i < k; i++) sum += piece[i], f->seen.push_back(piece[i]);
  }
  uint32_t sample = f->sample++;
  if ((int)sample == f->fail_sample) return 7;
  int outputs = (int)eiota_selftest_output_count(s) + f->outputs_delta;
  for (int k = 0; k < outputs; k++) {
    float v = sum * (float)(k + 1);
    if (sample == f->bump_sample && (uint32_t)k == f->bump_at) v += f->bump;
    eiota_selftest_output(s, v);
  }
  return 0;
}

Samples fake_outputs(const Samples& in, uint32_t outputs) {
  Samples out;
  for (const auto& s : in) {
    float sum = 0;
    for (float v : s) sum += v;
    std::vector<float> o;
    for (uint32_t k = 0; k < outputs; k++) o.push_back(sum * (float)(k + 1));
    out.push_back(o);
  }
  return out;
}

const Samples kIn = {{0.5f, -1.25f, 3, 4, 5, 6, 7}, {1, 2, 3, 4, 5, 6, 7.75f}, {-1, -2, -3, -4, -5, -6, 100}};

int run(Source& src, Fake& f, eiota_selftest_report* r) {
  return eiota_selftest_run(read_src, &src, (uint32_t)src.bytes.size(), fake_infer, &f, r);
}

TEST(SelftestCodec, HeaderRoundTripAndLayout) {
  std::string b = block({{1.5f, 2}}, {{-3}}, 0.25f);
  ASSERT_EQ(b.size(), 24u + 12u);
  const uint8_t* p = (const uint8_t*)b.data();
  EXPECT_EQ(std::string(b, 0, 4), "EIST");
  EXPECT_EQ(p[4], 1);
  EXPECT_EQ(p[5], EIOTA_FLOAT32);
  EXPECT_EQ(eiota::get_u16(p + 6), 0);
  EXPECT_EQ(eiota::get_u32(p + 8), 1u);
  EXPECT_EQ(eiota::get_u32(p + 12), 2u);
  EXPECT_EQ(eiota::get_u32(p + 16), 1u);
  EXPECT_EQ(eiota::get_u32(p + 20), 0x3e800000u);  // 0.25f
  EXPECT_EQ(eiota::get_u32(p + 24), 0x3fc00000u);  // 1.5f, little-endian
  EXPECT_EQ(eiota::get_u32(p + 32), 0xc0400000u);  // -3: the expected output after the inputs
  eiota_selftest_header h{};
  ASSERT_EQ(eiota_selftest_decode(p, b.size(), (uint32_t)b.size(), &h), EIOTA_SELFTEST_OK);
  EXPECT_EQ(h.sample_count, 1u);
  EXPECT_EQ(h.input_count, 2u);
  EXPECT_EQ(h.output_count, 1u);
  EXPECT_EQ(h.tolerance, 0.25f);
  uint8_t again[24];
  eiota_selftest_encode(&h, again);
  EXPECT_EQ(memcmp(again, p, 24), 0);
}

void expect_refused(std::string b, eiota_selftest_decode_result want, const char* what, uint32_t claimed = 0) {
  eiota_selftest_header h{};
  uint32_t len = claimed ? claimed : (uint32_t)b.size();
  EXPECT_EQ(eiota_selftest_decode((const uint8_t*)b.data(), b.size(), len, &h), want) << what;
  // The runner refuses it before calling infer.
  Source src{b};
  Fake f;
  eiota_selftest_report r;
  int err = eiota_selftest_run(read_src, &src, len, fake_infer, &f, &r);
  EXPECT_EQ(err, EIOTA_ERR_SELFTEST_BLOCK) << what;
  EXPECT_EQ(r.result, EIOTA_ERR_SELFTEST_BLOCK) << what;
  EXPECT_EQ(r.decode, want) << what;
  EXPECT_EQ(r.samples_run, 0u) << what;
  EXPECT_TRUE(f.seen.empty()) << what;
}

TEST(SelftestCodec, EveryMalformedBlockIsRefused) {
  const std::string good = block(kIn, fake_outputs(kIn, 4), 0);
  auto with = [&](size_t at, uint32_t v) {
    std::string b = good;
    eiota::put_u32((uint8_t*)&b[at], v);
    return b;
  };
  auto with_byte = [&](size_t at, uint8_t v) {
    std::string b = good;
    b[at] = (char)v;
    return b;
  };
  expect_refused(good.substr(0, 23), EIOTA_SELFTEST_SHORT, "23 bytes");
  expect_refused("", EIOTA_SELFTEST_SHORT, "empty");
  expect_refused(good.substr(0, good.size() - 1), EIOTA_SELFTEST_BAD_LENGTH, "truncated by one byte");
  expect_refused(good.substr(0, 24), EIOTA_SELFTEST_BAD_LENGTH, "header only");
  expect_refused(good + std::string(4, '\0'), EIOTA_SELFTEST_BAD_LENGTH, "4 bytes past the samples");
  expect_refused(with(0, 0x54534946), EIOTA_SELFTEST_BAD_MAGIC, "magic");
  expect_refused(with_byte(4, 2), EIOTA_SELFTEST_BAD_VERSION, "version 2");
  expect_refused(with_byte(6, 1), EIOTA_SELFTEST_BAD_VERSION, "reserved byte");
  expect_refused(with_byte(5, EIOTA_INT8), EIOTA_SELFTEST_BAD_TYPE, "int8 samples");
  expect_refused(with(8, 0), EIOTA_SELFTEST_BAD_COUNTS, "0 samples");
  expect_refused(with(12, 0), EIOTA_SELFTEST_BAD_COUNTS, "0 inputs");
  expect_refused(with(16, 0), EIOTA_SELFTEST_BAD_COUNTS, "0 outputs");
  expect_refused(with(8, 4), EIOTA_SELFTEST_BAD_LENGTH, "claims one sample more than it has");
  expect_refused(with(8, 2), EIOTA_SELFTEST_BAD_LENGTH, "claims one sample less than it has");
  expect_refused(with(12, 8), EIOTA_SELFTEST_BAD_LENGTH, "claims one input more per sample");
  // Counts whose product overflows 32 (and 64) bits must not wrap into a length that fits.
  expect_refused(with(8, 0xFFFFFFFFu), EIOTA_SELFTEST_BAD_LENGTH, "2^32-1 samples");
  expect_refused(with(12, 0xFFFFFFFFu), EIOTA_SELFTEST_BAD_LENGTH, "2^32-1 inputs");
  {
    std::string b = with(12, 0x40000000u);  // (2^30 + 4) * 4 bytes a sample: 16 in 32 bits
    expect_refused(b, EIOTA_SELFTEST_BAD_LENGTH, "a sample's length wraps in 32 bits");
    eiota::put_u32((uint8_t*)&b[16], 0xC0000001u);  // inputs + outputs = 2^32 + 1: 1 in 32 bits
    expect_refused(b, EIOTA_SELFTEST_BAD_LENGTH, "inputs + outputs wrap in 32 bits");
    // 44 bytes a sample: (2^30 + 3) samples take 132 bytes in 32 bits, what 3 take.
    expect_refused(with(8, 0x40000003u), EIOTA_SELFTEST_BAD_LENGTH, "samples x length wraps in 32 bits");
  }
  // A block that claims a length past the bytes the source has.
  expect_refused(good, EIOTA_SELFTEST_BAD_LENGTH, "block_len past its samples", (uint32_t)good.size() + 44);
  for (float t : {-1.0f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
                  -std::numeric_limits<float>::infinity()}) {
    std::string b = good;
    eiota_selftest_put_f32((uint8_t*)&b[20], t);
    expect_refused(b, EIOTA_SELFTEST_BAD_TOLERANCE, "tolerance");
  }
}

TEST(SelftestCodec, HeaderExtWritesThe88ByteHeaderAnd10Unchanged) {
  eiota_header h{};
  h.major = 1;
  h.minor = 0;
  h.region_count = 3;
  h.data_len = 99;
  h.sequence = 42;
  h.key_id = 0xa75a4756;
  uint8_t plain[EIOTA_HEADER_EXTRA_LEN] = {0}, ext[EIOTA_HEADER_EXTRA_LEN];
  eiota_encode_header(&h, plain);
  memset(ext, 0xEE, sizeof ext);
  EXPECT_EQ(eiota_encode_header_ext(&h, ext), EIOTA_HEADER_LEN);
  EXPECT_EQ(memcmp(plain, ext, EIOTA_HEADER_LEN), 0);  // without the flag: the 1.0 header
  EXPECT_EQ(ext[80], 0xEE);                             // and nothing past it
  h.flags = EIOTA_FLAG_EXTRA;
  h.minor = 1;
  h.extra_len = 0x01020304;
  memset(ext, 0xEE, sizeof ext);
  ASSERT_EQ(eiota_encode_header_ext(&h, ext), EIOTA_HEADER_EXTRA_LEN);
  EXPECT_EQ(eiota::get_u16(ext + 6), 88);
  EXPECT_EQ(eiota::get_u32(ext + 80), 0x01020304u);
  EXPECT_EQ(eiota::get_u32(ext + 84), 0u);
  eiota_header back{};
  ASSERT_EQ(eiota_decode_header(ext, sizeof ext, &back), EIOTA_DECODE_OK);
  EXPECT_EQ(back.header_len, 88);
  EXPECT_EQ(back.minor, 1);
  ASSERT_EQ(eiota_decode_header_ext(ext, sizeof ext, &back), EIOTA_DECODE_OK);
  EXPECT_EQ(back.extra_len, 0x01020304u);
  EXPECT_EQ(back.flags, EIOTA_FLAG_EXTRA);
}

TEST(SelftestRunner, MatchingOutputsPassReadingInSmallPieces) {
  Samples in;
  for (int s = 0; s < 3; s++) {  // a few hundred inputs per sample
    std::vector<float> v;
    for (int i = 0; i < 300; i++) v.push_back((float)((i * 7 + s) % 13) * 0.125f);
    in.push_back(v);
  }
  Source src{block(in, fake_outputs(in, 40), 0)};
  Fake f;
  eiota_selftest_report r;
  ASSERT_EQ(run(src, f, &r), EIOTA_OK);
  EXPECT_EQ(r.result, EIOTA_OK);
  EXPECT_EQ(r.samples, 3u);
  EXPECT_EQ(r.samples_run, 3u);
  EXPECT_EQ(r.inputs, 300u);
  EXPECT_EQ(r.outputs, 40u);
  EXPECT_EQ(r.mismatches, 0u);
  EXPECT_EQ(r.fail_sample, EIOTA_SELFTEST_NONE);
  EXPECT_EQ(r.worst_diff, 0.0f);
  std::vector<float> all;
  for (const auto& s : in) all.insert(all.end(), s.begin(), s.end());
  EXPECT_EQ(f.seen, all);  // every input arrived, in order, exactly
  // No read larger than what infer asked for or the expected-output cache holds.
  EXPECT_LE(src.max_read, std::max<uint32_t>(24u, EIOTA_SELFTEST_CACHE * 4u));
}

TEST(SelftestRunner, ExactMeansBitForBitAndReportsTheFirstFailure) {
  Source src{block(kIn, fake_outputs(kIn, 4), 0)};
  Fake f;
  f.bump_sample = 1;
  f.bump_at = 2;
  f.bump = 1e-5f;  // one ulp of 86.25
  eiota_selftest_report r;
  EXPECT_EQ(run(src, f, &r), EIOTA_ERR_SELFTEST_FAILED);
  EXPECT_EQ(r.result, EIOTA_ERR_SELFTEST_FAILED);
  EXPECT_EQ(r.samples_run, 3u);  // every sample runs: the worst difference is over all
  EXPECT_EQ(r.mismatches, 1u);
  EXPECT_EQ(r.fail_sample, 1u);
  EXPECT_EQ(r.fail_output, 2u);
  float want = fake_outputs(kIn, 4)[1][2];
  EXPECT_EQ(r.expected, want);
  EXPECT_EQ(r.got, want + 1e-5f);
  EXPECT_NE(r.got, want);
  EXPECT_GT(r.worst_diff, 0.0f);
  EXPECT_LT(r.worst_diff, 1e-4f);
}

TEST(SelftestRunner, PlusAndMinusZeroDifferWhenExact) {
  Samples in = {{0.0f}};
  Source src{block(in, {{-0.0f}}, 0)};
  Fake f;  // gives 0 * 1 = +0
  eiota_selftest_report r;
  EXPECT_EQ(run(src, f, &r), EIOTA_ERR_SELFTEST_FAILED);
  Source tolerant{block(in, {{-0.0f}}, 1e-9f)};
  Fake g;
  EXPECT_EQ(run(tolerant, g, &r), EIOTA_OK);
}

TEST(SelftestRunner, ToleranceAcceptsDifferencesUpToIt) {
  Samples want = fake_outputs(kIn, 4);
  for (float bump : {0.01f, -0.01f}) {
    Source src{block(kIn, want, 0.02f)};
    Fake f;
    f.bump_sample = 2;
    f.bump_at = 3;
    f.bump = bump;
    eiota_selftest_report r;
    EXPECT_EQ(run(src, f, &r), EIOTA_OK) << bump;
    EXPECT_NEAR(r.worst_diff, 0.01f, 1e-4f);
    EXPECT_EQ(r.tolerance, 0.02f);
  }
  Source src{block(kIn, want, 0.02f)};
  Fake f;
  f.bump_sample = 2;
  f.bump_at = 3;
  f.bump = 0.5f;
  eiota_selftest_report r;
  EXPECT_EQ(run(src, f, &r), EIOTA_ERR_SELFTEST_FAILED);
  EXPECT_EQ(r.fail_sample, 2u);
  EXPECT_EQ(r.fail_output, 3u);
  EXPECT_NEAR(r.worst_diff, 0.5f, 1e-3f);
}

TEST(SelftestRunner, NaNNeverMatchesInfinityOnlyItself) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  Samples in = {{1.0f}};
  for (float tol : {0.0f, 1e30f}) {
    // The model gives NaN where a number is expected.
    Source a{block({{nan}}, {{1.0f}}, tol)};
    Fake f;
    eiota_selftest_report r;
    EXPECT_EQ(run(a, f, &r), EIOTA_ERR_SELFTEST_FAILED) << tol;
    EXPECT_TRUE(std::isinf(r.worst_diff));
    // A NaN expected is never matched, not even by the same NaN bits.
    Source b{block({{nan}}, {{nan}}, tol)};
    Fake g;
    EXPECT_EQ(run(b, g, &r), EIOTA_ERR_SELFTEST_FAILED) << tol;
    // An infinity matches the same infinity, not the other one nor a number.
    Source c{block({{inf}}, {{inf}}, tol)};
    Fake h;
    EXPECT_EQ(run(c, h, &r), EIOTA_OK) << tol;
    Source d{block({{inf}}, {{-inf}}, tol)};
    Fake k;
    EXPECT_EQ(run(d, k, &r), EIOTA_ERR_SELFTEST_FAILED) << tol;
    Source e{block(in, {{inf}}, tol)};
    Fake l;
    EXPECT_EQ(run(e, l, &r), EIOTA_ERR_SELFTEST_FAILED) << tol;
  }
}

TEST(SelftestRunner, MissingOrExtraOutputsFail) {
  for (int delta : {-1, 1}) {
    Source src{block(kIn, fake_outputs(kIn, 4), 0)};
    Fake f;
    f.outputs_delta = delta;
    eiota_selftest_report r;
    EXPECT_EQ(run(src, f, &r), EIOTA_ERR_SELFTEST_FAILED) << delta;
    EXPECT_EQ(r.fail_sample, 0u);
    EXPECT_EQ(r.fail_output, delta < 0 ? 3u : 4u);
    EXPECT_EQ(r.mismatches, 3u);  // one per sample
  }
}

TEST(SelftestRunner, InferFailureStopsTheRunAndIsReported) {
  Source src{block(kIn, fake_outputs(kIn, 4), 0)};
  Fake f;
  f.fail_sample = 1;
  eiota_selftest_report r;
  EXPECT_EQ(run(src, f, &r), EIOTA_ERR_SELFTEST_FAILED);
  EXPECT_EQ(r.samples_run, 2u);
  EXPECT_EQ(r.fail_sample, 1u);
  EXPECT_EQ(r.fail_output, EIOTA_SELFTEST_NONE);
  EXPECT_EQ(r.infer_error, 7);
}

TEST(SelftestRunner, ReadErrorsAreReturnedNotTakenForAMismatch) {
  std::string b = block(kIn, fake_outputs(kIn, 4), 0);
  for (int at = 0; at < 12; at++) {
    Source src{b};
    src.fail_at = at;
    Fake f;
    eiota_selftest_report r;
    int err = run(src, f, &r);
    if ((int)src.reads <= at) {
      EXPECT_EQ(err, EIOTA_OK) << at;
      continue;
    }
    EXPECT_EQ(err, EIOTA_ERR_STORAGE) << "read " << at;
    EXPECT_EQ(r.mismatches, 0u) << at;
  }
}

TEST(SelftestRunner, InputsPastTheSampleAreRefused) {
  Source src{block({{1, 2}}, {{3}}, 0)};
  struct Probe {
    int past = 0, ok = 0;
  } probe;
  auto infer = [](void* ctx, eiota_selftest_sample* s) {
    Probe* p = static_cast<Probe*>(ctx);
    float v[4];
    p->past = eiota_selftest_inputs(s, 1, 2, v);
    p->ok = eiota_selftest_inputs(s, 0xFFFFFFFFu, 2, v) == EIOTA_ERR_SIZE_MISMATCH;
    eiota_selftest_output(s, 3);
    return 0;
  };
  eiota_selftest_report r;
  EXPECT_EQ(eiota_selftest_run(read_src, &src, (uint32_t)src.bytes.size(), infer, &probe, &r), EIOTA_OK);
  EXPECT_EQ(probe.past, EIOTA_ERR_SIZE_MISMATCH);
  EXPECT_TRUE(probe.ok);
  EXPECT_EQ(eiota_selftest_run(nullptr, &src, 36, infer, &probe, &r), EIOTA_ERR_STATE);
  EXPECT_EQ(eiota_selftest_run(read_src, &src, 36, nullptr, &probe, nullptr), EIOTA_ERR_STATE);
}

TEST(SelftestHost, SamplesFileErrorsNameFileAndLine) {
  std::string dir = std::string(EIOTA_BINARY_DIR) + "/selftest-codec";
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::string p = dir + "/" + name;
    FILE* f = fopen(p.c_str(), "w");
    fputs(text.c_str(), f);
    fclose(f);
    return p;
  };
  auto err = [](const std::string& p, int64_t want) {
    try {
      eiota::host::read_selftest_samples(p, want);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string ok = write("ok.txt", "1, 2,3\n\n4 5\t6\r\n");
  auto s = eiota::host::read_selftest_samples(ok, 3);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1], (std::vector<float>{4, 5, 6}));
  EXPECT_EQ(err(ok, 4), ok + " line 1: 3 values, the deployed model takes 4 (EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE)");
  std::string bad = write("bad.txt", "1,2,3\n1,x,3\n");
  EXPECT_EQ(err(bad, 3), bad + " line 2: 'x' is not a number");
  std::string empty = write("empty.txt", "\n \n");
  EXPECT_NE(err(empty, 3).find(empty + ": no samples"), std::string::npos);
  std::string inf = write("inf.txt", "1,inf,3\n");
  EXPECT_NE(err(inf, 3).find(inf + " line 1: "), std::string::npos);
  EXPECT_NE(err(dir + "/missing.txt", 3).find("missing.txt"), std::string::npos);
  EXPECT_THROW(eiota::host::parse_tolerance("-1", "--selftest-tolerance"), std::runtime_error);
  EXPECT_THROW(eiota::host::parse_tolerance("nan", "--selftest-tolerance"), std::runtime_error);
  EXPECT_THROW(eiota::host::parse_tolerance("1e", "--selftest-tolerance"), std::runtime_error);
  EXPECT_EQ(eiota::host::parse_tolerance("0.001", "x"), 0.001f);
}

}  // namespace
