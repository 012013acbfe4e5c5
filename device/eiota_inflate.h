// A streaming DEFLATE (RFC 1951, raw: no zlib or gzip wrapper) decoder that keeps no window:
// a match is handed to the sink as (distance, length), and the sink copies it from the output it
// already wrote (the region's own RAM copy, or the slot being written). Input may arrive in any
// chunking; a code cut by a chunk boundary waits in the bit buffer for the next chunk. The stream
// ends at the byte holding its last block's end. The decoded length is fixed in advance: a stream
// decoding to more or less, a distance reaching before the output's start or an invalid code are
// errors. 1 056 bytes of state, no heap, not constant time.
#ifndef EIOTA_INFLATE_H
#define EIOTA_INFLATE_H

#include <stdint.h>

#include "eiota_errors.h"

typedef struct eiota_inflate_sink {
  void* ctx;
  // The next `len` decoded bytes.
  int (*put)(void* ctx, const uint8_t* data, uint32_t len);
  // The next `len` decoded bytes are a copy of the output from `dist` bytes back (1 <= dist <=
  // bytes decoded so far; the spans may overlap: dist < len repeats the last dist bytes).
  int (*copy)(void* ctx, uint32_t dist, uint32_t len);
} eiota_inflate_sink;

typedef struct eiota_inflate {
  uint32_t bits;         // unconsumed input bits, least significant first
  uint32_t out;          // bytes decoded
  uint32_t out_len;      // bytes the stream must decode to
  uint16_t remaining;    // stored block: bytes left; a match: its length
  uint16_t index;        // dynamic header: code lengths read so far
  uint16_t nlit, ndist, nclen;
  uint8_t nbits;
  uint8_t state;
  uint8_t last_block;
  uint8_t dist_code;      // a match's distance code, until its extra bits arrive
  uint8_t lens[286 + 30];      // a dynamic block's code lengths, while its header is read
  uint16_t lit_count[16];      // canonical Huffman codes: codes per length, symbols by code
  uint16_t lit_symbol[288];
  uint16_t dist_count[16];     // also the code-length code while a dynamic header is read
  uint16_t dist_symbol[30];
} eiota_inflate;

#ifdef __cplusplus
extern "C" {
#endif

// Starts a stream that must decode to exactly `out_len` bytes.
void eiota_inflate_init(eiota_inflate* z, uint32_t out_len);

// Decodes what it can of the next `len` input bytes into `sink` and stores in *used how many it
// took: all of them, or fewer when the stream's last block ended (the rest is not the stream's).
// EIOTA_OK, EIOTA_ERR_INFLATE (malformed, or longer than out_len), or the sink's error. After an
// error the stream is dead.
int eiota_inflate_feed(eiota_inflate* z, const uint8_t* in, uint32_t len, const eiota_inflate_sink* sink,
                       uint32_t* used);

// 1 once the last block has ended and exactly out_len bytes were decoded; 0 while more input is
// needed (a stream whose last block ended short of out_len is refused by feed, never done).
int eiota_inflate_done(const eiota_inflate* z);

#ifdef __cplusplus
}
#endif

#endif  // EIOTA_INFLATE_H
