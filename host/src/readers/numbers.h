// Checked number parsing for text eiota reads (model sources, headers, manifests, flags): every
// failure is a std::runtime_error naming what was read and the value, never a bare `stoi`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace eiota::host {

// A whole number in `base` (2-36), optional sign, nothing else; within [lo, hi].
// `what` names the file/field for the message: "<what>: '<text>' is not a whole number".
int64_t parse_int(std::string_view text, const std::string& what, int64_t lo = INT64_MIN,
                  int64_t hi = INT64_MAX, int base = 10);

// A C integer literal as a compiler reads it: optional sign, decimal / 0x hex / 0 octal /
// 0b binary, optional u/U/l/L suffixes. Values above INT64_MAX (e.g. 0xffffffffffffffffu) fail.
int64_t parse_c_int(std::string_view text, const std::string& what, int64_t lo = INT64_MIN,
                    int64_t hi = INT64_MAX);

// A decimal or hex floating literal, optional sign and f/F/l/L suffix (C style); inf/nan refused.
double parse_double(std::string_view text, const std::string& what);

// a * b, or a runtime_error naming `what` when the product does not fit in 64 bits.
uint64_t checked_mul(uint64_t a, uint64_t b, const std::string& what);

}  // namespace eiota::host
