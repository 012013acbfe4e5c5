// A simulated device for the slot store tests: one NOR flash (tests/nor_sim.h) split into the
// journal's two erase blocks and slots A and B, a small model with every kind of region (tensor
// data read in place or copied, TfArray-shaped scales and zero points, a prefix region, a config
// value), and payloads of numbered versions. "Reboot" forgets all RAM and attaches again.
#ifndef EIOTA_TESTS_STORE_HARNESS_H
#define EIOTA_TESTS_STORE_HARNESS_H

#include <sodium.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eiota_slot_layout.h"
#include "eiota_store.h"
#include "eiota_update.h"
#include "nor_sim.h"
#include "payload.h"

namespace store_harness {

using eiota::host::Region;

// A window of the simulated flash: the store's areas are separate eiota_flash descriptions.
struct Area {
  NorSim* sim;
  uint32_t base;
  int failing_reads = 0;  // the next reads fail, as a flaky bus would
  static int read(void* c, uint32_t a, uint8_t* b, uint32_t n) {
    Area* x = (Area*)c;
    if (x->failing_reads > 0) return x->failing_reads--, -1;
    return x->sim->flash().read(x->sim, x->base + a, b, n);
  }
  static int prog(void* c, uint32_t a, const uint8_t* b, uint32_t n) {
    Area* x = (Area*)c;
    return x->sim->flash().prog(x->sim, x->base + a, b, n);
  }
  static int erase(void* c, uint32_t a, uint32_t n) {
    Area* x = (Area*)c;
    return x->sim->flash().erase(x->sim, x->base + a, n);
  }
};

struct Geometry {
  uint32_t erase_size, prog_size;
  uint8_t erased;
  uint32_t slot_blocks;
};

template <class T, size_t N>
struct Counted {  // a TfArray
  int32_t size;
  T elem[N];
};

struct ModelDef {
  // factory values
  int8_t f_w[1200];
  Counted<float, 3> f_s;
  Counted<int32_t, 3> f_z;
  int32_t f_b[5];
  uint8_t f_m[40];
  float f_c[1];
  // working copies (RAM mode, or the regions copied in flash mode)
  int8_t w_w[1200];
  Counted<float, 3> w_s;
  Counted<int32_t, 3> w_z;
  int32_t w_b[5];
  uint8_t w_m[40];
  float w_c[1];
  std::vector<eiota_region> regions;
};

inline void build_model(ModelDef* d, bool in_place) {
  for (int i = 0; i < 1200; i++) d->f_w[i] = (int8_t)(i * 3 - 50);
  d->f_s = {3, {0.5f, 0.25f, 0.125f}};
  d->f_z = {3, {0, -1, 2}};
  for (int i = 0; i < 5; i++) d->f_b[i] = 1000 * i - 7;
  for (int i = 0; i < 40; i++) d->f_m[i] = (uint8_t)(200 - i);
  d->f_c[0] = 3.5f;
  d->w_s.size = 3;
  d->w_z.size = 3;
  struct R {
    const void* f;
    void* w;
    uint32_t n;
    uint8_t t, flags;
  } rs[] = {
      {d->f_w, in_place ? nullptr : d->w_w, 1200, EIOTA_INT8, EIOTA_REGION_ALIGN16},
      {d->f_s.elem, in_place ? nullptr : d->w_s.elem, 3, EIOTA_FLOAT32, EIOTA_REGION_COUNTED},
      {d->f_z.elem, in_place ? nullptr : d->w_z.elem, 3, EIOTA_INT32, EIOTA_REGION_COUNTED},
      {d->f_b, in_place ? nullptr : d->w_b, 5, EIOTA_INT32, EIOTA_REGION_ALIGN16},
      {d->f_m, d->w_m, 40, EIOTA_UINT8, EIOTA_REGION_PREFIX | EIOTA_REGION_ALIGN16},
      {d->f_c, d->w_c, 1, EIOTA_FLOAT32, 0},
  };
  d->regions.clear();
  uint64_t at = eiota_slot_values_start(6);
  for (const R& r : rs) {
    eiota_region g = {r.f, r.w, r.n, r.t, r.flags, 0};
    g.slot_offset = (uint32_t)eiota_slot_place(at, r.t, r.flags);
    at = g.slot_offset + r.n * eiota_elem_size(r.t);
    d->regions.push_back(g);
  }
}

const uint8_t kFingerprint[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

// A version: the values of every region (the prefix region sends 30 of its 40 bytes).
inline std::vector<std::vector<uint8_t>> version_values(const ModelDef& d, int v) {
  std::vector<std::vector<uint8_t>> out;
  for (size_t i = 0; i < d.regions.size(); i++) {
    const eiota_region& r = d.regions[i];
    size_t n = r.count * eiota_elem_size(r.elem_type);
    std::vector<uint8_t> b((const uint8_t*)r.factory, (const uint8_t*)r.factory + n);
    if (v != 0) {
      for (size_t k = 0; k < n; k++) b[k] = (uint8_t)(b[k] * 7 + 13 * v + k);
      if (i == 4) std::fill(b.begin() + 30, b.end(), 0);
    }
    out.push_back(b);
  }
  return out;
}

class Device {
 public:
  Device(Geometry g, bool in_place, uint8_t max_trial_boots = 1, uint64_t seed = 1)
      : g_(g), in_place_(in_place), max_boots_(max_trial_boots) {
    uint32_t size = g.erase_size * (2 + 2 * g.slot_blocks);
    sim = std::make_unique<NorSim>(size, g.erase_size, g.prog_size, g.erased, seed);
    build_model(&def, in_place);
    if (sodium_init() < 0) std::abort();
    crypto_sign_seed_keypair(key.pk.data(), key.sk.data(), std::vector<uint8_t>(32, 5).data());
    block = {def.regions.data(), (uint32_t)def.regions.size()};
    areas[0] = {sim.get(), 0, 0};
    areas[1] = {sim.get(), 2 * g.erase_size, 0};
    areas[2] = {sim.get(), (2 + g.slot_blocks) * g.erase_size, 0};
    for (int i = 0; i < 3; i++) {
      eiota_flash f = sim->flash();
      f.ctx = &areas[i];
      f.read = &Area::read;
      f.prog = &Area::prog;
      f.erase = &Area::erase;
      f.size = i == 0 ? 2 * g.erase_size : g.slot_blocks * g.erase_size;
      f.mapped = in_place ? sim->memory().data() + areas[i].base : nullptr;
      flash[i] = f;
    }
    cfg = {&flash[0], 0, {&flash[1], &flash[2]}, max_trial_boots, nullptr, nullptr, nullptr};
  }

  // A reset: RAM is gone (working copies hold garbage), the flash stays.
  int boot() {
    state = eiota_model_state{};
    std::memset(def.w_w, 0x5A, sizeof def.w_w);
    std::memset(def.w_s.elem, 0x5A, sizeof def.w_s.elem);
    std::memset(def.w_z.elem, 0x5A, sizeof def.w_z.elem);
    std::memset(def.w_b, 0x5A, sizeof def.w_b);
    std::memset(def.w_m, 0x5A, sizeof def.w_m);
    std::memset(def.w_c, 0x5A, sizeof def.w_c);
    model = eiota_model{&block, 1, (uint32_t)def.regions.size(), kFingerprint, key.pk.data(),
                        eiota::host::key_id(key.pk), &state, &eiota_ram_storage};
    store = eiota_store{};
    return eiota_store_attach(&model, &store, &cfg, &report);
  }

  std::string payload(int v, uint64_t sequence, const std::string& extra = "") const {
    std::array<uint8_t, 16> fp{};
    std::memcpy(fp.data(), kFingerprint, 16);
    auto vals = version_values(def, v);
    std::vector<Region> rs;
    for (size_t i = 0; i < def.regions.size(); i++) {
      Region r;
      r.name = "r" + std::to_string(i);
      r.elem_type = def.regions[i].elem_type;
      r.count = i == 4 ? 30 : def.regions[i].count;
      r.values.assign(vals[i].begin(), vals[i].begin() + r.count * eiota_elem_size(r.elem_type));
      rs.push_back(r);
    }
    eiota::host::SecretKey k;
    k.pk = key.pk;
    k.sk = key.sk;
    return eiota::host::write_payload(fp, rs, sequence, k, extra);
  }

  // Streams `p` from `from` in chunks; returns the first error. `fed` counts bytes accepted.
  int send(eiota_update* u, const std::string& p, size_t from = 0, size_t chunk = 61, size_t* fed = nullptr) {
    for (size_t off = from; off < p.size(); off += chunk) {
      size_t n = std::min(chunk, p.size() - off);
      int err = eiota_update_write(u, (const uint8_t*)p.data() + off, n);
      if (err != EIOTA_OK) return err;
      if (fed) *fed += n;
    }
    return eiota_update_finish(u);
  }
  int apply(const std::string& p, size_t chunk = 61) {
    eiota_update u;
    eiota_update_begin(&u, &model);
    return send(&u, p, 0, chunk);
  }

  // The version whose values inference would read now, -1 for a mix or garbage.
  int serving(int max_version = 200) {
    eiota_model_ready(&model);
    for (int v = 0; v <= max_version; v++) {
      if (v != 0 && versions_.count(v) == 0) continue;
      if (matches(v)) return v;
    }
    return -1;
  }
  bool matches(int v) {
    auto want = version_values(def, v);
    for (size_t i = 0; i < def.regions.size(); i++) {
      const eiota_region& r = def.regions[i];
      const uint8_t* p = (const uint8_t*)eiota_region_values(&model, (uint32_t)i);
      if (std::memcmp(p, want[i].data(), want[i].size()) != 0) return false;
      if ((r.flags & EIOTA_REGION_COUNTED) && std::memcmp(p - 4, &r.count, 4) != 0) return false;
    }
    return true;
  }
  void known(int v) { versions_[v] = 1; }

  Geometry g_;
  bool in_place_;
  uint8_t max_boots_;
  std::unique_ptr<NorSim> sim;
  ModelDef def;
  struct {
    std::array<uint8_t, 64> sk;
    std::array<uint8_t, 32> pk;
  } key;
  eiota_block block;
  Area areas[3];
  eiota_flash flash[3];
  eiota_store_config cfg;
  eiota_model_state state{};
  eiota_model model{};
  eiota_store store{};
  eiota_store_report report{};

 private:
  std::map<int, int> versions_;
};

}  // namespace store_harness

#endif  // EIOTA_TESTS_STORE_HARNESS_H
