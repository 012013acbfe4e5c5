// An EON-compiled model file (`tflite-model/*_compiled.cpp`) read structurally: arrays, quant
// structs, the tensor table and the operator list, resolved by name.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cpp_decls.h"

namespace eiota::host {

// A `const <type> name[...] = {...}` array or a `TfArray<N, T> name = { n, {...} }`.
struct ValueArray {
  std::string name;
  std::string qualified;       // how code at file end names it: "g0::tensor_data3"
  uint8_t elem_type = 0;       // eiota::ElemType
  uint32_t count = 0;
  std::vector<uint8_t> bytes;  // little-endian values, exactly as the compiler would store them
  bool is_tfarray = false;
};

struct EonTensor {
  int index = 0;
  bool constant = false;       // kTfLiteMmapRo
  std::string dtype;           // "kTfLiteInt8", ...
  std::vector<int> dims;
  uint64_t bytes = 0;
  std::string data_array;      // constant: name of its value array
  std::string quant;           // name of its TfLiteAffineQuantization, "" if none
  std::string scale_array, zero_array;
  int quant_dim = 0;
  size_t data_expr_first = 0, data_expr_last = 0;    // tokens of the entry's data pointer
  size_t quant_expr_first = 0, quant_expr_last = 0;  // tokens of the quantization params pointer
};

struct EonOp {
  std::string kind;            // "CONV_2D"
  std::string options;         // "TfLiteConvParams { kTfLitePaddingSame , 2 , 2 , ... }"
  std::vector<int> inputs, outputs;
};

struct EonModel {
  Source src;
  std::string stem;            // "tflite_learn_3" (the file name without _compiled.cpp)
  std::map<std::string, ValueArray> arrays;
  std::vector<EonTensor> tensors;
  std::vector<EonOp> ops;
  std::vector<int> inputs, outputs;
  int64_t arena_size = 0;
  std::string init_function;   // "tflite_learn_3_init"
  size_t init_body_open = 0;   // token of the init function's '{'
  size_t tensor_table_first = 0;  // first token of the tensorData declaration

  const ValueArray& array(const std::string& name) const;
};

// Reads an EON model file. Throws std::runtime_error naming the file and the problem.
EonModel read_eon_model(const std::string& path, std::string text);

// The element type of a TfLiteType name, 0 if unsupported.
uint8_t elem_type_of_tflite(const std::string& dtype);

}  // namespace eiota::host
