// Compressed payloads (format 1.3, EIOTA_FLAG_DEFLATE): each region's values as its own raw
// DEFLATE stream, which a device patched with --inflate decodes into the region's destination.
#pragma once

#include <cstdint>
#include <functional>
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

// Inflates the raw DEFLATE stream in[0..len) of one 1.3 entry, which must decode to exactly
// `want` bytes and end with its last byte. The decoded bytes go to `out` in chunks as they come
// (never more than `want` in all: decoding stops at that bound, so a stream's claim is never
// allocated). Returns "" or what is wrong with the stream.
std::string inflate_entry(const uint8_t* in, size_t len, uint64_t want, const std::function<void(const uint8_t*, size_t)>& out);

}  // namespace eiota::host
