#include "model_arch.h"

#include <sodium.h>

#include <algorithm>
#include <sstream>

#include "eiota_format.h"
#include "impulse_config.h"

namespace eiota::host {
namespace {

std::string join(const std::vector<int>& v, const char* sep = ",") {
  std::string out;
  for (size_t i = 0; i < v.size(); i++) out += (i ? sep : "") + std::to_string(v[i]);
  return out;
}

std::string shape(const std::vector<int>& v) { return v.empty() ? "scalar" : join(v, "x"); }

// Shape and index constants (int32/int64 without quantization) describe the graph.
bool is_fixed(const EonTensor& t) {
  return t.constant && t.quant.empty() && (t.dtype == "kTfLiteInt32" || t.dtype == "kTfLiteInt64");
}

std::string tensor_line(const ArchTensor& t) {
  std::ostringstream s;
  s << t.dtype << " " << shape(t.dims) << (t.constant ? " const" : " act") << " bytes=" << t.bytes
    << " quant=" << t.nscale << "/" << t.nzero << "/" << t.qdim;
  if (!t.fixed_hex.empty()) s << " values=" << t.fixed_hex;
  return s.str();
}

void add_region(const EonModel& m, int b, int c, const EonTensor& t, Region::Kind k,
                const std::string& array, std::vector<Region>* out) {
  const ValueArray& a = m.array(array);
  Region r;
  r.block = b;
  r.tensor = c;
  r.export_tensor = t.index;
  r.kind = k;
  r.name = "b" + std::to_string(b) + ".t" + std::to_string(c) + "." + kind_name(k);
  r.elem_type = a.elem_type;
  r.count = a.count;
  r.array = array;
  r.bind.to = Region::Binding::kTensor;
  r.bind.symbol = a.qualified;
  r.bind.tfarray = a.is_tfarray;
  r.values = a.bytes;
  out->push_back(std::move(r));
}

// Anomaly values eiota does not replace (axes) are recorded as "values <initialiser>"; an eiota
// before 2026-12 recorded "values <16 hex digits of its SHA-256>" instead.
const std::string kValues = "values ";

std::string values_hash(const std::string& text) {
  uint8_t h[32];
  crypto_hash_sha256(h, (const uint8_t*)text.data(), text.size());
  return hex(h, 8);
}

bool is_legacy_hash(const std::string& v) {
  return v.size() == kValues.size() + 16 && v.rfind(kValues, 0) == 0 &&
         v.find_first_not_of("0123456789abcdef", kValues.size()) == std::string::npos;
}

bool same_anomaly(const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (is_legacy_hash(a) && b.rfind(kValues, 0) == 0 && !is_legacy_hash(b)) return values_hash(b.substr(kValues.size())) == a.substr(kValues.size());
  if (is_legacy_hash(b) && a.rfind(kValues, 0) == 0 && !is_legacy_hash(a)) return values_hash(a.substr(kValues.size())) == b.substr(kValues.size());
  return false;
}

// `v` for a message: a shape as it is; values as written, tidied, and when long, the part around
// where they first differ from `other`.
std::string anomaly_shown(const std::string& v, const std::string& other) {
  if (v.rfind(kValues, 0) != 0) return v;
  if (is_legacy_hash(v)) return "values hashed " + v.substr(kValues.size()) + " by an older eiota";
  auto tidy = [](std::string t) {
    for (size_t at; (at = t.find(" ,")) != std::string::npos;) t.erase(at, 1);
    return t;
  };
  std::string a = tidy(v.substr(kValues.size())), b = tidy(other.rfind(kValues, 0) == 0 ? other.substr(kValues.size()) : other);
  const size_t kShown = 60;
  if (a.size() <= kShown) return a;
  size_t diff = 0;
  while (diff < a.size() && diff < b.size() && a[diff] == b[diff]) diff++;
  size_t from = diff > 20 ? a.rfind(", ", diff - 20) : std::string::npos;
  from = from == std::string::npos || diff <= 20 ? 0 : from + 2;
  std::string part = a.substr(from, kShown);
  return (from ? "... " : "") + part + (from + kShown < a.size() ? " ..." : "") + " (" + std::to_string(std::count(a.begin(), a.end(), ',') + 1) + " values)";
}

}  // namespace

const char* kind_name(Region::Kind k) {
  switch (k) {
    case Region::kData: return "data";
    case Region::kScale: return "scale";
    case Region::kZero: return "zero";
    case Region::kConfig: return "config";
    case Region::kMacro: return "macro";
    case Region::kModel: return "model";
    case Region::kModelLength: return "model_len";
    case Region::kScaler: return "scaler";
    default: return "anomaly";
  }
}

std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; i++) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

ArchBlock build_block(const EonModel& m, int b, std::vector<Region>* regions) {
  ArchBlock blk;
  blk.stem = m.stem;
  blk.arena = m.arena_size;
  std::vector<int> canon(m.tensors.size(), -1), order;
  auto number = [&](int t) {
    if (t < 0 || (size_t)t >= m.tensors.size()) throw std::runtime_error(m.src.path + ": operator refers to tensor " + std::to_string(t) + " which does not exist");
    if (canon[t] < 0) { canon[t] = (int)order.size(); order.push_back(t); }
    return canon[t];
  };
  for (int t : m.inputs) number(t);
  for (const auto& op : m.ops) {
    ArchOp a{op.kind, op.options, {}, {}};
    for (int t : op.inputs) a.inputs.push_back(t < 0 ? -1 : number(t));
    for (int t : op.outputs) a.outputs.push_back(number(t));
    blk.ops.push_back(std::move(a));
  }
  for (int t : m.outputs) number(t);
  blk.first_unused = (int)order.size();
  for (size_t t = 0; t < m.tensors.size(); t++) number((int)t);  // tensors no operator uses
  for (int t : m.inputs) blk.inputs.push_back(canon[t]);
  for (int t : m.outputs) blk.outputs.push_back(canon[t]);

  for (size_t c = 0; c < order.size(); c++) {
    const EonTensor& t = m.tensors[order[c]];
    ArchTensor at;
    at.dtype = t.dtype;
    at.dims = t.dims;
    at.constant = t.constant;
    at.bytes = t.bytes;
    at.export_index = t.index;
    if (!t.quant.empty()) {
      at.nscale = m.array(t.scale_array).count;
      at.nzero = m.array(t.zero_array).count;
      at.qdim = t.quant_dim;
    }
    if (is_fixed(t) && !t.data_array.empty()) {
      const auto& v = m.array(t.data_array).bytes;
      at.fixed_hex = hex(v.data(), v.size());
    }
    blk.tensors.push_back(at);
    if (!regions) continue;
    if (t.constant && !t.data_array.empty() && !is_fixed(t)) {
      if (!elem_type_of_tflite(t.dtype))
        throw std::runtime_error(m.src.path + ": tensor " + std::to_string(t.index) + " has type " + t.dtype + ", which eiota cannot replace yet");
      add_region(m, b, (int)c, t, Region::kData, t.data_array, regions);
    }
    if (!t.quant.empty()) {
      add_region(m, b, (int)c, t, Region::kScale, t.scale_array, regions);
      add_region(m, b, (int)c, t, Region::kZero, t.zero_array, regions);
    }
  }
  return blk;
}

std::string arch_text(const Arch& a) {
  std::ostringstream s;
  s << "eiota-arch 1\n";
  for (size_t b = 0; b < a.blocks.size(); b++) {
    const ArchBlock& blk = a.blocks[b];
    s << "block " << b << " arena " << blk.arena << "\n";
    for (size_t i = 0; i < blk.ops.size(); i++) {
      const ArchOp& op = blk.ops[i];
      s << "op " << i << " " << op.kind << " [" << op.options << "] in " << join(op.inputs)
        << " out " << join(op.outputs) << "\n";
    }
    for (size_t c = 0; c < blk.tensors.size(); c++) s << "tensor " << c << " " << tensor_line(blk.tensors[c]) << "\n";
    s << "inputs " << join(blk.inputs) << " outputs " << join(blk.outputs) << "\n";
  }
  s << "labels";
  for (const auto& l : a.labels) s << " " << l;
  s << "\n";
  if (a.interpreter) s << "engine tflite\n";
  for (const auto& [k, v] : a.dsp) s << "dsp " << k << " " << v << "\n";
  for (const auto& [k, v] : a.settings) s << "setting " << k << " " << v << "\n";
  for (const auto& [k, v] : a.outside_quant) s << "outside-quant " << k << " " << v << "\n";
  for (const auto& f : a.config_fields) s << "config " << f << "\n";
  for (const auto& [k, v] : a.anomaly) s << "anomaly " << k << " " << v << "\n";
  return s.str();
}

std::array<uint8_t, 16> fingerprint(const Arch& a) {
  std::string text = arch_text(a);
  uint8_t h[32];
  crypto_hash_sha256(h, (const uint8_t*)text.data(), text.size());
  std::array<uint8_t, 16> out;
  std::copy(h, h + 16, out.begin());
  return out;
}

std::vector<std::string> arch_diff(const Arch& base, const Arch& next, std::vector<std::string>* notes) {
  std::vector<std::string> d, ignored;
  if (!notes) notes = &ignored;
  if (!base.blocks.empty() && !next.blocks.empty() && !base.blocks[0].inputs.empty() && !next.blocks[0].inputs.empty()) {
    const auto& x = base.blocks[0].tensors.at(base.blocks[0].inputs[0]);
    const auto& y = next.blocks[0].tensors.at(next.blocks[0].inputs[0]);
    if (x.dtype != y.dtype)
      d.push_back("the deployed model takes " + x.dtype + " input, the new export " + y.dtype +
                  ": export both with the same precision (float32 or quantized int8)");
    else if (x.dims != y.dims)
      d.push_back("the deployed model takes input " + shape(x.dims) + ", the new export " + shape(y.dims) +
                  ": the impulse changed (window, image size or features); it needs a firmware update");
  }
  if (base.blocks.size() != next.blocks.size())
    d.push_back("learn blocks: " + std::to_string(base.blocks.size()) + " deployed vs " + std::to_string(next.blocks.size()) + " new");
  for (size_t b = 0; b < std::min(base.blocks.size(), next.blocks.size()); b++) {
    const ArchBlock& x = base.blocks[b];
    const ArchBlock& y = next.blocks[b];
    std::string p = base.blocks.size() > 1 ? "block " + std::to_string(b) + ": " : "";
    if (x.ops.size() != y.ops.size())
      d.push_back(p + "operators: " + std::to_string(x.ops.size()) + " vs " + std::to_string(y.ops.size()));
    for (size_t i = 0; i < std::min(x.ops.size(), y.ops.size()); i++) {
      const ArchOp& o = x.ops[i];
      const ArchOp& q = y.ops[i];
      std::string at = p + "operator " + std::to_string(i) + " (" + o.kind + "): ";
      if (o.kind != q.kind) d.push_back(at + "kind " + o.kind + " vs " + q.kind);
      else if (o.options != q.options) d.push_back(at + "options [" + o.options + "] vs [" + q.options + "]");
      else if (o.inputs != q.inputs || o.outputs != q.outputs) d.push_back(at + "wiring differs");
    }
    if (x.tensors.size() != y.tensors.size())
      d.push_back(p + "tensors: " + std::to_string(x.tensors.size()) + " vs " + std::to_string(y.tensors.size()));
    for (size_t c = 0; c < std::min(x.tensors.size(), y.tensors.size()); c++) {
      const ArchTensor& s = x.tensors[c];
      const ArchTensor& t = y.tensors[c];
      std::string at = p + "tensor " + std::to_string(c) + " (" +
                       (base.interpreter ? "TFLite tensor " + std::to_string(s.export_index) + " deployed, " + std::to_string(t.export_index)
                                         : "tensorData[" + std::to_string(s.export_index) + "] deployed, [" + std::to_string(t.export_index) + "]") +
                       " new): ";
      if (s.dtype != t.dtype) d.push_back(at + "type " + s.dtype + " vs " + t.dtype);
      else if (s.dims != t.dims) d.push_back(at + "shape " + shape(s.dims) + " vs " + shape(t.dims));
      else if (tensor_line(s) != tensor_line(t)) d.push_back(at + tensor_line(s) + " vs " + tensor_line(t));
    }
    if (x.inputs != y.inputs || x.outputs != y.outputs) d.push_back(p + "model inputs/outputs differ");
    int unused = x.first_unused < 0 ? 0 : (int)x.tensors.size() - x.first_unused;
    if (unused > 1 && x.first_unused == y.first_unused && x.tensors.size() == y.tensors.size())
      notes->push_back(p + std::to_string(unused) + " tensors (" + std::to_string(x.first_unused) + " on) are used by no operator, so " +
                       "nothing places them in the graph: they are matched by their order in the export, which another Studio " +
                       "version may change; nothing reads them at run time");
    std::string arena = p + "tensor arena " + std::to_string(x.arena) + " B deployed vs " + std::to_string(y.arena) + " B new: ";
    if (base.interpreter && (x.arena <= 0 || y.arena <= 0)) {
      d.push_back(p + "the tensor arena of the " + (x.arena <= 0 ? "deployed" : "new") +
                  " model is missing or not a plain number, so eiota cannot tell whether the new model fits the interpreter's arena");
    } else if (x.arena == y.arena) {
    } else if (base.interpreter && y.arena > x.arena) {
      d.push_back(arena + "the new model needs a larger arena than the deployed firmware allocates");
    } else if (base.interpreter) {
      notes->push_back(arena + "the new model fits the deployed arena");
    } else {  // the EON compiler of another Studio version may plan the same graph differently
      notes->push_back(arena + "the deployed EON code keeps its own plan, which the values do not depend on");
    }
  }
  // K-means arrays of a 2025-26 Studio carry the project and impulse ids: compared without them.
  std::map<std::string, std::string> base_anomaly, next_anomaly;
  for (const auto& [k, v] : base.anomaly) base_anomaly[without_kmeans_suffix(k)] = v;
  for (const auto& [k, v] : next.anomaly) next_anomaly[without_kmeans_suffix(k)] = v;
  auto kind = [](const std::string& k) { return k.rfind("ei_dn_", 0) == 0 ? "data normalization " : "anomaly "; };
  for (const auto& [k, v] : next_anomaly)
    if (!base_anomaly.count(k))
      d.push_back(kind(k) + k + " is new (" + anomaly_shown(v, v) + "): the deployed firmware has no such values");
  for (const auto& [k, v] : base_anomaly) {
    auto it = next_anomaly.find(k);
    if (it == next_anomaly.end())
      d.push_back(kind(k) + k + " differs (" + anomaly_shown(v, v) + " vs missing): eiota replaces these values, not their number, size or axes");
    else if (!same_anomaly(v, it->second))
      d.push_back(kind(k) + k + " differs (" + anomaly_shown(v, it->second) + " vs " + anomaly_shown(it->second, v) +
                  "): eiota replaces these values, not their number, size or axes");
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return "[" + s + "]";
  };
  if (base.labels != next.labels) d.push_back("labels differ: " + list(base.labels) + " vs " + list(next.labels));
  if (base.interpreter != next.interpreter)
    d.push_back(std::string("the deployed model runs ") + (base.interpreter ? "on the TFLite interpreter" : "EON-compiled") +
                ", the new export " + (next.interpreter ? "on the TFLite interpreter" : "EON-compiled") +
                ": export with the same EON compiler setting");
  diff_impulse(base, next, d, *notes);
  for (const auto& f : base.config_fields)  // a newer SDK may add configs the deployed one never reads
    if (std::find(next.config_fields.begin(), next.config_fields.end(), f) == next.config_fields.end())
      d.push_back("result config " + f + " of the deployed library is missing in the new export " + list(next.config_fields));
  for (const auto& [k, v] : base.outside_quant) {
    auto it = next.outside_quant.find(k);
    if (it != next.outside_quant.end() && it->second != v)
      d.push_back(k + " is " + v + " deployed vs " + it->second + " new: the SDK reads it outside the model, so eiota cannot replace it yet");
  }
  return d;
}

}  // namespace eiota::host
