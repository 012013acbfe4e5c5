#include "names.h"

namespace eiota::host {
namespace {

bool alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool all_of(std::string_view s, std::string_view extra) {
  for (char c : s)
    if (!alnum(c) && extra.find(c) == std::string_view::npos) return false;
  return true;
}

}  // namespace

bool valid_name(std::string_view s) { return !s.empty() && s.size() <= 64 && s[0] != '.' && all_of(s, "._-"); }

bool valid_device_id(std::string_view s) { return !s.empty() && s.size() <= 64 && all_of(s, "._:-"); }

bool valid_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!lower_hex(c)) return false;
  return true;
}

bool valid_payload_id(std::string_view s) {
  size_t dash = s.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash > 20 || s.size() != dash + 17) return false;
  for (size_t i = 0; i < dash; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  for (size_t i = dash + 1; i < s.size(); i++)
    if (!lower_hex(s[i])) return false;
  return true;
}

}  // namespace eiota::host
