#include "tflite_writer.h"

#include <algorithm>
#include <stdexcept>

#include "tflite_subset_generated.h"

namespace fixturegen {
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

tflite::ActivationFunctionType act(Activation a) { return static_cast<tflite::ActivationFunctionType>(a); }
tflite::Padding pad(Padding p) { return static_cast<tflite::Padding>(p); }

// The options table the TFLite converter writes for `o`'s operator.
std::pair<tflite::BuiltinOptions, Offset<void>> options(FlatBufferBuilder& b, const Operator& o) {
  const OpOptions& x = o.options;
  using BO = tflite::BuiltinOptions;
  switch (o.builtin_code) {
    case op::kConv2D:
      return {BO::Conv2DOptions, tflite::CreateConv2DOptions(b, pad(x.padding), x.stride_w, x.stride_h, act(x.activation),
                                                             x.dilation_w, x.dilation_h).Union()};
    case op::kDepthwiseConv2D:
      return {BO::DepthwiseConv2DOptions,
              tflite::CreateDepthwiseConv2DOptions(b, pad(x.padding), x.stride_w, x.stride_h, x.depth_multiplier,
                                                   act(x.activation), x.dilation_w, x.dilation_h).Union()};
    case op::kMaxPool2D:
    case op::kAveragePool2D:
      return {BO::Pool2DOptions, tflite::CreatePool2DOptions(b, pad(x.padding), x.stride_w, x.stride_h, x.filter_w,
                                                             x.filter_h, act(x.activation)).Union()};
    case op::kFullyConnected:
      return {BO::FullyConnectedOptions,
              tflite::CreateFullyConnectedOptions(b, act(x.activation),
                                                  static_cast<tflite::FullyConnectedOptionsWeightsFormat>(x.weights_format),
                                                  x.keep_num_dims, x.asymmetric_quantize_inputs).Union()};
    case op::kSoftmax: return {BO::SoftmaxOptions, tflite::CreateSoftmaxOptions(b, x.beta).Union()};
    case op::kReshape:
      return {BO::ReshapeOptions, tflite::CreateReshapeOptions(b, x.new_shape.empty() ? 0 : b.CreateVector(x.new_shape)).Union()};
    case op::kAdd: return {BO::AddOptions, tflite::CreateAddOptions(b, act(x.activation), x.pot_scale_int16).Union()};
    case op::kSub: return {BO::SubOptions, tflite::CreateSubOptions(b, act(x.activation), x.pot_scale_int16).Union()};
    case op::kMul: return {BO::MulOptions, tflite::CreateMulOptions(b, act(x.activation)).Union()};
    case op::kConcatenation:
      return {BO::ConcatenationOptions, tflite::CreateConcatenationOptions(b, x.axis, act(x.activation)).Union()};
    case op::kQuantize: return {BO::QuantizeOptions, tflite::CreateQuantizeOptions(b).Union()};
    case op::kDequantize: return {BO::DequantizeOptions, tflite::CreateDequantizeOptions(b).Union()};
    default: return {BO::NONE, 0};
  }
}

}  // namespace

std::vector<uint8_t> write_tflite(const Model& m) {
  FlatBufferBuilder b;
  std::vector<Offset<tflite::Buffer>> buffers = {tflite::CreateBuffer(b)};
  std::vector<Offset<tflite::Tensor>> tensors;
  for (const Tensor& t : m.tensors) {
    uint32_t buffer = 0;
    if (t.is_constant()) {
      buffer = static_cast<uint32_t>(buffers.size());
      buffers.push_back(tflite::CreateBufferDirect(b, &t.data));
    }
    Offset<tflite::QuantizationParameters> q = 0;
    if (t.quant) {
      q = tflite::CreateQuantizationParameters(b, 0, 0, b.CreateVector(t.quant->scale), b.CreateVector(t.quant->zero_point),
                                               tflite::QuantizationDetails::NONE, 0, t.quant->quantized_dimension);
    }
    tensors.push_back(tflite::CreateTensorDirect(b, &t.shape, static_cast<tflite::TensorType>(t.type), buffer,
                                                 t.name.c_str(), q));
  }
  // Operator codes as (builtin, custom) pairs in order of first use.
  std::vector<std::pair<int, std::string>> codes;
  std::vector<Offset<tflite::Operator>> ops;
  for (const Operator& o : m.operators) {
    const std::pair<int, std::string> key = {o.builtin_code, o.custom_code};
    auto it = std::find(codes.begin(), codes.end(), key);
    if (it == codes.end()) it = codes.insert(codes.end(), key);
    auto [type, table] = options(b, o);
    ops.push_back(tflite::CreateOperatorDirect(b, static_cast<uint32_t>(it - codes.begin()), &o.inputs, &o.outputs, type, table));
  }
  std::vector<Offset<tflite::OperatorCode>> code_tables;
  for (const auto& [builtin, custom] : codes)
    code_tables.push_back(tflite::CreateOperatorCodeDirect(b, static_cast<int8_t>(std::min(builtin, 127)),
                                                           custom.empty() ? nullptr : custom.c_str(), 1,
                                                           static_cast<tflite::BuiltinOperator>(builtin)));
  std::vector<Offset<tflite::SubGraph>> subgraphs = {
      tflite::CreateSubGraphDirect(b, &tensors, &m.inputs, &m.outputs, &ops, "main")};
  b.Finish(tflite::CreateModelDirect(b, 3, &code_tables, &subgraphs, "eiota-fixture-gen", &buffers), tflite::ModelIdentifier());
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

}  // namespace fixturegen
