/* Fake Edge Impulse SDK for eiota test fixtures: RESHAPE copies the bytes. */
#include <string.h>

#include "../micro_mutable_op_resolver.h"
#include "kernel_util.h"

namespace tflite {
namespace {

using namespace fake;

TfLiteStatus Fetch(TfLiteContext* context, TfLiteNode* node, TfLiteTensor** in, TfLiteTensor** out) {
  *in = GetInput(context, node, 0);
  *out = GetOutput(context, node, 0);
  if (!*in || !*out) return Fail("RESHAPE", "missing tensor");
  if ((*in)->bytes != (*out)->bytes) return Fail("RESHAPE", "input and output sizes differ");
  return kTfLiteOk;
}

TfLiteStatus Prepare(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *out;
  return Fetch(context, node, &in, &out);
}

TfLiteStatus Invoke(TfLiteContext* context, TfLiteNode* node) {
  TfLiteTensor *in, *out;
  if (Fetch(context, node, &in, &out) != kTfLiteOk) return kTfLiteError;
  if (in->data.data != out->data.data) memmove(out->data.data, in->data.data, in->bytes);
  return kTfLiteOk;
}

}  // namespace

TfLiteRegistration Register_RESHAPE() { return fake::MakeRegistration(Prepare, Invoke, 22); }

}  // namespace tflite
