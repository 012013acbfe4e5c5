// Host speed probes (figures go to docs/FIGURES.md; nothing here is a pass/fail test):
// writing and signing a payload, and the device runtime applying it, for a small and a
// person_detect-sized model.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <vector>

#include "eiota_ed25519.h"
#include "eiota_update.h"
#include "payload.h"

using namespace eiota::host;

namespace {

struct Model {
  std::vector<std::vector<uint8_t>> factory, working;
  std::vector<eiota_region> regions;
  eiota_block block;
  eiota_model_state state{};
  eiota_model model;
  std::vector<Region> next;
  SecretKey key;
  std::array<uint8_t, 16> fp{};

  // `n` int8 weight regions of `bytes` each, with float scales and int32 zero points.
  Model(int n, uint32_t bytes) {
    if (sodium_init() < 0) abort();
    crypto_sign_keypair(key.pk.data(), key.sk.data());
    for (int i = 0; i < n; i++) {
      for (auto [type, count] : {std::pair<uint8_t, uint32_t>{eiota::kInt8, bytes}, {eiota::kFloat32, 8}, {eiota::kInt32, 8}}) {
        uint32_t size = count * eiota::elem_size(type);
        factory.emplace_back(size, 1);
        working.emplace_back(size, 0);
        Region r;
        r.elem_type = type;
        r.count = count;
        r.values.assign(size, 2);
        next.push_back(r);
      }
    }
    for (size_t i = 0; i < factory.size(); i++)
      regions.push_back({factory[i].data(), working[i].data(), next[i].count, next[i].elem_type});
    block = {regions.data(), (uint32_t)regions.size()};
    model = {&block, 1, (uint32_t)regions.size(), fp.data(), key.pk.data(), key_id(key.pk), &state, &eiota_ram_storage};
  }
};

void BM_PackPayload(benchmark::State& st) {
  Model m((int)st.range(0), (uint32_t)st.range(1));
  for (auto _ : st) benchmark::DoNotOptimize(write_payload(m.fp, m.next, 1, m.key));
  st.SetBytesProcessed(st.iterations() * st.range(0) * st.range(1));
}

void BM_ApplyPayload(benchmark::State& st) {
  Model m((int)st.range(0), (uint32_t)st.range(1));
  std::string p = write_payload(m.fp, m.next, 1, m.key);
  eiota_update u;
  for (auto _ : st) {
    eiota_update_begin(&u, &m.model);
    for (size_t off = 0; off < p.size(); off += 512)
      eiota_update_write(&u, (const uint8_t*)p.data() + off, std::min<size_t>(512, p.size() - off));
    if (eiota_update_finish(&u) != EIOTA_OK) st.SkipWithError("apply failed");
  }
  st.SetBytesProcessed(st.iterations() * (int64_t)p.size());
  st.counters["payload_bytes"] = (double)p.size();
}

void BM_Ed25519Verify(benchmark::State& st) {
  Model m(1, 16);
  uint8_t msg[64] = {0}, sig[64];
  crypto_sign_detached(sig, nullptr, msg, sizeof msg, m.key.sk.data());
  for (auto _ : st) benchmark::DoNotOptimize(eiota_ed25519_verify(sig, m.key.pk.data(), msg, sizeof msg));
}

}  // namespace

// 28 regions / 680 bytes is the demo model; 57 x 3840 is about person_detect (219 KB of weights).
BENCHMARK(BM_PackPayload)->Args({10, 64})->Args({57, 3840})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ApplyPayload)->Args({10, 64})->Args({57, 3840})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Ed25519Verify)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
