// Ed25519 signing keys on the host (libsodium), stored as one line of text each.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace eiota::host {

struct SecretKey {
  std::array<uint8_t, 64> sk{};  // libsodium layout: seed || public key
  std::array<uint8_t, 32> pk{};
};

// Writes `<base>.key` (secret, mode 0600) and `<base>.pub`; refuses to overwrite either.
SecretKey keygen(const std::string& base);
SecretKey load_secret_key(const std::string& path);
// A .pub file, or a .key file (its public half).
std::array<uint8_t, 32> load_public_key(const std::string& path);

uint32_t key_id(const std::array<uint8_t, 32>& pk);
std::string key_id_hex(const std::array<uint8_t, 32>& pk);

}  // namespace eiota::host
