// An eiota_flash over a file (C stdio): for SD cards and filesystems, where slots are files. It
// behaves like real flash so code tested on it behaves the same on NOR: programming refuses bytes
// that are not erased (nothing is written then), erasing writes `erased_value` over whole blocks.
// The file is created, or extended, to `size` bytes of the erased value when opened; bytes beyond
// `size` are left alone. Every prog and erase is flushed before it returns.
//
// The caller owns the eiota_file_flash (no heap) and passes &ff->flash to the store.
// On a libc without file streams (Zephyr's minimal libc) the functions are not compiled; define
// EIOTA_NO_FILE_FLASH to leave them out elsewhere.
#ifndef EIOTA_FILE_FLASH_H
#define EIOTA_FILE_FLASH_H

#include <stdint.h>
#include <stdio.h>

#include "eiota_flash.h"

typedef struct eiota_file_flash {
  eiota_flash flash;   // the area; flash.ctx points back at this struct
  FILE* file;
  uint8_t owns_file;   // opened by eiota_file_flash_open: closed by eiota_file_flash_close
} eiota_file_flash;

#ifdef __cplusplus
extern "C" {
#endif

// Opens `path` for update, creating it when missing, and makes it an area of `size` bytes with
// the given geometry (as eiota_flash_check wants it; size at most 2 GiB - 1). EIOTA_OK,
// EIOTA_ERR_FLASH_RANGE for a bad geometry, or EIOTA_ERR_STORAGE when the file cannot be opened,
// read or extended (then nothing stays open).
int eiota_file_flash_open(eiota_file_flash* ff, const char* path, uint32_t size, uint32_t erase_size,
                          uint32_t prog_size, uint8_t erased_value);

// The same over a stream the caller opened for reading and writing ("r+b" or "w+b"), for a
// filesystem whose files are not opened by name; the caller closes it.
int eiota_file_flash_attach(eiota_file_flash* ff, FILE* file, uint32_t size, uint32_t erase_size,
                            uint32_t prog_size, uint8_t erased_value);

// Flushes and, if eiota_file_flash_open opened the file, closes it. EIOTA_OK or EIOTA_ERR_STORAGE.
int eiota_file_flash_close(eiota_file_flash* ff);

#ifdef __cplusplus
}
#endif

#endif  // EIOTA_FILE_FLASH_H
