// The golden payload of docs/FORMAT.md: rebuilt byte for byte from the fixed key and values the
// page names, and accepted by the device reader.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "eiota_update.h"
#include "payload.h"

using namespace eiota::host;

namespace {

// The fixed values of the golden example, as docs/FORMAT.md lists them.
SecretKey golden_key() {
  uint8_t seed[32];
  for (int i = 0; i < 32; i++) seed[i] = (uint8_t)i;  // 00 01 02 ... 1f
  SecretKey k;
  crypto_sign_seed_keypair(k.pk.data(), k.sk.data(), seed);
  return k;
}

std::array<uint8_t, 16> golden_fingerprint() {
  std::array<uint8_t, 16> fp;
  for (int i = 0; i < 16; i++) fp[i] = (uint8_t)(0xf0 + i);  // f0 f1 ... ff
  return fp;
}

const int8_t kWeights[4] = {1, -2, 3, -4};
const float kScales[2] = {0.5f, -1.25f};
const int32_t kZero[1] = {7};

Region region(uint8_t type, uint32_t count, const void* values) {
  Region r;
  r.elem_type = type;
  r.count = count;
  const uint8_t* p = (const uint8_t*)values;
  r.values.assign(p, p + count * eiota_elem_size(type));
  return r;
}

std::string golden_payload() {
  std::vector<Region> rs = {region(EIOTA_INT8, 4, kWeights), region(EIOTA_FLOAT32, 2, kScales), region(EIOTA_INT32, 1, kZero)};
  return write_payload(golden_fingerprint(), rs, 42, golden_key());
}

std::string hex_dump(const std::string& b) {
  std::string out;
  char buf[4];
  for (size_t i = 0; i < b.size(); i++) {
    std::snprintf(buf, sizeof buf, "%02x", (uint8_t)b[i]);
    out += buf;
    out += (i % 16 == 15 || i + 1 == b.size()) ? "\n" : " ";
  }
  return out;
}

// The hex block after the "golden-payload" marker in docs/FORMAT.md.
std::string doc_bytes() {
  std::ifstream in(std::string(EIOTA_SOURCE_DIR) + "/docs/FORMAT.md");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  size_t mark = doc.find("<!-- golden-payload -->");
  if (mark == std::string::npos) return "";
  size_t open = doc.find("```\n", mark);
  size_t close = doc.find("```", open + 4);
  if (open == std::string::npos || close == std::string::npos) return "";
  std::istringstream hex(doc.substr(open + 4, close - open - 4));
  std::string out, tok;
  while (hex >> tok) {
    if (tok.size() != 2 || !std::isxdigit((unsigned char)tok[0]) || !std::isxdigit((unsigned char)tok[1]))
      return "not hex: " + tok;
    out += (char)std::stoul(tok, nullptr, 16);
  }
  return out;
}

TEST(FormatGolden, DocumentedPayloadIsRebuiltByteForByte) {
  ASSERT_GE(sodium_init(), 0);
  std::string p = golden_payload();
  EXPECT_EQ(p.size(), 144u + 3 * 16 + 4 + 8 + 4);
  std::string doc = doc_bytes();
  EXPECT_EQ(hex_dump(doc), hex_dump(p)) << "docs/FORMAT.md's golden payload should read:\n" << hex_dump(p);
}

TEST(FormatGolden, TheDeviceAcceptsIt) {
  ASSERT_GE(sodium_init(), 0);
  SecretKey k = golden_key();
  DeviceModel m;
  m.fingerprint = golden_fingerprint();
  m.public_key = k.pk;
  m.regions = {{4, EIOTA_INT8, 0}, {2, EIOTA_FLOAT32, 0}, {1, EIOTA_INT32, 0}};
  m.region_count = 3;
  EXPECT_EQ(device_verdict(golden_payload(), m), EIOTA_OK);
  EXPECT_EQ(key_id(k.pk), eiota_get_u32((const uint8_t*)golden_payload().data() + 40));
}

}  // namespace
