// The graph of a TFLite flatbuffer (a non-EON export's model array), in the same structural order
// and terms as an EON model's, so two exports can be compared.
#pragma once

#include <string>

#include "model_arch.h"

namespace eiota::host {

// Throws std::runtime_error naming `what` when the bytes are not a valid single-subgraph model.
ArchBlock tflite_graph(const std::string& bytes, const std::string& what);

}  // namespace eiota::host
