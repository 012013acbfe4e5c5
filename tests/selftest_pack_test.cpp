// pack --selftest on a generated fixture: the block's expected outputs are what the retrained
// export computes (checked against build-sim of it, independently of the glue), the payload
// reader understands 1.1, the device reader judges it (eiota verify), wrong feature counts are
// refused before any build, and without --selftest pack writes a 1.0 payload.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "eiota_errors.h"
#include "eiota_selftest.h"
#include "export_files.h"
#include "keys.h"
#include "manifest.h"
#include "payload.h"
#include "selftest.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace eiota::test;
using namespace eiota::host;

namespace {

// Until device/eiota_update.cpp reads the extra data (data_len = sum(stored_len) + extra_len),
// a device refuses every 1.1 payload with "size mismatch".
const char* kNoDeviceExtra =
    "device/eiota_update.cpp does not accept EIOTA_FLAG_EXTRA yet (the data section is "
    "sum(stored_len) + extra_len bytes; it checks data_len == sum(stored_len)): the lead's change";

const std::string kSamples = "0.5, -0.25, 1, 0, 0.125, -1, 0.75, 0.3\n"
                             "1 1 1 1 -1 -1 -1 -1\n"
                             "\n"
                             "0.9,0.1,-0.4,0.6,0.2,-0.8,0.05,1\n";

struct Work {
  fs::path dir;
  explicit Work(const std::string& name) : dir(fs::path(EIOTA_BINARY_DIR) / "selftest-runs" / name) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  std::string operator/(const std::string& f) const { return (dir / f).string(); }
  Result sh(const std::string& cmd) const { return run("cd '" + dir.string() + "' && " + cmd); }
};

// A deployed library (patched) and a retrain of it (new), with a K-means block so the anomaly
// score is an output too.
void deploy(const Work& w) {
  std::string gen = kGen + " --era 2024 --layout cpp --name demo --synthetic fc-int8 --anomaly kmeans ";
  ASSERT_EQ(w.sh(gen + "--out old").code, 0);
  ASSERT_EQ(w.sh(gen + "--perturb 8 --out new").code, 0);
  Result p = w.sh(kCli + " patch old -o patched --key k.key");
  ASSERT_EQ(p.code, 0) << p.out;
  std::ofstream(w / "samples.txt") << kSamples;
}

uint32_t hex32(const std::string& s) { return (uint32_t)std::stoul(s.substr(0, 2) == "0x" ? s.substr(2) : s, nullptr, 16); }

// What the retrained export computes for each sample, read from build-sim's ordinary output
// (label lines, then the anomaly line), not through the self-test glue.
std::vector<std::vector<uint32_t>> reference_outputs(const Work& w) {
  Result b = w.sh(kCli + " build-sim new sim-new --objects '" + (w / "cache") + "/objects'");
  EXPECT_EQ(b.code, 0) << b.out;
  std::vector<std::vector<uint32_t>> out;
  for (const auto& s : read_selftest_samples(w / "samples.txt", 8)) {
    std::string csv;
    for (float f : s) {
      char buf[32];
      snprintf(buf, sizeof buf, "%.9g\n", f);
      csv += buf;
    }
    std::ofstream(w / "one.csv") << csv;
    Result r = w.sh("./sim-new --features one.csv");
    EXPECT_EQ(r.code, 0) << r.out;
    std::vector<uint32_t> bits;
    std::istringstream in(r.out);
    std::string line;
    bool results = false;
    while (std::getline(in, line)) {
      if (line.rfind("run_classifier:", 0) == 0) results = true;
      if (!results || line.rfind("run_classifier:", 0) == 0 || line.rfind("raw ", 0) == 0) continue;
      std::istringstream l(line);
      std::string label, value, hex;
      if (l >> label >> value >> hex && hex.rfind("0x", 0) == 0) bits.push_back(hex32(hex));
    }
    out.push_back(bits);
  }
  return out;
}

// The expected outputs of each sample of a block, as float bits.
std::vector<std::vector<uint32_t>> block_outputs(const std::string& block, eiota_selftest_header* h) {
  const uint8_t* p = (const uint8_t*)block.data();
  EXPECT_EQ(eiota_selftest_decode(p, block.size(), (uint32_t)block.size(), h), EIOTA_SELFTEST_OK);
  std::vector<std::vector<uint32_t>> out;
  size_t at = EIOTA_SELFTEST_HEADER_LEN;
  for (uint32_t s = 0; s < h->sample_count; s++) {
    at += 4 * h->input_count;
    std::vector<uint32_t> o;
    for (uint32_t k = 0; k < h->output_count; k++, at += 4) o.push_back(eiota::get_u32(p + at));
    out.push_back(o);
  }
  return out;
}

TEST(SelftestPack, ExpectedOutputsAreWhatTheRetrainedExportComputes) {
  Work w("outputs");
  deploy(w);
  auto samples = read_selftest_samples(w / "samples.txt", 8);
  ASSERT_EQ(samples.size(), 3u);
  auto outputs = selftest_outputs(w / "new", samples, w / "cache");
  std::string block = selftest_block(samples, outputs, 0);
  eiota_selftest_header h{};
  auto got = block_outputs(block, &h);
  auto want = reference_outputs(w);
  EXPECT_EQ(h.sample_count, 3u);
  EXPECT_EQ(h.input_count, 8u);
  ASSERT_EQ(want.size(), 3u);
  EXPECT_EQ(h.output_count, want[0].size());  // labels then the anomaly score
  EXPECT_GE(h.output_count, 2u);
  EXPECT_EQ(got, want);
  // The inputs are the samples' exact floats.
  float first;
  uint32_t u = eiota::get_u32((const uint8_t*)block.data() + 24);
  memcpy(&first, &u, 4);
  EXPECT_EQ(first, 0.5f);
}

TEST(SelftestPack, PayloadCarriesTheBlockAndVerifies) {
  Work w("pack");
  deploy(w);
  Result k = w.sh(kCli + " pack new --base patched -o u.eiota --key k.key --sequence 5 --selftest samples.txt --cache cache");
  ASSERT_EQ(k.code, 0) << k.out;
  EXPECT_NE(k.out.find("self-test: 3 samples, 8 inputs"), std::string::npos) << k.out;
  std::string bytes = read_file(w / "u.eiota");
  Manifest m = load_manifest(w / "patched");
  PayloadInfo p = read_payload(bytes, &m.public_key);
  ASSERT_TRUE(p.problems.empty()) << p.problems[0];
  EXPECT_EQ(p.header.minor, 1);
  EXPECT_EQ(p.header.header_len, 88);
  ASSERT_TRUE(p.selftest);
  eiota_selftest_header h{};
  auto got = block_outputs(bytes.substr(p.extra_offset, p.header.extra_len), &h);
  EXPECT_EQ(p.extra_offset + p.header.extra_len, bytes.size());
  EXPECT_EQ(got, reference_outputs(w));
  Result v = w.sh(kCli + " verify u.eiota --base patched");
  EXPECT_EQ(v.code, 0) << v.out;
  Result i = w.sh(kCli + " inspect u.eiota --base patched");
  EXPECT_EQ(i.code, 0) << i.out;
  EXPECT_NE(i.out.find("eiota payload 1.1"), std::string::npos) << i.out;
  EXPECT_NE(i.out.find("self-test    3 samples, 8 inputs -> " + std::to_string(h.output_count) +
                       " outputs each, tolerance 0 (bit for bit)"),
            std::string::npos)
      << i.out;
  Result j = w.sh(kCli + " inspect u.eiota --base patched --json");
  EXPECT_NE(j.out.find("\"selftest\""), std::string::npos) << j.out;
}

TEST(SelftestPack, ToleranceIsStated) {
  Work w("tolerance");
  deploy(w);
  Result bad = w.sh(kCli + " pack new --base patched -o u.eiota --key k.key --selftest samples.txt --selftest-tolerance -1");
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(bad.out.find("--selftest-tolerance '-1'"), std::string::npos) << bad.out;
  Result k = w.sh(kCli + " pack new --base patched -o u.eiota --key k.key --selftest samples.txt --selftest-tolerance 0.001 --cache cache");
  ASSERT_EQ(k.code, 0) << k.out;
  PayloadInfo p = read_payload(read_file(w / "u.eiota"), nullptr);
  ASSERT_TRUE(p.selftest);
  EXPECT_EQ(p.selftest->tolerance, 0.001f);
}

TEST(SelftestPack, WrongFeatureCountIsRefusedBeforeAnyBuild) {
  Work w("counts");
  deploy(w);
  std::ofstream(w / "short.txt") << "1,2,3,4,5,6,7,8\n1,2,3\n";
  Result r = w.sh(kCli + " pack new --base patched -o u.eiota --key k.key --selftest short.txt --cache cache");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("short.txt line 2: 3 values, the deployed model takes 8"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(w / "cache")) << "built before checking the samples";
  EXPECT_FALSE(fs::exists(w / "u.eiota"));
  Result missing = w.sh(kCli + " pack new --base patched -o u.eiota --key k.key --selftest nope.txt --cache cache");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.out.find("nope.txt"), std::string::npos) << missing.out;
  Result stray = w.sh(kCli + " pack new --base patched -o u.eiota --key k.key --selftest-tolerance 0.1");
  EXPECT_EQ(stray.code, 1);
  EXPECT_NE(stray.out.find("--selftest-tolerance needs --selftest"), std::string::npos) << stray.out;
}

TEST(SelftestPack, WithoutSelftestPackWritesFormat10) {
  Work w("plain");
  deploy(w);
  Result k = w.sh(kCli + " pack new --base patched -o u.eiota --key k.key --sequence 5");
  ASSERT_EQ(k.code, 0) << k.out;
  std::string bytes = read_file(w / "u.eiota");
  const uint8_t* b = (const uint8_t*)bytes.data();
  EXPECT_EQ(b[4], 1);
  EXPECT_EQ(b[5], 0);
  EXPECT_EQ(eiota::get_u16(b + 6), 80);
  EXPECT_EQ(eiota::get_u32(b + 44), 0u);  // flags
  PayloadInfo p = read_payload(bytes, nullptr);
  EXPECT_TRUE(p.problems.empty());
  EXPECT_FALSE(p.selftest);
  EXPECT_EQ(bytes.size(), p.data_offset + p.header.data_len);
  // And byte for byte what write_payload without extra data writes.
  Manifest m = load_manifest(w / "patched");
  SecretKey key = load_secret_key(w / "k.key");
  std::vector<Region> regions;
  size_t at = p.data_offset;
  for (size_t i = 0; i < m.regions.size(); i++) {
    Region r = m.regions[i];
    r.count = p.entries[i].count;
    r.values.assign(bytes.begin() + at, bytes.begin() + at + p.entries[i].stored_len);
    at += p.entries[i].stored_len;
    regions.push_back(r);
  }
  EXPECT_EQ(write_payload(m.fingerprint, regions, 5, key), bytes);
}

// The device reader's verdict on a 1.1 payload, and the host reader's on malformed ones.
TEST(SelftestPack, DeviceAndHostReadersJudge11Payloads) {
  Work w("verdict");
  deploy(w);
  Result k = w.sh(kCli + " pack new --base patched -o plain.eiota --key k.key --sequence 5");
  ASSERT_EQ(k.code, 0) << k.out;
  std::string plain = read_file(w / "plain.eiota");
  PayloadInfo p = read_payload(plain, nullptr);
  Manifest m = load_manifest(w / "patched");
  SecretKey key = load_secret_key(w / "k.key");
  std::vector<Region> regions;
  size_t at = p.data_offset;
  for (size_t i = 0; i < m.regions.size(); i++) {
    Region r = m.regions[i];
    r.count = p.entries[i].count;
    r.values.assign(plain.begin() + at, plain.begin() + at + p.entries[i].stored_len);
    at += p.entries[i].stored_len;
    regions.push_back(r);
  }
  std::string block = selftest_block({{1, 2, 3, 4, 5, 6, 7, 8}}, {{0.25f, 0.75f, 3}}, 0);
  std::string v11 = write_payload(m.fingerprint, regions, 5, key, block);
  PayloadInfo q = read_payload(v11, &m.public_key);
  ASSERT_TRUE(q.problems.empty()) << q.problems[0];
  ASSERT_TRUE(q.selftest);
  EXPECT_EQ(q.selftest->output_count, 3u);
  EXPECT_EQ(q.header.extra_len, block.size());
  EXPECT_EQ(q.header.data_len, plain.size() - p.data_offset + block.size());
  EXPECT_EQ(v11.substr(q.extra_offset), block);

  // A malformed block is a problem the host reader names (the signature and hash still hold).
  std::string bad_block = block;
  eiota::put_u32((uint8_t*)&bad_block[8], 2);  // claims 2 samples, has 1
  PayloadInfo r = read_payload(write_payload(m.fingerprint, regions, 5, key, bad_block), &m.public_key);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("self-test block"), std::string::npos) << r.problems[0];
  // A flag in an 80-byte header, and a reserved word that is not 0, are refused.
  std::string short_header = plain;
  eiota::put_u32((uint8_t*)&short_header[44], EIOTA_FLAG_EXTRA);
  PayloadInfo s = read_payload(short_header, nullptr);
  ASSERT_FALSE(s.problems.empty());
  EXPECT_NE(s.problems[0].find("needs 88"), std::string::npos) << s.problems[0];
  std::string reserved = v11;
  reserved[84] = 1;
  PayloadInfo t = read_payload(reserved, nullptr);
  ASSERT_FALSE(t.problems.empty());
  EXPECT_NE(t.problems[0].find("84"), std::string::npos) << t.problems[0];

  std::ofstream(w / "v11.eiota", std::ios::binary) << v11;
  int device = device_verdict(v11, device_model(m, m.public_key));
  EXPECT_EQ(device, EIOTA_OK) << eiota_strerror(device);
  Result v = w.sh(kCli + " verify v11.eiota --base patched");
  EXPECT_EQ(v.code, 0) << v.out;
  Result vk = w.sh(kCli + " verify v11.eiota --key k.key");
  EXPECT_EQ(vk.code, 0) << vk.out;
}

}  // namespace
