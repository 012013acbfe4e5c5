// `eiota verify` and `eiota inspect` judge a payload with the device's own reader: payloads the
// device refuses, even re-signed ones, fail verification with the device's message.
#include <gtest/gtest.h>
#include <sodium.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "eiota_update.h"
#include "manifest.h"
#include "payload.h"

#include "test_support.h"

using namespace eiota::host;
namespace fs = std::filesystem;

namespace {

using namespace eiota::test;

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

class Verify : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    dir = fs::temp_directory_path() / ("eiota-verify-" + std::to_string(getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    key = keygen((dir / "k").string());
    other = keygen((dir / "other").string());
    for (int i = 0; i < 16; i++) manifest.fingerprint[i] = (uint8_t)(3 * i + 1);
    manifest.public_key = key.pk;
    manifest.regions = {shape("b0.t1.data", Region::kData, EIOTA_INT8, 6), shape("b0.t1.scale", Region::kScale, EIOTA_FLOAT32, 2),
                        shape("b0.t1.zero", Region::kZero, EIOTA_INT32, 2)};
    write_file(dir / "m.json", manifest_to_json(manifest));
  }
  void TearDown() override { fs::remove_all(dir); }

  static Region shape(const char* name, Region::Kind kind, uint8_t type, uint32_t count) {
    Region r;
    r.name = name;
    r.kind = kind;
    r.elem_type = type;
    r.count = count;
    return r;
  }
  std::string payload() const {
    std::vector<Region> rs = manifest.regions;
    for (auto& r : rs) r.values.assign(r.count * eiota_elem_size(r.elem_type), 0x11);
    return write_payload(manifest.fingerprint, rs, 4, key);
  }
  // Signs header || table again, as someone holding the key would after editing them.
  static std::string resign(std::string p, const SecretKey& k) {
    eiota_header h;
    EXPECT_EQ(eiota_decode_header((const uint8_t*)p.data(), p.size(), &h), EIOTA_DECODE_OK);
    std::string msg = p.substr(0, 80) + p.substr(144, 16 * h.region_count);
    uint8_t sig[64];
    crypto_sign_detached(sig, nullptr, (const uint8_t*)msg.data(), msg.size(), k.sk.data());
    p.replace(80, 64, (const char*)sig, 64);
    return p;
  }
  Result verify(const std::string& p, const std::string& how) {
    write_file(dir / "u.eiota", p);
    return run(kCli + " verify " + (dir / "u.eiota").string() + " " + how);
  }
  std::string base() const { return "--base " + (dir / "m.json").string(); }
  std::string pub() const { return "--key " + (dir / "k.pub").string(); }

  fs::path dir;
  SecretKey key, other;
  Manifest manifest;
};

TEST_F(Verify, AcceptsWhatTheDeviceAccepts) {
  Result r = verify(payload(), base());
  EXPECT_EQ(r.code, 0) << r.out;
  r = verify(payload(), pub());
  EXPECT_EQ(r.code, 0) << r.out;
  r = verify(payload(), base() + " " + pub());
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST_F(Verify, ReSignedPayloadWithAnotherElementTypeFails) {
  std::string p = payload();
  p[144 + 12] = EIOTA_UINT8;  // entry 0: int8 -> uint8, same size
  p = resign(p, key);
  Result r = verify(p, base());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find(eiota_strerror(EIOTA_ERR_SIZE_MISMATCH)), std::string::npos) << r.out;
}

TEST_F(Verify, ReservedMustBeZero) {
  std::string p = payload();
  p[144 + 16 + 14] = 1;  // entry 1 reserved
  p = resign(p, key);
  for (const std::string& how : {base(), pub()}) {
    Result r = verify(p, how);
    EXPECT_EQ(r.code, 1) << how << "\n" << r.out;
    EXPECT_NE(r.out.find(eiota_strerror(EIOTA_ERR_UNSUPPORTED)), std::string::npos) << r.out;
  }
}

TEST_F(Verify, KeyIdMustBeTheKeys) {
  std::string p = payload();
  eiota_put_u32((uint8_t*)p.data() + 40, key_id(other.pk));  // names another key, signed by ours
  p = resign(p, key);
  for (const std::string& how : {base(), pub()}) {
    Result r = verify(p, how);
    EXPECT_EQ(r.code, 1) << how << "\n" << r.out;
    EXPECT_NE(r.out.find(eiota_strerror(EIOTA_ERR_UNKNOWN_KEY)), std::string::npos) << r.out;
  }
}

TEST_F(Verify, SignedByAnotherKeyFails) {
  std::vector<Region> rs = manifest.regions;
  for (auto& r : rs) r.values.assign(r.count * eiota_elem_size(r.elem_type), 0x22);
  std::string p = write_payload(manifest.fingerprint, rs, 4, other);
  Result r = verify(p, base());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find(eiota_strerror(EIOTA_ERR_UNKNOWN_KEY)), std::string::npos) << r.out;
}

TEST_F(Verify, InspectOfANonPayloadSaysBadMagicOnly) {
  std::string junk(300, '\0');
  for (size_t i = 0; i < junk.size(); i++) junk[i] = (char)(i * 7 + 3);
  write_file(dir / "junk.bin", junk);
  Result r = run(kCli + " inspect " + (dir / "junk.bin").string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("bad magic"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("sequence"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("regions"), std::string::npos) << r.out;
  size_t lines = std::count(r.out.begin(), r.out.end(), '\n');
  EXPECT_EQ(lines, 1u) << r.out;
}

}  // namespace
