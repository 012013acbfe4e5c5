/* Fake Edge Impulse SDK for eiota test fixtures: helpers shared by the
 * reference kernels. Tensors are fetched through the model's GetTensor, which
 * fills them from tensorData[] each time, so a kernel always sees the arrays
 * the table points at now. */
#ifndef EIOTA_FAKE_KERNEL_UTIL_H
#define EIOTA_FAKE_KERNEL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "../../c/builtin_op_data.h"
#include "../../c/common.h"

namespace tflite {
namespace fake {

/* Input `i` of the node; NULL when absent (index -1 or beyond the list). */
TfLiteTensor* GetInput(TfLiteContext* context, TfLiteNode* node, int i);
TfLiteTensor* GetOutput(TfLiteContext* context, TfLiteNode* node, int i);

int ElementCount(const TfLiteIntArray* dims);
int Dim(const TfLiteTensor* t, int i);

/* Scale and zero point of channel `c`: per-channel arrays when the tensor has
 * them, the first entry otherwise. */
float ChannelScale(const TfLiteTensor* t, int c);
int32_t ChannelZeroPoint(const TfLiteTensor* t, int c);

/* Element `i` of an int8, uint8 or int16 tensor, and the store back
 * (`value` must be in the type's range). */
int32_t QuantizedValue(const TfLiteTensor* t, int i);
void SetQuantizedValue(TfLiteTensor* t, int i, int32_t value);

/* Range of output values of an int8, uint8 or int16 tensor allowed by a
 * fused activation. */
void ActivationRangeQuantized(TfLiteFusedActivation act, TfLiteType type, float scale, int32_t zero_point,
                              int32_t* lo, int32_t* hi);
void ActivationRangeInt8(TfLiteFusedActivation act, float scale, int32_t zero_point,
                         int32_t* lo, int32_t* hi);
void ActivationRangeFloat(TfLiteFusedActivation act, float* lo, float* hi);

/* round(value) clamped to [lo, hi]; rounds half away from zero. */
int32_t RoundClamp(double value, int32_t lo, int32_t hi);

/* Output size and leading padding of one spatial dimension, as TFLite
 * computes them for SAME and VALID padding. */
int ComputeOutSize(TfLitePadding padding, int in, int filter, int stride, int dilation);
int ComputePadding(int in, int filter, int stride, int dilation, int out);

/* Prints "ERR: <op>: <what>" and returns kTfLiteError. */
TfLiteStatus Fail(const char* op, const char* what);

/* A registration with only prepare and invoke. */
TfLiteRegistration MakeRegistration(TfLiteStatus (*prepare)(TfLiteContext*, TfLiteNode*),
                                    TfLiteStatus (*invoke)(TfLiteContext*, TfLiteNode*),
                                    int32_t builtin_code);

}  // namespace fake
}  // namespace tflite

#endif /* EIOTA_FAKE_KERNEL_UTIL_H */
