#include "export_files.h"

#include <zip.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace eiota::host {
namespace {

// Deflate expands at most ~1032:1; anything claiming more than its compressed bytes can hold,
// or more than any export holds, is refused before it is read.
constexpr uint64_t kMaxEntryBytes = 1ull << 30;
constexpr uint64_t kMaxTotalBytes = 4ull << 30;
constexpr uint64_t kMaxRatio = 1100;

std::string zip_error_text(int code) {
  zip_error_t ze;
  zip_error_init_with_code(&ze, code);
  std::string text = zip_error_strerror(&ze);
  zip_error_fini(&ze);
  return text;
}

struct ZipCloser {
  zip_t* z;
  ~ZipCloser() { zip_discard(z); }  // read-only: nothing to write back
};

// Reads one entry in chunks, never holding more than it actually produced or than it claimed.
std::string read_entry(zip_t* z, zip_uint64_t i, const zip_stat_t& st, const std::string& where) {
  zip_file_t* f = zip_fopen_index(z, i, 0);
  if (!f) throw std::runtime_error(where + ": cannot read: " + zip_strerror(z));
  std::string data;
  char buf[1 << 16];
  while (true) {
    zip_int64_t got = zip_fread(f, buf, sizeof buf);
    if (got < 0) {
      std::string why = zip_file_strerror(f);
      zip_fclose(f);
      throw std::runtime_error(where + ": cannot read: " + why);
    }
    if (got == 0) break;
    if (data.size() + (uint64_t)got > st.size) {
      zip_fclose(f);
      throw std::runtime_error(where + ": holds more than the " + std::to_string(st.size) + " bytes it claims");
    }
    data.append(buf, (size_t)got);
  }
  zip_fclose(f);
  if (data.size() != st.size)
    throw std::runtime_error(where + ": truncated (" + std::to_string(data.size()) + " of " + std::to_string(st.size) + " bytes)");
  return data;
}

void load_zip(ExportFiles& e) {
  std::error_code ec;
  uint64_t archive_size = fs::file_size(e.origin, ec);
  if (ec) throw std::runtime_error(e.origin + ": " + ec.message());
  int err = 0;
  zip_t* z = zip_open(e.origin.c_str(), ZIP_RDONLY, &err);
  if (!z) throw std::runtime_error(e.origin + ": cannot open as a zip archive: " + zip_error_text(err));
  ZipCloser closer{z};
  zip_int64_t n = zip_get_num_entries(z, 0);
  uint64_t total = 0;
  for (zip_int64_t i = 0; i < n; i++) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) != 0)
      throw std::runtime_error(e.origin + ": entry " + std::to_string(i) + ": " + zip_strerror(z));
    if (!(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
      throw std::runtime_error(e.origin + ": entry " + std::to_string(i) + " has no name or size");
    std::string name = st.name;
    std::string where = e.origin + ": entry '" + name + "'";
    if (std::string why = unsafe_name(name); !why.empty())
      throw std::runtime_error(where + ": " + why + "; refusing to unpack it");
    if (name.back() == '/') continue;
    if (st.comp_size > archive_size || st.size > kMaxEntryBytes || st.size > st.comp_size * kMaxRatio + 4096)
      throw std::runtime_error(where + " claims " + std::to_string(st.size) + " bytes (" + std::to_string(st.comp_size) +
                               " compressed) in a " + std::to_string(archive_size) + "-byte archive: corrupt or not an export");
    total += st.size;
    if (total > kMaxTotalBytes) throw std::runtime_error(e.origin + ": the entries hold more than " + std::to_string(kMaxTotalBytes) + " bytes");
    e.files[name] = read_entry(z, (zip_uint64_t)i, st, where);
  }
}

void load_dir(ExportFiles& e) {
  std::error_code ec;
  if (!fs::is_directory(e.origin, ec)) throw std::runtime_error(e.origin + ": not a folder");
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
  if (!z) throw std::runtime_error(out + ": cannot create zip: " + zip_error_text(err));
  for (const auto& [name, data] : e.files) {
    zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
    if (!src || zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8) < 0) {
      std::string why = zip_strerror(z);
      if (src) zip_source_free(src);
      zip_discard(z);
      throw std::runtime_error(out + ": cannot add " + name + ": " + why);
    }
  }
  if (zip_close(z) != 0) {
    std::string why = zip_strerror(z);
    zip_discard(z);
    throw std::runtime_error(out + ": cannot write zip: " + why);
  }
}

}  // namespace

std::string unsafe_name(const std::string& name) {
  if (name.empty()) return "an empty name";
  if (name.find('\0') != std::string::npos) return "a NUL in the name";
  if (name[0] == '/' || name[0] == '\\' || (name.size() >= 2 && name[1] == ':')) return "an absolute path";
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find_first_of("/\\", start);
    if (end == std::string::npos) end = name.size();
    if (name.compare(start, end - start, "..") == 0) return "a path that leaves its folder ('..')";
    start = end + 1;
  }
  return "";
}

std::string read_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  std::string data;
  char buf[1 << 16];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, got);
  bool failed = std::ferror(f);
  int why = errno;
  std::fclose(f);
  if (failed) throw std::runtime_error(path + ": cannot read: " + std::strerror(why));
  return data;
}

namespace {

void write_whole(const std::string& path, const std::string& data) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  int why = errno;
  if (std::fclose(f) != 0 && ok) { ok = false; why = errno; }
  if (!ok) throw std::runtime_error(path + ": write failed: " + std::strerror(why));
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp-eiota";
  write_whole(tmp, data);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::string why = ec.message();
    fs::remove(tmp, ec);
    throw std::runtime_error(path + ": cannot replace: " + why);
  }
}

ExportFiles load_export(const std::string& path) {
  ExportFiles e;
  e.origin = path;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw std::runtime_error(path + ": " + (ec ? ec.message() : "no such file or folder"));
  if (fs::is_directory(st)) load_dir(e);
  else { e.zipped = true; load_zip(e); }
  find_root(e);
  return e;
}

void write_export(const ExportFiles& e, const std::string& out) {
  if (fs::exists(out)) throw std::runtime_error(out + ": already exists; choose another output path");
  for (const auto& [name, _] : e.files)  // every file stays inside `out`
    if (std::string why = unsafe_name(name); !why.empty())
      throw std::runtime_error(out + ": will not write '" + name + "': " + why);
  fs::path target = fs::absolute(out);
  fs::path tmp = target.parent_path() / ("." + target.filename().string() + ".eiota-tmp");
  fs::remove_all(tmp);
  try {
    if (e.zipped) {
      write_zip(e, tmp.string());
    } else {
      for (const auto& [name, data] : e.files) {
        fs::path p = tmp / name;
        std::error_code ec;
        fs::create_directories(p.parent_path(), ec);
        if (ec) throw std::runtime_error(p.parent_path().string() + ": cannot create: " + ec.message());
        write_whole(p.string(), data);
      }
    }
    fs::rename(tmp, target);
  } catch (...) {
    fs::remove_all(tmp);
    throw;
  }
}

}  // namespace eiota::host
