#include "output_writer.h"

#include <zip.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fixturegen {

namespace fs = std::filesystem;

void write_folder(const FileSet& files, const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !(fs::is_directory(dir, ec) && fs::is_empty(dir, ec)))
    throw std::runtime_error(dir + ": exists and is not an empty folder; choose a new --out");
  for (const auto& [path, content] : files) {
    const fs::path target = fs::path(dir) / path;
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw std::runtime_error(target.parent_path().string() + ": cannot create folder: " + ec.message());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error(target.string() + ": cannot write the file");
  }
}

void write_zip(const FileSet& files, const std::string& path, const std::string& prefix) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!archive) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, error);
    std::string msg = path + ": cannot create the zip: " + zip_error_strerror(&ze);
    zip_error_fini(&ze);
    throw std::runtime_error(msg);
  }
  // 2023-01-01 12:00:00 local DOS time; any fixed value keeps archives equal.
  std::tm when{};
  when.tm_year = 123;
  when.tm_mday = 1;
  when.tm_hour = 12;
  const time_t mtime = std::mktime(&when);
  auto fail = [&](const std::string& what) {
    std::string msg = path + ": " + what + ": " + zip_strerror(archive);
    zip_discard(archive);
    throw std::runtime_error(msg);
  };
  for (const auto& [name, content] : files) {
    zip_source_t* src = zip_source_buffer(archive, content.data(), content.size(), 0);
    if (!src) fail("cannot add " + name);
    const zip_int64_t index = zip_file_add(archive, (prefix + name).c_str(), src, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(src);
      fail("cannot add " + name);
    }
    const auto i = static_cast<zip_uint64_t>(index);
    if (zip_file_set_mtime(archive, i, mtime, 0) != 0 ||
        zip_set_file_compression(archive, i, ZIP_CM_DEFLATE, 9) != 0 ||
        zip_file_set_external_attributes(archive, i, 0, ZIP_OPSYS_UNIX, 0100644u << 16) != 0)
      fail("cannot set attributes of " + name);
  }
  if (zip_close(archive) != 0) fail("cannot write the zip");
}

}  // namespace fixturegen
