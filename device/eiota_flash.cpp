#include "eiota_flash.h"

#include <string.h>

int eiota_flash_check(const eiota_flash* f) {
  if (f == NULL || f->prog == NULL || f->erase == NULL || (f->read == NULL && f->mapped == NULL)) return EIOTA_ERR_STATE;
  if (f->prog_size == 0 || f->erase_size == 0 || f->size == 0) return EIOTA_ERR_FLASH_RANGE;
  if (f->erase_size % f->prog_size != 0 || f->size % f->erase_size != 0) return EIOTA_ERR_FLASH_RANGE;
  return EIOTA_OK;
}

static bool in_range(const eiota_flash* f, uint32_t addr, uint32_t len) {
  return addr <= f->size && len <= f->size - addr;
}

int eiota_flash_read(const eiota_flash* f, uint32_t addr, uint8_t* buf, uint32_t len) {
  int err = eiota_flash_check(f);
  if (err != EIOTA_OK) return err;
  if (!in_range(f, addr, len)) return EIOTA_ERR_FLASH_RANGE;
  if (len == 0) return EIOTA_OK;
  if (buf == NULL) return EIOTA_ERR_STATE;
  if (f->read == NULL) {
    memcpy(buf, f->mapped + addr, len);
    return EIOTA_OK;
  }
  return f->read(f->ctx, addr, buf, len) < 0 ? EIOTA_ERR_STORAGE : EIOTA_OK;
}

int eiota_flash_prog(const eiota_flash* f, uint32_t addr, const uint8_t* buf, uint32_t len) {
  int err = eiota_flash_check(f);
  if (err != EIOTA_OK) return err;
  if (!in_range(f, addr, len) || addr % f->prog_size != 0 || len % f->prog_size != 0) return EIOTA_ERR_FLASH_RANGE;
  if (len == 0) return EIOTA_OK;
  if (buf == NULL) return EIOTA_ERR_STATE;
  return f->prog(f->ctx, addr, buf, len) < 0 ? EIOTA_ERR_STORAGE : EIOTA_OK;
}

int eiota_flash_erase(const eiota_flash* f, uint32_t addr, uint32_t len) {
  int err = eiota_flash_check(f);
  if (err != EIOTA_OK) return err;
  if (!in_range(f, addr, len) || addr % f->erase_size != 0 || len % f->erase_size != 0) return EIOTA_ERR_FLASH_RANGE;
  if (len == 0) return EIOTA_OK;
  return f->erase(f->ctx, addr, len) < 0 ? EIOTA_ERR_STORAGE : EIOTA_OK;
}

int eiota_flash_erased(const eiota_flash* f, uint32_t addr, uint32_t len) {
  uint8_t buf[32];
  while (len > 0) {
    uint32_t n = len < sizeof buf ? len : (uint32_t)sizeof buf;
    int err = eiota_flash_read(f, addr, buf, n);
    if (err != EIOTA_OK) return err;
    for (uint32_t i = 0; i < n; i++)
      if (buf[i] != f->erased_value) return EIOTA_ERR_STATE;
    addr += n;
    len -= n;
  }
  return EIOTA_OK;
}
