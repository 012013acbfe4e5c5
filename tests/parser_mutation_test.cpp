// Mutation test of the readers: generated exports (an EON model file, model_variables.h, a K-means
// anomaly_metadata.h, model_metadata.h, a zip) mutated a few thousand times, deterministically
// (byte flips, truncations, duplicated and deleted tokens, huge numbers, deep nesting), and read
// in-process. Each read must succeed or throw std::runtime_error: never crash, hang, throw
// anything else, or allocate more than alloc_cap.h allows.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "alloc_cap.h"
#include "eon_model.h"
#include "export_files.h"
#include "model_export.h"

namespace fs = std::filesystem;
using namespace eiota::host;

namespace {

std::string env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

const std::string kGen = env("EIOTA_FIXTURE_GEN", std::string(EIOTA_BINARY_DIR) + "/tests/gen/eiota-fixture-gen");

// splitmix64: the same sequence on every machine.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n ? (size_t)(next() % n) : 0; }
};

bool word_char(char c) { return std::isalnum((unsigned char)c) || c == '_'; }

// The token at `pos`: a run of word characters, or one other character.
std::pair<size_t, size_t> token_at(const std::string& s, size_t pos) {
  if (pos >= s.size()) return {s.size(), s.size()};
  size_t b = pos, e = pos + 1;
  if (word_char(s[pos])) {
    while (b > 0 && word_char(s[b - 1])) b--;
    while (e < s.size() && word_char(s[e])) e++;
  }
  return {b, e};
}

void mutate_once(std::string& s, Rng& r, bool binary) {
  static const char* const kHuge[] = {"4294967295", "4294967296", "18446744073709551615", "18446744073709551616",
                                      "99999999999999999999999", "-2147483649", "0x7fffffffffffffff", "-0",
                                      "1e999", "0", "65536*65536*65536*65536"};
  static const char* const kInsert[] = {"{", "}", "(", ")", "[", "]", ",", ";", "\"", "'", "/*", "*/", "\n#if 0\n",
                                        "\n#endif\n", "\n#else\n", "<", ">", "=", "\\\n", "0x", "-", ".", "::",
                                        "TfArray<", "int8_t", "tensorData", "kTfLiteAffineQuantization", "&", "*"};
  size_t pos = r.below(s.size() + 1);
  switch (r.below(binary ? 4 : 10)) {
    case 0:  // byte flip
      if (!s.empty()) s[r.below(s.size())] ^= (char)(1 + r.below(255));
      break;
    case 1:  // truncation
      s.resize(pos);
      break;
    case 2: {  // span deleted
      size_t n = 1 + r.below(binary ? 512 : 64);
      s.erase(pos, n);
      break;
    }
    case 3: {  // span duplicated elsewhere
      size_t n = 1 + r.below(binary ? 512 : 64);
      std::string span = s.substr(pos, n);
      s.insert(r.below(s.size() + 1), span);
      break;
    }
    case 4: {  // token deleted
      auto [b, e] = token_at(s, pos);
      s.erase(b, e - b);
      break;
    }
    case 5: {  // token duplicated
      auto [b, e] = token_at(s, pos);
      s.insert(b, s.substr(b, e - b) + (r.below(2) ? " " : ""));
      break;
    }
    case 6: {  // a number made huge
      size_t d = s.find_first_of("0123456789", pos);
      if (d == std::string::npos) break;
      size_t e = d;
      while (e < s.size() && (std::isalnum((unsigned char)s[e]) || s[e] == '.')) e++;
      s.replace(d, e - d, kHuge[r.below(std::size(kHuge))]);
      break;
    }
    case 7: {  // deep nesting, closed or not
      static const size_t kDepth[] = {63, 64, 65, 1000, 100000};
      size_t n = kDepth[r.below(std::size(kDepth))];
      std::string open(n, r.below(4) ? '{' : '(');
      std::string close(r.below(2) ? n : 0, open[0] == '{' ? '}' : ')');
      s.insert(pos, open + "1" + close);
      break;
    }
    case 8:  // punctuation, directives, words the readers look for
      s.insert(pos, kInsert[r.below(std::size(kInsert))]);
      break;
    case 9: {  // an array element type changed
      static const char* const kTypes[] = {"int8_t>", "uint8_t>", "int16_t>", "int64_t>", "float>", "bool>"};
      size_t at = s.find("int>", pos);
      if (at == std::string::npos) at = s.find("int>");
      if (at != std::string::npos) s.replace(at, 4, kTypes[r.below(std::size(kTypes))]);
      break;
    }
  }
}

std::string mutate(const std::string& in, uint64_t seed, bool binary = false) {
  Rng r{seed};
  std::string s = in;
  size_t n = 1 + r.below(3);
  for (size_t i = 0; i < n; i++) mutate_once(s, r, binary);
  return s;
}

// The case being run, for the watchdog's message.
volatile sig_atomic_t g_case = -1;
char g_what[128];

void on_alarm(int) {
  char msg[256];
  int n = std::snprintf(msg, sizeof msg, "\nparser_mutation_test: hung on %s mutation %d\n", g_what, (int)g_case);
  if (n > 0) (void)!write(2, msg, (size_t)n);
  _exit(3);
}

// Runs `read` on each of `count` mutations of `text`; returns how many were refused.
int run_mutations(const char* what, int count, uint64_t salt, const std::string& text, bool binary,
                  const std::function<void(const std::string&)>& read) {
  std::snprintf(g_what, sizeof g_what, "%s", what);
  int refused = 0;
  auto slowest = std::chrono::steady_clock::duration::zero();
  int slowest_case = -1;
  for (int i = 0; i < count; i++) {
    g_case = i;
    std::string m = mutate(text, salt * 1000003 + (uint64_t)i, binary);
    auto t0 = std::chrono::steady_clock::now();
    try {
      read(m);
    } catch (const std::runtime_error&) {
      refused++;
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << " mutation " << i << ": not a runtime_error: " << e.what();
    }
    auto dt = std::chrono::steady_clock::now() - t0;
    if (dt > slowest) { slowest = dt; slowest_case = i; }
  }
  // Each read is linear in the input: one that takes seconds is a (near-)hang.
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count(), 3000)
      << what << " mutation " << slowest_case << " was slow";
  g_case = -1;
  return refused;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), {});
}

class Mutation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("eiota_parser_mutation_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::string gen = kGen + " --layout arduino --name demo --synthetic conv-int8-perchannel ";
    ok_ = std::system((gen + "--era 2025 --out " + (dir_ / "e2025").string() + " >/dev/null").c_str()) == 0 &&
          std::system((gen + "--era 2021 --out " + (dir_ / "e2021").string() + " >/dev/null").c_str()) == 0 &&
          std::system((kGen + " --layout cpp --name demo --synthetic fc-mixed --era 2024 --zip --out " +
                       (dir_ / "e2024.zip").string() + " >/dev/null").c_str()) == 0;
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  void SetUp() override {
    ASSERT_TRUE(ok_) << "eiota-fixture-gen failed (" << kGen << ")";
    std::signal(SIGALRM, on_alarm);
    alarm(120);
  }
  void TearDown() override { alarm(0); }

  // The generated export with a K-means block added as Edge Impulse includes it.
  static ExportFiles with_kmeans(ExportFiles e) {
    std::string params = e.root + "model-parameters/";
    e.files[params + "anomaly_metadata.h"] =
        "#ifndef _EI_CLASSIFIER_ANOMALY_METADATA_H_\n#define _EI_CLASSIFIER_ANOMALY_METADATA_H_\n"
        "typedef struct { float *centroid; float max_error; } ei_classifier_anom_cluster_t;\n"
        "const uint16_t ei_classifier_anom_axes[] = { 0, 3 };\n"
        "const float ei_classifier_anom_scale[2] = { 4.5, 3.0765670669068275 };\n"
        "const float ei_classifier_anom_mean[2] = { 4.124793295218616, 2.25 };\n"
        "const ei_classifier_anom_cluster_t ei_classifier_anom_clusters[3] = {\n"
        "\t{ ( float[2] ) { -0.8932911157608032, 0.5 }, 0.4487099570359647 },\n"
        "\t{ ( float[2] ) { 1.25, -0.5 }, 0.75 },\n"
        "\t{ ( float[2] ) { -0.5, 2.5 }, 0.125 },\n};\n#endif\n";
    std::string& vars = e.files[params + "model_variables.h"];
    vars.insert(vars.find("#include", vars.find("#define")), "#include \"anomaly_metadata.h\"\n");
    return e;
  }

  static std::string model_path(const ExportFiles& e) {
    for (const auto& [path, _] : e.files)
      if (path.ends_with("_compiled.cpp")) return path;
    return "";
  }

  static inline fs::path dir_;
  static inline bool ok_ = false;
};

TEST_F(Mutation, EonModelFiles) {
  uint64_t salt = 1;
  for (const char* era : {"e2025", "e2021"}) {
    ExportFiles e = load_export((dir_ / era).string());
    std::string path = model_path(e);
    ASSERT_FALSE(path.empty());
    const std::string& text = e.files.at(path);
    ASSERT_NO_THROW(read_eon_model(path, text));
    int refused = run_mutations(era, 1500, salt++, text, false,
                                [&](const std::string& m) { read_eon_model(path, m); });
    // Most mutations break the file; some (a flipped digit) leave a model that still reads.
    EXPECT_GT(refused, 300) << era;
    EXPECT_LT(refused, 1500) << era;
  }
}

TEST_F(Mutation, ImpulseHeadersThroughAnalyzeExport) {
  ExportFiles e = with_kmeans(load_export((dir_ / "e2025").string()));
  ModelExport good = analyze_export(e);
  ASSERT_FALSE(good.anomaly.empty());
  uint64_t salt = 10;
  for (const char* name : {"model_variables.h", "anomaly_metadata.h", "model_metadata.h"}) {
    std::string path = e.root + "model-parameters/" + name;
    ASSERT_TRUE(e.has(path)) << path;
    std::string original = e.files.at(path);
    run_mutations(name, 400, salt++, original, false, [&](const std::string& m) {
      e.files[path] = m;
      analyze_export(e);
    });
    e.files[path] = original;
  }
  std::string model = model_path(e);
  std::string original = e.files.at(model);
  run_mutations("model through analyze_export", 300, salt++, original, false, [&](const std::string& m) {
    e.files[model] = m;
    analyze_export(e);
  });
}

TEST_F(Mutation, ZipArchives) {
  fs::path zip = dir_ / "e2024.zip";
  ASSERT_NO_THROW(analyze_export(zip.string()));
  std::string bytes = slurp(zip);
  fs::path out = dir_ / "mutated.zip";
  run_mutations("zip", 300, 20, bytes, true, [&](const std::string& m) {
    { std::ofstream(out, std::ios::binary | std::ios::trunc) << m; }
    analyze_export(out.string());
  });
}

}  // namespace
