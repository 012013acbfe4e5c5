// Tests of eiota-fixture-gen (tests/gen/): the generated libraries are
// deterministic, compile with the fake SDK in every era, run, and behave like
// Edge Impulse exports where eiota relies on it (retrains, shared arrays,
// tables read at run time).
//
// Environment: EIOTA_FIXTURE_GEN = path of the generator, else
// EIOTA_BINARY_DIR/tests/gen/eiota-fixture-gen when the build defines
// EIOTA_BINARY_DIR (tests skip without a generator); EIOTA_SHARED_FIXTURES =
// folder with tflite/, else EIOTA_SOURCE_DIR/../shared/fixtures (tests that
// need real models skip without it). Compiles with `c++` from PATH.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct CommandResult {
  int status = -1;
  std::string output;  // stdout and stderr
};

CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

// Every file under `root`, relative path -> content.
std::map<std::string, std::string> read_tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files[fs::relative(e.path(), root).generic_string()] = read_file(e.path());
  return files;
}

// The one model .cpp under <root>/src/tflite-model/.
fs::path model_cpp(const fs::path& root) {
  for (const auto& e : fs::directory_iterator(root / "src" / "tflite-model"))
    if (e.path().extension() == ".cpp") return e.path();
  return {};
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

// Runs the impulse on three fixed feature sets (offset + amp * sin(...)) and
// prints "run <k> err <code> <label>=<value> ...". With REPOINT, the second
// and third runs happen after tensorData[] entries were repointed (see
// kRepointHook) to check that the model reads its table on every run.
const char kMain[] = R"(
#include "demo_inferencing.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef REPOINT
void eiota_test_repoint(int tensor, bool zero_weights);
#endif
int main(int argc, char** argv) {
  double amp = argc > 1 ? atof(argv[1]) : 1.0, offset = argc > 2 ? atof(argv[2]) : 0.0;
  static float features[EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE];
  for (int run = 0; run < 3; ++run) {
#ifdef REPOINT
    if (run == 1) eiota_test_repoint(REPOINT, true);
    if (run == 2) eiota_test_repoint(REPOINT, false);
#endif
    int set = REPEAT_SET ? 0 : run;
    for (size_t i = 0; i < EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE; ++i)
      features[i] = (float)(offset + amp * sin(0.37 * (double)i + 1.1 * set + 0.5));
    signal_t signal;
    numpy::signal_from_buffer(features, EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE, &signal);
    ei_impulse_result_t result = { 0 };
    EI_IMPULSE_ERROR err = run_classifier(&signal, &result, false);
    printf("run %d err %d", run, (int)err);
    for (size_t ix = 0; ix < EI_CLASSIFIER_LABEL_COUNT; ix++)
      printf(" %s=%.9g", result.classification[ix].label ? result.classification[ix].label : "-",
             (double)result.classification[ix].value);
    printf("\n");
  }
  return 0;
}
)";

// Appended to a 2024/2025 model file (same translation unit, so it reaches
// the anonymous namespace): points tensor `tensor` at a zeroed copy of its
// data, or back at the original.
const char kRepointHook[] = R"(
static uint8_t eiota_zero_copy[1 << 16];
static void* eiota_original = nullptr;
void eiota_test_repoint(int tensor, bool zero_weights) {
  if (!eiota_original) eiota_original = tensorData[tensor].data;
  tensorData[tensor].data = zero_weights ? (void*)eiota_zero_copy : eiota_original;
}
)";

struct RunResult {
  int err = 0;
  std::vector<std::string> labels;
  std::vector<double> values;
};

std::vector<RunResult> parse_runs(const std::string& output) {
  std::vector<RunResult> runs;
  std::istringstream lines(output);
  std::string line;
  const std::regex pair_re(R"(([^ =]+)=([^ ]+))");
  while (std::getline(lines, line)) {
    if (line.rfind("run ", 0) != 0) continue;
    RunResult r;
    std::istringstream words(line);
    std::string word;
    words >> word >> word >> word >> r.err;
    for (std::sregex_iterator it(line.begin(), line.end(), pair_re), end; it != end; ++it) {
      r.labels.push_back((*it)[1]);
      r.values.push_back(std::strtod((*it)[2].str().c_str(), nullptr));
    }
    runs.push_back(r);
  }
  return runs;
}

// The environment variable, else `fallback` when that path exists, else "".
std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  if (value && *value) return value;
  return !fallback.empty() && fs::exists(fallback) ? fallback : "";
}

#ifdef EIOTA_BINARY_DIR
const std::string kDefaultGen = std::string(EIOTA_BINARY_DIR) + "/tests/gen/eiota-fixture-gen";
#else
const std::string kDefaultGen;
#endif
#ifdef EIOTA_SOURCE_DIR
const std::string kDefaultShared = std::string(EIOTA_SOURCE_DIR) + "/../shared/fixtures";
#else
const std::string kDefaultShared;
#endif

// Where the real models are looked for, for skip messages.
const std::string kSharedHint = "EIOTA_SHARED_FIXTURES/tflite (default ../shared/fixtures beside the repository, " +
                                std::string("not part of it)");

class FixtureGen : public ::testing::Test {
 protected:
  void SetUp() override {
    gen_ = env_or("EIOTA_FIXTURE_GEN", kDefaultGen);
    if (gen_.empty()) GTEST_SKIP() << "EIOTA_FIXTURE_GEN is not set and no built generator was found";
    shared_ = env_or("EIOTA_SHARED_FIXTURES", kDefaultShared);
    work_ = fs::temp_directory_path() /
            ("eiota_fixture_gen_test_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(work_);
    fs::create_directories(work_);
  }
  void TearDown() override {
    if (!work_.empty() && !HasFailure()) fs::remove_all(work_);
  }

  fs::path tflite(const std::string& name) {
    if (shared_.empty()) return {};
    fs::path p = fs::path(shared_) / "tflite" / (name + ".tflite");
    return fs::exists(p) ? p : fs::path();
  }

  // Runs the generator; `args` are appended as given. Returns the output folder.
  fs::path generate(const std::string& out_name, const std::string& args) {
    const fs::path out = work_ / out_name;
    const CommandResult r = run_command(quote(gen_) + " " + args + " --out " + quote(out.string()));
    EXPECT_EQ(r.status, 0) << r.output;
    return out;
  }

  // Compiles the library at `root` (Arduino layout) with the test main and
  // runs it; returns the parsed runs. `defines` go to the compiler.
  std::vector<RunResult> build_and_run(const fs::path& root, const std::string& defines = "",
                                 const std::string& run_args = "") {
    write_file(root / "test_main.cpp", kMain);
    std::string sources;
    for (const auto& e : fs::recursive_directory_iterator(root / "src"))
      if (e.path().extension() == ".cpp") sources += " " + quote(e.path().string());
    const fs::path exe = root / "test_main";
    const std::string compile = "c++ -std=c++11 -Wall -Werror -O1 -DREPEAT_SET=0 " + defines + " -I" +
                                quote((root / "src").string()) + " " + quote((root / "test_main.cpp").string()) +
                                sources + " -o " + quote(exe.string()) + " -lm";
    const CommandResult c = run_command(compile);
    EXPECT_EQ(c.status, 0) << compile << "\n" << c.output;
    if (c.status != 0) return {};
    const CommandResult r = run_command(quote(exe.string()) + " " + run_args);
    EXPECT_EQ(r.status, 0) << r.output;
    return parse_runs(r.output);
  }

  static void expect_finite_and_varied(const std::vector<RunResult>& runs) {
    ASSERT_EQ(runs.size(), 3u);
    std::vector<double> all;
    for (const RunResult& r : runs) {
      EXPECT_EQ(r.err, 0);
      for (double v : r.values) {
        EXPECT_TRUE(std::isfinite(v));
        all.push_back(v);
      }
    }
    ASSERT_FALSE(all.empty());
    bool varied = false;
    for (double v : all) varied = varied || v != all[0];
    EXPECT_TRUE(varied) << "every output value is " << all[0];
  }

  std::string gen_, shared_;
  fs::path work_;
};

TEST_F(FixtureGen, OutputIsByteForByteDeterministic) {
  for (const char* era : {"2021", "2023", "2024", "2025"}) {
    const std::string args = std::string("--synthetic conv-int8-perchannel --perturb 5 --era ") + era;
    const auto a = read_tree(generate(std::string("a") + era, args));
    const auto b = read_tree(generate(std::string("b") + era, args));
    EXPECT_GT(a.size(), 20u);
    EXPECT_EQ(a, b) << "era " << era;
  }
  generate("z1", "--synthetic fc-int8 --era 2025 --zip");
  generate("z2", "--synthetic fc-int8 --era 2025 --zip");
  const std::string z1 = read_file(work_ / "z1.zip"), z2 = read_file(work_ / "z2.zip");
  EXPECT_GT(z1.size(), 1000u);
  EXPECT_EQ(z1, z2);
}

TEST_F(FixtureGen, LayoutsAndNames) {
  const fs::path arduino = generate("ard", "--synthetic fc-int8 --era 2025 --project-id 77 --block 5 --name blink");
  EXPECT_TRUE(fs::exists(arduino / "library.properties"));
  EXPECT_TRUE(fs::exists(arduino / "examples/static_buffer/static_buffer.ino"));
  EXPECT_TRUE(fs::exists(arduino / "src/blink_inferencing.h"));
  EXPECT_TRUE(fs::exists(arduino / "src/tflite-model/tflite_learn_77_5_compiled.cpp"));
  EXPECT_TRUE(fs::exists(arduino / "src/edge-impulse-sdk/classifier/ei_run_classifier.h"));
  const std::string variables = read_file(arduino / "src/model-parameters/model_variables.h");
  EXPECT_NE(variables.find(".model_init = &tflite_learn_77_5_init"), std::string::npos);

  const fs::path cpp = generate("cpp", "--synthetic fc-float --era 2023 --layout cpp --labels w,x,y,z");
  EXPECT_TRUE(fs::exists(cpp / "tflite-model/tflite_learn_13_compiled.cpp"));
  EXPECT_TRUE(fs::exists(cpp / "model-parameters/model_metadata.h"));
  EXPECT_FALSE(fs::exists(cpp / "library.properties"));
  EXPECT_NE(read_file(cpp / "model-parameters/model_variables.h").find("{ \"w\", \"x\", \"y\", \"z\" }"),
            std::string::npos);

  const CommandResult bad = run_command(quote(gen_) + " --synthetic fc-int8 --era 2025 --labels a,b --out " +
                                        quote((work_ / "bad").string()));
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.output.find("2 labels given"), std::string::npos) << bad.output;
}

TEST_F(FixtureGen, EveryEraCompilesAndRunsTheSameNetwork) {
  std::vector<std::vector<RunResult>> per_era;
  for (const char* era : {"2023", "2024", "2025", "2021"}) {
    const fs::path root = generate(std::string("fc") + era, std::string("--synthetic fc-int8 --era ") + era);
    per_era.push_back(build_and_run(root));
    expect_finite_and_varied(per_era.back());
  }
  // Same weights in three formats: the outputs must agree exactly.
  ASSERT_EQ(per_era.size(), 4u);
  for (size_t k = 0; k < 3 && per_era[0].size() == 3; ++k) {
    EXPECT_EQ(per_era[0][k].values, per_era[1][k].values);
    EXPECT_EQ(per_era[0][k].values, per_era[2][k].values);
    if (per_era[3].size() == 3) EXPECT_EQ(per_era[0][k].values, per_era[3][k].values);
    EXPECT_EQ(per_era[0][k].labels, (std::vector<std::string>{"idle", "shake", "tap", "wave"}));
  }
}

TEST_F(FixtureGen, QuantizedMatchesFloatAndHeapBuildMatchesStatic) {
  const auto q = build_and_run(generate("q", "--synthetic fc-int8 --era 2024"));
  const auto f = build_and_run(generate("f", "--synthetic fc-float --era 2024"));
  expect_finite_and_varied(f);
  ASSERT_EQ(q.size(), 3u);
  ASSERT_EQ(f.size(), 3u);
  for (size_t k = 0; k < 3; ++k)
    for (size_t i = 0; i < q[k].values.size(); ++i) EXPECT_NEAR(q[k].values[i], f[k].values[i], 0.03);

  const auto heap = build_and_run(generate("heap", "--synthetic fc-int8 --era 2023"), "-DEIOTA_FAKE_SDK_USE_HEAP");
  ASSERT_EQ(heap.size(), 3u);
  for (size_t k = 0; k < 3; ++k) EXPECT_EQ(heap[k].values, q[k].values);
}

TEST_F(FixtureGen, Era2021HasTheOldShapeAndRuns) {
  // Float models: 5-field tensorData entries, no quantization member.
  const fs::path f = generate("f2021", "--synthetic fc-float --era 2021");
  const fs::path f_cpp = f / "src" / "tflite-model" / "trained_model_compiled.cpp";
  ASSERT_TRUE(fs::exists(f_cpp));
  ASSERT_TRUE(fs::exists(f / "src" / "tflite-model" / "trained_model_compiled.h"));
  const std::string fm = read_file(f_cpp);
  const std::regex five_fields(R"(\n  \{ kTfLite(ArenaRw|MmapRo), kTfLite\w+, [^,{}]+, \(TfLiteIntArray\*\)&tensor_dimension\d+, \d+, \},)");
  const size_t entries = std::distance(std::sregex_iterator(fm.begin(), fm.end(), five_fields), std::sregex_iterator());
  EXPECT_EQ(entries, count(fm, "(TfLiteIntArray*)&tensor_dimension"));
  EXPECT_GT(entries, 0u);
  EXPECT_EQ(count(fm, "quantization;"), 0u);
  EXPECT_EQ(count(fm, "kTfLiteNoQuantization, nullptr"), 0u);
  EXPECT_EQ(count(fm, "namespace g0"), 0u);
  EXPECT_EQ(count(fm, "ALIGN(16) float tensor_data"), 0u);
  EXPECT_NE(fm.find("const ALIGN(8) float tensor_data1["), std::string::npos);
  EXPECT_NE(fm.find("};const NodeInfo_t nodeData[] = {"), std::string::npos);
  EXPECT_NE(fm.find("TfLiteTensor* trained_model_input(int index) {"), std::string::npos);
  const std::string meta = read_file(f / "src" / "model-parameters" / "model_metadata.h");
  EXPECT_NE(meta.find("#define EI_CLASSIFIER_TFLITE_INPUT_SCALE         0\n"), std::string::npos);
  EXPECT_NE(meta.find("#define EI_CLASSIFIER_TFLITE_OUTPUT_ZEROPOINT    0\n"), std::string::npos);

  // Int8 models keep the quantization field.
  const fs::path q = generate("q2021", "--synthetic fc-int8 --era 2021");
  const std::string qm = read_file(q / "src" / "tflite-model" / "trained_model_compiled.cpp");
  EXPECT_NE(qm.find("  TfLiteQuantization quantization;\n"), std::string::npos);
  EXPECT_NE(qm.find("{kTfLiteAffineQuantization, const_cast<void*>(static_cast<const void*>(&quant0))}, },"),
            std::string::npos);
  EXPECT_NE(read_file(q / "src" / "model-parameters" / "model_metadata.h")
                .find("#define EI_CLASSIFIER_TFLITE_OUTPUT_ZEROPOINT    -128\n"),
            std::string::npos);

  // Both run, the float model as in 2023, heap builds as static ones.
  const auto f21 = build_and_run(f);
  expect_finite_and_varied(f21);
  const auto f23 = build_and_run(generate("f2023", "--synthetic fc-float --era 2023"));
  ASSERT_EQ(f21.size(), f23.size());
  for (size_t k = 0; k < f21.size(); ++k) EXPECT_EQ(f21[k].values, f23[k].values);
  const auto q21 = build_and_run(q);
  expect_finite_and_varied(q21);
  const auto heap = build_and_run(q, "-DEIOTA_FAKE_SDK_USE_HEAP");
  ASSERT_EQ(heap.size(), q21.size());
  for (size_t k = 0; k < heap.size(); ++k) EXPECT_EQ(heap[k].values, q21[k].values);
}

TEST_F(FixtureGen, PerChannelConvRuns) {
  const fs::path root = generate("conv", "--synthetic conv-int8-perchannel --era 2025");
  const std::string model = read_file(model_cpp(root));
  EXPECT_NE(model.find("const TfArray<4, float> quant2_scale = { 4, {"), std::string::npos);
  EXPECT_NE(model.find("const TfArray<4, int> quant2_zero = { 4, { 0,0,0,0 } };"), std::string::npos);
  EXPECT_NE(model.find("int8_t tensor_data2[4*3*3*1]"), std::string::npos);
  expect_finite_and_varied(build_and_run(root));
}

TEST_F(FixtureGen, MixedElementTypesRunInEveryEra) {
  std::vector<std::vector<RunResult>> per_era;
  for (const char* era : {"2021", "2023", "2024", "2025"}) {
    const fs::path root = generate(std::string("mixed") + era, std::string("--synthetic fc-mixed --era ") + era);
    const std::string m = read_file(model_cpp(root));
    for (const char* decl : {"uint8_t tensor_data", "int16_t tensor_data", "int64_t tensor_data"})
      EXPECT_NE(m.find(decl), std::string::npos) << "era " << era << ": no " << decl;
    per_era.push_back(build_and_run(root));
    expect_finite_and_varied(per_era.back());
  }
  for (size_t e = 1; e < per_era.size(); ++e)
    for (size_t k = 0; k < 3 && per_era[0].size() == 3 && per_era[e].size() == 3; ++k)
      EXPECT_EQ(per_era[0][k].values, per_era[e][k].values) << "era index " << e;

  // A retrain changes the uint8, int16 and int64 constants, and the outputs.
  const fs::path retrained = generate("mixed_retrained", "--synthetic fc-mixed --era 2025 --perturb 7");
  const std::string before = read_file(model_cpp(work_ / "mixed2025")), after = read_file(model_cpp(retrained));
  auto first_decl = [](const std::string& text, const std::string& start) {
    const size_t at = text.find(start);
    return at == std::string::npos ? std::string() : text.substr(at, text.find(';', at) - at);
  };
  for (const char* decl : {"uint8_t tensor_data", "int16_t tensor_data", "int64_t tensor_data"}) {
    ASSERT_NE(first_decl(before, decl), "") << decl;
    EXPECT_NE(first_decl(before, decl), first_decl(after, decl)) << decl;
  }
  const auto runs = build_and_run(retrained);
  ASSERT_EQ(runs.size(), 3u);
  for (size_t k = 0; k < 3 && per_era.back().size() == 3; ++k) EXPECT_NE(runs[k].values, per_era.back()[k].values);
}

TEST_F(FixtureGen, PerturbChangesValuesNotStructure) {
  const fs::path a = generate("orig", "--synthetic conv-int8-perchannel --era 2024");
  const fs::path b = generate("retrained", "--synthetic conv-int8-perchannel --era 2024 --perturb 11 --deploy-version 2");
  const std::string ma = read_file(model_cpp(a)), mb = read_file(model_cpp(b));
  EXPECT_NE(ma, mb);

  // Declarations, tables, arena size and functions are the same; only the
  // values inside the arrays differ.
  auto skeleton = [](const std::string& text) {
    std::string out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("  ", 0) == 0 && line.find('{') == std::string::npos) continue;  // data rows
      if (line.rfind("// Generated on", 0) == 0) continue;
      const size_t eq = line.find("= {");
      out += (line.rfind("const ", 0) == 0 && eq != std::string::npos ? line.substr(0, eq) : line) + "\n";
    }
    return out;
  };
  EXPECT_EQ(skeleton(ma), skeleton(mb));
  // Every scale array changed.
  std::regex scale_re(R"(const TfArray<\d+, float> (quant\d+_scale) = \{[^;]*;)");
  std::map<std::string, std::string> scales_a, scales_b;
  for (std::sregex_iterator it(ma.begin(), ma.end(), scale_re), end; it != end; ++it) scales_a[(*it)[1]] = (*it)[0];
  for (std::sregex_iterator it(mb.begin(), mb.end(), scale_re), end; it != end; ++it) scales_b[(*it)[1]] = (*it)[0];
  ASSERT_EQ(scales_a.size(), scales_b.size());
  for (const auto& [name, decl] : scales_a)
    if (name != "quant10_scale") EXPECT_NE(decl, scales_b[name]) << name;  // 10: softmax output, fixed
  // The shape tensor of RESHAPE is not a weight.
  EXPECT_NE(mb.find("int32_t tensor_data1[2] = { 1, 64, };"), std::string::npos);

  // Labels, DSP config and everything else in model_variables.h stay, except
  // the deploy version.
  std::string va = read_file(a / "src/model-parameters/model_variables.h");
  std::string vb = read_file(b / "src/model-parameters/model_variables.h");
  va.replace(va.find(".deploy_version = 1"), 19, ".deploy_version = 2");
  EXPECT_EQ(va, vb);

  const auto ra = build_and_run(a), rb = build_and_run(b);
  ASSERT_EQ(ra.size(), 3u);
  ASSERT_EQ(rb.size(), 3u);
  bool changed = false;
  for (size_t k = 0; k < 3; ++k) changed = changed || ra[k].values != rb[k].values;
  EXPECT_TRUE(changed);
  expect_finite_and_varied(rb);
}

TEST_F(FixtureGen, Era2025SharesEqualArraysByValue) {
  const std::string m = read_file(model_cpp(generate("share", "--synthetic conv-int8-perchannel --era 2025")));
  // Filter (tensor 2) and bias (tensor 3) both have four zero points of 0:
  // the bias borrows the filter's array.
  EXPECT_NE(m.find("const TfArray<4, int> quant2_zero = { 4, { 0,0,0,0 } };"), std::string::npos);
  EXPECT_EQ(m.find("quant3_zero ="), std::string::npos);
  EXPECT_NE(m.find("quant3 = { (TfLiteFloatArray*)&quant3_scale, (TfLiteIntArray*)&g0::quant2_zero, 0 };"),
            std::string::npos);
  // MAX_POOL_2D and RESHAPE outputs (7, 8) have the conv output's quantization
  // (6): they reuse quant6 and write no quant struct of their own.
  EXPECT_EQ(m.find("quant7 ="), std::string::npos);
  EXPECT_EQ(m.find("quant8 ="), std::string::npos);
  EXPECT_EQ(count(m, "static_cast<const void*>(&g0::quant6))"), 3u);
  // Equal shapes share a dims array too: logits and probabilities are [1,3].
  EXPECT_NE(m.find("tensor_dimension9 ="), std::string::npos);
  EXPECT_EQ(m.find("tensor_dimension10 ="), std::string::npos);
  EXPECT_NE(m.find("(TfLiteIntArray*)&g0::tensor_dimension9, 3,"), std::string::npos);

  // 2024 writes every array.
  const std::string old = read_file(model_cpp(generate("noshare", "--synthetic conv-int8-perchannel --era 2024")));
  EXPECT_NE(old.find("quant3_zero ="), std::string::npos);
  EXPECT_NE(old.find("quant7 ="), std::string::npos);
}

TEST_F(FixtureGen, TensorDataIsReadOnEveryRun) {
  // Tensor 5 is the last dense layer's weights in fc-int8. Zeroing them makes
  // every logit equal its bias; pointing back restores the first result.
  const fs::path root = generate("repoint", "--synthetic fc-int8 --era 2024");
  const fs::path cpp = model_cpp(root);
  write_file(cpp, read_file(cpp) + kRepointHook);
  const auto runs = build_and_run(root, "-DREPOINT=5 -UREPEAT_SET -DREPEAT_SET=1");
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_NE(runs[0].values, runs[1].values);
  EXPECT_EQ(runs[0].values, runs[2].values);
}

TEST_F(FixtureGen, ArmCortexM4Compile) {
  if (run_command("arm-none-eabi-g++ --version").status != 0) GTEST_SKIP() << "arm-none-eabi-g++ not installed";
  for (const char* era : {"2023", "2025"}) {
    const fs::path root = generate(std::string("arm") + era, std::string("--synthetic conv-int8-perchannel --era ") + era);
    std::vector<fs::path> sources = {root / "examples/static_buffer/static_buffer.ino"};
    for (const auto& e : fs::recursive_directory_iterator(root / "src"))
      if (e.path().extension() == ".cpp") sources.push_back(e.path());
    for (const fs::path& source : sources) {
      const CommandResult r = run_command(
          "arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb -Os -fno-exceptions -fno-rtti -std=c++11 -Wall -Werror -I" +
          quote((root / "src").string()) + " -x c++ -c " + quote(source.string()) + " -o " +
          quote((work_ / "arm.o").string()));
      EXPECT_EQ(r.status, 0) << source << "\n" << r.output;
    }
  }
}

// The --tflite path in a clone without real models: the recipes written as .tflite files
// (--as-tflite) and converted back compute what the recipes do.
TEST_F(FixtureGen, TfliteFilesConvertLikeTheRecipes) {
  for (const char* recipe : {"fc-int8", "conv-int8-perchannel", "fc-float"}) {
    const fs::path file = work_ / (std::string(recipe) + ".tflite");
    const CommandResult w = run_command(quote(gen_) + " --as-tflite --synthetic " + recipe + " --out " + quote(file.string()));
    ASSERT_EQ(w.status, 0) << w.output;
    EXPECT_EQ(read_file(file).substr(4, 4), "TFL3");
    const auto from_file = build_and_run(generate(std::string(recipe) + "-file", "--tflite " + quote(file.string()) + " --era 2025"));
    const auto from_recipe = build_and_run(generate(std::string(recipe) + "-recipe", std::string("--synthetic ") + recipe + " --era 2025"));
    expect_finite_and_varied(from_file);
    ASSERT_EQ(from_file.size(), from_recipe.size()) << recipe;
    for (size_t k = 0; k < from_file.size(); ++k) EXPECT_EQ(from_file[k].values, from_recipe[k].values) << recipe;
  }
}

TEST_F(FixtureGen, HelloWorldInt8FromTflite) {
  const fs::path model = tflite("tfm-hello_world_int8");
  if (model.empty())
    GTEST_SKIP() << "needs the real model tfm-hello_world_int8.tflite in " << kSharedHint
                 << "; FixtureGen.TfliteFilesConvertLikeTheRecipes covers the --tflite path without it";
  for (const char* era : {"2023", "2024", "2025"}) {
    const fs::path root = generate(std::string("hw") + era, "--tflite " + quote(model.string()) + " --era " + era);
    const auto runs = build_and_run(root);
    expect_finite_and_varied(runs);
    // The network approximates sin(x); input x is sin(0.5 + 1.1 * run).
    for (size_t k = 0; k < runs.size(); ++k)
      EXPECT_NEAR(runs[k].values.at(0), std::sin(std::sin(0.5 + 1.1 * k)), 0.1) << "era " << era;
  }
  // EON-style numbering: tensor N of the flatbuffer is tensorData[N].
  const std::string m = read_file(model_cpp(work_ / "hw2023"));
  EXPECT_NE(m.find("const TensorInfo_t tensorData[] = {"), std::string::npos);
  EXPECT_EQ(count(m, "{ kTfLiteMmapRo"), 6u);
  EXPECT_EQ(count(m, "kTfLiteArenaRw, kTfLiteInt8"), 4u);
}

TEST_F(FixtureGen, RealConvNetsRunAndUnsupportedOpsFailCleanly) {
  const fs::path kws = tflite("ei-kws-v1"), person = tflite("tfm-person_detect"), lstm = tflite("tfm-mnist_lstm-v1");
  if (kws.empty() || person.empty() || lstm.empty())
    GTEST_SKIP() << "needs the real models ei-kws-v1, tfm-person_detect and tfm-mnist_lstm-v1 (.tflite) in " << kSharedHint
                 << "; FixtureGen.TfliteFilesConvertLikeTheRecipes runs a converted conv net without them";
  for (const fs::path& model : {kws, person}) {
    const auto runs = build_and_run(generate(model.stem().string(), "--tflite " + quote(model.string()) + " --era 2025"),
                                    "", "3");
    ASSERT_EQ(runs.size(), 3u) << model;
    for (const RunResult& r : runs) {
      EXPECT_EQ(r.err, 0) << model;
      double sum = 0;
      for (double v : r.values) sum += v;
      EXPECT_NEAR(sum, 1.0, 0.05) << model << ": softmax outputs should sum to 1";
    }
  }
  // The LSTM op has no kernel in the fake SDK: the fixture builds, the run fails.
  const auto runs = build_and_run(generate("lstm", "--tflite " + quote(lstm.string()) + " --era 2024"));
  ASSERT_EQ(runs.size(), 3u);
  for (const RunResult& r : runs) EXPECT_NE(r.err, 0);
}

}  // namespace
