// What the command-line tests share: running a command, and where the tools and fixtures are.
// The tools are the ones this build made (EIOTA_BINARY_DIR), unless EIOTA_CLI / EIOTA_FIXTURE_GEN
// name others; the real models are in EIOTA_SHARED_FIXTURES, by default ../shared/fixtures.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace eiota::test {

struct Result {
  int code;         // the exit code, -1 when killed by a signal
  std::string out;  // standard output and standard error, interleaved
};

inline Result run(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed: " + cmd};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

inline std::string env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

inline const std::string kSource = EIOTA_SOURCE_DIR;
inline const std::string kCli = env("EIOTA_CLI", std::string(EIOTA_BINARY_DIR) + "/eiota");
inline const std::string kGen = env("EIOTA_FIXTURE_GEN", std::string(EIOTA_BINARY_DIR) + "/tests/gen/eiota-fixture-gen");
inline const std::string kShared = env("EIOTA_SHARED_FIXTURES", kSource + "/../shared/fixtures");

// Replaces the first `from` in the file by `to`; fails the test when `from` is absent.
inline void edit(const std::filesystem::path& file, const std::string& from, const std::string& to) {
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << file;
  text.replace(at, from.size(), to);
  std::ofstream(file) << text;
}

}  // namespace eiota::test
