#include "impulse_config.h"

#include <algorithm>
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

// Settings only the TFLite interpreter engine reads (tflite_micro.h); EON code never does.
bool interpreter_only(const std::string& name) { return name == "EI_CLASSIFIER_HAS_TFLITE_OPS_RESOLVER"; }

// The macro a setting's value names ("1 (from EI_ANOMALY_TYPE_KMEANS)", or a bare name the file
// does not define), else "".
std::string named(const std::string& v) {
  size_t at = v.rfind(kFrom);
  if (at != std::string::npos && !v.empty() && v.back() == ')') return v.substr(at + 7, v.size() - at - 8);
  bool ident = !v.empty() && (std::isalpha((unsigned char)v[0]) || v[0] == '_');
  for (char c : v) ident = ident && (std::isalnum((unsigned char)c) || c == '_');
  return ident && v != "NULL" && v != "true" && v != "false" ? v : "";
}

// Two values of one setting mean the same: they name the same constant (each firmware is built
// with its own SDK's number for it), or their numbers are equal.
bool same_setting(const std::string& a, const std::string& b) {
  std::string x = named(a), y = named(b);
  if (!x.empty() && x == y) return true;
  return same_value(without_from(a), without_from(b));
}

// The prefixes of the SDK's vocabulary: families of constants such as EI_CLASSIFIER_SENSOR_*,
// EI_CLASSIFIER_LAST_LAYER_* or EI_CLASSIFIER_DATATYPE_* that settings name as their value
// (EI_CLASSIFIER_SENSOR EI_CLASSIFIER_SENSOR_MICROPHONE). A family has at least three members,
// all plain numbers, all different (an enum; not switches, which repeat 0 and 1), under a prefix
// of three words or more. The SDK only compares settings with them inside one build, so what
// matters is which constant a setting names, not the constant's number.
std::vector<std::string> vocabulary(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b) {
  std::vector<std::string> out;
  for (const auto* side : {&a, &b}) {
    for (const auto& [k, v] : *side) {
      std::string n = named(v);
      size_t cut = n.rfind('_');
      if (n.empty() || cut == std::string::npos || std::count(n.begin(), n.begin() + cut, '_') < 2) continue;
      std::string prefix = n.substr(0, cut + 1);
      if (std::find(out.begin(), out.end(), prefix) != out.end()) continue;
      for (const auto* s : {&a, &b}) {
        std::vector<double> values;
        bool plain = true;
        for (auto it = s->lower_bound(prefix); it != s->end() && starts_with(it->first, prefix); ++it) {
          double x;
          if (named(it->second).empty() && as_number(it->second, &x)) values.push_back(x);
          else if (named(it->second).empty()) plain = false;
        }
        std::sort(values.begin(), values.end());
        if (plain && values.size() >= 3 && std::adjacent_find(values.begin(), values.end()) == values.end()) {
          out.push_back(prefix);
          break;
        }
      }
    }
  }
  return out;
}

bool in_vocabulary(const std::vector<std::string>& prefixes, const std::string& k, const std::string& v) {
  if (!named(v).empty()) return false;  // a setting naming a constant is a setting
  for (const auto& p : prefixes)
    if (starts_with(k, p)) return true;
  return false;
}

// A switch a newer SDK spells out in model_metadata.h and an older one derives from the
// settings both define: "1", "0", or "" when the deployed settings do not say.
// EI_CLASSIFIER_HAS_ANOMALY_<TYPE> is EI_CLASSIFIER_HAS_ANOMALY == EI_ANOMALY_TYPE_<TYPE>
// (2021-22 exports write the number: 1 was K-means); EI_CLASSIFIER_LOAD_ANOMALY_H is
// EI_CLASSIFIER_HAS_ANOMALY != 0.
std::string implied(const std::string& k, const std::map<std::string, std::string>& base) {
  static const char* const kTypes[] = {"UNKNOWN", "KMEANS", "GMM", "VISUAL_GMM", "VISUAL_PATCHCORE", "CUSTOM", "VISUAL_CUSTOM"};
  auto has = base.find("EI_CLASSIFIER_HAS_ANOMALY");
  if (has == base.end()) return "";
  std::string type = named(has->second);
  double n;
  if (starts_with(type, "EI_ANOMALY_TYPE_")) {
    type = type.substr(16);
  } else if (as_number(without_from(has->second), &n) && n >= 0 && n < 7 && n == (int)n) {
    type = kTypes[(int)n];
  } else {
    return "";
  }
  if (k == "EI_CLASSIFIER_LOAD_ANOMALY_H") return type == "UNKNOWN" ? "0" : "1";
  const std::string prefix = "EI_CLASSIFIER_HAS_ANOMALY_";
  if (!starts_with(k, prefix)) return "";
  std::string asked = k.substr(prefix.size());
  if (std::find(std::begin(kTypes) + 1, std::end(kTypes), asked) == std::end(kTypes)) return "";
  return asked == type ? "1" : "0";
}

void diff_settings(const Arch& base, const Arch& next, std::vector<std::string>& refusals, std::vector<std::string>& notes) {
  std::vector<std::string> base_only, next_only, vocab, unread, derived;
  const std::vector<std::string> prefixes = vocabulary(base.settings, next.settings);
  for (const auto& [k, v] : base.settings) {
    auto it = next.settings.find(k);
    bool words = in_vocabulary(prefixes, k, v) && (it == next.settings.end() || in_vocabulary(prefixes, k, it->second));
    if (it == next.settings.end()) {
      (words ? vocab : base_only).push_back(k + " " + v);
      continue;
    }
    if (same_setting(v, it->second)) continue;
    std::string x = without_from(v), y = without_from(it->second);
    std::string change = k + " " + v + " deployed vs " + it->second + " new";
    if (is_arena(k) && base.interpreter) {
      continue;  // compared as the blocks' arenas (model_arch.cpp)
    } else if (is_arena(k)) {
      notes.push_back(k + " is " + x + " deployed vs " + y + " new: EON code plans its own arena, and the deployed plan stays in use");
    } else if (words) {
      vocab.push_back(change);
    } else if (interpreter_only(k) && !base.interpreter) {
      unread.push_back(change);
    } else {
      refusals.push_back("impulse setting " + k + " is " + v + " deployed vs " + it->second + " new");
    }
  }
  for (const auto& [k, v] : next.settings) {
    if (base.settings.count(k)) continue;
    std::string want = implied(k, base.settings);
    if (!want.empty()) {
      if (same_value(want, without_from(v)))
        derived.push_back(k + " " + v);
      else
        refusals.push_back("the new export sets " + k + " " + v + ", but the deployed EI_CLASSIFIER_HAS_ANOMALY " +
                           base.settings.at("EI_CLASSIFIER_HAS_ANOMALY") + " means " + want);
      continue;
    }
    if (in_vocabulary(prefixes, k, v)) {
      vocab.push_back(k + " " + v + " (new only)");
      continue;
    }
    if (interpreter_only(k) && !base.interpreter) {
      unread.push_back(k + " " + v + " (new only)");
      continue;
    }
    // A feature switch only the newer SDK has, switched on: the deployed firmware would not do it.
    bool feature = starts_with(k, "EI_CLASSIFIER_HAS_") || ends_with(k, "_ENABLED");
    if (feature && !neutral(without_from(v)))
      refusals.push_back("the new export turns on " + k + " (" + v + "), which the deployed SDK does not have");
    else
      next_only.push_back(k + " " + v);
  }
  if (!base_only.empty()) notes.push_back("settings only the deployed SDK defines: " + join(base_only));
  if (!next_only.empty()) notes.push_back("settings only the new export's SDK defines (the deployed firmware does not read them): " + join(next_only));
  if (!derived.empty())
    notes.push_back("switches the new export's SDK spells out and the deployed one derives from EI_CLASSIFIER_HAS_ANOMALY " +
                    base.settings.at("EI_CLASSIFIER_HAS_ANOMALY") + ", with the same meaning: " + join(derived));
  if (!vocab.empty())
    notes.push_back("constants the SDK compares settings with, which each firmware keeps its own numbers for (the settings "
                    "naming them are compared by name): " + join(vocab));
  if (!unread.empty())
    notes.push_back("settings only the TFLite interpreter reads, which the deployed EON code does not: " + join(unread));
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

std::string without_kmeans_suffix(std::string text) {
  const std::string stem = "ei_classifier_anom_";
  auto ident = [](char c) { return std::isalnum((unsigned char)c) || c == '_'; };
  for (size_t at = text.find(stem); at != std::string::npos; at = text.find(stem, at + 1)) {
    size_t end = at + stem.size();
    while (end < text.size() && ident(text[end])) end++;
    // ..._<digits>_<digits> at the end of the identifier
    size_t k = end;
    for (int group = 0; group < 2; group++) {
      size_t digits = k;
      while (k > at + stem.size() && std::isdigit((unsigned char)text[k - 1])) k--;
      if (k == digits || text[k - 1] != '_') { k = std::string::npos; break; }
      k--;
    }
    if (k != std::string::npos && k > at + stem.size()) text.erase(k, end - k);
  }
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
  // Each #define with whether an #if encloses it (the include guard does not count).
  struct Def { std::string name, value; bool conditional; };
  std::vector<Def> defs;
  std::vector<std::string> opened;  // per open #if: the name an #ifndef tests, else ""
  int guard = -1;                   // depth of the include guard, once seen
  bool first_if = true;
  std::string prev_ifndef;
  for (size_t pos = 0; pos < metadata.size();) {
    size_t eol = metadata.find('\n', pos);
    if (eol == std::string_view::npos) eol = metadata.size();
    std::string_view line = metadata.substr(pos, eol - pos);
    pos = eol + 1;
    size_t k = line.find_first_not_of(" \t");
    if (k == std::string_view::npos || line[k] != '#') continue;
    size_t w = line.find_first_not_of(" \t", k + 1);
    if (w == std::string_view::npos) continue;
    std::string_view rest = line.substr(w);
    std::string tested = prev_ifndef;
    prev_ifndef.clear();
    if (starts_with(rest, "ifndef") || starts_with(rest, "ifdef") || (starts_with(rest, "if") && !std::isalnum((unsigned char)(rest.size() > 2 ? rest[2] : ' ')))) {
      std::string name;
      if (starts_with(rest, "ifndef")) {
        size_t n = rest.find_first_not_of(" \t", 6);
        size_t e = n;
        while (e < rest.size() && (std::isalnum((unsigned char)rest[e]) || rest[e] == '_')) e++;
        if (n != std::string_view::npos) name = std::string(rest.substr(n, e - n));
      }
      opened.push_back(name);
      if (first_if && !name.empty()) prev_ifndef = name;
      first_if = false;
    } else if (starts_with(rest, "endif")) {
      if (!opened.empty()) opened.pop_back();
      if ((int)opened.size() < guard) guard = -1;
    } else if (starts_with(rest, "define")) {
      auto d = read_defines(line);
      if (d.empty()) continue;
      if (!tested.empty() && d[0].first == tested) {  // `#ifndef X` then `#define X`: the guard
        guard = (int)opened.size();
        continue;
      }
      int depth = (int)opened.size() - (guard > 0 ? 1 : 0);
      defs.push_back({d[0].first, d[0].second, depth > 0});
    }
  }
  std::map<std::string, std::string> all;
  std::map<std::string, bool> from_if;
  for (const auto& d : defs) {
    auto [it, fresh] = all.emplace(d.name, d.value);
    if (fresh) {
      from_if[d.name] = d.conditional;
    } else if (from_if[d.name] && !d.conditional) {  // the unconditional definition is the one in force
      it->second = d.value;
      from_if[d.name] = false;
    } else if (from_if[d.name] == d.conditional && d.conditional && it->second != d.value) {
      it->second += " | " + d.value;  // defined in several #if branches
    }
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
