// `eiota patch`: rewrites an EON export so its values can be replaced at run time.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "model_export.h"

namespace eiota::host {

// Where the patched library keeps the values inference reads (`eiota patch --storage`).
//   kRam: every region has a RAM working copy (updates write it, or a store's slot that is then
//         copied into it).
//   kFlash: EON model blocks read tensor data, scales and zero points in place (the serving slot
//         of memory-mapped flash, else the factory arrays); only small RAM quantization structs
//         point at them. Other regions keep RAM working copies. EON exports only.
enum class Storage { kRam, kFlash };
const char* storage_name(Storage s);
// "ram" or "flash"; throws std::runtime_error otherwise.
Storage storage_from_name(const std::string& name);

struct PatchResult {
  ExportFiles out;         // files of the patched library
  size_t region_count = 0;
  size_t ram_bytes = 0;    // working copies (flash mode: of the regions that keep one)
  size_t quant_structs = 0;  // flash mode: RAM TfLiteAffineQuantization structs (one per quantized tensor)
  uint64_t slot_size = 0;  // bytes a slot needs for a payload without extra data (end of the last region)
  size_t reserve_bytes = 0;  // non-EON: room reserved for retrained models to grow, over all models
  std::string runtime_note;  // where the runtime went (printed by patch)
};

// Patches an analysed export for `public_key`. A non-EON model gets `reserve` bytes of room to
// grow (rounded up so the capacity is a multiple of 16; none given: a quarter of its size, at
// least 1 KiB; 0: no room to grow). With `inflate` the generated table points eiota_model.inflate
// at the decoder (compressed payloads, format 1.3) and the manifest says so. Throws
// std::runtime_error when it cannot.
PatchResult patch_export(const ModelExport& x, const std::array<uint8_t, 32>& public_key,
                         std::optional<uint32_t> reserve = std::nullopt, Storage storage = Storage::kRam, bool inflate = false);

// Sets every region's device flags and slot offset (device/eiota_slot_layout.h), in table order;
// returns the end of the last region (the slot size a payload without extra data needs).
uint64_t place_in_slot(std::vector<Region>& regions);

}  // namespace eiota::host
