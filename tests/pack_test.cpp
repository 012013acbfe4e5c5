// pack's rules (plan_pack): a same-architecture retrain from a later Studio fits; every reason a
// retrain does not fit is one readable line with sizes or values.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "impulse_config.h"
#include "manifest.h"
#include "model_export.h"
#include "pack.h"

#include "test_support.h"

namespace fs = std::filesystem;
using namespace eiota::host;

namespace {

using namespace eiota::test;

struct Dir {
  fs::path path;
  explicit Dir(const std::string& name) : path(fs::path(EIOTA_BINARY_DIR) / "pack_test_work" / name) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  std::string operator/(const std::string& f) const { return (path / f).string(); }
  Result sh(const std::string& cmd) const { return run("cd " + path.string() + " && " + cmd); }
};

void gen(const Dir& d, const std::string& args, const std::string& out) {
  Result r = d.sh(kGen + " --layout arduino --name demo --synthetic fc-int8 " + args + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
}


std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

const Region* find(const std::vector<Region>& v, const std::string& name) {
  for (const auto& r : v)
    if (r.name == name) return &r;
  return nullptr;
}

}  // namespace

// Issue 7: deployed from a 2024 Studio, retrained in a 2026 one (Studio 1.75 on). The model and
// labels are the same; the SDK spells K-means switches out, suffixes K-means arrays, numbers the
// unknown sensor 255, and no longer says 1 for the ops resolver an EON build never reads.
TEST(Pack, SameArchitectureRetrainFromALaterStudioFits) {
  Dir d("later_studio");
  gen(d, "--era 2024 --anomaly kmeans", "old");
  gen(d, "--era 2026 --anomaly kmeans --perturb 7 --deploy-version 2", "new");
  ASSERT_EQ(d.sh(kCli + " patch old -o patched --key k.key").code, 0);

  ModelExport x = analyze_export(d / "new");
  ASSERT_NE(find(x.regions, "anomaly.ei_classifier_anom_clusters_1234_14.centroids"), nullptr);
  PackPlan plan = plan_pack(load_manifest(d / "patched"), x);
  ASSERT_TRUE(plan.fits()) << joined(plan.diff);
  // The K-means values travel under the deployed names, with the retrain's values.
  const Region* scale = find(plan.regions, "anomaly.ei_classifier_anom_scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ(scale->values, find(x.regions, "anomaly.ei_classifier_anom_scale_1234_14")->values);
  EXPECT_NE(find(plan.regions, "anomaly.ei_classifier_anom_clusters[2].max_error"), nullptr);
  std::string notes = joined(plan.notes);
  EXPECT_NE(notes.find("EI_CLASSIFIER_HAS_ANOMALY_KMEANS 1"), std::string::npos) << notes;
  EXPECT_NE(notes.find("EI_CLASSIFIER_SENSOR_UNKNOWN -1 deployed vs 255 new"), std::string::npos) << notes;
  EXPECT_NE(notes.find("EI_CLASSIFIER_HAS_TFLITE_OPS_RESOLVER 1 deployed vs 0 new"), std::string::npos) << notes;

  Result k = d.sh(kCli + " pack --base patched new -o u.eiota --key k.key");
  EXPECT_EQ(k.code, 0) << k.out;
  EXPECT_TRUE(fs::exists(d / "u.eiota"));
}

// (a) K-means names with the project/impulse suffix match the older names, in both directions.
TEST(Pack, KMeansSuffixIsIgnoredInNames) {
  EXPECT_EQ(without_kmeans_suffix("anomaly.ei_classifier_anom_clusters_43_4[2].max_error"),
            "anomaly.ei_classifier_anom_clusters[2].max_error");
  EXPECT_EQ(without_kmeans_suffix("ei_classifier_anom_scale_43_4"), "ei_classifier_anom_scale");
  EXPECT_EQ(without_kmeans_suffix("ei_classifier_anom_scale"), "ei_classifier_anom_scale");
  EXPECT_EQ(without_kmeans_suffix("ei_classifier_anom_scale_4"), "ei_classifier_anom_scale_4");  // one number: not the suffix
  Arch a, b;
  a.anomaly["ei_classifier_anom_scale"] = "2";
  b.anomaly["ei_classifier_anom_scale_43_4"] = "2";
  EXPECT_TRUE(arch_diff(a, b).empty()) << joined(arch_diff(a, b));
  b.anomaly["ei_classifier_anom_scale_43_4"] = "3";
  EXPECT_EQ(joined(arch_diff(a, b)),
            "anomaly ei_classifier_anom_scale differs (2 vs 3): eiota replaces these values, not their number, size or axes\n");
}

// (b) A switch the newer SDK spells out is what the older one derived from EI_CLASSIFIER_HAS_ANOMALY.
TEST(Pack, SpelledOutAnomalySwitchesMatchWhatTheDeployedSettingImplies) {
  Arch a, b;
  a.settings["EI_CLASSIFIER_HAS_ANOMALY"] = "1 (from EI_ANOMALY_TYPE_KMEANS)";
  b.settings["EI_CLASSIFIER_HAS_ANOMALY"] = "1 (from EI_ANOMALY_TYPE_KMEANS)";
  b.settings["EI_CLASSIFIER_HAS_ANOMALY_KMEANS"] = "1";
  b.settings["EI_CLASSIFIER_HAS_ANOMALY_GMM"] = "0";
  b.settings["EI_CLASSIFIER_LOAD_ANOMALY_H"] = "1";
  std::vector<std::string> refusals, notes;
  diff_impulse(a, b, refusals, notes);
  EXPECT_TRUE(refusals.empty()) << joined(refusals);
  // 2021-22 exports write the number: 1 was K-means.
  a.settings["EI_CLASSIFIER_HAS_ANOMALY"] = "1";
  refusals.clear();
  diff_impulse(a, b, refusals, notes);
  EXPECT_TRUE(refusals.empty()) << joined(refusals);
  // A deployed GMM firmware does not run K-means.
  a.settings["EI_CLASSIFIER_HAS_ANOMALY"] = "2 (from EI_ANOMALY_TYPE_GMM)";
  refusals.clear();
  diff_impulse(a, b, refusals, notes);
  EXPECT_NE(joined(refusals).find("EI_CLASSIFIER_HAS_ANOMALY_KMEANS 1, but the deployed EI_CLASSIFIER_HAS_ANOMALY 2 (from EI_ANOMALY_TYPE_GMM) means 0"),
            std::string::npos) << joined(refusals);
}

// (c) Constants a setting is compared with (an enum) are each build's own; the setting naming one
// is compared by the name it names.
TEST(Pack, EnumConstantsAreComparedThroughTheSettingsThatNameThem) {
  auto settings = [](const std::string& unknown, const std::string& sensor) {
    return read_settings("#define EI_CLASSIFIER_SENSOR_UNKNOWN " + unknown + "\n#define EI_CLASSIFIER_SENSOR_MICROPHONE 1\n" +
                         "#define EI_CLASSIFIER_SENSOR_CAMERA 3\n#define EI_CLASSIFIER_SENSOR " + sensor + "\n");
  };
  Arch a, b;
  a.settings = settings("-1", "EI_CLASSIFIER_SENSOR_UNKNOWN");
  b.settings = settings("255", "EI_CLASSIFIER_SENSOR_UNKNOWN");
  std::vector<std::string> refusals, notes;
  diff_impulse(a, b, refusals, notes);
  EXPECT_TRUE(refusals.empty()) << joined(refusals);
  EXPECT_NE(joined(notes).find("EI_CLASSIFIER_SENSOR_UNKNOWN -1 deployed vs 255 new"), std::string::npos) << joined(notes);
  b.settings = settings("255", "EI_CLASSIFIER_SENSOR_CAMERA");
  refusals.clear();
  diff_impulse(a, b, refusals, notes);
  ASSERT_EQ(refusals.size(), 1u) << joined(refusals);
  EXPECT_EQ(refusals[0], "impulse setting EI_CLASSIFIER_SENSOR is -1 (from EI_CLASSIFIER_SENSOR_UNKNOWN) deployed vs "
                         "3 (from EI_CLASSIFIER_SENSOR_CAMERA) new");
  // Switches repeat 0 and 1: never taken for an enum, whatever names them.
  a.settings = read_settings("#define EI_CLASSIFIER_HAS_A 0\n#define EI_CLASSIFIER_HAS_B 1\n#define EI_CLASSIFIER_HAS_C 1\n#define EI_CLASSIFIER_X EI_CLASSIFIER_HAS_A\n");
  b.settings = read_settings("#define EI_CLASSIFIER_HAS_A 0\n#define EI_CLASSIFIER_HAS_B 0\n#define EI_CLASSIFIER_HAS_C 1\n#define EI_CLASSIFIER_X EI_CLASSIFIER_HAS_A\n");
  refusals.clear();
  diff_impulse(a, b, refusals, notes);
  ASSERT_EQ(refusals.size(), 1u) << joined(refusals);
  EXPECT_EQ(refusals[0], "impulse setting EI_CLASSIFIER_HAS_B is 1 deployed vs 0 new");
}

// (d) The unconditional definition is the one in force; a setting only the interpreter reads is
// a note for an EON deployment and compared for an interpreter one.
TEST(Pack, OpsResolverIsReadOnlyByTheInterpreter) {
  const std::string y2024 =
      "#ifndef _EI_CLASSIFIER_MODEL_METADATA_H_\n#define _EI_CLASSIFIER_MODEL_METADATA_H_\n"
      "#define EI_CLASSIFIER_HAS_TFLITE_OPS_RESOLVER 1\n"
      "#if EI_CLASSIFIER_USE_FULL_TFLITE == 1\n#undef EI_CLASSIFIER_HAS_TFLITE_OPS_RESOLVER\n"
      "#define EI_CLASSIFIER_HAS_TFLITE_OPS_RESOLVER 0\n#endif\n"
      "#ifndef EI_CLASSIFIER_SLICES_PER_MODEL_WINDOW\n#define EI_CLASSIFIER_SLICES_PER_MODEL_WINDOW 4\n#endif\n#endif\n";
  Arch a, b;
  a.settings = read_settings(y2024);
  EXPECT_EQ(a.settings.at("EI_CLASSIFIER_HAS_TFLITE_OPS_RESOLVER"), "1");
  EXPECT_EQ(a.settings.at("EI_CLASSIFIER_SLICES_PER_MODEL_WINDOW"), "4");  // only inside an #if: kept
  b.settings = read_settings("#define EI_CLASSIFIER_HAS_TFLITE_OPS_RESOLVER 0\n");
  std::vector<std::string> refusals, notes;
  diff_impulse(a, b, refusals, notes);
  EXPECT_TRUE(refusals.empty()) << joined(refusals);
  EXPECT_NE(joined(notes).find("only the TFLite interpreter reads"), std::string::npos) << joined(notes);
  a.interpreter = b.interpreter = true;
  notes.clear();
  diff_impulse(a, b, refusals, notes);
  ASSERT_EQ(refusals.size(), 1u) << joined(refusals);
  EXPECT_EQ(refusals[0], "impulse setting EI_CLASSIFIER_HAS_TFLITE_OPS_RESOLVER is 1 deployed vs 0 new");
}

// Every incompatibility found while matching regions is a diff line with sizes, not an exception.
TEST(Pack, RegionsThatDoNotMatchAreDiffLinesWithSizes) {
  Dir d("region_sizes");
  gen(d, "--era 2024 --anomaly kmeans", "old");
  ModelExport old = analyze_export(d / "old");
  Manifest m;
  m.arch = old.arch;
  m.regions = old.regions;
  for (Region& r : m.regions) r.values.clear();
  ASSERT_TRUE(plan_pack(m, old).fits());
  for (Region& r : m.regions)
    if (r.name == "anomaly.ei_classifier_anom_scale") r.count = 3;  // the deployed array was longer
  m.regions.push_back(m.regions.back());
  m.regions.back().name = "anomaly.ei_classifier_anom_gone";
  PackPlan plan = plan_pack(m, old);
  EXPECT_TRUE(plan.regions.empty());
  std::string diff = joined(plan.diff);
  EXPECT_NE(diff.find("K-means ei_classifier_anom_scale: 3 float32 values deployed, 2 float32 values new"), std::string::npos) << diff;
  EXPECT_NE(diff.find("K-means ei_classifier_anom_gone: the deployed library replaces 1 float32 value, the new export has none"),
            std::string::npos) << diff;
}

// Axes eiota does not replace are shown by value when they differ (long lists: around the change).
TEST(Pack, AnomalyAxesRefusalsShowTheValues) {
  Dir d("axes");
  gen(d, "--era 2024 --anomaly kmeans", "old");
  gen(d, "--era 2024 --anomaly kmeans --perturb 3", "new");
  edit(d / "new/src/model-parameters/anomaly_metadata.h", "ei_classifier_anom_axes[] = { 0, 1 }", "ei_classifier_anom_axes[] = { 0, 2 }");
  ASSERT_EQ(d.sh(kCli + " patch old -o patched --key k.key").code, 0);
  Result r = d.sh(kCli + " pack --base patched new -o x.eiota --key k.key");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("anomaly ei_classifier_anom_axes differs ({ 0, 1 } vs { 0, 2 })"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(d / "x.eiota"));

  Arch a, b;
  std::string many, changed;
  for (int i = 0; i < 40; i++) {
    many += (i ? " , " : "") + std::to_string(i);
    changed += (i ? " , " : "") + std::to_string(i == 30 ? 99 : i);
  }
  a.anomaly["ei_classifier_anom_axes"] = "values { " + many + " }";
  b.anomaly["ei_classifier_anom_axes"] = "values { " + changed + " }";
  std::string line = joined(arch_diff(a, b));
  EXPECT_NE(line.find("(... 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39 } (40 values) vs ... 25, 26, 27, 28, 29, 99, 31,"),
            std::string::npos) << line;
  EXPECT_LT(line.size(), 400u) << line;
  // A manifest of an older eiota holds the values' hash: still compared.
  a.anomaly["ei_classifier_anom_axes"] = "values 1111111111111111";
  EXPECT_NE(joined(arch_diff(a, b)).find("values hashed 1111111111111111 by an older eiota"), std::string::npos);
}

// Interpreter models are told by their TFLite tensor index, not EON's tensorData.
TEST(Pack, InterpreterRefusalsUseTfliteTensorIndices) {
  ArchBlock x;
  x.tensors.resize(2);
  x.tensors[1].dims = {1, 10};
  x.tensors[1].export_index = 5;
  ArchBlock y = x;
  y.tensors[1].dims = {1, 12};
  y.tensors[1].export_index = 7;
  x.arena = y.arena = 100;
  Arch a, b;
  a.blocks = {x};
  b.blocks = {y};
  EXPECT_NE(joined(arch_diff(a, b)).find("tensor 1 (tensorData[5] deployed, [7] new): shape 1x10 vs 1x12"), std::string::npos);
  a.interpreter = b.interpreter = true;
  EXPECT_NE(joined(arch_diff(a, b)).find("tensor 1 (TFLite tensor 5 deployed, 7 new): shape 1x10 vs 1x12"), std::string::npos)
      << joined(arch_diff(a, b));
}
