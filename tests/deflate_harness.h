// Compressed payloads (format 1.3) on the store harness's model: values that compress in places
// (zeros, repeated patterns: long matches at distance 1 and > 64 bytes) and not in others
// (random: stored blocks), plain payloads turned into 1.3 ones with deflate_payload, and a
// splitter that takes a 1.3 payload apart so a test can rebuild it wrong and sign it again.
#ifndef EIOTA_TESTS_DEFLATE_HARNESS_H
#define EIOTA_TESTS_DEFLATE_HARNESS_H

#include <random>

#include "compress.h"
#include "selftest.h"
#include "store_harness.h"

namespace deflate_harness {

using namespace store_harness;
using Vals = std::vector<std::vector<uint8_t>>;
const uint32_t kWhole = UINT32_MAX;

// A self-test block (the extra data) of `samples` samples: compressible inputs, random outputs.
inline std::string selftest(int samples) {
  std::vector<eiota::host::Sample> in, out;
  std::mt19937 rng(samples);
  for (int i = 0; i < samples; i++) {
    in.push_back(eiota::host::Sample(20, (float)i));
    out.push_back({(float)(rng() % 1000) / 7.0f, (float)(rng() % 1000) / 3.0f});
  }
  return eiota::host::selftest_block(in, out, 0.01f);
}

inline eiota::host::SecretKey key_of(const Device& d) {
  eiota::host::SecretKey k;
  k.pk = d.key.pk;
  k.sk = d.key.sk;
  return k;
}

// Region 0 (1 200 bytes): zeros, random, a 7-byte pattern, one byte repeated, random again; the
// others random. The prefix region's last 10 bytes are zeros (as a payload sending 30 leaves them).
inline Vals mixed(const ModelDef& def, uint32_t seed) {
  std::mt19937 rng(seed);
  Vals out;
  for (size_t i = 0; i < def.regions.size(); i++) {
    const eiota_region& r = def.regions[i];
    std::vector<uint8_t> b(r.count * eiota_elem_size(r.elem_type));
    for (size_t k = 0; k < b.size(); k++) {
      uint8_t rnd = (uint8_t)rng();
      if (i != 0) b[k] = rnd;
      else if (k < 200) b[k] = 0;
      else if (k < 460) b[k] = rnd;
      else if (k < 900) b[k] = (uint8_t)(seed * 31 + k % 7);
      else if (k < 1000) b[k] = (uint8_t)(0xA0 + seed);
      else b[k] = rnd;
    }
    if (i == 4) std::fill(b.begin() + 30, b.end(), 0);
    out.push_back(b);
  }
  return out;
}

// What a device serves for `v` sent with the prefix region's count `prefix`: zeros past it.
inline Vals served(const ModelDef& def, Vals v, uint32_t prefix = 30) {
  for (size_t i = 0; i < def.regions.size(); i++)
    if ((def.regions[i].flags & EIOTA_REGION_PREFIX) && prefix != kWhole)
      std::fill(v[i].begin() + std::min<size_t>(prefix * eiota_elem_size(def.regions[i].elem_type), v[i].size()),
                v[i].end(), 0);
  return v;
}

// The plain payload of `v`; a prefix region sends `prefix` elements (kWhole: all).
inline std::string plain(const Device& d, const Vals& v, uint64_t sequence, const std::string& extra = "",
                         uint32_t prefix = 30) {
  std::array<uint8_t, 16> fp{};
  std::memcpy(fp.data(), kFingerprint, 16);
  std::vector<Region> rs;
  for (size_t i = 0; i < d.def.regions.size(); i++) {
    const eiota_region& g = d.def.regions[i];
    Region r;
    r.name = "r" + std::to_string(i);
    r.elem_type = g.elem_type;
    r.count = (g.flags & EIOTA_REGION_PREFIX) && prefix != kWhole ? prefix : g.count;
    r.values.assign(v[i].begin(), v[i].begin() + r.count * eiota_elem_size(g.elem_type));
    rs.push_back(r);
  }
  return eiota::host::write_payload(fp, rs, sequence, key_of(d), extra);
}

inline std::string deflated(const Device& d, const std::string& plain_payload) {
  return eiota::host::deflate_payload(plain_payload, key_of(d));
}

inline std::string compressed(const Device& d, const Vals& v, uint64_t sequence, const std::string& extra = "",
                              uint32_t prefix = 30) {
  return deflated(d, plain(d, v, sequence, extra, prefix));
}

// A 1.3 payload taken apart: header, entries, each entry's stream, then the extra data.
struct Parts {
  std::string head;
  std::vector<eiota::Entry> entries;
  std::vector<std::string> streams;
  std::string gap;  // bytes between the last stream and the extra data (none in a good payload)
  std::string extra;
};

inline Parts split(const std::string& p) {
  Parts s;
  eiota_header h{};
  if (eiota_decode_header((const uint8_t*)p.data(), p.size(), &h) != EIOTA_DECODE_OK) std::abort();
  s.head = p.substr(0, h.header_len);
  if (eiota_decode_header_ext((const uint8_t*)s.head.data(), s.head.size(), &h) != EIOTA_DECODE_OK) std::abort();
  size_t at = h.header_len + EIOTA_SIGNATURE_LEN;
  for (uint32_t i = 0; i < h.region_count; i++, at += EIOTA_ENTRY_LEN) {
    eiota::Entry e{};
    eiota::decode_entry((const uint8_t*)p.data() + at, EIOTA_ENTRY_LEN, &e);
    s.entries.push_back(e);
  }
  for (const eiota::Entry& e : s.entries) {
    s.streams.push_back(p.substr(at, e.stored_len));
    at += e.stored_len;
  }
  s.extra = p.substr(at);
  return s;
}

// Signs `s` again; with `fix`, each entry's stored_len is its stream's length and data_len the
// data's (else as the entries and head say).
inline std::string join(Parts s, const Device& d, bool fix = true) {
  std::string table, data;
  for (size_t i = 0; i < s.entries.size(); i++) {
    if (fix) s.entries[i].stored_len = (uint32_t)s.streams[i].size();
    uint8_t raw[EIOTA_ENTRY_LEN];
    eiota::encode_entry(s.entries[i], raw);
    table.append((const char*)raw, sizeof raw);
    data += s.streams[i];
  }
  data += s.gap + s.extra;
  if (fix) eiota_put_u32((uint8_t*)&s.head[12], (uint32_t)data.size());
  return eiota::host::signed_payload(s.head, table, data, key_of(d));
}

// Whether inference reads exactly `v` now (and a counted region's count before its values).
inline bool serves(Device& d, const Vals& v) {
  if (!eiota_model_ready(&d.model)) return false;
  for (size_t i = 0; i < d.def.regions.size(); i++) {
    const eiota_region& r = d.def.regions[i];
    const uint8_t* p = (const uint8_t*)eiota_region_values(&d.model, (uint32_t)i);
    if (p == nullptr || std::memcmp(p, v[i].data(), v[i].size()) != 0) return false;
    if ((r.flags & EIOTA_REGION_COUNTED) && std::memcmp(p - 4, &r.count, 4) != 0) return false;
  }
  return true;
}

inline Vals factory(const ModelDef& def) { return version_values(def, 0); }

// RAM mode with the decoder (or without): no store, working copies holding the factory values.
inline void ram(Device& d, bool inflate = true, const eiota_storage* storage = &eiota_ram_storage) {
  d.state = eiota_model_state{};
  d.model = eiota_model{&d.block, 1, (uint32_t)d.def.regions.size(), kFingerprint, d.key.pk.data(),
                        eiota::host::key_id(d.key.pk), &d.state, storage, nullptr,
                        inflate ? eiota_update_inflate : nullptr};
  eiota_model_restore(&d.model);
}

// Flash mode: a reset, the store attached again (re-validating the slots), then the decoder on.
inline int boot(Device& d, bool inflate = true) {
  int err = d.boot();
  if (inflate) d.model.inflate = eiota_update_inflate;
  return err;
}

}  // namespace deflate_harness

#endif  // EIOTA_TESTS_DEFLATE_HARNESS_H
