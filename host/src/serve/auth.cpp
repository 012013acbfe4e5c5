#include "auth.h"

#include <sodium.h>

#include "model_arch.h"
#include "payload_check.h"

namespace eiota::serve {

std::string new_token() {
  uint8_t b[32];
  randombytes_buf(b, sizeof b);
  return "eiota_" + host::hex(b, sizeof b);
}

std::string token_hash(const std::string& token) { return host::sha256_hex(token); }

std::optional<std::string> bearer_token(std::string_view h) {
  constexpr std::string_view kScheme = "Bearer ";
  if (h.size() <= kScheme.size() || h.size() > 256 + kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); i++)
    if ((h[i] | 0x20) != (kScheme[i] | 0x20)) return std::nullopt;
  std::string_view t = h.substr(kScheme.size());
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t.empty()) return std::nullopt;
  for (char c : t)
    if ((unsigned char)c <= 0x20 || (unsigned char)c >= 0x7f) return std::nullopt;
  return std::string(t);
}

bool authorized(Db& db, std::string_view header) {
  std::optional<std::string> t = bearer_token(header);
  return t && db.token_known(token_hash(*t));
}

}  // namespace eiota::serve
