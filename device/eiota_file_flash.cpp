#include "eiota_file_flash.h"

#if !defined(EIOTA_NO_FILE_FLASH) && !defined(CONFIG_MINIMAL_LIBC)

#include <string.h>

namespace {

const uint32_t kChunk = 64;  // stack buffer for the erased check and for erasing
const uint32_t kMaxSize = 0x7FFFFFFFu;  // fseek takes a long

FILE* file_of(void* ctx) { return static_cast<eiota_file_flash*>(ctx)->file; }

int seek(FILE* f, uint32_t addr) { return fseek(f, (long)addr, SEEK_SET) == 0 ? 0 : -1; }

int read_at(FILE* f, uint32_t addr, uint8_t* buf, uint32_t len) {
  if (seek(f, addr) != 0) return -1;
  return fread(buf, 1, len, f) == len ? 0 : -1;
}

int write_at(FILE* f, uint32_t addr, const uint8_t* buf, uint32_t len) {
  if (seek(f, addr) != 0) return -1;
  return fwrite(buf, 1, len, f) == len ? 0 : -1;
}

int fill(FILE* f, uint32_t addr, uint32_t len, uint8_t value) {
  uint8_t buf[kChunk];
  memset(buf, value, sizeof buf);
  while (len > 0) {
    uint32_t n = len < kChunk ? len : kChunk;
    if (write_at(f, addr, buf, n) != 0) return -1;
    addr += n;
    len -= n;
  }
  return fflush(f) == 0 ? 0 : -1;
}

int read_cb(void* ctx, uint32_t addr, uint8_t* buf, uint32_t len) { return read_at(file_of(ctx), addr, buf, len); }

// Like NOR: every target byte must read as erased before anything is written.
int prog_cb(void* ctx, uint32_t addr, const uint8_t* buf, uint32_t len) {
  const eiota_file_flash* ff = static_cast<const eiota_file_flash*>(ctx);
  uint8_t have[kChunk];
  for (uint32_t done = 0; done < len;) {
    uint32_t n = len - done < kChunk ? len - done : kChunk;
    if (read_at(ff->file, addr + done, have, n) != 0) return -1;
    for (uint32_t i = 0; i < n; i++)
      if (have[i] != ff->flash.erased_value) return -1;
    done += n;
  }
  if (write_at(ff->file, addr, buf, len) != 0) return -1;
  return fflush(ff->file) == 0 ? 0 : -1;
}

int erase_cb(void* ctx, uint32_t addr, uint32_t len) {
  const eiota_file_flash* ff = static_cast<const eiota_file_flash*>(ctx);
  return fill(ff->file, addr, len, ff->flash.erased_value);
}

// Extends the file to `size` bytes of the erased value; a longer file is kept as it is.
int extend(FILE* f, uint32_t size, uint8_t erased_value) {
  if (fseek(f, 0, SEEK_END) != 0) return -1;
  long end = ftell(f);
  if (end < 0) return -1;
  if ((unsigned long)end >= size) return 0;
  return fill(f, (uint32_t)end, size - (uint32_t)end, erased_value);
}

}  // namespace

int eiota_file_flash_attach(eiota_file_flash* ff, FILE* file, uint32_t size, uint32_t erase_size,
                            uint32_t prog_size, uint8_t erased_value) {
  if (ff == NULL || file == NULL) return EIOTA_ERR_STATE;
  memset(ff, 0, sizeof *ff);
  ff->file = file;
  ff->flash.ctx = ff;
  ff->flash.read = read_cb;
  ff->flash.prog = prog_cb;
  ff->flash.erase = erase_cb;
  ff->flash.size = size;
  ff->flash.erase_size = erase_size;
  ff->flash.prog_size = prog_size;
  ff->flash.erased_value = erased_value;
  int err = eiota_flash_check(&ff->flash);
  if (err == EIOTA_OK && size > kMaxSize) err = EIOTA_ERR_FLASH_RANGE;
  if (err == EIOTA_OK && extend(file, size, erased_value) != 0) err = EIOTA_ERR_STORAGE;
  if (err != EIOTA_OK) memset(ff, 0, sizeof *ff);
  return err;
}

int eiota_file_flash_open(eiota_file_flash* ff, const char* path, uint32_t size, uint32_t erase_size,
                          uint32_t prog_size, uint8_t erased_value) {
  if (ff == NULL || path == NULL) return EIOTA_ERR_STATE;
  FILE* f = fopen(path, "r+b");
  if (f == NULL) f = fopen(path, "w+b");
  if (f == NULL) return EIOTA_ERR_STORAGE;
  int err = eiota_file_flash_attach(ff, f, size, erase_size, prog_size, erased_value);
  if (err != EIOTA_OK) {
    fclose(f);
    return err;
  }
  ff->owns_file = 1;
  return EIOTA_OK;
}

int eiota_file_flash_close(eiota_file_flash* ff) {
  if (ff == NULL || ff->file == NULL) return EIOTA_ERR_STATE;
  int rc = fflush(ff->file);
  if (ff->owns_file && fclose(ff->file) != 0) rc = -1;
  memset(ff, 0, sizeof *ff);
  return rc == 0 ? EIOTA_OK : EIOTA_ERR_STORAGE;
}

#endif  // !EIOTA_NO_FILE_FLASH && !CONFIG_MINIMAL_LIBC
