#include "eiota_inflate.h"

#include <string.h>

namespace {

enum State : uint8_t {
  kHeader,      // 3 bits: last block, block type
  kStoredLen,   // 16 bits, after the byte alignment
  kStoredNlen,  // 16 bits, the complement
  kStored,      // `remaining` raw bytes
  kCounts,      // 14 bits: literal/length, distance and code-length code counts
  kClens,       // 3 bits per code-length code length, `index` of nclen read
  kLens,        // the literal/length and distance code lengths, `index` of nlit + ndist read
  kCodes,       // a literal, the block's end, or a length (kept in `remaining`)
  kDistance,    // the distance code of the match whose length is in `remaining`
  kDistBits,    // its extra bits
  kDone,
  kDead,
};

const uint16_t kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                  31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
const uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
const uint16_t kDistBase[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
                                193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
const uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
const uint8_t kClenOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

const int kNeedMore = -1;
const int kBadCode = -2;

// Canonical code from lengths (0 = unused symbol). False if over-subscribed; an incomplete code
// is kept, its unused codes are refused when met.
bool build(uint16_t count[16], uint16_t* symbol, const uint8_t* lens, uint32_t n) {
  memset(count, 0, 16 * sizeof(uint16_t));
  for (uint32_t s = 0; s < n; s++) count[lens[s]]++;
  count[0] = 0;
  int32_t left = 1;
  uint16_t offset[16];
  offset[1] = 0;
  for (int len = 1; len < 16; len++) {
    left = 2 * left - count[len];
    if (left < 0) return false;
    if (len < 15) offset[len + 1] = (uint16_t)(offset[len] + count[len]);
  }
  for (uint32_t s = 0; s < n; s++)
    if (lens[s] != 0) symbol[offset[lens[s]]++] = (uint16_t)s;
  return true;
}

// The symbol the buffered bits start with, without consuming them: *used gets its length.
int peek(const eiota_inflate* z, const uint16_t count[16], const uint16_t* symbol, uint32_t* used) {
  uint32_t bits = z->bits;
  int32_t code = 0, first = 0, index = 0;
  for (uint32_t len = 1; len < 16; len++) {
    if (len > z->nbits) return kNeedMore;
    code |= (int32_t)(bits & 1u);
    bits >>= 1;
    int32_t c = count[len];
    if (code - first < c) {
      *used = len;
      return symbol[index + code - first];
    }
    index += c;
    first = (first + c) << 1;
    code <<= 1;
  }
  return kBadCode;
}

void drop(eiota_inflate* z, uint32_t n) {
  z->bits = n < 32 ? z->bits >> n : 0;
  z->nbits = (uint8_t)(z->nbits - n);
}

uint32_t low(const eiota_inflate* z, uint32_t n) { return n == 0 ? 0 : z->bits & (0xFFFFFFFFu >> (32u - n)); }

void fixed_codes(eiota_inflate* z) {
  uint8_t* l = z->lens;
  memset(l, 8, 144);
  memset(l + 144, 9, 112);
  memset(l + 256, 7, 24);
  memset(l + 280, 8, 8);
  build(z->lit_count, z->lit_symbol, l, 288);
  memset(l, 5, 30);
  build(z->dist_count, z->dist_symbol, l, 30);
}

// Literals are gathered here and handed to the sink in runs.
struct Literals {
  uint8_t buf[64];
  uint32_t n;
};

int flush(Literals* lit, const eiota_inflate_sink* sink) {
  if (lit->n == 0) return EIOTA_OK;
  int err = sink->put(sink->ctx, lit->buf, lit->n);
  lit->n = 0;
  return err;
}

// One step of the state machine on the buffered bits: EIOTA_OK when it advanced, kNeedMore when
// the bits it needs are not all there yet (nothing consumed), or an error.
int step(eiota_inflate* z, Literals* lit, const eiota_inflate_sink* sink) {
  uint32_t used = 0;
  int sym;
  switch (z->state) {
    case kHeader: {
      if (z->nbits < 3) return kNeedMore;
      uint32_t h = low(z, 3);
      drop(z, 3);
      z->last_block = (uint8_t)(h & 1u);
      if ((h >> 1) == 0) {
        drop(z, z->nbits % 8u);
        z->state = kStoredLen;
      } else if ((h >> 1) == 1) {
        fixed_codes(z);
        z->state = kCodes;
      } else if ((h >> 1) == 2) {
        z->state = kCounts;
      } else {
        return EIOTA_ERR_INFLATE;
      }
      return EIOTA_OK;
    }
    case kStoredLen:
      if (z->nbits < 16) return kNeedMore;
      z->remaining = (uint16_t)low(z, 16);
      drop(z, 16);
      z->state = kStoredNlen;
      return EIOTA_OK;
    case kStoredNlen:
      if (z->nbits < 16) return kNeedMore;
      if ((uint16_t)~low(z, 16) != z->remaining) return EIOTA_ERR_INFLATE;
      drop(z, 16);
      if (z->remaining > z->out_len - z->out) return EIOTA_ERR_INFLATE;
      z->state = z->remaining ? kStored : (z->last_block ? kDone : kHeader);
      return EIOTA_OK;
    case kStored:  // the bytes still in the bit buffer (feed copies the rest straight from the input)
      if (z->nbits < 8) return kNeedMore;
      if (lit->n == sizeof lit->buf) {
        int err = flush(lit, sink);
        if (err != EIOTA_OK) return err;
      }
      lit->buf[lit->n++] = (uint8_t)low(z, 8);
      drop(z, 8);
      z->out++;
      if (--z->remaining == 0) z->state = z->last_block ? kDone : kHeader;
      return EIOTA_OK;
    case kCounts: {
      if (z->nbits < 14) return kNeedMore;
      uint32_t c = low(z, 14);
      drop(z, 14);
      z->nlit = (uint16_t)(257u + (c & 31u));
      z->ndist = (uint16_t)(1u + ((c >> 5) & 31u));
      z->nclen = (uint16_t)(4u + (c >> 10));
      if (z->nlit > 286 || z->ndist > 30) return EIOTA_ERR_INFLATE;
      memset(z->lens, 0, 19);
      z->index = 0;
      z->state = kClens;
      return EIOTA_OK;
    }
    case kClens:
      if (z->index < z->nclen) {
        if (z->nbits < 3) return kNeedMore;
        z->lens[kClenOrder[z->index++]] = (uint8_t)low(z, 3);
        drop(z, 3);
        return EIOTA_OK;
      }
      if (!build(z->dist_count, z->dist_symbol, z->lens, 19)) return EIOTA_ERR_INFLATE;
      z->index = 0;
      z->state = kLens;
      return EIOTA_OK;
    case kLens: {
      const uint32_t total = (uint32_t)z->nlit + z->ndist;
      if (z->index < total) {
        sym = peek(z, z->dist_count, z->dist_symbol, &used);
        if (sym < 0) return sym == kNeedMore ? kNeedMore : EIOTA_ERR_INFLATE;
        if (sym < 16) {
          drop(z, used);
          z->lens[z->index++] = (uint8_t)sym;
          return EIOTA_OK;
        }
        uint32_t extra = sym == 16 ? 2u : sym == 17 ? 3u : 7u;
        if (z->nbits < used + extra) return kNeedMore;
        uint32_t repeat = ((z->bits >> used) & ((1u << extra) - 1u)) + (sym == 18 ? 11u : 3u);
        uint8_t value = 0;
        if (sym == 16) {
          if (z->index == 0) return EIOTA_ERR_INFLATE;
          value = z->lens[z->index - 1];
        }
        if (z->index + repeat > total) return EIOTA_ERR_INFLATE;
        drop(z, used + extra);
        memset(z->lens + z->index, value, repeat);
        z->index = (uint16_t)(z->index + repeat);
        return EIOTA_OK;
      }
      if (z->lens[256] == 0) return EIOTA_ERR_INFLATE;  // no end-of-block code
      if (!build(z->lit_count, z->lit_symbol, z->lens, z->nlit)) return EIOTA_ERR_INFLATE;
      if (!build(z->dist_count, z->dist_symbol, z->lens + z->nlit, z->ndist)) return EIOTA_ERR_INFLATE;
      z->state = kCodes;
      return EIOTA_OK;
    }
    case kCodes: {
      sym = peek(z, z->lit_count, z->lit_symbol, &used);
      if (sym < 0) return sym == kNeedMore ? kNeedMore : EIOTA_ERR_INFLATE;
      if (sym < 256) {
        if (z->out == z->out_len) return EIOTA_ERR_INFLATE;
        if (lit->n == sizeof lit->buf) {
          int err = flush(lit, sink);
          if (err != EIOTA_OK) return err;
        }
        drop(z, used);
        lit->buf[lit->n++] = (uint8_t)sym;
        z->out++;
        return EIOTA_OK;
      }
      if (sym == 256) {
        drop(z, used);
        z->state = z->last_block ? kDone : kHeader;
        return EIOTA_OK;
      }
      if (sym > 285) return EIOTA_ERR_INFLATE;
      uint32_t extra = kLengthExtra[sym - 257];
      if (z->nbits < used + extra) return kNeedMore;
      z->remaining = (uint16_t)(kLengthBase[sym - 257] + ((z->bits >> used) & ((1u << extra) - 1u)));
      drop(z, used + extra);
      z->state = kDistance;
      return EIOTA_OK;
    }
    case kDistance:
      sym = peek(z, z->dist_count, z->dist_symbol, &used);
      if (sym < 0) return sym == kNeedMore ? kNeedMore : EIOTA_ERR_INFLATE;
      if (sym >= 30) return EIOTA_ERR_INFLATE;
      drop(z, used);
      z->dist_code = (uint8_t)sym;
      z->state = kDistBits;
      return EIOTA_OK;
    case kDistBits: {
      uint32_t extra = kDistExtra[z->dist_code];
      if (z->nbits < extra) return kNeedMore;
      uint32_t dist = kDistBase[z->dist_code] + low(z, extra);
      if (dist > z->out || z->remaining > z->out_len - z->out) return EIOTA_ERR_INFLATE;
      drop(z, extra);
      int err = flush(lit, sink);
      if (err == EIOTA_OK) err = sink->copy(sink->ctx, dist, z->remaining);
      if (err != EIOTA_OK) return err;
      z->out += z->remaining;
      z->state = kCodes;
      return EIOTA_OK;
    }
    default:
      return EIOTA_ERR_INFLATE;  // input after the last block, or a dead stream
  }
}

}  // namespace

extern "C" {

void eiota_inflate_init(eiota_inflate* z, uint32_t out_len) {
  memset(z, 0, sizeof *z);
  z->out_len = out_len;
  z->state = kHeader;
}

int eiota_inflate_feed(eiota_inflate* z, const uint8_t* in, uint32_t len, const eiota_inflate_sink* sink,
                       uint32_t* used) {
  Literals lit;
  lit.n = 0;
  const uint8_t* start = in;
  int err = EIOTA_OK;
  // A byte is taken only when a step needs more bits, so when the last block ends fewer than 8
  // bits are buffered: the stream ends exactly at a byte, and what follows is the caller's.
  while (z->state != kDone) {
    if (z->state == kStored && z->nbits == 0) {  // a stored block's bytes go straight to the sink
      if (len == 0) break;
      uint32_t n = len < z->remaining ? len : z->remaining;
      err = flush(&lit, sink);
      if (err == EIOTA_OK) err = sink->put(sink->ctx, in, n);
      if (err != EIOTA_OK) break;
      in += n;
      len -= n;
      z->out += n;
      z->remaining = (uint16_t)(z->remaining - n);
      if (z->remaining == 0) z->state = z->last_block ? kDone : kHeader;
      continue;
    }
    int r = step(z, &lit, sink);
    if (r == kNeedMore) {
      if (len == 0) break;
      if (z->nbits > 24) {  // no step needs more than 20 bits: unreachable, but never overflow
        err = EIOTA_ERR_INFLATE;
        break;
      }
      z->bits |= (uint32_t)*in++ << z->nbits;
      z->nbits = (uint8_t)(z->nbits + 8);
      len--;
    } else if (r != EIOTA_OK) {
      err = r;
      break;
    }
  }
  if (err == EIOTA_OK) err = flush(&lit, sink);
  if (err == EIOTA_OK && z->state == kDone && z->out != z->out_len) err = EIOTA_ERR_INFLATE;  // ended short
  if (err != EIOTA_OK) z->state = kDead;
  *used = (uint32_t)(in - start);
  return err;
}

int eiota_inflate_done(const eiota_inflate* z) { return z->state == kDone; }

}  // extern "C"
