// Payloads for the publish tests, made once per build (under a lock: ctest runs each test in its
// own process) by the fixture generator, `eiota patch` and `eiota pack`, and the tree snapshots
// the tests compare.
#pragma once

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "eiota_format.h"
#include "test_support.h"

namespace eiota::test {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// In `dir`: patched (the deployed library, key k), u3.eiota (sequence 3) and u5.eiota (another
// retrain, sequence 5) for it; foreign-key.eiota (the same model, signed by k2) and
// other-model.eiota (another model, signed by k).
inline const std::filesystem::path& publish_fixtures() {
  static std::filesystem::path dir;
  if (!dir.empty()) return dir;
  std::filesystem::path d = std::string(EIOTA_BINARY_DIR) + "/publish-fixtures";
  std::filesystem::create_directories(d);
  int lock = open((d.string() + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  flock(lock, LOCK_EX);
  if (!std::filesystem::exists(d / "done")) {
    std::string gen = kGen + " --era 2025 --layout arduino --name demo ";
    for (const std::string& c :
         {gen + "--synthetic fc-int8 --out old", gen + "--synthetic fc-int8 --perturb 4 --out new",
          gen + "--synthetic fc-int8 --perturb 6 --out new2", gen + "--synthetic fc-float --out other",
          gen + "--synthetic fc-float --perturb 3 --out other-new", kCli + " patch old -o patched --key k.key --no-check",
          kCli + " patch old -o patched-k2 --key k2.key --no-check", kCli + " patch other -o patched-other --key k.key --no-check",
          kCli + " pack --base patched new -o u3.eiota --key k.key --sequence 3",
          kCli + " pack --base patched new2 -o u5.eiota --key k.key --sequence 5",
          kCli + " pack --base patched-k2 new -o foreign-key.eiota --key k2.key --sequence 4",
          kCli + " pack --base patched-other other-new -o other-model.eiota --key k.key --sequence 4"}) {
      Result r = run("cd '" + d.string() + "' && " + c);
      if (r.code != 0) {
        ADD_FAILURE() << c << "\n" << r.out;
        flock(lock, LOCK_UN);
        close(lock);
        return dir;
      }
    }
    std::ofstream(d / "done") << "ok\n";
  }
  flock(lock, LOCK_UN);
  close(lock);
  dir = d;
  return dir;
}

// The simulated device of publish_fixtures()'s patched library (`eiota build-sim`), built once per
// build folder under the fixtures' lock (ctest runs tests in parallel processes); empty on failure.
inline std::filesystem::path simulated_device() {
  const std::filesystem::path& d = publish_fixtures();
  if (d.empty()) return {};
  int lock = open((d.string() + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  flock(lock, LOCK_EX);
  if (!std::filesystem::exists(d / "dev")) {
    Result b = run("cd '" + d.string() + "' && " + kCli + " build-sim patched dev.tmp && mv dev.tmp dev");
    if (b.code != 0) ADD_FAILURE() << "build-sim\n" << b.out;
  }
  flock(lock, LOCK_UN);
  close(lock);
  return std::filesystem::exists(d / "dev") ? d / "dev" : std::filesystem::path();
}

// Every file and link under `root`: relative path -> content (links: "-> target") and mtime, so a
// test can say a tree is exactly as it was.
inline std::map<std::string, std::string> snapshot(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> m;
  if (!fs::exists(fs::symlink_status(root))) return m;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = fs::relative(it->path(), root).string();
    struct stat st{};
    lstat(it->path().c_str(), &st);
    std::string when = " @" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    if (it->is_symlink()) m[rel] = "-> " + fs::read_symlink(it->path()).string();
    else if (it->is_directory()) m[rel + "/"] = when;
    else m[rel] = slurp(it->path()) + when;
  }
  return m;
}

inline std::string hex_of(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; i++) s += {d[p[i] >> 4], d[p[i] & 15]};
  return s;
}

// The pointer DELIVERY.md specifies for a payload file, computed here from its bytes.
inline std::string expected_pointer(const std::string& bytes) {
  eiota_header h{};
  EXPECT_EQ(eiota_decode_header(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &h), EIOTA_DECODE_OK);
  uint8_t sha[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(sha, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  std::string s = hex_of(sha, sizeof sha), id = std::to_string(h.sequence) + "-" + hex_of(h.data_sha256, 8);
  return "eiota-pointer 1\nid " + id + "\nsequence " + std::to_string(h.sequence) + "\nsize " + std::to_string(bytes.size()) +
         "\nsha256 " + s + "\npayload payloads/" + s + ".eiota\n";
}

inline std::string sha_of(const std::string& bytes) {
  uint8_t sha[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(sha, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return hex_of(sha, sizeof sha);
}

}  // namespace eiota::test
