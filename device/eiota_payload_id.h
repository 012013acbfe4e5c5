// The id a payload is named by in delivery (docs/DELIVERY.md): "<sequence>-<16 hex digits>", the
// sequence in decimal and the first 8 bytes of data_sha256. Used by the device client and the host.
#ifndef EIOTA_PAYLOAD_ID_H
#define EIOTA_PAYLOAD_ID_H

#include <stddef.h>
#include <stdint.h>

// 20 digits of sequence, '-', 16 hex digits, NUL.
#define EIOTA_PAYLOAD_ID_MAX 38

// Writes the id into `out` (EIOTA_PAYLOAD_ID_MAX bytes) and returns its length.
static inline size_t eiota_payload_id(uint64_t sequence, const uint8_t digest8[8], char out[EIOTA_PAYLOAD_ID_MAX]) {
  char digits[20];
  size_t n = 0, k = 0;
  do {
    digits[n++] = (char)('0' + (int)(sequence % 10u));
    sequence /= 10u;
  } while (sequence != 0);
  while (n > 0) out[k++] = digits[--n];
  out[k++] = '-';
  for (int i = 0; i < 8; i++) {
    out[k++] = "0123456789abcdef"[digest8[i] >> 4];
    out[k++] = "0123456789abcdef"[digest8[i] & 15];
  }
  out[k] = '\0';
  return k;
}

#endif  // EIOTA_PAYLOAD_ID_H
