// Writes a Model as a TensorFlow Lite flatbuffer (.tflite), so that tests of
// the TFLite-interpreter (non-EON) path have models without any real file.
#pragma once

#include <cstdint>
#include <vector>

#include "model.h"

namespace fixturegen {

// Schema version 3, one subgraph, buffer 0 the empty sentinel, one buffer per
// constant tensor, operator codes in order of first use. Deterministic.
std::vector<uint8_t> write_tflite(const Model& model);

}  // namespace fixturegen
