#include "simulator.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "export_files.h"
#include "runtime_files.h"

namespace fs = std::filesystem;

namespace eiota::host {
namespace {

const char* kDefines =
    "-DTF_LITE_DISABLE_X86_NEON=1 -DEIDSP_USE_CMSIS_DSP=0 -DEI_CLASSIFIER_TFLITE_ENABLE_CMSIS_NN=0 "
    "-DEI_PORTING_POSIX=1 -DEIDSP_QUANTIZE_FILTERBANK=0 -DNDEBUG";

bool is_source(const fs::path& p) {
  std::string e = p.extension().string();
  return e == ".c" || e == ".cc" || e == ".cpp";
}

std::vector<std::string> sources_in(const fs::path& dir, bool recursive, const std::vector<fs::path>& skip = {}) {
  std::vector<std::string> out;
  if (!fs::is_directory(dir)) return out;
  if (!recursive) {
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && is_source(e.path())) out.push_back(e.path().string());
  } else {
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
      bool skipped = false;
      for (const auto& s : skip) skipped |= it->path() == s;
      if (skipped) { it.disable_recursion_pending(); continue; }
      if (it->is_regular_file() && is_source(it->path())) out.push_back(it->path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The folder holding model-parameters/ (shortest path wins: the export's own, not a copy inside).
fs::path find_root(const fs::path& dir) {
  fs::path best;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_directory() && e.path().filename() == "model-parameters")
      if (best.empty() || e.path().string().size() < best.string().size()) best = e.path();
  if (best.empty()) throw std::runtime_error(dir.string() + ": no model-parameters/ folder: not an Edge Impulse export");
  return best.parent_path();
}

// Writes the embedded simulator sources (sim/) that match `prefix` under `dir`.
void write_sim_files(const fs::path& dir) {
  for (size_t i = 0; i < kSimFilesCount; i++) {
    fs::path p = dir / kSimFiles[i].name;
    fs::create_directories(p.parent_path());
    std::string want(kSimFiles[i].data, kSimFiles[i].size);
    if (fs::exists(p) && read_file(p.string()) == want) continue;  // keep timestamps for make
    write_file_atomic(p.string(), want);
  }
}

fs::path unpack_if_zip(const std::string& path, const fs::path& cache) {
  if (fs::is_directory(path)) return fs::absolute(path);
  ExportFiles e = load_export(path);
  fs::path dir = cache / "src";
  for (const auto& [name, data] : e.files) {
    fs::path p = dir / name;
    fs::create_directories(p.parent_path());
    if (fs::exists(p) && read_file(p.string()) == data) continue;
    write_file_atomic(p.string(), data);
  }
  return dir;
}

std::string object_name(const std::string& src) {
  return std::to_string(std::hash<std::string>{}(src) % 1000000007) + "_" + fs::path(src).filename().string() + ".o";
}

}  // namespace

RunResult run_command(const std::string& cmd) {
  std::string full = cmd + " 2>&1";
  FILE* p = popen(full.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run: " + cmd);
  RunResult r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return r;
}

void build_simulator(const SimBuild& b) {
  fs::path out = fs::absolute(b.out);
  fs::path objs = out.string() + ".objs";
  fs::create_directories(objs);
  fs::path root = find_root(unpack_if_zip(b.export_path, objs));
  fs::path sdk = root / "edge-impulse-sdk";
  write_sim_files(objs / "sim");

  std::vector<std::string> srcs = sources_in(root / "tflite-model", false);
  for (const auto& s : sources_in(sdk, true, {sdk / "CMSIS", sdk / "porting", sdk / "third_party"})) srcs.push_back(s);
  std::vector<std::string> porting = sources_in(sdk / "porting", false);  // a port of the SDK's own
  if (porting.empty()) porting = sources_in(sdk / "porting" / "posix", true);
  if (porting.empty()) porting = {(objs / "sim" / "sim_porting.cpp").string()};
  srcs.insert(srcs.end(), porting.begin(), porting.end());
  srcs.push_back((objs / "sim" / "sim_cmsis_stubs.cpp").string());

  std::string defs = kDefines, incs;
  if (fs::exists(root / "eiota" / "eiota_update.h")) {
    for (const auto& s : sources_in(root / "eiota", false)) srcs.push_back(s);
    defs += " -DEIOTA_SIM_PATCHED=1";
  }
  if (!b.sketch.empty()) {
    fs::path ino = objs / (fs::path(b.sketch).stem().string() + ".ino.cpp");
    std::string text = read_file(b.sketch);
    if (!fs::exists(ino) || read_file(ino.string()) != text) write_file_atomic(ino.string(), text);
    srcs.push_back(ino.string());
    srcs.push_back((objs / "sim" / "arduino" / "arduino_main.cpp").string());
    defs += " -DEIOTA_HOST_ARDUINO_SHIM=\\\"Arduino.h\\\"";
    incs = "-I" + (objs / "sim" / "arduino").string() + " -include Arduino.h";
  } else {
    srcs.push_back((objs / "sim" / "sim_main.cpp").string());
  }

  std::ostringstream mk;
  std::string inc = "-I" + root.string() + " -I" + sdk.string() + " -I" + (sdk / "third_party/flatbuffers/include").string() +
                    " -I" + (sdk / "third_party/gemmlowp").string() + " -I" + (sdk / "third_party/ruy").string() +
                    " -I" + (sdk / "CMSIS/Core/Include").string() + " -I" + (sdk / "CMSIS/DSP/Include").string();  // 2021 SDKs
  inc += " -Wa,-I" + root.string();  // INCBIN model files (Studio 2025) are named from the export root
  mk << "CXXFLAGS := -std=c++14 -O2 -w " << defs << " " << incs << " " << inc << "\n"
     << "CFLAGS := -std=c11 -O2 -w " << defs << " " << inc << "\n";
  // Model files linked with INCBIN are not in the compiler's dependency lists: the export's own
  // sources depend on them here, so a retrained .tflite is never served from a stale object.
  std::string models;
  for (const auto& e : fs::directory_iterator(root / "tflite-model"))
    if (e.path().extension() == ".tflite") models += " " + e.path().string();
  std::string all;
  for (const auto& s : srcs) {
    std::string o = (objs / object_name(s)).string();
    all += " " + o;
    bool c = fs::path(s).extension() == ".c";
    bool in_sdk = s.rfind(sdk.string() + "/", 0) == 0;
    mk << o << ": " << s << (in_sdk ? "" : models) << "\n\t@" << (b.progress ? "echo '  compile " + fs::path(s).filename().string() + "' >&2; " : "")
       << (c ? "$(CC) $(CFLAGS)" : "$(CXX) $(CXXFLAGS)") << " -MMD -c $< -o $@\n";
  }
  mk << out.string() << ":" << all << "\n\t@$(CXX) -o $@ $^ -lm\n-include " << objs.string() << "/*.d\n";
  fs::path makefile = objs / "Makefile";
  write_file_atomic(makefile.string(), mk.str());
  if (b.progress)
    fprintf(stderr, "eiota: building %s from %zu sources (%s; first build of a full SDK takes a minute or two)\n",
            out.filename().c_str(), srcs.size(), root.c_str());
  long jobs = sysconf(_SC_NPROCESSORS_ONLN);
  std::string cmd = "make -s -f '" + makefile.string() + "' -j" + std::to_string(jobs > 0 ? jobs : 1) + " '" + out.string() + "'";
  int status = std::system(cmd.c_str());
  if (status != 0) throw std::runtime_error(b.export_path + ": the host build failed (see the compiler output above)");
}

}  // namespace eiota::host
