/* Fake Edge Impulse SDK for eiota test fixtures: CONV_2D and
 * DEPTHWISE_CONV_2D reference kernels (NHWC), int8 with per-channel weights
 * and float32. */
#include "../micro_mutable_op_resolver.h"
#include "kernel_util.h"

namespace tflite {
namespace {

using namespace fake;

struct ConvGeometry {
  int batches, in_h, in_w, in_c;
  int out_h, out_w, out_c;
  int k_h, k_w;
  int stride_h, stride_w, dil_h, dil_w;
  int pad_h, pad_w;
  int depth_multiplier;  // depthwise only
  TfLiteFusedActivation act;
};

struct ConvTensors {
  TfLiteTensor* input;
  TfLiteTensor* filter;
  TfLiteTensor* bias;  // may be NULL
  TfLiteTensor* output;
};

TfLiteStatus Fetch(const char* op, bool depthwise, TfLiteContext* context, TfLiteNode* node,
                   ConvTensors* t, ConvGeometry* g) {
  t->input = GetInput(context, node, 0);
  t->filter = GetInput(context, node, 1);
  t->bias = GetInput(context, node, 2);
  t->output = GetOutput(context, node, 0);
  if (!t->input || !t->filter || !t->output) return Fail(op, "missing tensor");
  if (!node->builtin_data) return Fail(op, "missing parameters");
  if (t->input->dims->size != 4 || t->filter->dims->size != 4 || t->output->dims->size != 4)
    return Fail(op, "tensors must be 4-D (NHWC)");

  TfLitePadding padding;
  if (depthwise) {
    const TfLiteDepthwiseConvParams* p = (const TfLiteDepthwiseConvParams*)node->builtin_data;
    padding = p->padding;
    g->stride_w = p->stride_width;
    g->stride_h = p->stride_height;
    g->dil_w = p->dilation_width_factor;
    g->dil_h = p->dilation_height_factor;
    g->act = p->activation;
  } else {
    const TfLiteConvParams* p = (const TfLiteConvParams*)node->builtin_data;
    padding = p->padding;
    g->stride_w = p->stride_width;
    g->stride_h = p->stride_height;
    g->dil_w = p->dilation_width_factor;
    g->dil_h = p->dilation_height_factor;
    g->act = p->activation;
  }
  if (g->dil_w < 1) g->dil_w = 1;
  if (g->dil_h < 1) g->dil_h = 1;
  g->batches = Dim(t->input, 0);
  g->in_h = Dim(t->input, 1);
  g->in_w = Dim(t->input, 2);
  g->in_c = Dim(t->input, 3);
  g->k_h = Dim(t->filter, 1);
  g->k_w = Dim(t->filter, 2);
  g->out_h = Dim(t->output, 1);
  g->out_w = Dim(t->output, 2);
  g->out_c = Dim(t->output, 3);
  if (depthwise) {
    if (Dim(t->filter, 0) != 1 || Dim(t->filter, 3) != g->out_c) return Fail(op, "filter shape does not match output");
    if (g->in_c <= 0 || g->out_c % g->in_c != 0) return Fail(op, "output channels are not a multiple of input channels");
    g->depth_multiplier = g->out_c / g->in_c;
  } else {
    if (Dim(t->filter, 0) != g->out_c || Dim(t->filter, 3) != g->in_c) return Fail(op, "filter shape does not match tensors");
    g->depth_multiplier = 1;
  }
  if (Dim(t->output, 0) != g->batches) return Fail(op, "batch sizes differ");
  if (ComputeOutSize(padding, g->in_h, g->k_h, g->stride_h, g->dil_h) != g->out_h ||
      ComputeOutSize(padding, g->in_w, g->k_w, g->stride_w, g->dil_w) != g->out_w)
    return Fail(op, "output size does not match padding and strides");
  g->pad_h = ComputePadding(g->in_h, g->k_h, g->stride_h, g->dil_h, g->out_h);
  g->pad_w = ComputePadding(g->in_w, g->k_w, g->stride_w, g->dil_w, g->out_w);
  if (t->bias && ElementCount(t->bias->dims) != g->out_c) return Fail(op, "bias size does not match output channels");

  bool is_int8 = t->input->type == kTfLiteInt8 && t->filter->type == kTfLiteInt8 &&
                 t->output->type == kTfLiteInt8 && (!t->bias || t->bias->type == kTfLiteInt32);
  bool is_float = t->input->type == kTfLiteFloat32 && t->filter->type == kTfLiteFloat32 &&
                  t->output->type == kTfLiteFloat32 && (!t->bias || t->bias->type == kTfLiteFloat32);
  if (!is_int8 && !is_float) return Fail(op, "only int8 (int32 bias) and float32 are supported");
  return kTfLiteOk;
}

/* One output value: sum over the receptive field. `ic_first`/`ic_count`
 * select the input channels (all for CONV_2D, one for depthwise). */
template <typename Acc, typename Load>
Acc Accumulate(const ConvGeometry& g, int b, int oy, int ox, int oc, bool depthwise, Load load) {
  Acc acc = 0;
  const int in_y0 = oy * g.stride_h - g.pad_h;
  const int in_x0 = ox * g.stride_w - g.pad_w;
  for (int ky = 0; ky < g.k_h; ++ky) {
    const int iy = in_y0 + ky * g.dil_h;
    if (iy < 0 || iy >= g.in_h) continue;
    for (int kx = 0; kx < g.k_w; ++kx) {
      const int ix = in_x0 + kx * g.dil_w;
      if (ix < 0 || ix >= g.in_w) continue;
      const int in_base = ((b * g.in_h + iy) * g.in_w + ix) * g.in_c;
      if (depthwise) {
        const int ic = oc / g.depth_multiplier;
        acc += load(in_base + ic, (ky * g.k_w + kx) * g.out_c + oc);
      } else {
        const int f_base = ((oc * g.k_h + ky) * g.k_w + kx) * g.in_c;
        for (int ic = 0; ic < g.in_c; ++ic) acc += load(in_base + ic, f_base + ic);
      }
    }
  }
  return acc;
}

TfLiteStatus Run(const char* op, bool depthwise, TfLiteContext* context, TfLiteNode* node) {
  ConvTensors t;
  ConvGeometry g;
  if (Fetch(op, depthwise, context, node, &t, &g) != kTfLiteOk) return kTfLiteError;

  if (t.input->type == kTfLiteFloat32) {
    const float* in = t.input->data.f;
    const float* w = t.filter->data.f;
    float lo, hi;
    ActivationRangeFloat(g.act, &lo, &hi);
    for (int b = 0; b < g.batches; ++b)
      for (int oy = 0; oy < g.out_h; ++oy)
        for (int ox = 0; ox < g.out_w; ++ox)
          for (int oc = 0; oc < g.out_c; ++oc) {
            float acc = Accumulate<float>(g, b, oy, ox, oc, depthwise,
                                          [&](int i, int f) { return in[i] * w[f]; });
            if (t.bias) acc += t.bias->data.f[oc];
            t.output->data.f[((b * g.out_h + oy) * g.out_w + ox) * g.out_c + oc] =
                acc < lo ? lo : (acc > hi ? hi : acc);
          }
    return kTfLiteOk;
  }

  const int8_t* in = t.input->data.int8;
  const int8_t* w = t.filter->data.int8;
  const int32_t in_zp = t.input->params.zero_point;
  const int32_t out_zp = t.output->params.zero_point;
  int32_t lo, hi;
  ActivationRangeInt8(g.act, t.output->params.scale, out_zp, &lo, &hi);
  for (int oc = 0; oc < g.out_c; ++oc) {
    const int32_t w_zp = ChannelZeroPoint(t.filter, oc);
    const double multiplier =
        (double)t.input->params.scale * (double)ChannelScale(t.filter, oc) / (double)t.output->params.scale;
    for (int b = 0; b < g.batches; ++b)
      for (int oy = 0; oy < g.out_h; ++oy)
        for (int ox = 0; ox < g.out_w; ++ox) {
          int32_t acc = Accumulate<int32_t>(g, b, oy, ox, oc, depthwise, [&](int i, int f) {
            return ((int32_t)in[i] - in_zp) * ((int32_t)w[f] - w_zp);
          });
          if (t.bias) acc += t.bias->data.i32[oc];
          t.output->data.int8[((b * g.out_h + oy) * g.out_w + ox) * g.out_c + oc] =
              (int8_t)RoundClamp(acc * multiplier + out_zp, lo, hi);
        }
  }
  return kTfLiteOk;
}

TfLiteStatus ConvPrepare(TfLiteContext* context, TfLiteNode* node) {
  ConvTensors t;
  ConvGeometry g;
  return Fetch("CONV_2D", false, context, node, &t, &g);
}
TfLiteStatus ConvInvoke(TfLiteContext* context, TfLiteNode* node) { return Run("CONV_2D", false, context, node); }

TfLiteStatus DepthwisePrepare(TfLiteContext* context, TfLiteNode* node) {
  ConvTensors t;
  ConvGeometry g;
  return Fetch("DEPTHWISE_CONV_2D", true, context, node, &t, &g);
}
TfLiteStatus DepthwiseInvoke(TfLiteContext* context, TfLiteNode* node) {
  return Run("DEPTHWISE_CONV_2D", true, context, node);
}

}  // namespace

TfLiteRegistration Register_CONV_2D() { return fake::MakeRegistration(ConvPrepare, ConvInvoke, 3); }
TfLiteRegistration Register_DEPTHWISE_CONV_2D() {
  return fake::MakeRegistration(DepthwisePrepare, DepthwiseInvoke, 4);
}

}  // namespace tflite
