/* Fake Edge Impulse SDK for eiota test fixtures: SOFTMAX reference kernel
 * over the last dimension, int8 (any output scale and zero point; converters
 * use 1/256 and -128) and float32. */
#include <math.h>

#include "../micro_mutable_op_resolver.h"
#include "kernel_util.h"

namespace tflite {
namespace {

using namespace fake;

const char kOp[] = "SOFTMAX";

TfLiteStatus Fetch(TfLiteContext* context, TfLiteNode* node, TfLiteTensor** in, TfLiteTensor** out) {
  *in = GetInput(context, node, 0);
  *out = GetOutput(context, node, 0);
  if (!*in || !*out) return Fail(kOp, "missing tensor");
  if ((*in)->type != (*out)->type || ((*in)->type != kTfLiteInt8 && (*in)->type != kTfLiteFloat32))
    return Fail(kOp, "only int8 and float32 are supported");
  if (ElementCount((*in)->dims) != ElementCount((*out)->dims) || (*in)->dims->size < 1)
    return Fail(kOp, "input and output sizes differ");
  return kTfLiteOk;
}

TfLiteStatus Prepare(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *out;
  return Fetch(context, node, &in, &out);
}

TfLiteStatus Invoke(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *out;
  if (Fetch(context, node, &in, &out) != kTfLiteOk) return kTfLiteError;
  const TfLiteSoftmaxParams* p = (const TfLiteSoftmaxParams*)node->builtin_data;
  const float beta = p ? p->beta : 1.0f;
  const int depth = in->dims->data[in->dims->size - 1];
  const int rows = depth > 0 ? ElementCount(in->dims) / depth : 0;
  const bool is_float = in->type == kTfLiteFloat32;
  const double in_scale = is_float ? 1.0 : (double)in->params.scale;

  for (int r = 0; r < rows; ++r) {
    double max_v = -1e300;
    for (int i = 0; i < depth; ++i) {
      double v = is_float ? in->data.f[r * depth + i] : (double)in->data.int8[r * depth + i];
      if (v > max_v) max_v = v;
    }
    double sum = 0;
    for (int i = 0; i < depth; ++i) {
      double v = is_float ? in->data.f[r * depth + i] : (double)in->data.int8[r * depth + i];
      sum += exp((v - max_v) * in_scale * beta);
    }
    for (int i = 0; i < depth; ++i) {
      double v = is_float ? in->data.f[r * depth + i] : (double)in->data.int8[r * depth + i];
      double prob = exp((v - max_v) * in_scale * beta) / sum;
      if (is_float) {
        out->data.f[r * depth + i] = (float)prob;
      } else {
        out->data.int8[r * depth + i] =
            (int8_t)RoundClamp(prob / out->params.scale + out->params.zero_point, -128, 127);
      }
    }
  }
  return kTfLiteOk;
}

}  // namespace

TfLiteRegistration Register_SOFTMAX() { return fake::MakeRegistration(Prepare, Invoke, 25); }

}  // namespace tflite
