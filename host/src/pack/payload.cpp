#include "payload.h"

#include <sodium.h>

#include <stdexcept>

namespace eiota::host {

const char* elem_type_name(uint8_t t) {
  switch (t) {
    case eiota::kInt8: return "int8";
    case eiota::kUInt8: return "uint8";
    case eiota::kInt16: return "int16";
    case eiota::kInt32: return "int32";
    case eiota::kFloat32: return "float32";
    case eiota::kFloat64: return "float64";
    case eiota::kInt64: return "int64";
    default: return "unknown";
  }
}

std::string write_payload(const std::array<uint8_t, 16>& fp, const std::vector<Region>& regions,
                          uint64_t sequence, const SecretKey& key) {
  std::string table, data;
  for (size_t i = 0; i < regions.size(); i++) {
    const Region& r = regions[i];
    uint64_t size = (uint64_t)r.count * eiota::elem_size(r.elem_type);
    if (r.values.size() != size) throw std::runtime_error("region " + r.name + ": value bytes do not match its size");
    eiota::Entry e{(uint32_t)i, r.count, (uint32_t)size, r.elem_type, eiota::kRaw, 0};
    uint8_t buf[eiota::kEntryLen];
    eiota::encode_entry(e, buf);
    table.append((const char*)buf, sizeof buf);
    data.append((const char*)r.values.data(), r.values.size());
  }
  if (data.size() > UINT32_MAX) throw std::runtime_error("payload data over 4 GiB");
  eiota::Header h{};
  h.major = eiota::kMajor;
  h.minor = eiota::kMinor;
  h.region_count = (uint32_t)regions.size();
  h.data_len = (uint32_t)data.size();
  h.sequence = sequence;
  std::copy(fp.begin(), fp.end(), h.fingerprint);
  h.key_id = key_id(key.pk);
  crypto_hash_sha256(h.data_sha256, (const uint8_t*)data.data(), data.size());
  uint8_t head[eiota::kHeaderLen];
  eiota::encode_header(h, head);
  std::string signed_part((const char*)head, sizeof head);
  signed_part += table;
  uint8_t sig[64];
  crypto_sign_detached(sig, nullptr, (const uint8_t*)signed_part.data(), signed_part.size(), key.sk.data());
  std::string out((const char*)head, sizeof head);
  out.append((const char*)sig, sizeof sig);
  out += table;
  out += data;
  return out;
}

PayloadInfo read_payload(const std::string& bytes, const std::array<uint8_t, 32>* public_key) {
  PayloadInfo p;
  p.size = bytes.size();
  const uint8_t* b = (const uint8_t*)bytes.data();
  switch (eiota::decode_header(b, bytes.size(), &p.header)) {
    case eiota::kDecodeOk: break;
    case eiota::kDecodeShort: p.problems.push_back("shorter than the " + std::to_string(eiota::kHeaderLen) + "-byte header"); return p;
    case eiota::kDecodeBadMagic: p.problems.push_back("bad magic: not an eiota payload"); return p;
    case eiota::kDecodeBadVersion: p.problems.push_back("unsupported format version " + std::to_string(p.header.major) + "." + std::to_string(p.header.minor)); return p;
    case eiota::kDecodeBadFlags: p.problems.push_back("unknown flags"); return p;
  }
  const eiota::Header& h = p.header;
  uint64_t table_at = eiota::table_offset(h.header_len);
  uint64_t data_at = table_at + (uint64_t)eiota::kEntryLen * h.region_count;
  uint64_t total = data_at + h.data_len;
  if (bytes.size() < data_at) { p.problems.push_back("truncated: the region table ends at byte " + std::to_string(data_at) + ", payload has " + std::to_string(bytes.size())); return p; }
  std::copy(b + h.header_len, b + h.header_len + 64, p.signature.begin());
  uint64_t sum = 0;
  for (uint32_t i = 0; i < h.region_count; i++) {
    eiota::Entry e;
    eiota::decode_entry(b + table_at + (uint64_t)i * eiota::kEntryLen, eiota::kEntryLen, &e);
    if (e.region != i) p.problems.push_back("entry " + std::to_string(i) + " names region " + std::to_string(e.region));
    if (e.encoding != eiota::kRaw) p.problems.push_back("entry " + std::to_string(i) + ": unknown encoding " + std::to_string(e.encoding));
    else if ((uint64_t)e.count * eiota::elem_size(e.elem_type) != e.stored_len || !eiota::elem_size(e.elem_type))
      p.problems.push_back("entry " + std::to_string(i) + ": size does not match its type and count");
    sum += e.stored_len;
    p.entries.push_back(e);
  }
  if (sum != h.data_len) p.problems.push_back("region sizes add up to " + std::to_string(sum) + " bytes, header says " + std::to_string(h.data_len));
  p.data_offset = data_at;
  if (bytes.size() < total) p.problems.push_back("truncated: " + std::to_string(bytes.size()) + " of " + std::to_string(total) + " bytes");
  if (bytes.size() > total) p.problems.push_back("oversize: " + std::to_string(bytes.size() - total) + " bytes past the declared end");
  if (bytes.size() >= total) {
    uint8_t d[32];
    crypto_hash_sha256(d, b + data_at, h.data_len);
    p.hash_ok = sodium_memcmp(d, h.data_sha256, 32) == 0;
    if (!p.hash_ok) p.problems.push_back("data SHA-256 does not match the header");
  }
  if (public_key) {
    std::string msg((const char*)b, h.header_len);
    msg.append((const char*)b + table_at, data_at - table_at);
    p.signature_ok = crypto_sign_verify_detached(p.signature.data(), (const uint8_t*)msg.data(), msg.size(), public_key->data()) == 0;
    if (!*p.signature_ok) p.problems.push_back("signature does not verify with the given key");
  }
  return p;
}

}  // namespace eiota::host
