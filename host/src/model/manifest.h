// eiota-manifest.json: what `eiota patch` fixed about a deployed model, the base for `pack`.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "model_arch.h"

namespace eiota::host {

struct Manifest {
  std::array<uint8_t, 16> fingerprint{};
  std::array<uint8_t, 32> public_key{};
  Arch arch;
  std::vector<Region> regions;  // without values
  std::vector<std::string> model_files;
  std::string source;           // the export it was made from
  // `eiota patch --storage`: "ram" or "flash"; "ram" in manifests written before slots.
  std::string storage = "ram";
  // Bytes of a slot a payload without extra data needs (the end of the last region in the slot
  // layout, device/eiota_slot_layout.h); 0 in manifests written before slots, whose regions
  // have neither flags nor slot offsets (a store refuses such a library).
  uint64_t slot_size = 0;
  // Format 1.2 (deltas on the factory values): SHA-256 of every region's factory values in region
  // order (the generated table's factory_digest) and of each region's; empty in manifests written
  // before, or for a model that cannot take deltas (a prefix region).
  std::vector<uint8_t> factory_digest;
  std::vector<std::array<uint8_t, 32>> factory_region_digests;
  // Format 1.3: `eiota patch --inflate` linked the decoder (eiota_model.inflate set), so the
  // device takes compressed payloads. "inflate": true; absent (manifests before 1.3) = false.
  bool inflate = false;
};

std::string manifest_to_json(const Manifest& m);
// Throws std::runtime_error naming `what` when the text is not a manifest eiota wrote.
Manifest manifest_from_json(const std::string& text, const std::string& what);

// A manifest file, or a patched library (folder or zip) that contains one.
Manifest load_manifest(const std::string& path);

}  // namespace eiota::host
