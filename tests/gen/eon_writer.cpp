#include "eon_writer.h"

#include <cctype>
#include <cstring>
#include <map>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "arena_planner.h"
#include "eon_runtime.h"
#include "float_format.h"

namespace fixturegen {
namespace {

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

template <typename T>
std::vector<std::string> to_strings(const std::vector<T>& v) {
  std::vector<std::string> out;
  for (const T& x : v) out.push_back(std::to_string(x));
  return out;
}

std::string element_text(const Tensor& t, size_t i) {
  const uint8_t* p = t.data.data() + i * dtype_size(t.type);
  switch (t.type) {
    case DType::Float32: { float v; std::memcpy(&v, p, 4); return format_double(v); }
    case DType::Int32: { int32_t v; std::memcpy(&v, p, 4); return std::to_string(v); }
    case DType::Int64: { int64_t v; std::memcpy(&v, p, 8); return std::to_string(v) + "LL"; }
    case DType::Int16: { int16_t v; std::memcpy(&v, p, 2); return std::to_string(v); }
    case DType::Int8: return std::to_string(static_cast<int8_t>(*p));
    case DType::UInt8: return std::to_string(*p);
    case DType::Bool: return *p ? "1" : "0";
    case DType::Float64: { double v; std::memcpy(&v, p, 8); return format_double(v); }
    case DType::UInt64: { uint64_t v; std::memcpy(&v, p, 8); return std::to_string(v) + "ULL"; }
    case DType::UInt32: { uint32_t v; std::memcpy(&v, p, 4); return std::to_string(v) + "u"; }
    case DType::UInt16: { uint16_t v; std::memcpy(&v, p, 2); return std::to_string(v); }
  }
  return "0";
}

// "[16]", "[3*208]", "[4*1*1*32]" as EON writes array sizes.
std::string size_expr(const Tensor& t) {
  if (t.shape.empty()) return "[1]";
  return "[" + join(to_strings(t.shape), "*") + "]";
}

// Initializer of a constant: one line for rank <= 1, one row per first index
// for rank 2, and for higher ranks one row per index of all but the last two
// dimensions ("/* [i][j][][] */"), the last dimension grouped.
std::string data_initializer(const Tensor& t) {
  const size_t n = t.element_count();
  const size_t rank = t.shape.size();
  std::string out = "{ ";
  if (rank <= 1) {
    for (size_t i = 0; i < n; ++i) out += element_text(t, i) + ", ";
    return out + "}";
  }
  out += "\n";
  if (rank == 2) {
    const size_t cols = t.shape[1];
    for (size_t r = 0; r < static_cast<size_t>(t.shape[0]); ++r) {
      out += "  ";
      for (size_t c = 0; c < cols; ++c) out += element_text(t, r * cols + c) + ", ";
      out += "\n";
    }
    return out + "}";
  }
  const size_t group = t.shape[rank - 1];
  const size_t row = group * t.shape[rank - 2];
  for (size_t start = 0; start < n; start += row) {
    out += "  /* ";
    size_t rest = start / row;
    std::vector<size_t> index(rank - 2);
    for (size_t d = rank - 2; d-- > 0;) {
      index[d] = rest % t.shape[d];
      rest /= t.shape[d];
    }
    for (size_t v : index) out += "[" + std::to_string(v) + "]";
    out += "[][] */ ";
    for (size_t g = 0; g < row; g += group) {
      for (size_t k = 0; k < group; ++k) out += element_text(t, start + g + k) + ",";
      out += " ";
    }
    out += "\n";
  }
  return out + "}";
}

const char* activation_enum(Activation a) {
  switch (a) {
    case Activation::Relu: return "kTfLiteActRelu";
    case Activation::ReluN1To1: return "kTfLiteActReluN1To1";
    case Activation::Relu6: return "kTfLiteActRelu6";
    case Activation::Tanh: return "kTfLiteActTanh";
    case Activation::SignBit: return "kTfLiteActSignBit";
    default: return "kTfLiteActNone";
  }
}

const char* padding_enum(Padding p) { return p == Padding::Valid ? "kTfLitePaddingValid" : "kTfLitePaddingSame"; }

// "const TfLiteConvParams opdata3 = { ... };" or "" when EON writes no
// builtin data for the op.
std::string opdata_decl(const Operator& op, size_t k) {
  const OpOptions& o = op.options;
  const std::string name = " opdata" + std::to_string(k) + " = { ";
  const std::string b = o.keep_num_dims ? "true" : "false";
  switch (op.builtin_code) {
    case op::kConv2D:
      return "const TfLiteConvParams" + name + padding_enum(o.padding) + ", " + std::to_string(o.stride_w) + "," +
             std::to_string(o.stride_h) + ", " + activation_enum(o.activation) + ", " + std::to_string(o.dilation_w) +
             "," + std::to_string(o.dilation_h) + " };";
    case op::kDepthwiseConv2D:
      return "const TfLiteDepthwiseConvParams" + name + padding_enum(o.padding) + ", " + std::to_string(o.stride_w) +
             "," + std::to_string(o.stride_h) + ", " + std::to_string(o.depth_multiplier) + ", " +
             activation_enum(o.activation) + ", " + std::to_string(o.dilation_w) + "," + std::to_string(o.dilation_h) +
             " };";
    case op::kMaxPool2D:
    case op::kAveragePool2D:
      return "const TfLitePoolParams" + name + padding_enum(o.padding) + ", " + std::to_string(o.stride_w) + "," +
             std::to_string(o.stride_h) + ", " + std::to_string(o.filter_w) + "," + std::to_string(o.filter_h) + ", " +
             activation_enum(o.activation) + ", { { 0,0, 0, 0 } } };";
    case op::kFullyConnected:
      return "const TfLiteFullyConnectedParams" + name + activation_enum(o.activation) + ", " +
             (o.weights_format ? "kTfLiteFullyConnectedWeightsFormatShuffled4x16Int8"
                               : "kTfLiteFullyConnectedWeightsFormatDefault") +
             ", " + b + ", " + (o.asymmetric_quantize_inputs ? "true" : "false") + " };";
    case op::kSoftmax:
      return "const TfLiteSoftmaxParams" + name + format_double(o.beta) + " };";
    case op::kReshape: {
      std::string dims;
      for (size_t i = 0; i < 8; ++i) dims += std::to_string(i < o.new_shape.size() ? o.new_shape[i] : 0) + ", ";
      const size_t count = o.new_shape.size() <= 8 ? o.new_shape.size() : 0;
      return "const TfLiteReshapeParams" + name + "{ " + dims + "}, " + std::to_string(count) + " };";
    }
    case op::kAdd:
      return "const TfLiteAddParams" + name + activation_enum(o.activation) + " };";
    case op::kSub:
      return "const TfLiteSubParams" + name + activation_enum(o.activation) + " };";
    case op::kMul:
      return "const TfLiteMulParams" + name + activation_enum(o.activation) + " };";
    case op::kConcatenation:
      return "const TfLiteConcatenationParams" + name + std::to_string(o.axis) + ", " + activation_enum(o.activation) +
             " };";
    default:
      return "";
  }
}

// Which declarations a tensor gets and which it borrows (2025 sharing).
struct TensorRefs {
  std::string dims;       // symbol of the dims array used
  bool own_dims = true;
  std::string quant;      // symbol of the quant struct used, "" for none
  bool own_quant = false;
  std::string zero;       // symbol of the zero-point array used
  bool own_zero = false;
};

using QuantKey = std::tuple<std::vector<uint32_t>, std::vector<int64_t>, int>;

QuantKey quant_key(const Quant& q) {
  std::vector<uint32_t> bits;
  for (float s : q.scale) {
    uint32_t b;
    std::memcpy(&b, &s, 4);
    bits.push_back(b);
  }
  return {bits, q.zero_point, q.quantized_dimension};
}

std::vector<TensorRefs> resolve_refs(const Model& m, bool share) {
  std::map<std::vector<int32_t>, std::string> dims_seen;
  std::map<QuantKey, std::string> quant_seen;
  std::map<std::vector<int64_t>, std::string> zero_seen;
  std::vector<TensorRefs> refs(m.tensors.size());
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    const Tensor& t = m.tensors[i];
    const std::string n = std::to_string(i);
    TensorRefs& r = refs[i];
    r.dims = "tensor_dimension" + n;
    if (share) {
      auto [it, inserted] = dims_seen.emplace(t.shape, r.dims);
      r.own_dims = inserted;
      r.dims = it->second;
    }
    if (!t.quant) continue;
    r.quant = "quant" + n;
    r.own_quant = true;
    r.zero = "quant" + n + "_zero";
    r.own_zero = true;
    if (!share) continue;
    auto [q, q_new] = quant_seen.emplace(quant_key(*t.quant), r.quant);
    if (!q_new) {
      r.quant = q->second;
      r.own_quant = false;
      r.own_zero = false;
      r.zero.clear();
      continue;
    }
    auto [z, z_new] = zero_seen.emplace(t.quant->zero_point, r.zero);
    r.own_zero = z_new;
    r.zero = z->second;
  }
  return refs;
}

struct Context {
  const Model& m;
  Era era;
  std::string symbol;
  ArenaPlan plan;
  std::vector<TensorRefs> refs;
  std::vector<std::string> op_keys;  // distinct, in order of first use
  std::string ns;                    // "" or "g0::"
  bool quant_field = true;           // tensorData entries carry a quantization field
};

// Whether any tensor of the model is quantized. 2021 exports drop the
// quantization member of TensorInfo_t for models without one.
bool has_quantized_tensor(const Model& m) {
  for (const Tensor& t : m.tensors)
    if (t.quant) return true;
  return false;
}

void write_tensor_decls(std::string& out, const Context& c, size_t i) {
  const Tensor& t = c.m.tensors[i];
  const TensorRefs& r = c.refs[i];
  const std::string n = std::to_string(i);
  if (t.is_constant()) {
    const char* align = c.era != Era::E2021 && t.byte_size() >= 16 ? "ALIGN(16)" : "ALIGN(8)";
    out += std::string("const ") + (c.era >= Era::E2025 ? "MODEL_SECTION(EI_MODEL_SECTION) " : "") + align + " " +
           dtype_c_name(t.type) + " tensor_data" + n + size_expr(t) + " = " + data_initializer(t) + ";\n";
  }
  if (r.own_dims) {
    out += "const TfArray<" + std::to_string(t.shape.size()) + ", int> tensor_dimension" + n + " = { " +
           std::to_string(t.shape.size()) + ", { " + join(to_strings(t.shape), ",") + " } };\n";
  }
  if (!r.own_quant) return;
  const Quant& q = *t.quant;
  const std::string count = std::to_string(q.scale.size());
  std::string scales;
  for (float s : q.scale) scales += format_double(s) + ", ";
  out += "const TfArray<" + count + ", float> quant" + n + "_scale = { " + count + ", { " + scales + "} };\n";
  if (r.own_zero) {
    out += "const TfArray<" + std::to_string(q.zero_point.size()) + ", int> quant" + n + "_zero = { " +
           std::to_string(q.zero_point.size()) + ", { " + join(to_strings(q.zero_point), ",") + " } };\n";
  }
  const std::string zero_ref = r.own_zero ? r.zero : c.ns + r.zero;
  out += "const TfLiteAffineQuantization quant" + n + " = { (TfLiteFloatArray*)&quant" + n +
         "_scale, (TfLiteIntArray*)&" + zero_ref + ", " + std::to_string(q.quantized_dimension) + " };\n";
}

void write_op_decls(std::string& out, const Context& c) {
  for (size_t k = 0; k < c.m.operators.size(); ++k) {
    const Operator& op = c.m.operators[k];
    const std::string decl = opdata_decl(op, k);
    if (!decl.empty()) out += decl + "\n";
    const std::string n = std::to_string(k);
    out += "const TfArray<" + std::to_string(op.inputs.size()) + ", int> inputs" + n + " = { " +
           std::to_string(op.inputs.size()) + ", { " + join(to_strings(op.inputs), ",") + " } };\n";
    out += "const TfArray<" + std::to_string(op.outputs.size()) + ", int> outputs" + n + " = { " +
           std::to_string(op.outputs.size()) + ", { " + join(to_strings(op.outputs), ",") + " } };\n";
  }
}

std::string tensor_info_entry(const Context& c, size_t i) {
  const Tensor& t = c.m.tensors[i];
  const TensorRefs& r = c.refs[i];
  const bool old = c.era == Era::E2023 || c.era == Era::E2021;
  const std::string n = std::to_string(i);
  std::string data;
  if (t.is_constant())
    data = old ? "(void*)tensor_data" + n : "(int32_t*)" + c.ns + "tensor_data" + n;
  else
    data = old ? "tensor_arena + " + std::to_string(c.plan.offset[i])
               : "(int32_t*)(tensor_arena + " + std::to_string(c.plan.offset[i]) + ")";
  std::string quant = "{kTfLiteNoQuantization, nullptr}, ";
  if (!r.quant.empty())
    quant = "{kTfLiteAffineQuantization, const_cast<void*>(static_cast<const void*>(&" + c.ns + r.quant + "))}, ";
  if (!c.quant_field) quant.clear();
  return std::string(old ? "  " : "") + "{ " + (t.is_constant() ? "kTfLiteMmapRo" : "kTfLiteArenaRw") + ", " +
         dtype_tflite_enum(t.type) + ", " + data + ", (TfLiteIntArray*)&" + c.ns + r.dims + ", " +
         std::to_string(t.byte_size()) + ", " + quant + "},\n";
}

std::string builtin_data_ref(const Context& c, size_t k) {
  if (opdata_decl(c.m.operators[k], k).empty()) return "nullptr";
  return "const_cast<void*>(static_cast<const void*>(&" + c.ns + "opdata" + std::to_string(k) + "))";
}

void write_tables_2023(std::string& out, const Context& c) {
  out += "const TensorInfo_t tensorData[] = {\n";
  for (size_t i = 0; i < c.m.tensors.size(); ++i) out += tensor_info_entry(c, i);
  out += "};";  // EON 2023 starts the node table on the same line
  out += "const NodeInfo_t nodeData[] = {\n";
  for (size_t k = 0; k < c.m.operators.size(); ++k) {
    const std::string n = std::to_string(k);
    out += "  { (TfLiteIntArray*)&inputs" + n + ", (TfLiteIntArray*)&outputs" + n + ", " + builtin_data_ref(c, k) +
           ", OP_" + op_key(c.m.operators[k]) + ", },\n";
  }
  out += "};\n";
}

void write_tables_2024(std::string& out, const Context& c) {
  const size_t ops = c.m.operators.size();
  out += "\nTensorInfo_t tensorData[] = {\n";
  for (size_t i = 0; i < c.m.tensors.size(); ++i) out += tensor_info_entry(c, i);
  out += "};\n\n";
  for (int static_memory = 0; static_memory < 2; ++static_memory) {
    out += static_memory ? "#else\n" : "#ifndef TF_LITE_STATIC_MEMORY\n";
    out += "TfLiteNode tflNodes[" + std::to_string(ops) + "] = {\n";
    for (size_t k = 0; k < ops; ++k) {
      const std::string n = std::to_string(k);
      out += "{ (TfLiteIntArray*)&g0::inputs" + n + ", (TfLiteIntArray*)&g0::outputs" + n +
             ", (TfLiteIntArray*)&g0::inputs" + n + ", nullptr, " + (static_memory ? "" : "nullptr, ") +
             builtin_data_ref(c, k) + ", nullptr, 0, },\n";
    }
    out += "};\n";
  }
  out += "#endif\n\nused_operators_e used_ops[] =\n{";
  for (const Operator& op : c.m.operators) out += "OP_" + op_key(op) + ", ";
  out += "};\n\n\n";
  out += "// Indices into tflTensors and tflNodes for subgraphs\n";
  out += "const size_t tflTensors_subgraph_index[] = {0, " + std::to_string(c.m.tensors.size()) + ", };\n";
  out += "const size_t tflNodes_subgraph_index[] = {0, " + std::to_string(ops) + ", };\n\n";
  out += "// Input/output tensors\n";
  out += "static const int in_tensor_indices[] = {\n";
  for (int32_t i : c.m.inputs) out += "  " + std::to_string(i) + ", \n";
  out += "};\n\nstatic const int out_tensor_indices[] = {\n";
  for (int32_t i : c.m.outputs) out += "  " + std::to_string(i) + ", \n";
  out += "};\n\n\nsize_t current_subgraph_index = 0;\n";
}

std::string header_comment(Era era, const std::string& generated_on) {
  const char* year = era == Era::E2021 ? "2021"
                     : era == Era::E2023 ? "2023"
                     : era == Era::E2024 ? "2024"
                                         : "2025";
  return std::string("/* Generated by eiota-fixture-gen. This is a test fixture, not an Edge Impulse\n") +
         " * export: it has the declaration shapes of an EON-compiled model file as Edge\n" +
         " * Impulse wrote them in " + year + ", with weights from a test model. */\n" +
         "// Generated on: " + generated_on + "\n";
}

std::string write_header(const std::string& symbol, const Model& m, Era era, const std::string& generated_on) {
  std::string h = header_comment(era, generated_on);
  h += "\n#ifndef " + symbol + "_GEN_H\n#define " + symbol + "_GEN_H\n\n";
  h += "#include \"edge-impulse-sdk/tensorflow/lite/c/common.h\"\n\n";
  h += "// Allocates the arena (heap builds), binds the tensors and prepares every node.\n";
  h += "TfLiteStatus " + symbol + "_init( void*(*alloc_fnc)(size_t,size_t) );\n";
  if (era == Era::E2021) {
    h += "// Returns input tensor `index`.\n";
    h += "TfLiteTensor *" + symbol + "_input(int index);\n";
    h += "// Returns output tensor `index`.\n";
    h += "TfLiteTensor *" + symbol + "_output(int index);\n";
  } else {
    h += "// Fills `tensor` with input tensor `index`.\n";
    h += "TfLiteStatus " + symbol + "_input(int index, TfLiteTensor* tensor);\n";
    h += "// Fills `tensor` with output tensor `index`.\n";
    h += "TfLiteStatus " + symbol + "_output(int index, TfLiteTensor* tensor);\n";
  }
  h += "// Runs every node once.\n";
  h += "TfLiteStatus " + symbol + "_invoke();\n";
  h += "// Releases what init allocated.\n";
  h += "TfLiteStatus " + symbol + "_reset( void (*free)(void* ptr) );\n\n\n";
  h += "// Number of input tensors.\ninline size_t " + symbol + "_inputs() {\n  return " +
       std::to_string(m.inputs.size()) + ";\n}\n";
  h += "// Number of output tensors.\ninline size_t " + symbol + "_outputs() {\n  return " +
       std::to_string(m.outputs.size()) + ";\n}\n\n#endif\n";
  return h;
}

}  // namespace

std::string op_key(const Operator& op) {
  if (op.builtin_code == op::kCustom) {
    std::string key = "CUSTOM_";
    for (char ch : op.custom_code) key += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    return key;
  }
  const std::string name = builtin_name(op.builtin_code);
  return name.rfind("OP_", 0) == 0 ? "BUILTIN_" + std::to_string(op.builtin_code) : name;
}

EonFiles write_eon(const Model& model, Era era, const std::string& symbol, const std::string& generated_on) {
  if (model.operators.empty()) throw std::runtime_error(model.source + ": the model has no operators");
  const bool no_namespace = era == Era::E2021 || era == Era::E2023;
  Context c{model, era, symbol, plan_arena(model), resolve_refs(model, era >= Era::E2025), {},
            no_namespace ? "" : "g0::", era != Era::E2021 || has_quantized_tensor(model)};
  for (const Operator& op : model.operators) {
    const std::string key = op_key(op);
    bool known = false;
    for (const auto& k : c.op_keys) known = known || k == key;
    if (!known) c.op_keys.push_back(key);
  }

  RuntimeInfo rt;
  rt.era = era;
  rt.symbol = symbol;
  rt.arena_size = c.plan.size;
  rt.tensor_count = model.tensors.size();
  rt.node_count = model.operators.size();
  rt.op_keys = c.op_keys;
  rt.quant_field = c.quant_field;
  rt.inputs = model.inputs;
  rt.outputs = model.outputs;

  std::string decls;
  if (!no_namespace) decls += "namespace g0 {\n";
  for (size_t i = 0; i < model.tensors.size(); ++i) write_tensor_decls(decls, c, i);
  write_op_decls(decls, c);
  if (!no_namespace) decls += "};\n";
  if (no_namespace)
    write_tables_2023(decls, c);
  else
    write_tables_2024(decls, c);

  EonFiles files;
  files.arena_size = c.plan.size;
  files.cpp = header_comment(era, generated_on) + runtime_prologue(rt) + decls + runtime_epilogue(rt);
  files.h = write_header(symbol, model, era, generated_on);
  return files;
}

}  // namespace fixturegen
