#include "eon_runtime.h"

namespace fixturegen {
namespace {

std::string registration_call(const std::string& key) {
  // Custom ops and codes without a name get the SDK's generic stub.
  if (key.rfind("CUSTOM_", 0) == 0 || key.rfind("BUILTIN_", 0) == 0) return "Register_UNSUPPORTED()";
  return "Register_" + key + "()";
}

// 2021 (2020 to mid-2023): one TfLiteTensor per model tensor, all bound by
// init from tensorData[]; input/output return pointers into that array.
std::string prologue_2021(const RuntimeInfo& rt) {
  std::string s;
  s += "\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n";
  s += "#include \"edge-impulse-sdk/tensorflow/lite/c/builtin_op_data.h\"\n";
  s += "#include \"edge-impulse-sdk/tensorflow/lite/c/common.h\"\n";
  s += "#include \"edge-impulse-sdk/tensorflow/lite/micro/micro_mutable_op_resolver.h\"\n";
  s += "#include \"edge-impulse-sdk/porting/ei_classifier_porting.h\"\n\n";
  s += "#if defined __GNUC__\n#define ALIGN(X) __attribute__((aligned(X)))\n";
  s += "#elif defined _MSC_VER\n#define ALIGN(X) __declspec(align(X))\n#endif\n\n";
  s += "using namespace tflite;\nusing namespace tflite::ops;\nusing namespace tflite::ops::micro;\n\n";
  s += "namespace {\n\n";
  s += "constexpr int kTensorArenaSize = " + std::to_string(rt.arena_size) + ";\n\n";
  s += "#if defined(EI_CLASSIFIER_ALLOCATION_STATIC)\n";
  s += "uint8_t tensor_arena[kTensorArenaSize] ALIGN(16);\n";
  s += "#else\n#define EI_CLASSIFIER_ALLOCATION_HEAP 1\nuint8_t* tensor_arena = NULL;\n#endif\n\n";
  s += "static uint8_t* tensor_boundary;\nstatic uint8_t* current_location;\n\n";
  s += "template <int SZ, class T> struct TfArray {\n  int sz; T elem[SZ];\n};\n";
  s += "enum used_operators_e {\n  ";
  for (const auto& key : rt.op_keys) s += "OP_" + key + ", ";
  s += " OP_LAST\n};\n";
  s += "struct TensorInfo_t { // what init copies into a TfLiteTensor\n";
  s += "  TfLiteAllocationType allocation_type;\n  TfLiteType type;\n  void* data;\n";
  s += "  TfLiteIntArray* dims;\n  size_t bytes;\n";
  if (rt.quant_field) s += "  TfLiteQuantization quantization;\n";
  s += "};\n";
  s += "struct NodeInfo_t { // what init copies into a TfLiteNode\n";
  s += "  struct TfLiteIntArray* inputs;\n  struct TfLiteIntArray* outputs;\n";
  s += "  void* builtin_data;\n  used_operators_e used_op_index;\n};\n\n";
  s += "TfLiteContext ctx{};\n";
  s += "TfLiteTensor tflTensors[" + std::to_string(rt.tensor_count) + "];\n";
  s += "TfLiteRegistration registrations[OP_LAST];\n";
  s += "TfLiteNode tflNodes[" + std::to_string(rt.node_count) + "];\n\n";
  return s;
}

// The start of the model's init: the arena, allocated or cleared, and the allocation cursors.
std::string init_opening(const std::string& f) {
  std::string s;
  s += "TfLiteStatus " + f + "_init( void*(*alloc_fnc)(size_t,size_t) ) {\n";
  s += "#ifdef EI_CLASSIFIER_ALLOCATION_HEAP\n";
  s += "  tensor_arena = (uint8_t*) alloc_fnc(16, kTensorArenaSize);\n";
  s += "  if (!tensor_arena) {\n    ei_printf(\"ERR: failed to allocate tensor arena\\n\");\n";
  s += "    return kTfLiteError;\n  }\n#else\n  (void)alloc_fnc;\n  memset(tensor_arena, 0, kTensorArenaSize);\n#endif\n";
  s += "  tensor_boundary = tensor_arena;\n  current_location = tensor_arena + kTensorArenaSize;\n";
  return s;
}

std::string epilogue_2021(const RuntimeInfo& rt) {
  const std::string tensors = std::to_string(rt.tensor_count);
  const std::string nodes = std::to_string(rt.node_count);
  const std::string& f = rt.symbol;
  std::string s;
  s += "\n// Persistent buffers come from the top of the arena; there is no heap fallback.\n";
  s += "static void* AllocatePersistentBuffer(struct TfLiteContext* ctx, size_t bytes) {\n";
  s += "  size_t padded = (bytes + 15) & ~(size_t)15;\n";
  s += "  if ((size_t)(current_location - tensor_boundary) < padded) {\n";
  s += "    ei_printf(\"ERR: no room for a persistent buffer of %d bytes in the tensor arena\\n\", (int)bytes);\n";
  s += "    return NULL;\n  }\n  current_location -= padded;\n  memset(current_location, 0, bytes);\n";
  s += "  return current_location;\n}\n\n";
  s += "static TfLiteTensor* GetTensor(const struct TfLiteContext* context, int tensor_idx) {\n";
  s += "  return &tflTensors[tensor_idx];\n}\n\n} // namespace\n\n";

  s += init_opening(f);
  s += "  ctx.AllocatePersistentBuffer = &AllocatePersistentBuffer;\n";
  s += "  ctx.GetTensor = &GetTensor;\n";
  s += "  ctx.tensors_size = " + tensors + ";\n";
  s += "  for (size_t i = 0; i < " + tensors + "; ++i) {\n";
  s += "    tflTensors[i].type = tensorData[i].type;\n    tflTensors[i].is_variable = false;\n";
  s += "#if defined(EI_CLASSIFIER_ALLOCATION_HEAP)\n";
  s += "    tflTensors[i].allocation_type = tensorData[i].allocation_type;\n#else\n";
  s += "    tflTensors[i].allocation_type = (tensor_arena <= tensorData[i].data && tensorData[i].data < tensor_arena + "
       "kTensorArenaSize) ? kTfLiteArenaRw : kTfLiteMmapRo;\n#endif\n";
  s += "    tflTensors[i].bytes = tensorData[i].bytes;\n    tflTensors[i].dims = tensorData[i].dims;\n";
  s += "#if defined(EI_CLASSIFIER_ALLOCATION_HEAP)\n";
  s += "    if (tflTensors[i].allocation_type == kTfLiteArenaRw) {\n";
  s += "      tflTensors[i].data.data = tensor_arena + ((uintptr_t)tensorData[i].data);\n";
  s += "    } else {\n      tflTensors[i].data.data = tensorData[i].data;\n    }\n#else\n";
  s += "    tflTensors[i].data.data = tensorData[i].data;\n#endif\n";
  if (rt.quant_field) {
    s += "    tflTensors[i].quantization = tensorData[i].quantization;\n";
    s += "    if (tflTensors[i].quantization.type == kTfLiteAffineQuantization) {\n";
    s += "      const TfLiteAffineQuantization* quant = (const TfLiteAffineQuantization*)tensorData[i].quantization.params;\n";
    s += "      tflTensors[i].params.scale = quant->scale->data[0];\n";
    s += "      tflTensors[i].params.zero_point = quant->zero_point->data[0];\n    }\n";
  } else {
    s += "    tflTensors[i].quantization.type = kTfLiteNoQuantization;\n";
  }
  s += "    if (tflTensors[i].allocation_type == kTfLiteArenaRw) {\n";
  s += "      uint8_t* data_end = (uint8_t*)tflTensors[i].data.data + tensorData[i].bytes;\n";
  s += "      if (data_end > tensor_boundary) {\n        tensor_boundary = data_end;\n      }\n    }\n  }\n";
  s += "  if (tensor_boundary > current_location) {\n";
  s += "    ei_printf(\"ERR: tensor arena is too small for the model\\n\");\n    return kTfLiteError;\n  }\n";
  for (const auto& key : rt.op_keys) s += "  registrations[OP_" + key + "] = " + registration_call(key) + ";\n";
  s += "\n  for (size_t i = 0; i < " + nodes + "; ++i) {\n";
  s += "    tflNodes[i].inputs = nodeData[i].inputs;\n    tflNodes[i].outputs = nodeData[i].outputs;\n";
  s += "    tflNodes[i].builtin_data = nodeData[i].builtin_data;\n";
  s += "    tflNodes[i].custom_initial_data = nullptr;\n    tflNodes[i].custom_initial_data_size = 0;\n";
  s += "    if (registrations[nodeData[i].used_op_index].init) {\n";
  s += "      tflNodes[i].user_data = registrations[nodeData[i].used_op_index].init(&ctx, "
       "(const char*)tflNodes[i].builtin_data, 0);\n    }\n  }\n";
  s += "  for (size_t i = 0; i < " + nodes + "; ++i) {\n";
  s += "    if (registrations[nodeData[i].used_op_index].prepare) {\n";
  s += "      TfLiteStatus status = registrations[nodeData[i].used_op_index].prepare(&ctx, &tflNodes[i]);\n";
  s += "      if (status != kTfLiteOk) {\n        return status;\n      }\n    }\n  }\n";
  s += "  return kTfLiteOk;\n}\n\n";

  s += "static const int inTensorIndices[] = {\n";
  for (int32_t i : rt.inputs) s += "  " + std::to_string(i) + ", \n";
  s += "};\nTfLiteTensor* " + f + "_input(int index) {\n  return &tflTensors[inTensorIndices[index]];\n}\n\n";
  s += "static const int outTensorIndices[] = {\n";
  for (int32_t i : rt.outputs) s += "  " + std::to_string(i) + ", \n";
  s += "};\nTfLiteTensor* " + f + "_output(int index) {\n  return &tflTensors[outTensorIndices[index]];\n}\n\n";

  s += "TfLiteStatus " + f + "_invoke() {\n";
  s += "  for (size_t i = 0; i < " + nodes + "; ++i) {\n";
  s += "    TfLiteStatus status = registrations[nodeData[i].used_op_index].invoke(&ctx, &tflNodes[i]);\n";
  s += "    if (status != kTfLiteOk) {\n      return status;\n    }\n  }\n  return kTfLiteOk;\n}\n\n";
  s += "TfLiteStatus " + f + "_reset( void (*free_fnc)(void* ptr) ) {\n";
  s += "#ifdef EI_CLASSIFIER_ALLOCATION_HEAP\n  free_fnc(tensor_arena);\n  tensor_arena = NULL;\n#else\n";
  s += "  (void)free_fnc;\n#endif\n  return kTfLiteOk;\n}\n";
  return s;
}

}  // namespace

std::string runtime_prologue(const RuntimeInfo& rt) {
  if (rt.era == Era::E2021) return prologue_2021(rt);
  const bool y2023 = rt.era == Era::E2023;
  std::string s;
  s += "\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n";
  s += "#include \"edge-impulse-sdk/tensorflow/lite/c/builtin_op_data.h\"\n";
  s += "#include \"edge-impulse-sdk/tensorflow/lite/c/common.h\"\n";
  s += "#include \"edge-impulse-sdk/tensorflow/lite/micro/micro_mutable_op_resolver.h\"\n";
  s += "#include \"edge-impulse-sdk/porting/ei_classifier_porting.h\"\n\n";
  s += "#if defined __GNUC__\n#define ALIGN(X) __attribute__((aligned(X)))\n";
  s += "#elif defined _MSC_VER\n#define ALIGN(X) __declspec(align(X))\n#endif\n\n";
  if (rt.era >= Era::E2025) {
    s += "#define STRINGIZE(x) #x\n#define STRINGIZE_VALUE_OF(x) STRINGIZE(x)\n\n";
    s += "#if defined(EI_MODEL_SECTION) && (defined(__GNUC__) || defined(__clang__))\n";
    s += "#define MODEL_SECTION(X) __attribute__((section(STRINGIZE_VALUE_OF(X))))\n";
    s += "#else\n#define MODEL_SECTION(X)\n#endif\n\n";
  }
  s += "using namespace tflite;\nusing namespace tflite::ops;\nusing namespace tflite::ops::micro;\n\n";
  s += "namespace {\n\n";
  s += "#if defined(EI_CLASSIFIER_ALLOCATION_STATIC_HIMAX) || defined(EI_CLASSIFIER_ALLOCATION_STATIC_HIMAX_GNU)\n";
  s += "constexpr int kTensorArenaSize = " + std::to_string(rt.arena_size + 1024) + ";\n#else\n";
  s += "constexpr int kTensorArenaSize = " + std::to_string(rt.arena_size) + ";\n#endif\n\n";
  s += "#if defined(EI_CLASSIFIER_ALLOCATION_STATIC)\n";
  s += "uint8_t tensor_arena[kTensorArenaSize] ALIGN(16);\n";
  s += "#else\n#define EI_CLASSIFIER_ALLOCATION_HEAP 1\nuint8_t* tensor_arena = NULL;\n#endif\n\n";
  s += "static uint8_t* tensor_boundary;\nstatic uint8_t* current_location;\n\n";
  s += "template <int SZ, class T> struct TfArray {\n  int sz; T elem[SZ];\n};\n";
  if (!y2023) s += "\n";
  s += "enum used_operators_e {\n  ";
  for (const auto& key : rt.op_keys) s += "OP_" + key + ", ";
  s += " OP_LAST\n};\n";
  if (!y2023) s += "\n";
  s += "struct TensorInfo_t { // what init copies into a TfLiteTensor\n";
  s += "  TfLiteAllocationType allocation_type;\n  TfLiteType type;\n  void* data;\n";
  s += "  TfLiteIntArray* dims;\n  size_t bytes;\n  TfLiteQuantization quantization;\n};\n";
  if (y2023) {
    s += "struct NodeInfo_t { // what init copies into a TfLiteNode\n";
    s += "  struct TfLiteIntArray* inputs;\n  struct TfLiteIntArray* outputs;\n";
    s += "  void* builtin_data;\n  used_operators_e used_op_index;\n};\n";
  }
  s += "\ntypedef struct {\n  TfLiteTensor tensor;\n  int16_t index;\n} TfLiteTensorWithIndex;\n\n";
  s += "TfLiteContext ctx{};\n";
  s += "static const int MAX_TFL_TENSOR_COUNT = 4;\n";
  s += "static TfLiteTensorWithIndex tflTensors[MAX_TFL_TENSOR_COUNT];\n";
  s += "TfLiteRegistration registrations[OP_LAST];\n";
  if (y2023) s += "TfLiteNode tflNodes[" + std::to_string(rt.node_count) + "];\n";
  s += "\n";
  return s;
}

std::string runtime_epilogue(const RuntimeInfo& rt) {
  if (rt.era == Era::E2021) return epilogue_2021(rt);
  const bool y2023 = rt.era == Era::E2023;
  const std::string tensors = std::to_string(rt.tensor_count);
  const std::string nodes = std::to_string(rt.node_count);
  const std::string& f = rt.symbol;
  std::string s;

  s += "\n// Binds TfLiteTensor `i` to its tensorData[] entry: data, dims and the first\n";
  s += "// scale and zero point of its quantization.\n";
  s += "static void init_tflite_tensor(size_t i, TfLiteTensor *tensor) {\n";
  s += "  tensor->type = tensorData[i].type;\n  tensor->is_variable = false;\n";
  s += "#if defined(EI_CLASSIFIER_ALLOCATION_HEAP)\n";
  s += "  tensor->allocation_type = tensorData[i].allocation_type;\n#else\n";
  s += "  tensor->allocation_type = (tensor_arena <= tensorData[i].data && tensorData[i].data < tensor_arena + "
       "kTensorArenaSize) ? kTfLiteArenaRw : kTfLiteMmapRo;\n#endif\n";
  s += "  tensor->bytes = tensorData[i].bytes;\n  tensor->dims = tensorData[i].dims;\n";
  s += "#if defined(EI_CLASSIFIER_ALLOCATION_HEAP)\n";
  s += "  // Heap builds keep arena offsets in the table; add the arena's address.\n";
  s += "  if (tensor->allocation_type == kTfLiteArenaRw) {\n";
  s += "    tensor->data.data = tensor_arena + ((uintptr_t)tensorData[i].data);\n";
  s += "  } else {\n    tensor->data.data = tensorData[i].data;\n  }\n#else\n";
  s += "  tensor->data.data = tensorData[i].data;\n#endif\n";
  s += "  tensor->quantization = tensorData[i].quantization;\n";
  s += "  if (tensor->quantization.type == kTfLiteAffineQuantization) {\n";
  s += "    const TfLiteAffineQuantization* quant = (const TfLiteAffineQuantization*)tensorData[i].quantization.params;\n";
  s += "    tensor->params.scale = quant->scale->data[0];\n";
  s += "    tensor->params.zero_point = quant->zero_point->data[0];\n  }\n}\n\n";

  s += "// Persistent buffers come from the top of the arena; there is no heap fallback.\n";
  s += "static void* AllocatePersistentBufferImpl(struct TfLiteContext* ctx, size_t bytes) {\n";
  s += "  size_t padded = (bytes + 15) & ~(size_t)15;\n";
  s += "  if ((size_t)(current_location - tensor_boundary) < padded) {\n";
  s += "    ei_printf(\"ERR: no room for a persistent buffer of %d bytes in the tensor arena\\n\", (int)bytes);\n";
  s += "    return NULL;\n  }\n  current_location -= padded;\n  memset(current_location, 0, bytes);\n";
  s += "  return current_location;\n}\n\n";

  s += "static const int16_t TENSOR_IX_UNUSED = 0x7FFF;\n\n";
  s += "static void ResetTensors() {\n  for (int ix = 0; ix < MAX_TFL_TENSOR_COUNT; ix++) {\n";
  s += "    tflTensors[ix].index = TENSOR_IX_UNUSED;\n  }\n}\n\n";
  s += "// Kernels fetch tensors here while a node runs; each is bound from tensorData[]\n";
  s += "// when first asked for, so a kernel sees what the table points at right now.\n";
  s += "static TfLiteTensor* GetTensorImpl(const struct TfLiteContext* context, int tensor_idx) {\n";
  if (!y2023) s += "  tensor_idx = tflTensors_subgraph_index[current_subgraph_index] + tensor_idx;\n";
  s += "  for (int ix = 0; ix < MAX_TFL_TENSOR_COUNT; ix++) {\n";
  s += "    if (tflTensors[ix].index == tensor_idx) {\n      return &tflTensors[ix].tensor;\n    }\n";
  s += "    if (tflTensors[ix].index == TENSOR_IX_UNUSED) {\n";
  s += "      init_tflite_tensor(tensor_idx, &tflTensors[ix].tensor);\n";
  s += "      tflTensors[ix].index = tensor_idx;\n      return &tflTensors[ix].tensor;\n    }\n  }\n";
  s += "  ei_printf(\"ERR: more than %d tensors in use by one node\\n\", MAX_TFL_TENSOR_COUNT);\n";
  s += "  return nullptr;\n}\n\n} // namespace\n\n";

  // init
  s += init_opening(f) + "\n";
  s += "  ctx.AllocatePersistentBuffer = &AllocatePersistentBufferImpl;\n";
  s += "  ctx.GetTensor = &GetTensorImpl;\n";
  s += "  ctx.tensors_size = " + tensors + ";\n";
  s += "  for (size_t i = 0; i < " + tensors + "; ++i) {\n";
  s += "    TfLiteTensor tensor;\n    init_tflite_tensor(i, &tensor);\n";
  s += "    if (tensor.allocation_type == kTfLiteArenaRw) {\n";
  s += "      uint8_t* data_end = (uint8_t*)tensor.data.data + tensorData[i].bytes;\n";
  s += "      if (data_end > tensor_boundary) {\n        tensor_boundary = data_end;\n      }\n    }\n  }\n";
  s += "  if (tensor_boundary > current_location) {\n";
  s += "    ei_printf(\"ERR: tensor arena is too small for the model\\n\");\n    return kTfLiteError;\n  }\n\n";
  for (const auto& key : rt.op_keys) s += "  registrations[OP_" + key + "] = " + registration_call(key) + ";\n";
  s += "\n";
  if (y2023) {
    s += "  for (size_t i = 0; i < " + nodes + "; ++i) {\n";
    s += "    tflNodes[i].inputs = nodeData[i].inputs;\n    tflNodes[i].outputs = nodeData[i].outputs;\n";
    s += "    tflNodes[i].builtin_data = nodeData[i].builtin_data;\n";
    s += "    tflNodes[i].custom_initial_data = nullptr;\n    tflNodes[i].custom_initial_data_size = 0;\n";
    s += "    if (registrations[nodeData[i].used_op_index].init) {\n";
    s += "      tflNodes[i].user_data = registrations[nodeData[i].used_op_index].init(&ctx, "
         "(const char*)tflNodes[i].builtin_data, 0);\n    }\n  }\n";
    s += "  for (size_t i = 0; i < " + nodes + "; ++i) {\n";
    s += "    if (registrations[nodeData[i].used_op_index].prepare) {\n      ResetTensors();\n";
    s += "      TfLiteStatus status = registrations[nodeData[i].used_op_index].prepare(&ctx, &tflNodes[i]);\n";
    s += "      if (status != kTfLiteOk) {\n        return status;\n      }\n    }\n  }\n";
  } else {
    s += "  for (size_t g = 0; g < 1; ++g) {\n    current_subgraph_index = g;\n";
    s += "    for (size_t i = tflNodes_subgraph_index[g]; i < tflNodes_subgraph_index[g+1]; ++i) {\n";
    s += "      if (registrations[used_ops[i]].init) {\n";
    s += "        tflNodes[i].user_data = registrations[used_ops[i]].init(&ctx, (const char*)tflNodes[i].builtin_data, 0);\n";
    s += "      }\n    }\n  }\n  current_subgraph_index = 0;\n\n";
    s += "  for (size_t g = 0; g < 1; ++g) {\n    current_subgraph_index = g;\n";
    s += "    for (size_t i = tflNodes_subgraph_index[g]; i < tflNodes_subgraph_index[g+1]; ++i) {\n";
    s += "      if (registrations[used_ops[i]].prepare) {\n        ResetTensors();\n";
    s += "        TfLiteStatus status = registrations[used_ops[i]].prepare(&ctx, &tflNodes[i]);\n";
    s += "        if (status != kTfLiteOk) {\n          return status;\n        }\n      }\n    }\n  }\n";
    s += "  current_subgraph_index = 0;\n";
  }
  s += "  return kTfLiteOk;\n}\n\n";

  // input / output
  const char* in_name = y2023 ? "inTensorIndices" : "in_tensor_indices";
  const char* out_name = y2023 ? "outTensorIndices" : "out_tensor_indices";
  if (y2023) {
    s += "static const int inTensorIndices[] = {\n";
    for (int32_t i : rt.inputs) s += "  " + std::to_string(i) + ", \n";
    s += "};\n";
  }
  s += "TfLiteStatus " + f + "_input(int index, TfLiteTensor *tensor) {\n";
  s += std::string("  init_tflite_tensor(") + in_name + "[index], tensor);\n  return kTfLiteOk;\n}\n\n";
  if (y2023) {
    s += "static const int outTensorIndices[] = {\n";
    for (int32_t i : rt.outputs) s += "  " + std::to_string(i) + ", \n";
    s += "};\n";
  }
  s += "TfLiteStatus " + f + "_output(int index, TfLiteTensor *tensor) {\n";
  s += std::string("  init_tflite_tensor(") + out_name + "[index], tensor);\n  return kTfLiteOk;\n}\n\n";

  // invoke / reset
  const std::string reg = y2023 ? "registrations[nodeData[i].used_op_index]" : "registrations[used_ops[i]]";
  s += "TfLiteStatus " + f + "_invoke() {\n";
  s += "  for (size_t i = 0; i < " + nodes + "; ++i) {\n    ResetTensors();\n\n";
  s += "    TfLiteStatus status = " + reg + ".invoke(&ctx, &tflNodes[i]);\n";
  s += "    if (status != kTfLiteOk) {\n      return status;\n    }\n  }\n  return kTfLiteOk;\n}\n\n";
  s += "TfLiteStatus " + f + "_reset( void (*free_fnc)(void* ptr) ) {\n";
  s += "#ifdef EI_CLASSIFIER_ALLOCATION_HEAP\n  free_fnc(tensor_arena);\n  tensor_arena = NULL;\n#else\n";
  s += "  (void)free_fnc;\n#endif\n  return kTfLiteOk;\n}\n";
  return s;
}

}  // namespace fixturegen
