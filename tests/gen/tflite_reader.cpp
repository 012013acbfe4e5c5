#include "tflite_reader.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "tflite_subset_generated.h"

namespace fixturegen {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

DType convert_type(tflite::TensorType t, const std::string& path, size_t index) {
  switch (t) {
    case tflite::TensorType::FLOAT32: return DType::Float32;
    case tflite::TensorType::INT32: return DType::Int32;
    case tflite::TensorType::UINT8: return DType::UInt8;
    case tflite::TensorType::INT64: return DType::Int64;
    case tflite::TensorType::BOOL: return DType::Bool;
    case tflite::TensorType::INT16: return DType::Int16;
    case tflite::TensorType::INT8: return DType::Int8;
    case tflite::TensorType::FLOAT64: return DType::Float64;
    case tflite::TensorType::UINT64: return DType::UInt64;
    case tflite::TensorType::UINT32: return DType::UInt32;
    case tflite::TensorType::UINT16: return DType::UInt16;
    default: break;
  }
  fail(path, "tensor " + std::to_string(index) + " has type " + tflite::EnumNameTensorType(t) +
                 ", which the fixture generator does not write");
}

std::vector<int32_t> to_vector(const flatbuffers::Vector<int32_t>* v) {
  return v ? std::vector<int32_t>(v->begin(), v->end()) : std::vector<int32_t>{};
}

Tensor read_tensor(const tflite::Model& model, const tflite::Tensor& t, size_t index,
                   const std::string& path) {
  Tensor out;
  out.name = t.name() ? t.name()->str() : "";
  out.shape = to_vector(t.shape());
  for (int32_t d : out.shape)
    if (d < 0) fail(path, "tensor " + std::to_string(index) + " has a dynamic shape");
  out.type = convert_type(t.type(), path, index);
  // Field id 6 (sparsity) is a placeholder in the subset schema: its vtable
  // slot is 4 + 2 * 6.
  if (reinterpret_cast<const flatbuffers::Table*>(&t)->CheckField(16))
    fail(path, "tensor " + std::to_string(index) + " is sparse; EON exports hold dense tensors only");

  if (t.buffer() != 0) {
    const auto* buffers = model.buffers();
    if (!buffers || t.buffer() >= buffers->size())
      fail(path, "tensor " + std::to_string(index) + " refers to missing buffer " +
                     std::to_string(t.buffer()));
    const tflite::Buffer* buf = buffers->Get(t.buffer());
    if (buf->offset() > 1)
      fail(path, "buffer " + std::to_string(t.buffer()) + " is stored outside the flatbuffer");
    if (buf->data() && buf->data()->size() > 0) {
      out.data.assign(buf->data()->begin(), buf->data()->end());
      if (out.data.size() != out.byte_size())
        fail(path, "tensor " + std::to_string(index) + " (" + out.name + ") holds " +
                       std::to_string(out.data.size()) + " bytes, its shape needs " +
                       std::to_string(out.byte_size()));
    }
  }

  const tflite::QuantizationParameters* q = t.quantization();
  if (q && q->scale() && q->scale()->size() > 0) {
    Quant quant;
    quant.scale.assign(q->scale()->begin(), q->scale()->end());
    if (q->zero_point()) quant.zero_point.assign(q->zero_point()->begin(), q->zero_point()->end());
    if (quant.zero_point.empty()) quant.zero_point.assign(quant.scale.size(), 0);
    if (quant.zero_point.size() != quant.scale.size())
      fail(path, "tensor " + std::to_string(index) + " has " + std::to_string(quant.scale.size()) +
                     " scales but " + std::to_string(quant.zero_point.size()) + " zero points");
    quant.quantized_dimension = q->quantized_dimension();
    out.quant = std::move(quant);
  }
  return out;
}

void read_options(const tflite::Operator& op, OpOptions& o) {
  using BO = tflite::BuiltinOptions;
  o.has_options = op.builtin_options_type() != BO::NONE;
  if (auto* c = op.builtin_options_as_Conv2DOptions()) {
    o.padding = static_cast<Padding>(c->padding());
    o.stride_w = c->stride_w();
    o.stride_h = c->stride_h();
    o.activation = static_cast<Activation>(c->fused_activation_function());
    o.dilation_w = c->dilation_w_factor();
    o.dilation_h = c->dilation_h_factor();
  } else if (auto* d = op.builtin_options_as_DepthwiseConv2DOptions()) {
    o.padding = static_cast<Padding>(d->padding());
    o.stride_w = d->stride_w();
    o.stride_h = d->stride_h();
    o.depth_multiplier = d->depth_multiplier();
    o.activation = static_cast<Activation>(d->fused_activation_function());
    o.dilation_w = d->dilation_w_factor();
    o.dilation_h = d->dilation_h_factor();
  } else if (auto* p = op.builtin_options_as_Pool2DOptions()) {
    o.padding = static_cast<Padding>(p->padding());
    o.stride_w = p->stride_w();
    o.stride_h = p->stride_h();
    o.filter_w = p->filter_width();
    o.filter_h = p->filter_height();
    o.activation = static_cast<Activation>(p->fused_activation_function());
  } else if (auto* f = op.builtin_options_as_FullyConnectedOptions()) {
    o.activation = static_cast<Activation>(f->fused_activation_function());
    o.weights_format = static_cast<int>(f->weights_format());
    o.keep_num_dims = f->keep_num_dims();
    o.asymmetric_quantize_inputs = f->asymmetric_quantize_inputs();
  } else if (auto* s = op.builtin_options_as_SoftmaxOptions()) {
    o.beta = s->beta();
  } else if (auto* r = op.builtin_options_as_ReshapeOptions()) {
    o.new_shape = to_vector(r->new_shape());
  } else if (auto* a = op.builtin_options_as_AddOptions()) {
    o.activation = static_cast<Activation>(a->fused_activation_function());
    o.pot_scale_int16 = a->pot_scale_int16();
  } else if (auto* sb = op.builtin_options_as_SubOptions()) {
    o.activation = static_cast<Activation>(sb->fused_activation_function());
    o.pot_scale_int16 = sb->pot_scale_int16();
  } else if (auto* m = op.builtin_options_as_MulOptions()) {
    o.activation = static_cast<Activation>(m->fused_activation_function());
  } else if (auto* cc = op.builtin_options_as_ConcatenationOptions()) {
    o.axis = cc->axis();
    o.activation = static_cast<Activation>(cc->fused_activation_function());
  }
}

void check_index(int32_t i, size_t tensor_count, const std::string& path, const std::string& where) {
  if (i < -1 || i >= static_cast<int32_t>(tensor_count))
    fail(path, where + " refers to tensor " + std::to_string(i) + " of " + std::to_string(tensor_count));
}

}  // namespace

Model read_tflite(const std::vector<uint8_t>& bytes, const std::string& path) {
  if (bytes.size() < 8) fail(path, "too short to be a .tflite file");
  if (!flatbuffers::BufferHasIdentifier(bytes.data(), tflite::ModelIdentifier()))
    fail(path, "no TFL3 file identifier at bytes 4..7; not a TensorFlow Lite model");
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  if (!tflite::VerifyModelBuffer(verifier)) fail(path, "the flatbuffer does not verify (corrupt or truncated)");

  const tflite::Model& fb = *tflite::GetModel(bytes.data());
  if (!fb.subgraphs() || fb.subgraphs()->size() == 0) fail(path, "the model has no subgraph");
  if (fb.subgraphs()->size() > 1)
    fail(path, "the model has " + std::to_string(fb.subgraphs()->size()) +
                   " subgraphs; the fixture generator writes single-graph models only");
  const tflite::SubGraph& sg = *fb.subgraphs()->Get(0);
  if (!sg.tensors()) fail(path, "the subgraph has no tensors");

  Model model;
  model.source = path;
  for (size_t i = 0; i < sg.tensors()->size(); ++i)
    model.tensors.push_back(read_tensor(fb, *sg.tensors()->Get(i), i, path));
  const size_t n = model.tensors.size();

  model.inputs = to_vector(sg.inputs());
  model.outputs = to_vector(sg.outputs());
  if (model.inputs.empty() || model.outputs.empty()) fail(path, "the subgraph lacks inputs or outputs");
  for (int32_t i : model.inputs) check_index(i, n, path, "a subgraph input");
  for (int32_t i : model.outputs) check_index(i, n, path, "a subgraph output");

  if (sg.operators()) {
    for (size_t k = 0; k < sg.operators()->size(); ++k) {
      const tflite::Operator& fop = *sg.operators()->Get(k);
      if (!fb.operator_codes() || fop.opcode_index() >= fb.operator_codes()->size())
        fail(path, "operator " + std::to_string(k) + " has a bad opcode index");
      const tflite::OperatorCode& code = *fb.operator_codes()->Get(fop.opcode_index());
      Operator op;
      op.builtin_code = std::max<int>(code.deprecated_builtin_code(), static_cast<int>(code.builtin_code()));
      if (code.custom_code()) op.custom_code = code.custom_code()->str();
      op.inputs = to_vector(fop.inputs());
      op.outputs = to_vector(fop.outputs());
      for (int32_t i : op.inputs) check_index(i, n, path, "operator " + std::to_string(k));
      for (int32_t i : op.outputs) check_index(i, n, path, "operator " + std::to_string(k));
      read_options(fop, op.options);
      model.operators.push_back(std::move(op));
    }
  }
  return model;
}

Model read_tflite_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open the file");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return read_tflite(bytes, path);
}

}  // namespace fixturegen
