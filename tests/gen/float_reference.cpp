#include "float_reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace fixturegen {

std::vector<float> tensor_floats(const Tensor& t) {
  std::vector<float> v(t.element_count());
  if (t.type != DType::Float32 || t.data.size() != v.size() * 4)
    throw std::runtime_error("tensor " + t.name + " is not a float32 constant");
  std::memcpy(v.data(), t.data.data(), t.data.size());
  return v;
}

void set_tensor_floats(Tensor& t, const std::vector<float>& values) {
  t.data.resize(values.size() * 4);
  std::memcpy(t.data.data(), values.data(), t.data.size());
}

namespace {

float activate(float v, Activation a) {
  switch (a) {
    case Activation::Relu: return std::max(v, 0.0f);
    case Activation::Relu6: return std::clamp(v, 0.0f, 6.0f);
    case Activation::ReluN1To1: return std::clamp(v, -1.0f, 1.0f);
    default: return v;
  }
}

int pad_before(int in, int k, int stride, int out) { return std::max(((out - 1) * stride + k - in) / 2, 0); }

void conv(const Model& m, const Operator& op, std::vector<std::vector<float>>& v, bool depthwise) {
  const Tensor& in = m.tensors[op.inputs[0]];
  const Tensor& f = m.tensors[op.inputs[1]];
  const Tensor& out = m.tensors[op.outputs[0]];
  const auto& x = v[op.inputs[0]];
  const auto& w = v[op.inputs[1]];
  const std::vector<float>* bias = op.inputs.size() > 2 && op.inputs[2] >= 0 ? &v[op.inputs[2]] : nullptr;
  const int ih = in.shape[1], iw = in.shape[2], ic = in.shape[3];
  const int kh = f.shape[1], kw = f.shape[2];
  const int oh = out.shape[1], ow = out.shape[2], oc = out.shape[3];
  const auto& o = op.options;
  const int ph = pad_before(ih, kh, o.stride_h, oh), pw = pad_before(iw, kw, o.stride_w, ow);
  auto& y = v[op.outputs[0]];
  y.assign(out.element_count(), 0.0f);
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox)
      for (int c = 0; c < oc; ++c) {
        float acc = bias ? (*bias)[c] : 0.0f;
        for (int ky = 0; ky < kh; ++ky)
          for (int kx = 0; kx < kw; ++kx) {
            int yy = oy * o.stride_h - ph + ky, xx = ox * o.stride_w - pw + kx;
            if (yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
            if (depthwise) {
              int dm = oc / ic;
              acc += x[(yy * iw + xx) * ic + c / dm] * w[(ky * kw + kx) * oc + c];
            } else {
              for (int i = 0; i < ic; ++i) acc += x[(yy * iw + xx) * ic + i] * w[((c * kh + ky) * kw + kx) * ic + i];
            }
          }
        y[(oy * ow + ox) * oc + c] = activate(acc, o.activation);
      }
}

void pool(const Model& m, const Operator& op, std::vector<std::vector<float>>& v, bool is_max) {
  const Tensor& in = m.tensors[op.inputs[0]];
  const Tensor& out = m.tensors[op.outputs[0]];
  const auto& x = v[op.inputs[0]];
  const auto& o = op.options;
  const int ih = in.shape[1], iw = in.shape[2], c = in.shape[3], oh = out.shape[1], ow = out.shape[2];
  const int ph = pad_before(ih, o.filter_h, o.stride_h, oh), pw = pad_before(iw, o.filter_w, o.stride_w, ow);
  auto& y = v[op.outputs[0]];
  y.assign(out.element_count(), 0.0f);
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox)
      for (int ch = 0; ch < c; ++ch) {
        float best = -1e30f, sum = 0;
        int n = 0;
        for (int ky = 0; ky < o.filter_h; ++ky)
          for (int kx = 0; kx < o.filter_w; ++kx) {
            int yy = oy * o.stride_h - ph + ky, xx = ox * o.stride_w - pw + kx;
            if (yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
            float val = x[(yy * iw + xx) * c + ch];
            best = std::max(best, val);
            sum += val;
            ++n;
          }
        y[(oy * ow + ox) * c + ch] = activate(is_max ? best : (n ? sum / n : 0.0f), o.activation);
      }
}

}  // namespace

std::vector<std::vector<float>> run_float(const Model& m, const std::vector<float>& input) {
  std::vector<std::vector<float>> v(m.tensors.size());
  for (size_t i = 0; i < m.tensors.size(); ++i)
    if (m.tensors[i].is_constant() && m.tensors[i].type == DType::Float32) v[i] = tensor_floats(m.tensors[i]);
  v[m.inputs[0]] = input;
  for (const Operator& op : m.operators) {
    auto& y = v[op.outputs[0]];
    switch (op.builtin_code) {
      case op::kFullyConnected: {
        const Tensor& w = m.tensors[op.inputs[1]];
        const int units = w.shape[0], depth = w.shape[1];
        const auto& x = v[op.inputs[0]];
        const auto& wv = v[op.inputs[1]];
        const std::vector<float>* b = op.inputs.size() > 2 && op.inputs[2] >= 0 ? &v[op.inputs[2]] : nullptr;
        const int batches = static_cast<int>(x.size()) / depth;
        y.assign(static_cast<size_t>(batches) * units, 0.0f);
        for (int bt = 0; bt < batches; ++bt)
          for (int u = 0; u < units; ++u) {
            float acc = b ? (*b)[u] : 0.0f;
            for (int d = 0; d < depth; ++d) acc += x[bt * depth + d] * wv[u * depth + d];
            y[bt * units + u] = activate(acc, op.options.activation);
          }
        break;
      }
      case op::kConv2D: conv(m, op, v, false); break;
      case op::kDepthwiseConv2D: conv(m, op, v, true); break;
      case op::kMaxPool2D: pool(m, op, v, true); break;
      case op::kAveragePool2D: pool(m, op, v, false); break;
      case op::kReshape: y = v[op.inputs[0]]; break;
      // In float, QUANTIZE and DEQUANTIZE only mark where the element type changes.
      case op::kQuantize: y = v[op.inputs[0]]; break;
      case op::kDequantize: y = v[op.inputs[0]]; break;
      case op::kAdd: {
        const auto& a = v[op.inputs[0]];
        const auto& b = v[op.inputs[1]];
        if (a.size() != b.size()) throw std::runtime_error("float reference: ADD needs equal shapes");
        y.resize(a.size());
        for (size_t i = 0; i < a.size(); ++i) y[i] = activate(a[i] + b[i], op.options.activation);
        break;
      }
      case op::kSoftmax: {
        const auto& x = v[op.inputs[0]];
        float mx = *std::max_element(x.begin(), x.end());
        double sum = 0;
        for (float val : x) sum += std::exp(double(val - mx) * op.options.beta);
        y.resize(x.size());
        for (size_t i = 0; i < x.size(); ++i) y[i] = float(std::exp(double(x[i] - mx) * op.options.beta) / sum);
        break;
      }
      default:
        throw std::runtime_error("float reference: operator " + builtin_name(op.builtin_code) + " not supported");
    }
  }
  return v;
}

}  // namespace fixturegen
