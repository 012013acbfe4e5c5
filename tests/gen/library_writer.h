// Assembles a complete Edge Impulse-style library (model, parameters, fake
// SDK, in one of the layouts firmware projects use) as a set of files in memory.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eon_writer.h"
#include "model.h"

namespace fixturegen {

// Arduino: library.properties, src/, examples/. Cpp: the export at the root (EI's C++ library,
// an ESP-IDF or Zephyr project). Zephyr: the export under ei-model/ (EI's nRF firmwares).
// Split: the model in src/edge-impulse/model/, the SDK in src/edge-impulse-sdk/.
enum class Layout { Arduino, Cpp, Zephyr, Split };

struct ExportOptions {
  Era era = Era::E2024;
  Layout layout = Layout::Arduino;
  std::string name = "demo";  // library is <name>_inferencing
  int project_id = 1234;
  int block = 13;             // learning block id (tflite_learn_<block>)
  int deploy_version = 1;
  std::vector<std::string> labels;  // one per output value
  bool kmeans = false;        // a K-means anomaly block (anomaly_metadata.h, anomaly_clusters.h in 2021)
  uint64_t anomaly_seed = 0;  // varies the K-means values, as a retrain does
};

// Relative path ("src/model-parameters/model_metadata.h") -> content. Sorted,
// so writing it out is deterministic.
using FileSet = std::map<std::string, std::string>;

// Throws std::runtime_error when the options do not fit the model (label
// count, names that cannot appear in C identifiers or strings).
FileSet build_export(const Model& model, const ExportOptions& options);

}  // namespace fixturegen
