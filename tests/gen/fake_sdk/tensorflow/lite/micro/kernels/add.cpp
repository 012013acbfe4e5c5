/* Fake Edge Impulse SDK for eiota test fixtures: ADD reference kernel, int8,
 * int16 and float32, for equal shapes or a single-element second operand. */
#include "../micro_mutable_op_resolver.h"
#include "kernel_util.h"

namespace tflite {
namespace {

using namespace fake;

const char kOp[] = "ADD";

TfLiteStatus Fetch(TfLiteContext* context, TfLiteNode* node, TfLiteTensor** a, TfLiteTensor** b,
                   TfLiteTensor** out) {
  *a = GetInput(context, node, 0);
  *b = GetInput(context, node, 1);
  *out = GetOutput(context, node, 0);
  if (!*a || !*b || !*out) return Fail(kOp, "missing tensor");
  const TfLiteType type = (*out)->type;
  if ((*a)->type != type || (*b)->type != type ||
      (type != kTfLiteInt8 && type != kTfLiteInt16 && type != kTfLiteFloat32))
    return Fail(kOp, "only int8, int16 and float32 are supported");
  const int n = ElementCount((*out)->dims);
  if (ElementCount((*a)->dims) != n || (ElementCount((*b)->dims) != n && ElementCount((*b)->dims) != 1))
    return Fail(kOp, "only equal shapes or a scalar second operand are supported");
  return kTfLiteOk;
}

TfLiteStatus Prepare(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *a, *b, *out;
  return Fetch(context, node, &a, &b, &out);
}

TfLiteStatus Invoke(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *a, *b, *out;
  if (Fetch(context, node, &a, &b, &out) != kTfLiteOk) return kTfLiteError;
  const TfLiteAddParams* p = (const TfLiteAddParams*)node->builtin_data;
  const TfLiteFusedActivation act = p ? p->activation : kTfLiteActNone;
  const int n = ElementCount(out->dims);
  const bool b_scalar = ElementCount(b->dims) == 1;
  if (out->type == kTfLiteFloat32) {
    float lo, hi;
    ActivationRangeFloat(act, &lo, &hi);
    for (int i = 0; i < n; ++i) {
      float v = a->data.f[i] + b->data.f[b_scalar ? 0 : i];
      out->data.f[i] = v < lo ? lo : (v > hi ? hi : v);
    }
    return kTfLiteOk;
  }
  int32_t lo, hi;
  ActivationRangeQuantized(act, out->type, out->params.scale, out->params.zero_point, &lo, &hi);
  for (int i = 0; i < n; ++i) {
    double real = (double)a->params.scale * (QuantizedValue(a, i) - a->params.zero_point) +
                  (double)b->params.scale * (QuantizedValue(b, b_scalar ? 0 : i) - b->params.zero_point);
    SetQuantizedValue(out, i, RoundClamp(real / out->params.scale + out->params.zero_point, lo, hi));
  }
  return kTfLiteOk;
}

}  // namespace

TfLiteRegistration Register_ADD() { return fake::MakeRegistration(Prepare, Invoke, 0); }

}  // namespace tflite
