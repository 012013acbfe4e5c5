// Flash wear and time of one update through the slot store, against the minimum: what
// docs/FIGURES.md reports. Not a test.
//   eiota_store_wear PATCHED_LIBRARY KEY.pub PAYLOAD...
// For each payload and flash geometry it applies the payload on a simulated NOR flash
// (tests/nor_sim.h), then activates and confirms it, and prints erases, progs and bytes
// programmed per phase beside the minimum: the payload's bytes, the erase blocks they span and
// one journal record per event. Time: a typical SPI NOR (W25Q128JV-class: 45 ms per 4 KB sector
// erase; a program call costs 30 us plus its bytes at 0.4 ms per 256-byte page), hashing overlapped
// with the flash; the signature check (before any byte is written) is not counted.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "../tests/nor_sim.h"
#include "eiota_slot_layout.h"
#include "eiota_store.h"
#include "eiota_update.h"
#include "keys.h"
#include "manifest.h"
#include "payload.h"

using namespace eiota::host;
namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string manifest_path(const std::string& dir) {
  for (const char* p : {"eiota-manifest.json", "src/eiota-manifest.json"})
    if (fs::exists(fs::path(dir) / p)) return (fs::path(dir) / p).string();
  throw std::runtime_error(dir + ": no eiota-manifest.json (not a patched library)");
}

struct Window {  // one area of the simulated flash
  NorSim* sim;
  uint32_t base;
  static int read(void* c, uint32_t a, uint8_t* b, uint32_t n) { auto* w = (Window*)c; return w->sim->flash().read(w->sim, w->base + a, b, n); }
  static int prog(void* c, uint32_t a, const uint8_t* b, uint32_t n) { auto* w = (Window*)c; return w->sim->flash().prog(w->sim, w->base + a, b, n); }
  static int erase(void* c, uint32_t a, uint32_t n) { auto* w = (Window*)c; return w->sim->flash().erase(w->sim, w->base + a, n); }
};

// Progs as a page-programming NOR sees them: every 256-byte page a prog touches costs one program.
struct PageCounter {
  NorSim* sim;
  uint64_t pages = 0, calls = 0;
};
PageCounter* g_pages = nullptr;
int counting_prog(void* c, uint32_t a, const uint8_t* b, uint32_t n) {
  auto* w = (Window*)c;
  uint32_t at = w->base + a;
  g_pages->pages += (at + n - 1) / 256 - at / 256 + 1;
  g_pages->calls++;
  return w->sim->flash().prog(w->sim, at, b, n);
}

struct Geometry {
  const char* name;
  uint32_t erase_size, prog_size;
  bool timed;  // the SPI NOR timing model applies
};

struct Phase {
  uint64_t erases = 0, progs = 0, bytes = 0, pages = 0;
};

Phase since(const NorSim& s, const Phase& before, const PageCounter& pc) {
  Phase p;
  p.erases = s.erases - before.erases;
  p.progs = s.progs - before.progs;
  p.bytes = s.bytes_programmed - before.bytes;
  p.pages = pc.pages - before.pages;
  return p;
}
Phase now(const NorSim& s, const PageCounter& pc) { return Phase{s.erases, s.progs, s.bytes_programmed, pc.pages}; }

int run(const Manifest& man, const std::array<uint8_t, 32>& pk, const std::string& name, const std::string& payload,
        const Geometry& g) {
  const bool flash_mode = man.storage == "flash";
  std::vector<std::vector<uint8_t>> factory, working;
  std::vector<eiota_region> regions;
  for (const Region& r : man.regions) {
    size_t n = (size_t)r.count * eiota_elem_size(r.elem_type);
    factory.emplace_back(n + 4);
    working.emplace_back(n + 4);
    bool in_place = flash_mode && (r.kind == Region::kData || r.kind == Region::kScale || r.kind == Region::kZero);
    regions.push_back(eiota_region{factory.back().data() + 4, in_place ? nullptr : working.back().data() + 4, r.count,
                                   r.elem_type, r.flags, r.slot_offset});
  }
  if (man.slot_size == 0) throw std::runtime_error("the manifest has no slot layout (a library patched before slots)");
  eiota_block block = {regions.data(), (uint32_t)regions.size()};
  eiota_model_state state{};
  eiota_model model = {&block, 1, (uint32_t)regions.size(), man.fingerprint.data(), pk.data(), key_id(pk), &state,
                       &eiota_ram_storage};
  uint32_t slot = (uint32_t)((man.slot_size + payload.size() + g.erase_size) / g.erase_size * g.erase_size);
  NorSim sim(2 * g.erase_size + 2 * slot, g.erase_size, g.prog_size, 0xFF);
  PageCounter pc{&sim};
  g_pages = &pc;
  Window w[3] = {{&sim, 0}, {&sim, 2 * g.erase_size}, {&sim, 2 * g.erase_size + slot}};
  eiota_flash f[3];
  for (int i = 0; i < 3; i++) {
    f[i] = sim.flash();
    f[i].ctx = &w[i];
    f[i].read = &Window::read;
    f[i].prog = &counting_prog;
    f[i].erase = &Window::erase;
    f[i].size = i == 0 ? 2 * g.erase_size : slot;
    f[i].mapped = sim.memory().data() + w[i].base;
  }
  eiota_store_config cfg = {&f[0], 0, {&f[1], &f[2]}, 3, nullptr, nullptr, nullptr};
  eiota_store store{};
  if (int err = eiota_store_attach(&model, &store, &cfg, nullptr); err != EIOTA_OK)
    throw std::runtime_error(std::string("attach: ") + eiota_strerror(err));

  Phase p0 = now(sim, pc);
  eiota_update u;
  eiota_update_begin(&u, &model);
  int err = EIOTA_OK;
  for (size_t off = 0; off < payload.size() && err == EIOTA_OK; off += 256)
    err = eiota_update_write(&u, (const uint8_t*)payload.data() + off, std::min<size_t>(256, payload.size() - off));
  if (err == EIOTA_OK) err = eiota_update_finish(&u);
  if (err != EIOTA_OK) throw std::runtime_error(name + ": the device refused the payload: " + eiota_strerror(err));
  Phase update = since(sim, p0, pc);
  Phase p1 = now(sim, pc);
  eiota_model_ready(&model);
  Phase activate = since(sim, p1, pc);
  Phase p2 = now(sim, pc);
  eiota_store_confirm(&model);
  Phase confirm = since(sim, p2, pc);

  const uint64_t record = (EIOTA_JOURNAL_RECORD_LEN + g.prog_size - 1) / g.prog_size * g.prog_size;
  const uint64_t min_blocks = (payload.size() + g.erase_size - 1) / g.erase_size;
  const uint64_t min_bytes = payload.size() + 2 * record;  // the payload, new + trial
  printf("| %s | %s | %zu | %llu (min %llu) | %llu B in %llu progs (min %llu B): %.3fx | %llu B, %llu erase | %llu B, %llu erase |",
         name.c_str(), g.name, payload.size(), (unsigned long long)update.erases, (unsigned long long)min_blocks,
         (unsigned long long)update.bytes, (unsigned long long)update.progs, (unsigned long long)min_bytes,
         (double)update.bytes / (double)min_bytes, (unsigned long long)activate.bytes, (unsigned long long)activate.erases,
         (unsigned long long)confirm.bytes, (unsigned long long)confirm.erases);
  if (g.timed) {
    const double t_erase = 45.0, t_call = 0.030, t_byte = (0.4 - 0.030) / 256;  // ms
    double ours = update.erases * t_erase + update.progs * t_call + update.bytes * t_byte;
    double min = min_blocks * t_erase + ((payload.size() + 255) / 256 + 2) * t_call + min_bytes * t_byte;
    printf(" %.1f ms (min %.1f ms): %.3fx |\n", ours, min, ours / min);
  } else {
    printf(" n/a |\n");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: eiota_store_wear PATCHED_LIBRARY KEY.pub PAYLOAD...\n");
    return 2;
  }
  try {
    Manifest man = load_manifest(manifest_path(argv[1]));
    auto pk = load_public_key(argv[2]);
    const Geometry geos[] = {{"SPI NOR 4 KB / 1 B", 4096, 1, true}, {"4 KB / 8 B", 4096, 8, false},
                             {"internal 128 KB / 32 B", 131072, 32, false}};
    printf("| payload | flash | bytes | erases | programmed for the update | activation | confirm | time, SPI NOR |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (int i = 3; i < argc; i++) {
      std::string p = read_file(argv[i]);
      for (const Geometry& g : geos) run(man, pk, fs::path(argv[i]).filename().string(), p, g);
    }
  } catch (const std::exception& e) {
    fprintf(stderr, "eiota_store_wear: %s\n", e.what());
    return 1;
  }
  return 0;
}
