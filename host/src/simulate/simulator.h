// Building an export on the host with the SDK inside it, and running it: the engine of
// `eiota simulate`. Object files are cached by content (source, flags, every header it read),
// so a rebuild takes seconds and two exports sharing an SDK compile it once.
#pragma once

#include <string>
#include <vector>

namespace eiota::host {

// The SDK configured for a host compiler: what the simulator builds with and patch's compile check uses.
inline constexpr const char* kHostSdkDefines =
    "-DTF_LITE_DISABLE_X86_NEON=1 -DEIDSP_USE_CMSIS_DSP=0 -DEI_CLASSIFIER_TFLITE_ENABLE_CMSIS_NN=0 "
    "-DEI_PORTING_POSIX=1 -DEIDSP_QUANTIZE_FILTERBANK=0 -DNDEBUG";

struct SimBuild {
  std::string export_path;  // folder or zip, patched or not
  std::string out;          // the executable to write; objects go to `out`.objs/
  std::string sketch;       // optional .ino: built on the host Arduino shim instead of the simulator
  bool progress = true;     // one line per compiled file on stderr, only when something compiles
  std::string objects;      // object store shared by builds (default `out`.objs/cache): keyed by content
};

// Throws std::runtime_error naming the export or the failing step.
void build_simulator(const SimBuild& b);

struct RunResult {
  int code = 0;
  std::string out;
};

RunResult run_command(const std::string& cmd);

// `text` split at newlines (what a simulator run printed, a samples file).
std::vector<std::string> split_lines(const std::string& text);

}  // namespace eiota::host
