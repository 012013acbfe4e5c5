#include "model_export.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <set>
#include <sstream>
#include <stdexcept>

#include <sodium.h>

#include "eiota_format.h"
#include "impulse_config.h"
#include "numbers.h"
#include "tflite_graph.h"

namespace eiota::host {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"') return std::string(s.substr(1, s.size() - 2));
  return std::string(s);
}

// The type of `field` in the SDK's struct `type` (`typedef struct { float scale; ... } type;`).
std::string sdk_field_type(const ExportFiles& f, const std::string& type, std::string_view field) {
  for (const auto& [ftype, name] : struct_fields(f, type))
    if (name == field) return ftype;
  return "";
}

// "2944" or "2944u" -> 2944; anything else (an expression, a macro) -> -1.
int64_t plain_integer(std::string s) {
  while (!s.empty() && std::strchr("uUlL", s.back())) s.pop_back();
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 0);
  return !s.empty() && end == s.c_str() + s.size() && v > 0 ? v : -1;
}

uint8_t elem_type_of_c(const std::string& c) {
  if (c == "float") return eiota::kFloat32;
  if (c == "int32_t" || c == "int") return eiota::kInt32;
  if (c == "int16_t") return eiota::kInt16;
  if (c == "int8_t") return eiota::kInt8;
  if (c == "uint8_t") return eiota::kUInt8;
  return 0;
}

// A literal as the compiler stores it in a field of that type (decimal -> double -> float).
std::vector<uint8_t> encode_value(const std::string& text, uint8_t type, const std::string& what) {
  uint8_t b[8];
  if (type == eiota::kFloat32) {
    float v = (float)parse_double(text, what);
    std::memcpy(b, &v, 4);
  } else if (type == eiota::kFloat64) {
    double v = parse_double(text, what);
    std::memcpy(b, &v, 8);
  } else {
    int64_t lo = INT32_MIN, hi = UINT32_MAX;
    if (type == eiota::kInt8) lo = INT8_MIN, hi = INT8_MAX;
    if (type == eiota::kUInt8) lo = 0, hi = UINT8_MAX;
    if (type == eiota::kInt16) lo = INT16_MIN, hi = INT16_MAX;
    eiota::put_u64(b, (uint64_t)parse_c_int(text, what, lo, hi));
  }
  return std::vector<uint8_t>(b, b + eiota::elem_size(type));
}

// `.scale = v` / `.zero_point = v` items of a result config, and a GMM block's
// `.anomaly_threshold = v`: values the SDK reads outside the model, made regions of their own,
// after the model blocks.
void read_config_fields(ModelExport& x, const Source& s, const Decl& d) {
  const auto& t = s.toks;
  for (const auto& item : d.init.items) {
    if (item.is_list || item.last - item.first < 4) continue;
    std::string field(t[item.first + 1].text);
    if (t[item.first].text != "." || t[item.first + 2].text != "=") continue;
    if (field != "scale" && field != "zero_point" && field != "anomaly_threshold") continue;  // the last: GMM blocks
    std::string value;
    for (size_t k = item.first + 3; k < item.last; k++) value += t[k].text;
    std::string type_name;
    for (size_t k = d.first; k < d.name_tok; k++)
      if (t[k].kind == Token::kIdent && t[k].text != "const" && t[k].text != "static") type_name = std::string(t[k].text);
    std::string c = sdk_field_type(x.files, type_name, field);
    if (c.empty()) c = "float";  // the patched code asserts the type at compile time
    Region r;
    r.kind = Region::kConfig;
    r.block = (int)x.models.size();
    r.tensor = -1;
    r.export_tensor = -1;
    r.elem_type = elem_type_of_c(c);
    if (!r.elem_type) throw std::runtime_error(s.path + ": " + d.name + "." + field + " has type " + c + ", which eiota cannot replace");
    r.count = 1;
    r.array = d.name + "." + field;
    r.name = "config." + without_project(r.array, x.project_id);
    r.bind.to = Region::Binding::kField;
    r.bind.symbol = d.name;
    r.bind.field = field;
    r.values = encode_value(value, r.elem_type, s.where(item.first));
    x.regions.push_back(r);
    x.arch.config_fields.push_back(r.name.substr(7) + " " + c);
    for (size_t k = d.first; k < d.name_tok; k++)  // once per declaration, however many fields it has
      if (t[k].text == "const" && std::find(x.config_const_offsets.begin(), x.config_const_offsets.end(), t[k].begin) == x.config_const_offsets.end())
        x.config_const_offsets.push_back(t[k].begin);
  }
}

// Whether an SDK preprocessor condition tests `word` (then it cannot become a variable).
bool sdk_tests_in_preprocessor(const ExportFiles& f, const std::string& word) {
  for (const auto& [path, text] : f.files) {
    if (path.rfind(f.sdk, 0) != 0) continue;
    for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
      size_t bol = text.rfind('\n', at);
      size_t k = text.find_first_not_of(" \t", bol == std::string::npos ? 0 : bol + 1);
      if (k != std::string::npos && text[k] == '#') return true;
    }
  }
  return false;
}

// The 2021-22 SDK reads the input/output quantization from model_metadata.h macros: each becomes
// a variable the payload can replace (harmless where the SDK does not read it, and the retrained
// export's values are needed whatever its own SDK does).
void read_quant_macros(ModelExport& x, const Source& s) {
  for (const auto& [macro, value] : read_defines(s.text)) {
    if (macro.rfind("EI_CLASSIFIER_TFLITE_INPUT_", 0) != 0 && macro.rfind("EI_CLASSIFIER_TFLITE_OUTPUT_", 0) != 0) continue;
    bool zero = macro.ends_with("_ZEROPOINT");
    if (!zero && !macro.ends_with("_SCALE")) continue;
    if (sdk_tests_in_preprocessor(x.files, macro)) {
      x.arch.outside_quant[macro] = value;  // compared instead
      continue;
    }
    Region r;
    r.kind = Region::kMacro;
    r.block = -1;
    r.tensor = r.export_tensor = -1;
    bool f = !value.empty() && (value.back() == 'f' || value.back() == 'F');
    r.elem_type = zero ? eiota::kInt32 : f ? eiota::kFloat32 : eiota::kFloat64;
    r.count = 1;
    r.name = "macro." + macro;
    r.array = macro;
    r.bind.to = Region::Binding::kMacro;
    r.bind.symbol = macro;
    r.values = encode_value(value, r.elem_type, s.path + ": " + macro);
    x.regions.push_back(r);
    x.arch.config_fields.push_back(macro + (zero ? " int32_t" : f ? " float" : " double"));
  }
}

// The interpreter's inference functions in a learning-block table, each called before every
// inference of its block: run_nn_inference (a TFLite graph) and run_gmm_anomaly (a GMM graph).
void read_infer_fns(ModelExport& x, const Source& s, const Decl& d) {
  const auto& t = s.toks;
  size_t before = x.infer_fns.size();
  for (size_t k = d.init.first; k < d.init.last; k++)
    if (t[k].kind == Token::kIdent && (t[k].text == "run_nn_inference" || t[k].text == "run_gmm_anomaly"))
      x.infer_fns.push_back(InferFn{t[k].begin, t[k].end, std::string(t[k].text)});
  if (x.infer_fns.size() > before && (before == 0 || t[d.first].begin < x.learning_blocks_begin))
    x.learning_blocks_begin = t[d.first].begin;
}

void read_impulse_config(ModelExport& x) {
  const std::string params = x.files.root + "model-parameters/";
  std::set<std::string> seen_labels;
  if (x.files.has(params + "model_metadata.h"))
    for (const auto& [name, value] : read_defines(x.files.files.at(params + "model_metadata.h")))
      if (name == "EI_CLASSIFIER_PROJECT_ID") x.project_id = value;
  const std::string& project = x.project_id;
  for (const char* name : {"model_variables.h", "model_metadata.h"}) {
    std::string path = params + name;
    if (!x.files.has(path)) continue;
    Source s = parse_source(x.files.origin + "/" + path, x.files.files.at(path));
    if (name == std::string("model_variables.h")) x.variables_path = path;
    if (name == std::string("model_metadata.h")) {
      x.metadata_path = path;
      read_quant_macros(x, s);
      x.arch.settings = read_settings(s.text);
    }
    for (const auto& d : s.decls) {
      if (d.kind != Decl::kVariable || !d.has_init) continue;
      if (d.name.rfind("ei_classifier_inferencing_categories", 0) == 0 && d.init.is_list) {
        if (seen_labels.insert(d.name).second)  // each impulse's labels, in declaration order
          for (const auto& item : d.init.items) x.arch.labels.push_back(unquote(item.text(s.toks)));
      } else if (d.init.is_list && name == std::string("model_variables.h")) {
        read_config_fields(x, s, d);
        if (d.spec_has(s.toks, "ei_learning_block_t")) read_infer_fns(x, s, d);
      }
      if (d.name.rfind("ei_dsp_config_", 0) == 0) {
        std::vector<std::string> values;
        if (d.init.is_list)
          for (const auto& item : d.init.items) values.push_back(without_project(item.text(s.toks), project));
        else
          values.push_back(without_project(d.init.text(s.toks), project));
        std::string type;
        for (size_t k = d.first; k < d.name_tok; k++)
          if (s.toks[k].kind == Token::kIdent && s.toks[k].text != "const" && s.toks[k].text != "static") type = s.toks[k].text;
        // an array (of axes, of named axes) holds elements, not the struct's fields
        auto fields = d.array_dims_first.empty() ? struct_fields(x.files, type) : std::vector<std::pair<std::string, std::string>>{};
        x.arch.dsp.emplace(without_project(d.name, project), dsp_config_text(fields, values));
      }
    }
  }
}

// Numbers of a braced list or compound literal, as written: "{ -0.5, 1 }" -> {"-0.5", "1"}.
std::vector<std::string> numbers_in(const std::vector<Token>& t, size_t first, size_t last) {
  std::vector<std::string> out;
  std::string cur;
  bool inside = false;
  for (size_t k = first; k < last; k++) {
    std::string_view w = t[k].text;
    if (w == "{") { inside = true; continue; }
    if (!inside) continue;
    if (w == "," || w == "}") {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      if (w == "}") break;
    } else {
      cur += w;
    }
  }
  return out;
}

void add_anomaly_region(ModelExport& x, const std::string& name, const std::string& array, const Region::Binding& bind,
                        const std::vector<std::string>& values, const std::string& where, Region::Kind kind = Region::kAnomaly) {
  Region r;
  r.kind = kind;
  r.block = -1;
  r.tensor = r.export_tensor = -1;
  r.elem_type = eiota::kFloat32;
  r.count = (uint32_t)values.size();
  r.name = std::string(kind_name(kind)) + "." + name;
  r.array = array;
  r.bind = bind;
  for (const auto& v : values) {
    auto b = encode_value(v, eiota::kFloat32, where);
    r.values.insert(r.values.end(), b.begin(), b.end());
  }
  x.regions.push_back(r);
}

// K-means values of anomaly_metadata.h (Aug 2023 on) or anomaly_clusters.h (before; the same
// arrays) become regions; the rest of the anomaly block (axes) is compared by value.
void read_anomaly(ModelExport& x) {
  for (const char* name : {"anomaly_metadata.h", "anomaly_clusters.h"}) {
    std::string path = x.files.root + "model-parameters/" + name;
    if (!x.files.has(path)) continue;
    Source s = parse_source(x.files.origin + "/" + path, x.files.files.at(path));
    bool replaceable = x.anomaly_path.empty();
    if (replaceable) x.anomaly_path = path;
    for (const auto& d : s.decls) {
      if (d.kind != Decl::kVariable || !d.has_init) continue;
      const auto& t = s.toks;
      bool floats = d.spec_has(t, "float") && !d.array_dims_first.empty() && d.init.is_list;
      bool clusters = d.name.find("anom_clusters") != std::string::npos && d.init.is_list;
      if (!replaceable || (!floats && !clusters)) {
        x.arch.anomaly[d.name] = "values " + d.init.text(t);  // shown when they differ (model_arch.cpp)
        continue;
      }
      AnomalyArray a;
      a.name = d.name;
      a.begin = t[d.first].begin;
      a.end = t[d.last - 1].end;
      for (size_t k = d.first; k < d.name_tok; k++)
        if (t[k].kind == Token::kIdent && t[k].text != "const" && t[k].text != "static") a.type = std::string(t[k].text);
      std::string where = s.where(d.first);
      if (floats) {
        a.rows.push_back(numbers_in(t, d.init.first, d.init.last));
        add_anomaly_region(x, d.name, d.name, {Region::Binding::kArray, d.name}, a.rows[0], where);
        x.arch.anomaly[d.name] = std::to_string(a.rows[0].size());
      } else {
        std::vector<std::string> all;
        for (const auto& c : d.init.items) {
          if (!c.is_list || c.items.size() != 2) throw std::runtime_error(where + ": unexpected K-means cluster in " + d.name);
          a.rows.push_back(numbers_in(t, c.items[0].first, c.items[0].last));
          a.radii.push_back(c.items[1].text(t));
          if (a.rows.back().size() != a.rows[0].size()) throw std::runtime_error(where + ": clusters of " + d.name + " differ in size");
          all.insert(all.end(), a.rows.back().begin(), a.rows.back().end());
        }
        add_anomaly_region(x, d.name + ".centroids", "eiota_" + d.name + "_centroids", {Region::Binding::kCentroids, d.name}, all, where);
        for (size_t i = 0; i < a.radii.size(); i++) {
          std::string field = d.name + "[" + std::to_string(i) + "].max_error";
          std::string r = a.radii[i];
          r.erase(std::remove(r.begin(), r.end(), ' '), r.end());
          add_anomaly_region(x, field, field, {Region::Binding::kField, d.name, "max_error", (int)i}, {r}, where);
        }
        x.arch.anomaly[d.name] = std::to_string(a.rows.size()) + "x" + (a.rows.empty() ? "0" : std::to_string(a.rows[0].size()));
      }
      x.anomaly.push_back(std::move(a));
    }
  }
}

// Data normalization (Studio 2025): `const float ei_dn_standard_scaler_{mean,scale,var}_P_B[N]` in
// model_variables.h, which the SDK applies to the DSP output before the model.
void read_scalers(ModelExport& x) {
  if (x.variables_path.empty()) return;
  Source s = parse_source(x.files.origin + "/" + x.variables_path, x.files.files.at(x.variables_path));
  const auto& t = s.toks;
  for (const auto& d : s.decls) {
    if (d.kind != Decl::kVariable || !d.has_init || !d.init.is_list || d.name.rfind("ei_dn_", 0) != 0) continue;
    if (!d.spec_has(t, "float") || d.array_dims_first.size() != 1) continue;
    AnomalyArray a;
    a.name = d.name;
    a.type = "float";
    a.begin = t[d.first].begin;
    a.end = t[d.last - 1].end;
    a.rows.push_back(numbers_in(t, d.init.first, d.init.last));
    std::string key = without_project(d.name, x.project_id);
    add_anomaly_region(x, key, d.name, {Region::Binding::kArray, d.name}, a.rows[0], s.where(d.first), Region::kScaler);
    x.arch.anomaly[key] = std::to_string(a.rows[0].size());
    x.scalers.push_back(std::move(a));
  }
}

// Records a non-EON model with its length variable (when it is a 32-bit int, so the payload can
// set it) and the arena size its header declares (2023 on).
void add_interp_model(ModelExport& x, const Source& s, InterpModel m, const Decl* len, const std::string& len_type) {
  const auto& t = s.toks;
  if (len && (len_type == "unsigned int" || len_type == "uint32_t" || len_type == "int")) {
    m.length = len->name;
    m.length_type = len_type;
    m.length_begin = t[len->first].begin;
    m.length_end = t[len->last - 1].end;
  }
  if (const Decl* a = s.find(m.array + "_arena_size"); a && a->has_init) m.arena = plain_integer(a->init.text(t));
  x.interp.push_back(std::move(m));
}

// Studio 2025 default for non-EON models: the bytes are a .tflite file beside the header, linked
// with `INCBIN(incbin_NAME, "tflite-model/NAME.tflite");`, and the header defines
// `const unsigned char *NAME = gincbin_NAME_data;` and `unsigned int NAME_len = gincbin_NAME_size;`.
bool read_incbin_header(ModelExport& x, const Source& s) {
  const auto& t = s.toks;
  for (const auto& d : s.decls) {
    if (d.kind != Decl::kVariable || !d.has_init || d.init.is_list || !d.spec_has(t, "char")) continue;
    std::string init = d.init.text(t);
    if (init.rfind("gincbin_", 0) != 0 || !ends_with(init, "_data")) continue;
    std::string id = init.substr(1, init.size() - 6);  // INCBIN(incbin_X, ...) defines gincbin_X_data
    InterpModel m;
    m.path = s.path.substr(x.files.origin.size() + 1);
    m.array = d.name;
    m.array_begin = t[d.first].begin;
    m.array_end = t[d.last - 1].end;
    std::string file;
    for (size_t k = 0; k + 5 < t.size(); k++) {
      if (t[k].text != "INCBIN" || t[k + 1].text != "(" || t[k + 2].text != id || t[k + 3].text != ",") continue;
      file = unquote(t[k + 4].text);
      if (t[k + 4].kind == Token::kIdent)  // a macro naming the file
        for (const auto& [name, value] : read_defines(s.text))
          if (name == t[k + 4].text) file = unquote(value);
      size_t end = k + 5;
      while (end < t.size() && t[end].text != ";") end++;
      m.incbin_begin = t[k].begin;
      m.incbin_end = end < t.size() ? t[end].end : t[end - 1].end;
    }
    if (file.empty()) throw std::runtime_error(s.where(d.first) + ": " + d.name + " points at " + init + ", but no INCBIN(" + id + ", ...) names its file");
    // The file sits beside the header (the INCBIN path is relative to the build's include path,
    // or absolute on the machine that built it).
    std::string beside = m.path.substr(0, m.path.rfind('/') + 1) + file.substr(file.rfind('/') + 1);
    if (!x.files.has(beside)) throw std::runtime_error(s.where(d.first) + ": the model file " + file + " is not in the export (looked for " + beside + ")");
    m.bytes = x.files.files.at(beside);
    std::ostringstream init_list;
    init_list << "{";
    for (size_t i = 0; i < m.bytes.size(); i++)
      init_list << (i % 16 ? " " : "\n  ") << "0x" << "0123456789abcdef"[(uint8_t)m.bytes[i] >> 4] << "0123456789abcdef"[m.bytes[i] & 15] << ",";
    init_list << "\n}";
    m.array_init = init_list.str();
    const Decl* len = s.find(d.name + "_len");
    bool linked = len && len->has_init && len->init.text(t) == "g" + id + "_size";
    add_interp_model(x, s, std::move(m), linked ? len : nullptr, "unsigned int");
    return true;
  }
  return false;
}

// A non-EON model header: `[ALIGN(16)] const unsigned char NAME[] = { 0x1c, ... };` and
// `[const] unsigned int NAME_len = N;`. Returns false when the header holds no model array.
bool read_interp_header(ModelExport& x, const std::string& path) {
  Source s = parse_source(x.files.origin + "/" + path, x.files.files.at(path));
  const auto& t = s.toks;
  for (const auto& d : s.decls) {
    if (d.kind != Decl::kVariable || !d.has_init || !d.init.is_list || d.array_dims_first.empty()) continue;
    if (!d.spec_has(t, "char") && !d.spec_has(t, "uint8_t")) continue;
    InterpModel m;
    m.path = path;
    m.array = d.name;
    m.array_begin = t[d.first].begin;
    m.array_end = t[d.last - 1].end;
    m.array_init = std::string(s.text.substr(t[d.init.first].begin, t[d.init.last - 1].end - t[d.init.first].begin));
    for (size_t k = d.first; k + 1 < d.name_tok; k++)
      if (t[k].text == "MODEL_SECTION" && t[k + 1].text == "(") {
        size_t close = k + 1;
        while (close < d.name_tok && t[close].text != ")") close++;
        m.section = std::string(s.text.substr(t[k].begin, t[close].end - t[k].begin));
      }
    for (const auto& item : d.init.items) {
      if (item.is_list) throw std::runtime_error(s.where(item.first) + ": " + d.name + " is not a byte array");
      m.bytes.push_back((char)parse_c_int(item.text(t), s.where(item.first) + ": a byte of " + d.name, 0, 255));
    }
    const Decl* len = s.find(d.name + "_len");
    std::string type;
    if (len && len->has_init) {
      for (size_t k = len->first; k < len->name_tok; k++)
        if (t[k].text != "const" && t[k].text != "static") type += (type.empty() ? "" : " ") + std::string(t[k].text);
      if ((uint64_t)parse_c_int(len->init.text(t), s.where(len->first) + ": " + len->name, 0, UINT32_MAX) != m.bytes.size())
        throw std::runtime_error(s.where(len->first) + ": " + len->name + " does not match the " + std::to_string(m.bytes.size()) + " bytes of " + d.name);
    }
    add_interp_model(x, s, std::move(m), len && len->has_init ? len : nullptr, type);
    return true;
  }
  return read_incbin_header(x, s);
}

// Non-EON exports: the whole model is one region (padded to the capacity `patch` reserves), its
// length another, and the graph inside it is the architecture.
void read_interp_models(ModelExport& x) {
  const ExportFiles& f = x.files;
  for (const auto& [path, _] : f.files)
    if (path.rfind(f.root + "tflite-model/", 0) == 0 && ends_with(path, ".h") && !ends_with(path, "_compiled.h") &&
        path.find('/', f.root.size() + 13) == std::string::npos)
      read_interp_header(x, path);
  if (x.interp.empty()) throw std::runtime_error(f.origin + ": no EON-compiled model (tflite-model/*_compiled.cpp) and no TFLite model array found");
  for (size_t b = 0; b < x.interp.size(); b++) {
    const InterpModel& m = x.interp[b];
    ArchBlock blk = tflite_graph(m.bytes, f.origin + "/" + m.path);
    blk.stem = m.array;
    blk.arena = m.arena;
    x.arch.blocks.push_back(std::move(blk));
    Region r;
    r.kind = Region::kModel;
    r.block = (int)b;
    r.tensor = r.export_tensor = -1;
    r.elem_type = eiota::kUInt8;
    r.count = (uint32_t)m.bytes.size();
    r.name = "b" + std::to_string(b) + ".model";
    r.array = m.array;
    r.bind = {Region::Binding::kModel, m.array};
    r.values.assign(m.bytes.begin(), m.bytes.end());
    x.regions.push_back(r);
    if (m.length.empty()) continue;
    Region l = r;
    l.kind = Region::kModelLength;
    l.elem_type = eiota::kInt32;
    l.count = 1;
    l.name = "b" + std::to_string(b) + ".model_len";
    l.array = m.length;
    l.bind = {Region::Binding::kVariable, m.length};
    l.values.resize(4);
    eiota::put_u32(l.values.data(), (uint32_t)m.bytes.size());
    x.regions.push_back(l);
  }
}

}  // namespace

ModelExport analyze_export(ExportFiles files) {
  ModelExport x;
  x.files = std::move(files);
  const ExportFiles& f = x.files;
  x.patched = f.has(f.library + kManifestName) || f.has(f.root + kManifestName) ||
              f.has(f.root + kRuntimeDir + "eiota_update.h");
  if (x.patched)
    throw std::runtime_error(f.origin + ": already patched by eiota (it holds " + std::string(kManifestName) +
                             "); use the export as Edge Impulse wrote it");
  for (const auto& [path, _] : f.files)
    if (path.rfind(f.root + "tflite-model/", 0) == 0 && ends_with(path, ".cpp") &&
        path.find('/', f.root.size() + 13) == std::string::npos && path.find("_compiled", f.root.size()) != std::string::npos)
      x.model_paths.push_back(path);  // tflite_learn_3_compiled.cpp, trained_model_compiled_acc.cpp
  if (x.model_paths.empty()) read_interp_models(x);
  x.arch.interpreter = x.model_paths.empty();
  for (size_t b = 0; b < x.model_paths.size(); b++) {
    const std::string& p = x.model_paths[b];
    x.models.push_back(read_eon_model(f.origin + "/" + p, f.files.at(p)));
    x.arch.blocks.push_back(build_block(x.models.back(), (int)b, &x.regions));
  }
  read_impulse_config(x);
  for (ArchBlock& b : x.arch.blocks)  // 2021-22 interpreter exports size the arena in model_metadata.h
    if (x.arch.interpreter && b.arena == 0)
      b.arena = x.arch.settings.count("EI_CLASSIFIER_TFLITE_ARENA_SIZE") ? plain_integer(x.arch.settings.at("EI_CLASSIFIER_TFLITE_ARENA_SIZE")) : -1;
  read_anomaly(x);
  read_scalers(x);
  std::stable_sort(x.regions.begin(), x.regions.end(),
                   [](const Region& a, const Region& b) { return payload_group(a) < payload_group(b); });
  x.fp = fingerprint(x.arch);
  return x;
}

int payload_group(const Region& r) {
  switch (r.kind) {
    case Region::kConfig: return kConfigGroup;
    case Region::kMacro: return kConfigGroup + 1;
    case Region::kAnomaly: return kConfigGroup + 2;
    case Region::kScaler: return kConfigGroup + 3;
    default: return r.block;  // a model's own values (EON tensors, non-EON bytes and length)
  }
}

ModelExport analyze_export(const std::string& path) { return analyze_export(load_export(path)); }

}  // namespace eiota::host
