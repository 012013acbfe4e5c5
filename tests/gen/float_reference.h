// A small float interpreter for the synthetic recipes: runs a float32 model
// to calibrate activation ranges before quantizing it.
#pragma once

#include <vector>

#include "model.h"

namespace fixturegen {

// Runs `model` (float32 tensors; FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D,
// MAX_POOL_2D, AVERAGE_POOL_2D, RESHAPE, SOFTMAX, ADD of equal shapes, and
// QUANTIZE / DEQUANTIZE as identities) on `input` and returns the value of
// every tensor (constants included), indexed like model.tensors.
std::vector<std::vector<float>> run_float(const Model& model, const std::vector<float>& input);

std::vector<float> tensor_floats(const Tensor& t);
void set_tensor_floats(Tensor& t, const std::vector<float>& values);

}  // namespace fixturegen
