// End to end on generated exports: generate deployed and retrained exports, patch, pack, build
// the host simulator from each export's own sources, apply the payload, and compare with what
// the retrained export computes. Also the refusals, each with its message and nothing written.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using namespace eiota::test;

// Tests of real .tflite models need ../shared/fixtures (not in the repository): without it they
// skip, naming the file and the synthetic test that covers the same code path in a fresh clone.
#define SKIP_WITHOUT_REAL_MODEL(file, counterpart)                                                        \
  if (!fs::exists(kShared + "/tflite/" + (file)))                                                          \
  GTEST_SKIP() << "needs the real model " << kShared << "/tflite/" << (file)                               \
               << " (../shared/fixtures or EIOTA_SHARED_FIXTURES, not in the repository); " << (counterpart) \
               << " covers this path without it"

// Lines of the simulator output without the "apply"/"restore" status lines.
std::string outputs(const std::string& s) {
  std::istringstream in(s);
  std::string line, out;
  while (std::getline(in, line))
    if (line.rfind("apply", 0) != 0 && line.rfind("restore", 0) != 0 && line.rfind("region", 0) != 0) out += line + "\n";
  return out;
}

// region index -> hash of the working (or factory) values.
std::map<std::string, std::string> regions(const std::string& s, const std::string& which) {
  std::map<std::string, std::string> m;
  std::istringstream in(s);
  std::string word, idx, w, wh, f, fh;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    if (!(l >> word >> idx >> w >> wh >> f >> fh) || word != "region") continue;
    m[idx] = which == "working" ? wh : fh;
  }
  return m;
}

class Workdir {
 public:
  explicit Workdir(const std::string& name) : dir_(std::string(EIOTA_BINARY_DIR) + "/e2e/" + name) {
    // Keep cached simulator objects between runs, drop everything else.
    fs::create_directories(dir_);
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().extension() != ".objs") fs::remove_all(e.path());
  }
  std::string operator/(const std::string& f) const { return dir_ + "/" + f; }
  std::string sh(const std::string& cmd) const { return "cd '" + dir_ + "' && " + cmd; }

 private:
  std::string dir_;
};

struct Case {
  std::string name;
  std::string old_src, new_src;  // generator source arguments
  std::string era;
  bool runnable;                 // the fake SDK has kernels for every operator
  std::string new_era = "";      // the retrain exported by a newer Studio
  std::string counterpart = "";  // real models: the synthetic case that covers the same path
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class RoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(RoundTrip, PatchedOldPlusPayloadEqualsNew) {
  const Case& c = GetParam();
  for (const std::string& src : {c.old_src, c.new_src})
    if (size_t at = src.find("/tflite/"); src.rfind("--tflite ", 0) == 0 && at != std::string::npos)
      SKIP_WITHOUT_REAL_MODEL(src.substr(at + 8, src.find(' ', at) - at - 8), c.counterpart);
  Workdir w(c.name);
  std::string gen = kGen + " --layout arduino --name demo --era ";
  ASSERT_EQ(run(w.sh(gen + c.era + " " + c.old_src + " --out old")).code, 0);
  Result g = run(w.sh(gen + (c.new_era.empty() ? c.era : c.new_era) + " " + c.new_src + " --out new"));
  ASSERT_EQ(g.code, 0) << g.out;
  Result p = run(w.sh(kCli + " patch old -o patched-old --key k.key"));
  ASSERT_EQ(p.code, 0) << p.out;
  ASSERT_EQ(run(w.sh(kCli + " patch new -o patched-new --key k.key")).code, 0);
  Result k = run(w.sh(kCli + " pack --base patched-old new -o update.eiota --key k.key --sequence 3"));
  ASSERT_EQ(k.code, 0) << k.out;
  Result v = run(w.sh(kCli + " verify update.eiota --base patched-old"));
  ASSERT_EQ(v.code, 0) << v.out;

  std::string build = "EIOTA_CLI='" + kCli + "' bash " + kSource + "/scripts/build-sim.sh ";
  for (const char* s : {"patched-old dev", "patched-new devnew", "new ref", "old refold"}) {
    Result b = run(w.sh(build + s));
    ASSERT_EQ(b.code, 0) << s << "\n" << b.out;
  }
  Result before = run(w.sh("./dev --regions"));
  Result after = run(w.sh("./dev --payload update.eiota --regions"));
  Result factory_new = run(w.sh("./devnew --regions"));
  Result expected = run(w.sh("./ref"));
  Result plain_old = run(w.sh("./refold"));
  Result patched_old = run(w.sh("./dev"));  // first inference, no update: the factory model
  EXPECT_EQ(patched_old.out, plain_old.out) << "patching changed what the model computes";
  ASSERT_NE(after.out.find("apply update.eiota: ok"), std::string::npos) << after.out;

  // Every replaceable value byte-identical to the retrained library's own (compiled) values.
  auto got = regions(after.out, "working");
  auto want = regions(factory_new.out, "factory");
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(got, want);
  EXPECT_NE(regions(before.out, "working"), got) << "the payload changed nothing";

  EXPECT_EQ(outputs(after.out), outputs(expected.out));
  if (c.runnable) {
    EXPECT_NE(outputs(expected.out).find("run_classifier: 0"), std::string::npos) << expected.out;
    EXPECT_NE(outputs(before.out), outputs(after.out)) << "outputs did not change";
  }
}

std::string tfl(const std::string& f) { return "--tflite " + kShared + "/tflite/" + f; }

INSTANTIATE_TEST_SUITE_P(
    Exports, RoundTrip,
    ::testing::Values(
        // 2021-22: trained_model_compiled.cpp, float32 tensor tables without a quantization field, macros.
        Case{"fc_float_2021", "--synthetic fc-float", "--synthetic fc-float --perturb 5", "2021", true},
        Case{"fc_int8_2021", "--synthetic fc-int8", "--synthetic fc-int8 --perturb 7", "2021", true},
        Case{"fc_int8_2023", "--synthetic fc-int8", "--synthetic fc-int8 --perturb 7", "2023", true},
        Case{"fc_int8_2024", "--synthetic fc-int8", "--synthetic fc-int8 --perturb 7", "2024", true},
        Case{"fc_int8_2025", "--synthetic fc-int8", "--synthetic fc-int8 --perturb 7", "2025", true},
        Case{"fc_float_2024", "--synthetic fc-float", "--synthetic fc-float --perturb 5", "2024", true},
        // Deployed from a 2024 Studio, retrained in a 2025 one: renamed files and configs, shared zero points.
        Case{"fc_int8_2024_to_2025", "--synthetic fc-int8", "--synthetic fc-int8 --perturb 7", "2024", true, "2025"},
        Case{"conv_perchannel_2025", "--synthetic conv-int8-perchannel", "--synthetic conv-int8-perchannel --perturb 3", "2025", true},
        // uint8, int16 and int64 constants and activations (int64 biases, int16 offsets).
        Case{"fc_mixed_2023", "--synthetic fc-mixed", "--synthetic fc-mixed --perturb 7", "2023", true},
        Case{"fc_mixed_2025", "--synthetic fc-mixed", "--synthetic fc-mixed --perturb 7", "2025", true},
        // Real retrain pairs: tensor numbering differs in the hello_world pair (mapped by structure).
        Case{"hello_world_renumbered_2025", tfl("tfm-hello_world_int8-2021-08.tflite"), tfl("tfm-hello_world_int8.tflite"), "2025", true, "",
             "RoundTrip fc_int8_renumbered_2025"},
        Case{"kws_retrain_2024", tfl("ei-kws-v1.tflite"), tfl("ei-kws-v2.tflite"), "2024", false, "", "RoundTrip conv_perchannel_2024"},
        Case{"person_detect_2025", tfl("tfm-person_detect.tflite"), tfl("tfm-person_detect.tflite") + " --perturb 11", "2025", false, "",
             "RoundTrip fc_int8_large_2025"},
        // Synthetic counterparts of the real pairs above, for a clone without ../shared: another
        // converter's tensor order and names (hello_world), a conv net in a 2024 export (kws), and
        // a ~300 KB model with a tensor over 64 KB (person_detect).
        Case{"fc_int8_renumbered_2025", "--synthetic fc-int8", "--synthetic fc-int8-renumbered --perturb 7", "2025", true},
        Case{"conv_perchannel_2024", "--synthetic conv-int8-perchannel", "--synthetic conv-int8-perchannel --perturb 3", "2024", true},
        Case{"fc_int8_large_2025", "--synthetic fc-int8-large", "--synthetic fc-int8-large --perturb 11", "2025", true}),
    [](const auto& info) { return info.param.name; });

class Refusals : public ::testing::Test {
 protected:
  void gen(const Workdir& w, const std::string& src, const std::string& out) {
    ASSERT_EQ(run(w.sh(kGen + " --era 2025 --layout arduino --name demo " + src + " --out " + out)).code, 0);
  }
};

TEST_F(Refusals, PackRefusesAnotherArchitectureWithAReadableDiff) {
  Workdir w("refuse_arch");
  gen(w, "--synthetic fc-int8", "int8");
  gen(w, "--synthetic fc-float", "float");
  gen(w, "--synthetic fc-int8-wide --perturb 3", "wide");  // 12 inputs, not 8: as kws v2 -> v3 below
  ASSERT_EQ(run(w.sh(kCli + " patch int8 -o p-int8 --key k.key")).code, 0);

  Result r = run(w.sh(kCli + " pack --base p-int8 float -o x.eiota --key k.key"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("does not fit the deployed model"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("type kTfLiteInt8 vs kTfLiteFloat32"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(w / "x.eiota"));

  r = run(w.sh(kCli + " pack --base p-int8 wide -o z.eiota --key k.key"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("shape 1x8 vs 1x12"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(w / "z.eiota"));
}

TEST_F(Refusals, PackRefusesTheRealKwsArchitectureChange) {
  SKIP_WITHOUT_REAL_MODEL("ei-kws-v3-arch-change.tflite", "Refusals.PackRefusesAnotherArchitectureWithAReadableDiff");
  SKIP_WITHOUT_REAL_MODEL("ei-kws-v2.tflite", "Refusals.PackRefusesAnotherArchitectureWithAReadableDiff");
  Workdir w("refuse_arch_kws");
  gen(w, tfl("ei-kws-v2.tflite"), "kws2");
  gen(w, tfl("ei-kws-v3-arch-change.tflite"), "kws3");
  ASSERT_EQ(run(w.sh(kCli + " patch kws2 -o p-kws2 --key k.key")).code, 0);
  Result r = run(w.sh(kCli + " pack --base p-kws2 kws3 -o y.eiota --key k.key"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("shape 1x490 vs 1x735"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(w / "y.eiota"));
}

TEST_F(Refusals, PatchRefusesWhatItCannotPatchAndWritesNothing) {
  Workdir w("refuse_patch");
  gen(w, "--synthetic fc-int8", "exp");
  ASSERT_EQ(run(w.sh(kCli + " patch exp -o once --key k.key")).code, 0);
  Result twice = run(w.sh(kCli + " patch once -o twice --key k.key"));
  EXPECT_EQ(twice.code, 1);
  EXPECT_NE(twice.out.find("already patched by eiota"), std::string::npos) << twice.out;
  EXPECT_FALSE(fs::exists(w / "twice"));

  Result exists = run(w.sh(kCli + " patch exp -o once --key k.key"));
  EXPECT_NE(exists.out.find("already exists"), std::string::npos) << exists.out;

  // A TFLite-interpreter export whose model array is not a valid flatbuffer.
  fs::create_directories(w / "interp/model-parameters");
  fs::create_directories(w / "interp/tflite-model");
  std::ofstream(w / "interp/model-parameters/model_metadata.h") << "#define EI_CLASSIFIER_COMPILED 0\n";
  std::ofstream(w / "interp/tflite-model/tflite_learn_5.h") << "const unsigned char tflite_learn_5[] = { 0x1c };\n";
  Result interp = run(w.sh(kCli + " patch interp -o out-interp --key k.key"));
  EXPECT_EQ(interp.code, 1);
  EXPECT_NE(interp.out.find("tflite_learn_5.h: the TFLite flatbuffer does not verify"), std::string::npos) << interp.out;
  EXPECT_FALSE(fs::exists(w / "out-interp"));

  // A damaged model file: the error names the file and the line.
  fs::copy(w / "exp", w / "broken", fs::copy_options::recursive);
  for (const auto& e : fs::directory_iterator(w / "broken/src/tflite-model")) {
    if (e.path().extension() != ".cpp") continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(e.path()) << text.substr(0, text.find("TensorInfo_t tensorData") + 60);
  }
  Result broken = run(w.sh(kCli + " patch broken -o out-broken --key k.key"));
  EXPECT_EQ(broken.code, 1);
  EXPECT_NE(broken.out.find("_compiled.cpp:"), std::string::npos) << broken.out;
  EXPECT_FALSE(fs::exists(w / "out-broken"));
}

TEST_F(Refusals, PackRefusesAKeyTheLibraryDoesNotTrust) {
  Workdir w("refuse_key");
  gen(w, "--synthetic fc-int8", "exp");
  ASSERT_EQ(run(w.sh(kCli + " patch exp -o patched --key a.key")).code, 0);
  ASSERT_EQ(run(w.sh(kCli + " keygen b")).code, 0);
  Result r = run(w.sh(kCli + " pack --base patched exp -o x.eiota --key b.key"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("not the key this library was patched with"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(w / "x.eiota"));
}


// A retrain exported by a newer SDK: settings and DSP fields the deployed SDK does not have, at
// values that change nothing, and an EON arena planned differently, are told as notes; a changed
// setting or DSP field is refused by name.
TEST_F(Refusals, ImpulseConfigIsComparedByNameAcrossSdkVersions) {
  Workdir w("refuse_impulse");
  gen(w, "--synthetic fc-int8", "old");
  ASSERT_EQ(run(w.sh(kCli + " patch old -o patched --key k.key")).code, 0);
  auto variant = [&](const std::string& name) {
    gen(w, "--synthetic fc-int8 --perturb 7", name);
    return fs::path(w / name) / "src";
  };
  fs::path sdk = variant("newer-sdk");
  edit(sdk / "model-parameters/model_metadata.h", "#define EI_CLASSIFIER_FREQUENCY", "#define EI_CLASSIFIER_NEW_SETTING 0\n#define EI_CLASSIFIER_FREQUENCY");
  edit(sdk / "model-parameters/model_metadata.h", "float scale_axes;\n", "float scale_axes;\n    const char *named_axes;\n");
  edit(sdk / "model-parameters/model_variables.h", "1.0f // float scale-axes", "1.0f, NULL");
  for (const auto& e : fs::directory_iterator(sdk / "tflite-model"))
    if (e.path().extension() == ".cpp") edit(e.path(), "kTensorArenaSize = 1056;", "kTensorArenaSize = 1088;");
  Result ok = run(w.sh(kCli + " pack --base patched newer-sdk -o ok.eiota --key k.key"));
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_NE(ok.out.find("note: tensor arena 1056 B deployed vs 1088 B new"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("at values that change nothing: named_axes=NULL"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("does not read them): EI_CLASSIFIER_NEW_SETTING 0"), std::string::npos) << ok.out;

  fs::path freq = variant("frequency");
  edit(freq / "model-parameters/model_metadata.h", "EI_CLASSIFIER_FREQUENCY                  0", "EI_CLASSIFIER_FREQUENCY 16000");
  Result r = run(w.sh(kCli + " pack --base patched frequency -o f.eiota --key k.key"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("impulse setting EI_CLASSIFIER_FREQUENCY is 0 deployed vs 16000 new"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(w / "f.eiota"));

  fs::path dsp = variant("dsp-field");
  edit(dsp / "model-parameters/model_variables.h", "1.0f // float scale-axes", "2.0f // float scale-axes");
  r = run(w.sh(kCli + " pack --base patched dsp-field -o d.eiota --key k.key"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find(": scale_axes is 1.0f deployed vs 2.0f new"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(w / "d.eiota"));

  fs::path added = variant("dsp-new-field-set");
  edit(added / "model-parameters/model_metadata.h", "float scale_axes;\n", "float scale_axes;\n    int pre_shift;\n");
  edit(added / "model-parameters/model_variables.h", "1.0f // float scale-axes", "1.0f, 1");
  r = run(w.sh(kCli + " pack --base patched dsp-new-field-set -o a.eiota --key k.key"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("the new export sets pre_shift = 1, which the deployed SDK does not have"), std::string::npos) << r.out;
}

TEST(Zip, ZipInZipOutAndInspectJson) {
  Workdir w("zip");
  ASSERT_EQ(run(w.sh(kGen + " --era 2024 --layout cpp --zip --synthetic fc-int8 --out lib.zip")).code, 0);
  ASSERT_EQ(run(w.sh(kGen + " --era 2024 --layout cpp --zip --synthetic fc-int8 --perturb 2 --out new.zip")).code, 0);
  Result p = run(w.sh(kCli + " patch lib.zip -o patched.zip --key k.key"));
  ASSERT_EQ(p.code, 0) << p.out;
  Result list = run(w.sh("unzip -l patched.zip"));
  EXPECT_NE(list.out.find("tflite-model/eiota_update.cpp"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("eiota-manifest.json"), std::string::npos);
  ASSERT_EQ(run(w.sh(kCli + " pack --base patched.zip new.zip -o u.eiota --key k.key --sequence 9")).code, 0);
  Result j = run(w.sh(kCli + " inspect u.eiota --base patched.zip --json"));
  EXPECT_EQ(j.code, 0) << j.out;
  EXPECT_NE(j.out.find("\"sequence\": 9"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"signature_ok\": true"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"fits_base\": true"), std::string::npos) << j.out;
}

TEST(Sketch, PredecessorCallsWorkThroughTheArduinoApi) {
  Workdir w("sketch");
  std::string gen = kGen + " --era 2025 --layout arduino --name demo --synthetic fc-int8 ";
  ASSERT_EQ(run(w.sh(gen + "--out old")).code, 0);
  ASSERT_EQ(run(w.sh(gen + "--perturb 4 --out new")).code, 0);
  ASSERT_EQ(run(w.sh(kCli + " patch old -o patched --key k.key")).code, 0);
  ASSERT_EQ(run(w.sh(kCli + " pack --base patched new -o update.eiota --key k.key")).code, 0);
  // The patched library carries the example, including its own header.
  ASSERT_TRUE(fs::exists(w / "patched/examples/eiota_ota_update/eiota_ota_update.ino"));
  Result b = run(w.sh("EIOTA_CLI='" + kCli + "' bash " + kSource + "/scripts/build-sim.sh patched sketch patched/examples/eiota_ota_update/eiota_ota_update.ino"));
  ASSERT_EQ(b.code, 0) << b.out;
  Result r = run(w.sh("./sketch idle ota idle restore"));
  ASSERT_EQ(r.code, 0) << r.out;
  // Four loop() runs: factory, after "ota", still updated, after "restore".
  EXPECT_NE(r.out.find("Update ok!"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Restore ok!"), std::string::npos) << r.out;
  size_t ota = r.out.find("Update ok!"), restore = r.out.find("Restore ok!");
  std::string factory = r.out.substr(0, ota), updated = r.out.substr(ota, restore - ota), restored = r.out.substr(restore);
  auto first_block = [](const std::string& s) {
    std::istringstream in(s);
    std::string line, out;
    int n = 0;
    while (std::getline(in, line) && n < 4)
      if (line.find(": ") != std::string::npos) { out += line + "\n"; n++; }
    return out;
  };
  EXPECT_NE(first_block(factory), first_block(updated)) << r.out;
  EXPECT_EQ(first_block(restored), first_block(factory)) << r.out;

  // A corrupted payload: the sketch's own error path restores and keeps running.
  std::string bad = w / "update.eiota";
  std::fstream f(bad, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(-3, std::ios::end);
  f.put('\x7f');
  f.close();
  Result r2 = run(w.sh("./sketch ota"));
  EXPECT_NE(r2.out.find("Update error: hash mismatch"), std::string::npos) << r2.out;
  EXPECT_NE(r2.out.find("Restore ok!"), std::string::npos) << r2.out;
}

TEST(Simulate, ProvesIdentityAndCatchesADifferentExport) {
  Workdir w("simulate");
  std::string gen = kGen + " --era 2024 --layout cpp --name demo --synthetic fc-int8 ";
  ASSERT_EQ(run(w.sh(gen + "--out old")).code, 0);
  ASSERT_EQ(run(w.sh(gen + "--perturb 8 --out new")).code, 0);
  ASSERT_EQ(run(w.sh(gen + "--perturb 9 --out other")).code, 0);
  ASSERT_EQ(run(w.sh(kCli + " patch old -o patched --key k.key")).code, 0);
  ASSERT_EQ(run(w.sh(kCli + " pack --base patched new -o update.eiota --key k.key")).code, 0);
  std::string sim = kCli + " simulate --base patched --payload update.eiota --cache cache ";

  Result same = run(w.sh(sim + "--expect new"));
  EXPECT_EQ(same.code, 0) << same.out;
  EXPECT_NE(same.out.find("identical: the deployed model with the payload computes bit for bit"), std::string::npos) << same.out;

  Result other = run(w.sh(sim + "--expect other"));
  EXPECT_EQ(other.code, 3) << other.out;
  EXPECT_NE(other.out.find("DIFFERENT"), std::string::npos) << other.out;

  ASSERT_EQ(run(w.sh(kGen + " --era 2024 --layout cpp --name demo --synthetic fc-float --out flt")).code, 0);
  ASSERT_EQ(run(w.sh(kCli + " patch flt -o patched-flt --key k.key")).code, 0);
  ASSERT_EQ(run(w.sh(kCli + " pack --base patched-flt flt -o flt.eiota --key k.key")).code, 0);
  Result wrong = run(w.sh(kCli + " simulate --base patched --payload flt.eiota --cache cache"));
  EXPECT_EQ(wrong.code, 1) << wrong.out;
  EXPECT_NE(wrong.out.find("built for another model"), std::string::npos) << wrong.out;

  std::ofstream(w / "features.csv") << "0.5, -0.25, 1, 0, 0.125, -1, 0.75, 0.3\n";
  Result feat = run(w.sh(kCli + " simulate --base patched --payload update.eiota --cache cache --features features.csv --expect new"));
  EXPECT_EQ(feat.code, 0) << feat.out;
}

// Generates old and new (a retrain) with `gen`, lets `tweak` edit both, patches both, and packs
// update.eiota from new for patched-old.
void deploy_and_retrain(const Workdir& w, const std::string& gen, const std::string& perturb,
                        const std::function<void(const std::string&)>& tweak) {
  ASSERT_EQ(run(w.sh(gen + " --out old")).code, 0);
  ASSERT_EQ(run(w.sh(gen + " --perturb " + perturb + " --out new")).code, 0);
  tweak(w / "old");
  tweak(w / "new");
  for (const char* e : {"old", "new"}) {
    Result p = run(w.sh(kCli + " patch " + e + " -o patched-" + e + " --key k.key"));
    ASSERT_EQ(p.code, 0) << p.out;
  }
  Result k = run(w.sh(kCli + " pack --base patched-old new -o update.eiota --key k.key"));
  ASSERT_EQ(k.code, 0) << k.out;
}

// Builds patched-old and patched-new, applies update.eiota to the first, and checks every region
// then holds the second's factory values, and that restore brings the first's back.
void values_travel(const Workdir& w) {
  std::string build = "EIOTA_CLI='" + kCli + "' bash " + kSource + "/scripts/build-sim.sh ";
  ASSERT_EQ(run(w.sh(build + "patched-old dev")).code, 0);
  ASSERT_EQ(run(w.sh(build + "patched-new devnew")).code, 0);
  Result after = run(w.sh("./dev --payload update.eiota --regions"));
  Result want = run(w.sh("./devnew --regions"));
  ASSERT_NE(after.out.find("apply update.eiota: ok"), std::string::npos) << after.out;
  EXPECT_EQ(regions(after.out, "working"), regions(want.out, "factory"));
  EXPECT_NE(regions(after.out, "working"), regions(after.out, "factory"));
  Result restored = run(w.sh("./dev --payload update.eiota --restore --regions"));
  EXPECT_EQ(regions(restored.out, "working"), regions(restored.out, "factory"));
}

// Adds a K-means block to a generated export, included from model_variables.h as Edge Impulse
// does: anomaly_metadata.h (Aug 2023 on) or anomaly_clusters.h (before), which hold the same arrays.
void add_kmeans(const std::string& exp, float shift, const std::string& file = "anomaly_metadata.h") {
  std::string params = exp + "/src/model-parameters/";
  std::ofstream a(params + file);
  a << "#ifndef _EI_CLASSIFIER_ANOMALY_METADATA_H_\n#define _EI_CLASSIFIER_ANOMALY_METADATA_H_\n"
    << "typedef struct { float *centroid; float max_error; } ei_classifier_anom_cluster_t;\n"
    << "const uint16_t ei_classifier_anom_axes[] = { 0, 3 };\n"
    << "const float ei_classifier_anom_scale[2] = { " << 4.5 + shift << ", 3.0765670669068275 };\n"
    << "const float ei_classifier_anom_mean[2] = { 4.124793295218616, " << 2.25 - shift << " };\n"
    << "const ei_classifier_anom_cluster_t ei_classifier_anom_clusters[3] = {\n"
    << "\t{ ( float[2] ) { -0.8932911157608032, " << shift << " }, 0.4487099570359647 },\n"
    << "\t{ ( float[2] ) { 1.25, -0.5 }, " << 0.75 + shift << " },\n"
    << "\t{ ( float[2] ) { " << -shift << ", 2.5 }, 0.125 },\n};\n#endif\n";
  a.close();
  std::ifstream in(params + "model_variables.h");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  size_t at = text.find("#include", text.find("#define"));
  text.insert(at, "#include \"" + file + "\"\n");
  std::ofstream(params + "model_variables.h") << text;
}

TEST(Anomaly, KMeansValuesTravelInThePayload) {
  Workdir w("kmeans");
  float shift = 0.0f;
  deploy_and_retrain(w, kGen + " --era 2024 --layout arduino --name demo --synthetic fc-int8", "5",
                     [&](const std::string& exp) { add_kmeans(exp, shift); shift = 0.375f; });
  Result j = run(w.sh(kCli + " inspect update.eiota --base patched-old --json"));
  EXPECT_NE(j.out.find("anomaly.ei_classifier_anom_clusters.centroids"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("anomaly.ei_classifier_anom_clusters[2].max_error"), std::string::npos) << j.out;

  values_travel(w);

  // More clusters is another model: refused, with the reason.
  std::ifstream in(w / "new/src/model-parameters/anomaly_metadata.h");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text.replace(text.find("clusters[3]"), 11, "clusters[4]");
  text.insert(text.find("};\n#endif"), "\t{ ( float[2] ) { 0.5, 0.5 }, 0.5 },\n");
  std::ofstream(w / "new/src/model-parameters/anomaly_metadata.h") << text;
  Result refused = run(w.sh(kCli + " pack --base patched-old new -o x.eiota --key k.key"));
  EXPECT_EQ(refused.code, 2) << refused.out;
  EXPECT_NE(refused.out.find("anomaly ei_classifier_anom_clusters differs (3x2 vs 4x2)"), std::string::npos) << refused.out;
}

// Deployed with the pre-Aug-2023 anomaly_clusters.h, retrained into an anomaly_metadata.h.
TEST(Anomaly, OlderAnomalyClustersHeaderIsReplacedToo) {
  Workdir w("kmeans_clusters_h");
  int calls = 0;
  deploy_and_retrain(w, kGen + " --era 2023 --layout arduino --name demo --synthetic fc-int8", "5", [&](const std::string& exp) {
    add_kmeans(exp, calls ? 0.375f : 0.0f, calls ? "anomaly_metadata.h" : "anomaly_clusters.h");
    calls++;
  });
  Result j = run(w.sh(kCli + " inspect update.eiota --base patched-old --json"));
  EXPECT_NE(j.out.find("anomaly.ei_classifier_anom_clusters.centroids"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("anomaly.ei_classifier_anom_scale"), std::string::npos) << j.out;
  values_travel(w);
}

// Studio 2025 data normalization: StandardScaler arrays in model_variables.h, cast to `float *`
// by the SDK's config, as Edge Impulse writes them.
void add_scaler(const std::string& exp, float shift) {
  fs::path vars = fs::path(exp) / "src/model-parameters/model_variables.h";
  std::ostringstream a;
  a << "const float ei_dn_standard_scaler_mean_1234_12[3] = { 300.26582861871736, " << 1.5 + shift << ", 0.0039 };\n"
    << "const float ei_dn_standard_scaler_scale_1234_12[3] = { 0.42914519077921587, " << 0.5 - shift << ", 15.9 };\n"
    << "const float ei_dn_standard_scaler_var_1234_12[3] = { 5.429895856795012, 4.0, 0.0039 };\n"
    << "float *eiota_test_scaler_mean = (float *)ei_dn_standard_scaler_mean_1234_12;\n";
  std::ifstream in(vars);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  size_t at = text.find("\n};\n", text.find("ei_dsp_config_raw_t ")) + 4;
  text.insert(at, a.str());
  std::ofstream(vars) << text;
}

// With K-means values too: the scaler arrays come last in the payload and on the device alike.
TEST(DataNormalization, StandardScalerArraysTravelInThePayload) {
  Workdir w("scaler");
  float shift = 0.0f;
  deploy_and_retrain(w, kGen + " --era 2025 --layout arduino --name demo --synthetic fc-int8", "5", [&](const std::string& exp) {
    add_scaler(exp, shift);
    add_kmeans(exp, shift);
    shift = 0.25f;
  });
  Result j = run(w.sh(kCli + " inspect update.eiota --base patched-old --json"));
  EXPECT_NE(j.out.find("scaler.ei_dn_standard_scaler_mean_12"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("scaler.ei_dn_standard_scaler_var_12"), std::string::npos) << j.out;
  values_travel(w);
}

TEST(Macros, QuantizationMacrosTheSdkReadsTravelInThePayload) {
  Workdir w("macros");
  // An SDK that reads the input quantization macros, as 2021-22 ones do.
  deploy_and_retrain(w, kGen + " --era 2023 --layout arduino --name demo --synthetic fc-int8", "6", [](const std::string& exp) {
    std::ofstream(exp + "/src/edge-impulse-sdk/classifier/input_quant.h")
        << "inline double input_scale() { return EI_CLASSIFIER_TFLITE_INPUT_SCALE; }\n"
        << "inline int input_zero() { return EI_CLASSIFIER_TFLITE_INPUT_ZEROPOINT; }\n";
  });
  Result j = run(w.sh(kCli + " inspect update.eiota --base patched-old --json"));
  EXPECT_NE(j.out.find("macro.EI_CLASSIFIER_TFLITE_INPUT_SCALE"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"float64\""), std::string::npos) << j.out;
  values_travel(w);
}

}  // namespace

namespace {

// A non-EON export as Edge Impulse wrote them up to 2022: the model as a byte array.
// A non-EON export: the .tflite as a byte array (`xxd` style, 2021-2024), or, with `incbin`, as a
// file beside the header linked with INCBIN (Studio's default from Feb 2025).
void write_interp_export(const std::string& dir, const std::string& tflite, size_t extra = 0, bool incbin = false,
                         int arena = 2944) {
  std::ifstream in(tflite, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  bytes.append(extra, '\0');
  fs::create_directories(dir + "/tflite-model");
  fs::create_directories(dir + "/model-parameters");
  std::ofstream(dir + "/model-parameters/model_metadata.h")
      << "#define EI_CLASSIFIER_PROJECT_ID 32970\n" << (incbin ? "" : "#define EI_CLASSIFIER_TFLITE_ARENA_SIZE 18822\n");
  if (incbin) {
    fs::create_directories(dir + "/edge-impulse-sdk/third_party/incbin");
    std::ofstream(dir + "/edge-impulse-sdk/third_party/incbin/incbin.h") << "#define INCBIN(name, file) int the_patched_header_must_not_use_incbin[-1];\n"
        << "#define INCBIN_OUTPUT_SECTION \"eiota_incbin_model\"\n";
    std::ofstream(dir + "/tflite-model/tflite_learn_5.tflite", std::ios::binary) << bytes;
    // Where patch gates the interpreter: the learning block's inference function (2023 on).
    std::ofstream(dir + "/model-parameters/model_variables.h")
        << "#ifndef MV_H\n#define MV_H\nconst ei_learning_block_t ei_learning_blocks[1] = { { 5, &run_nn_inference, 0 } };\n#endif\n";
    std::ofstream(dir + "/tflite-model/tflite_learn_5.h")
        << "#ifndef LEARN_5_H\n#define LEARN_5_H\n#define INCBIN_STYLE INCBIN_STYLE_SNAKE\n"
        << "#include \"edge-impulse-sdk/third_party/incbin/incbin.h\"\n"
        << "const size_t tflite_learn_5_arena_size = " << arena << ";\n"
        << "INCBIN(incbin_tflite_learn_5, \"tflite-model/tflite_learn_5.tflite\");\n"
        << "const unsigned char *tflite_learn_5 = gincbin_tflite_learn_5_data;\n"
        << "unsigned int tflite_learn_5_len = gincbin_tflite_learn_5_size;\n#endif\n";
    return;
  }
  std::ofstream h(dir + "/tflite-model/tflite-trained.h");
  h << "#ifndef TRAINED_H\n#define TRAINED_H\n#define MODEL_SECTION(x) __attribute__((section(x)))\n#define ALIGN(x) __attribute__((aligned(x)))\n"
    << "const MODEL_SECTION(\"eiota_test_model\") ALIGN(16) unsigned char trained_tflite[] = {\n";
  char b[8];
  for (unsigned char c : bytes) {
    snprintf(b, sizeof b, "0x%02x, ", c);
    h << b;
  }
  h << "\n};\nunsigned int trained_tflite_len = " << bytes.size() << ";\n#endif\n";
}

// A device: the patched model header and the runtime, applying update.eiota from a file, checking
// the model bytes and length before, after, and after a restore.
Result run_interp_device(const Workdir& w, const std::string& header, const std::string& model,
                         const std::string& new_tflite, const std::string& old_tflite) {
  std::ofstream(w / "device.cpp") << R"(
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include HEADER
#include "eiota/eiota_update.h"
static int rd(void* f, uint8_t* b, uint32_t n) {
  if (n == 0) { int c = fgetc((FILE*)f); if (c == EOF) return 0; ungetc(c, (FILE*)f); return 1; }
  return (int)fread(b, 1, n, (FILE*)f);
}
static bool same(const char* path) {
  FILE* f = fopen(path, "rb");
  static unsigned char want[70000];
  size_t n = fread(want, 1, sizeof want, f);
  fclose(f);
  return n == MODEL_len && memcmp(want, MODEL, n) == 0;
}
int main(int, char** argv) {
  static eiota_update u;
  bool factory = same(argv[2]);
  FILE* f = fopen("update.eiota", "rb");
  int err = eiota_update_pull(&u, &eiota_default_model, rd, f);
  bool updated = same(argv[1]) && MODEL_len == NEW_LEN;
  eiota_model_restore(&eiota_default_model);
  bool restored = same(argv[2]) && MODEL_len == OLD_LEN;
  printf("factory %d apply %s updated %d restored %d\n", factory, eiota_strerror(err), updated, restored);
  return factory && err == 0 && updated && restored ? 0 : 1;
})";
  Result c = run(w.sh("c++ -std=c++11 -Ipatched '-DHEADER=\"" + header + "\"' -DMODEL=" + model + " -DMODEL_len=" + model +
                      "_len -DNEW_LEN=" + std::to_string(fs::file_size(new_tflite)) + " -DOLD_LEN=" +
                      std::to_string(fs::file_size(old_tflite)) + " device.cpp patched/tflite-model/eiota_*.cpp -o device"));
  if (c.code != 0) return c;
  return run(w.sh("./device " + new_tflite + " " + old_tflite));
}

// The models of the non-EON tests: the real keyword-spotting retrain (v2 8 bytes shorter than v1)
// and a later model of another architecture (v3), or generated ones of the same kinds, for a clone
// without ../shared: v2 a retrain written by another converter (tensor order and names differ, so
// the length does too), v3 with 12 inputs, not 8.
struct InterpModels {
  std::string name, v1, v2, v3, arch_change;
};

void PrintTo(const InterpModels& m, std::ostream* os) { *os << m.name; }

class NonEon : public ::testing::TestWithParam<InterpModels> {
 protected:
  void SetUp() override {
    if (!GetParam().v1.empty())
      for (const char* f : {"ei-kws-v1.tflite", "ei-kws-v2.tflite", "ei-kws-v3-arch-change.tflite"})
        SKIP_WITHOUT_REAL_MODEL(f, "the same test on Models/NonEon.*/synthetic");
  }
  // The three .tflite files: the real ones, or generated into `w`.
  InterpModels models(const Workdir& w) {
    InterpModels m = GetParam();
    if (!m.v1.empty()) return m;
    m.v1 = w / "v1.tflite", m.v2 = w / "v2.tflite", m.v3 = w / "v3.tflite";
    const std::vector<std::pair<std::string, std::string>> sources = {
        {"fc-int8", m.v1}, {"fc-int8-renumbered --perturb 7", m.v2}, {"fc-int8-wide", m.v3}};
    for (const auto& [src, out] : sources) {
      Result g = run(kGen + " --as-tflite --synthetic " + src + " --out " + out);
      EXPECT_EQ(g.code, 0) << g.out;
    }
    EXPECT_NE(fs::file_size(m.v1), fs::file_size(m.v2));
    return m;
  }
};

INSTANTIATE_TEST_SUITE_P(
    Models, NonEon,
    ::testing::Values(InterpModels{"real_kws", kShared + "/tflite/ei-kws-v1.tflite", kShared + "/tflite/ei-kws-v2.tflite",
                                   kShared + "/tflite/ei-kws-v3-arch-change.tflite", "shape 1x490 vs 1x735"},
                      InterpModels{"synthetic", "", "", "", "shape 1x8 vs 1x12"}),
    [](const auto& info) { return info.param.name; });

TEST_P(NonEon, TheWholeModelIsReplacedWithinTheReserve) {
  Workdir w("noneon_" + GetParam().name);
  const InterpModels m = models(w);
  write_interp_export(w / "v1", m.v1);
  write_interp_export(w / "v2", m.v2);  // retrained: another length
  write_interp_export(w / "v3", m.v3);
  write_interp_export(w / "big", m.v2, 4096);
  Result p = run(w.sh(kCli + " patch v1 -o patched --key k.key --reserve 1000"));
  ASSERT_EQ(p.code, 0) << p.out;
  Result k = run(w.sh(kCli + " pack --base patched v2 -o update.eiota --key k.key"));
  ASSERT_EQ(k.code, 0) << k.out;
  // Only the model's bytes travel, not the room reserved for it (the device clears the rest).
  EXPECT_LT(fs::file_size(w / "update.eiota"), fs::file_size(m.v2) + 400);
  Result arch = run(w.sh(kCli + " pack --base patched v3 -o x.eiota --key k.key"));
  EXPECT_EQ(arch.code, 2);
  EXPECT_NE(arch.out.find(m.arch_change), std::string::npos) << arch.out;
  Result big = run(w.sh(kCli + " pack --base patched big -o x.eiota --key k.key"));
  EXPECT_EQ(big.code, 2);  // a refusal like any other, with both sizes
  const uintmax_t reserved = (fs::file_size(m.v1) + 1000 + 15) / 16 * 16;  // 30080 for kws v1
  EXPECT_NE(big.out.find("the deployed library reserved " + std::to_string(reserved) + " ("), std::string::npos) << big.out;
  EXPECT_NE(big.out.find("too many; eiota patch --reserve sets the room)"),
            std::string::npos) << big.out;

  Result d = run_interp_device(w, "tflite-model/tflite-trained.h", "trained_tflite", m.v2, m.v1);
  EXPECT_EQ(d.code, 0) << d.out;
  // The factory copy keeps the export's MODEL_SECTION placement.
  EXPECT_EQ(run(w.sh("objdump -h device | grep -c eiota_test_model")).out, "1\n");
  EXPECT_NE(d.out.find("factory 1 apply ok updated 1 restored 1"), std::string::npos) << d.out;
}

// Studio 2025: the .tflite is a file linked with INCBIN; the patch compiles it in as the factory copy.
TEST_P(NonEon, IncbinModelFilesArePatchedToo) {
  Workdir w("noneon_incbin_" + GetParam().name);
  const InterpModels m = models(w);
  write_interp_export(w / "v1", m.v1, 0, true);
  write_interp_export(w / "v2", m.v2, 0, true);
  Result p = run(w.sh(kCli + " patch v1 -o patched --key k.key"));
  ASSERT_EQ(p.code, 0) << p.out;
  Result k = run(w.sh(kCli + " pack --base patched v2 -o update.eiota --key k.key"));
  ASSERT_EQ(k.code, 0) << k.out;
  Result d = run_interp_device(w, "tflite-model/tflite_learn_5.h", "tflite_learn_5", m.v2, m.v1);
  EXPECT_EQ(d.code, 0) << d.out;
  EXPECT_NE(d.out.find("factory 1 apply ok updated 1 restored 1"), std::string::npos) << d.out;
  // The factory copy goes where INCBIN would have put the model.
  EXPECT_EQ(run(w.sh("objdump -h device | grep -c eiota_incbin_model")).out, "1\n");

  // The interpreter allocates the deployed arena: a model that needs more is refused.
  write_interp_export(w / "v2-arena", m.v2, 0, true, 4000);
  Result arena = run(w.sh(kCli + " pack --base patched v2-arena -o x.eiota --key k.key"));
  EXPECT_EQ(arena.code, 2) << arena.out;
  EXPECT_NE(arena.out.find("tensor arena 2944 B deployed vs 4000 B new: the new model needs a larger arena"), std::string::npos) << arena.out;
  EXPECT_FALSE(fs::exists(w / "x.eiota"));
}

}  // namespace

namespace {

TEST(MultiBlock, EveryModelFileAndTheGmmThresholdTravel) {
  // Two learn blocks in one library (a classifier and a second graph, as multi-impulse and GMM
  // exports have), and a GMM config's threshold in model_variables.h.
  Workdir w("multiblock");
  std::string gen = kGen + " --era 2025 --layout arduino --name demo ";
  deploy_and_retrain(w, gen + "--synthetic fc-int8", "4", [&](const std::string& exp) {
    bool is_new = exp.ends_with("/new");
    std::string second = exp + "-b14";
    ASSERT_EQ(run(w.sh(gen + "--synthetic conv-int8-perchannel --block 14 " + (is_new ? "--perturb 9 " : "") + "--out " + second)).code, 0);
    for (const auto& e : fs::directory_iterator(second + "/src/tflite-model"))
      if (e.path().extension() == ".cpp") fs::copy(e.path(), exp + "/src/tflite-model/" + e.path().filename().string());
    std::string vars = exp + "/src/model-parameters/model_variables.h";
    std::ifstream in(vars);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text.insert(text.rfind("#endif"), std::string("typedef struct { float anomaly_threshold; int kind; } gmm_config_t;\n") +
                                          "gmm_config_t ei_learning_block_config_1234_15 = { .anomaly_threshold = " +
                                          (is_new ? "0.625" : "0.25") + ", .kind = 1 };\n");
    std::ofstream(vars) << text;
  });
  Result j = run(w.sh(kCli + " inspect update.eiota --base patched-old --json"));
  EXPECT_NE(j.out.find("b1.t"), std::string::npos) << j.out;  // regions of the second model file
  EXPECT_NE(j.out.find("config.ei_learning_block_config_15.anomaly_threshold"), std::string::npos) << j.out;
  values_travel(w);
}

}  // namespace
