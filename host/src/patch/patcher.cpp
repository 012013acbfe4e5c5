#include "patcher.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include <sys/wait.h>
#include <unistd.h>

#include "eiota_format.h"
#include "eiota_model.h"
#include "delta.h"
#include "eiota_slot_layout.h"
#include "keys.h"
#include "manifest.h"
#include "runtime_files.h"
#include "runtime_layout.h"

namespace eiota::host {
namespace {

const char* kBanner = "// Patched by eiota: model values are replaceable at run time (see eiota-manifest.json).\n";
const char* kModelInclude = "#include \"eiota/eiota_model.h\"\n";

bool is_code_file(const std::string& p) {
  for (const char* e : {".c", ".cc", ".cpp", ".h", ".hpp"})
    if (p.size() > std::strlen(e) && p.compare(p.size() - std::strlen(e), std::strlen(e), e) == 0) return true;
  return false;
}

struct Edit {
  size_t at, len;
  std::string text;
};

std::string apply_edits(std::string_view src, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.at > b.at; });
  std::string out(src);
  for (const auto& e : edits) out.replace(e.at, e.len, e.text);
  return out;
}

const char* c_type(uint8_t t) {
  switch (t) {
    case eiota::kInt8: return "int8_t";
    case eiota::kUInt8: return "uint8_t";
    case eiota::kInt16: return "int16_t";
    case eiota::kInt32: return "int32_t";
    case eiota::kInt64: return "int64_t";
    case eiota::kFloat64: return "double";
    default: return "float";
  }
}

Edit replace_tokens(const EonModel& m, size_t first, size_t last, std::string text) {
  const auto& t = m.src.toks;
  return Edit{t[first].begin, t[last - 1].end - t[first].begin, std::move(text)};
}

std::string ram_name(const Region& r) {
  return std::string(kind_name(r.kind)) + "_" + std::to_string(r.export_tensor);
}

// The C++ of a region's factory and working elements, derived from its binding.
std::string factory_expr(const Region& r) {
  const Region::Binding& b = r.bind;
  switch (b.to) {
    case Region::Binding::kTensor: return b.symbol + (b.tfarray ? ".elem" : "");
    case Region::Binding::kArray:
    case Region::Binding::kModel: return "eiota_factory_" + b.symbol;
    case Region::Binding::kField:
      return b.index < 0 ? "&eiota_factory_" + b.symbol + "_" + b.field
                         : "eiota_factory_" + b.symbol + "_" + b.field + " + " + std::to_string(b.index);
    case Region::Binding::kCentroids: return "&eiota_factory_" + b.symbol + "_centroids[0][0]";
    case Region::Binding::kMacro:
    case Region::Binding::kVariable: return "&eiota_factory_" + b.symbol;
  }
  return "";
}

std::string working_expr(const Region& r) {
  const Region::Binding& b = r.bind;
  switch (b.to) {
    case Region::Binding::kTensor: return "eiota_ram::" + ram_name(r) + (r.kind == Region::kData ? "" : ".elem");
    case Region::Binding::kArray:
    case Region::Binding::kModel: return b.symbol;
    case Region::Binding::kField: return "&" + b.symbol + (b.index < 0 ? "" : "[" + std::to_string(b.index) + "]") + "." + b.field;
    case Region::Binding::kCentroids: return "&eiota_" + b.symbol + "_centroids[0][0]";
    case Region::Binding::kMacro: return "&eiota_macro_" + b.symbol;
    case Region::Binding::kVariable: return "&" + b.symbol;
  }
  return "";
}

std::string flag_names(uint8_t f) {
  std::string s;
  if (f & EIOTA_REGION_PREFIX) s += " prefix";
  if (f & EIOTA_REGION_COUNTED) s += " counted";
  if (f & EIOTA_REGION_ALIGN16) s += " align16";
  return s;
}

// Read in place (no working copy): an EON tensor's values in flash mode.
bool in_place(const Region& r, Storage storage) {
  return storage == Storage::kFlash && r.bind.to == Region::Binding::kTensor;
}

// One device table: the regions of one payload group, in payload order.
struct Table {
  std::string symbol;
  std::vector<Region> regions;
  uint32_t first = 0;  // global index of regions[0]
  Storage storage = Storage::kRam;
  std::string text() const {
    std::ostringstream t;
    t << "\n// eiota: replaceable regions, in payload order: { factory, working, count, type, flags, slot offset }.\n"
      << "extern const eiota_region " << symbol << "[];\n"
      << "const eiota_region " << symbol << "[] = {\n";
    for (const Region& r : regions)
      t << "  { " << factory_expr(r) << ", " << (in_place(r, storage) ? "NULL" : working_expr(r)) << ", " << r.count << ", "
        << (int)r.elem_type << ", " << (int)r.flags << ", " << r.slot_offset << "u },  // " << r.name << " (" << r.array << ")"
        << flag_names(r.flags) << "\n";
    t << "};\n";
    return t.str();
  }
};

std::string table_symbol(const ModelExport& x, const Region& r) {
  switch (r.kind) {
    case Region::kConfig: return "eiota_regions_config";
    case Region::kMacro: return "eiota_regions_macros";
    case Region::kAnomaly: return "eiota_regions_anomaly";
    case Region::kScaler: return "eiota_regions_scaler";
    default: return "eiota_regions_" + (x.arch.interpreter ? x.interp.at(r.block).array : x.models.at(r.block).stem);
  }
}

// The region table split into device tables, each group once and in payload order.
std::vector<Table> tables_of(const ModelExport& x, const std::vector<Region>& regions, Storage storage) {
  std::vector<Table> out;
  for (size_t i = 0; i < regions.size(); i++) {
    std::string sym = table_symbol(x, regions[i]);
    if (out.empty() || out.back().symbol != sym) {
      for (const Table& t : out)
        if (t.symbol == sym) throw std::logic_error("eiota: regions of " + sym + " are not contiguous in payload order");
      out.push_back(Table{sym, {}, (uint32_t)i, storage});
    }
    out.back().regions.push_back(regions[i]);
  }
  return out;
}

const Table* find_table(const std::vector<Table>& tables, const std::string& symbol) {
  for (const Table& t : tables)
    if (t.symbol == symbol) return &t;
  return nullptr;
}

// Rewrites one model file: zero-initialised working copies, the tensor table pointed at them, the
// model init gated on the runtime, and the region table appended at the end.
std::string patch_model_file(const EonModel& m, const Table& table) {
  std::ostringstream ram, sizes;
  ram << "namespace eiota_ram {  // eiota: working copies (zero-initialised, filled from the const arrays)\n";
  std::vector<Edit> edits;
  std::set<int> quantized;
  for (const Region& r : table.regions) {
    const EonTensor& t = m.tensors.at(r.export_tensor);
    std::string name = ram_name(r);
    if (r.kind == Region::kData) {
      ram << "alignas(16) EIOTA_RAM_ATTR " << c_type(r.elem_type) << " " << name << "[" << r.count << "];\n";
      edits.push_back(replace_tokens(m, t.data_expr_first, t.data_expr_last, "(void*)eiota_ram::" + name));
    } else {
      // No initialiser: a TfArray with its size set would be initialised data, a second copy in flash.
      ram << "EIOTA_RAM_ATTR TfArray<" << r.count << ", " << (r.kind == Region::kScale ? "float" : "int") << "> " << name << ";\n";
      sizes << " *reinterpret_cast<int*>(&eiota_ram::" << name << ") = " << r.count << ";";  // its first member, however named
      quantized.insert(r.export_tensor);
    }
  }
  for (int i : quantized) {
    const EonTensor& t = m.tensors.at(i);
    std::string q = "quant_" + std::to_string(i);
    ram << "TfLiteAffineQuantization " << q << " = { (TfLiteFloatArray*)&scale_" << i << ", (TfLiteIntArray*)&zero_" << i
        << ", " << t.quant_dim << " };\n";
    edits.push_back(replace_tokens(m, t.quant_expr_first, t.quant_expr_last, "(void*)&eiota_ram::" + q));
  }
  ram << "}  // namespace eiota_ram\n\n";
  const auto& toks = m.src.toks;
  edits.push_back(Edit{0, 0, std::string(kBanner) + kModelInclude});
  edits.push_back(Edit{toks[m.tensor_table_first].begin, 0, ram.str()});
  edits.push_back(Edit{toks[m.init_body_open].end, 0,
                       "\n  if (!eiota_model_ready(&eiota_default_model)) return kTfLiteError;  // eiota: update in flight" +
                           (sizes.str().empty() ? "" : "\n  // eiota: sizes of the quantization arrays\n " + sizes.str())});
  edits.push_back(Edit{m.src.text.size(), 0, table.text()});
  return apply_edits(m.src.text, std::move(edits));
}

bool ident_char(char c) { return std::isalnum((unsigned char)c) || c == '_'; }

// Every read of a tensor's data pointer, `tensorData[X].data`, in the whole text (also in
// preprocessor branches the tokenizer skips), as {begin, end, X}. The tensor table stays const.
struct DataRead {
  size_t begin, end;
  std::string index;
};

std::vector<DataRead> data_reads(const EonModel& m) {
  std::string_view t = m.src.text;
  auto ws = [&](size_t k) {
    while (k < t.size() && std::isspace((unsigned char)t[k])) k++;
    return k;
  };
  std::vector<DataRead> out;
  const std::string_view name = "tensorData";
  for (size_t at = t.find(name); at != std::string_view::npos; at = t.find(name, at + 1)) {
    if ((at > 0 && ident_char(t[at - 1])) || (at + name.size() < t.size() && ident_char(t[at + name.size()]))) continue;
    size_t k = ws(at + name.size());
    if (k >= t.size() || t[k] != '[') continue;
    size_t open = k, depth = 0;
    for (; k < t.size(); k++) {
      if (t[k] == '[') depth++;
      if (t[k] == ']' && --depth == 0) break;
    }
    if (k >= t.size()) break;
    std::string index(t.substr(open + 1, k - open - 1));
    k = ws(k + 1);
    if (k >= t.size() || t[k] != '.') continue;
    k = ws(k + 1);
    if (t.substr(k, 4) != "data" || (k + 4 < t.size() && ident_char(t[k + 4]))) continue;
    size_t end = k + 4, next = ws(end);
    if (next < t.size() && t[next] == '=' && (next + 1 >= t.size() || t[next + 1] != '='))
      throw std::runtime_error(m.src.path + ": the code assigns tensorData[" + index + "].data, which eiota --storage flash "
                               "cannot redirect to the values in flash; use --storage ram");
    out.push_back({at, end, index});
  }
  return out;
}

// Flash mode: tensors read data, scales and zero points where the runtime keeps them now (the
// serving slot or the factory arrays). The const tensor table keeps its factory data pointers;
// every read of one goes through eiota_tensor_data(), which maps a replaceable tensor to its
// region. Quantized tensors point at small RAM structs whose scale and zero-point pointers each
// init (run before every inference) refreshes from eiota_region_values().
std::string patch_model_file_flash(const EonModel& m, const Table& table) {
  std::vector<Edit> edits;
  std::vector<int64_t> data_region(m.tensors.size(), -1);
  struct Quant {
    int tensor;
    std::string scale_symbol, zero_symbol;
    int64_t scale = -1, zero = -1;
  };
  std::map<int, Quant> quants;
  for (size_t k = 0; k < table.regions.size(); k++) {
    const Region& r = table.regions[k];
    int64_t global = (int64_t)table.first + (int64_t)k;
    if (r.kind == Region::kData) {
      data_region.at(r.export_tensor) = global;
      continue;
    }
    if (!r.bind.tfarray)
      throw std::runtime_error(m.src.path + ": " + r.array + " is not a TfArray: eiota --storage flash needs the element count "
                               "before the values; use --storage ram");
    Quant& q = quants[r.export_tensor];
    q.tensor = r.export_tensor;
    (r.kind == Region::kScale ? q.scale_symbol : q.zero_symbol) = r.bind.symbol;
    (r.kind == Region::kScale ? q.scale : q.zero) = global;
  }
  int64_t max_index = (int64_t)table.first + (int64_t)table.regions.size();
  const char* index_type = max_index <= INT16_MAX ? "int16_t" : "int32_t";

  std::ostringstream ram;
  if (!quants.empty()) {
    ram << "namespace eiota_ram {  // eiota: --storage flash: the values stay in flash; quantization points at them\n";
    for (const auto& [i, q] : quants) {
      if (q.scale < 0 || q.zero < 0) throw std::logic_error("eiota: tensor " + std::to_string(i) + " has a scale or a zero region alone");
      ram << "TfLiteAffineQuantization quant_" << i << " = { (TfLiteFloatArray*)&" << q.scale_symbol << ", (TfLiteIntArray*)&"
          << q.zero_symbol << ", " << m.tensors.at(i).quant_dim << " };\n";
      edits.push_back(replace_tokens(m, m.tensors.at(i).quant_expr_first, m.tensors.at(i).quant_expr_last,
                                     "(void*)&eiota_ram::quant_" + std::to_string(i)));
    }
    ram << "struct QuantRef {\n  TfLiteAffineQuantization* quant;\n  " << index_type << " scale, zero;  // regions\n};\n"
        << "const QuantRef kQuant[" << quants.size() << "] = {\n";
    for (const auto& [i, q] : quants) ram << "  { &quant_" << i << ", " << q.scale << ", " << q.zero << " },\n";
    ram << "};\n}  // namespace eiota_ram\n\n";
  }

  bool any_data = std::any_of(data_region.begin(), data_region.end(), [](int64_t r) { return r >= 0; });
  std::ostringstream data;
  if (any_data) {
    size_t n = m.tensors.size();
    data << "\n// eiota: --storage flash: where tensor i's data is now. A replaceable tensor's values are its\n"
         << "// region's (the serving slot or the factory array), every other tensor's what the table says.\n"
         << "static const " << index_type << " eiota_tensor_region[" << n << "] = {";
    for (size_t i = 0; i < n; i++) data << (i % 16 ? " " : "\n  ") << data_region[i] << ",";
    data << "\n};\n"
         << "static inline void* eiota_tensor_data(size_t i) {\n"
         << "  int32_t r = i < " << n << " ? eiota_tensor_region[i] : -1;\n"
         << "  return r < 0 ? tensorData[i].data : const_cast<void*>(eiota_region_values(&eiota_default_model, (uint32_t)r));\n"
         << "}\n";
    for (const DataRead& d : data_reads(m))
      edits.push_back(Edit{d.begin, d.end - d.begin, "eiota_tensor_data(" + d.index + ")"});
  }

  std::ostringstream init;
  init << "\n  if (!eiota_model_ready(&eiota_default_model)) return kTfLiteError;  // eiota: update in flight";
  if (!quants.empty())
    init << "\n  // eiota: quantization reads the scales and zero points where they are now (a COUNTED region's\n"
         << "  // element count sits 4 bytes before its values, as in a TfArray)\n"
         << "  for (size_t k = 0; k < " << quants.size() << "; k++) {\n"
         << "    const eiota_ram::QuantRef& q = eiota_ram::kQuant[k];\n"
         << "    const char* scale = (const char*)eiota_region_values(&eiota_default_model, (uint32_t)q.scale);\n"
         << "    const char* zero = (const char*)eiota_region_values(&eiota_default_model, (uint32_t)q.zero);\n"
         << "    if (!scale || !zero) return kTfLiteError;\n"
         << "    q.quant->scale = (TfLiteFloatArray*)(scale - 4);\n"
         << "    q.quant->zero_point = (TfLiteIntArray*)(zero - 4);\n"
         << "  }";

  const auto& toks = m.src.toks;
  const Decl* td = m.src.find("tensorData");
  if (!td) throw std::logic_error("eiota: " + m.src.path + " has no tensorData");
  edits.push_back(Edit{0, 0, std::string(kBanner) + kModelInclude});
  if (!quants.empty()) edits.push_back(Edit{toks[m.tensor_table_first].begin, 0, ram.str()});
  if (any_data) edits.push_back(Edit{toks[td->last - 1].end, 0, data.str()});
  edits.push_back(Edit{toks[m.init_body_open].end, 0, init.str()});
  edits.push_back(Edit{m.src.text.size(), 0, table.text()});
  return apply_edits(m.src.text, std::move(edits));
}

std::string byte_list(const uint8_t* p, size_t n) {
  std::ostringstream s;
  for (size_t i = 0; i < n; i++) s << (i ? ", " : "") << (int)p[i];
  return s.str();
}

std::string model_config(const std::vector<Table>& tables, const std::array<uint8_t, 16>& fp,
                         const std::array<uint8_t, 32>& pk, const std::vector<uint8_t>& factory_digest, bool inflate) {
  std::ostringstream s;
  size_t total = 0;
  s << "// Generated by eiota patch: the model this library was patched for. Do not edit.\n"
    << "#include \"eiota_model.h\"\n\n";
  for (const auto& t : tables) s << "extern const eiota_region " << t.symbol << "[];\n";
  s << "\nstatic const eiota_block kBlocks[] = {\n";
  for (const auto& t : tables) {
    s << "  { " << t.symbol << ", " << t.regions.size() << " },\n";
    total += t.regions.size();
  }
  s << "};\n"
    << "static const uint8_t kFingerprint[16] = { " << byte_list(fp.data(), 16) << " };\n"
    << "static const uint8_t kPublicKey[32] = { " << byte_list(pk.data(), 32) << " };\n"
    << (factory_digest.empty() ? std::string()
                               : "// SHA-256 of every region's factory values in region order: the base of a delta on them.\n"
                                 "static const uint8_t kFactoryDigest[32] = { " + byte_list(factory_digest.data(), 32) + " };\n")
    << "static eiota_model_state g_state;\n\n"
    << "const eiota_model eiota_default_model = {\n"
    << "  kBlocks, " << tables.size() << ", " << total << ", kFingerprint, kPublicKey, 0x" << std::hex << key_id(pk)
    << std::dec << "u,\n  &g_state, &eiota_ram_storage, " << (factory_digest.empty() ? "NULL" : "kFactoryDigest") << ",\n  "
    << (inflate ? "eiota_update_inflate,  // --inflate: takes compressed payloads (format 1.3)" : "NULL,  // no decoder: compressed payloads refused")
    << "\n};\n\n"
    << "// Working copies are filled from flash before main(); all this reads is constant-initialised.\n"
    << "// The interpreter's inference gate (patched into model_variables.h or model_metadata.h), callable from C.\n"
    << "extern \"C\" int eiota_inference_allowed(void) { return eiota_model_ready(&eiota_default_model) ? 1 : 0; }\n\n"
    << "namespace {\nstruct Fill {\n  Fill() { eiota_model_restore(&eiota_default_model); }\n} g_fill;\n}  // namespace\n";
  return s.str();
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// The interpreter runs the model array in place, so every inference is gated: the learning-block
// table's inference functions (called before every inference of their block) are wrapped, with
// the parameters the SDK's function pointer type has, whatever the SDK version.
std::string inference_gates(const ModelExport& x) {
  std::set<std::string> names;
  for (const InferFn& f : x.infer_fns) names.insert(f.name);
  std::ostringstream g;
  g << "// eiota: no inference while an update writes the model the interpreter reads.\n"
    << "extern \"C\" int eiota_inference_allowed(void);\n";
  for (const std::string& n : names)
    g << "template <class... A> static auto eiota_gated_" << n << "(A... a) -> decltype(" << n << "(a...)) {\n"
      << "  if (!eiota_inference_allowed()) return EI_IMPULSE_TFLITE_ERROR;  // eiota: update in flight\n"
      << "  return " << n << "(a...);\n}\n";
  return g.str() + "\n";
}

// 2021-22 interpreter exports have no learning-block table; their SDK allocates the arena with
// ei_aligned_malloc(16, EI_CLASSIFIER_TFLITE_ARENA_SIZE) before every inference, before it reads
// the model, and returns EI_IMPULSE_TFLITE_ARENA_ALLOC_FAILED when that gives NULL (size 0).
std::string gate_arena(const ModelExport& x, std::string text) {
  const std::string macro = "EI_CLASSIFIER_TFLITE_ARENA_SIZE";
  for (const auto& [path, src] : x.files.files) {
    if (!is_code_file(path)) continue;
    for (size_t at = src.find(macro); at != std::string::npos; at = src.find(macro, at + 1)) {
      size_t bol = src.rfind('\n', at);
      size_t k = src.find_first_not_of(" \t", bol == std::string::npos ? 0 : bol + 1);
      if (k == std::string::npos || src[k] != '#') continue;
      std::string directive = src.substr(k, src.find_first_of(" \t(", k + 1) - k);
      if (directive != "#define" && directive != "#undef" && directive != "#ifdef" && directive != "#ifndef")
        throw std::runtime_error(x.files.origin + "/" + path + ": " + directive + " tests " + macro +
                                 ", which eiota must make a run-time value to stop inferences during an update");
    }
  }
  size_t at = text.find("#define " + macro);
  while (at != std::string::npos && (std::isalnum((unsigned char)text[at + 8 + macro.size()]) || text[at + 8 + macro.size()] == '_'))
    at = text.find("#define " + macro, at + 1);
  if (at == std::string::npos)
    throw std::runtime_error(x.files.origin + ": a TFLite-interpreter export with neither a learning-block table in "
                             "model_variables.h nor #define " + macro + " in model_metadata.h: eiota finds no place to "
                             "stop inferences while an update writes the model");
  size_t eol = std::min(text.find('\n', at), text.size());
  std::string value = text.substr(at + 8 + macro.size(), eol - at - 8 - macro.size());
  value.erase(0, value.find_first_not_of(" \t"));
  value.erase(value.find_last_not_of(" \t\r") + 1);
  text.replace(at, eol - at,
               "#ifdef __cplusplus\nextern \"C\"\n#endif\nint eiota_inference_allowed(void);\n"
               "// eiota: no arena (so no inference) while an update writes the model the interpreter reads\n"
               "#define " + macro + " (eiota_inference_allowed() ? (" + value + ") : 0)");
  return text;
}

// model_variables.h: result configs writable, their factory values kept, StandardScaler arrays
// split into factory values and a zero-initialised working copy, and their region tables.
// Appended inside the header's include guard (the header defines globals, so it is compiled once).
std::string patch_variables(const ModelExport& x, const Table* config, const Table* scalers, bool gate) {
  std::string text = x.files.files.at(x.variables_path);
  std::ostringstream add;
  add << "\n// eiota: quantization the SDK reads outside the model, replaceable like the model's own.\n"
      << kModelInclude
      << "template <class A, class B> struct eiota_same_type { enum { value = 0 }; };\n"
      << "template <class A> struct eiota_same_type<A, A> { enum { value = 1 }; };\n";
  if (config)
    for (const Region& r : config->regions) {
      std::string field = r.bind.symbol + "." + r.bind.field;
      add << "static_assert(eiota_same_type<decltype(" << field << "), " << c_type(r.elem_type) << ">::value, \"eiota: "
          << field << " changed type; re-run eiota patch\");\n";
      add << "static const " << c_type(r.elem_type) << " eiota_factory_" << r.bind.symbol << "_" << r.bind.field << " = ";
      if (r.elem_type == eiota::kFloat32) {
        float f;
        std::memcpy(&f, r.values.data(), 4);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.9g", (double)f);  // 9 digits give back the same float
        add << "static_cast<float>(" << buf << ");\n";
      } else {
        add << (int32_t)eiota::get_u32(r.values.data()) << ";\n";
      }
    }
  std::string tables = (config ? config->text() : "") + (scalers ? scalers->text() : "");
  std::vector<Edit> edits;
  for (size_t off : x.config_const_offsets) edits.push_back(Edit{off, 5, "/* eiota: writable */"});
  if (gate) {
    edits.push_back(Edit{x.learning_blocks_begin, 0, inference_gates(x)});
    for (const InferFn& f : x.infer_fns) edits.push_back(Edit{f.begin, f.end - f.begin, "eiota_gated_" + f.name});
  }
  for (const AnomalyArray& a : x.scalers) {
    std::string n = std::to_string(a.rows[0].size());
    edits.push_back(Edit{a.begin, a.end - a.begin,
                         "// eiota: factory values stay const; the SDK reads the working copy.\n" + std::string(kModelInclude) +
                         "static const float eiota_factory_" + a.name + "[" + n + "] = { " + joined(a.rows[0]) + " };\n"
                         "EIOTA_RAM_ATTR float " + a.name + "[" + n + "];"});
  }
  size_t guard_end = text.rfind("#endif");
  if (guard_end == std::string::npos) guard_end = text.size();
  edits.push_back(Edit{guard_end, 0, add.str() + tables + "\n"});
  return apply_edits(text, std::move(edits));
}

// model_metadata.h: each quantization macro the SDK reads becomes a variable (same type as the
// literal, so the SDK's arithmetic is unchanged), defined with its factory value and region
// table in eiota_macros.cpp (placed by place_runtime). The variable keeps its initialiser (a scalar): an
// SDK's namespace-scope initialiser may read it before the working copies are filled.
std::string patch_macros(const ModelExport& x, const Table& table, std::string* cpp) {
  std::string text = x.files.files.at(x.metadata_path);
  std::ostringstream defs;
  defs << "// Generated by eiota patch: quantization macros of model_metadata.h, replaceable.\n"
       << "#include \"eiota_model.h\"\n\n";
  for (const Region& r : table.regions) {
    const std::string& macro = r.bind.symbol;
    size_t at = text.find("#define " + macro);
    while (at != std::string::npos && at + 8 + macro.size() < text.size() &&
           (std::isalnum((unsigned char)text[at + 8 + macro.size()]) || text[at + 8 + macro.size()] == '_'))
      at = text.find("#define " + macro, at + 1);
    if (at == std::string::npos) throw std::runtime_error(x.metadata_path + ": #define " + macro + " not found");
    size_t eol = text.find('\n', at);
    std::string var = "eiota_macro_" + macro, type = c_type(r.elem_type);
    std::string value = text.substr(at + 8 + macro.size(), (eol == std::string::npos ? text.size() : eol) - at - 8 - macro.size());
    text.replace(at, (eol == std::string::npos ? text.size() : eol) - at,
                 "#include <stdint.h>\n#ifdef __cplusplus\nextern \"C\" " + type + " " + var + ";  // eiota: replaceable\n#else\nextern " + type + " " + var +
                     ";\n#endif\n#define " + macro + " (" + var + ")");
    defs << "extern \"C\" { " << type << " " << var << " =" << value << "; }\n"
         << "static const " << type << " eiota_factory_" << macro << " =" << value << ";\n";
  }
  *cpp = defs.str() + table.text();
  return text;
}

// anomaly_metadata.h / anomaly_clusters.h: each K-means array keeps its factory values const and gets a
// zero-initialised working copy under its own name, so the SDK's references now reach the copy.
std::string patch_anomaly(const ModelExport& x, const Table& table) {
  std::vector<Edit> edits;
  for (const AnomalyArray& a : x.anomaly) {
    std::ostringstream o;
    if (edits.empty()) o << kModelInclude;
    o << "// eiota: factory values stay const; the SDK reads the working copy.\n";
    if (a.radii.empty()) {
      std::string n = std::to_string(a.rows[0].size());
      o << "static const float eiota_factory_" << a.name << "[" << n << "] = { " << joined(a.rows[0]) << " };\n"
        << "EIOTA_RAM_ATTR float " << a.name << "[" << n << "];";
    } else {
      std::string c = std::to_string(a.rows.size()), d = std::to_string(a.rows[0].size()), rows;
      for (const auto& r : a.rows) rows += (rows.empty() ? "{ " : ",\n  { ") + joined(r) + " }";
      o << "static const float eiota_factory_" << a.name << "_centroids[" << c << "][" << d << "] = {\n  " << rows << " };\n"
        << "static const float eiota_factory_" << a.name << "_max_error[" << c << "] = { " << joined(a.radii) << " };\n"
        << "EIOTA_RAM_ATTR float eiota_" << a.name << "_centroids[" << c << "][" << d << "];\n"
        << a.type << " " << a.name << "[" << c << "] = {\n";
      for (size_t i = 0; i < a.rows.size(); i++)
        o << "  { eiota_" << a.name << "_centroids[" << i << "], " << a.radii[i] << " },\n";
      o << "};";
    }
    edits.push_back(Edit{a.begin, a.end - a.begin, o.str()});
  }
  const std::string& text = x.files.files.at(x.anomaly_path);
  size_t guard_end = text.rfind("#endif");
  edits.push_back(Edit{guard_end == std::string::npos ? text.size() : guard_end, 0, table.text() + "\n"});
  return apply_edits(text, std::move(edits));
}

// A non-EON model header: the model array keeps its bytes const (padded to the capacity) under a
// new name, and its own name becomes a writable working copy that the SDK's references now reach.
std::string patch_interp(const ModelExport& x, const InterpModel& m, uint32_t capacity, const Table& table) {
  std::ostringstream arr, len;
  std::string section = m.section;
  if (m.incbin_end > m.incbin_begin) {  // where INCBIN would have placed the model (EI_MODEL_SECTION)
    arr << "#if defined(INCBIN_OUTPUT_SECTION)\n#define EIOTA_FACTORY_SECTION __attribute__((section(INCBIN_OUTPUT_SECTION)))\n"
        << "#else\n#define EIOTA_FACTORY_SECTION\n#endif\n";
    section = "EIOTA_FACTORY_SECTION";
  }
  arr << kModelInclude
      << "// eiota: the factory model, padded to the " << capacity << " bytes reserved for retrains.\n"
      << "alignas(16) static const " << (section.empty() ? "" : section + " ") << "unsigned char eiota_factory_" << m.array << "[" << capacity << "] = " << m.array_init << ";\n"
      << "// eiota: what the SDK runs; filled from the factory model before main().\n"
      << "alignas(16) EIOTA_RAM_ATTR unsigned char " << m.array << "[" << capacity << "];";
  std::vector<Edit> edits{Edit{m.array_begin, m.array_end - m.array_begin, arr.str()}};
  if (m.incbin_end > m.incbin_begin)
    edits.push_back(Edit{m.incbin_begin, m.incbin_end - m.incbin_begin,
                         "// eiota: the model file is compiled in below as eiota_factory_" + m.array + " instead of linked with INCBIN"});
  if (!m.length.empty()) {
    len << "static const " << m.length_type << " eiota_factory_" << m.length << " = " << m.bytes.size() << ";\n"
        << m.length_type << " " << m.length << " = " << m.bytes.size() << ";  // eiota: replaceable\n"
        << "static_assert(sizeof(" << m.length << ") == 4, \"eiota: the model length must be 32-bit\");";
    edits.push_back(Edit{m.length_begin, m.length_end - m.length_begin, len.str()});
  }
  const std::string& text = x.files.files.at(m.path);
  size_t guard_end = text.rfind("#endif");
  size_t at = guard_end == std::string::npos || guard_end < m.array_end ? text.size() : guard_end;
  edits.push_back(Edit{at, 0, table.text()});
  return apply_edits(text, std::move(edits));
}

// The library's main header gets the Arduino API, so sketches need no extra include, and an
// Arduino library gets eiota's example sketches, including that header.
void add_arduino_api(ExportFiles& f) {
  std::string header;
  for (auto& [path, text] : f.files) {
    if (path.rfind(f.root, 0) != 0) continue;
    std::string rest = path.substr(f.root.size());
    if (rest.find('/') != std::string::npos || !rest.ends_with("_inferencing.h")) continue;
    text += "\n#include \"eiota/eiota_arduino.h\"  // eiota: ei_update_weights(), ei_restore_weights()\n";
    header = rest;
  }
  if (header.empty() || !f.has(f.library + "library.properties")) return;
  for (size_t i = 0; i < kExampleFilesCount; i++) {
    std::string text(kExampleFiles[i].data, kExampleFiles[i].size);
    size_t at = text.find("<demo_inferencing.h>");
    if (at != std::string::npos) text.replace(at, 20, "<" + header + ">");
    std::string name = kExampleFiles[i].name;  // ota_update/ota_update.ino
    f.files[f.library + "examples/eiota_" + name.substr(0, name.find('/')) + "/eiota_" + name.substr(name.find('/') + 1)] = text;
  }
}

}  // namespace

// Where the device runtime goes in the patched library (one place: build layouts decide it).

const char* storage_name(Storage s) { return s == Storage::kFlash ? "flash" : "ram"; }

Storage storage_from_name(const std::string& name) {
  if (name == "ram") return Storage::kRam;
  if (name == "flash") return Storage::kFlash;
  throw std::runtime_error("--storage must be ram or flash, not '" + name + "'");
}

uint64_t place_in_slot(std::vector<Region>& regions) {
  uint64_t at = eiota_slot_values_start((uint32_t)regions.size());
  for (Region& r : regions) {
    uint8_t f = 0;
    if (r.kind == Region::kModel) f = EIOTA_REGION_PREFIX | EIOTA_REGION_ALIGN16;
    if (r.kind == Region::kData) f = EIOTA_REGION_ALIGN16;
    if (r.kind == Region::kScale || r.kind == Region::kZero) {
      if (eiota::elem_size(r.elem_type) != 4)
        throw std::runtime_error("region " + r.name + " (" + r.array + "): a scale or zero-point array with " +
                                 std::to_string(eiota::elem_size(r.elem_type)) + "-byte elements, eiota expects 4");
      f = EIOTA_REGION_COUNTED;
    }
    r.flags = f;
    uint64_t off = eiota_slot_place(at, r.elem_type, f);
    at = off + (uint64_t)r.count * eiota::elem_size(r.elem_type);
    if (at > UINT32_MAX) throw std::runtime_error("the model's values need more than 4 GiB in a slot");
    r.slot_offset = (uint32_t)off;
  }
  return at;
}

uint32_t reserve_for(const InterpModel& m, std::optional<uint32_t> reserve) {
  return reserve ? *reserve : std::max<uint32_t>(1024, (uint32_t)m.bytes.size() / 4);
}

PatchResult patch_export(const ModelExport& x, const std::array<uint8_t, 32>& public_key, std::optional<uint32_t> reserve,
                         Storage storage, bool inflate) {
  if (x.patched)
    throw std::runtime_error(x.files.origin + ": already patched by eiota; patch the export as Edge Impulse wrote it");
  if (x.regions.empty()) throw std::runtime_error(x.files.origin + ": no replaceable values found");
  // The TFLite interpreter reads the model array through SDK code eiota does not rewrite, so its
  // bytes cannot move to a slot.
  if (storage == Storage::kFlash && !x.interp.empty())
    throw std::runtime_error(x.files.origin + ": a TFLite-interpreter (non-EON) export: --storage flash needs an EON export; "
                             "use --storage ram, which also persists updates with a store");
  ExportFiles f = x.files;
  PatchResult res;
  std::vector<Region> regions = x.regions;  // the one table; a non-EON model's count becomes its capacity
  for (size_t b = 0; b < x.interp.size(); b++) {
    uint32_t extra = reserve_for(x.interp[b], reserve);
    uint32_t capacity = ((uint32_t)x.interp[b].bytes.size() + extra + 15) / 16 * 16;
    res.reserve_bytes += capacity - (uint32_t)x.interp[b].bytes.size();
    for (auto& r : regions)
      if (r.kind == Region::kModel && r.block == (int)b) r.count = capacity;
  }
  std::map<std::string, std::string> generated;  // runtime sources written for this model
  res.slot_size = place_in_slot(regions);
  std::vector<Table> tables = tables_of(x, regions, storage);
  for (size_t b = 0; b < x.models.size(); b++) {
    Table none{"eiota_regions_" + x.models[b].stem, {}};  // a model without values is still gated
    const Table* t = find_table(tables, none.symbol);
    f.files[x.model_paths[b]] = storage == Storage::kFlash ? patch_model_file_flash(x.models[b], t ? *t : none)
                                                           : patch_model_file(x.models[b], t ? *t : none);
  }
  for (const InterpModel& m : x.interp) {
    const Table* t = find_table(tables, "eiota_regions_" + m.array);
    f.files[m.path] = patch_interp(x, m, t->regions.front().count, *t);
  }
  const Table* config = find_table(tables, "eiota_regions_config");
  const Table* scalers = find_table(tables, "eiota_regions_scaler");
  bool gate_blocks = x.arch.interpreter && !x.infer_fns.empty();
  if (config || scalers || gate_blocks) f.files[x.variables_path] = patch_variables(x, config, scalers, gate_blocks);
  if (const Table* macros = find_table(tables, "eiota_regions_macros")) {
    std::string cpp;
    f.files[x.metadata_path] = patch_macros(x, *macros, &cpp);
    generated["eiota_macros.cpp"] = cpp;
  }
  if (x.arch.interpreter && !gate_blocks) {
    if (x.metadata_path.empty())
      throw std::runtime_error(x.files.origin + ": a TFLite-interpreter export without model-parameters/model_metadata.h: "
                               "eiota finds no place to stop inferences while an update writes the model");
    f.files[x.metadata_path] = gate_arena(x, f.files.at(x.metadata_path));
  }
  if (const Table* anomaly = find_table(tables, "eiota_regions_anomaly")) f.files[x.anomaly_path] = patch_anomaly(x, *anomaly);
  std::vector<uint8_t> factory_digest;  // deltas on the factory values (format 1.2)
  std::vector<std::array<uint8_t, 32>> region_digests;
  if (delta_capable(regions)) {
    Digest d = full_data_digest(regions);
    factory_digest.assign(d.begin(), d.end());
    for (const Region& r : regions) region_digests.push_back(sha256_of(r.values.data(), r.values.size()));
  }
  generated["eiota_model_config.cpp"] = model_config(tables, x.fp, public_key, factory_digest, inflate);
  res.runtime_note = place_runtime(f, generated);
  add_arduino_api(f);

  Manifest man;
  man.fingerprint = x.fp;
  man.public_key = public_key;
  man.arch = x.arch;
  man.regions = regions;
  for (auto& r : man.regions) r.values.clear();
  man.model_files = x.model_paths;
  man.source = x.files.origin;
  man.storage = storage_name(storage);
  man.slot_size = res.slot_size;
  man.factory_digest = factory_digest;
  man.factory_region_digests = region_digests;
  man.inflate = inflate;
  f.files[f.library + kManifestName] = manifest_to_json(man);

  std::set<std::pair<int, int>> quantized;  // (block, tensor)
  for (const Region& r : regions) {
    if (!in_place(r, storage)) res.ram_bytes += (size_t)r.count * eiota::elem_size(r.elem_type);
    else if (r.kind != Region::kData) quantized.insert({r.block, r.export_tensor});
  }
  res.quant_structs = quantized.size();
  res.region_count = regions.size();
  res.out = std::move(f);
  return res;
}

}  // namespace eiota::host
