#include "http_util.h"

#include <charconv>

namespace eiota::serve {

std::optional<std::vector<std::string>> split_segments(std::string_view path) {
  std::vector<std::string> out;
  if (path.empty()) return out;
  size_t at = 0;
  while (true) {
    size_t slash = path.find('/', at);
    std::string_view seg = path.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at);
    if (seg.empty()) return std::nullopt;
    out.emplace_back(seg);
    if (slash == std::string_view::npos) return out;
    at = slash + 1;
  }
}

std::optional<int64_t> parse_int(std::string_view s, int64_t lo, int64_t hi) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

namespace {

std::optional<uint64_t> parse_u64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (uint64_t)(c - '0');
  }
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
      if (h < 0 || l < 0) return std::nullopt;
      out += (char)(h * 16 + l);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

ByteRange parse_range(std::string_view h, uint64_t size) {
  ByteRange r;
  h = trim(h);
  if (h.substr(0, 6) != "bytes=") return r;
  std::string_view spec = trim(h.substr(6));
  if (spec.find(',') != std::string_view::npos) return r;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return r;
  std::string_view a = trim(spec.substr(0, dash)), b = trim(spec.substr(dash + 1));
  if (a.empty()) {  // the last n bytes
    std::optional<uint64_t> n = parse_u64(b);
    if (!n) return r;
    if (*n == 0 || size == 0) return ByteRange{ByteRange::kUnsatisfiable, 0, 0};
    uint64_t take = *n < size ? *n : size;
    return ByteRange{ByteRange::kRange, size - take, size - 1};
  }
  std::optional<uint64_t> first = parse_u64(a);
  if (!first) return r;
  uint64_t last = size ? size - 1 : 0;
  if (!b.empty()) {
    std::optional<uint64_t> l = parse_u64(b);
    if (!l || *l < *first) return r;
    if (*l < last) last = *l;
  }
  if (*first >= size) return ByteRange{ByteRange::kUnsatisfiable, 0, 0};
  return ByteRange{ByteRange::kRange, *first, last};
}

bool etag_matches(std::string_view inm, std::string_view etag) {
  size_t at = 0;
  while (at <= inm.size()) {
    size_t comma = inm.find(',', at);
    std::string_view t = trim(inm.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at));
    if (t == "*") return true;
    if (t.substr(0, 2) == "W/") t.remove_prefix(2);
    if (!t.empty() && t == etag) return true;
    if (comma == std::string_view::npos) break;
    at = comma + 1;
  }
  return false;
}

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body) {
  std::map<std::string, std::string> out;
  size_t at = 0;
  while (at < body.size()) {
    size_t amp = body.find('&', at);
    std::string_view pair = body.substr(at, amp == std::string_view::npos ? std::string_view::npos : amp - at);
    at = amp == std::string_view::npos ? body.size() : amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::optional<std::string> k = url_decode(pair.substr(0, eq)), v = url_decode(pair.substr(eq + 1));
    if (!k || !v || k->empty() || !out.emplace(*k, *v).second) return std::nullopt;
  }
  return out;
}

std::string pointer_body(const PayloadRow& p) {
  return "eiota-pointer 1\nid " + p.id + "\nsequence " + std::to_string(p.sequence) + "\nsize " + std::to_string(p.size) +
         "\nsha256 " + p.sha256 + "\npayload payloads/" + p.sha256 + ".eiota\n";
}

}  // namespace eiota::serve
