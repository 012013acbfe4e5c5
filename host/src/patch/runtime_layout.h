// Where `eiota patch` puts the device runtime inside a library, so that the firmware's own build
// compiles it without edits.
#pragma once

#include <map>
#include <string>

#include "export_files.h"

namespace eiota::host {

// The runtime's sources and headers go into <root>/tflite-model/, the one folder every known build
// of an Edge Impulse export compiles: Arduino (all of src/), EI's C++ library CMake, ESP-IDF and
// Zephyr projects (tflite-model/**/*.cpp) and EI's Makefile (tflite-model/*.cpp, not recursive).
// <root>/eiota/ holds one forwarding header per runtime header, so "eiota/eiota_update.h" and the
// patched files' "eiota/eiota_model.h" resolve wherever the export root is an include folder
// (every build needs it for "tflite-model/..." and "model-parameters/...").
inline constexpr const char* kRuntimeSourceDir = "tflite-model/";

// Adds the device runtime and `generated` (file name -> text, each named eiota_*) to `f`.
// Returns the line `patch` prints about it. Throws std::runtime_error if the export already holds
// a file of that name.
std::string place_runtime(ExportFiles& f, const std::map<std::string, std::string>& generated);

}  // namespace eiota::host
