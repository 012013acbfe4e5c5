// ARM semihosting (bkpt 0xab, Thumb): the firmware's only I/O. QEMU's -semihosting serves it:
// console output, host files read in chunks, and the exit code QEMU returns.
#ifndef EIOTA_CM_SEMIHOST_H
#define EIOTA_CM_SEMIHOST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void sh_write0(const char* text);             // SYS_WRITE0
int sh_open_read(const char* path);           // SYS_OPEN mode "rb": a handle, or -1
int sh_read(int handle, uint8_t* buf, uint32_t len);  // bytes read, or -1
int sh_flen(int handle);                      // SYS_FLEN: bytes, or -1
void sh_close(int handle);
__attribute__((noreturn)) void sh_exit(int ok);  // QEMU exits 0 when ok, else 1

// Small formatting without stdio (newlib's printf would bring its heap in).
void sh_puts(const char* a);
void sh_putu(uint32_t v);
void sh_puthex(const uint8_t* b, uint32_t n);

#ifdef __cplusplus
}
#endif

#endif
