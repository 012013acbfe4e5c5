#include "nor.h"

#include <string.h>

namespace {

struct area_ctx {
  nor_sim* n;
  uint32_t base;
};
area_ctx g_areas[4];
unsigned g_area_count;

#if defined(EIOTA_CM_NVMC)
// nRF51 NVMC: CONFIG selects write (1) or erase (2) enable, READY says the last op is done.
volatile uint32_t& nvmc(uint32_t off) { return *(volatile uint32_t*)(0x4001E000u + off); }
void nvmc_wait() {
  while ((nvmc(0x400) & 1u) == 0) {
  }
}
void raw_erase(uint8_t* p, uint32_t len, uint32_t block) {
  for (uint32_t at = 0; at < len; at += block) {
    nvmc(0x504) = 2;
    nvmc(0x508) = (uint32_t)(p + at);  // ERASEPAGE
    nvmc_wait();
  }
  nvmc(0x504) = 0;
}
void raw_prog(uint8_t* p, const uint8_t* data, uint32_t len) {  // word-aligned, whole words
  nvmc(0x504) = 1;
  for (uint32_t i = 0; i < len; i += 4) {
    uint32_t w;
    memcpy(&w, data + i, 4);
    *(volatile uint32_t*)(p + i) = w;
    nvmc_wait();
  }
  nvmc(0x504) = 0;
}
#else
void raw_erase(uint8_t* p, uint32_t len, uint32_t) { memset(p, 0xFF, len); }
void raw_prog(uint8_t* p, const uint8_t* data, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) p[i] &= data[i];
}
#endif

uint32_t next_random(nor_sim* n) {
  n->rng ^= n->rng << 13;
  n->rng ^= n->rng >> 17;
  n->rng ^= n->rng << 5;
  return n->rng;
}

// The operation about to run fails: torn, a random part of it is done and the rest is noise.
bool power_fails(nor_sim* n, uint8_t* p, const uint8_t* data, uint32_t len) {
  if (n->cut_op == 0 || n->ops + 1 != n->cut_op) return false;
  n->dead = 1;
  if (!n->torn) return true;
  n->ops++;
  uint32_t unit = n->prog_size;
  uint32_t done = (next_random(n) % (len / unit + 1)) * unit;
  uint8_t noise[16];
  if (data) {
    raw_prog(p, data, done);
    for (uint32_t at = done; at < len; at += unit) {
      for (uint32_t i = 0; i < unit && i < sizeof noise; i++) noise[i] = (uint8_t)(data[at + i] | next_random(n));
      if (next_random(n) & 1) raw_prog(p + at, noise, unit);
    }
  } else {
    // an erase cut part way: the blocks before the cut are erased, the one it was in is half
    // erased (only bits cleared: NOR rules for what is left are irrelevant here, it is garbage)
    uint32_t blocks = (next_random(n) % (len / n->erase_size + 1));
    raw_erase(p, blocks * n->erase_size, n->erase_size);
    for (uint32_t at = blocks * n->erase_size; at < len && at < blocks * n->erase_size + 64; at += unit) {
      for (uint32_t i = 0; i < unit && i < sizeof noise; i++) noise[i] = (uint8_t)next_random(n);
      raw_prog(p + at, noise, unit);
    }
  }
  return true;
}

int prog_cb(void* c, uint32_t addr, const uint8_t* buf, uint32_t len) {
  area_ctx* a = (area_ctx*)c;
  nor_sim* n = a->n;
  if (n->dead) return -1;
  uint8_t* p = n->mem + a->base + addr;
  for (uint32_t i = 0; i < len; i++)
    if (p[i] != 0xFF) return -3;  // programming over data: the store must never do this
  if (power_fails(n, p, buf, len)) return -1;
  n->ops++;
  raw_prog(p, buf, len);
  return 0;
}

int erase_cb(void* c, uint32_t addr, uint32_t len) {
  area_ctx* a = (area_ctx*)c;
  nor_sim* n = a->n;
  if (n->dead) return -1;
  uint8_t* p = n->mem + a->base + addr;
  if (power_fails(n, p, 0, len)) return -1;
  n->ops++;
  raw_erase(p, len, n->erase_size);
  return 0;
}

}  // namespace

eiota_flash nor_area(nor_sim* n, uint32_t offset, uint32_t size) {
  area_ctx* a = &g_areas[g_area_count++ & 3u];
  a->n = n;
  a->base = offset;
  eiota_flash f = {a, 0, prog_cb, erase_cb, size, n->erase_size, n->prog_size, 0xFF, n->mem + offset};
  return f;
}

void nor_reset(nor_sim* n) {
  raw_erase(n->mem, n->size, n->erase_size);
  n->ops = 0;
  n->cut_op = 0;
  n->dead = 0;
}

void nor_power_back(nor_sim* n) {
  n->dead = 0;
  n->cut_op = 0;
}
