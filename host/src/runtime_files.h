// The device runtime (device/*), compiled into the eiota binary so `patch` can add it to a library.
#pragma once

#include <cstddef>

namespace eiota::host {

struct EmbeddedFile {
  const char* name;
  const char* data;
  size_t size;
};

extern const EmbeddedFile kRuntimeFiles[];
extern const size_t kRuntimeFileCount;

}  // namespace eiota::host
