// The fake SDK (tests/gen/fake_sdk/), embedded into the generator at build
// time by cmake/embed_files.cmake so that the binary needs no source tree.
#pragma once

#include <cstddef>

namespace fixturegen {

struct EmbeddedFile {
  const char* name;  // relative to fake_sdk/, '/' separated
  const char* data;
  size_t size;
};

extern const EmbeddedFile kFakeSdkFiles[];
extern const size_t kFakeSdkFilesCount;

}  // namespace fixturegen
