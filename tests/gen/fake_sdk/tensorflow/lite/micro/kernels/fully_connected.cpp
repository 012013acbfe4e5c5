/* Fake Edge Impulse SDK for eiota test fixtures: FULLY_CONNECTED reference
 * kernel, int8 (per-tensor or per-channel weights, int32 bias), uint8 (int32
 * bias), int16 input and output with int8 weights (int64 bias), and float32. */
#include "../micro_mutable_op_resolver.h"
#include "kernel_util.h"

namespace tflite {
namespace {

using namespace fake;

const char kOp[] = "FULLY_CONNECTED";

struct FcTensors {
  TfLiteTensor* input;
  TfLiteTensor* weights;
  TfLiteTensor* bias;  // may be NULL
  TfLiteTensor* output;
};

TfLiteStatus Fetch(TfLiteContext* context, TfLiteNode* node, FcTensors* t) {
  t->input = GetInput(context, node, 0);
  t->weights = GetInput(context, node, 1);
  t->bias = GetInput(context, node, 2);
  t->output = GetOutput(context, node, 0);
  if (!t->input || !t->weights || !t->output) return Fail(kOp, "missing tensor");
  if (t->weights->dims->size != 2) return Fail(kOp, "weights must be 2-D");
  int units = Dim(t->weights, 0), depth = Dim(t->weights, 1);
  if (depth <= 0 || ElementCount(t->input->dims) % depth != 0) return Fail(kOp, "input size does not match weights");
  int batches = ElementCount(t->input->dims) / depth;
  if (ElementCount(t->output->dims) != batches * units) return Fail(kOp, "output size does not match weights");
  if (t->bias && ElementCount(t->bias->dims) != units) return Fail(kOp, "bias size does not match weights");
  bool is_int8 = t->input->type == kTfLiteInt8 && t->weights->type == kTfLiteInt8 &&
                 t->output->type == kTfLiteInt8 && (!t->bias || t->bias->type == kTfLiteInt32);
  bool is_uint8 = t->input->type == kTfLiteUInt8 && t->weights->type == kTfLiteUInt8 &&
                  t->output->type == kTfLiteUInt8 && (!t->bias || t->bias->type == kTfLiteInt32);
  bool is_int16 = t->input->type == kTfLiteInt16 && t->weights->type == kTfLiteInt8 &&
                  t->output->type == kTfLiteInt16 && (!t->bias || t->bias->type == kTfLiteInt64);
  bool is_float = t->input->type == kTfLiteFloat32 && t->weights->type == kTfLiteFloat32 &&
                  t->output->type == kTfLiteFloat32 && (!t->bias || t->bias->type == kTfLiteFloat32);
  if (!is_int8 && !is_uint8 && !is_int16 && !is_float)
    return Fail(kOp, "only int8 or uint8 (int32 bias), int16 x int8 (int64 bias) and float32 are supported");
  return kTfLiteOk;
}

TfLiteFusedActivation Activation(TfLiteNode* node) {
  const TfLiteFullyConnectedParams* p = (const TfLiteFullyConnectedParams*)node->builtin_data;
  return p ? p->activation : kTfLiteActNone;
}

TfLiteStatus Prepare(TfLiteContext* context, TfLiteNode* node) {
  FcTensors t;
  return Fetch(context, node, &t);
}

TfLiteStatus Invoke(TfLiteContext* context, TfLiteNode* node) {
  FcTensors t;
  if (Fetch(context, node, &t) != kTfLiteOk) return kTfLiteError;
  const int units = Dim(t.weights, 0), depth = Dim(t.weights, 1);
  const int batches = ElementCount(t.input->dims) / depth;
  const TfLiteFusedActivation act = Activation(node);

  if (t.input->type == kTfLiteFloat32) {
    float lo, hi;
    ActivationRangeFloat(act, &lo, &hi);
    for (int b = 0; b < batches; ++b) {
      for (int u = 0; u < units; ++u) {
        float acc = t.bias ? t.bias->data.f[u] : 0.0f;
        for (int d = 0; d < depth; ++d) acc += t.input->data.f[b * depth + d] * t.weights->data.f[u * depth + d];
        t.output->data.f[b * units + u] = acc < lo ? lo : (acc > hi ? hi : acc);
      }
    }
    return kTfLiteOk;
  }

  const int32_t in_zp = t.input->params.zero_point;
  const int32_t out_zp = t.output->params.zero_point;
  int32_t lo, hi;
  ActivationRangeQuantized(act, t.output->type, t.output->params.scale, out_zp, &lo, &hi);
  for (int u = 0; u < units; ++u) {
    const int32_t w_zp = ChannelZeroPoint(t.weights, u);
    const double multiplier =
        (double)t.input->params.scale * (double)ChannelScale(t.weights, u) / (double)t.output->params.scale;
    for (int b = 0; b < batches; ++b) {
      int64_t acc = !t.bias ? 0 : t.bias->type == kTfLiteInt64 ? t.bias->data.i64[u] : t.bias->data.i32[u];
      for (int d = 0; d < depth; ++d)
        acc += (int64_t)(QuantizedValue(t.input, b * depth + d) - in_zp) *
               (QuantizedValue(t.weights, u * depth + d) - w_zp);
      SetQuantizedValue(t.output, b * units + u, RoundClamp((double)acc * multiplier + out_zp, lo, hi));
    }
  }
  return kTfLiteOk;
}

}  // namespace

TfLiteRegistration Register_FULLY_CONNECTED() { return fake::MakeRegistration(Prepare, Invoke, 9); }

}  // namespace tflite
