// Source files compiled into the eiota binary: the device runtime that `patch` adds to a library,
// and the host simulator that `simulate` builds.
#pragma once

#include <cstddef>

namespace eiota::host {

struct EmbeddedFile {
  const char* name;
  const char* data;
  size_t size;
};

extern const EmbeddedFile kRuntimeFiles[];  // device/
extern const size_t kRuntimeFilesCount;
extern const EmbeddedFile kSimFiles[];      // sim/
extern const size_t kSimFilesCount;
extern const EmbeddedFile kExampleFiles[];  // examples/*/*.ino
extern const size_t kExampleFilesCount;

}  // namespace eiota::host
