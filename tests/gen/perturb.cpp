#include "perturb.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "rng.h"

namespace fixturegen {
namespace {

bool keeps_quantization(int code) {
  return code == op::kReshape || code == op::kMaxPool2D || code == op::kAveragePool2D || code == op::kPad ||
         code == 43 /* SQUEEZE */;
}

int find_root(std::vector<int>& parent, int i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

template <typename T>
T load(const std::vector<uint8_t>& d, size_t i) {
  T v;
  std::memcpy(&v, &d[i * sizeof(T)], sizeof(T));
  return v;
}

template <typename T>
void store(std::vector<uint8_t>& d, size_t i, T v) {
  std::memcpy(&d[i * sizeof(T)], &v, sizeof(T));
}

// A new integer != v within [lo, hi], at most `step` away.
int64_t nudge(int64_t v, int64_t lo, int64_t hi, int64_t step, Rng& rng) {
  int64_t delta = rng.range(1, step) * (rng.chance(0.5) ? 1 : -1);
  int64_t n = std::clamp(v + delta, lo, hi);
  if (n == v) n = std::clamp(v - delta, lo, hi);
  return n;
}

bool is_weight(const Tensor& t) {
  if (!t.is_constant()) return false;
  switch (t.type) {
    case DType::Float32: case DType::Int8: case DType::UInt8: case DType::Int16: return true;
    case DType::Int32: case DType::Int64: return t.quant.has_value();  // biases; plain ones are shapes
    default: return false;
  }
}

void perturb_values(Tensor& t, Rng& rng) {
  const size_t n = t.element_count();
  for (size_t i = 0; i < n; ++i) {
    switch (t.type) {
      case DType::Int8: store<int8_t>(t.data, i, int8_t(nudge(load<int8_t>(t.data, i), -127, 127, 12, rng))); break;
      case DType::UInt8: store<uint8_t>(t.data, i, uint8_t(nudge(load<uint8_t>(t.data, i), 0, 255, 12, rng))); break;
      case DType::Int16:
        store<int16_t>(t.data, i, int16_t(nudge(load<int16_t>(t.data, i), -32767, 32767, 300, rng)));
        break;
      case DType::Int32: {
        int32_t v = load<int32_t>(t.data, i);
        int64_t step = std::max<int64_t>(8, std::llabs(v) / 5);
        store<int32_t>(t.data, i, int32_t(nudge(v, INT32_MIN + 1, INT32_MAX, step, rng)));
        break;
      }
      case DType::Int64: {
        // Half the range, so that v + delta in nudge() cannot overflow.
        int64_t v = load<int64_t>(t.data, i);
        int64_t step = std::max<int64_t>(8, std::llabs(v) / 5);
        store<int64_t>(t.data, i, nudge(v, INT64_MIN / 2, INT64_MAX / 2, step, rng));
        break;
      }
      case DType::Float32: {
        float v = load<float>(t.data, i);
        float n = static_cast<float>(v * rng.uniform(0.8, 1.25) + rng.uniform(-0.05, 0.05) * (std::fabs(v) + 0.01));
        if (n == v) n = v + 0.001f;
        store<float>(t.data, i, n);
        break;
      }
      default: break;
    }
  }
}

bool bias_follows_rule(const Tensor& bias, const Tensor& input, const Tensor& weights) {
  if (!bias.quant || !input.quant || !weights.quant) return false;
  const auto& bs = bias.quant->scale;
  const auto& ws = weights.quant->scale;
  for (size_t c = 0; c < bs.size(); ++c) {
    double expect = double(input.quant->scale[0]) * ws[ws.size() == 1 ? 0 : std::min(c, ws.size() - 1)];
    if (std::fabs(bs[c] - expect) > 1e-5 * std::fabs(expect)) return false;
  }
  return true;
}

}  // namespace

Model perturb(const Model& model, uint64_t seed) {
  Model m = model;
  Rng rng(seed * 0x2545F4914F6CDD1Dull + 0x1234567u);
  const size_t n = m.tensors.size();

  // Tensors whose quantization is tied by the graph share one class.
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  std::vector<bool> fixed(n, false);
  struct BiasLink { int bias, input, weights; };
  std::vector<BiasLink> biases;
  for (const Operator& op : m.operators) {
    if (op.inputs.empty() || op.outputs.empty() || op.inputs[0] < 0) continue;
    const int in = op.inputs[0], out = op.outputs[0];
    if (keeps_quantization(op.builtin_code) && m.tensors[in].quant && m.tensors[in].quant == m.tensors[out].quant)
      parent[find_root(parent, out)] = find_root(parent, in);
    if (op.builtin_code == op::kSoftmax && m.tensors[out].type == DType::Int8) fixed[out] = true;
    const bool has_bias = op.builtin_code == op::kFullyConnected || op.builtin_code == op::kConv2D ||
                          op.builtin_code == op::kDepthwiseConv2D;
    if (has_bias && op.inputs.size() > 2 && op.inputs[1] >= 0 && op.inputs[2] >= 0 &&
        bias_follows_rule(m.tensors[op.inputs[2]], m.tensors[in], m.tensors[op.inputs[1]]))
      biases.push_back({op.inputs[2], in, op.inputs[1]});
  }
  for (size_t i = 0; i < n; ++i)
    if (fixed[i]) fixed[find_root(parent, int(i))] = true;

  for (size_t i = 0; i < n; ++i) {
    Tensor& t = m.tensors[i];
    if (is_weight(t)) perturb_values(t, rng);
    if (!t.quant || find_root(parent, int(i)) != int(i) || fixed[i]) continue;
    for (float& s : t.quant->scale) s = static_cast<float>(s * rng.uniform(0.8, 1.25));
    const bool activation = !t.is_constant() && (t.type == DType::Int8 || t.type == DType::UInt8);
    if (activation && rng.chance(0.35)) {
      const int64_t lo = t.type == DType::Int8 ? -128 : 0, hi = t.type == DType::Int8 ? 127 : 255;
      for (int64_t& z : t.quant->zero_point) z = nudge(z, lo, hi, 10, rng);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const int root = find_root(parent, int(i));
    if (root != int(i)) m.tensors[i].quant = m.tensors[root].quant;
  }
  for (const BiasLink& b : biases) {
    auto& scales = m.tensors[b.bias].quant->scale;
    const auto& ws = m.tensors[b.weights].quant->scale;
    const float in_scale = m.tensors[b.input].quant->scale[0];
    for (size_t c = 0; c < scales.size(); ++c) scales[c] = in_scale * ws[ws.size() == 1 ? 0 : std::min(c, ws.size() - 1)];
  }
  return m;
}

Model perturb_last_layers(const Model& model, uint64_t seed, int layers) {
  const Model moved = perturb(model, seed);
  auto weighted = [](int code) {
    return code == op::kFullyConnected || code == op::kConv2D || code == op::kDepthwiseConv2D;
  };
  size_t first = model.operators.size();  // the first retrained operator
  for (size_t k = model.operators.size(); k-- > 0 && layers > 0;)
    if (weighted(model.operators[k].builtin_code)) {
      first = k;
      layers--;
    }
  Model m = model;
  std::vector<bool> tuned(m.tensors.size(), false);
  for (size_t k = first; k < m.operators.size(); ++k) {
    const Operator& op = m.operators[k];
    for (int o : op.outputs)
      if (o >= 0) tuned[o] = true;
    if (weighted(op.builtin_code))
      for (size_t i = 1; i < op.inputs.size(); ++i)
        if (op.inputs[i] >= 0) tuned[op.inputs[i]] = true;
  }
  for (size_t i = 0; i < m.tensors.size(); ++i)
    if (tuned[i]) m.tensors[i] = moved.tensors[i];
  for (size_t k = first; k < m.operators.size(); ++k) {  // biases keep the scale rule on the merged inputs
    const Operator& op = m.operators[k];
    if (!weighted(op.builtin_code) || op.inputs.size() < 3 || op.inputs[0] < 0 || op.inputs[1] < 0 || op.inputs[2] < 0) continue;
    const Tensor &in0 = model.tensors[op.inputs[0]], &w0 = model.tensors[op.inputs[1]], &b0 = model.tensors[op.inputs[2]];
    if (!bias_follows_rule(b0, in0, w0)) continue;
    auto& scales = m.tensors[op.inputs[2]].quant->scale;
    const auto& ws = m.tensors[op.inputs[1]].quant->scale;
    const float in_scale = m.tensors[op.inputs[0]].quant->scale[0];
    for (size_t c = 0; c < scales.size(); ++c) scales[c] = in_scale * ws[ws.size() == 1 ? 0 : std::min(c, ws.size() - 1)];
  }
  return m;
}

}  // namespace fixturegen
