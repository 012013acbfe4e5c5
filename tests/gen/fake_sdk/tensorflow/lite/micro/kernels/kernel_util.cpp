/* Fake Edge Impulse SDK for eiota test fixtures: kernel helpers. */
#include "kernel_util.h"

#include "../../../../porting/ei_classifier_porting.h"

namespace tflite {
namespace fake {

TfLiteTensor* GetInput(TfLiteContext* context, TfLiteNode* node, int i) {
  if (!node->inputs || i >= node->inputs->size) return NULL;
  int index = node->inputs->data[i];
  if (index < 0) return NULL;
  return context->GetTensor(context, index);
}

TfLiteTensor* GetOutput(TfLiteContext* context, TfLiteNode* node, int i) {
  if (!node->outputs || i >= node->outputs->size) return NULL;
  int index = node->outputs->data[i];
  if (index < 0) return NULL;
  return context->GetTensor(context, index);
}

int ElementCount(const TfLiteIntArray* dims) {
  int n = 1;
  for (int i = 0; i < dims->size; ++i) n *= dims->data[i];
  return n;
}

int Dim(const TfLiteTensor* t, int i) { return t->dims->data[i]; }

static const TfLiteAffineQuantization* Affine(const TfLiteTensor* t) {
  if (t->quantization.type != kTfLiteAffineQuantization) return NULL;
  return (const TfLiteAffineQuantization*)t->quantization.params;
}

float ChannelScale(const TfLiteTensor* t, int c) {
  const TfLiteAffineQuantization* q = Affine(t);
  if (q && q->scale && q->scale->size > 1 && c < q->scale->size) return q->scale->data[c];
  return t->params.scale;
}

int32_t ChannelZeroPoint(const TfLiteTensor* t, int c) {
  const TfLiteAffineQuantization* q = Affine(t);
  if (q && q->zero_point && q->zero_point->size > 1 && c < q->zero_point->size)
    return q->zero_point->data[c];
  return t->params.zero_point;
}

int32_t RoundClamp(double value, int32_t lo, int32_t hi) {
  if (value <= (double)lo) return lo;
  if (value >= (double)hi) return hi;
  int32_t r = (int32_t)(value >= 0 ? value + 0.5 : value - 0.5);
  if (r < lo) return lo;
  if (r > hi) return hi;
  return r;
}

int32_t QuantizedValue(const TfLiteTensor* t, int i) {
  if (t->type == kTfLiteUInt8) return t->data.uint8[i];
  if (t->type == kTfLiteInt16) return t->data.i16[i];
  return t->data.int8[i];
}

void SetQuantizedValue(TfLiteTensor* t, int i, int32_t value) {
  if (t->type == kTfLiteUInt8) {
    t->data.uint8[i] = (uint8_t)value;
  } else if (t->type == kTfLiteInt16) {
    t->data.i16[i] = (int16_t)value;
  } else {
    t->data.int8[i] = (int8_t)value;
  }
}

void ActivationRangeQuantized(TfLiteFusedActivation act, TfLiteType type, float scale, int32_t zero_point,
                              int32_t* lo, int32_t* hi) {
  *lo = type == kTfLiteUInt8 ? 0 : type == kTfLiteInt16 ? -32768 : -128;
  *hi = type == kTfLiteUInt8 ? 255 : type == kTfLiteInt16 ? 32767 : 127;
  int32_t act_lo = *lo, act_hi = *hi;
  if (act == kTfLiteActRelu) {
    act_lo = zero_point;
  } else if (act == kTfLiteActRelu6) {
    act_lo = zero_point;
    act_hi = RoundClamp(zero_point + 6.0 / scale, *lo, *hi);
  } else if (act == kTfLiteActReluN1To1) {
    act_lo = RoundClamp(zero_point - 1.0 / scale, *lo, *hi);
    act_hi = RoundClamp(zero_point + 1.0 / scale, *lo, *hi);
  }
  if (act_lo > *lo) *lo = act_lo;
  if (act_hi < *hi) *hi = act_hi;
}

void ActivationRangeInt8(TfLiteFusedActivation act, float scale, int32_t zero_point,
                         int32_t* lo, int32_t* hi) {
  ActivationRangeQuantized(act, kTfLiteInt8, scale, zero_point, lo, hi);
}

void ActivationRangeFloat(TfLiteFusedActivation act, float* lo, float* hi) {
  *lo = -3.402823466e+38f;
  *hi = 3.402823466e+38f;
  if (act == kTfLiteActRelu) {
    *lo = 0.0f;
  } else if (act == kTfLiteActRelu6) {
    *lo = 0.0f;
    *hi = 6.0f;
  } else if (act == kTfLiteActReluN1To1) {
    *lo = -1.0f;
    *hi = 1.0f;
  }
}

int ComputeOutSize(TfLitePadding padding, int in, int filter, int stride, int dilation) {
  int effective = (filter - 1) * dilation + 1;
  if (stride <= 0) return 0;
  if (padding == kTfLitePaddingSame) return (in + stride - 1) / stride;
  if (padding == kTfLitePaddingValid) return (in - effective + stride) / stride;
  return 0;
}

int ComputePadding(int in, int filter, int stride, int dilation, int out) {
  int effective = (filter - 1) * dilation + 1;
  int total = (out - 1) * stride + effective - in;
  return total > 0 ? total / 2 : 0;
}

TfLiteStatus Fail(const char* op, const char* what) {
  ei_printf("ERR: %s: %s\n", op, what);
  return kTfLiteError;
}

TfLiteRegistration MakeRegistration(TfLiteStatus (*prepare)(TfLiteContext*, TfLiteNode*),
                                    TfLiteStatus (*invoke)(TfLiteContext*, TfLiteNode*),
                                    int32_t builtin_code) {
  TfLiteRegistration r;
  r.init = NULL;
  r.free = NULL;
  r.prepare = prepare;
  r.invoke = invoke;
  r.profiling_string = NULL;
  r.builtin_code = builtin_code;
  r.custom_name = NULL;
  r.version = 1;
  return r;
}

}  // namespace fake
}  // namespace tflite
