// `eiota patch` checks its own output: every file it changed or added is compiled on the host
// before patch reports success.
#pragma once

#include <string>
#include <vector>

#include "export_files.h"
#include "model_export.h"

namespace eiota::host {

// What the compile check of a patched library found.
struct CompileCheck {
  bool compiled = false;        // false: no compiler (then `message` says so)
  std::string compiler;
  std::vector<std::string> files;  // the files compiled
  std::vector<std::string> notes;  // headers that do not compile on their own, unpatched either
  std::string message;
};

// Compiles (-fsyntax-only, on the host) every file `patched` changed or added relative to the
// export `x`, with the export's include paths, in a temporary folder. Throws std::runtime_error
// naming the file and the compiler's message when one does not compile.
CompileCheck check_compiles(const ModelExport& x, const ExportFiles& patched);

}  // namespace eiota::host
