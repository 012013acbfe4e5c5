#include "semihost.h"

#include <string.h>

enum { SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITE0 = 0x04, SYS_READ = 0x06, SYS_FLEN = 0x0C, SYS_EXIT = 0x18 };
// SYS_EXIT's reason codes (AArch32 passes the code itself in r1): QEMU exits 0 for the first, 1 for others.
enum { ADP_STOPPED_APPLICATION_EXIT = 0x20026, ADP_STOPPED_RUN_TIME_ERROR = 0x20023 };

static int call(int op, void* arg) {
  register int r0 __asm__("r0") = op;
  register void* r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void sh_write0(const char* text) { call(SYS_WRITE0, (void*)text); }

int sh_open_read(const char* path) {
  uint32_t args[3] = {(uint32_t)path, 1 /* "rb" */, (uint32_t)strlen(path)};
  return call(SYS_OPEN, args);
}

int sh_read(int handle, uint8_t* buf, uint32_t len) {
  uint32_t args[3] = {(uint32_t)handle, (uint32_t)buf, len};
  int left = call(SYS_READ, args);  // bytes NOT read
  return left < 0 || (uint32_t)left > len ? -1 : (int)(len - (uint32_t)left);
}

int sh_flen(int handle) {
  uint32_t args[1] = {(uint32_t)handle};
  return call(SYS_FLEN, args);
}

void sh_close(int handle) {
  uint32_t args[1] = {(uint32_t)handle};
  call(SYS_CLOSE, args);
}

void sh_exit(int ok) {
  call(SYS_EXIT, (void*)(ok ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUN_TIME_ERROR));
  for (;;) {
  }
}

void sh_puts(const char* a) { sh_write0(a); }

void sh_putu(uint32_t v) {
  char b[11];
  int i = 10;
  b[i] = 0;
  do {
    b[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  sh_write0(b + i);
}

void sh_puthex(const uint8_t* p, uint32_t n) {
  static const char digits[] = "0123456789abcdef";
  char b[2 * 16 + 1];
  while (n) {
    uint32_t k = n < 16 ? n : 16, i;
    for (i = 0; i < k; i++) {
      b[2 * i] = digits[p[i] >> 4];
      b[2 * i + 1] = digits[p[i] & 15];
    }
    b[2 * k] = 0;
    sh_write0(b);
    p += k;
    n -= k;
  }
}
