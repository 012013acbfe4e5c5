// `eiota simulate`: build the deployed export on the host, apply a payload, compare the raw output
// tensors of every learn block (and the anomaly score) with what the retrained export computes.
//
// Exit codes: 0 identical (something was compared, every run succeeded); 1 an error (a build
// failed, the payload does not verify or the device refused it); 3 DIFFERENT; 4 nothing compared
// (a run failed, no output was captured, no --expect) or the inputs saturate the model (the payload
// changed values but no output moved); 5 an input error (bad --features, an unreadable file).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "eiota_errors.h"
#include "export_files.h"
#include "manifest.h"
#include "numbers.h"
#include "payload.h"
#include "selftest.h"
#include "simulator.h"

#include "commands.h"

using namespace eiota::host;
namespace fs = std::filesystem;

namespace eiota::cli {
namespace {

enum Exit { kIdentical = 0, kDifferent = 3, kNothingCompared = 4, kInputError = 5 };

struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What one run of a simulator printed.
struct Side {
  std::string name;
  int exit = 0;
  std::string text;
  bool ran = false;  // a "run_classifier: N" line
  int err = 0;       // its N
  std::vector<std::string> raw, shown;  // raw output lines; everything worth showing
  std::vector<std::string> results;     // what run_classifier's caller sees: raw tensors, then results
  std::string anomaly;
  std::vector<std::string> not_run;  // learn blocks the build has but run_classifier never ran
  std::map<std::string, std::string> working;  // region -> hash of its working values
};

Side parse(const std::string& name, const RunResult& r) {
  Side s{name, r.code, r.out};
  for (const auto& l : split_lines(r.out)) {
    std::istringstream in(l);
    std::string word, idx, w, wh;
    in >> word;
    if (word == "region") {
      if (in >> idx >> w >> wh) s.working[idx] = wh;
      continue;
    }
    if (word == "apply" || word == "restore" || word == "store:" || word.rfind("sim:", 0) == 0) continue;
    if (word == "run_classifier:") { s.ran = true; in >> s.err; }
    if (word == "raw") s.raw.push_back(l);
    if (word == "anomaly") s.anomaly = l;
    if (word == "not") {
      std::string run, learn, block, stem;
      if (in >> run >> learn >> block >> stem) s.not_run.push_back(stem);
      continue;
    }
    if (s.ran && word != "run_classifier:") s.results.push_back(l);
    s.shown.push_back(l);
  }
  return s;
}

// What is compared: every raw output tensor, the anomaly score, and the results made from them
// (so a changed output scale is seen too).
const std::vector<std::string>& compared(const Side& s) { return s.results; }

bool parse_numbers(const std::string& text, std::vector<float>& out, std::string& bad) {
  std::string tok;
  auto flush = [&]() {
    if (tok.empty()) return true;
    char* end = nullptr;
    float x = std::strtof(tok.c_str(), &end);
    if (end == tok.c_str() || *end) { bad = tok; return false; }
    out.push_back(x);
    tok.clear();
    return true;
  };
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!flush()) return false;
    } else {
      tok += c;
    }
  }
  return flush();
}

// --features: a file of numbers if such a file exists, else the numbers themselves.
std::vector<float> read_features(const std::string& arg) {
  std::vector<float> v;
  std::string bad;
  std::error_code ec;  // a long list of numbers is no file name; never an exception
  if (fs::exists(arg, ec)) {
    std::string text;
    try {
      text = read_file(arg);
    } catch (const std::exception& e) {
      throw InputError(std::string("--features: ") + e.what());
    }
    if (!parse_numbers(text, v, bad)) throw InputError("--features " + arg + ": '" + bad + "' is not a number");
  } else if (!parse_numbers(arg, v, bad)) {
    throw InputError("--features '" + arg + "': no such file, and not a comma-separated list of numbers ('" + bad +
                     "' is not a number)");
  }
  if (v.empty()) throw InputError("--features '" + arg + "': no numbers in it");
  return v;
}

// Writes the features where the simulators read them, with every float's exact value.
std::string features_file(const std::vector<float>& v, const std::string& cache) {
  std::string text;
  char buf[32];
  for (float f : v) {
    snprintf(buf, sizeof buf, "%.9g\n", f);
    text += buf;
  }
  fs::path p = fs::path(cache) / ("features-" + std::to_string(std::hash<std::string>{}(text)) + ".csv");
  write_file_atomic(p.string(), text);
  return fs::absolute(p).string();
}

// Builds `exp` into cache/<role>-<hash> and returns the executable. Objects are shared by content.
std::string built(const std::string& exp, const std::string& cache, const char* role) {
  std::string abs = fs::absolute(exp).lexically_normal().string();
  char tag[32];
  snprintf(tag, sizeof tag, "%s-%08zx", role, std::hash<std::string>{}(abs) & 0xffffffffu);
  fs::create_directories(cache);
  std::string bin = (fs::path(cache) / tag).string();
  build_simulator({exp, bin, "", true, (fs::path(cache) / "objects").string()});
  return bin;
}

Side run_side(const std::string& name, const std::string& cmd) {
  Side s = parse(name, run_command(cmd));
  if (s.exit == 2) {  // the simulator's input error
    std::string why;
    for (const auto& l : split_lines(s.text))
      if (l.rfind("sim: input error: ", 0) == 0) why = l.substr(18);
    throw InputError(name + ": " + (why.empty() ? s.text : why));
  }
  return s;
}

std::string cell(const std::vector<std::string>& v, size_t i) {
  if (i >= v.size()) return "";
  return v[i].size() <= 40 ? v[i] : v[i].substr(0, 37) + "...";
}

void print_table(const std::vector<const Side*>& sides) {
  size_t rows = 0;
  for (const Side* s : sides) {
    std::printf("%-42s", s->name.c_str());
    rows = std::max(rows, s->shown.size());
  }
  std::printf("\n");
  for (size_t i = 0; i < rows; i++) {
    for (const Side* s : sides) std::printf("%-42s", cell(s->shown, i).c_str());
    std::printf("\n");
  }
}

// Names what differs between two compared lists.
void print_differences(const Side& a, const Side& b) {
  const std::vector<std::string>&x = compared(a), &y = compared(b);
  for (size_t i = 0; i < std::max(x.size(), y.size()); i++) {
    if (i < x.size() && i < y.size() && x[i] == y[i]) continue;
    std::printf("  %s: %s\n  %s: %s\n", a.name.c_str(), i < x.size() ? x[i].c_str() : "(none)", b.name.c_str(),
                i < y.size() ? y[i].c_str() : "(none)");
  }
}

// "nothing compared" when a side failed or captured nothing; "" when every side can be compared.
std::string incomparable(const std::vector<const Side*>& sides) {
  for (const Side* s : sides) {
    if (!s->ran) return s->name + " did not run the model (exit " + std::to_string(s->exit) + "):\n" + s->text;
    if (s->err != 0) return s->name + ": run_classifier failed with " + std::to_string(s->err);
    if (s->raw.empty()) return s->name + ": no learn block output was captured";
    if (!s->not_run.empty()) {
      std::string list;
      for (const auto& b : s->not_run) list += (list.empty() ? "" : ", ") + b;
      return s->name + ": run_classifier never ran learn block " + list +
             " (a multi-impulse library runs one impulse per call): its values are not proven";
    }
  }
  return "";
}

int simulate(const std::string& base, const std::string& payload, const std::string& expect,
             const std::string& features, const std::string& cache, const std::string& delta_from) {
  Manifest m;
  std::string bytes;
  try {
    m = load_manifest(base);
    bytes = read_file(payload);
  } catch (const std::exception& e) {
    throw InputError(e.what());
  }
  if (!expect.empty() && !fs::exists(expect)) throw InputError(expect + ": no such file or folder");
  PayloadInfo p = read_payload(bytes, &m.public_key);
  if (!p.problems.empty() || std::memcmp(p.header.fingerprint, m.fingerprint.data(), 16) != 0)
    throw std::runtime_error(payload + ": does not verify against " + base +
                             (p.problems.empty() ? std::string(": built for another model") : ": " + p.problems[0]));
  if (p.compressed && !m.inflate)  // said now, not after a build of minutes
    throw std::runtime_error(payload + ": " + device_refusal(EIOTA_ERR_UNSUPPORTED, bytes, device_model(m, m.public_key)));
  fs::create_directories(cache);
  std::string feat;
  if (!features.empty()) {
    std::vector<float> v = read_features(features);
    int64_t want = arch_setting(m.arch, "EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE");
    if (want > 0 && (int64_t)v.size() != want)  // said now, not after a build of minutes
      throw InputError("--features: " + std::to_string(v.size()) + " values given, the deployed model takes " +
                       std::to_string(want) + " (EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE)");
    feat = " --features '" + features_file(v, cache) + "'";
  }
  std::string dev = built(base, cache, "deployed");
  Side before = run_side("deployed, factory values", "'" + dev + "' --regions" + feat);
  // A flash-mode library updates only through a store: a fresh one, in slot files of its own.
  std::string store;
  if (m.storage == "flash") {
    fs::path dir = fs::path(cache) / ("store-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    store = " --store '" + dir.string() + "'";
  }
  // A delta on a release: the device takes that release first (confirmed, with a store).
  std::string first;
  if (!delta_from.empty() && delta_from != "factory") {
    if (!fs::exists(delta_from)) throw InputError("--delta-from " + delta_from + ": no such file");
    first = " --payload '" + fs::absolute(delta_from).string() + "'" + (store.empty() ? "" : " --confirm");
  }
  Side after = run_side("deployed + payload",
                        "'" + dev + "'" + store + first + " --payload '" + fs::absolute(payload).string() + "' --regions" + feat);
  if (!store.empty()) fs::remove_all(fs::path(cache) / ("store-" + std::to_string(::getpid())));
  if (after.text.find(fs::absolute(payload).string() + ": ok") == std::string::npos) throw std::runtime_error("the device refused the payload: " + after.text);
  Side want;
  std::vector<const Side*> sides = {&before, &after};
  if (!expect.empty()) {
    want = run_side("retrained export", "'" + built(expect, cache, "expected") + "'" + feat);
    sides.push_back(&want);
  }
  print_table(sides);

  std::string why = incomparable(sides);
  if (!why.empty()) {
    std::printf("nothing compared: %s\n", why.c_str());
    return kNothingCompared;
  }
  bool values_moved = before.working != after.working;
  bool outputs_moved = compared(before) != compared(after);
  if (!expect.empty() && compared(after) != compared(want)) {
    std::printf("DIFFERENT: the deployed model with the payload does not compute what %s computes:\n", expect.c_str());
    print_differences(after, want);
    return kDifferent;
  }
  if (values_moved && !outputs_moved) {
    std::printf("inputs saturate the model: the payload changed the model's values but no output moved, so this "
                "input does not test them; pass --features with a real sample\n");
    return kNothingCompared;
  }
  if (expect.empty()) {
    std::printf("nothing compared: give --expect <the retrained export> to compare with (the payload %s the outputs)\n",
                outputs_moved ? "moved" : "did not move");
    return kNothingCompared;
  }
  std::printf("identical: the deployed model with the payload computes bit for bit what %s computes "
              "(%zu raw output tensors%s compared)\n",
              expect.c_str(), after.raw.size(), after.anomaly.empty() ? "" : " and the anomaly score");
  return kIdentical;
}

}  // namespace

int cmd_simulate(const std::string& base, const std::string& payload, const std::string& expect,
                 const std::string& features, const std::string& cache, const std::string& delta_from) {
  try {
    return simulate(base, payload, expect, features, cache, delta_from);
  } catch (const InputError& e) {
    std::fprintf(stderr, "eiota simulate: input error: %s\n", e.what());
    return kInputError;
  }
}

}  // namespace eiota::cli
