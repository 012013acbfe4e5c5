/* Fake Edge Impulse SDK for eiota test fixtures: PAD reference kernel for up
 * to 4-D int8 and float32 tensors; int8 pads with the zero point. */
#include "../micro_mutable_op_resolver.h"
#include "kernel_util.h"

namespace tflite {
namespace {

using namespace fake;

const char kOp[] = "PAD";

TfLiteStatus Fetch(TfLiteContext* context, TfLiteNode* node, TfLiteTensor** in, TfLiteTensor** pads,
                   TfLiteTensor** out) {
  *in = GetInput(context, node, 0);
  *pads = GetInput(context, node, 1);
  *out = GetOutput(context, node, 0);
  if (!*in || !*pads || !*out) return Fail(kOp, "missing tensor");
  if ((*in)->type != (*out)->type || ((*in)->type != kTfLiteInt8 && (*in)->type != kTfLiteFloat32))
    return Fail(kOp, "only int8 and float32 are supported");
  const int rank = (*in)->dims->size;
  if (rank > 4 || (*out)->dims->size != rank || (*pads)->type != kTfLiteInt32 ||
      ElementCount((*pads)->dims) != rank * 2)
    return Fail(kOp, "unsupported shapes");
  for (int d = 0; d < rank; ++d) {
    const int32_t* p = (*pads)->data.i32;
    if (Dim(*in, d) + p[2 * d] + p[2 * d + 1] != Dim(*out, d)) return Fail(kOp, "output shape does not match paddings");
  }
  return kTfLiteOk;
}

TfLiteStatus Prepare(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *pads, *out;
  return Fetch(context, node, &in, &pads, &out);
}

TfLiteStatus Invoke(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *pads, *out;
  if (Fetch(context, node, &in, &pads, &out) != kTfLiteOk) return kTfLiteError;
  const int rank = in->dims->size;
  int in_dims[4] = {1, 1, 1, 1}, out_dims[4] = {1, 1, 1, 1}, before[4] = {0, 0, 0, 0};
  for (int d = 0; d < rank; ++d) {  // right-align into 4-D
    in_dims[4 - rank + d] = Dim(in, d);
    out_dims[4 - rank + d] = Dim(out, d);
    before[4 - rank + d] = pads->data.i32[2 * d];
  }
  const bool is_float = in->type == kTfLiteFloat32;
  int o = 0;
  for (int a = 0; a < out_dims[0]; ++a)
    for (int b = 0; b < out_dims[1]; ++b)
      for (int c = 0; c < out_dims[2]; ++c)
        for (int d = 0; d < out_dims[3]; ++d, ++o) {
          const int ia = a - before[0], ib = b - before[1], ic = c - before[2], id = d - before[3];
          const bool inside = ia >= 0 && ia < in_dims[0] && ib >= 0 && ib < in_dims[1] && ic >= 0 &&
                              ic < in_dims[2] && id >= 0 && id < in_dims[3];
          const int i = ((ia * in_dims[1] + ib) * in_dims[2] + ic) * in_dims[3] + id;
          if (is_float) {
            out->data.f[o] = inside ? in->data.f[i] : 0.0f;
          } else {
            out->data.int8[o] = inside ? in->data.int8[i] : (int8_t)out->params.zero_point;
          }
        }
  return kTfLiteOk;
}

}  // namespace

TfLiteRegistration Register_PAD() { return fake::MakeRegistration(Prepare, Invoke, 34); }

}  // namespace tflite
