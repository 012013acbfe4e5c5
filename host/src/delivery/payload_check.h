// What delivery (eiota serve, eiota publish) needs to know of a payload before it offers it to
// devices: the verdict of the device reader for the deployed model, as `eiota verify` gives it,
// and the names devices and URLs use for it (docs/DELIVERY.md).
#pragma once

#include <cstdint>
#include <string>

#include "manifest.h"

namespace eiota::host {

struct DeliveryPayload {
  bool ok = false;
  std::string problem;     // why not, one line, when !ok
  std::string sha256;      // of the whole file, 64 lower-case hex digits: its content address
  std::string id;          // "<sequence>-<16 hex digits>" (device/eiota_payload_id.h)
  uint64_t sequence = 0;
  size_t size = 0;
};

// Judges `bytes` as a payload for the library `m` describes, trusting m.public_key: the same
// checks as `eiota verify --base` (signature, key id, hash, structure, model). Never throws on bad
// bytes. `max_size` bounds what is read at all.
DeliveryPayload check_delivery_payload(const std::string& bytes, const Manifest& m, size_t max_size = 16u << 20);

// SHA-256 of `data` in lower-case hex.
std::string sha256_hex(const std::string& data);

}  // namespace eiota::host
