#include "model.h"

#include "tflite_subset_generated.h"

namespace fixturegen {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::Float32: case DType::Int32: case DType::UInt32: return 4;
    case DType::Int64: case DType::UInt64: case DType::Float64: return 8;
    case DType::Int16: case DType::UInt16: return 2;
    case DType::UInt8: case DType::Int8: case DType::Bool: return 1;
  }
  return 1;
}

const char* dtype_c_name(DType t) {
  switch (t) {
    case DType::Float32: return "float";
    case DType::Int32: return "int32_t";
    case DType::UInt8: return "uint8_t";
    case DType::Int64: return "int64_t";
    case DType::Bool: return "bool";
    case DType::Int16: return "int16_t";
    case DType::Int8: return "int8_t";
    case DType::Float64: return "double";
    case DType::UInt64: return "uint64_t";
    case DType::UInt32: return "uint32_t";
    case DType::UInt16: return "uint16_t";
  }
  return "uint8_t";
}

const char* dtype_tflite_enum(DType t) {
  switch (t) {
    case DType::Float32: return "kTfLiteFloat32";
    case DType::Int32: return "kTfLiteInt32";
    case DType::UInt8: return "kTfLiteUInt8";
    case DType::Int64: return "kTfLiteInt64";
    case DType::Bool: return "kTfLiteBool";
    case DType::Int16: return "kTfLiteInt16";
    case DType::Int8: return "kTfLiteInt8";
    case DType::Float64: return "kTfLiteFloat64";
    case DType::UInt64: return "kTfLiteUInt64";
    case DType::UInt32: return "kTfLiteUInt32";
    case DType::UInt16: return "kTfLiteUInt16";
  }
  return "kTfLiteNoType";
}

size_t Tensor::element_count() const {
  size_t n = 1;
  for (int32_t d : shape) n *= static_cast<size_t>(d < 0 ? 0 : d);
  return n;
}

std::string builtin_name(int code) {
  if (code >= 0 && code <= static_cast<int>(tflite::BuiltinOperator::MAX)) {
    const char* name = tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(code));
    if (name && *name) return name;
  }
  return "OP_" + std::to_string(code);
}

}  // namespace fixturegen
