// `eiota pack --delta-from` (format 1.2) on generated fine-tuning pairs (eiota-fixture-gen
// --perturb S --tune-last N): a delta on the factory values or on a release the fleet runs,
// judged by the device reader applying it; verify and inspect describe it; and the refusals.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using namespace eiota::test;

struct Dir {
  fs::path path;
  explicit Dir(const std::string& name) : path(fs::path(EIOTA_BINARY_DIR) / "delta_pack_work" / name) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  Result sh(const std::string& cmd) const { return run("cd " + path.string() + " && " + cmd); }
  size_t size(const std::string& f) const { return (size_t)fs::file_size(path / f); }
};

// The deployed library (fc-int8, patched), a full retrain (release 1) and two fine-tunings.
void setup(const Dir& d, const std::string& model = "fc-int8-large") {
  const std::string g = kGen + " --synthetic " + model + " --era 2025 ";
  for (const std::string& c : {g + "--out base", g + "--perturb 3 --out v1", g + "--perturb 4 --tune-last 1 --out t1",
                               g + "--perturb 5 --tune-last 2 --out t2"}) {
    Result r = d.sh(c);
    ASSERT_EQ(r.code, 0) << c << "\n" << r.out;
  }
  Result r = d.sh(kCli + " patch base -o lib --key k.key --no-check");
  ASSERT_EQ(r.code, 0) << r.out;
  r = d.sh(kCli + " pack v1 --base lib --key k.key --sequence 1 -o v1.eiota");
  ASSERT_EQ(r.code, 0) << r.out;
}

TEST(DeltaPack, OnTheFactoryValuesAndOnARelease) {
  Dir d("factory_release");
  setup(d);
  if (HasFatalFailure()) return;
  // The generated table carries the factory digest the device checks a delta on factory against.
  Result r = d.sh("grep -rl kFactoryDigest lib");
  ASSERT_EQ(r.code, 0) << r.out;
  r = d.sh(kCli + " pack t1 --base lib --key k.key --sequence 2 -o t1.full");
  ASSERT_EQ(r.code, 0) << r.out;
  r = d.sh(kCli + " pack t1 --base lib --key k.key --sequence 2 -o t1.delta --delta-from factory");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("kept out"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(delta)"), std::string::npos) << r.out;
  EXPECT_LT(d.size("t1.delta") * 50, d.size("t1.full")) << r.out;  // one dense layer of ~300 KB

  r = d.sh(kCli + " verify t1.delta --base lib");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("a delta on the factory values"), std::string::npos) << r.out;
  r = d.sh(kCli + " verify t1.delta --key k.pub");  // without the library: the payload's own table stands for it
  EXPECT_EQ(r.code, 0) << r.out;
  r = d.sh(kCli + " inspect t1.delta --base lib --json");
  ASSERT_EQ(r.code, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format"], "1.2");
  EXPECT_EQ(j["delta"]["base_sequence"], 0);
  EXPECT_EQ(j["ok"], true);
  EXPECT_LT(j["regions"].size(), 10u);

  // On release 1, which the fleet runs: everything the full retrain moved and t2 did not keep.
  r = d.sh(kCli + " pack t2 --base lib --key k.key --sequence 3 -o t2.delta --delta-from v1.eiota");
  ASSERT_EQ(r.code, 0) << r.out;
  r = d.sh(kCli + " inspect t2.delta --base lib --json");
  ASSERT_EQ(r.code, 0) << r.out;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["delta"]["base_sequence"], 1);

  // A tampered delta fails verify.
  std::string bytes;
  {
    std::ifstream in(d.path / "t1.delta", std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[bytes.size() - 1] ^= 1;
  std::ofstream(d.path / "bad.delta", std::ios::binary) << bytes;
  r = d.sh(kCli + " verify bad.delta --base lib");
  EXPECT_EQ(r.code, 1) << r.out;
}

TEST(DeltaPack, Refusals) {
  Dir d("refusals");
  setup(d, "fc-int8");
  if (HasFatalFailure()) return;
  // Nothing changed: exit 2, nothing written.
  Result r = d.sh(kCli + " pack base --base lib --key k.key --sequence 2 -o same.delta --delta-from factory");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("changes no value"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(d.path / "same.delta"));
  // A delta as the base: the full payload of that release is needed.
  r = d.sh(kCli + " pack t1 --base lib --key k.key --sequence 2 -o t1.delta --delta-from factory");
  ASSERT_EQ(r.code, 0) << r.out;
  r = d.sh(kCli + " pack t2 --base lib --key k.key --sequence 3 -o x.delta --delta-from t1.delta");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("itself a delta"), std::string::npos) << r.out;
  // The sequence must be above the base's.
  r = d.sh(kCli + " pack t2 --base lib --key k.key --sequence 1 -o x.delta --delta-from v1.eiota");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("not above the base"), std::string::npos) << r.out;
  // A library patched before 1.2 has no factory digest: no delta on factory.
  r = d.sh("python3 -c \"import json,sys; p='lib/eiota-manifest.json'; j=json.load(open(p)); j.pop('factory_digest');"
           " [x.pop('factory_sha256') for x in j['regions']]; json.dump(j, open('old.json','w'))\"");
  ASSERT_EQ(r.code, 0) << r.out;
  r = d.sh(kCli + " pack t1 --base old.json --key k.key --sequence 2 -o x.delta --delta-from factory");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("patched before format 1.2"), std::string::npos) << r.out;
  r = d.sh(kCli + " pack t1 --base old.json --key k.key --sequence 2 -o x.delta --delta-from v1.eiota");
  EXPECT_EQ(r.code, 0) << r.out;  // on a release it needs no factory digest
}

}  // namespace
