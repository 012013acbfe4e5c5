// An emulated NOR flash for the store: erasing sets whole blocks to 0xFF, programming may only
// turn erased bytes into data (and, as NOR does, only clears bits), and power can fail at the N-th
// erase or prog, torn (part done, part noise) or before it starts. The bytes live in RAM on the
// mps2 boards; on the micro:bit they are the nRF51's own flash, written through its NVMC.
#ifndef EIOTA_CM_NOR_H
#define EIOTA_CM_NOR_H

#include <stdint.h>

#include "eiota_flash.h"

struct nor_sim {
  uint8_t* mem;         // memory-mapped bytes
  uint32_t size, erase_size, prog_size;
  uint32_t ops;         // erases and progs done since the last nor_reset
  uint32_t cut_op;      // power fails at this operation (1-based), 0 for never
  uint8_t torn, dead;
  uint32_t rng;
};

// An eiota_flash over [offset, offset + size) of the simulated flash.
eiota_flash nor_area(nor_sim* n, uint32_t offset, uint32_t size);
// Erases everything (not counted) and clears the counters and the cut.
void nor_reset(nor_sim* n);
void nor_power_back(nor_sim* n);  // a reboot: the flash works again, no cut pending

#endif
