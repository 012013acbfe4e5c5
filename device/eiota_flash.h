// The flash seam: one area of a flash (or anything shaped like one) described by callbacks and
// its geometry, like LittleFS's config or MCUboot's flash_area. Addresses are offsets inside the
// area. Programming may only turn erased bytes into data; erasing resets whole erase blocks to
// `erased_value`. Every call is range- and alignment-checked before the callback runs.
#ifndef EIOTA_FLASH_H
#define EIOTA_FLASH_H

#include <stddef.h>
#include <stdint.h>

#include "eiota_errors.h"

// Callbacks return 0 on success or any negative value on failure (reported as EIOTA_ERR_STORAGE).
typedef int (*eiota_flash_read_fn)(void* ctx, uint32_t addr, uint8_t* buf, uint32_t len);
typedef int (*eiota_flash_prog_fn)(void* ctx, uint32_t addr, const uint8_t* buf, uint32_t len);
typedef int (*eiota_flash_erase_fn)(void* ctx, uint32_t addr, uint32_t len);

typedef struct eiota_flash {
  void* ctx;
  eiota_flash_read_fn read;    // may be NULL when `mapped` is set
  eiota_flash_prog_fn prog;
  eiota_flash_erase_fn erase;
  uint32_t size;               // bytes in the area, a multiple of erase_size
  uint32_t erase_size;         // a multiple of prog_size
  uint32_t prog_size;          // smallest programmable unit; prog addresses and lengths align to it
  uint8_t erased_value;        // what an erased byte reads as (0xFF for NOR, 0x00 for some)
  const uint8_t* mapped;       // the area read in place (memory-mapped flash, RAM), or NULL
} eiota_flash;

#ifdef __cplusplus
extern "C" {
#endif

// EIOTA_OK if the description is usable: callbacks present, sizes non-zero and consistent.
int eiota_flash_check(const eiota_flash* f);

// Reads `len` bytes at `addr` (through `mapped` when there is no read callback).
int eiota_flash_read(const eiota_flash* f, uint32_t addr, uint8_t* buf, uint32_t len);

// Programs `len` bytes at `addr`; both must be multiples of prog_size.
int eiota_flash_prog(const eiota_flash* f, uint32_t addr, const uint8_t* buf, uint32_t len);

// Erases the blocks in [addr, addr + len); both must be multiples of erase_size.
int eiota_flash_erase(const eiota_flash* f, uint32_t addr, uint32_t len);

// EIOTA_OK if every byte in [addr, addr + len) reads as erased_value, EIOTA_ERR_STATE if one does
// not, or the read's error.
int eiota_flash_erased(const eiota_flash* f, uint32_t addr, uint32_t len);

#ifdef __cplusplus
}
#endif

#endif  // EIOTA_FLASH_H
