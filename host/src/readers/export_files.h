// An exported library (zip or folder) held in memory, and written back out the same way.
#pragma once

#include <map>
#include <string>

namespace eiota::host {

struct ExportFiles {
  std::string origin;                       // the path the user gave
  bool zipped = false;
  std::map<std::string, std::string> files; // relative path -> contents
  std::string root;     // prefix of the folder holding model-parameters/ and tflite-model/ ("src/")
  std::string library;  // prefix of the library's top folder (where library.properties sits)
  std::string sdk = "edge-impulse-sdk/";  // prefix of edge-impulse-sdk/: root + "edge-impulse-sdk/", or in a split tree
                        // (model in src/edge-impulse/model/) the nearest folder above root that holds it

  bool has(const std::string& rel) const { return files.count(rel) != 0; }
};

// Reads a zip or a folder and finds the model. Throws std::runtime_error naming the path (and,
// for a zip, the entry and libzip's reason). Zip entries that would unpack outside their folder,
// or that claim more bytes than the archive can hold, are refused.
ExportFiles load_export(const std::string& path);

// Writes all files to `out` (a zip when `zipped`), replacing nothing: fails if `out` exists.
// The output appears whole or not at all.
void write_export(const ExportFiles& e, const std::string& out);

// Why a file name from an archive or an ExportFiles must not be written under a folder (absolute,
// a `..` component, a drive letter), or "" when it is a plain relative path.
std::string unsafe_name(const std::string& rel);

// Errors name the path and the OS reason.
std::string read_file(const std::string& path);
void write_file_atomic(const std::string& path, const std::string& data);

}  // namespace eiota::host
