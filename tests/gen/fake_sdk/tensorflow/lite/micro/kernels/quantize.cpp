/* Fake Edge Impulse SDK for eiota test fixtures: QUANTIZE (float32 or int8
 * to int8, uint8 to int16) and DEQUANTIZE (int8 or int16 to float32)
 * reference kernels. */
#include "../micro_mutable_op_resolver.h"
#include "kernel_util.h"

namespace tflite {
namespace {

using namespace fake;

TfLiteStatus Fetch(const char* op, TfLiteContext* context, TfLiteNode* node, TfLiteTensor** in,
                   TfLiteTensor** out) {
  *in = GetInput(context, node, 0);
  *out = GetOutput(context, node, 0);
  if (!*in || !*out) return Fail(op, "missing tensor");
  if (ElementCount((*in)->dims) != ElementCount((*out)->dims)) return Fail(op, "input and output sizes differ");
  return kTfLiteOk;
}

TfLiteStatus QuantizePrepare(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *out;
  if (Fetch("QUANTIZE", context, node, &in, &out) != kTfLiteOk) return kTfLiteError;
  const bool to_int8 = out->type == kTfLiteInt8 && (in->type == kTfLiteFloat32 || in->type == kTfLiteInt8);
  const bool to_int16 = out->type == kTfLiteInt16 && in->type == kTfLiteUInt8;
  if (!to_int8 && !to_int16) return Fail("QUANTIZE", "only float32 or int8 to int8 and uint8 to int16 are supported");
  return kTfLiteOk;
}

TfLiteStatus QuantizeInvoke(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *out;
  if (QuantizePrepare(context, node) != kTfLiteOk) return kTfLiteError;
  (void)Fetch("QUANTIZE", context, node, &in, &out);
  const int n = ElementCount(out->dims);
  int32_t lo, hi;  // the output type's range
  ActivationRangeQuantized(kTfLiteActNone, out->type, out->params.scale, out->params.zero_point, &lo, &hi);
  for (int i = 0; i < n; ++i) {
    double real = in->type == kTfLiteFloat32 ? (double)in->data.f[i]
                                             : (double)in->params.scale * (QuantizedValue(in, i) - in->params.zero_point);
    SetQuantizedValue(out, i, RoundClamp(real / out->params.scale + out->params.zero_point, lo, hi));
  }
  return kTfLiteOk;
}

TfLiteStatus DequantizePrepare(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *out;
  if (Fetch("DEQUANTIZE", context, node, &in, &out) != kTfLiteOk) return kTfLiteError;
  if ((in->type != kTfLiteInt8 && in->type != kTfLiteInt16) || out->type != kTfLiteFloat32)
    return Fail("DEQUANTIZE", "only int8 or int16 to float32 is supported");
  return kTfLiteOk;
}

TfLiteStatus DequantizeInvoke(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *out;
  if (DequantizePrepare(context, node) != kTfLiteOk) return kTfLiteError;
  (void)Fetch("DEQUANTIZE", context, node, &in, &out);
  const int n = ElementCount(out->dims);
  for (int i = 0; i < n; ++i) out->data.f[i] = in->params.scale * (float)(QuantizedValue(in, i) - in->params.zero_point);
  return kTfLiteOk;
}

}  // namespace

TfLiteRegistration Register_QUANTIZE() { return fake::MakeRegistration(QuantizePrepare, QuantizeInvoke, 114); }
TfLiteRegistration Register_DEQUANTIZE() { return fake::MakeRegistration(DequantizePrepare, DequantizeInvoke, 6); }

}  // namespace tflite
