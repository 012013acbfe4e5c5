#include "tflite_graph.h"

#include <algorithm>
#include <stdexcept>

#include <flatbuffers/minireflect.h>

#include "tflite_subset_generated.h"

namespace eiota::host {
namespace {

// The kind and the fields of an operator's options table, e.g.
// "Conv2DOptions { padding: VALID, stride_w: 2, stride_h: 2, fused_activation_function: RELU }".
// Fields left at their schema default are absent from the flatbuffer and from this text.
std::string options_text(const tflite::Operator* op) {
  std::string kind = tflite::EnumNameBuiltinOptions(op->builtin_options_type());
  const flatbuffers::TypeTable* u = tflite::BuiltinOptionsTypeTable();
  const auto* table = static_cast<const uint8_t*>(op->builtin_options());
  for (size_t i = 0; table && i < u->num_elems; i++) {
    int64_t value = u->values ? u->values[i] : (int64_t)i;
    if (value != (int64_t)op->builtin_options_type() || u->type_codes[i].sequence_ref < 0) continue;
    flatbuffers::ToStringVisitor v(" ", false, "", false);
    flatbuffers::IterateObject(table, u->type_refs[u->type_codes[i].sequence_ref](), &v);
    kind += " " + v.s;
  }
  if (const auto* custom = op->custom_options()) kind += " custom " + hex(custom->data(), custom->size());
  return kind;
}

}  // namespace

ArchBlock tflite_graph(const std::string& bytes, const std::string& what) {
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!tflite::VerifyModelBuffer(verifier))
    throw std::runtime_error(what + ": the TFLite flatbuffer does not verify (corrupt or truncated)");
  const tflite::Model* model = tflite::GetModel(bytes.data());
  if (!model->subgraphs() || model->subgraphs()->size() == 0) throw std::runtime_error(what + ": the model has no subgraph");
  const auto* buffers = model->buffers();
  auto list = [](const flatbuffers::Vector<int32_t>* v) {
    return v ? std::vector<int>(v->begin(), v->end()) : std::vector<int>{};
  };
  ArchBlock blk;
  // Subgraphs one after the other (the main one first; others are, e.g., variable initialisers),
  // each subgraph's tensors numbered by first use, after the previous subgraph's.
  for (size_t sg = 0; sg < model->subgraphs()->size(); sg++) {
    const tflite::SubGraph* g = model->subgraphs()->Get(sg);
    if (!g->tensors() || !g->operators()) throw std::runtime_error(what + ": subgraph " + std::to_string(sg) + " has no tensors or operators");
    const auto* tensors = g->tensors();
    const int base = (int)blk.tensors.size();
    std::vector<int> canon(tensors->size(), -1), order;
    auto number = [&](int t) {
      if (t < 0) return -1;
      if ((size_t)t >= tensors->size()) throw std::runtime_error(what + ": an operator refers to tensor " + std::to_string(t) + ", which does not exist");
      if (canon[t] < 0) { canon[t] = (int)order.size(); order.push_back(t); }
      return base + canon[t];
    };
    std::vector<int> inputs, outputs;
    for (int t : list(g->inputs())) inputs.push_back(number(t));
    for (const tflite::Operator* op : *g->operators()) {
      ArchOp a;
      const auto* codes = model->operator_codes();
      if (!codes || op->opcode_index() >= codes->size()) throw std::runtime_error(what + ": operator code out of range");
      const tflite::OperatorCode* code = codes->Get(op->opcode_index());
      int builtin = std::max<int>(code->deprecated_builtin_code(), static_cast<int>(code->builtin_code()));
      const char* name = tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(builtin));
      a.kind = name && *name ? name : "OP_" + std::to_string(builtin);
      if (code->custom_code()) a.kind += ":" + code->custom_code()->str();
      a.options = options_text(op);
      for (int t : list(op->inputs())) a.inputs.push_back(number(t));
      for (int t : list(op->outputs())) a.outputs.push_back(number(t));
      blk.ops.push_back(std::move(a));
    }
    for (int t : list(g->outputs())) outputs.push_back(number(t));
    if (sg == 0 && model->subgraphs()->size() == 1) blk.first_unused = (int)order.size();
    for (size_t t = 0; t < tensors->size(); t++) number((int)t);
    if (sg == 0) {
      blk.inputs = inputs;
      blk.outputs = outputs;
    }
    for (int t : order) {
      const tflite::Tensor* ts = tensors->Get(t);
      ArchTensor a;
      a.dtype = tflite::EnumNameTensorType(ts->type());
      a.dims = list(ts->shape());
      a.export_index = t;
      const tflite::Buffer* b = buffers && ts->buffer() < buffers->size() ? buffers->Get(ts->buffer()) : nullptr;
      a.constant = b && b->data() && b->data()->size() > 0;
      a.bytes = a.constant ? b->data()->size() : 0;
      if (const auto* q = ts->quantization()) {
        a.nscale = q->scale() ? q->scale()->size() : 0;
        a.nzero = q->zero_point() ? q->zero_point()->size() : 0;
        a.qdim = q->quantized_dimension();
      }
      bool fixed = a.constant && a.nscale == 0 && (ts->type() == tflite::TensorType::INT32 || ts->type() == tflite::TensorType::INT64);
      if (fixed) a.fixed_hex = hex(b->data()->data(), b->data()->size());
      blk.tensors.push_back(std::move(a));
    }
  }
  return blk;
}

}  // namespace eiota::host
