// Internal to the device runtime (C++ only): text appended to a fixed buffer, for HTTP requests
// and report bodies. It keeps room for the NUL after what was put and remembers running out of
// room (full), so a caller checks once at the end instead of after every piece.
#ifndef EIOTA_TEXT_OUT_H
#define EIOTA_TEXT_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

namespace eiota_internal {

struct Out {
  char* buf;
  size_t cap;
  size_t len;
  bool full;

  void put(const char* s, size_t n) {
    if (full || cap - len <= n) {  // cap - len >= 1 while !full
      full = true;
      return;
    }
    memcpy(buf + len, s, n);
    len += n;
    buf[len] = '\0';
  }
  void put(const char* s) { put(s, strlen(s)); }
  void put_u32(uint32_t v) {
    char d[10];
    size_t n = 0;
    do {
      d[sizeof d - 1 - n++] = (char)('0' + v % 10);
      v /= 10;
    } while (v != 0);
    put(d + sizeof d - n, n);
  }
  void put_int(int v) {
    if (v < 0) put("-", 1);
    put_u32(v < 0 ? 0u - (uint32_t)v : (uint32_t)v);
  }
};

}  // namespace eiota_internal

#endif  // EIOTA_TEXT_OUT_H
