// Upload and admin tokens: created once, shown once, stored as their SHA-256 (docs/DELIVERY.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "db.h"

namespace eiota::serve {

// 32 random bytes as "eiota_" + 64 hex digits.
std::string new_token();
// What the Db stores for a token: SHA-256 of its text, in hex.
std::string token_hash(const std::string& token);
// The token of an `Authorization: Bearer <token>` header value, or nullopt when it is not one
// (empty, another scheme, control characters, longer than 256 bytes).
std::optional<std::string> bearer_token(std::string_view header);
// True when `header` carries a token the Db knows.
bool authorized(Db& db, std::string_view header);

}  // namespace eiota::serve
