// The payload codec as devices patched before format 1.2 carry it: device/eiota_format.h at commit
// fd91d46, names prefixed eiota11_ / EIOTA11_ so a test can include it beside today's. Do not edit.
// The eiota payload format (docs/FORMAT.md), the one codec both the host writer and the device
// reader use. C99 or C++11, no heap; every decode checks the length it is given. The C++
// spellings (namespace eiota) are thin aliases of the C ones.
#ifndef EIOTA11_FORMAT_H
#define EIOTA11_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define EIOTA11_FORMAT_MAJOR 1
#define EIOTA11_FORMAT_MINOR 0
#define EIOTA11_HEADER_LEN 80u
#define EIOTA11_MAX_HEADER_LEN 128u  // a reader buffers the header until the signature arrives
#define EIOTA11_SIGNATURE_LEN 64u
#define EIOTA11_ENTRY_LEN 16u
#define EIOTA11_FINGERPRINT_LEN 16u
#define EIOTA11_FLAG_EXTRA 1u   // 1.1: the data section ends with extra_len bytes of extra data (the self-test)
#define EIOTA11_KNOWN_FLAGS EIOTA11_FLAG_EXTRA
#define EIOTA11_HEADER_EXTRA_LEN 88u  // header_len a payload with EIOTA11_FLAG_EXTRA needs at least
#define EIOTA11_FORMAT_MINOR_EXTRA 1  // the minor a payload with EIOTA11_FLAG_EXTRA is written with

enum eiota11_elem_type {
  EIOTA11_INT8 = 1,
  EIOTA11_UINT8 = 2,
  EIOTA11_INT16 = 3,
  EIOTA11_INT32 = 4,
  EIOTA11_FLOAT32 = 5,
  EIOTA11_FLOAT64 = 6,
  EIOTA11_INT64 = 7
};

enum eiota11_encoding { EIOTA11_ENCODING_RAW = 0 };

typedef struct eiota11_header {
  uint8_t major;
  uint8_t minor;
  uint16_t header_len;
  uint32_t region_count;
  uint32_t data_len;
  uint64_t sequence;
  uint8_t fingerprint[EIOTA11_FINGERPRINT_LEN];
  uint32_t key_id;
  uint32_t flags;
  uint8_t data_sha256[32];
  uint32_t extra_len;  // EIOTA11_FLAG_EXTRA: bytes at the end of the data section past the regions' values
} eiota11_header;

typedef struct eiota11_entry {
  uint32_t region;
  uint32_t count;
  uint32_t stored_len;
  uint8_t elem_type;
  uint8_t encoding;
  uint16_t reserved;
} eiota11_entry;

enum eiota11_decode_result {
  EIOTA11_DECODE_OK = 0,
  EIOTA11_DECODE_SHORT,
  EIOTA11_DECODE_BAD_MAGIC,
  EIOTA11_DECODE_BAD_VERSION,
  EIOTA11_DECODE_BAD_FLAGS
};

// Bytes per element, 0 for an unknown type.
static inline uint32_t eiota11_elem_size(uint8_t type) {
  switch (type) {
    case EIOTA11_INT8: case EIOTA11_UINT8: return 1;
    case EIOTA11_INT16: return 2;
    case EIOTA11_INT32: case EIOTA11_FLOAT32: return 4;
    case EIOTA11_FLOAT64: case EIOTA11_INT64: return 8;
    default: return 0;
  }
}

static inline uint32_t eiota11_get_u32(const uint8_t* p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint16_t eiota11_get_u16(const uint8_t* p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint64_t eiota11_get_u64(const uint8_t* p) {
  return (uint64_t)eiota11_get_u32(p) | ((uint64_t)eiota11_get_u32(p + 4) << 32);
}
static inline void eiota11_put_u16(uint8_t* p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline void eiota11_put_u32(uint8_t* p, uint32_t v) {
  int i;
  for (i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void eiota11_put_u64(uint8_t* p, uint64_t v) {
  eiota11_put_u32(p, (uint32_t)v);
  eiota11_put_u32(p + 4, (uint32_t)(v >> 32));
}

// Decodes the fixed 80-byte header. Checks magic, major version, header_len and flags only;
// what the header must match on a device is the reader's business.
static inline enum eiota11_decode_result eiota11_decode_header(const uint8_t* p, size_t len, eiota11_header* h) {
  static const uint8_t magic[4] = {0x45, 0x49, 0x4F, 0x54};  // "EIOT"
  int i;
  if (len < EIOTA11_HEADER_LEN) return EIOTA11_DECODE_SHORT;
  for (i = 0; i < 4; i++)
    if (p[i] != magic[i]) return EIOTA11_DECODE_BAD_MAGIC;
  h->major = p[4];
  h->minor = p[5];
  h->header_len = eiota11_get_u16(p + 6);
  if (h->major != EIOTA11_FORMAT_MAJOR || h->header_len < EIOTA11_HEADER_LEN || h->header_len > EIOTA11_MAX_HEADER_LEN)
    return EIOTA11_DECODE_BAD_VERSION;
  h->region_count = eiota11_get_u32(p + 8);
  h->data_len = eiota11_get_u32(p + 12);
  h->sequence = eiota11_get_u64(p + 16);
  for (i = 0; i < (int)EIOTA11_FINGERPRINT_LEN; i++) h->fingerprint[i] = p[24 + i];
  h->key_id = eiota11_get_u32(p + 40);
  h->flags = eiota11_get_u32(p + 44);
  for (i = 0; i < 32; i++) h->data_sha256[i] = p[48 + i];
  if (h->flags & ~EIOTA11_KNOWN_FLAGS) return EIOTA11_DECODE_BAD_FLAGS;
  return EIOTA11_DECODE_OK;
}

// Reads the 1.1 fields of a header already decoded from its first 80 bytes, once all header_len
// bytes are in `p`: EIOTA11_DECODE_SHORT if fewer, BAD_VERSION if EIOTA11_FLAG_EXTRA is set in a
// header shorter than 88 bytes, BAD_FLAGS if the reserved word at 84 is not 0.
static inline enum eiota11_decode_result eiota11_decode_header_ext(const uint8_t* p, size_t len, eiota11_header* h) {
  h->extra_len = 0;
  if (len < h->header_len) return EIOTA11_DECODE_SHORT;
  if (!(h->flags & EIOTA11_FLAG_EXTRA)) return EIOTA11_DECODE_OK;
  if (h->header_len < EIOTA11_HEADER_EXTRA_LEN) return EIOTA11_DECODE_BAD_VERSION;
  if (eiota11_get_u32(p + 84) != 0) return EIOTA11_DECODE_BAD_FLAGS;
  h->extra_len = eiota11_get_u32(p + 80);
  return EIOTA11_DECODE_OK;
}

// Writes the 80-byte header (header_len 80).
static inline void eiota11_encode_header(const eiota11_header* h, uint8_t* out) {
  int i;
  out[0] = 0x45; out[1] = 0x49; out[2] = 0x4F; out[3] = 0x54;
  out[4] = h->major;
  out[5] = h->minor;
  eiota11_put_u16(out + 6, (uint16_t)EIOTA11_HEADER_LEN);
  eiota11_put_u32(out + 8, h->region_count);
  eiota11_put_u32(out + 12, h->data_len);
  eiota11_put_u64(out + 16, h->sequence);
  for (i = 0; i < (int)EIOTA11_FINGERPRINT_LEN; i++) out[24 + i] = h->fingerprint[i];
  eiota11_put_u32(out + 40, h->key_id);
  eiota11_put_u32(out + 44, h->flags);
  for (i = 0; i < 32; i++) out[48 + i] = h->data_sha256[i];
}

// Writes the header a payload carries: with EIOTA11_FLAG_EXTRA in h->flags the 88-byte 1.1 header
// (header_len 88, extra_len at 80, a zero word at 84), else the 80-byte 1.0 one, byte for byte
// what eiota11_encode_header writes. `out` must hold EIOTA11_HEADER_EXTRA_LEN bytes. Returns the
// bytes written.
static inline uint32_t eiota11_encode_header_ext(const eiota11_header* h, uint8_t* out) {
  eiota11_encode_header(h, out);
  if (!(h->flags & EIOTA11_FLAG_EXTRA)) return EIOTA11_HEADER_LEN;
  eiota11_put_u16(out + 6, (uint16_t)EIOTA11_HEADER_EXTRA_LEN);
  eiota11_put_u32(out + 80, h->extra_len);
  eiota11_put_u32(out + 84, 0);
  return EIOTA11_HEADER_EXTRA_LEN;
}

static inline enum eiota11_decode_result eiota11_decode_entry(const uint8_t* p, size_t len, eiota11_entry* e) {
  if (len < EIOTA11_ENTRY_LEN) return EIOTA11_DECODE_SHORT;
  e->region = eiota11_get_u32(p);
  e->count = eiota11_get_u32(p + 4);
  e->stored_len = eiota11_get_u32(p + 8);
  e->elem_type = p[12];
  e->encoding = p[13];
  e->reserved = eiota11_get_u16(p + 14);
  return EIOTA11_DECODE_OK;
}

// Writes a 16-byte entry; `reserved` is always written as 0.
static inline void eiota11_encode_entry(const eiota11_entry* e, uint8_t* out) {
  eiota11_put_u32(out, e->region);
  eiota11_put_u32(out + 4, e->count);
  eiota11_put_u32(out + 8, e->stored_len);
  out[12] = e->elem_type;
  out[13] = e->encoding;
  eiota11_put_u16(out + 14, 0);
}

// Byte offset where the region table starts, given the header_len a payload declares.
static inline uint32_t eiota11_table_offset(uint32_t header_len) { return header_len + EIOTA11_SIGNATURE_LEN; }

#ifdef __cplusplus
namespace eiota11 {

static const uint8_t kMagic[4] = {0x45, 0x49, 0x4F, 0x54};  // "EIOT"
static const uint8_t kMajor = EIOTA11_FORMAT_MAJOR;
static const uint8_t kMinor = EIOTA11_FORMAT_MINOR;
static const uint32_t kHeaderLen = EIOTA11_HEADER_LEN;
static const uint32_t kMaxHeaderLen = EIOTA11_MAX_HEADER_LEN;
static const uint32_t kSignatureLen = EIOTA11_SIGNATURE_LEN;
static const uint32_t kEntryLen = EIOTA11_ENTRY_LEN;
static const uint32_t kFingerprintLen = EIOTA11_FINGERPRINT_LEN;
static const uint32_t kKnownFlags = EIOTA11_KNOWN_FLAGS;

enum ElemType : uint8_t {
  kInt8 = EIOTA11_INT8,
  kUInt8 = EIOTA11_UINT8,
  kInt16 = EIOTA11_INT16,
  kInt32 = EIOTA11_INT32,
  kFloat32 = EIOTA11_FLOAT32,
  kFloat64 = EIOTA11_FLOAT64,
  kInt64 = EIOTA11_INT64,
};

enum Encoding : uint8_t { kRaw = EIOTA11_ENCODING_RAW };

typedef eiota11_header Header;
typedef eiota11_entry Entry;

enum DecodeResult {
  kDecodeOk = EIOTA11_DECODE_OK,
  kDecodeShort = EIOTA11_DECODE_SHORT,
  kDecodeBadMagic = EIOTA11_DECODE_BAD_MAGIC,
  kDecodeBadVersion = EIOTA11_DECODE_BAD_VERSION,
  kDecodeBadFlags = EIOTA11_DECODE_BAD_FLAGS,
};

inline uint32_t elem_size(uint8_t type) { return eiota11_elem_size(type); }
inline uint32_t get_u32(const uint8_t* p) { return eiota11_get_u32(p); }
inline uint16_t get_u16(const uint8_t* p) { return eiota11_get_u16(p); }
inline uint64_t get_u64(const uint8_t* p) { return eiota11_get_u64(p); }
inline void put_u16(uint8_t* p, uint16_t v) { eiota11_put_u16(p, v); }
inline void put_u32(uint8_t* p, uint32_t v) { eiota11_put_u32(p, v); }
inline void put_u64(uint8_t* p, uint64_t v) { eiota11_put_u64(p, v); }
inline DecodeResult decode_header(const uint8_t* p, size_t len, Header* h) {
  return (DecodeResult)eiota11_decode_header(p, len, h);
}
inline void encode_header(const Header& h, uint8_t out[kHeaderLen]) { eiota11_encode_header(&h, out); }
inline uint32_t encode_header_ext(const Header& h, uint8_t out[EIOTA11_HEADER_EXTRA_LEN]) { return eiota11_encode_header_ext(&h, out); }
inline DecodeResult decode_header_ext(const uint8_t* p, size_t len, Header* h) {
  return (DecodeResult)eiota11_decode_header_ext(p, len, h);
}
inline DecodeResult decode_entry(const uint8_t* p, size_t len, Entry* e) {
  return (DecodeResult)eiota11_decode_entry(p, len, e);
}
inline void encode_entry(const Entry& e, uint8_t out[kEntryLen]) { eiota11_encode_entry(&e, out); }
inline uint32_t table_offset(uint32_t header_len) { return eiota11_table_offset(header_len); }

}  // namespace eiota11
#endif  // __cplusplus

#endif  // EIOTA11_FORMAT_H
