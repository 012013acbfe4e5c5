#include "export_files.h"

#include <zip.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace eiota::host {
namespace {

void load_zip(ExportFiles& e) {
  int err = 0;
  zip_t* z = zip_open(e.origin.c_str(), ZIP_RDONLY, &err);
  if (!z) throw std::runtime_error(e.origin + ": cannot open as a zip archive (libzip error " + std::to_string(err) + ")");
  zip_int64_t n = zip_get_num_entries(z, 0);
  for (zip_int64_t i = 0; i < n; i++) {
    zip_stat_t st;
    if (zip_stat_index(z, i, 0, &st) != 0) continue;
    std::string name = st.name;
    if (name.empty() || name.back() == '/') continue;
    zip_file_t* f = zip_fopen_index(z, i, 0);
    if (!f) { zip_close(z); throw std::runtime_error(e.origin + ": cannot read " + name); }
    std::string data(st.size, '\0');
    zip_int64_t got = zip_fread(f, data.data(), st.size);
    zip_fclose(f);
    if (got != (zip_int64_t)st.size) { zip_close(z); throw std::runtime_error(e.origin + ": truncated entry " + name); }
    e.files[name] = std::move(data);
  }
  zip_close(z);
}

void load_dir(ExportFiles& e) {
  for (const auto& ent : fs::recursive_directory_iterator(e.origin)) {
    if (!ent.is_regular_file()) continue;
    std::string rel = fs::relative(ent.path(), e.origin).generic_string();
    if (rel.rfind(".git/", 0) == 0) continue;
    e.files[rel] = read_file(ent.path().string());
  }
}

bool has_folder(const ExportFiles& e, const std::string& prefix) {
  auto it = e.files.lower_bound(prefix);
  return it != e.files.end() && it->first.rfind(prefix, 0) == 0;
}

// The SDK beside the model or, in a split tree (model in src/edge-impulse/model/), in the nearest
// folder above it that holds edge-impulse-sdk/.
std::string find_sdk(const ExportFiles& e, std::string dir) {
  const std::string beside = dir + "edge-impulse-sdk/";
  for (;;) {
    if (has_folder(e, dir + "edge-impulse-sdk/")) return dir + "edge-impulse-sdk/";
    if (dir.empty()) return beside;
    size_t slash = dir.find_last_of('/', dir.size() - 2);
    dir = slash == std::string::npos ? "" : dir.substr(0, slash + 1);
  }
}

void find_root(ExportFiles& e) {
  std::string best;
  bool found = false;
  for (const auto& [path, _] : e.files) {
    size_t k = path.find("model-parameters/");
    if (k == std::string::npos || (k > 0 && path[k - 1] != '/')) continue;
    std::string prefix = path.substr(0, k);
    bool has_tflite = false;
    for (auto it = e.files.lower_bound(prefix + "tflite-model/"); it != e.files.end() && it->first.rfind(prefix + "tflite-model/", 0) == 0; ++it)
      has_tflite = true;
    if (has_tflite && (!found || prefix.size() < best.size())) { best = prefix; found = true; }
  }
  if (!found)
    throw std::runtime_error(e.origin + ": no Edge Impulse model found (expected model-parameters/ and tflite-model/ folders)");
  e.root = best;
  e.library = best;
  e.sdk = find_sdk(e, best);
  if (best.size() >= 4 && best.compare(best.size() - 4, 4, "src/") == 0) {
    std::string up = best.substr(0, best.size() - 4);
    if (e.has(up + "library.properties")) e.library = up;
  }
}

void write_zip(const ExportFiles& e, const std::string& out) {
  int err = 0;
  zip_t* z = zip_open(out.c_str(), ZIP_CREATE | ZIP_EXCL, &err);
  if (!z) throw std::runtime_error(out + ": cannot create zip (libzip error " + std::to_string(err) + ")");
  for (const auto& [name, data] : e.files) {
    zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
    if (!src || zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8) < 0) {
      if (src) zip_source_free(src);
      zip_discard(z);
      throw std::runtime_error(out + ": cannot add " + name);
    }
  }
  if (zip_close(z) != 0) {
    zip_discard(z);
    throw std::runtime_error(out + ": cannot write zip");
  }
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open");
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void write_file_atomic(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp-eiota";
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) throw std::runtime_error(path + ": cannot write");
    f.write(data.data(), (std::streamsize)data.size());
    if (!f) throw std::runtime_error(path + ": write failed");
  }
  fs::rename(tmp, path);
}

ExportFiles load_export(const std::string& path) {
  ExportFiles e;
  e.origin = path;
  if (!fs::exists(path)) throw std::runtime_error(path + ": no such file or folder");
  if (fs::is_directory(path)) load_dir(e);
  else { e.zipped = true; load_zip(e); }
  find_root(e);
  return e;
}

void write_export(const ExportFiles& e, const std::string& out) {
  if (fs::exists(out)) throw std::runtime_error(out + ": already exists; choose another output path");
  fs::path target = fs::absolute(out);
  fs::path tmp = target.parent_path() / ("." + target.filename().string() + ".eiota-tmp");
  fs::remove_all(tmp);
  try {
    if (e.zipped) {
      write_zip(e, tmp.string());
    } else {
      for (const auto& [name, data] : e.files) {
        fs::path p = tmp / name;
        fs::create_directories(p.parent_path());
        std::ofstream f(p, std::ios::binary);
        f.write(data.data(), (std::streamsize)data.size());
        if (!f) throw std::runtime_error(p.string() + ": write failed");
      }
    }
    fs::rename(tmp, target);
  } catch (...) {
    fs::remove_all(tmp);
    throw;
  }
}

}  // namespace eiota::host
