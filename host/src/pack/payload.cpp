#include "payload.h"

#include <sodium.h>

#include <cstring>
#include <memory>
#include <stdexcept>

#include "compress.h"
#include "eiota_update.h"

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
                          uint64_t sequence, const SecretKey& key, const std::string& extra) {
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
  data += extra;
  if (data.size() > UINT32_MAX) throw std::runtime_error("payload data over 4 GiB");
  eiota::Header h{};
  h.major = eiota::kMajor;
  h.minor = extra.empty() ? eiota::kMinor : EIOTA_FORMAT_MINOR_EXTRA;
  h.flags = extra.empty() ? 0 : EIOTA_FLAG_EXTRA;
  h.extra_len = (uint32_t)extra.size();
  h.region_count = (uint32_t)regions.size();
  h.data_len = (uint32_t)data.size();
  h.sequence = sequence;
  std::copy(fp.begin(), fp.end(), h.fingerprint);
  h.key_id = key_id(key.pk);
  crypto_hash_sha256(h.data_sha256, (const uint8_t*)data.data(), data.size());
  uint8_t head[EIOTA_HEADER_EXTRA_LEN];
  uint32_t head_len = eiota::encode_header_ext(h, head);
  return signed_payload(std::string((const char*)head, head_len), table, data, key);
}

std::string signed_payload(const std::string& head, const std::string& table, const std::string& data, const SecretKey& key) {
  std::string signed_part = head + table;
  uint8_t sig[64];
  crypto_sign_detached(sig, nullptr, (const uint8_t*)signed_part.data(), signed_part.size(), key.sk.data());
  std::string out = head;
  out.append((const char*)sig, sizeof sig);
  out += table;
  out += data;
  return out;
}

PayloadInfo read_payload(const std::string& bytes, const std::array<uint8_t, 32>* public_key) {
  PayloadInfo p;
  p.size = bytes.size();
  const uint8_t* b = (const uint8_t*)bytes.data();
  auto problem = [&](std::string s) {
    p.problems.push_back(std::move(s));
    return p;
  };
  switch (eiota::decode_header(b, bytes.size(), &p.header)) {
    case eiota::kDecodeOk: break;
    case eiota::kDecodeShort: return problem("shorter than the " + std::to_string(eiota::kHeaderLen) + "-byte header");
    case eiota::kDecodeBadMagic: return problem("bad magic: not an eiota payload");
    case eiota::kDecodeBadVersion:
      return problem("unsupported format version " + std::to_string(p.header.major) + "." + std::to_string(p.header.minor) +
                     " (header_len " + std::to_string(p.header.header_len) + ")");
    case eiota::kDecodeBadFlags: return problem("unknown flags " + std::to_string(p.header.flags));
  }
  if (bytes.size() < p.header.header_len)
    return problem("truncated: the header is " + std::to_string(p.header.header_len) + " bytes, payload has " +
                   std::to_string(bytes.size()));
  switch (eiota::decode_header_ext(b, bytes.size(), &p.header)) {
    case eiota::kDecodeOk: break;
    case eiota::kDecodeBadVersion:
      return problem(std::string(p.header.flags & EIOTA_FLAG_DELTA ? "flag delta (1.2)" : "flag extra data (1.1)") +
                     " in a header of " + std::to_string(p.header.header_len) + " bytes, needs " +
                     std::to_string(p.header.flags & EIOTA_FLAG_DELTA ? EIOTA_HEADER_DELTA_LEN : EIOTA_HEADER_EXTRA_LEN));
    default: return problem("header bytes 84..87 must be 0 in a 1.1 header (and bytes 80..83 too without extra data)");
  }
  p.header_ok = true;
  const eiota::Header& h = p.header;
  uint64_t table_at = eiota::table_offset(h.header_len);
  uint64_t data_at = table_at + (uint64_t)eiota::kEntryLen * h.region_count;
  uint64_t total = data_at + h.data_len;
  if (bytes.size() < data_at)
    return problem("truncated: the region table ends at byte " + std::to_string(data_at) + ", payload has " + std::to_string(bytes.size()));
  std::copy(b + h.header_len, b + h.header_len + 64, p.signature.begin());
  p.compressed = (h.flags & EIOTA_FLAG_DEFLATE) != 0;
  const uint8_t want_encoding = p.compressed ? eiota::kDeflate : eiota::kRaw;
  uint64_t sum = 0, decoded = 0;
  for (uint32_t i = 0; i < h.region_count; i++) {
    eiota::Entry e;
    eiota::decode_entry(b + table_at + (uint64_t)i * eiota::kEntryLen, eiota::kEntryLen, &e);
    p.entries.push_back(e);
    std::string at = "entry " + std::to_string(i);
    if (!(h.flags & EIOTA_FLAG_DELTA) && e.region != i) return problem(at + " names region " + std::to_string(e.region));
    if ((h.flags & EIOTA_FLAG_DELTA) && i > 0 && e.region <= p.entries[i - 1].region)
      return problem(at + " names region " + std::to_string(e.region) + ", not after region " + std::to_string(p.entries[i - 1].region));
    if (e.encoding != want_encoding) {
      if (e.encoding == eiota::kDeflate) return problem(at + ": encoding 1 (DEFLATE) in a payload without the compressed flag");
      if (e.encoding == eiota::kRaw) return problem(at + ": encoding 0 (raw) in a compressed payload: every entry must be DEFLATE");
      return problem(at + ": unknown encoding " + std::to_string(e.encoding));
    }
    if (e.reserved != 0) return problem(at + ": reserved is " + std::to_string(e.reserved) + ", must be 0");
    if (!eiota::elem_size(e.elem_type)) return problem(at + ": unknown element type " + std::to_string(e.elem_type));
    uint64_t size = (uint64_t)e.count * eiota::elem_size(e.elem_type);
    if (p.compressed && e.stored_len == 0) return problem(at + ": stored_len 0: a compressed entry has a stream of at least 1 byte");
    if (!p.compressed && size != e.stored_len)
      return problem(at + ": stored_len " + std::to_string(e.stored_len) + " is not " + std::to_string(e.count) + " x " +
                     elem_type_name(e.elem_type));
    sum += e.stored_len;
    decoded += size;
  }
  if (sum + h.extra_len != h.data_len)
    return problem(std::string(p.compressed ? "the streams' lengths add" : "region sizes add") + " up to " + std::to_string(sum) +
                   " bytes" + (h.extra_len ? " plus " + std::to_string(h.extra_len) + " of extra data" : std::string()) +
                   ", header says " + std::to_string(h.data_len));
  p.data_offset = data_at;
  p.extra_offset = data_at + sum;  // past the streams as sent
  p.decoded_data_len = decoded + h.extra_len;
  if (h.flags & EIOTA_FLAG_EXTRA && bytes.size() >= total) {
    eiota_selftest_header st{};
    p.selftest_decode = eiota_selftest_decode(b + p.extra_offset, h.extra_len, h.extra_len, &st);
    if (p.selftest_decode == EIOTA_SELFTEST_OK) p.selftest = st;
  }
  std::string stream_problem;  // the first entry whose stream is bad
  if (bytes.size() == total) {  // the values are all there: their hash says something whatever the key
    uint8_t d[32];
    if (p.compressed) {
      crypto_hash_sha256_state st;
      crypto_hash_sha256_init(&st);
      uint64_t at = data_at;
      for (size_t i = 0; i < p.entries.size() && stream_problem.empty(); i++) {
        const eiota::Entry& e = p.entries[i];
        std::string why = inflate_entry(b + at, e.stored_len, (uint64_t)e.count * eiota::elem_size(e.elem_type),
                                        [&](const uint8_t* v, size_t n) { crypto_hash_sha256_update(&st, v, n); });
        if (!why.empty()) stream_problem = "entry " + std::to_string(i) + " (region " + std::to_string(e.region) + "): " + why;
        at += e.stored_len;
      }
      crypto_hash_sha256_update(&st, b + p.extra_offset, h.extra_len);
      crypto_hash_sha256_final(&st, d);
    } else {
      crypto_hash_sha256(d, b + data_at, h.data_len);
    }
    p.hash_checked = true;
    p.hash_ok = stream_problem.empty() && sodium_memcmp(d, h.data_sha256, 32) == 0;
  }
  if (public_key) {
    std::string msg((const char*)b, h.header_len);
    msg.append((const char*)b + table_at, data_at - table_at);
    p.signature_ok = crypto_sign_verify_detached(p.signature.data(), (const uint8_t*)msg.data(), msg.size(), public_key->data()) == 0;
    if (!*p.signature_ok) return problem("signature does not verify with the public key");
  }
  if (bytes.size() < total) return problem("truncated: " + std::to_string(bytes.size()) + " of " + std::to_string(total) + " bytes");
  if (bytes.size() > total) return problem("oversize: " + std::to_string(bytes.size() - total) + " bytes past the declared end");
  if (!stream_problem.empty()) return problem(stream_problem);
  if (!p.hash_ok) return problem(std::string("data SHA-256 does not match the header") + (p.compressed ? " (over the decoded values)" : ""));
  if (h.flags & EIOTA_FLAG_EXTRA && !p.selftest)
    return problem(std::string("self-test block (the extra data): ") +
                   eiota_selftest_decode_message((eiota_selftest_decode_result)p.selftest_decode));
  return p;
}

std::string entry_values(const std::string& bytes, const PayloadInfo& p, size_t i) {
  if (i >= p.entries.size() || !p.problems.empty() || bytes.size() != p.data_offset + p.header.data_len)
    throw std::logic_error("entry_values: not a well-formed payload's entry");
  uint64_t at = p.data_offset;
  for (size_t k = 0; k < i; k++) at += p.entries[k].stored_len;
  const eiota::Entry& e = p.entries[i];
  const uint8_t* b = (const uint8_t*)bytes.data() + at;
  if (!p.compressed) return std::string((const char*)b, e.stored_len);
  std::string out;
  std::string why = inflate_entry(b, e.stored_len, (uint64_t)e.count * eiota::elem_size(e.elem_type),
                                  [&](const uint8_t* v, size_t n) { out.append((const char*)v, n); });
  if (!why.empty()) throw std::runtime_error("entry " + std::to_string(i) + ": " + why);
  return out;
}

DeviceModel device_model(const Manifest& m, const std::array<uint8_t, 32>& public_key) {
  DeviceModel d;
  d.fingerprint = m.fingerprint;
  d.public_key = public_key;
  for (const Region& r : m.regions) {
    DeviceModel::Shape s;
    s.count = r.count;
    s.elem_type = r.elem_type;
    s.flags = r.kind == Region::kModel ? EIOTA_REGION_PREFIX : 0;
    d.regions.push_back(s);
  }
  d.region_count = (uint32_t)d.regions.size();
  d.inflate = m.inflate;
  return d;
}

DeviceModel device_model_of(const std::string& payload, const std::array<uint8_t, 32>& public_key) {
  DeviceModel d;
  d.public_key = public_key;
  const uint8_t* b = (const uint8_t*)payload.data();
  eiota::Header h{};
  if (eiota::decode_header(b, payload.size(), &h) != eiota::kDecodeOk) return d;  // the reader says why
  std::copy(h.fingerprint, h.fingerprint + 16, d.fingerprint.begin());
  d.region_count = h.region_count;
  d.inflate = (h.flags & EIOTA_FLAG_DEFLATE) != 0;
  const bool delta = (h.flags & EIOTA_FLAG_DELTA) != 0;
  uint64_t at = eiota::table_offset(h.header_len);
  for (uint32_t i = 0; i < h.region_count && at + eiota::kEntryLen <= payload.size(); i++, at += eiota::kEntryLen) {
    eiota::Entry e;
    eiota::decode_entry(b + at, eiota::kEntryLen, &e);
    DeviceModel::Shape s;
    s.count = e.count;
    s.elem_type = e.elem_type;
    // A delta's entries name their regions: the model has at least up to the last one named (the
    // regions not sent keep an unknown shape, which nothing checks). A region number past the
    // one before it is the reader's to judge, within a bounded table.
    if (delta && e.region >= d.regions.size() && e.region < d.regions.size() + (1u << 16)) d.regions.resize(e.region);
    d.regions.push_back(s);
  }
  if (delta) d.region_count = (uint32_t)d.regions.size();
  return d;
}

namespace {

eiota_inflate_fn decoder(const DeviceModel& model) { return model.inflate ? eiota_update_inflate : nullptr; }

// Storage that checks every write lands inside its region and keeps nothing.
int discard_begin(void*, const eiota_model*) { return EIOTA_OK; }
int discard_write(void*, const eiota_model* m, uint32_t region, uint32_t offset, const uint8_t*, uint32_t len) {
  const eiota_region* r = eiota_model_region(m, region);
  if (!r) return EIOTA_ERR_STORAGE;
  uint64_t size = (uint64_t)r->count * eiota::elem_size(r->elem_type);
  return offset <= size && len <= size - offset ? EIOTA_OK : EIOTA_ERR_STORAGE;
}
int discard_commit(void*, const eiota_model*, uint64_t) { return EIOTA_OK; }
int discard_restore(void*, const eiota_model*) { return EIOTA_OK; }
const eiota_storage kDiscard = {nullptr, discard_begin, discard_write, discard_commit, discard_restore};

// Storage for a compressed payload: its decoder reads matches back from the working copies, so
// they are kept. Allocated at begin, which the reader calls past the signature: never for what an
// unsigned table merely claims.
struct Kept {
  std::vector<eiota_region>* regions;
  std::vector<std::vector<uint8_t>> values;
};
int kept_begin(void* ctx, const eiota_model*) {
  Kept* k = static_cast<Kept*>(ctx);
  k->values.clear();
  k->values.reserve(k->regions->size());
  for (eiota_region& r : *k->regions) {
    k->values.emplace_back((size_t)r.count * eiota::elem_size(r.elem_type));
    r.working = k->values.back().data();
  }
  return EIOTA_OK;
}
int kept_write(void* ctx, const eiota_model* m, uint32_t region, uint32_t offset, const uint8_t* data, uint32_t len) {
  int err = discard_write(ctx, m, region, offset, data, len);
  Kept* k = static_cast<Kept*>(ctx);
  if (err != EIOTA_OK || region >= k->values.size()) return EIOTA_ERR_STORAGE;
  memcpy(k->values[region].data() + offset, data, len);
  return EIOTA_OK;
}

bool compressed(const std::string& payload) {
  eiota::Header h{};
  return eiota::decode_header((const uint8_t*)payload.data(), payload.size(), &h) == eiota::kDecodeOk && (h.flags & EIOTA_FLAG_DEFLATE);
}

// What a slot holds for a compressed payload: header, signature and table as sent, then every
// entry's values decoded and the extra data; the EIOTA_UPDATE_CHECK reader re-validates that.
// Only for a payload signed by `pk` (its table's sizes are the signer's); false otherwise or when
// a stream is bad (*bad_stream).
bool slot_form(const std::string& payload, const std::array<uint8_t, 32>& pk, std::string* out, bool* bad_stream) {
  PayloadInfo p = read_payload(payload, &pk);
  *bad_stream = false;
  if (!p.signature_ok.value_or(false) || !p.compressed || payload.size() != p.data_offset + p.header.data_len) return false;
  *out = payload.substr(0, p.data_offset);
  uint64_t at = p.data_offset;
  for (const eiota::Entry& e : p.entries) {
    std::string why = inflate_entry((const uint8_t*)payload.data() + at, e.stored_len, (uint64_t)e.count * eiota::elem_size(e.elem_type),
                                    [&](const uint8_t* v, size_t n) { out->append((const char*)v, n); });
    if (!why.empty()) {
      *bad_stream = true;
      return false;
    }
    at += e.stored_len;
  }
  out->append(payload, p.extra_offset, p.header.extra_len);
  return true;
}

// The device reader over `payload` for `model`, values discarded (kept while a compressed payload
// is decoded): applied (check false) or only judged (EIOTA_UPDATE_CHECK, which reads a compressed
// payload's values decoded, as from a slot).
int run_reader(const std::string& payload, const DeviceModel& model, bool check) {
  const std::string* feed = &payload;
  std::string decoded;
  const bool deflated = compressed(payload);
  if (check && deflated) {
    bool bad_stream = false;
    if (slot_form(payload, model.public_key, &decoded, &bad_stream)) feed = &decoded;
    else if (bad_stream) return EIOTA_ERR_INFLATE;
  }
  std::vector<eiota_region> regions;
  for (const auto& s : model.regions) regions.push_back(eiota_region{nullptr, nullptr, s.count, s.elem_type, s.flags, 0});
  eiota_block block = {regions.data(), (uint32_t)regions.size()};
  eiota_model_state state{};
  Kept kept{&regions, {}};
  const eiota_storage keep = {&kept, kept_begin, kept_write, discard_commit, discard_restore};
  eiota_model m = {&block, 1, model.region_count, model.fingerprint.data(), model.public_key.data(),
                   key_id(model.public_key), &state, deflated && !check ? &keep : &kDiscard, nullptr, decoder(model)};
  auto u = std::make_unique<eiota_update>();
  if (check) {
    eiota_update_begin_check(u.get(), &m);
  } else {
    eiota_update_begin(u.get(), &m);
  }
  int err = eiota_update_write(u.get(), (const uint8_t*)feed->data(), feed->size());
  if (err == EIOTA_OK) err = eiota_update_finish(u.get());
  return err;
}

}  // namespace

int device_check(const std::string& payload, const DeviceModel& model) { return run_reader(payload, model, true); }

int device_apply(const std::string& payload, const DeviceModel& model, const std::vector<std::vector<uint8_t>>& base_values,
                 uint64_t base_sequence, const std::array<uint8_t, 32>& base_digest, std::vector<std::vector<uint8_t>>* result) {
  if (base_values.size() != model.regions.size()) return EIOTA_ERR_SIZE_MISMATCH;
  std::vector<std::vector<uint8_t>> working = base_values;
  std::vector<eiota_region> regions;
  for (size_t i = 0; i < model.regions.size(); i++) {
    const auto& s = model.regions[i];
    if (working[i].size() != (uint64_t)s.count * eiota::elem_size(s.elem_type)) return EIOTA_ERR_SIZE_MISMATCH;
    regions.push_back(eiota_region{base_values[i].data(), working[i].data(), s.count, s.elem_type, s.flags, 0});
  }
  const uint8_t* digest = base_digest.data();
  eiota_block block = {regions.data(), (uint32_t)regions.size()};
  eiota_model_state state{};
  eiota_model m = {&block, 1, model.region_count, model.fingerprint.data(), model.public_key.data(),
                   key_id(model.public_key), &state, &eiota_ram_storage, digest, decoder(model)};
  state.loaded = 1;
  if (base_sequence != 0) {  // the device serves that release
    state.status = EIOTA_STATUS_UPDATED;
    state.applied_sequence = state.sequence_floor = base_sequence;
    memcpy(state.values_digest, digest, EIOTA_DIGEST_KEPT);
  }
  auto u = std::make_unique<eiota_update>();
  eiota_update_begin(u.get(), &m);
  int err = eiota_update_write(u.get(), (const uint8_t*)payload.data(), payload.size());
  if (err == EIOTA_OK) err = eiota_update_finish(u.get());
  if (err == EIOTA_OK && result) *result = working;
  return err;
}

std::string device_refusal(int verdict, const std::string& payload, const DeviceModel& model) {
  std::string says = eiota_strerror(verdict);
  eiota::Header h{};
  if (verdict == EIOTA_ERR_UNSUPPORTED && !model.inflate &&
      eiota::decode_header((const uint8_t*)payload.data(), payload.size(), &h) == eiota::kDecodeOk && (h.flags & EIOTA_FLAG_DEFLATE))
    says += ": the payload is compressed (format 1.3) and the library was patched without --inflate, so its devices have no "
            "decoder (pack again with --compress never, or patch with --inflate and flash that library first)";
  return says;
}

int device_verdict(const std::string& payload, const DeviceModel& model) {
  eiota::Header h{};
  bool ok = eiota::decode_header((const uint8_t*)payload.data(), payload.size(), &h) == eiota::kDecodeOk;
  bool delta = ok && (h.flags & EIOTA_FLAG_DELTA);
  // A delta's base is the device's to check; but a library without the decoder refuses a
  // compressed one at its header, as the applying reader says.
  bool no_decoder = ok && (h.flags & EIOTA_FLAG_DEFLATE) && !model.inflate;
  return run_reader(payload, model, delta && !no_decoder);
}

}  // namespace eiota::host
