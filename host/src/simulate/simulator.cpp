#include "simulator.h"

#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "export_files.h"
#include "runtime_files.h"

namespace fs = std::filesystem;

namespace eiota::host {
namespace {


// The interpreter's Invoke, wrapped at link time in non-EON builds to capture the raw outputs.
const char* kInvokeSymbol = "_ZN6tflite16MicroInterpreter6InvokeEv";

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string hex_sha256(const std::string& data) {
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  static const char* x = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 20; i++) s += {x[d[i] >> 4], x[d[i] & 15]};
  return s;
}

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

void write_if_changed(const fs::path& p, const std::string& want) {
  fs::create_directories(p.parent_path());
  if (fs::exists(p) && read_file(p.string()) == want) return;
  write_file_atomic(p.string(), want);
}

// Writes the embedded simulator sources (sim/) under `dir`.
// Also the runtime's headers under eiota_rt/: the simulator's main computes self-test outputs with
// the device's own glue (eiota_selftest_ei.h), for unpatched exports too.
void write_sim_files(const fs::path& dir) {
  for (size_t i = 0; i < kSimFilesCount; i++)
    write_if_changed(dir / kSimFiles[i].name, std::string(kSimFiles[i].data, kSimFiles[i].size));
  for (size_t i = 0; i < kRuntimeFilesCount; i++) {
    std::string name = kRuntimeFiles[i].name;
    if (name.size() > 2 && name.compare(name.size() - 2, 2, ".h") == 0)
      write_if_changed(dir / "eiota_rt" / name, std::string(kRuntimeFiles[i].data, kRuntimeFiles[i].size));
  }
}

// A zip entry name that would land outside the folder it is unpacked to ("../x", "/etc/x", "C:x").
bool escapes(const std::string& name) {
  if (name.empty() || name[0] == '/' || name[0] == '\\' || (name.size() > 1 && name[1] == ':')) return true;
  std::string part;
  std::istringstream in(name);
  while (std::getline(in, part, '/'))
    if (part == ".." || part.find('\\') != std::string::npos) return true;
  return false;
}

fs::path unpack_if_zip(const std::string& path, const fs::path& cache) {
  if (fs::is_directory(path)) return fs::absolute(path);
  ExportFiles e = load_export(path);
  for (const auto& f : e.files)
    if (escapes(f.first))
      throw std::runtime_error(path + ": zip entry '" + f.first +
                               "' points outside the folder it is unpacked to; refusing to unpack it");
  fs::path dir = cache / "src";
  for (const auto& [name, data] : e.files) write_if_changed(dir / name, data);
  // Files of an earlier zip unpacked here would otherwise be compiled with this one.
  if (fs::exists(dir)) {
    std::vector<fs::path> stale;
    for (const auto& f : fs::recursive_directory_iterator(dir))
      if (f.is_regular_file() && !e.files.count(fs::relative(f.path(), dir).generic_string())) stale.push_back(f.path());
    for (const auto& p : stale) fs::remove(p);
  }
  return dir;
}

struct Source {
  Source(std::string p, std::string flags = "", bool m = false) : path(std::move(p)), extra(std::move(flags)), model(m) {}
  std::string path;
  std::string extra;   // flags for this file only
  bool model = false;  // an export model file: depends on the .tflite files it may INCBIN
};

// Absolute folders that differ between two builds of equal content, replaced by tokens in cache keys.
class Places {
 public:
  void add(const fs::path& dir, const std::string& token) {
    list_.push_back({dir.string(), token});
    std::sort(list_.begin(), list_.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  }
  std::string abstract(std::string s) const {
    for (const auto& [dir, token] : list_)
      for (size_t at = s.find(dir); at != std::string::npos; at = s.find(dir, at + token.size()))
        s.replace(at, dir.size(), token);
    return s;
  }
  std::string concrete(std::string s) const {
    for (const auto& [dir, token] : list_)
      if (s.rfind(token, 0) == 0) return dir + s.substr(token.size());
    return s;
  }

 private:
  std::vector<std::pair<std::string, std::string>> list_;
};

// Content hashes of files, computed once per build.
class Hashes {
 public:
  std::string of(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = memo_.find(path);
    if (it != memo_.end()) return it->second;
    std::string h = "-";
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream s;
      s << in.rdbuf();
      h = hex_sha256(s.str());
    }
    return memo_[path] = h;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> memo_;
};

// The header files a compiler -MD output lists (the target is named "x").
std::vector<std::string> parse_deps(const std::string& d) {
  std::string text;
  for (size_t i = 0; i < d.size(); i++) {
    if (d[i] == '\\' && i + 1 < d.size() && d[i + 1] == '\n') { i++; continue; }
    text += d[i];
  }
  std::vector<std::string> out;
  size_t colon = text.find(':');
  if (colon == std::string::npos) return out;
  std::istringstream in(text.substr(colon + 1));
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// Object files stored by content: objects/<key>/<deps>.o where key hashes the compiler, flags,
// source text (and a model file's .tflite files), and <deps>.deps lists each header with its hash.
class ObjectStore {
 public:
  ObjectStore(fs::path dir, const Places& places, Hashes& hashes) : dir_(std::move(dir)), places_(places), hashes_(hashes) {}

  std::string key(const std::string& compile, const Source& s, const std::vector<std::string>& models) {
    std::string k = places_.abstract(compile + " " + s.extra) + '\0' + places_.abstract(s.path) + '\0' + hashes_.of(s.path);
    if (s.model)
      for (const auto& m : models) k += '\0' + places_.abstract(m) + ' ' + hashes_.of(m);
    return hex_sha256(k);
  }

  // The cached object whose recorded headers all still hold the recorded content, or "".
  std::string find(const std::string& key) {
    fs::path d = dir_ / key;
    if (!fs::is_directory(d)) return "";
    for (const auto& e : fs::directory_iterator(d)) {
      if (e.path().extension() != ".deps") continue;
      fs::path obj = fs::path(e.path()).replace_extension(".o");
      if (fs::exists(obj) && deps_hold(read_file(e.path().string()))) return obj.string();
    }
    return "";
  }

  // Compiles into the store; returns the object, or "" if the compiler failed.
  std::string compile(const std::string& cmd, const Source& s, const std::string& key, int job) {
    fs::path d = dir_ / key;
    fs::create_directories(d);
    std::string tmp = (d / ("tmp-" + std::to_string(getpid()) + "-" + std::to_string(job))).string();
    std::string full = cmd + " " + s.extra + " -MD -MF '" + tmp + ".d' -MT x -c '" + s.path + "' -o '" + tmp + ".o'";
    if (std::system(full.c_str()) != 0) {
      fs::remove(tmp + ".o");
      fs::remove(tmp + ".d");
      return "";
    }
    std::string deps;
    for (const auto& h : parse_deps(read_file(tmp + ".d"))) {
      std::string abs = fs::absolute(h).lexically_normal().string();
      deps += hashes_.of(abs) + " " + places_.abstract(abs) + "\n";
    }
    fs::remove(tmp + ".d");
    fs::path obj = d / (hex_sha256(deps) + ".o");
    fs::rename(tmp + ".o", obj);  // the object before its deps: a reader finding the deps finds the object
    write_file_atomic(fs::path(obj).replace_extension(".deps").string(), deps);
    return obj.string();
  }

 private:
  bool deps_hold(const std::string& deps) {
    std::istringstream in(deps);
    std::string hash, path;
    while (in >> hash >> path)
      if (hashes_.of(places_.concrete(path)) != hash) return false;
    return true;
  }

  fs::path dir_;
  const Places& places_;
  Hashes& hashes_;
};

// An EON model file: `file` names it and its header ("tflite_learn_5_compiled" for
// tflite_learn_5_compiled.cpp, "trained_model_compiled_acc" in multi-impulse libraries), `stem`
// prefixes its functions ("tflite_learn_5", "trained_model_acc").
struct EonFile {
  std::string file, stem;
};

// The EON model files whose header declares <stem>_invoke.
std::vector<EonFile> eon_files(const fs::path& models) {
  std::vector<EonFile> out;
  static const std::regex name(R"(^(.+)_compiled(_[A-Za-z0-9_]+)?\.cpp$)");
  for (const auto& s : sources_in(models, false)) {
    std::smatch m;
    std::string file = fs::path(s).filename().string();
    if (!std::regex_match(file, m, name)) continue;
    EonFile e{file.substr(0, file.size() - 4), m[1].str() + m[2].str()};
    fs::path h = models / (e.file + ".h");
    if (fs::exists(h) && read_file(h.string()).find(e.stem + "_invoke") != std::string::npos) out.push_back(e);
  }
  return out;
}

// How many outputs the model has when its header has no <stem>_outputs(): the entries of
// outTensorIndices[] in the model file, else 1.
size_t output_count(const std::string& model) {
  size_t at = model.find("outTensorIndices[] = {");
  if (at == std::string::npos) return 1;
  size_t end = model.find('}', at);
  std::string list = model.substr(at + 22, end == std::string::npos ? 0 : end - at - 22);
  size_t n = 0;
  bool in_number = false;
  for (char c : list) {
    bool digit = c >= '0' && c <= '9';
    if (digit && !in_number) n++;
    in_number = digit;
  }
  return n ? n : 1;
}

// A translation unit that defines <stem>_invoke: it runs the real one (renamed in the model's
// own TU) and records every output tensor's bytes before the SDK resets the arena. It also tells
// the simulator the block exists, so a block run_classifier never ran is reported, not ignored.
std::string eon_capture_tu(const fs::path& models, const EonFile& e) {
  const std::string& stem = e.stem;
  std::string header = read_file((models / (e.file + ".h")).string());
  std::string count = header.find(stem + "_outputs(") != std::string::npos
                          ? stem + "_outputs()"
                          : std::to_string(output_count(read_file((models / (e.file + ".cpp")).string())));
  bool c_linkage = header.find("extern \"C\"") != std::string::npos;
  return "// Generated by eiota simulate: captures " + stem + "'s raw outputs.\n#include <string.h>\n" +
         "#include \"sim_capture.h\"\n#include \"tflite-model/" + e.file + ".h\"\n" +
         "static const int eiota_sim_known = eiota_sim_block(\"" + stem + "\", 0);\n" +
         (c_linkage ? "extern \"C\" " : "") + "TfLiteStatus " + stem + "_invoke_eiota_real();\n" +
         "TfLiteStatus " + stem + "_invoke() {\n  TfLiteStatus s = " + stem + "_invoke_eiota_real();\n" +
         "  eiota_sim_block(\"" + stem + "\", 1);\n" +
         "  for (size_t i = 0; i < (size_t)(" + count + "); i++) {\n    TfLiteTensor t;\n    memset(&t, 0, sizeof(t));\n" +
         "    if (eiota_sim_output(&" + stem + "_output, (int)i, &t)) eiota_sim_record_tensor((int)i, &t);\n  }\n" +
         "  return s;\n}\n";
}

// The same for the TFLite interpreter: MicroInterpreter::Invoke is wrapped at link time.
std::string interpreter_capture_tu() {
  std::string s = kInvokeSymbol;
  return "// Generated by eiota simulate: captures the interpreter's raw outputs.\n"
         "#include \"sim_capture.h\"\n#include \"edge-impulse-sdk/tensorflow/lite/micro/micro_interpreter.h\"\n"
         "extern \"C\" TfLiteStatus __real_" + s + "(tflite::MicroInterpreter* self);\n"
         "extern \"C\" TfLiteStatus __wrap_" + s + "(tflite::MicroInterpreter* self) {\n"
         "  TfLiteStatus s = __real_" + s + "(self);\n"
         "  for (size_t i = 0; i < self->outputs_size(); i++) {\n"
         "    TfLiteTensor* t = self->output(i);\n    if (t) eiota_sim_record_tensor((int)i, t);\n  }\n  return s;\n}\n";
}

struct Plan {
  std::vector<Source> srcs;
  std::string cxx_flags, c_flags, link_flags;
};

Plan plan_build(const SimBuild& b, const fs::path& root, const fs::path& objs) {
  fs::path sdk = root / "edge-impulse-sdk";
  fs::path models = root / "tflite-model";
  Plan p;
  std::vector<EonFile> eons = b.sketch.empty() ? eon_files(models) : std::vector<EonFile>{};
  for (const auto& s : sources_in(models, false)) {
    Source src{s, "", true};
    for (const auto& e : eons)
      if (fs::path(s).filename() == e.file + ".cpp") src.extra = "-D" + e.stem + "_invoke=" + e.stem + "_invoke_eiota_real";
    p.srcs.push_back(src);
  }
  for (const auto& s : sources_in(sdk, true, {sdk / "CMSIS", sdk / "porting", sdk / "third_party"})) p.srcs.push_back({s});
  std::vector<std::string> porting = sources_in(sdk / "porting", false);  // a port of the SDK's own
  if (porting.empty()) porting = sources_in(sdk / "porting" / "posix", true);
  if (porting.empty()) {
    // Old SDKs log through DebugLog(const char*), newer ones through DebugLog(format, va_list).
    fs::path log = sdk / "tensorflow/lite/micro/debug_log.h";
    bool va = fs::exists(log) && read_file(log.string()).find("va_list") != std::string::npos;
    p.srcs.push_back({(objs / "sim" / "sim_porting.cpp").string(), va ? "-DEIOTA_SIM_DEBUGLOG_VA=1" : ""});
  } else {
    for (const auto& s : porting) p.srcs.push_back({s});
  }
  p.srcs.push_back({(objs / "sim" / "sim_cmsis_stubs.cpp").string()});

  std::string defs = kHostSdkDefines, incs;
  bool patched = fs::exists(root / "eiota" / "eiota_update.h");
  if (patched)
    for (const auto& s : sources_in(root / "eiota", false)) p.srcs.push_back({s});
  if (!b.sketch.empty()) {
    fs::path ino = objs / (fs::path(b.sketch).stem().string() + ".ino.cpp");
    write_if_changed(ino, read_file(b.sketch));
    p.srcs.push_back({ino.string(), patched ? "-DEIOTA_SIM_PATCHED=1" : ""});  // a sketch may test for it
    p.srcs.push_back({(objs / "sim" / "arduino" / "arduino_main.cpp").string()});
    defs += " -DEIOTA_HOST_ARDUINO_SHIM=\\\"Arduino.h\\\"";
    incs = "-I" + (objs / "sim" / "arduino").string() + " -include Arduino.h";
  } else {
    // Only the simulator's main differs for a patched export: the SDK's objects are shared.
    p.srcs.push_back({(objs / "sim" / "sim_main.cpp").string(), patched ? "-DEIOTA_SIM_PATCHED=1" : ""});
    for (const auto& e : eons) {
      fs::path tu = objs / "gen" / (e.stem + "_capture.cpp");
      write_if_changed(tu, eon_capture_tu(models, e));
      p.srcs.push_back({tu.string()});
    }
    if (eons.empty() && fs::exists(sdk / "tensorflow/lite/micro/micro_interpreter.h")) {
      fs::path tu = objs / "gen" / "interpreter_capture.cpp";
      write_if_changed(tu, interpreter_capture_tu());
      p.srcs.push_back({tu.string()});
      p.link_flags = std::string(" -Wl,--wrap=") + kInvokeSymbol;
    }
  }
  std::string inc = "-I" + root.string() + " -I" + sdk.string() + " -I" + (sdk / "third_party/flatbuffers/include").string() +
                    " -I" + (sdk / "third_party/gemmlowp").string() + " -I" + (sdk / "third_party/ruy").string() +
                    " -I" + (sdk / "CMSIS/Core/Include").string() + " -I" + (sdk / "CMSIS/DSP/Include").string() +  // 2021 SDKs
                    " -I" + (objs / "sim").string();
  inc += " -Wa,-I" + root.string();  // INCBIN model files (Studio 2025) are named from the export root
  p.cxx_flags = "-std=c++14 -O2 -w " + defs + " " + incs + " " + inc;
  p.c_flags = "-std=c11 -O2 -w " + defs + " " + inc;
  return p;
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
  write_sim_files(objs / "sim");
  Plan plan = plan_build(b, root, objs);

  Places places;
  places.add(root, "@EXPORT@");
  places.add(objs / "sim", "@SIM@");
  places.add(objs, "@OBJS@");
  Hashes hashes;
  ObjectStore store(b.objects.empty() ? objs / "cache" : fs::absolute(b.objects), places, hashes);
  std::string cxx = env_or("CXX", "c++"), cc = env_or("CC", "cc");
  std::vector<std::string> models;
  for (const auto& e : fs::directory_iterator(root / "tflite-model"))
    if (e.path().extension() == ".tflite") models.push_back(e.path().string());
  std::sort(models.begin(), models.end());

  size_t n = plan.srcs.size();
  std::vector<std::string> cmds(n), keys(n), found(n);
  std::vector<size_t> todo;
  for (size_t i = 0; i < n; i++) {
    bool c = fs::path(plan.srcs[i].path).extension() == ".c";
    cmds[i] = c ? cc + " " + plan.c_flags : cxx + " " + plan.cxx_flags;
    keys[i] = store.key(cmds[i], plan.srcs[i], models);
    found[i] = store.find(keys[i]);
    if (found[i].empty()) todo.push_back(i);
  }
  if (b.progress && !todo.empty())
    fprintf(stderr, "eiota: building %s: compiling %zu of %zu sources (%s%s)\n", out.filename().c_str(), todo.size(), n,
            root.c_str(), todo.size() > 50 ? "; a full SDK takes a minute or two the first time" : "");

  std::atomic<size_t> next{0};
  std::mutex mu;
  std::vector<std::string> failed;
  auto worker = [&](int job) {
    for (size_t t; (t = next++) < todo.size();) {
      size_t i = todo[t];
      if (b.progress) {
        std::lock_guard<std::mutex> lock(mu);
        fprintf(stderr, "  compile %s\n", fs::path(plan.srcs[i].path).filename().c_str());
      }
      found[i] = store.compile(cmds[i], plan.srcs[i], keys[i], job);
      if (found[i].empty()) {
        std::lock_guard<std::mutex> lock(mu);
        failed.push_back(plan.srcs[i].path);
      }
    }
  };
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  size_t jobs = std::min<size_t>(todo.size(), cpus > 0 ? (size_t)cpus : 1);
  std::vector<std::thread> pool;
  for (size_t j = 0; j < jobs; j++) pool.emplace_back(worker, (int)j);
  for (auto& t : pool) t.join();
  if (!failed.empty())
    throw std::runtime_error(b.export_path + ": the host build failed compiling " + failed[0] + " (see the compiler output above)");

  std::string link = cxx + " -o '" + out.string() + ".tmp'";
  for (const auto& o : found) link += " '" + o + "'";
  link += " -lm" + plan.link_flags;
  fs::path stamp = objs / "link.stamp";
  std::string want = hex_sha256(link);
  if (fs::exists(out) && fs::exists(stamp) && read_file(stamp.string()) == want) return;
  if (std::system(link.c_str()) != 0) throw std::runtime_error(b.export_path + ": the host build failed linking " + out.string());
  fs::rename(out.string() + ".tmp", out);
  write_file_atomic(stamp.string(), want);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

}  // namespace eiota::host
