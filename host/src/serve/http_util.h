// Small HTTP pieces the server needs that cpp-httplib does not give the way DELIVERY.md wants
// them: path segments, one byte range, If-None-Match, form bodies, the pointer text. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db.h"

namespace eiota::serve {

// "a/b/c" -> {a, b, c}; nullopt when a segment is empty ("a//b", a trailing slash).
std::optional<std::vector<std::string>> split_segments(std::string_view path);

struct ByteRange {
  enum Kind { kNone, kRange, kUnsatisfiable } kind = kNone;
  uint64_t first = 0, last = 0;  // inclusive, when kRange
};
// One `Range: bytes=a-b | a- | -n` against a body of `size` bytes. kNone (serve it all) for no
// header, several ranges or a form this server does not do.
ByteRange parse_range(std::string_view header, uint64_t size);

// True when the If-None-Match value names `etag` (quoted, as sent in ETag) or is "*".
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// application/x-www-form-urlencoded: nullopt when malformed (bad %-escape, a key twice, no '=').
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);

// A decimal integer in [lo, hi], nothing else.
std::optional<int64_t> parse_int(std::string_view s, int64_t lo, int64_t hi);

// The pointer body of docs/DELIVERY.md section 1.
std::string pointer_body(const PayloadRow& p);

}  // namespace eiota::serve
