#include "selftest.h"

#include <cctype>
#include <cstring>
#include <functional>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "eiota_selftest.h"
#include "export_files.h"
#include "numbers.h"
#include "simulator.h"

namespace fs = std::filesystem;

namespace eiota::host {
namespace {

// Splits `text` into floats; false with `bad` set at the first token that is not a number.
bool parse_numbers(const std::string& text, Sample& out, std::string& bad) {
  std::string tok;
  auto flush = [&]() {
    if (tok.empty()) return true;
    char* end = nullptr;
    float x = std::strtof(tok.c_str(), &end);
    if (end == tok.c_str() || *end) {
      bad = tok;
      return false;
    }
    out.push_back(x);
    tok.clear();
    return true;
  };
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\r') {
      if (!flush()) return false;
    } else {
      tok += c;
    }
  }
  return flush();
}

uint32_t hex_u32(const std::string& s, const std::string& what) {
  if (s.size() != 8 || s.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw std::runtime_error(what + ": '" + s + "' is not 8 hex digits");
  return (uint32_t)std::stoul(s, nullptr, 16);
}

}  // namespace

int64_t arch_setting(const Arch& a, const std::string& name) {
  std::function<int64_t(const std::string&, int)> value = [&](const std::string& n, int depth) -> int64_t {
    auto it = a.settings.find(n);
    if (depth > 4 || it == a.settings.end()) return -1;
    std::string v;
    for (char c : it->second)
      if (c != '(' && c != ')' && c != ' ') v += c;
    int64_t product = 1;
    size_t at = 0;
    while (at <= v.size()) {
      size_t star = v.find('*', at);
      std::string f = v.substr(at, star == std::string::npos ? std::string::npos : star - at);
      int64_t x = -1;
      if (!f.empty() && std::isdigit((unsigned char)f[0])) {
        try {
          x = parse_c_int(f, n, 0, INT32_MAX);
        } catch (const std::exception&) {
          return -1;
        }
      } else {
        x = value(f, depth + 1);
      }
      if (x < 0 || (x && product > INT32_MAX / x)) return -1;
      product *= x;
      if (star == std::string::npos) break;
      at = star + 1;
    }
    return product;
  };
  return value(name, 0);
}

std::vector<Sample> read_selftest_samples(const std::string& path, int64_t want) {
  std::string text = read_file(path);
  std::vector<Sample> out;
  std::vector<std::string> ls = split_lines(text);
  for (size_t i = 0; i < ls.size(); i++) {
    Sample s;
    std::string bad;
    std::string at = path + " line " + std::to_string(i + 1);
    if (!parse_numbers(ls[i], s, bad)) throw std::runtime_error(at + ": '" + bad + "' is not a number");
    if (s.empty()) continue;
    for (float f : s)
      if (!std::isfinite(f)) throw std::runtime_error(at + ": " + std::to_string(f) + " is not a finite number");
    if (want > 0 && (int64_t)s.size() != want)
      throw std::runtime_error(at + ": " + std::to_string(s.size()) + " values, the deployed model takes " +
                               std::to_string(want) + " (EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE)");
    out.push_back(std::move(s));
  }
  if (out.empty()) throw std::runtime_error(path + ": no samples in it (one sample per line, numbers separated by commas)");
  return out;
}

float parse_tolerance(const std::string& text, const std::string& what) {
  char* end = nullptr;
  float t = std::strtof(text.c_str(), &end);
  if (text.empty() || end == text.c_str() || *end || !std::isfinite(t) || t < 0)
    throw std::runtime_error(what + " '" + text + "': needs a finite number >= 0 (0: bit for bit)");
  return t == 0 ? 0.0f : t;  // -0 is 0
}

std::vector<Sample> selftest_outputs(const std::string& export_path, const std::vector<Sample>& samples,
                                     const std::string& cache) {
  std::string abs = fs::absolute(export_path).lexically_normal().string();
  char tag[40];
  snprintf(tag, sizeof tag, "selftest-%08zx", std::hash<std::string>{}(abs) & 0xffffffffu);
  fs::create_directories(cache);
  std::string bin = (fs::path(cache) / tag).string();
  build_simulator({export_path, bin, "", true, (fs::path(cache) / "objects").string()});

  std::string text;
  char buf[32];
  for (const Sample& s : samples) {
    for (size_t i = 0; i < s.size(); i++) {
      snprintf(buf, sizeof buf, "%s%.9g", i ? "," : "", s[i]);  // %.9g: every float exactly
      text += buf;
    }
    text += "\n";
  }
  fs::path file = fs::path(cache) / (std::string(tag) + "-samples.txt");
  write_file_atomic(file.string(), text);
  RunResult r = run_command("'" + bin + "' --selftest-samples '" + fs::absolute(file).string() + "'");
  std::string what = export_path + ": the self-test run";
  std::vector<Sample> out;
  uint32_t outputs = 0;
  bool shaped = false;
  for (const std::string& l : split_lines(r.out)) {
    std::istringstream in(l);
    std::string word;
    in >> word;
    if (word == "selftest-shape") {
      int64_t inputs = 0;
      in >> inputs >> outputs;
      if (inputs != (int64_t)samples[0].size())
        throw std::runtime_error(export_path + ": the model takes " + std::to_string(inputs) + " features, the samples have " +
                                 std::to_string(samples[0].size()));
      shaped = true;
    } else if (word == "selftest") {
      size_t n = 0;
      int err = -1;
      std::string list;
      in >> n >> err >> list;
      if (err != 0) throw std::runtime_error(export_path + ": run_classifier failed (" + std::to_string(err) + ") on sample " + std::to_string(n + 1));
      Sample s;
      std::istringstream items(list);
      std::string item;
      while (std::getline(items, item, ',')) {
        uint32_t u = hex_u32(item, what);
        float f;
        memcpy(&f, &u, 4);
        s.push_back(f);
      }
      if (n != out.size() || s.size() != outputs)
        throw std::runtime_error(what + " printed sample " + std::to_string(n) + " with " + std::to_string(s.size()) +
                                 " outputs, expected sample " + std::to_string(out.size()) + " with " + std::to_string(outputs));
      out.push_back(std::move(s));
    }
  }
  if (r.code != 0 || !shaped || out.size() != samples.size())
    throw std::runtime_error(what + " failed (exit " + std::to_string(r.code) + "):\n" + r.out);
  if (outputs == 0) throw std::runtime_error(export_path + ": the model gives no outputs to test");
  return out;
}

std::string selftest_block(const std::vector<Sample>& inputs, const std::vector<Sample>& outputs, float tolerance) {
  if (inputs.empty() || inputs.size() != outputs.size()) throw std::runtime_error("self-test: inputs and outputs do not pair up");
  eiota_selftest_header h{};
  h.version = EIOTA_SELFTEST_VERSION;
  h.elem_type = EIOTA_FLOAT32;
  h.sample_count = (uint32_t)inputs.size();
  h.input_count = (uint32_t)inputs[0].size();
  h.output_count = (uint32_t)outputs[0].size();
  h.tolerance = tolerance;
  uint64_t size = EIOTA_SELFTEST_HEADER_LEN + (uint64_t)inputs.size() * eiota_selftest_sample_len(&h);
  if (size > UINT32_MAX / 2) throw std::runtime_error("self-test: " + std::to_string(size) + " bytes, too large");
  std::string out(size, '\0');
  uint8_t* p = (uint8_t*)out.data();
  eiota_selftest_encode(&h, p);
  size_t at = EIOTA_SELFTEST_HEADER_LEN;
  for (size_t i = 0; i < inputs.size(); i++) {
    if (inputs[i].size() != h.input_count || outputs[i].size() != h.output_count)
      throw std::runtime_error("self-test: sample " + std::to_string(i + 1) + " has other counts than the first");
    for (float f : inputs[i]) eiota_selftest_put_f32(p + at, f), at += 4;
    for (float f : outputs[i]) eiota_selftest_put_f32(p + at, f), at += 4;
  }
  if (eiota_selftest_decode(p, out.size(), (uint32_t)out.size(), &h) != EIOTA_SELFTEST_OK)
    throw std::logic_error("self-test block does not decode");
  return out;
}

}  // namespace eiota::host
