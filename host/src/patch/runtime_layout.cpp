#include "runtime_layout.h"

#include <stdexcept>

#include "model_export.h"
#include "runtime_files.h"

namespace eiota::host {
namespace {

bool is_header(const std::string& name) { return name.size() > 2 && name.compare(name.size() - 2, 2, ".h") == 0; }

void add_new(ExportFiles& f, const std::string& path, std::string text) {
  if (f.has(path)) throw std::runtime_error(f.origin + ": " + path + " already exists; eiota's runtime would replace it");
  f.files[path] = std::move(text);
}

}  // namespace

std::string place_runtime(ExportFiles& f, const std::map<std::string, std::string>& generated) {
  const std::string dir = f.root + kRuntimeSourceDir, headers = f.root + kRuntimeDir;
  for (size_t i = 0; i < kRuntimeFilesCount; i++) {
    const std::string name = kRuntimeFiles[i].name;
    add_new(f, dir + name, std::string(kRuntimeFiles[i].data, kRuntimeFiles[i].size));
    if (is_header(name))
      add_new(f, headers + name,
              "// eiota: the runtime lives in " + std::string(kRuntimeSourceDir) + ", which every Edge Impulse build compiles.\n"
              "#include \"../" + std::string(kRuntimeSourceDir) + name + "\"\n");
  }
  for (const auto& [name, text] : generated) {
    if (name.rfind("eiota_", 0) != 0 || name.find('/') != std::string::npos)
      throw std::logic_error("runtime file " + name + " must be named eiota_* and sit in " + kRuntimeSourceDir);
    add_new(f, dir + name, text);
  }
  return "runtime: " + dir + "eiota_*.cpp (compiled by every EI build: Arduino, CMake, ESP-IDF, Zephyr, Makefile); "
         "include \"eiota/eiota_update.h\"";
}

}  // namespace eiota::host
