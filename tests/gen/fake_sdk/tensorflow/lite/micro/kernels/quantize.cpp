/* Fake Edge Impulse SDK for eiota test fixtures: QUANTIZE (float32 or int8
 * to int8) and DEQUANTIZE (int8 to float32) reference kernels. */
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
  if (out->type != kTfLiteInt8 || (in->type != kTfLiteFloat32 && in->type != kTfLiteInt8))
    return Fail("QUANTIZE", "only float32 or int8 to int8 is supported");
  return kTfLiteOk;
}

TfLiteStatus QuantizeInvoke(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *out;
  if (QuantizePrepare(context, node) != kTfLiteOk) return kTfLiteError;
  (void)Fetch("QUANTIZE", context, node, &in, &out);
  const int n = ElementCount(out->dims);
  for (int i = 0; i < n; ++i) {
    double real = in->type == kTfLiteFloat32 ? (double)in->data.f[i]
                                             : (double)in->params.scale * (in->data.int8[i] - in->params.zero_point);
    out->data.int8[i] = (int8_t)RoundClamp(real / out->params.scale + out->params.zero_point, -128, 127);
  }
  return kTfLiteOk;
}

TfLiteStatus DequantizePrepare(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *out;
  if (Fetch("DEQUANTIZE", context, node, &in, &out) != kTfLiteOk) return kTfLiteError;
  if (in->type != kTfLiteInt8 || out->type != kTfLiteFloat32)
    return Fail("DEQUANTIZE", "only int8 to float32 is supported");
  return kTfLiteOk;
}

TfLiteStatus DequantizeInvoke(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *out;
  if (DequantizePrepare(context, node) != kTfLiteOk) return kTfLiteError;
  (void)Fetch("DEQUANTIZE", context, node, &in, &out);
  const int n = ElementCount(out->dims);
  for (int i = 0; i < n; ++i) out->data.f[i] = in->params.scale * (float)(in->data.int8[i] - in->params.zero_point);
  return kTfLiteOk;
}

}  // namespace

TfLiteRegistration Register_QUANTIZE() { return fake::MakeRegistration(QuantizePrepare, QuantizeInvoke, 114); }
TfLiteRegistration Register_DEQUANTIZE() { return fake::MakeRegistration(DequantizePrepare, DequantizeInvoke, 6); }

}  // namespace tflite
