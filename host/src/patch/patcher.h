// `eiota patch`: rewrites an EON export so its values can be replaced at run time.
#pragma once

#include <array>
#include <string>

#include "model_export.h"

namespace eiota::host {

struct PatchResult {
  ExportFiles out;         // files of the patched library
  size_t region_count = 0;
  size_t ram_bytes = 0;    // working copies of the values
  std::string runtime_note;  // where the runtime went (printed by patch)
};

// Patches an analysed export for `public_key`. A non-EON model gets `reserve` bytes of room to
// grow (0: a quarter of its size, at least 1 KiB). Throws std::runtime_error when it cannot.
PatchResult patch_export(const ModelExport& x, const std::array<uint8_t, 32>& public_key, uint32_t reserve = 0);

}  // namespace eiota::host
