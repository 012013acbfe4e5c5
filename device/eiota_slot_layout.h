// Where a stored payload's bytes sit inside a slot (docs/FORMAT.md, "Slot layout"). One
// definition, inline C, used by the device store and by `eiota patch`, which writes each region's
// offset into the generated region table so the device finds values in O(1).
//
// A slot holds every byte of one payload: the header, signature and table verbatim from offset 0,
// then each region's values at an offset fixed by the model (not by the payload), so tensors can
// read them in place from memory-mapped flash, then the payload's extra data (the self-test).
#ifndef EIOTA_SLOT_LAYOUT_H
#define EIOTA_SLOT_LAYOUT_H

#include <stdint.h>

#include "eiota_format.h"

// eiota_region.flags (EIOTA_REGION_PREFIX = 1 is in eiota_model.h)
#define EIOTA_REGION_COUNTED 2u  // the slot keeps the element count (int32) just before the values,
                                 // as TfArray / TfLiteFloatArray lay them out; 4-byte elements only
#define EIOTA_REGION_ALIGN16 4u  // the values start at a multiple of 16 (tensor data, like EON's alignas(16))

// Header bytes a slot reserves before the signature: the largest header of format 1.1. A 1.2 delta's
// 160-byte header fits because its table lists fewer regions (eiota_slot_head_fits).
#define EIOTA_SLOT_HEADER_ROOM 128u

// First byte of the values area: past the header room, the signature and a whole table, 16-aligned,
// so it does not depend on the header_len of the payload stored.
static inline uint64_t eiota_slot_values_start(uint32_t region_count) {
  uint64_t end = (uint64_t)EIOTA_SLOT_HEADER_ROOM + EIOTA_SIGNATURE_LEN + (uint64_t)EIOTA_ENTRY_LEN * region_count;
  return (end + 15u) & ~(uint64_t)15u;
}

// Whether a payload's header, signature and table (`header_len`, `entries`) end before the values
// area of a model with `region_count` regions.
static inline int eiota_slot_head_fits(uint32_t header_len, uint32_t entries, uint32_t region_count) {
  uint64_t end = (uint64_t)header_len + EIOTA_SIGNATURE_LEN + (uint64_t)EIOTA_ENTRY_LEN * entries;
  return end <= eiota_slot_values_start(region_count);
}

// Offset of a region's first value given `at`, the end of the region before it (or the values
// start). A counted region's count sits at the returned offset minus 4.
static inline uint64_t eiota_slot_place(uint64_t at, uint8_t elem_type, uint8_t flags) {
  uint64_t align = (flags & EIOTA_REGION_ALIGN16) ? 16u : eiota_elem_size(elem_type);
  if (align == 0) align = 1;
  if (flags & EIOTA_REGION_COUNTED) at = ((at + 3u) & ~(uint64_t)3u) + 4u;
  return (at + align - 1u) & ~(align - 1u);  // align is a power of two: no 64-bit division
}

// Offset of the extra data (the self-test block) after the last region, which ends at `at`.
static inline uint64_t eiota_slot_extra_start(uint64_t at) { return (at + 15u) & ~(uint64_t)15u; }

#endif  // EIOTA_SLOT_LAYOUT_H
