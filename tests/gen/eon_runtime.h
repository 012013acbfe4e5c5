// The non-table parts of a generated EON model file: arena, tensor binding
// and the init/input/output/invoke/reset functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "eon_writer.h"

namespace fixturegen {

struct RuntimeInfo {
  Era era = Era::E2024;
  std::string symbol;                // "tflite_learn_13"
  size_t arena_size = 0;
  size_t tensor_count = 0;
  size_t node_count = 0;
  std::vector<std::string> op_keys;  // used_operators_e entries without "OP_"
  bool quant_field = true;           // TensorInfo_t has a quantization member
  std::vector<int32_t> inputs, outputs;
};

// From the includes to just before the tensor declarations.
std::string runtime_prologue(const RuntimeInfo& rt);
// From after the op tables to the end of the file.
std::string runtime_epilogue(const RuntimeInfo& rt);

}  // namespace fixturegen
