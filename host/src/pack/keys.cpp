#include "keys.h"

#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>

#include "eiota_format.h"
#include "export_files.h"
#include "model_arch.h"

namespace eiota::host {
namespace {

const char* kSecretTag = "eiota-ed25519-secret-key ";
const char* kPublicTag = "eiota-ed25519-public-key ";

template <size_t N>
std::array<uint8_t, N> parse_line(const std::string& text, const char* tag, const std::string& path) {
  std::string t(tag);
  if (text.rfind(t, 0) != 0) throw std::runtime_error(path + ": not an eiota key file (expected '" + t + "...')");
  std::string h = text.substr(t.size());
  while (!h.empty() && (h.back() == '\n' || h.back() == '\r' || h.back() == ' ')) h.pop_back();
  std::array<uint8_t, N> out{};
  size_t len = 0;
  if (h.size() != 2 * N || sodium_hex2bin(out.data(), N, h.data(), h.size(), nullptr, &len, nullptr) != 0 || len != N)
    throw std::runtime_error(path + ": key must be " + std::to_string(2 * N) + " hex digits");
  return out;
}

}  // namespace

SecretKey keygen(const std::string& base) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::string sec = base + ".key", pub = base + ".pub";
  for (const auto& p : {sec, pub})
    if (std::filesystem::exists(p)) throw std::runtime_error(p + ": already exists; refusing to overwrite a key");
  SecretKey k;
  crypto_sign_keypair(k.pk.data(), k.sk.data());
  write_file_atomic(sec, kSecretTag + hex(k.sk.data(), 64) + "\n");
  chmod(sec.c_str(), 0600);
  write_file_atomic(pub, kPublicTag + hex(k.pk.data(), 32) + "\n");
  return k;
}

SecretKey load_secret_key(const std::string& path) {
  SecretKey k;
  k.sk = parse_line<64>(read_file(path), kSecretTag, path);
  std::copy(k.sk.begin() + 32, k.sk.end(), k.pk.begin());
  return k;
}

std::array<uint8_t, 32> load_public_key(const std::string& path) {
  std::string text = read_file(path);
  if (text.rfind(kSecretTag, 0) == 0) return load_secret_key(path).pk;
  return parse_line<32>(text, kPublicTag, path);
}

uint32_t key_id(const std::array<uint8_t, 32>& pk) {
  uint8_t h[32];
  crypto_hash_sha256(h, pk.data(), pk.size());
  return eiota::get_u32(h);
}

std::string key_id_hex(const std::array<uint8_t, 32>& pk) {
  uint8_t b[4];
  eiota::put_u32(b, key_id(pk));
  return hex(b, 4);
}

}  // namespace eiota::host
