// The eiota payload format (docs/FORMAT.md), the one codec both the host writer and the device
// reader use. C99 or C++11, no heap; every decode checks the length it is given. The C++
// spellings (namespace eiota) are thin aliases of the C ones.
#ifndef EIOTA_FORMAT_H
#define EIOTA_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define EIOTA_FORMAT_MAJOR 1
#define EIOTA_FORMAT_MINOR 0
#define EIOTA_HEADER_LEN 80u
#define EIOTA_MAX_HEADER_LEN 160u  // a reader buffers the header until the signature arrives (128 before 1.2)
#define EIOTA_SIGNATURE_LEN 64u
#define EIOTA_ENTRY_LEN 16u
#define EIOTA_FINGERPRINT_LEN 16u
#define EIOTA_FLAG_EXTRA 1u   // 1.1: the data section ends with extra_len bytes of extra data (the self-test)
#define EIOTA_FLAG_DELTA 2u   // 1.2: only the regions that changed since a named base; header fields at 88..160
#define EIOTA_FLAG_DEFLATE 4u // 1.3: every entry's values are a raw DEFLATE stream; data_sha256 covers them decoded
#define EIOTA_KNOWN_FLAGS (EIOTA_FLAG_EXTRA | EIOTA_FLAG_DELTA | EIOTA_FLAG_DEFLATE)
#define EIOTA_HEADER_EXTRA_LEN 88u  // header_len a payload with EIOTA_FLAG_EXTRA needs at least
#define EIOTA_FORMAT_MINOR_EXTRA 1  // the minor a payload with EIOTA_FLAG_EXTRA is written with
#define EIOTA_HEADER_DELTA_LEN 160u // header_len a payload with EIOTA_FLAG_DELTA needs at least
#define EIOTA_FORMAT_MINOR_DELTA 2  // the minor a payload with EIOTA_FLAG_DELTA is written with
#define EIOTA_FORMAT_MINOR_DEFLATE 3 // the minor a payload with EIOTA_FLAG_DEFLATE is written with
#define EIOTA_MAX_DELTA_RUNS 8u     // a delta's table names at most this many runs of consecutive regions

enum eiota_elem_type {
  EIOTA_INT8 = 1,
  EIOTA_UINT8 = 2,
  EIOTA_INT16 = 3,
  EIOTA_INT32 = 4,
  EIOTA_FLOAT32 = 5,
  EIOTA_FLOAT64 = 6,
  EIOTA_INT64 = 7
};

enum eiota_encoding { EIOTA_ENCODING_RAW = 0, EIOTA_ENCODING_DEFLATE = 1 };

typedef struct eiota_header {
  uint8_t major;
  uint8_t minor;
  uint16_t header_len;
  uint32_t region_count;
  uint32_t data_len;
  uint64_t sequence;
  uint8_t fingerprint[EIOTA_FINGERPRINT_LEN];
  uint32_t key_id;
  uint32_t flags;
  uint8_t data_sha256[32];
  uint32_t extra_len;  // EIOTA_FLAG_EXTRA: bytes at the end of the data section past the regions' values
  // EIOTA_FLAG_DELTA (1.2): the payload the device must serve, and the values once applied.
  uint64_t base_sequence;      // 0: the factory values
  uint8_t base_digest[32];     // full-data digest of the base (docs/FORMAT.md, "Version 1.2")
  uint8_t result_digest[32];   // full-data digest of every region's values after the delta
} eiota_header;

typedef struct eiota_entry {
  uint32_t region;
  uint32_t count;
  uint32_t stored_len;
  uint8_t elem_type;
  uint8_t encoding;
  uint16_t reserved;
} eiota_entry;

enum eiota_decode_result {
  EIOTA_DECODE_OK = 0,
  EIOTA_DECODE_SHORT,
  EIOTA_DECODE_BAD_MAGIC,
  EIOTA_DECODE_BAD_VERSION,
  EIOTA_DECODE_BAD_FLAGS
};

// Bytes per element, 0 for an unknown type.
static inline uint32_t eiota_elem_size(uint8_t type) {
  switch (type) {
    case EIOTA_INT8: case EIOTA_UINT8: return 1;
    case EIOTA_INT16: return 2;
    case EIOTA_INT32: case EIOTA_FLOAT32: return 4;
    case EIOTA_FLOAT64: case EIOTA_INT64: return 8;
    default: return 0;
  }
}

static inline uint32_t eiota_get_u32(const uint8_t* p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint16_t eiota_get_u16(const uint8_t* p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint64_t eiota_get_u64(const uint8_t* p) {
  return (uint64_t)eiota_get_u32(p) | ((uint64_t)eiota_get_u32(p + 4) << 32);
}
static inline void eiota_put_u16(uint8_t* p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline void eiota_put_u32(uint8_t* p, uint32_t v) {
  int i;
  for (i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void eiota_put_u64(uint8_t* p, uint64_t v) {
  eiota_put_u32(p, (uint32_t)v);
  eiota_put_u32(p + 4, (uint32_t)(v >> 32));
}

// Decodes the fixed 80-byte header. Checks magic, major version, header_len and flags only;
// what the header must match on a device is the reader's business.
static inline enum eiota_decode_result eiota_decode_header(const uint8_t* p, size_t len, eiota_header* h) {
  static const uint8_t magic[4] = {0x45, 0x49, 0x4F, 0x54};  // "EIOT"
  int i;
  if (len < EIOTA_HEADER_LEN) return EIOTA_DECODE_SHORT;
  for (i = 0; i < 4; i++)
    if (p[i] != magic[i]) return EIOTA_DECODE_BAD_MAGIC;
  h->major = p[4];
  h->minor = p[5];
  h->header_len = eiota_get_u16(p + 6);
  if (h->major != EIOTA_FORMAT_MAJOR || h->header_len < EIOTA_HEADER_LEN || h->header_len > EIOTA_MAX_HEADER_LEN)
    return EIOTA_DECODE_BAD_VERSION;
  h->region_count = eiota_get_u32(p + 8);
  h->data_len = eiota_get_u32(p + 12);
  h->sequence = eiota_get_u64(p + 16);
  for (i = 0; i < (int)EIOTA_FINGERPRINT_LEN; i++) h->fingerprint[i] = p[24 + i];
  h->key_id = eiota_get_u32(p + 40);
  h->flags = eiota_get_u32(p + 44);
  for (i = 0; i < 32; i++) h->data_sha256[i] = p[48 + i];
  if (h->flags & ~EIOTA_KNOWN_FLAGS) return EIOTA_DECODE_BAD_FLAGS;
  return EIOTA_DECODE_OK;
}

// Reads the 1.1 and 1.2 fields of a header already decoded from its first 80 bytes, once all
// header_len bytes are in `p`: EIOTA_DECODE_SHORT if fewer, BAD_VERSION if EIOTA_FLAG_EXTRA is
// set in a header shorter than 88 bytes or EIOTA_FLAG_DELTA in one shorter than 160, BAD_FLAGS if
// the reserved word at 84 is not 0 (or extra_len is not 0 without EIOTA_FLAG_EXTRA).
static inline enum eiota_decode_result eiota_decode_header_ext(const uint8_t* p, size_t len, eiota_header* h) {
  int i;
  h->extra_len = 0;
  h->base_sequence = 0;
  for (i = 0; i < 32; i++) h->base_digest[i] = h->result_digest[i] = 0;
  if (len < h->header_len) return EIOTA_DECODE_SHORT;
  if (!(h->flags & (EIOTA_FLAG_EXTRA | EIOTA_FLAG_DELTA))) return EIOTA_DECODE_OK;
  if (h->header_len < EIOTA_HEADER_EXTRA_LEN) return EIOTA_DECODE_BAD_VERSION;
  if ((h->flags & EIOTA_FLAG_DELTA) && h->header_len < EIOTA_HEADER_DELTA_LEN) return EIOTA_DECODE_BAD_VERSION;
  if (eiota_get_u32(p + 84) != 0) return EIOTA_DECODE_BAD_FLAGS;
  h->extra_len = eiota_get_u32(p + 80);
  if (!(h->flags & EIOTA_FLAG_EXTRA) && h->extra_len != 0) return EIOTA_DECODE_BAD_FLAGS;
  if (!(h->flags & EIOTA_FLAG_DELTA)) return EIOTA_DECODE_OK;
  h->base_sequence = eiota_get_u64(p + 88);
  for (i = 0; i < 32; i++) {
    h->base_digest[i] = p[96 + i];
    h->result_digest[i] = p[128 + i];
  }
  return EIOTA_DECODE_OK;
}

// Writes the 80-byte header (header_len 80).
static inline void eiota_encode_header(const eiota_header* h, uint8_t* out) {
  int i;
  out[0] = 0x45; out[1] = 0x49; out[2] = 0x4F; out[3] = 0x54;
  out[4] = h->major;
  out[5] = h->minor;
  eiota_put_u16(out + 6, (uint16_t)EIOTA_HEADER_LEN);
  eiota_put_u32(out + 8, h->region_count);
  eiota_put_u32(out + 12, h->data_len);
  eiota_put_u64(out + 16, h->sequence);
  for (i = 0; i < (int)EIOTA_FINGERPRINT_LEN; i++) out[24 + i] = h->fingerprint[i];
  eiota_put_u32(out + 40, h->key_id);
  eiota_put_u32(out + 44, h->flags);
  for (i = 0; i < 32; i++) out[48 + i] = h->data_sha256[i];
}

// Writes the header a payload carries: with EIOTA_FLAG_EXTRA in h->flags the 88-byte 1.1 header
// (header_len 88, extra_len at 80, a zero word at 84), else the 80-byte 1.0 one, byte for byte
// what eiota_encode_header writes. `out` must hold EIOTA_HEADER_EXTRA_LEN bytes. Returns the
// bytes written, 0 (nothing written) for EIOTA_FLAG_DELTA: that header is eiota_encode_header_delta's.
static inline uint32_t eiota_encode_header_ext(const eiota_header* h, uint8_t* out) {
  if (h->flags & EIOTA_FLAG_DELTA) return 0;
  eiota_encode_header(h, out);
  if (!(h->flags & EIOTA_FLAG_EXTRA)) return EIOTA_HEADER_LEN;
  eiota_put_u16(out + 6, (uint16_t)EIOTA_HEADER_EXTRA_LEN);
  eiota_put_u32(out + 80, h->extra_len);
  eiota_put_u32(out + 84, 0);
  return EIOTA_HEADER_EXTRA_LEN;
}

// Writes the 160-byte 1.2 header of a delta (EIOTA_FLAG_DELTA, maybe EIOTA_FLAG_EXTRA): header_len
// 160, extra_len at 80 (0 without EIOTA_FLAG_EXTRA), a zero word at 84, base_sequence at 88,
// base_digest at 96, result_digest at 128. `out` must hold EIOTA_HEADER_DELTA_LEN bytes.
static inline uint32_t eiota_encode_header_delta(const eiota_header* h, uint8_t* out) {
  int i;
  eiota_encode_header(h, out);
  eiota_put_u16(out + 6, (uint16_t)EIOTA_HEADER_DELTA_LEN);
  eiota_put_u32(out + 80, (h->flags & EIOTA_FLAG_EXTRA) ? h->extra_len : 0);
  eiota_put_u32(out + 84, 0);
  eiota_put_u64(out + 88, h->base_sequence);
  for (i = 0; i < 32; i++) {
    out[96 + i] = h->base_digest[i];
    out[128 + i] = h->result_digest[i];
  }
  return EIOTA_HEADER_DELTA_LEN;
}

static inline enum eiota_decode_result eiota_decode_entry(const uint8_t* p, size_t len, eiota_entry* e) {
  if (len < EIOTA_ENTRY_LEN) return EIOTA_DECODE_SHORT;
  e->region = eiota_get_u32(p);
  e->count = eiota_get_u32(p + 4);
  e->stored_len = eiota_get_u32(p + 8);
  e->elem_type = p[12];
  e->encoding = p[13];
  e->reserved = eiota_get_u16(p + 14);
  return EIOTA_DECODE_OK;
}

// Writes a 16-byte entry; `reserved` is always written as 0.
static inline void eiota_encode_entry(const eiota_entry* e, uint8_t* out) {
  eiota_put_u32(out, e->region);
  eiota_put_u32(out + 4, e->count);
  eiota_put_u32(out + 8, e->stored_len);
  out[12] = e->elem_type;
  out[13] = e->encoding;
  eiota_put_u16(out + 14, 0);
}

// Byte offset where the region table starts, given the header_len a payload declares.
static inline uint32_t eiota_table_offset(uint32_t header_len) { return header_len + EIOTA_SIGNATURE_LEN; }

#ifdef __cplusplus
namespace eiota {

static const uint8_t kMagic[4] = {0x45, 0x49, 0x4F, 0x54};  // "EIOT"
static const uint8_t kMajor = EIOTA_FORMAT_MAJOR;
static const uint8_t kMinor = EIOTA_FORMAT_MINOR;
static const uint32_t kHeaderLen = EIOTA_HEADER_LEN;
static const uint32_t kMaxHeaderLen = EIOTA_MAX_HEADER_LEN;
static const uint32_t kSignatureLen = EIOTA_SIGNATURE_LEN;
static const uint32_t kEntryLen = EIOTA_ENTRY_LEN;
static const uint32_t kFingerprintLen = EIOTA_FINGERPRINT_LEN;
static const uint32_t kKnownFlags = EIOTA_KNOWN_FLAGS;

enum ElemType : uint8_t {
  kInt8 = EIOTA_INT8,
  kUInt8 = EIOTA_UINT8,
  kInt16 = EIOTA_INT16,
  kInt32 = EIOTA_INT32,
  kFloat32 = EIOTA_FLOAT32,
  kFloat64 = EIOTA_FLOAT64,
  kInt64 = EIOTA_INT64,
};

enum Encoding : uint8_t { kRaw = EIOTA_ENCODING_RAW, kDeflate = EIOTA_ENCODING_DEFLATE };

typedef eiota_header Header;
typedef eiota_entry Entry;

enum DecodeResult {
  kDecodeOk = EIOTA_DECODE_OK,
  kDecodeShort = EIOTA_DECODE_SHORT,
  kDecodeBadMagic = EIOTA_DECODE_BAD_MAGIC,
  kDecodeBadVersion = EIOTA_DECODE_BAD_VERSION,
  kDecodeBadFlags = EIOTA_DECODE_BAD_FLAGS,
};

inline uint32_t elem_size(uint8_t type) { return eiota_elem_size(type); }
inline uint32_t get_u32(const uint8_t* p) { return eiota_get_u32(p); }
inline uint16_t get_u16(const uint8_t* p) { return eiota_get_u16(p); }
inline uint64_t get_u64(const uint8_t* p) { return eiota_get_u64(p); }
inline void put_u16(uint8_t* p, uint16_t v) { eiota_put_u16(p, v); }
inline void put_u32(uint8_t* p, uint32_t v) { eiota_put_u32(p, v); }
inline void put_u64(uint8_t* p, uint64_t v) { eiota_put_u64(p, v); }
inline DecodeResult decode_header(const uint8_t* p, size_t len, Header* h) {
  return (DecodeResult)eiota_decode_header(p, len, h);
}
inline void encode_header(const Header& h, uint8_t out[kHeaderLen]) { eiota_encode_header(&h, out); }
inline uint32_t encode_header_ext(const Header& h, uint8_t out[EIOTA_HEADER_EXTRA_LEN]) { return eiota_encode_header_ext(&h, out); }
inline uint32_t encode_header_delta(const Header& h, uint8_t out[EIOTA_HEADER_DELTA_LEN]) { return eiota_encode_header_delta(&h, out); }
inline DecodeResult decode_header_ext(const uint8_t* p, size_t len, Header* h) {
  return (DecodeResult)eiota_decode_header_ext(p, len, h);
}
inline DecodeResult decode_entry(const uint8_t* p, size_t len, Entry* e) {
  return (DecodeResult)eiota_decode_entry(p, len, e);
}
inline void encode_entry(const Entry& e, uint8_t out[kEntryLen]) { eiota_encode_entry(&e, out); }
inline uint32_t table_offset(uint32_t header_len) { return eiota_table_offset(header_len); }

}  // namespace eiota
#endif  // __cplusplus

#endif  // EIOTA_FORMAT_H
