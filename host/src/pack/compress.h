// Compressed payloads (format 1.3, EIOTA_FLAG_DEFLATE): each region's values as its own raw
// DEFLATE stream, which a device patched with --inflate decodes into the region's destination.
#pragma once

#include <string>

#include "keys.h"

namespace eiota::host {

// The 1.3 payload of the same values as the plain (1.0 to 1.2) payload `plain`: every entry's
// values deflated (zlib, level 9), the rest as it was (header fields, base and result of a
// delta, extra data), data_sha256 unchanged (it covers the decoded values), signed again with
// `key`. Throws std::runtime_error if `plain` is malformed or already compressed.
std::string deflate_payload(const std::string& plain, const SecretKey& key);

// One raw DEFLATE stream of `data` (zlib level 9, 32 KB window): what a 1.3 entry carries.
std::string deflate_raw(const uint8_t* data, size_t len);

}  // namespace eiota::host
