// In-memory network description used by eiota-fixture-gen: what a .tflite file
// or a synthetic recipe provides, and what an EON-style export is written from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fixturegen {

// Values follow the TFLite format's TensorType enum.
enum class DType : int8_t {
  Float32 = 0,
  Int32 = 2,
  UInt8 = 3,
  Int64 = 4,
  Bool = 6,
  Int16 = 7,
  Int8 = 9,
  Float64 = 10,
  UInt64 = 12,
  UInt32 = 15,
  UInt16 = 16,
};

size_t dtype_size(DType t);
// C element type written in the model file, e.g. "int8_t".
const char* dtype_c_name(DType t);
// TfLiteType enumerator, e.g. "kTfLiteInt8".
const char* dtype_tflite_enum(DType t);

// Affine quantization: real = scale * (q - zero_point). Per-channel tensors
// have one scale and zero point per slice along quantized_dimension.
struct Quant {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int quantized_dimension = 0;
  bool operator==(const Quant&) const = default;
};

struct Tensor {
  std::string name;
  std::vector<int32_t> shape;
  DType type = DType::Float32;
  // Constant data, little-endian as in the flatbuffer; empty for activations.
  std::vector<uint8_t> data;
  std::optional<Quant> quant;

  bool is_constant() const { return !data.empty(); }
  size_t element_count() const;
  size_t byte_size() const { return element_count() * dtype_size(type); }
};

// Values follow the TFLite format's enums.
enum class Padding : int8_t { Same = 0, Valid = 1 };
enum class Activation : int8_t { None = 0, Relu = 1, ReluN1To1 = 2, Relu6 = 3, Tanh = 4, SignBit = 5 };

// Builtin options of the operators that EON writes an opdata struct for.
struct OpOptions {
  Padding padding = Padding::Same;
  int stride_w = 1, stride_h = 1;
  int dilation_w = 1, dilation_h = 1;
  int depth_multiplier = 1;
  int filter_w = 1, filter_h = 1;
  Activation activation = Activation::None;
  float beta = 1.0f;               // SOFTMAX
  bool keep_num_dims = false;      // FULLY_CONNECTED
  bool asymmetric_quantize_inputs = false;
  int weights_format = 0;          // FULLY_CONNECTED
  int axis = 0;                    // CONCATENATION
  bool pot_scale_int16 = true;     // ADD / SUB
  std::vector<int32_t> new_shape;  // RESHAPE (may be empty)
  bool has_options = false;        // the flatbuffer carried an options table
};

struct Operator {
  int builtin_code = 0;       // TFLite BuiltinOperator value
  std::string custom_code;    // for CUSTOM (32)
  std::vector<int32_t> inputs;   // -1 = optional input left out
  std::vector<int32_t> outputs;
  OpOptions options;
};

struct Model {
  std::string source;  // file name or synthetic recipe, for messages
  std::vector<Tensor> tensors;
  std::vector<Operator> operators;  // execution order
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
};

// Operator codes used by name in the generator.
namespace op {
constexpr int kAdd = 0, kAveragePool2D = 1, kConcatenation = 2, kConv2D = 3, kDepthwiseConv2D = 4,
              kFullyConnected = 9, kMaxPool2D = 17, kMul = 18, kReshape = 22, kSoftmax = 25,
              kCustom = 32, kPad = 34, kSub = 41, kQuantize = 114, kDequantize = 6;
}

// "FULLY_CONNECTED" etc.; "OP_<code>" for codes the schema does not name.
std::string builtin_name(int code);

}  // namespace fixturegen
