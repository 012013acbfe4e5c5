// Writing and reading payloads on the host, through the shared codec in device/eiota_format.h.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eiota_format.h"
#include "keys.h"
#include "model_arch.h"

namespace eiota::host {

// Builds and signs a payload carrying `regions` (with values) for a model with `fp`.
std::string write_payload(const std::array<uint8_t, 16>& fp, const std::vector<Region>& regions,
                          uint64_t sequence, const SecretKey& key);

struct PayloadInfo {
  eiota::Header header{};
  std::vector<eiota::Entry> entries;
  std::array<uint8_t, 64> signature{};
  size_t size = 0;
  size_t data_offset = 0;
  bool hash_ok = false;
  std::optional<bool> signature_ok;  // set when a public key was given
  std::vector<std::string> problems; // structural problems found, empty when well formed
};

// Parses a payload. Never throws on bad bytes: problems are listed in the result.
PayloadInfo read_payload(const std::string& bytes, const std::array<uint8_t, 32>* public_key);

const char* elem_type_name(uint8_t t);

}  // namespace eiota::host
