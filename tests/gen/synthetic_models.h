// Built-in model recipes, so that fixtures exist without any .tflite file.
#pragma once

#include <string>
#include <vector>

#include "model.h"

namespace fixturegen {

struct SyntheticModel {
  Model model;
  std::vector<std::string> labels;  // default labels, one per output value
};

// "fc-int8": dense 8 -> 16 (ReLU) -> 16 (ReLU) -> 4, softmax, int8 with
//            per-tensor weights and int32 biases.
// "fc-float": the same network in float32.
// "conv-int8-perchannel": CONV_2D 3x3 (4 channels, per-channel int8 weights
//            and biases), MAX_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX.
// "fc-mixed": uint8 input, dense 8 -> 16 (ReLU) with uint8 weights (zero
//            point 128) and int32 bias; QUANTIZE to int16 (symmetric); dense
//            16 -> 4 with int8 weights and int64 bias; ADD of an int16
//            constant (per-class offset); DEQUANTIZE to float32.
// "fc-int8-renumbered": fc-int8 (same values) with its tensors in another
//            order and with other names, as another converter version writes it.
// "fc-int8-wide": fc-int8 with 12 inputs: another architecture.
// "fc-int8-large": dense 72 -> 1024 -> 224 -> 4, int8, about 300 KB of
//            weights (one tensor over 64 KB), the size of a small image model.
// Weights come from a fixed seed; int8 recipes are calibrated on random
// inputs in [-1, 1] and quantized the way the TFLite converter does.
// Throws std::runtime_error listing the known names for an unknown one.
SyntheticModel make_synthetic(const std::string& name);

std::vector<std::string> synthetic_names();

}  // namespace fixturegen
