// Reads a .tflite flatbuffer into a fixturegen::Model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model.h"

namespace fixturegen {

// Parses `bytes` (the content of `path`, used only in messages). Throws
// std::runtime_error naming the file and the problem for anything an
// EON-style export cannot hold: a corrupt buffer, several subgraphs, sparse or
// string tensors, constant data whose size does not match the shape.
Model read_tflite(const std::vector<uint8_t>& bytes, const std::string& path);

// Reads the file, then read_tflite().
Model read_tflite_file(const std::string& path);

}  // namespace fixturegen
