// The eiota payload format (docs/FORMAT.md), the one codec both the host writer and the device
// reader use. C++11, no heap; every decode checks the length it is given.
#ifndef EIOTA_FORMAT_H
#define EIOTA_FORMAT_H

#include <stddef.h>
#include <stdint.h>

namespace eiota {

static const uint8_t kMagic[4] = {0x45, 0x49, 0x4F, 0x54};  // "EIOT"
static const uint8_t kMajor = 1;
static const uint8_t kMinor = 0;
static const uint32_t kHeaderLen = 80;
static const uint32_t kMaxHeaderLen = 128;  // a reader buffers the header until the signature arrives
static const uint32_t kSignatureLen = 64;
static const uint32_t kEntryLen = 16;
static const uint32_t kFingerprintLen = 16;
static const uint32_t kKnownFlags = 0;

enum ElemType : uint8_t {
  kInt8 = 1,
  kUInt8 = 2,
  kInt16 = 3,
  kInt32 = 4,
  kFloat32 = 5,
  kFloat64 = 6,
  kInt64 = 7,
};

enum Encoding : uint8_t {
  kRaw = 0,
};

// Bytes per element, 0 for an unknown type.
inline uint32_t elem_size(uint8_t type) {
  switch (type) {
    case kInt8: case kUInt8: return 1;
    case kInt16: return 2;
    case kInt32: case kFloat32: return 4;
    case kFloat64: case kInt64: return 8;
    default: return 0;
  }
}

struct Header {
  uint8_t major;
  uint8_t minor;
  uint16_t header_len;
  uint32_t region_count;
  uint32_t data_len;
  uint64_t sequence;
  uint8_t fingerprint[kFingerprintLen];
  uint32_t key_id;
  uint32_t flags;
  uint8_t data_sha256[32];
};

struct Entry {
  uint32_t region;
  uint32_t count;
  uint32_t stored_len;
  uint8_t elem_type;
  uint8_t encoding;
  uint16_t reserved;
};

inline uint32_t get_u32(const uint8_t* p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
inline uint16_t get_u16(const uint8_t* p) { return (uint16_t)(p[0] | (p[1] << 8)); }
inline uint64_t get_u64(const uint8_t* p) {
  return (uint64_t)get_u32(p) | ((uint64_t)get_u32(p + 4) << 32);
}
inline void put_u16(uint8_t* p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
inline void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
inline void put_u64(uint8_t* p, uint64_t v) {
  put_u32(p, (uint32_t)v);
  put_u32(p + 4, (uint32_t)(v >> 32));
}

enum DecodeResult { kDecodeOk = 0, kDecodeShort, kDecodeBadMagic, kDecodeBadVersion, kDecodeBadFlags };

// Decodes the fixed 80-byte header. Checks magic, major version, header_len and flags only;
// what the header must match on a device is the reader's business.
inline DecodeResult decode_header(const uint8_t* p, size_t len, Header* h) {
  if (len < kHeaderLen) return kDecodeShort;
  for (int i = 0; i < 4; i++)
    if (p[i] != kMagic[i]) return kDecodeBadMagic;
  h->major = p[4];
  h->minor = p[5];
  h->header_len = get_u16(p + 6);
  if (h->major != kMajor || h->header_len < kHeaderLen || h->header_len > kMaxHeaderLen)
    return kDecodeBadVersion;
  h->region_count = get_u32(p + 8);
  h->data_len = get_u32(p + 12);
  h->sequence = get_u64(p + 16);
  for (uint32_t i = 0; i < kFingerprintLen; i++) h->fingerprint[i] = p[24 + i];
  h->key_id = get_u32(p + 40);
  h->flags = get_u32(p + 44);
  for (int i = 0; i < 32; i++) h->data_sha256[i] = p[48 + i];
  if (h->flags & ~kKnownFlags) return kDecodeBadFlags;
  return kDecodeOk;
}

inline void encode_header(const Header& h, uint8_t out[kHeaderLen]) {
  for (int i = 0; i < 4; i++) out[i] = kMagic[i];
  out[4] = h.major;
  out[5] = h.minor;
  put_u16(out + 6, (uint16_t)kHeaderLen);
  put_u32(out + 8, h.region_count);
  put_u32(out + 12, h.data_len);
  put_u64(out + 16, h.sequence);
  for (uint32_t i = 0; i < kFingerprintLen; i++) out[24 + i] = h.fingerprint[i];
  put_u32(out + 40, h.key_id);
  put_u32(out + 44, h.flags);
  for (int i = 0; i < 32; i++) out[48 + i] = h.data_sha256[i];
}

inline DecodeResult decode_entry(const uint8_t* p, size_t len, Entry* e) {
  if (len < kEntryLen) return kDecodeShort;
  e->region = get_u32(p);
  e->count = get_u32(p + 4);
  e->stored_len = get_u32(p + 8);
  e->elem_type = p[12];
  e->encoding = p[13];
  e->reserved = get_u16(p + 14);
  return kDecodeOk;
}

inline void encode_entry(const Entry& e, uint8_t out[kEntryLen]) {
  put_u32(out, e.region);
  put_u32(out + 4, e.count);
  put_u32(out + 8, e.stored_len);
  out[12] = e.elem_type;
  out[13] = e.encoding;
  put_u16(out + 14, 0);
}

// Byte offset where the region table starts, given the header_len a payload declares.
inline uint32_t table_offset(uint32_t header_len) { return header_len + kSignatureLen; }

}  // namespace eiota

#endif  // EIOTA_FORMAT_H
