// eiota simulate and build-sim: raw outputs compared, honest verdicts and exit codes, --features
// as a file or a list, the content-keyed object cache, zip entries outside the cache refused, the
// porting layer of SDKs without porting/posix, and build-sim.sh running the CLI it is given.
#include <gtest/gtest.h>
#include <zip.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using namespace eiota::test;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

class Dir {
 public:
  explicit Dir(const std::string& name) : dir_(std::string(EIOTA_BINARY_DIR) + "/simulate-runs/" + name) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  std::string operator/(const std::string& f) const { return dir_ + "/" + f; }
  std::string sh(const std::string& cmd) const { return "cd '" + dir_ + "' && " + cmd; }

 private:
  std::string dir_;
};

const std::string kGen2024 = kGen + " --era 2024 --layout cpp --name demo --synthetic fc-int8 ";

fs::path model_file(const std::string& exp) {
  for (const auto& e : fs::directory_iterator(exp + "/tflite-model"))
    if (e.path().string().find("_compiled.cpp") != std::string::npos) return e.path();
  return {};
}

// The "  compile X" lines of a build's progress output.
std::vector<std::string> compiled(const std::string& out) {
  std::vector<std::string> v;
  std::istringstream in(out);
  std::string l;
  while (std::getline(in, l))
    if (l.rfind("  compile ", 0) == 0) v.push_back(l.substr(10));
  return v;
}

void deploy(const Dir& w) {
  ASSERT_EQ(run(w.sh(kCli + " patch old -o patched --key k.key")).code, 0);
  Result k = run(w.sh(kCli + " pack --base patched new -o update.eiota --key k.key"));
  ASSERT_EQ(k.code, 0) << k.out;
}

TEST(Simulate, ComparesRawOutputsAndReportsInputErrorsApart) {
  Dir w("verdicts");
  ASSERT_EQ(run(w.sh(kGen2024 + "--out old")).code, 0);
  ASSERT_EQ(run(w.sh(kGen2024 + "--perturb 8 --out new")).code, 0);
  deploy(w);
  std::string sim = kCli + " simulate --base patched --payload update.eiota --cache cache ";

  Result list = run(w.sh(sim + "--expect new --features '0.5, -0.25, 1, 0, 0.125, -1, 0.75, 0.3'"));
  EXPECT_EQ(list.code, 0) << list.out;
  EXPECT_NE(list.out.find("raw 0.0 int8 1x4 4 "), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("identical"), std::string::npos) << list.out;

  spit(w / "f.csv", "0.5\n-0.25\n1\n0\n0.125\n-1\n0.75\n0.3\n");
  Result file = run(w.sh(sim + "--expect new --features f.csv"));
  EXPECT_EQ(file.code, 0) << file.out;

  Result bad = run(w.sh(sim + "--expect new --features 1,x"));
  EXPECT_EQ(bad.code, 5) << bad.out;
  EXPECT_NE(bad.out.find("input error: --features '1,x': no such file, and not a comma-separated list"), std::string::npos) << bad.out;
  EXPECT_EQ(bad.out.find("DIFFERENT"), std::string::npos) << bad.out;

  Result count = run(w.sh(sim + "--expect new --features 1,2,3"));
  EXPECT_EQ(count.code, 5) << count.out;
  EXPECT_NE(count.out.find("--features: 3 values given, the deployed model takes 8 (EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE)"),
            std::string::npos) << count.out;
  EXPECT_EQ(count.out.find("compil"), std::string::npos) << "said before building: " << count.out;

  // A real sample as a list is longer than a file name may be: still a list, never an exception.
  std::string longlist = "1.5";
  for (int i = 1; i < 375; i++) longlist += ",1.5";
  Result longer = run(w.sh(sim + "--expect new --features " + longlist));
  EXPECT_EQ(longer.code, 5) << longer.out;
  EXPECT_NE(longer.out.find("eiota simulate: input error: --features: 375 values given"), std::string::npos) << longer.out;

  Result missing = run(w.sh(kCli + " simulate --base patched --payload nothing.eiota --cache cache --expect new"));
  EXPECT_EQ(missing.code, 5) << missing.out;
  EXPECT_NE(missing.out.find("nothing.eiota"), std::string::npos) << missing.out;

  Result no_expect = run(w.sh(sim));
  EXPECT_EQ(no_expect.code, 4) << no_expect.out;
  EXPECT_NE(no_expect.out.find("nothing compared: give --expect"), std::string::npos) << no_expect.out;
}

TEST(Simulate, NothingComparedWhenRunClassifierFailsEverywhere) {
  Dir w("failing");
  ASSERT_EQ(run(w.sh(kGen2024 + "--out old")).code, 0);
  ASSERT_EQ(run(w.sh(kGen2024 + "--perturb 8 --out new")).code, 0);
  // An impulse whose DSP block does not produce what the model takes: run_classifier fails.
  for (const char* e : {"old", "new"}) {
    fs::path meta = fs::path(w / e) / "model-parameters/model_metadata.h";
    std::string t = slurp(meta);
    t = std::regex_replace(t, std::regex("EI_CLASSIFIER_NN_INPUT_FRAME_SIZE +8"), "EI_CLASSIFIER_NN_INPUT_FRAME_SIZE 9");
    spit(meta, t);
  }
  deploy(w);
  Result r = run(w.sh(kCli + " simulate --base patched --payload update.eiota --cache cache --expect new"));
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_NE(r.out.find("nothing compared: deployed, factory values: run_classifier failed"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("identical"), std::string::npos) << r.out;
}

// new = old with the first layer's weights for feature 0 changed: with feature 0 at 0 (its
// quantized value is the zero point), those weights multiply zero and no output can move.
TEST(Simulate, SaysWhenTheInputsDoNotExerciseTheChangedValues) {
  Dir w("saturate");
  ASSERT_EQ(run(w.sh(kGen2024 + "--out old")).code, 0);
  fs::copy(w / "old", w / "new", fs::copy_options::recursive);
  fs::path model = model_file(w / "new");
  std::string t = slurp(model);
  size_t at = t.find("tensor_data1[16*8] = {");
  ASSERT_NE(at, std::string::npos);
  size_t open = t.find('{', at), close = t.find('}', open);
  std::istringstream in(t.substr(open + 1, close - open - 1));
  std::string list, tok;
  for (int i = 0; std::getline(in, tok, ','); i++) {
    if (tok.find_first_of("-0123456789") == std::string::npos) continue;
    int v = std::stoi(tok);
    if (i % 8 == 0) v = v > 0 ? v - 100 : v + 100;
    list += std::to_string(v) + ", ";
  }
  spit(model, t.substr(0, open + 1) + list + t.substr(close));
  deploy(w);
  std::string sim = kCli + " simulate --base patched --payload update.eiota --cache cache --expect new ";
  Result zero = run(w.sh(sim + "--features 0,0.5,1,-1,0.25,0.75,-0.5,0.125"));
  EXPECT_EQ(zero.code, 4) << zero.out;
  EXPECT_NE(zero.out.find("inputs saturate the model"), std::string::npos) << zero.out;
  EXPECT_NE(zero.out.find("--features"), std::string::npos) << zero.out;
  Result moved = run(w.sh(sim + "--features 1,0.5,1,-1,0.25,0.75,-0.5,0.125"));
  EXPECT_EQ(moved.code, 0) << moved.out;
}

// A library with a second EON model file that run_classifier never runs (as in a multi-impulse
// library, `X_compiled_Y.cpp`): its values are replaced but not exercised, so nothing is proven.
TEST(Simulate, ALearnBlockThatNeverRanIsNotCalledIdentical) {
  Dir w("not-run");
  const std::string gen = kGen + " --era 2021 --layout cpp --name demo --synthetic fc-int8 ";
  ASSERT_EQ(run(w.sh(gen + "--out old")).code, 0);
  ASSERT_EQ(run(w.sh(gen + "--perturb 3 --out new")).code, 0);
  for (const char* d : {"old", "new"}) {  // the same model again, under other names
    std::string m = std::string(d) + "/tflite-model/trained_model_compiled";
    const std::string rename = "sed 's/trained_model_/trained_model_extra_/g; s/TRAINED_MODEL_COMPILED/TRAINED_MODEL_EXTRA_COMPILED/g; "
                               "s/trained_model_extra_compiled\\.h/trained_model_compiled_extra.h/'";
    ASSERT_EQ(run(w.sh(rename + " " + m + ".cpp > " + m + "_extra.cpp && " + rename + " " + m + ".h > " + m + "_extra.h")).code, 0);
  }
  deploy(w);
  Result r = run(w.sh(kCli + " simulate --base patched --payload update.eiota --expect new --cache cache"));
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_NE(r.out.find("run_classifier never ran learn block trained_model_extra"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("identical"), std::string::npos) << r.out;
}

TEST(BuildSim, ObjectsAreKeptByContent) {
  Dir w("cache");
  ASSERT_EQ(run(w.sh(kGen2024 + "--out a")).code, 0);
  ASSERT_EQ(run(w.sh(kGen2024 + "--perturb 3 --out b")).code, 0);
  ASSERT_EQ(run(w.sh(kGen2024 + "--perturb 4 --out c")).code, 0);
  std::string build = kCli + " build-sim --objects objects ";
  Result a = run(w.sh(build + "a sim-a"));
  ASSERT_EQ(a.code, 0) << a.out;
  EXPECT_GT(compiled(a.out).size(), 10u) << a.out;
  EXPECT_NE(a.out.find("eiota: building sim-a: compiling"), std::string::npos) << a.out;

  // Export b shares the SDK: only its model files (and the simulator's files that include them) compile.
  Result b = run(w.sh(build + "b sim-b"));
  ASSERT_EQ(b.code, 0) << b.out;
  std::string model = model_file(w / "b").filename().string();
  auto got = compiled(b.out);
  EXPECT_NE(std::find(got.begin(), got.end(), model), got.end()) << b.out;
  for (const auto& f : got)
    EXPECT_TRUE(f == model || f == "sim_main.cpp" || f.find("_capture.cpp") != std::string::npos) << f << " compiled again\n" << b.out;

  // Nothing to compile: no progress line at all.
  Result again = run(w.sh(build + "a sim-a"));
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(again.out, "");

  // Another model file at a's path, older than a's objects (as unzip or cp -p leave it): rebuilt.
  Result before = run(w.sh("./sim-a"));
  fs::path target = model_file(w / "a");
  fs::copy_file(model_file(w / "c"), target, fs::copy_options::overwrite_existing);
  fs::last_write_time(target, fs::last_write_time(target) - std::chrono::hours(24 * 365));
  Result c = run(w.sh(build + "a sim-a"));
  ASSERT_EQ(c.code, 0) << c.out;
  got = compiled(c.out);
  EXPECT_NE(std::find(got.begin(), got.end(), target.filename().string()), got.end()) << c.out;
  Result after = run(w.sh("./sim-a"));
  EXPECT_NE(before.out, after.out);
  ASSERT_EQ(run(w.sh(build + "c sim-c")).code, 0);
  EXPECT_EQ(after.out, run(w.sh("./sim-c")).out);
}

// Copies `zip` to `out` adding entries (name -> contents).
void add_to_zip(const std::string& zip, const std::string& out, const std::vector<std::pair<std::string, std::string>>& add) {
  fs::copy_file(zip, out, fs::copy_options::overwrite_existing);
  int err = 0;
  zip_t* z = zip_open(out.c_str(), 0, &err);
  ASSERT_NE(z, nullptr);
  for (const auto& [name, data] : add) {
    zip_source_t* s = zip_source_buffer(z, data.data(), data.size(), 0);
    ASSERT_GE(zip_file_add(z, name.c_str(), s, ZIP_FL_OVERWRITE), 0) << zip_strerror(z);
  }
  ASSERT_EQ(zip_close(z), 0);
}

TEST(BuildSim, RefusesZipEntriesOutsideTheCacheAndDropsStaleOnes) {
  Dir w("zip");
  ASSERT_EQ(run(w.sh(kGen2024 + "--zip --out lib.zip")).code, 0);
  static const std::string evil = "../../../escaped-by-zip.txt";
  add_to_zip(w / "lib.zip", w / "slip.zip", {{evil, "x"}});
  Result r = run(w.sh(kCli + " build-sim slip.zip out/sim"));
  EXPECT_NE(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("escaped-by-zip.txt"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(fs::path(w / "out/sim.objs/src") / evil));
  EXPECT_FALSE(fs::exists(w / "escaped-by-zip.txt"));
  std::string absolute = fs::absolute(w / "absolute-by-zip.txt").string();
  add_to_zip(w / "lib.zip", w / "abs.zip", {{absolute, "x"}});
  EXPECT_NE(run(w.sh(kCli + " build-sim abs.zip out/abs")).code, 0);
  EXPECT_FALSE(fs::exists(absolute));

  // A file only the first zip had is not compiled with the second one (both define one symbol).
  std::string root;
  {
    int err = 0;
    zip_t* z = zip_open((w / "lib.zip").c_str(), ZIP_RDONLY, &err);
    ASSERT_NE(z, nullptr);
    for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); i++) {
      std::string n = zip_get_name(z, i, 0);
      size_t at = n.find("model-parameters/");
      if (at != std::string::npos) root = n.substr(0, at);
    }
    zip_close(z);
  }
  add_to_zip(w / "lib.zip", w / "one.zip", {{root + "tflite-model/extra_one.cpp", "int eiota_test_extra = 1;\n"}});
  add_to_zip(w / "lib.zip", w / "two.zip", {{root + "tflite-model/extra_two.cpp", "int eiota_test_extra = 2;\n"}});
  Result one = run(w.sh(kCli + " build-sim one.zip out/same"));
  ASSERT_EQ(one.code, 0) << one.out;
  Result two = run(w.sh(kCli + " build-sim two.zip out/same"));
  EXPECT_EQ(two.code, 0) << two.out;
}

// A 2021-22 Arduino library: no porting/posix and no port of its own, and TFLite Micro logs
// through DebugLog(const char*), which the port must define.
TEST(BuildSim, PortsAnSdkWithoutPortingPosix) {
  Dir w("porting");
  ASSERT_EQ(run(w.sh(kGen + " --era 2021 --layout arduino --name demo --synthetic fc-int8 --out lib")).code, 0);
  fs::path sdk = fs::path(w / "lib") / "src/edge-impulse-sdk";
  ASSERT_TRUE(fs::exists(sdk / "porting/ei_classifier_porting.cpp"));
  // The fake SDK's aligned allocator lives in its port; real SDKs have it in a header.
  std::string port = slurp(sdk / "porting/ei_classifier_porting.cpp");
  port = std::regex_replace(port, std::regex("#include \"ei_classifier_porting.h\""),
                            "#include \"edge-impulse-sdk/porting/ei_classifier_porting.h\"");
  fs::remove(sdk / "porting/ei_classifier_porting.cpp");
  spit(sdk / "classifier/ei_aligned_alloc.cpp", port);
  spit(sdk / "tensorflow/lite/micro/debug_log.h",
       "#ifndef DEBUG_LOG_H\n#define DEBUG_LOG_H\n#if defined(__cplusplus) && EI_C_LINKAGE == 1\n"
       "extern \"C\" void DebugLog(const char* s);\n#else\nvoid DebugLog(const char* s);\n#endif\n#endif\n");
  spit(sdk / "tensorflow/lite/micro/micro_error_reporter.cpp",
       "#include \"edge-impulse-sdk/tensorflow/lite/micro/debug_log.h\"\nvoid eiota_test_log() { DebugLog(\"log\\n\"); }\n");
  Result b = run(w.sh(kCli + " build-sim lib sim"));
  ASSERT_EQ(b.code, 0) << b.out;
  Result r = run(w.sh("./sim"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("raw 0.0 int8"), std::string::npos) << r.out;
}

TEST(BuildSim, ScriptRunsTheCliItIsGiven) {
  Dir w("script");
  spit(w / "fake-cli", "#!/bin/sh\necho \"fake cli: $*\"\n");
  fs::permissions(w / "fake-cli", fs::perms::owner_all);
  Result r = run(w.sh("EIOTA_CLI='" + (w / "fake-cli") + "' bash " + kSource + "/scripts/build-sim.sh exp out"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("fake cli: build-sim exp out"), std::string::npos) << r.out;
}

}  // namespace
