#include "delta.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include "eiota_format.h"
#include "payload.h"

namespace eiota::host {

Digest sha256_of(const uint8_t* p, size_t n) {
  Digest d;
  crypto_hash_sha256(d.data(), p, n);
  return d;
}

bool delta_capable(const std::vector<Region>& regions) {
  return std::none_of(regions.begin(), regions.end(), [](const Region& r) { return r.kind == Region::kModel; });
}

Digest full_data_digest(const std::vector<Region>& regions) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  for (const Region& r : regions) crypto_hash_sha256_update(&st, r.values.data(), r.values.size());
  Digest d;
  crypto_hash_sha256_final(&st, d.data());
  return d;
}

DeltaBase base_of_factory(const Manifest& m, const std::string& library) {
  if (!delta_capable(m.regions))
    throw std::runtime_error(library + ": a TFLite-interpreter model (its whole flatbuffer is one region) cannot take a delta");
  if (m.factory_digest.size() != 32 || m.factory_region_digests.size() != m.regions.size())
    throw std::runtime_error(library + ": patched before format 1.2, so neither its manifest nor its devices know the "
                             "factory values' digest: a delta on factory is impossible (pack a full payload, or patch again)");
  DeltaBase b;
  std::copy(m.factory_digest.begin(), m.factory_digest.end(), b.digest.begin());
  b.region_digests = m.factory_region_digests;
  b.what = "the factory values";
  return b;
}

DeltaBase base_of_payload(const std::string& bytes, const std::string& file, const Manifest& m) {
  PayloadInfo p = read_payload(bytes, &m.public_key);
  if (!p.problems.empty()) throw std::runtime_error(file + ": not a valid payload for this library: " + p.problems.front());
  const eiota::Header& h = p.header;
  if (!std::equal(m.fingerprint.begin(), m.fingerprint.end(), h.fingerprint))
    throw std::runtime_error(file + ": built for another model (fingerprint " + hex(h.fingerprint, 16) + ", the library's is " +
                             hex(m.fingerprint.data(), 16) + ")");
  if (h.flags & EIOTA_FLAG_DELTA)
    throw std::runtime_error(file + ": itself a delta; give the full payload of release " + std::to_string(h.sequence) +
                             " (eiota pack without --delta-from) as the base");
  if (!delta_capable(m.regions))
    throw std::runtime_error("a TFLite-interpreter model (its whole flatbuffer is one region) cannot take a delta");
  if (p.entries.size() != m.regions.size()) throw std::runtime_error(file + ": lists " + std::to_string(p.entries.size()) + " regions, the library has " + std::to_string(m.regions.size()));
  DeltaBase b;
  b.sequence = h.sequence;
  b.what = file;
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  for (size_t i = 0; i < p.entries.size(); i++) {
    const eiota::Entry& e = p.entries[i];
    if (e.count != m.regions[i].count || e.elem_type != m.regions[i].elem_type)
      throw std::runtime_error(file + ": region " + std::to_string(i) + " does not have the library's shape");
    std::string v = entry_values(bytes, p, i);  // decoded when the base payload is compressed
    b.region_digests.push_back(sha256_of((const uint8_t*)v.data(), v.size()));
    crypto_hash_sha256_update(&st, (const uint8_t*)v.data(), v.size());
  }
  crypto_hash_sha256_final(&st, b.digest.data());
  if (b.sequence == 0) throw std::runtime_error(file + ": sequence 0 names the factory values; use --base factory");
  return b;
}

std::vector<uint32_t> delta_regions(const std::vector<Region>& regions, const DeltaBase& base) {
  if (base.region_digests.size() != regions.size())
    throw std::runtime_error("the base lists " + std::to_string(base.region_digests.size()) + " regions, the model has " +
                             std::to_string(regions.size()));
  std::vector<bool> send(regions.size());
  for (size_t i = 0; i < regions.size(); i++)
    send[i] = sha256_of(regions[i].values.data(), regions[i].values.size()) != base.region_digests[i];
  // Runs of consecutive sent regions; fill the cheapest gaps (in bytes) until few enough remain.
  for (;;) {
    std::vector<std::pair<size_t, size_t>> gaps;  // [first, end) of unsent regions between two runs
    size_t runs = 0;
    for (size_t i = 0; i < send.size(); i++) {
      if (!send[i]) continue;
      if (i == 0 || !send[i - 1]) {
        runs++;
        if (runs > 1) {
          size_t g = i;
          while (g > 0 && !send[g - 1]) g--;
          gaps.push_back({g, i});
        }
      }
    }
    if (runs <= EIOTA_MAX_DELTA_RUNS) break;
    auto cost = [&](const std::pair<size_t, size_t>& g) {
      size_t n = 0;
      for (size_t i = g.first; i < g.second; i++) n += regions[i].values.size() + eiota::kEntryLen;
      return n;
    };
    auto best = std::min_element(gaps.begin(), gaps.end(), [&](auto& a, auto& b) { return cost(a) < cost(b); });
    for (size_t i = best->first; i < best->second; i++) send[i] = true;
  }
  std::vector<uint32_t> out;
  for (size_t i = 0; i < send.size(); i++)
    if (send[i]) out.push_back((uint32_t)i);
  return out;
}

std::string write_delta_payload(const std::array<uint8_t, 16>& fp, const std::vector<Region>& regions,
                                const DeltaBase& base, uint64_t sequence, const SecretKey& key,
                                const std::string& extra, DeltaStats* stats) {
  if (!delta_capable(regions))
    throw std::runtime_error("a TFLite-interpreter model (its whole flatbuffer is one region) cannot take a delta");
  std::vector<uint32_t> sent = delta_regions(regions, base);
  DeltaStats st;
  std::string table, data;
  for (uint32_t i : sent) {
    const Region& r = regions[i];
    uint64_t size = (uint64_t)r.count * eiota::elem_size(r.elem_type);
    if (r.values.size() != size) throw std::runtime_error("region " + r.name + ": value bytes do not match its size");
    eiota::Entry e{i, r.count, (uint32_t)size, r.elem_type, eiota::kRaw, 0};
    uint8_t buf[eiota::kEntryLen];
    eiota::encode_entry(e, buf);
    table.append((const char*)buf, sizeof buf);
    data.append((const char*)r.values.data(), r.values.size());
    st.regions_sent++;
    st.bytes_sent += size;
    if (st.runs == 0 || sent[st.regions_sent - 2] + 1 != i) st.runs++;
  }
  for (const Region& r : regions) st.bytes_kept += r.values.size();
  st.bytes_kept -= st.bytes_sent;
  st.regions_kept = regions.size() - st.regions_sent;
  data += extra;
  if (data.size() > UINT32_MAX) throw std::runtime_error("payload data over 4 GiB");
  eiota::Header h{};
  h.major = eiota::kMajor;
  h.minor = EIOTA_FORMAT_MINOR_DELTA;
  h.flags = EIOTA_FLAG_DELTA | (extra.empty() ? 0 : EIOTA_FLAG_EXTRA);
  h.extra_len = (uint32_t)extra.size();
  h.region_count = (uint32_t)sent.size();
  h.data_len = (uint32_t)data.size();
  h.sequence = sequence;
  std::copy(fp.begin(), fp.end(), h.fingerprint);
  h.key_id = key_id(key.pk);
  crypto_hash_sha256(h.data_sha256, (const uint8_t*)data.data(), data.size());
  h.base_sequence = base.sequence;
  std::copy(base.digest.begin(), base.digest.end(), h.base_digest);
  Digest result = full_data_digest(regions);
  std::copy(result.begin(), result.end(), h.result_digest);
  uint8_t head[EIOTA_HEADER_DELTA_LEN];
  uint32_t head_len = eiota::encode_header_delta(h, head);
  if (stats) *stats = st;
  return signed_payload(std::string((const char*)head, head_len), table, data, key);
}

}  // namespace eiota::host
