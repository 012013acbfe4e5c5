// Writes a FileSet to a folder or a zip archive.
#pragma once

#include <string>

#include "library_writer.h"

namespace fixturegen {

// Creates `dir` (which must not exist or be empty) and writes every file.
void write_folder(const FileSet& files, const std::string& dir);

// Writes a zip at `path`; entries are prefixed with `prefix` ("" or
// "demo_inferencing/"). Entry order, timestamps and attributes are fixed, so
// equal inputs give byte-identical archives.
void write_zip(const FileSet& files, const std::string& path, const std::string& prefix);

}  // namespace fixturegen
