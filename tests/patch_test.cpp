// `eiota patch` checks its own output: the rewritten files compile, the reserve and RAM figures
// are what it says, and pack refuses manifests it cannot trust.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "eiota_format.h"
#include "manifest.h"

#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using namespace eiota::test;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

size_t count_of(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) n++;
  return n;
}

class Patch : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(EIOTA_BINARY_DIR) + "/patch_work/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  std::string operator/(const std::string& f) const { return dir_ + "/" + f; }
  std::string sh(const std::string& cmd) const { return "cd '" + dir_ + "' && " + cmd; }
  void gen(const std::string& era, const std::string& src, const std::string& out) {
    Result g = run(sh(kGen + " --era " + era + " --layout arduino --name demo " + src + " --out " + out));
    ASSERT_EQ(g.code, 0) << g.out;
  }
  size_t printed_ram(const std::string& out) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(out, m, std::regex("working copy in RAM: ([0-9]+) bytes"))) << out;
    return m.empty() ? 0 : std::stoul(m[1]);
  }
  std::string dir_;
};

// A 2025 export declares its result config `const` with two replaceable fields: the `const` is
// removed once, and the patched library compiles (checked by patch, and built here).
TEST_F(Patch, ConstConfigWithTwoFieldsIsMadeWritableOnce) {
  gen("2025", "--synthetic fc-int8", "old");
  std::string vars = slurp(*this / "old/src/model-parameters/model_variables.h");
  ASSERT_NE(vars.find("const ei_fill_result_classification_i8_config_t"), std::string::npos);
  Result p = run(sh(kCli + " patch old -o patched --key k.key"));
  ASSERT_EQ(p.code, 0) << p.out;
  EXPECT_NE(p.out.find("compiled "), std::string::npos) << p.out;
  std::string patched = slurp(*this / "patched/src/model-parameters/model_variables.h");
  EXPECT_EQ(count_of(patched, "/* eiota: writable */"), 1u);
  EXPECT_EQ(count_of(patched, "ota: writable */ota"), 0u);
  EXPECT_NE(patched.find("/* eiota: writable */ ei_fill_result_classification_i8_config_t"), std::string::npos);
  Result b = run(sh(kCli + " build-sim patched dev"));
  ASSERT_EQ(b.code, 0) << b.out;
  Result d = run(sh("./dev"));
  EXPECT_NE(d.out.find("run_classifier: 0"), std::string::npos) << d.out;
}

// A patched file that does not compile is an error naming the file and the compiler's message;
// nothing is written.
TEST_F(Patch, ACompileFailureIsAnErrorAndNothingIsWritten) {
  gen("2025", "--synthetic fc-int8", "old");
  std::string path = *this / "old/src/model-parameters/model_variables.h";
  std::string vars = slurp(path);
  vars.insert(vars.rfind("#endif"), "int eiota_same_type = 0;  // a name eiota's additions also use\n");
  std::ofstream(path) << vars;
  Result p = run(sh(kCli + " patch old -o patched --key k.key"));
  EXPECT_EQ(p.code, 1) << p.out;
  EXPECT_NE(p.out.find("the patched src/model-parameters/model_variables.h does not compile"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("eiota_same_type"), std::string::npos) << p.out;
  EXPECT_FALSE(fs::exists(*this / "patched"));
  // --no-check skips the compile (and says so)
  Result n = run(sh(kCli + " patch old -o patched --key k.key --no-check"));
  EXPECT_EQ(n.code, 0) << n.out;
  EXPECT_NE(n.out.find("not compiled: --no-check"), std::string::npos) << n.out;
}

TEST_F(Patch, WithoutACompilerItSaysNotCompiled) {
  gen("2024", "--synthetic fc-int8", "old");
  Result p = run(sh("PATH=/nonexistent " + kCli + " patch old -o patched --key k.key"));
  ASSERT_EQ(p.code, 0) << p.out;
  EXPECT_NE(p.out.find("not compiled: no g++ found"), std::string::npos) << p.out;
  EXPECT_EQ(p.out.find("compiled 1"), std::string::npos) << p.out;
}

// The RAM figure counts every working copy (2021: quantization macros too), and working copies
// of quantization arrays are zero-initialised (no second copy in flash).
TEST_F(Patch, RamFigureCountsEveryRegionAndWorkingCopiesAreZeroInitialised) {
  gen("2021", "--synthetic fc-int8", "old");
  Result p = run(sh(kCli + " patch old -o patched --key k.key"));
  ASSERT_EQ(p.code, 0) << p.out;
  auto m = eiota::host::load_manifest(*this / "patched");
  size_t want = 0, macros = 0;
  for (const auto& r : m.regions) {
    want += (size_t)r.count * eiota::elem_size(r.elem_type);
    macros += r.kind == eiota::host::Region::kMacro;
  }
  EXPECT_GT(macros, 0u);
  EXPECT_EQ(printed_ram(p.out), want);
  for (const auto& e : fs::directory_iterator(*this / "patched/src/tflite-model")) {
    if (!e.path().string().ends_with("_compiled.cpp")) continue;  // the model file, not the runtime beside it
    std::string text = slurp(e.path().string());
    EXPECT_FALSE(std::regex_search(text, std::regex("EIOTA_RAM_ATTR TfArray<[^;]*="))) << e.path();
    EXPECT_TRUE(std::regex_search(text, std::regex("reinterpret_cast<int\\*>\\(&eiota_ram::scale_[0-9]+\\) = [0-9]+;"))) << e.path();
  }
}

// A TFLite-interpreter export: the whole model as a byte array.
void write_interp(const std::string& dir, const std::string& tflite) {
  std::string bytes = slurp(tflite);
  fs::create_directories(dir + "/tflite-model");
  fs::create_directories(dir + "/model-parameters");
  std::ofstream(dir + "/model-parameters/model_metadata.h") << "#define EI_CLASSIFIER_TFLITE_ARENA_SIZE 18822\n";
  std::ofstream h(dir + "/tflite-model/tflite-trained.h");
  h << "#ifndef TRAINED_H\n#define TRAINED_H\nconst unsigned char trained_tflite[] = {\n";
  char b[8];
  for (unsigned char c : bytes) {
    snprintf(b, sizeof b, "0x%02x,", c);
    h << b;
  }
  h << "\n};\nunsigned int trained_tflite_len = " << bytes.size() << ";\n#endif\n";
}

uint32_t model_capacity(const std::string& lib) {
  for (const auto& r : eiota::host::load_manifest(lib).regions)
    if (r.kind == eiota::host::Region::kModel) return r.count;
  return 0;
}

TEST_F(Patch, ReserveZeroMeansNoRoomAndTheReserveIsPrinted) {
  std::string tflite = kShared + "/tflite/ei-kws-v1.tflite";
  if (!fs::exists(tflite)) GTEST_SKIP() << tflite << " absent";
  size_t size = fs::file_size(tflite);
  write_interp(*this / "v1", tflite);
  Result zero = run(sh(kCli + " patch v1 -o p0 --key k.key --reserve 0"));
  ASSERT_EQ(zero.code, 0) << zero.out;
  EXPECT_EQ(model_capacity(*this / "p0"), (size + 15) / 16 * 16);
  EXPECT_NE(zero.out.find("reserved for retrained models to grow: " + std::to_string((size + 15) / 16 * 16 - size) + " bytes\n"),
            std::string::npos) << zero.out;
  Result def = run(sh(kCli + " patch v1 -o pd --key k.key"));
  ASSERT_EQ(def.code, 0) << def.out;
  uint32_t cap = model_capacity(*this / "pd");
  EXPECT_EQ(cap, (size + size / 4 + 15) / 16 * 16);
  EXPECT_NE(def.out.find("reserved for retrained models to grow: " + std::to_string(cap - size) + " bytes (default"),
            std::string::npos) << def.out;
  EXPECT_EQ(printed_ram(def.out), cap + 4u);  // the model and its length
}

TEST_F(Patch, ReserveOnAnEonExportSaysItDoesNotApply) {
  gen("2024", "--synthetic fc-int8", "old");
  Result p = run(sh(kCli + " patch old -o patched --key k.key --reserve 4096"));
  ASSERT_EQ(p.code, 0) << p.out;
  EXPECT_NE(p.out.find("--reserve does not apply to an EON export"), std::string::npos) << p.out;
}

void replace_in(const std::string& path, const std::regex& re, const std::string& with) {
  std::string text = slurp(path);
  std::ofstream(path) << std::regex_replace(text, re, with, std::regex_constants::format_first_only);
}

TEST_F(Patch, PackRefusesAManifestWithAnUnknownKindOrNoRegions) {
  gen("2024", "--synthetic fc-int8", "old");
  gen("2024", "--synthetic fc-int8 --perturb 3", "new");
  ASSERT_EQ(run(sh(kCli + " patch old -o patched --key k.key")).code, 0);
  std::string man = *this / "patched/eiota-manifest.json";
  std::string good = slurp(man);
  ASSERT_EQ(run(sh(kCli + " pack --base patched new -o ok.eiota --key k.key")).code, 0);

  replace_in(man, std::regex("\"kind\": \"scale\""), "\"kind\": \"bogus\"");
  Result k = run(sh(kCli + " pack --base patched new -o x.eiota --key k.key"));
  EXPECT_EQ(k.code, 1) << k.out;
  EXPECT_NE(k.out.find("unknown kind 'bogus'"), std::string::npos) << k.out;
  EXPECT_FALSE(fs::exists(*this / "x.eiota"));

  std::ofstream(man) << good;
  auto parsed = eiota::host::manifest_from_json(good, man);
  parsed.regions.clear();
  std::ofstream(man) << eiota::host::manifest_to_json(parsed);
  ASSERT_NE(slurp(man).find("\"regions\": []"), std::string::npos);
  Result e = run(sh(kCli + " pack --base patched new -o x.eiota --key k.key"));
  EXPECT_EQ(e.code, 1) << e.out;
  EXPECT_NE(e.out.find("lists no regions"), std::string::npos) << e.out;
  EXPECT_FALSE(fs::exists(*this / "x.eiota"));
}

// The manifest records each region's binding; reading it back gives the same table.
TEST_F(Patch, ManifestRecordsTheBindingOfEveryRegion) {
  gen("2025", "--synthetic fc-int8", "old");
  ASSERT_EQ(run(sh(kCli + " patch old -o patched --key k.key")).code, 0);
  auto m = eiota::host::load_manifest(*this / "patched");
  ASSERT_FALSE(m.regions.empty());
  bool field = false;
  for (const auto& r : m.regions) {
    EXPECT_FALSE(r.bind.symbol.empty()) << r.name;
    if (r.kind == eiota::host::Region::kConfig) {
      EXPECT_EQ(r.bind.to, eiota::host::Region::Binding::kField);
      EXPECT_EQ(r.array, r.bind.symbol + "." + r.bind.field);
      field = true;
    }
  }
  EXPECT_TRUE(field);
}

}  // namespace
