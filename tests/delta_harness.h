// Delta payloads (format 1.2) on the store harness's model: its prefix region is made an ordinary
// one (a delta carries whole regions only), values are per-region byte vectors, and payloads are
// built with the host writers (write_payload, write_delta_payload).
#ifndef EIOTA_TESTS_DELTA_HARNESS_H
#define EIOTA_TESTS_DELTA_HARNESS_H

#include "delta.h"
#include "store_harness.h"

namespace delta_harness {

using namespace store_harness;
using eiota::host::DeltaBase;
using eiota::host::Digest;
using Vals = std::vector<std::vector<uint8_t>>;

inline std::vector<Region> regions_of(const ModelDef& def, const Vals& v) {
  std::vector<Region> rs;
  for (size_t i = 0; i < def.regions.size(); i++) {
    Region r;
    r.name = "r" + std::to_string(i);
    r.kind = Region::kData;
    r.elem_type = def.regions[i].elem_type;
    r.count = def.regions[i].count;
    r.values = v[i];
    rs.push_back(r);
  }
  return rs;
}

// `base` with the regions in `changed` taken from version `v`.
inline Vals tuned(const ModelDef& def, const Vals& base, int v, std::initializer_list<size_t> changed) {
  Vals out = base;
  Vals next = version_values(def, v);
  for (size_t i : changed) out[i] = next[i];
  return out;
}

inline DeltaBase base_of(const ModelDef& def, const Vals& v, uint64_t sequence) {
  DeltaBase b;
  b.sequence = sequence;
  auto rs = regions_of(def, v);
  b.digest = eiota::host::full_data_digest(rs);
  for (const auto& r : rs) b.region_digests.push_back(eiota::host::sha256_of(r.values.data(), r.values.size()));
  b.what = "test base";
  return b;
}

struct Rig {
  explicit Rig(bool in_place, Geometry g = Geometry{256, 8, 0xFF, 12}) : d(g, in_place) {
    d.def.regions[4].flags &= (uint8_t)~EIOTA_REGION_PREFIX;
    factory = version_values(d.def, 0);
    factory_digest = base_of(d.def, factory, 0).digest;
    k.pk = d.key.pk;
    k.sk = d.key.sk;
  }
  // RAM mode: no store, working copies filled with the factory values.
  void ram() {
    d.state = eiota_model_state{};
    d.model = eiota_model{&d.block, 1, (uint32_t)d.def.regions.size(), kFingerprint, d.key.pk.data(),
                          eiota::host::key_id(d.key.pk), &d.state, &eiota_ram_storage, factory_digest.data()};
    eiota_model_restore(&d.model);
  }
  // Flash mode: a reset, the store attached again.
  int boot() {
    int err = d.boot();
    d.model.factory_digest = factory_digest.data();
    return err;
  }
  std::string full(const Vals& v, uint64_t sequence, const std::string& extra = "") const {
    std::array<uint8_t, 16> fp{};
    std::memcpy(fp.data(), kFingerprint, 16);
    return eiota::host::write_payload(fp, regions_of(d.def, v), sequence, k, extra);
  }
  std::string delta(const DeltaBase& base, const Vals& next, uint64_t sequence, eiota::host::DeltaStats* st = nullptr) const {
    std::array<uint8_t, 16> fp{};
    std::memcpy(fp.data(), kFingerprint, 16);
    return eiota::host::write_delta_payload(fp, regions_of(d.def, next), base, sequence, k, "", st);
  }
  std::string delta(const Vals& base, uint64_t base_sequence, const Vals& next, uint64_t sequence) const {
    return delta(base_of(d.def, base, base_sequence), next, sequence);
  }
  // Whether inference reads exactly `v` now (and a counted region's count before its values).
  bool serves(const Vals& v) {
    if (!eiota_model_ready(&d.model)) return false;
    for (size_t i = 0; i < d.def.regions.size(); i++) {
      const eiota_region& r = d.def.regions[i];
      const uint8_t* p = (const uint8_t*)eiota_region_values(&d.model, (uint32_t)i);
      if (std::memcmp(p, v[i].data(), v[i].size()) != 0) return false;
      if ((r.flags & EIOTA_REGION_COUNTED) && std::memcmp(p - 4, &r.count, 4) != 0) return false;
    }
    return true;
  }
  int apply(const std::string& p, size_t chunk = 61) { return d.apply(p, chunk); }

  Device d;
  Vals factory;
  Digest factory_digest;
  eiota::host::SecretKey k;
};

}  // namespace delta_harness

#endif  // EIOTA_TESTS_DELTA_HARNESS_H
