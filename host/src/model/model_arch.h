// The architecture of an export in structural order, its fingerprint, its replaceable regions,
// and a readable diff between two architectures.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eon_model.h"

namespace eiota::host {

struct ArchTensor {
  std::string dtype;
  std::vector<int> dims;
  bool constant = false;
  uint64_t bytes = 0;
  uint32_t nscale = 0, nzero = 0;
  int qdim = 0;
  std::string fixed_hex;   // values of shape/index constants, which are architecture
  int export_index = 0;    // tensorData index in this export (not compared)
};

struct ArchOp {
  std::string kind, options;
  std::vector<int> inputs, outputs;  // structural tensor numbers
};

struct ArchBlock {
  std::string stem;        // not compared: Studio versions rename files
  int64_t arena = 0;
  std::vector<ArchOp> ops;
  std::vector<ArchTensor> tensors;  // structural order
  std::vector<int> inputs, outputs;
  int first_unused = -1;   // tensors from here on are used by no operator: matched by export order
};

struct Arch {
  std::vector<ArchBlock> blocks;
  std::vector<std::string> labels;
  bool interpreter = false;                // non-EON: the TFLite interpreter runs a flatbuffer
  std::map<std::string, std::string> dsp;  // DSP config declaration -> "field=value; ..." or its items
  std::map<std::string, std::string> settings;  // impulse settings of model_metadata.h (read_settings)
  // Quantization macros the SDK reads (2021-22 model_metadata.h): not replaceable yet, so they
  // must not change.
  std::map<std::string, std::string> outside_quant;
  // `.scale` / `.zero_point` fields of result configs in model_variables.h ("decl.field type"):
  // the SDK reads them outside the model, so they are regions too.
  std::vector<std::string> config_fields;
  // K-means anomaly and data normalization (StandardScaler) arrays: declaration -> its shape
  // (replaceable), or -> a hash of its values (what eiota does not replace: axes), so a retrain
  // that changes the latter is refused.
  std::map<std::string, std::string> anomaly;
};

struct Region {
  enum Kind { kData, kScale, kZero, kConfig, kAnomaly, kMacro, kModel, kModelLength, kScaler };
  std::string name;        // "b0.t12.scale"
  int block = 0;
  int tensor = 0;          // structural number
  int export_tensor = 0;   // tensorData index in the export it was read from
  Kind kind = kData;
  uint8_t elem_type = 0;
  uint32_t count = 0;
  std::string array;       // the export's array holding the values ("quant2_zero", "cfg.scale")
  // What in the export's source the values belong to; the patcher derives the C++ from it.
  struct Binding {
    enum To {
      kTensor,     // an EON tensor's data or quantization array `symbol` (a TfArray when `tfarray`)
      kArray,      // a float array `symbol[count]` (K-means scale/mean, StandardScaler)
      kField,      // the member `field` of the struct `symbol`, or of `symbol[index]` when index >= 0
      kCentroids,  // the centroids of the K-means cluster array `symbol`, row after row
      kMacro,      // the #define `symbol` of model_metadata.h
      kModel,      // a non-EON model's byte array `symbol`
      kVariable,   // a scalar variable `symbol` (a non-EON model's length)
    };
    To to = kTensor;
    std::string symbol;  // as code at the end of the declaring file names it ("g0::tensor_data3")
    std::string field = "";
    int index = -1;
    bool tfarray = false;
  };
  Binding bind;
  std::vector<uint8_t> values;
  // Set by `eiota patch` (and read back from its manifest): the device table's EIOTA_REGION_*
  // flags and where a slot keeps the values (device/eiota_slot_layout.h); 0 in older manifests.
  uint8_t flags = 0;
  uint32_t slot_offset = 0;
};

// Builds block `b` of an architecture from a model file and lists its regions.
ArchBlock build_block(const EonModel& m, int b, std::vector<Region>* regions);

std::string arch_text(const Arch& a);
std::array<uint8_t, 16> fingerprint(const Arch& a);

// What differs, one line each, empty when compatible. `base` is the deployed model. Differences
// the deployed firmware cannot see go to `notes` when given.
std::vector<std::string> arch_diff(const Arch& base, const Arch& next, std::vector<std::string>* notes = nullptr);

const char* kind_name(Region::Kind k);
std::string hex(const uint8_t* p, size_t n);

}  // namespace eiota::host
