#include "synthetic_models.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "float_reference.h"
#include "rng.h"

namespace fixturegen {
namespace {

class Builder {
 public:
  explicit Builder(const std::string& source) { m_.source = source; }

  int activation(const std::string& name, std::vector<int32_t> shape) {
    Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    return add(std::move(t));
  }
  int random_floats(const std::string& name, std::vector<int32_t> shape, Rng& rng, double limit) {
    Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    std::vector<float> v(t.element_count());
    for (float& x : v) x = static_cast<float>(rng.uniform(-limit, limit));
    set_tensor_floats(t, v);
    return add(std::move(t));
  }
  int int32_constant(const std::string& name, const std::vector<int32_t>& values) {
    Tensor t;
    t.name = name;
    t.type = DType::Int32;
    t.shape = {static_cast<int32_t>(values.size())};
    t.data.resize(values.size() * 4);
    std::memcpy(t.data.data(), values.data(), t.data.size());
    return add(std::move(t));
  }
  void op(int code, std::vector<int32_t> inputs, int output, OpOptions options = {}) {
    Operator o;
    o.builtin_code = code;
    o.inputs = std::move(inputs);
    o.outputs = {output};
    o.options = std::move(options);
    o.options.has_options = true;
    m_.operators.push_back(std::move(o));
  }
  Model finish(int input, int output) {
    m_.inputs = {input};
    m_.outputs = {output};
    return std::move(m_);
  }

 private:
  int add(Tensor t) {
    m_.tensors.push_back(std::move(t));
    return static_cast<int>(m_.tensors.size() - 1);
  }
  Model m_;
};

OpOptions with_activation(Activation a) {
  OpOptions o;
  o.activation = a;
  return o;
}

// Dense in -> h1 (ReLU) -> h2 (ReLU) -> 4, softmax; fc-int8 and fc-float are 8 -> 16 -> 16.
Model fc_float(const std::string& source, int in = 8, int h1n = 16, int h2n = 16) {
  Rng rng(0x5EED0001u);
  Builder b(source);
  // Weight limits keep the activations' spread as the layers widen.
  const double k1 = 0.8 * std::sqrt(8.0 / in), k2 = 0.6 * std::sqrt(16.0 / h1n), k3 = 0.9 * std::sqrt(16.0 / h2n);
  const int input = b.activation("serving_default_input:0", {1, in});
  const int w1 = b.random_floats("sequential/dense/MatMul", {h1n, in}, rng, k1);
  const int b1 = b.random_floats("sequential/dense/BiasAdd/ReadVariableOp", {h1n}, rng, 0.2);
  const int w2 = b.random_floats("sequential/dense_1/MatMul", {h2n, h1n}, rng, k2);
  const int b2 = b.random_floats("sequential/dense_1/BiasAdd/ReadVariableOp", {h2n}, rng, 0.2);
  const int w3 = b.random_floats("sequential/y_pred/MatMul", {4, h2n}, rng, k3);
  const int b3 = b.random_floats("sequential/y_pred/BiasAdd/ReadVariableOp", {4}, rng, 0.3);
  const int h1 = b.activation("sequential/dense/Relu", {1, h1n});
  const int h2 = b.activation("sequential/dense_1/Relu", {1, h2n});
  const int logits = b.activation("sequential/y_pred/BiasAdd", {1, 4});
  const int probs = b.activation("StatefulPartitionedCall:0", {1, 4});
  b.op(op::kFullyConnected, {input, w1, b1}, h1, with_activation(Activation::Relu));
  b.op(op::kFullyConnected, {h1, w2, b2}, h2, with_activation(Activation::Relu));
  b.op(op::kFullyConnected, {h2, w3, b3}, logits);
  b.op(op::kSoftmax, {logits}, probs);
  return b.finish(input, probs);
}

Model conv_float(const std::string& source) {
  Rng rng(0x5EED0002u);
  Builder b(source);
  const int input = b.activation("serving_default_image:0", {1, 8, 8, 1});
  const int shape = b.int32_constant("sequential/flatten/Const", {1, 64});
  const int filter = b.random_floats("sequential/conv2d/Conv2D", {4, 3, 3, 1}, rng, 0.9);
  const int bias = b.random_floats("sequential/conv2d/BiasAdd/ReadVariableOp", {4}, rng, 0.2);
  const int fc_w = b.random_floats("sequential/y_pred/MatMul", {3, 64}, rng, 0.4);
  const int fc_b = b.random_floats("sequential/y_pred/BiasAdd/ReadVariableOp", {3}, rng, 0.2);
  const int conv_out = b.activation("sequential/conv2d/Relu", {1, 8, 8, 4});
  const int pool_out = b.activation("sequential/max_pooling2d/MaxPool", {1, 4, 4, 4});
  const int flat = b.activation("sequential/flatten/Reshape", {1, 64});
  const int logits = b.activation("sequential/y_pred/BiasAdd", {1, 3});
  const int probs = b.activation("StatefulPartitionedCall:0", {1, 3});
  OpOptions conv = with_activation(Activation::Relu);
  conv.padding = Padding::Same;
  b.op(op::kConv2D, {input, filter, bias}, conv_out, conv);
  OpOptions pool;
  pool.padding = Padding::Valid;
  pool.stride_w = pool.stride_h = 2;
  pool.filter_w = pool.filter_h = 2;
  b.op(op::kMaxPool2D, {conv_out}, pool_out, pool);
  OpOptions reshape;
  reshape.new_shape = {1, 64};
  b.op(op::kReshape, {pool_out, shape}, flat, reshape);
  b.op(op::kFullyConnected, {flat, fc_w, fc_b}, logits);
  b.op(op::kSoftmax, {logits}, probs);
  return b.finish(input, probs);
}

// fc-mixed before quantization: dense 8 -> 16 (ReLU), QUANTIZE to int16,
// dense 16 -> 4, plus a per-class offset, DEQUANTIZE to float32.
Model fc_mixed_float(const std::string& source) {
  Rng rng(0x5EED0003u);
  Builder b(source);
  const int input = b.activation("serving_default_input:0", {1, 8});
  const int w1 = b.random_floats("sequential/dense/MatMul", {16, 8}, rng, 0.8);
  const int b1 = b.random_floats("sequential/dense/BiasAdd/ReadVariableOp", {16}, rng, 0.2);
  const int w2 = b.random_floats("sequential/y_pred/MatMul", {4, 16}, rng, 0.9);
  const int b2 = b.random_floats("sequential/y_pred/BiasAdd/ReadVariableOp", {4}, rng, 0.3);
  const int offset = b.random_floats("sequential/class_offset/add/y", {4}, rng, 0.5);
  const int h1 = b.activation("sequential/dense/Relu", {1, 16});
  const int h1_int16 = b.activation("sequential/dense/Relu_int16", {1, 16});
  const int logits = b.activation("sequential/y_pred/BiasAdd", {1, 4});
  const int shifted = b.activation("sequential/class_offset/add", {1, 4});
  const int out = b.activation("StatefulPartitionedCall:0", {1, 4});
  b.op(op::kFullyConnected, {input, w1, b1}, h1, with_activation(Activation::Relu));
  b.op(op::kQuantize, {h1}, h1_int16);
  b.op(op::kFullyConnected, {h1_int16, w2, b2}, logits);
  OpOptions add;
  add.pot_scale_int16 = false;  // general int16 scales, as the converter writes for 16x8 models
  b.op(op::kAdd, {logits, offset}, shifted, add);
  b.op(op::kDequantize, {shifted}, out);
  return b.finish(input, out);
}

// --- quantization, the way the TFLite converter does it -------------------

struct Range {
  float lo = 0, hi = 0;
};

Quant asymmetric(Range r) {
  float lo = std::min(r.lo, 0.0f), hi = std::max(r.hi, 0.0f);
  if (hi - lo < 1e-6f) hi = lo + 1e-6f;
  Quant q;
  const float scale = (hi - lo) / 255.0f;
  q.scale = {scale};
  q.zero_point = {std::clamp<int64_t>(std::lround(-128.0 - lo / scale), -128, 127)};
  return q;
}

// Symmetric int8 weights; one scale per slice along `channel_dim` when
// per_channel, else one scale for the whole tensor.
void quantize_weights(Tensor& t, bool per_channel, int channel_dim) {
  const std::vector<float> v = tensor_floats(t);
  const size_t channels = per_channel ? static_cast<size_t>(t.shape[channel_dim]) : 1;
  size_t inner = 1;
  for (size_t d = channel_dim + 1; d < t.shape.size(); ++d) inner *= t.shape[d];
  auto channel_of = [&](size_t i) { return per_channel ? (i / inner) % channels : 0; };
  std::vector<float> max_abs(channels, 0.0f);
  for (size_t i = 0; i < v.size(); ++i) max_abs[channel_of(i)] = std::max(max_abs[channel_of(i)], std::fabs(v[i]));
  Quant q;
  q.quantized_dimension = per_channel ? channel_dim : 0;
  for (float m : max_abs) q.scale.push_back(m > 0 ? m / 127.0f : 1e-6f);
  q.zero_point.assign(channels, 0);
  t.type = DType::Int8;
  t.data.resize(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    t.data[i] = static_cast<uint8_t>(static_cast<int8_t>(std::clamp<long>(std::lround(v[i] / q.scale[channel_of(i)]), -127, 127)));
  t.quant = std::move(q);
}

// `type` is Int32, or Int64 for the biases of int16 x int8 layers.
void quantize_bias(Tensor& t, float input_scale, const Quant& weights, DType type = DType::Int32) {
  const std::vector<float> v = tensor_floats(t);
  Quant q;
  // One scale per output channel for per-channel weights, else one in all.
  for (size_t c = 0; c < (weights.scale.size() == 1 ? 1 : v.size()); ++c)
    q.scale.push_back(input_scale * weights.scale[weights.scale.size() == 1 ? 0 : c]);
  q.zero_point.assign(q.scale.size(), 0);
  t.type = type;
  t.data.resize(v.size() * dtype_size(type));
  for (size_t c = 0; c < v.size(); ++c) {
    const int64_t x = std::llround(v[c] / q.scale[q.scale.size() == 1 ? 0 : c]);
    if (type == DType::Int64) {
      std::memcpy(&t.data[c * 8], &x, 8);
    } else {
      const int32_t x32 = static_cast<int32_t>(x);
      std::memcpy(&t.data[c * 4], &x32, 4);
    }
  }
  t.quant = std::move(q);
}

Model quantize(const Model& f, Rng& rng, bool per_channel_conv) {
  // Calibrate activation ranges on random inputs in [-1, 1].
  std::vector<Range> ranges(f.tensors.size());
  std::vector<bool> seen(f.tensors.size(), false);
  for (int run = 0; run < 64; ++run) {
    std::vector<float> x(f.tensors[f.inputs[0]].element_count());
    for (float& e : x) e = static_cast<float>(rng.uniform(-1.0, 1.0));
    const auto values = run_float(f, x);
    for (size_t i = 0; i < values.size(); ++i) {
      if (f.tensors[i].is_constant() || values[i].empty()) continue;
      auto [lo, hi] = std::minmax_element(values[i].begin(), values[i].end());
      if (!seen[i]) ranges[i] = {*lo, *hi};
      ranges[i].lo = std::min(ranges[i].lo, *lo);
      ranges[i].hi = std::max(ranges[i].hi, *hi);
      seen[i] = true;
    }
  }

  Model q = f;
  for (size_t i = 0; i < q.tensors.size(); ++i) {
    Tensor& t = q.tensors[i];
    if (t.is_constant()) continue;
    t.type = DType::Int8;
    t.quant = asymmetric(ranges[i]);
  }
  for (const Operator& op : q.operators) {
    Tensor& out = q.tensors[op.outputs[0]];
    switch (op.builtin_code) {
      case op::kReshape:
      case op::kMaxPool2D:
        out.quant = q.tensors[op.inputs[0]].quant;  // these ops keep the quantization
        break;
      case op::kSoftmax:
        out.quant = Quant{{1.0f / 256.0f}, {-128}, 0};
        break;
      case op::kFullyConnected:
      case op::kConv2D:
      case op::kDepthwiseConv2D: {
        const bool per_channel = per_channel_conv && op.builtin_code != op::kFullyConnected;
        Tensor& w = q.tensors[op.inputs[1]];
        quantize_weights(w, per_channel, op.builtin_code == op::kDepthwiseConv2D ? 3 : 0);
        if (op.inputs.size() > 2 && op.inputs[2] >= 0)
          quantize_bias(q.tensors[op.inputs[2]], q.tensors[op.inputs[0]].quant->scale[0], *w.quant);
        break;
      }
      default: break;
    }
  }
  return q;
}

// int8 -> uint8 is exact: the same reals with data and zero points moved up by 128.
void to_uint8(Tensor& t) {
  t.type = DType::UInt8;
  for (uint8_t& x : t.data) x = static_cast<uint8_t>(static_cast<int8_t>(x) + 128);
  for (int64_t& z : t.quant->zero_point) z += 128;
}

// An int8 activation as int16 over the same real range, symmetric with zero
// point 0 as 16x8 quantization has it.
void to_int16_activation(Tensor& t) {
  const double scale = t.quant->scale[0], zero = static_cast<double>(t.quant->zero_point[0]);
  const double max_abs = std::max(std::fabs(scale * (-128 - zero)), std::fabs(scale * (127 - zero)));
  t.type = DType::Int16;
  t.quant = Quant{{static_cast<float>(max_abs / 32767)}, {0}, 0};
}

// A float constant as symmetric int16.
void quantize_int16_constant(Tensor& t) {
  const std::vector<float> v = tensor_floats(t);
  float max_abs = 0;
  for (float x : v) max_abs = std::max(max_abs, std::fabs(x));
  const float scale = max_abs > 0 ? max_abs / 32767.0f : 1e-6f;
  t.type = DType::Int16;
  t.data.resize(v.size() * 2);
  for (size_t i = 0; i < v.size(); ++i) {
    const int16_t x = static_cast<int16_t>(std::clamp<long>(std::lround(v[i] / scale), -32767, 32767));
    std::memcpy(&t.data[i * 2], &x, 2);
  }
  t.quant = Quant{{scale}, {0}, 0};
}

// The int8 model of fc_mixed_float, converted: uint8 input and first layer
// (legacy uint8 quantization, weights around 128), int16 activations after
// the QUANTIZE, an int64 bias, an int16 offset and a float32 output.
Model fc_mixed(const Model& f, Rng& calibration) {
  Model m = quantize(f, calibration, false);
  const Operator &fc1 = m.operators[0], &fc2 = m.operators[2], &add = m.operators[3], &dequantize = m.operators[4];
  for (int i : {fc1.inputs[0], fc1.inputs[1], fc1.outputs[0]}) to_uint8(m.tensors[i]);
  for (int i : {fc2.inputs[0], fc2.outputs[0], add.outputs[0]}) to_int16_activation(m.tensors[i]);
  Tensor& bias = m.tensors[fc2.inputs[2]];
  bias = f.tensors[fc2.inputs[2]];
  quantize_bias(bias, m.tensors[fc2.inputs[0]].quant->scale[0], *m.tensors[fc2.inputs[1]].quant, DType::Int64);
  quantize_int16_constant(m.tensors[add.inputs[1]]);
  Tensor& out = m.tensors[dequantize.outputs[0]];
  out.type = DType::Float32;
  out.quant.reset();
  return m;
}

// The same network as written by another converter version: tensors in another order and with
// other names (as the 2021 and 2023 hello_world files are), operators unchanged.
Model renumbered(Model m) {
  const size_t n = m.tensors.size();
  std::vector<int32_t> to(n);  // old index -> new index: constants last, reversed
  std::vector<size_t> order;
  for (size_t i = 0; i < n; ++i)
    if (!m.tensors[i].is_constant()) order.push_back(i);
  for (size_t i = n; i-- > 0;)
    if (m.tensors[i].is_constant()) order.push_back(i);
  std::vector<Tensor> tensors(n);
  for (size_t k = 0; k < n; ++k) {
    to[order[k]] = static_cast<int32_t>(k);
    tensors[k] = std::move(m.tensors[order[k]]);
    tensors[k].name = "model/tensor_" + std::to_string(k);
  }
  auto remap = [&](std::vector<int32_t>& v) {
    for (int32_t& i : v)
      if (i >= 0) i = to[static_cast<size_t>(i)];
  };
  for (Operator& o : m.operators) {
    remap(o.inputs);
    remap(o.outputs);
  }
  remap(m.inputs);
  remap(m.outputs);
  m.tensors = std::move(tensors);
  return m;
}

}  // namespace

std::vector<std::string> synthetic_names() { 
  return {"fc-int8", "fc-float", "conv-int8-perchannel", "fc-mixed", "fc-int8-renumbered", "fc-int8-wide", "fc-int8-large"};
}

SyntheticModel make_synthetic(const std::string& name) {
  const std::vector<std::string> fc_labels = {"idle", "shake", "tap", "wave"};
  if (name == "fc-float") return {fc_float("synthetic:fc-float"), fc_labels};
  if (name == "fc-int8") {
    Rng calibration(0xCA11B001u);
    return {quantize(fc_float("synthetic:fc-int8"), calibration, false), fc_labels};
  }
  if (name == "fc-int8-renumbered") {
    Rng calibration(0xCA11B001u);
    return {renumbered(quantize(fc_float("synthetic:fc-int8"), calibration, false)), fc_labels};
  }
  if (name == "fc-int8-wide") {
    Rng calibration(0xCA11B001u);
    return {quantize(fc_float("synthetic:fc-int8-wide", 12), calibration, false), fc_labels};
  }
  if (name == "fc-int8-large") {
    Rng calibration(0xCA11B004u);
    return {quantize(fc_float("synthetic:fc-int8-large", 72, 1024, 224), calibration, false), fc_labels};
  }
  if (name == "conv-int8-perchannel") {
    Rng calibration(0xCA11B002u);
    return {quantize(conv_float("synthetic:conv-int8-perchannel"), calibration, true), {"circle", "cross", "square"}};
  }
  if (name == "fc-mixed") {
    Rng calibration(0xCA11B003u);
    return {fc_mixed(fc_mixed_float("synthetic:fc-mixed"), calibration), fc_labels};
  }
  std::string known;
  for (const auto& n : synthetic_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::runtime_error("unknown synthetic model '" + name + "' (known: " + known + ")");
}

}  // namespace fixturegen
