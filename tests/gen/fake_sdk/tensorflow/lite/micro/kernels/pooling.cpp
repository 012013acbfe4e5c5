/* Fake Edge Impulse SDK for eiota test fixtures: MAX_POOL_2D and
 * AVERAGE_POOL_2D reference kernels (NHWC), int8 and float32. The int8
 * kernels keep the input's scale and zero point, as TFLite requires. */
#include "../micro_mutable_op_resolver.h"
#include "kernel_util.h"

namespace tflite {
namespace {

using namespace fake;

struct PoolSetup {
  TfLiteTensor* input;
  TfLiteTensor* output;
  const TfLitePoolParams* params;
  int batches, in_h, in_w, channels, out_h, out_w, pad_h, pad_w;
};

TfLiteStatus Fetch(const char* op, TfLiteContext* context, TfLiteNode* node, PoolSetup* s) {
  s->input = GetInput(context, node, 0);
  s->output = GetOutput(context, node, 0);
  s->params = (const TfLitePoolParams*)node->builtin_data;
  if (!s->input || !s->output || !s->params) return Fail(op, "missing tensor or parameters");
  if (s->input->dims->size != 4 || s->output->dims->size != 4) return Fail(op, "tensors must be 4-D (NHWC)");
  if (s->input->type != s->output->type || (s->input->type != kTfLiteInt8 && s->input->type != kTfLiteFloat32))
    return Fail(op, "only int8 and float32 are supported");
  s->batches = Dim(s->input, 0);
  s->in_h = Dim(s->input, 1);
  s->in_w = Dim(s->input, 2);
  s->channels = Dim(s->input, 3);
  s->out_h = Dim(s->output, 1);
  s->out_w = Dim(s->output, 2);
  if (Dim(s->output, 3) != s->channels || Dim(s->output, 0) != s->batches) return Fail(op, "output shape does not match input");
  const TfLitePoolParams* p = s->params;
  if (ComputeOutSize(p->padding, s->in_h, p->filter_height, p->stride_height, 1) != s->out_h ||
      ComputeOutSize(p->padding, s->in_w, p->filter_width, p->stride_width, 1) != s->out_w)
    return Fail(op, "output size does not match padding and strides");
  s->pad_h = ComputePadding(s->in_h, p->filter_height, p->stride_height, 1, s->out_h);
  s->pad_w = ComputePadding(s->in_w, p->filter_width, p->stride_width, 1, s->out_w);
  return kTfLiteOk;
}

TfLiteStatus Run(const char* op, bool is_max, TfLiteContext* context, TfLiteNode* node) {
  PoolSetup s;
  if (Fetch(op, context, node, &s) != kTfLiteOk) return kTfLiteError;
  const TfLitePoolParams* p = s.params;
  const bool is_float = s.input->type == kTfLiteFloat32;
  float flo, fhi;
  ActivationRangeFloat(p->activation, &flo, &fhi);
  int32_t qlo = -128, qhi = 127;
  if (!is_float) ActivationRangeInt8(p->activation, s.output->params.scale, s.output->params.zero_point, &qlo, &qhi);

  for (int b = 0; b < s.batches; ++b)
    for (int oy = 0; oy < s.out_h; ++oy)
      for (int ox = 0; ox < s.out_w; ++ox)
        for (int c = 0; c < s.channels; ++c) {
          const int y0 = oy * p->stride_height - s.pad_h;
          const int x0 = ox * p->stride_width - s.pad_w;
          double sum = 0;
          double best = -3.402823466e+38;
          int count = 0;
          for (int ky = 0; ky < p->filter_height; ++ky) {
            const int y = y0 + ky;
            if (y < 0 || y >= s.in_h) continue;
            for (int kx = 0; kx < p->filter_width; ++kx) {
              const int x = x0 + kx;
              if (x < 0 || x >= s.in_w) continue;
              const int i = ((b * s.in_h + y) * s.in_w + x) * s.channels + c;
              const double v = is_float ? (double)s.input->data.f[i] : (double)s.input->data.int8[i];
              sum += v;
              if (v > best) best = v;
              ++count;
            }
          }
          const int o = ((b * s.out_h + oy) * s.out_w + ox) * s.channels + c;
          double value = count == 0 ? 0.0 : (is_max ? best : sum / count);
          if (is_float) {
            float f = (float)value;
            s.output->data.f[o] = f < flo ? flo : (f > fhi ? fhi : f);
          } else {
            s.output->data.int8[o] = (int8_t)RoundClamp(value, qlo, qhi);
          }
        }
  return kTfLiteOk;
}

TfLiteStatus MaxPrepare(TfLiteContext* context, TfLiteNode* node) {
  PoolSetup s;
  return Fetch("MAX_POOL_2D", context, node, &s);
}
TfLiteStatus MaxInvoke(TfLiteContext* context, TfLiteNode* node) { return Run("MAX_POOL_2D", true, context, node); }
TfLiteStatus AvgPrepare(TfLiteContext* context, TfLiteNode* node) {
  PoolSetup s;
  return Fetch("AVERAGE_POOL_2D", context, node, &s);
}
TfLiteStatus AvgInvoke(TfLiteContext* context, TfLiteNode* node) { return Run("AVERAGE_POOL_2D", false, context, node); }

}  // namespace

TfLiteRegistration Register_MAX_POOL_2D() { return fake::MakeRegistration(MaxPrepare, MaxInvoke, 17); }
TfLiteRegistration Register_AVERAGE_POOL_2D() { return fake::MakeRegistration(AvgPrepare, AvgInvoke, 1); }

}  // namespace tflite
