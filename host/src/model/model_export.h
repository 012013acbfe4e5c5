// An export analysed: its EON model files, architecture, fingerprint and replaceable regions.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "eon_model.h"
#include "export_files.h"
#include "model_arch.h"

namespace eiota::host {

inline const char* kManifestName = "eiota-manifest.json";
inline const char* kRuntimeDir = "eiota/";

// A K-means array of anomaly_metadata.h: `const float NAME[N] = {...}` (scale, mean) or the
// clusters `const T NAME[N] = { { (float[D]) { ... }, radius }, ... }`, values as written.
struct AnomalyArray {
  std::string name, type;
  size_t begin = 0, end = 0;                   // byte span of the declaration in the header
  std::vector<std::vector<std::string>> rows;  // one row (a plain array), or one centroid per cluster
  std::vector<std::string> radii;              // clusters only
};

// A non-EON export's model: the whole TFLite flatbuffer as a byte array in a header
// (`trained_tflite[]`, `tflite_learn_N[]`) and its length variable.
struct InterpModel {
  std::string path;           // the header
  std::string array, length;  // names; `length` is "" when its type is not a 32-bit int
  std::string length_type;
  size_t array_begin = 0, array_end = 0, length_begin = 0, length_end = 0;  // declaration spans
  std::string array_init;     // the initialiser as written
  std::string bytes;
  size_t incbin_begin = 0, incbin_end = 0;  // 2025 exports: the INCBIN(...) statement, else empty
  int64_t arena = 0;          // `NAME_arena_size` (2023 on), what the interpreter allocates
  std::string section;        // `MODEL_SECTION(...)` of the array, kept on the factory copy
};

// An inference function named in a learning-block table of model_variables.h (2023 on):
// `&run_nn_inference`, the hook the SDK calls before every inference of that block.
struct InferFn {
  size_t begin = 0, end = 0;  // byte span of the function's name
  std::string name;
};

struct ModelExport {
  ExportFiles files;
  std::vector<std::string> model_paths;  // relative paths of the EON model files, sorted
  std::vector<EonModel> models;
  Arch arch;
  std::vector<Region> regions;           // the one region table, in payload order (payload_group)
  std::array<uint8_t, 16> fp{};
  bool patched = false;
  std::string variables_path;    // model-parameters/model_variables.h, "" if absent
  std::vector<size_t> config_const_offsets;  // `const` tokens to drop so config fields are writable
  std::string metadata_path;     // model-parameters/model_metadata.h
  std::string project_id;        // EI_CLASSIFIER_PROJECT_ID, for names Studio suffixes with it
  std::string anomaly_path;      // model-parameters/anomaly_metadata.h, "" if absent
  std::vector<AnomalyArray> anomaly;
  std::vector<AnomalyArray> scalers;  // data normalization arrays of model_variables.h (2025 on)
  std::vector<InterpModel> interp;  // non-EON models, one per block
  std::vector<InferFn> infer_fns;   // interpreter blocks' inference functions (run_nn_inference, run_gmm_anomaly)
  size_t learning_blocks_begin = 0; // where the first learning-block table is declared
};

// Payload order, defined here only: the regions of each model block in block order (EON tensors in
// structural order; a non-EON model, then its length), then the result configs of
// model_variables.h, the quantization macros of model_metadata.h, the K-means anomaly values and
// the StandardScaler arrays. analyze_export sorts `regions` by it; the patcher emits one device
// table per group in this order, and pack writes the payload in the manifest's order.
inline constexpr int kConfigGroup = 1 << 20;
int payload_group(const Region& r);

// Reads and analyses an export. Throws std::runtime_error with the file and the problem, e.g.
// for exports that are not EON-compiled.
ModelExport analyze_export(ExportFiles files);
ModelExport analyze_export(const std::string& path);

}  // namespace eiota::host
