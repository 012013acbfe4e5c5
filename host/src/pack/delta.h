// Delta payloads (format 1.2, docs/FORMAT.md "Version 1.2"): a payload that names its base (the
// release the fleet runs, or the factory values) and carries only the regions that changed.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "keys.h"
#include "manifest.h"
#include "model_arch.h"

namespace eiota::host {

using Digest = std::array<uint8_t, 32>;

// What a delta is built on: the release's sequence (0: factory values), its full-data digest
// (SHA-256 of every region's values in region order) and one SHA-256 per region's values.
struct DeltaBase {
  uint64_t sequence = 0;
  Digest digest{};
  std::vector<Digest> region_digests;
  std::string what;  // "factory values" or the payload file, for messages
};

// Whether a model can take deltas: every region sent whole (no prefix region, that is no
// TFLite-interpreter model whose whole flatbuffer is one region).
bool delta_capable(const std::vector<Region>& regions);
// SHA-256 of the regions' values concatenated in order: the full-data digest.
Digest full_data_digest(const std::vector<Region>& regions);
Digest sha256_of(const uint8_t* p, size_t n);

// The base of `--base factory`: the digests `eiota patch` kept in the manifest (libraries patched
// before 1.2 have none: throws).
DeltaBase base_of_factory(const Manifest& m, const std::string& library);
// The base of `--base FILE`: a full payload for the deployed model (fingerprint and regions). A
// delta is refused (give the full payload of that release).
DeltaBase base_of_payload(const std::string& bytes, const std::string& file, const Manifest& m);

struct DeltaStats {
  size_t regions_sent = 0, regions_kept = 0;  // kept: unchanged, left out
  size_t bytes_sent = 0, bytes_kept = 0;      // region values
  size_t runs = 0;
};

// The regions to send: the changed ones, with the shortest gaps of unchanged ones filled in until
// they form at most EIOTA_MAX_DELTA_RUNS runs of consecutive regions.
std::vector<uint32_t> delta_regions(const std::vector<Region>& regions, const DeltaBase& base);

// Builds and signs a delta of `regions` (all the model's, with the new values) on `base`.
std::string write_delta_payload(const std::array<uint8_t, 16>& fp, const std::vector<Region>& regions,
                                const DeltaBase& base, uint64_t sequence, const SecretKey& key,
                                const std::string& extra, DeltaStats* stats);

}  // namespace eiota::host
