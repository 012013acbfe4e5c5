// Simulates a retrain of the same architecture.
#pragma once

#include <cstdint>

#include "model.h"

namespace fixturegen {

// Returns a copy of `model` as if retrained: every weight and bias value
// changes; every scale is multiplied by a factor in [0.8, 1.25]; about a third
// of the int8/uint8 activation zero points move (staying in range). Shapes,
// dtypes, graph, tensor order and non-weight constants (shape tensors) stay.
// Invariants of converted models are kept: ops that keep quantization
// (RESHAPE, pooling, PAD, SQUEEZE) keep input and output parameters equal;
// an int8 SOFTMAX output stays at 1/256 and -128; a bias whose scales were
// input scale x weight scale stays so. Deterministic for a given seed.
Model perturb(const Model& model, uint64_t seed);

// A fine-tuning retrain (transfer learning): only the last `layers` operators with weights
// (fully connected, conv, depthwise conv) are retrained. Their weights, biases and quantization,
// and the quantization of every activation from the first of them on, change as perturb() changes
// them; every tensor before stays bit for bit (frozen layers). A bias that followed the
// input scale x weight scale rule still does. Deterministic for a given seed.
Model perturb_last_layers(const Model& model, uint64_t seed, int layers);

}  // namespace fixturegen
