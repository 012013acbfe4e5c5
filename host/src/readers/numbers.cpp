#include "numbers.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace eiota::host {
namespace {

[[noreturn]] void fail(const std::string& what, std::string_view text, const char* reason) {
  std::string shown(text.substr(0, 40));
  if (text.size() > 40) shown += "...";
  throw std::runtime_error(what + ": '" + shown + "' " + reason);
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Digits of `text` (no sign) in `base`, or fail. Magnitude up to 2^64 - 1.
uint64_t magnitude(std::string_view digits, std::string_view text, const std::string& what, int base) {
  if (digits.empty()) fail(what, text, "is not a whole number");
  uint64_t v = 0;
  for (char c : digits) {
    int d = digit_value(c);
    if (d >= base) fail(what, text, "is not a whole number");
    if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) fail(what, text, "is out of range");
    v = v * (uint64_t)base + (uint64_t)d;
  }
  return v;
}

int64_t signed_in_range(bool neg, uint64_t mag, std::string_view text, const std::string& what, int64_t lo, int64_t hi) {
  if (!neg && mag > (uint64_t)INT64_MAX) fail(what, text, "is out of range");
  if (neg && mag > (uint64_t)INT64_MAX + 1) fail(what, text, "is out of range");
  int64_t v = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
  if (v < lo || v > hi)
    fail(what, text, ("is out of range (" + std::to_string(lo) + " to " + std::to_string(hi) + ")").c_str());
  return v;
}

}  // namespace

int64_t parse_int(std::string_view text, const std::string& what, int64_t lo, int64_t hi, int base) {
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  return signed_in_range(neg, magnitude(s, text, what, base), text, what, lo, hi);
}

int64_t parse_c_int(std::string_view text, const std::string& what, int64_t lo, int64_t hi) {
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  while (!s.empty() && std::string_view("uUlL").find(s.back()) != std::string_view::npos) s.remove_suffix(1);
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; s.remove_prefix(2); }
  else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) { base = 2; s.remove_prefix(2); }
  else if (s.size() > 1 && s[0] == '0') { base = 8; s.remove_prefix(1); }
  return signed_in_range(neg, magnitude(s, text, what, base), text, what, lo, hi);
}

double parse_double(std::string_view text, const std::string& what) {
  std::string s(text);
  // A suffix f/F/l/L, except that in a hex literal without an exponent 'f' is a digit.
  bool hex = s.find_first_of("xX") != std::string::npos;
  bool hex_digits_last = hex && s.find_first_of("pP") == std::string::npos;
  while (!s.empty() && !hex_digits_last && std::string_view("fFlL").find(s.back()) != std::string_view::npos) s.pop_back();
  // strtod also reads "inf", "nan" and leading spaces, which no literal has.
  if (s.empty() || std::isspace((unsigned char)s[0]) || s.find_first_of("iInN") != std::string::npos)
    fail(what, text, "is not a number");
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) fail(what, text, "is not a number");
  if (errno == ERANGE && std::isinf(v)) fail(what, text, "is out of range");
  return v;
}

uint64_t checked_mul(uint64_t a, uint64_t b, const std::string& what) {
  if (a != 0 && b > UINT64_MAX / a) throw std::runtime_error(what + ": the size overflows");
  return a * b;
}

}  // namespace eiota::host
