// Writes a model as an EON-compiled model file (.cpp and .h) in the shape
// Edge Impulse uses in a given year.
#pragma once

#include <cstddef>
#include <string>

#include "model.h"

namespace fixturegen {

// 2021: the 2020 to mid-2023 shape: `trained_model_*` functions that return
//       TfLiteTensor pointers, a full tflTensors[] array, ALIGN(8) constants,
//       and for models without quantized tensors, 5-field tensorData entries
//       (TensorInfo_t has no quantization member). Op table as in 2023.
// 2023: no namespace, `const TensorInfo_t tensorData[]`, NodeInfo_t
//       `nodeData[]` op table with used_op_index.
// 2024: declarations inside `namespace g0 { }`, non-const tensorData,
//       initialized `tflNodes[]` plus `used_ops[]`.
// 2025: as 2024, constants in `MODEL_SECTION(EI_MODEL_SECTION)`, and arrays
//       shared by value: a dims array, a zero-point array or a whole quant
//       struct equal to an earlier one is referenced, not written again.
// 2026: as 2025 (Studio 1.75 on, from Oct 2025); model_metadata.h changes only (library_writer).
enum class Era { E2021, E2023, E2024, E2025, E2026 };

struct EonFiles {
  std::string cpp;
  std::string h;
  size_t arena_size = 0;  // kTensorArenaSize
};

// `symbol` is the function prefix and file stem, e.g. "tflite_learn_13" or
// "tflite_learn_1234_13". `generated_on` goes into the "Generated on" line.
// Throws std::runtime_error for a model without operators.
EonFiles write_eon(const Model& model, Era era, const std::string& symbol, const std::string& generated_on);

// Text of the `used_operators_e` name for an operator, without "OP_".
std::string op_key(const Operator& op);

}  // namespace fixturegen
