// The reader's own functions that its decoder side (eiota_update_inflate.cpp) shares. Not API.
#ifndef EIOTA_UPDATE_INTERNAL_H
#define EIOTA_UPDATE_INTERNAL_H

#include "eiota_update.h"

namespace eiota_internal {

// The payload has an entry for `region` (every region, or a delta's).
bool carries(const eiota_update* u, uint32_t region);
// Bytes of region `region` the payload carries (decoded).
uint32_t sent_size(const eiota_update* u, uint32_t region);
// Writes the next `take` bytes of the current region (u->region at u->region_offset): to the RAM
// storage, or at the region's place in the slot, a counted region's count first.
int put_value(eiota_update* u, const uint8_t* data, uint32_t take);

}  // namespace eiota_internal

#endif  // EIOTA_UPDATE_INTERNAL_H
