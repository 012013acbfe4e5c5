#include "impulse_config.h"

#include <cctype>
#include <cstdlib>

#include "cpp_tokens.h"
#include "model_arch.h"

namespace eiota::host {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// A setting whose value names another macro is kept as "0 (from EI_ANOMALY_TYPE_UNKNOWN)".
const char* const kFrom = " (from ";

std::string without_from(const std::string& v) {
  size_t at = v.rfind(kFrom);
  return at != std::string::npos && !v.empty() && v.back() == ')' ? v.substr(0, at) : v;
}

// A number as written in C ("0.02f", "16000", "-3") or nothing.
bool as_number(std::string v, double* out) {
  while (!v.empty() && (v.back() == 'f' || v.back() == 'F' || v.back() == 'u' || v.back() == 'U' || v.back() == 'l' || v.back() == 'L') &&
         v.find_first_of("xX") == std::string::npos)
    v.pop_back();
  if (v.size() >= 2 && v.front() == '(' && v.back() == ')') v = v.substr(1, v.size() - 2);
  if (v.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(v.c_str(), &end);
  return end == v.c_str() + v.size();
}

bool same_value(const std::string& a, const std::string& b) {
  double x, y;
  if (as_number(a, &x) && as_number(b, &y)) return x == y;
  return a == b;
}

// What an SDK that lacks the field behaves as: nothing set.
bool neutral(const std::string& v) {
  double x;
  if (as_number(v, &x)) return x == 0;
  return v == "NULL" || v == "nullptr" || v == "false" || v == "\"\"" || v == "{ }" || v == "{ 0 }";
}

std::vector<std::pair<std::string, std::string>> split_named(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("; ", pos);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(pos, end - pos);
    size_t eq = item.find('=');
    if (eq == std::string::npos) return {};
    out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    pos = end + 2;
  }
  return out;
}

bool is_named(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  for (size_t i = 0; i < eq; i++)
    if (!std::isalnum((unsigned char)text[i]) && text[i] != '_') return false;
  return true;
}

const std::string* find_field(const std::vector<std::pair<std::string, std::string>>& v, const std::string& name) {
  for (const auto& [k, x] : v)
    if (k == name) return &x;
  return nullptr;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

void diff_dsp(const Arch& base, const Arch& next, std::vector<std::string>& refusals, std::vector<std::string>& notes) {
  for (const auto& [k, v] : base.dsp) {
    auto it = next.dsp.find(k);
    if (it == next.dsp.end()) {
      refusals.push_back("DSP block " + k + " missing in the new export");
      continue;
    }
    if (it->second == v) continue;
    if (!is_named(v) || !is_named(it->second)) {
      refusals.push_back("DSP block " + k + " differs: [" + v + "] vs [" + it->second + "]");
      continue;
    }
    auto a = split_named(v), b = split_named(it->second);
    if (a.empty() || b.empty()) {  // a value that itself holds "; ": compare as written
      refusals.push_back("DSP block " + k + " differs: [" + v + "] vs [" + it->second + "]");
      continue;
    }
    std::vector<std::string> only;
    for (const auto& [f, x] : a) {
      const std::string* y = find_field(b, f);
      if (y && !same_value(x, *y)) refusals.push_back("DSP block " + k + ": " + f + " is " + x + " deployed vs " + *y + " new");
      else if (!y && !neutral(x))
        refusals.push_back("DSP block " + k + ": " + f + " = " + x + " in the deployed config is gone from the new export");
      else if (!y) only.push_back(f + "=" + x + " (deployed only)");
    }
    for (const auto& [f, y] : b) {
      if (find_field(a, f)) continue;
      if (!neutral(y))
        refusals.push_back("DSP block " + k + ": the new export sets " + f + " = " + y + ", which the deployed SDK does not have");
      else only.push_back(f + "=" + y);
    }
    if (!only.empty())
      notes.push_back("DSP block " + k + ": fields only one SDK version has, at values that change nothing: " + join(only));
  }
  for (const auto& [k, v] : next.dsp)
    if (!base.dsp.count(k)) refusals.push_back("DSP block " + k + " is new");
}

bool is_arena(const std::string& name) { return name.find("ARENA_SIZE") != std::string::npos; }

void diff_settings(const Arch& base, const Arch& next, std::vector<std::string>& refusals, std::vector<std::string>& notes) {
  std::vector<std::string> base_only, next_only;
  for (const auto& [k, v] : base.settings) {
    auto it = next.settings.find(k);
    if (it == next.settings.end()) {
      base_only.push_back(k + " " + v);
      continue;
    }
    std::string x = without_from(v), y = without_from(it->second);
    if (same_value(x, y)) continue;
    if (is_arena(k) && base.interpreter) {
      continue;  // compared as the blocks' arenas (model_arch.cpp)
    } else if (is_arena(k)) {
      notes.push_back(k + " is " + x + " deployed vs " + y + " new: EON code plans its own arena, and the deployed plan stays in use");
    } else {
      refusals.push_back("impulse setting " + k + " is " + v + " deployed vs " + it->second + " new");
    }
  }
  for (const auto& [k, v] : next.settings) {
    if (base.settings.count(k)) continue;
    // A feature switch only the newer SDK has, switched on: the deployed firmware would not do it.
    bool feature = starts_with(k, "EI_CLASSIFIER_HAS_") || ends_with(k, "_ENABLED");
    if (feature && !neutral(without_from(v)))
      refusals.push_back("the new export turns on " + k + " (" + v + "), which the deployed SDK does not have");
    else
      next_only.push_back(k + " " + v);
  }
  if (!base_only.empty()) notes.push_back("settings only the deployed SDK defines: " + join(base_only));
  if (!next_only.empty()) notes.push_back("settings only the new export's SDK defines (the deployed firmware does not read them): " + join(next_only));
}

}  // namespace

std::string without_project(std::string text, const std::string& project) {
  if (project.empty()) return text;
  const std::string from = "_" + project + "_";
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + 1))
    if (at > 0 && (std::isalpha((unsigned char)text[at - 1]) || text[at - 1] == '_') && at + from.size() < text.size() &&
        std::isdigit((unsigned char)text[at + from.size()]))
      text.erase(at, project.size() + 1);
  return text;
}

namespace {

bool opens(std::string_view w) { return w == "(" || w == "[" || w == "{"; }
bool closes(std::string_view w) { return w == ")" || w == "]" || w == "}"; }

// The name a member declarator declares: the pointer of `(*name)(...)`, else the last identifier
// outside brackets; `__attribute__((...))` is skipped. Returns the token index, or `last`.
size_t declarator_name(const std::vector<Token>& t, size_t first, size_t last) {
  size_t name = last;
  int depth = 0;
  for (size_t q = first; q < last; q++) {
    std::string_view w = t[q].text;
    if (w == "__attribute__") {
      for (int d = 0; ++q < last;) {
        if (t[q].text == "(") d++;
        if (t[q].text == ")" && --d == 0) break;
      }
      continue;
    }
    if (w == "(" && q + 2 < last && t[q + 1].text == "*" && t[q + 2].kind == Token::kIdent) return q + 2;
    if (opens(w)) depth++;
    else if (closes(w)) depth--;
    else if (depth == 0 && t[q].kind == Token::kIdent) name = q;
  }
  return name;
}

// The members of the struct body between tokens `first` and `last` (braces excluded).
std::vector<std::pair<std::string, std::string>> members(const std::vector<Token>& t, size_t first, size_t last) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string type;
  size_t start = first;
  bool first_declarator = true;
  int depth = 0;
  for (size_t j = first; j < last; j++) {
    std::string_view w = t[j].text;
    if (opens(w)) depth++;
    if (closes(w)) depth--;
    if (depth != 0 || (w != ";" && w != ",")) continue;
    size_t n = declarator_name(t, start, j);
    if (first_declarator) {  // `type a, b;`: the later declarators share the first one's type
      type.clear();
      for (size_t q = start; q < n && q < j; q++) type += (type.empty() ? "" : " ") + std::string(t[q].text);
    }
    out.emplace_back(type, n < j ? std::string(t[n].text) : "");
    first_declarator = w == ";";
    start = j + 1;
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> struct_fields(const ExportFiles& f, const std::string& type) {
  for (const std::string& dir : {f.root + "model-parameters/", f.sdk}) {
    for (const auto& [path, text] : f.files) {
      if (path.rfind(dir, 0) != 0 || !(ends_with(path, ".h") || ends_with(path, ".hpp"))) continue;
      if (text.find(type) == std::string::npos || text.find("} " + type + ";") == std::string::npos) continue;
      std::vector<Token> t = tokenize(text, path);
      for (size_t k = 2; k < t.size(); k++) {
        if (t[k].text != ";" || t[k - 1].text != type || t[k - 2].text != "}") continue;
        size_t close = k - 2, open = close;
        for (int depth = 0; open > 0; open--) {
          if (t[open].text == "}") depth++;
          if (t[open].text == "{" && --depth == 0) break;
        }
        return members(t, open + 1, close);
      }
    }
  }
  return {};
}

std::string dsp_config_text(const std::vector<std::pair<std::string, std::string>>& fields,
                            const std::vector<std::string>& values) {
  std::string s;
  if (!fields.empty() && values.size() <= fields.size()) {
    for (size_t i = 0; i < values.size(); i++) s += (i ? "; " : "") + fields[i].second + "=" + values[i];
    return s;
  }
  for (size_t i = 0; i < values.size(); i++) s += (i ? ", " : "") + values[i];
  return s;
}

std::map<std::string, std::string> read_settings(std::string_view metadata) {
  std::map<std::string, std::string> all;
  for (const auto& [name, value] : read_defines(metadata)) {
    auto [it, fresh] = all.emplace(name, value);
    if (!fresh && it->second != value) it->second += " | " + value;  // defined in several #if branches
  }
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : all) {
    if (!starts_with(name, "EI_CLASSIFIER_") || starts_with(name, "EI_CLASSIFIER_PROJECT_") ||
        name == "EI_CLASSIFIER_TFLITE_INPUT_SCALE" || name == "EI_CLASSIFIER_TFLITE_INPUT_ZEROPOINT" ||
        name == "EI_CLASSIFIER_TFLITE_OUTPUT_SCALE" || name == "EI_CLASSIFIER_TFLITE_OUTPUT_ZEROPOINT")
      continue;
    auto ref = all.find(value);
    out[name] = ref != all.end() && ref->first != name ? ref->second + kFrom + value + ")" : value;
  }
  return out;
}

void diff_impulse(const Arch& base, const Arch& next, std::vector<std::string>& refusals, std::vector<std::string>& notes) {
  diff_dsp(base, next, refusals, notes);
  diff_settings(base, next, refusals, notes);
}

}  // namespace eiota::host
