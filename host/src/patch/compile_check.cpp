#include "compile_check.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <stdexcept>

#include "simulator.h"

namespace eiota::host {
namespace {

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct Run {
  int code;
  std::string out;
};

Run run(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {127, "cannot run " + cmd};
  Run r{0, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return r;
}

std::string find_compiler() {
  if (const char* c = std::getenv("EIOTA_CHECK_CXX"); c && *c) return c;
  for (const char* c : {"g++", "c++", "clang++"})
    if (run(std::string("command -v ") + c + " >/dev/null").code == 0) return c;
  return "";
}

bool is_code(const std::string& p) {
  for (const char* e : {".c", ".cc", ".cpp", ".h", ".hpp"})
    if (p.size() > std::strlen(e) && p.compare(p.size() - std::strlen(e), std::strlen(e), e) == 0) return true;
  return false;
}

// A temporary folder holding `f`, removed when done.
struct TempTree {
  std::filesystem::path dir;
  explicit TempTree(const ExportFiles& f, const std::string& tag) {
    std::string tmpl = (std::filesystem::temp_directory_path() / ("eiota-check-" + tag + "-XXXXXX")).string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary folder in " + std::filesystem::temp_directory_path().string());
    dir = tmpl;
    for (const auto& [path, text] : f.files) {
      if (!is_code(path) && path.find(".tflite") == std::string::npos) continue;
      std::filesystem::path p = dir / path;
      std::filesystem::create_directories(p.parent_path());
      std::ofstream(p, std::ios::binary) << text;
    }
  }
  ~TempTree() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

// The export's include paths: its root (model-parameters/, tflite-model/, eiota/), the folder
// holding edge-impulse-sdk/ and the SDK's third-party headers.
std::string include_flags(const ExportFiles& f, const std::filesystem::path& dir) {
  std::set<std::string> sdk_parents;
  for (const auto& [path, _] : f.files)
    if (size_t at = path.find("edge-impulse-sdk/"); at != std::string::npos && (at == 0 || path[at - 1] == '/'))
      sdk_parents.insert(path.substr(0, at));
  std::string inc = " -I" + quoted((dir / f.root).string()) + " -I" + quoted((dir / f.library).string());
  for (const std::string& p : sdk_parents) {
    std::filesystem::path sdk = dir / p / "edge-impulse-sdk";
    inc += " -I" + quoted((dir / p).string()) + " -I" + quoted(sdk.string());
    for (const char* sub : {"third_party/flatbuffers/include", "third_party/gemmlowp", "third_party/ruy", "CMSIS/Core/Include", "CMSIS/DSP/Include"})
      inc += " -I" + quoted((sdk / sub).string());
  }
  return inc;
}

Run compile(const std::string& cxx, const std::filesystem::path& dir, const std::string& inc, const std::string& path) {
  bool c = path.ends_with(".c");
  std::string lang = c ? " -x c -std=c11" : " -x c++ -std=c++14";
  std::string cc = c ? (cxx == "g++" ? std::string("gcc") : cxx == "clang++" ? std::string("clang") : cxx + " -x c") : cxx;
  return run(cc + lang + " -fsyntax-only -w " + kHostSdkDefines + inc +
             " -Wa,-I" + quoted(dir.string()) + " " + quoted((dir / path).string()));
}

}  // namespace

CompileCheck check_compiles(const ModelExport& x, const ExportFiles& patched) {
  CompileCheck res;
  res.compiler = find_compiler();
  if (res.compiler.empty()) {
    res.message = "not compiled: no g++ found (install one, or set EIOTA_CHECK_CXX)";
    return res;
  }
  std::vector<std::string> changed;
  for (const auto& [path, text] : patched.files)
    if (is_code(path) && (!x.files.has(path) || x.files.files.at(path) != text)) changed.push_back(path);
  // The library's main header includes everything: last, so an error names the file that has it.
  std::stable_partition(changed.begin(), changed.end(), [](const std::string& p) { return !p.ends_with("_inferencing.h"); });
  TempTree tree(patched, "patched");
  std::string inc = include_flags(patched, tree.dir);
  std::unique_ptr<TempTree> original;  // only when a patched header fails: did it compile alone before?
  for (const std::string& path : changed) {
    Run r = compile(res.compiler, tree.dir, inc, path);
    if (r.code != 0 && x.files.has(path) && !path.ends_with(".cpp") && !path.ends_with(".c")) {
      if (!original) original = std::make_unique<TempTree>(x.files, "original");
      if (compile(res.compiler, original->dir, include_flags(x.files, original->dir), path).code != 0) {
        res.notes.push_back(path + " (it does not compile on its own unpatched either)");
        continue;
      }
    }
    if (r.code != 0) {
      std::string msg = r.out;
      for (const std::filesystem::path& d : {tree.dir}) {
        std::string prefix = d.string() + "/";
        for (size_t at = msg.find(prefix); at != std::string::npos; at = msg.find(prefix, at)) msg.erase(at, prefix.size());
      }
      if (msg.size() > 4000) msg = msg.substr(0, 4000) + "\n...";
      throw std::runtime_error(x.files.origin + ": the patched " + path + " does not compile (" + res.compiler +
                               " -fsyntax-only); nothing written:\n" + msg);
    }
    res.files.push_back(path);
  }
  res.compiled = true;
  res.message = "compiled " + std::to_string(res.files.size()) + " changed files with " + res.compiler + " -fsyntax-only";
  return res;
}

}  // namespace eiota::host
