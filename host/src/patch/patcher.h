// `eiota patch`: rewrites an EON export so its values can be replaced at run time.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "model_export.h"

namespace eiota::host {

struct PatchResult {
  ExportFiles out;         // files of the patched library
  size_t region_count = 0;
  size_t ram_bytes = 0;    // working copies of every region
  size_t reserve_bytes = 0;  // non-EON: room reserved for retrained models to grow, over all models
  std::string runtime_note;  // where the runtime went (printed by patch)
};

// Patches an analysed export for `public_key`. A non-EON model gets `reserve` bytes of room to
// grow (rounded up so the capacity is a multiple of 16; none given: a quarter of its size, at
// least 1 KiB; 0: no room to grow). Throws std::runtime_error when it cannot.
PatchResult patch_export(const ModelExport& x, const std::array<uint8_t, 32>& public_key,
                         std::optional<uint32_t> reserve = std::nullopt);

}  // namespace eiota::host
