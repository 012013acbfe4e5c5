// Compressed payloads (format 1.3) on the host: read_payload inflates each entry's stream (bounded
// by count x size) and names the entry a problem is in; the host's device models take a
// compressed payload only when the library has the decoder; the values come back decoded.
#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

#include "compress.h"
#include "eiota_errors.h"
#include "eiota_format.h"
#include "payload.h"
#include "selftest.h"

namespace {

using namespace eiota::host;

SecretKey test_key() {
  EXPECT_EQ(sodium_init() >= 0, true);
  SecretKey k;
  uint8_t seed[32];
  for (int i = 0; i < 32; i++) seed[i] = (uint8_t)(i + 7);
  crypto_sign_seed_keypair(k.pk.data(), k.sk.data(), seed);
  return k;
}

Region region(uint8_t type, uint32_t count, int pattern) {
  Region r;
  r.name = "r" + std::to_string(pattern);
  r.elem_type = type;
  r.count = count;
  r.values.resize((size_t)count * eiota::elem_size(type));
  for (size_t i = 0; i < r.values.size(); i++) r.values[i] = (uint8_t)(pattern == 0 ? 0 : (i * pattern / 7) & 0xff);
  return r;
}

// Three regions that compress: int8 weights with runs, float32 zeros, one int32.
std::vector<Region> regions() { return {region(eiota::kInt8, 4096, 3), region(eiota::kFloat32, 100, 0), region(eiota::kInt32, 1, 5)}; }

const std::array<uint8_t, 16> kFp = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

uint32_t stored_len(const std::string& p, const PayloadInfo& info, size_t i) {
  return eiota::get_u32((const uint8_t*)p.data() + eiota::table_offset(info.header.header_len) + i * eiota::kEntryLen + 8);
}

// The payload again with entry i's stream replaced (`streams[i]` when given) and stored_len set to
// `lens[i]`, data_len adjusted, signed again: a signer's mistake, not a forgery.
std::string rebuilt(const std::string& z, const SecretKey& k, std::vector<std::string> streams, std::vector<uint32_t> lens) {
  PayloadInfo p = read_payload(z, nullptr);
  std::string head = z.substr(0, p.header.header_len), table, data;
  size_t at = p.data_offset;
  for (size_t i = 0; i < p.entries.size(); i++) {
    eiota::Entry e = p.entries[i];
    if (streams[i].empty()) streams[i] = z.substr(at, e.stored_len);
    at += e.stored_len;
    e.stored_len = lens.empty() ? (uint32_t)streams[i].size() : lens[i];
    uint8_t raw[eiota::kEntryLen];
    eiota::encode_entry(e, raw);
    table.append((const char*)raw, sizeof raw);
    data += streams[i];
  }
  data += z.substr(at);
  eiota::put_u32((uint8_t*)head.data() + 12, (uint32_t)data.size());
  return signed_payload(head, table, data, k);
}

DeviceModel model_with_decoder(const std::string& payload, const SecretKey& k, bool inflate) {
  DeviceModel m = device_model_of(payload, k.pk);
  m.inflate = inflate;
  return m;
}

TEST(PackCompress, ReadBackDecodedAndJudgedByTheDeviceReader) {
  SecretKey k = test_key();
  std::vector<Region> rs = regions();
  std::string plain = write_payload(kFp, rs, 7, k);
  std::string z = deflate_payload(plain, k);
  ASSERT_LT(z.size(), plain.size());
  PayloadInfo p = read_payload(z, &k.pk);
  ASSERT_TRUE(p.problems.empty()) << p.problems.front();
  EXPECT_TRUE(p.compressed);
  EXPECT_EQ(p.header.minor, EIOTA_FORMAT_MINOR_DEFLATE);
  EXPECT_TRUE(p.hash_ok);
  EXPECT_EQ(p.decoded_data_len, read_payload(plain, nullptr).header.data_len);
  EXPECT_EQ(p.data_offset + p.decoded_data_len, plain.size());
  for (size_t i = 0; i < rs.size(); i++) {
    EXPECT_EQ(p.entries[i].encoding, eiota::kDeflate);
    EXPECT_EQ(entry_values(z, p, i), std::string(rs[i].values.begin(), rs[i].values.end())) << i;
  }

  // A library with the decoder takes it, applied and re-validated as from a slot; one without
  // refuses it at the header, and says why.
  EXPECT_EQ(device_verdict(z, model_with_decoder(z, k, true)), EIOTA_OK);
  EXPECT_EQ(device_verdict(z, device_model_of(z, k.pk)), EIOTA_OK);  // its own table stands for a library that inflates
  EXPECT_EQ(device_check(z, model_with_decoder(z, k, true)), EIOTA_OK);
  DeviceModel without = model_with_decoder(z, k, false);
  EXPECT_EQ(device_verdict(z, without), EIOTA_ERR_UNSUPPORTED);
  EXPECT_NE(device_refusal(EIOTA_ERR_UNSUPPORTED, z, without).find("patched without --inflate"), std::string::npos);
  EXPECT_EQ(device_refusal(EIOTA_ERR_UNSUPPORTED, plain, without).find("--inflate"), std::string::npos);

  std::vector<std::vector<uint8_t>> base, result;
  for (const Region& r : rs) base.emplace_back(r.values.size(), 0xA5);
  std::array<uint8_t, 32> digest{};
  ASSERT_EQ(device_apply(z, model_with_decoder(z, k, true), base, 0, digest, &result), EIOTA_OK);
  for (size_t i = 0; i < rs.size(); i++) EXPECT_EQ(result[i], rs[i].values) << i;
  EXPECT_EQ(device_apply(z, without, base, 0, digest, &result), EIOTA_ERR_UNSUPPORTED);
}

TEST(PackCompress, TheSelfTestStartsPastTheStreams) {
  SecretKey k = test_key();
  std::string extra = selftest_block({{1, 2, 3}, {4, 5, 6}}, {{0.5f}, {0.25f}}, 0);
  std::string plain = write_payload(kFp, regions(), 7, k, extra);
  std::string z = deflate_payload(plain, k);
  PayloadInfo p = read_payload(z, &k.pk);
  ASSERT_TRUE(p.problems.empty()) << p.problems.front();
  uint64_t streams = 0;
  for (const auto& e : p.entries) streams += e.stored_len;
  EXPECT_EQ(p.extra_offset, p.data_offset + streams);
  EXPECT_LT(p.extra_offset, read_payload(plain, nullptr).extra_offset);
  ASSERT_TRUE(p.selftest.has_value());
  EXPECT_EQ(p.selftest->sample_count, 2u);
  EXPECT_EQ(z.substr(p.extra_offset), extra);
  EXPECT_EQ(device_verdict(z, model_with_decoder(z, k, true)), EIOTA_OK);
}

TEST(PackCompress, AMalformedStreamIsNamedByItsEntry) {
  SecretKey k = test_key();
  std::string z = deflate_payload(write_payload(kFp, regions(), 7, k), k);
  PayloadInfo p = read_payload(z, &k.pk);
  ASSERT_TRUE(p.problems.empty());
  // Entry 1's first byte: block type 3, which DEFLATE reserves. The table (signed) is unchanged.
  size_t at = p.data_offset + p.entries[0].stored_len;
  z[at] = (char)0xFF;
  PayloadInfo bad = read_payload(z, &k.pk);
  ASSERT_FALSE(bad.problems.empty());
  EXPECT_EQ(bad.problems[0].rfind("entry 1 (region 1): malformed DEFLATE stream", 0), 0u) << bad.problems[0];
  EXPECT_TRUE(bad.signature_ok.value_or(false));
  EXPECT_FALSE(bad.hash_ok);
  EXPECT_EQ(device_verdict(z, model_with_decoder(z, k, true)), EIOTA_ERR_INFLATE);
  EXPECT_EQ(device_check(z, model_with_decoder(z, k, true)), EIOTA_ERR_INFLATE);
}

TEST(PackCompress, AWrongStoredLenIsNamedByItsEntry) {
  SecretKey k = test_key();
  std::string z = deflate_payload(write_payload(kFp, regions(), 7, k), k);
  PayloadInfo p = read_payload(z, &k.pk);
  uint32_t a = stored_len(z, p, 0), b = stored_len(z, p, 1), c = stored_len(z, p, 2);
  // Entry 0 claims a byte of entry 1's stream: its own ends before its stored_len.
  std::string longer = rebuilt(z, k, {"", "", ""}, {a + 1, b - 1, c});
  PayloadInfo l = read_payload(longer, &k.pk);
  ASSERT_FALSE(l.problems.empty());
  EXPECT_EQ(l.problems[0], "entry 0 (region 0): the stream ends after " + std::to_string(a) + " bytes, stored_len says " +
                               std::to_string(a + 1));
  // The device checks only the sum of the streams (docs/FORMAT.md "Version 1.3"): verify, each entry.
  EXPECT_EQ(device_verdict(longer, model_with_decoder(longer, k, true)), EIOTA_OK);
  // Entry 1 lacks its last byte, which entry 2 claims.
  std::string shorter = rebuilt(z, k, {"", "", ""}, {a, b - 1, c + 1});
  PayloadInfo s = read_payload(shorter, &k.pk);
  ASSERT_FALSE(s.problems.empty());
  EXPECT_EQ(s.problems[0].rfind("entry 1 (region 1): the stream does not end within its stored_len " + std::to_string(b - 1), 0), 0u)
      << s.problems[0];
  EXPECT_EQ(device_verdict(shorter, model_with_decoder(shorter, k, true)), EIOTA_OK);
  // The lengths no longer add up to data_len: the table says so before any stream is read.
  std::string sum = rebuilt(z, k, {"", "", ""}, {a, b, c + 3});
  PayloadInfo u = read_payload(sum, &k.pk);
  ASSERT_FALSE(u.problems.empty());
  EXPECT_NE(u.problems[0].find("the streams' lengths add up to"), std::string::npos) << u.problems[0];
}

TEST(PackCompress, AStreamDecodingToOtherThanItsSizeStopsAtTheBound) {
  SecretKey k = test_key();
  std::string z = deflate_payload(write_payload(kFp, regions(), 7, k), k);
  // Entry 2 (one int32) as 64 MB of zeros (about 64 KB of stream): decoding stops at 4 bytes.
  std::vector<uint8_t> zeros(64u << 20);
  std::string bomb = rebuilt(z, k, {"", "", deflate_raw(zeros.data(), zeros.size())}, {});
  PayloadInfo p = read_payload(bomb, &k.pk);
  ASSERT_FALSE(p.problems.empty());
  EXPECT_EQ(p.problems[0], "entry 2 (region 2): decodes to more than 4 bytes");
  EXPECT_EQ(device_verdict(bomb, model_with_decoder(bomb, k, true)), EIOTA_ERR_INFLATE);
  // Two bytes for four: fewer.
  uint8_t two[2] = {9, 9};
  std::string few = rebuilt(z, k, {"", "", deflate_raw(two, 2)}, {});
  p = read_payload(few, &k.pk);
  ASSERT_FALSE(p.problems.empty());
  EXPECT_EQ(p.problems[0], "entry 2 (region 2): decodes to 2 bytes, not 4");
  EXPECT_EQ(device_verdict(few, model_with_decoder(few, k, true)), EIOTA_ERR_INFLATE);
}

TEST(PackCompress, EncodingsMatchTheFlag) {
  SecretKey k = test_key();
  std::string plain = write_payload(kFp, regions(), 7, k);
  std::string z = deflate_payload(plain, k);
  PayloadInfo p = read_payload(z, nullptr);
  // Entry 1 raw in a compressed payload, then entry 0 DEFLATE in a plain one (tables signed again).
  auto with_encoding = [&](std::string bytes, size_t entry, uint8_t enc) {
    PayloadInfo q = read_payload(bytes, nullptr);
    bytes[eiota::table_offset(q.header.header_len) + entry * eiota::kEntryLen + 13] = (char)enc;
    std::string head = bytes.substr(0, q.header.header_len);
    std::string table = bytes.substr(eiota::table_offset(q.header.header_len), eiota::kEntryLen * q.entries.size());
    return signed_payload(head, table, bytes.substr(q.data_offset), k);
  };
  PayloadInfo a = read_payload(with_encoding(z, 1, eiota::kRaw), &k.pk);
  ASSERT_FALSE(a.problems.empty());
  EXPECT_EQ(a.problems[0], "entry 1: encoding 0 (raw) in a compressed payload: every entry must be DEFLATE");
  PayloadInfo b = read_payload(with_encoding(plain, 0, eiota::kDeflate), &k.pk);
  ASSERT_FALSE(b.problems.empty());
  EXPECT_EQ(b.problems[0], "entry 0: encoding 1 (DEFLATE) in a payload without the compressed flag");
  EXPECT_EQ(p.entries.size(), 3u);
}

TEST(PackCompress, AnEmptyPrefixRegionHasAStreamToo) {
  SecretKey k = test_key();
  std::vector<Region> rs = {region(eiota::kUInt8, 0, 1), region(eiota::kInt8, 300, 2)};
  std::string z = deflate_payload(write_payload(kFp, rs, 7, k), k);
  PayloadInfo p = read_payload(z, &k.pk);
  ASSERT_TRUE(p.problems.empty()) << p.problems.front();
  EXPECT_GE(p.entries[0].stored_len, 1u);
  EXPECT_EQ(entry_values(z, p, 0), "");
  EXPECT_EQ(device_verdict(z, model_with_decoder(z, k, true)), EIOTA_OK);
}

}  // namespace
