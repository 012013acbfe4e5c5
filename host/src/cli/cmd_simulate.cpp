// `eiota simulate`: build the deployed export on the host, apply a payload, compare outputs.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "export_files.h"
#include "manifest.h"
#include "payload.h"
#include "simulator.h"

#include "commands.h"

using namespace eiota::host;
namespace fs = std::filesystem;

namespace eiota::cli {
namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

// Builds `exp` into cache/<name>-<hash> and returns the executable.
std::string built(const std::string& exp, const std::string& cache, const char* role) {
  std::string abs = fs::absolute(exp).lexically_normal().string();
  char tag[32];
  snprintf(tag, sizeof tag, "%s-%08zx", role, std::hash<std::string>{}(abs) & 0xffffffffu);
  fs::create_directories(cache);
  std::string bin = (fs::path(cache) / tag).string();
  build_simulator({exp, bin, "", true});
  return bin;
}

}  // namespace

int cmd_simulate(const std::string& base, const std::string& payload, const std::string& expect,
                 const std::string& features, const std::string& cache) {
  Manifest m = load_manifest(base);
  PayloadInfo p = read_payload(read_file(payload), &m.public_key);
  if (!p.problems.empty() || std::memcmp(p.header.fingerprint, m.fingerprint.data(), 16) != 0)
    throw std::runtime_error(payload + ": does not verify against " + base +
                             (p.problems.empty() ? std::string(": built for another model") : ": " + p.problems[0]));
  std::string feat = features.empty() ? "" : " --features '" + fs::absolute(features).string() + "'";
  std::string dev = built(base, cache, "deployed");
  RunResult before = run_command("'" + dev + "'" + feat);
  RunResult after = run_command("'" + dev + "' --payload '" + fs::absolute(payload).string() + "'" + feat);
  if (after.out.find(": ok") == std::string::npos) throw std::runtime_error("the device refused the payload: " + after.out);
  std::vector<std::string> a = lines(before.out), b = lines(after.out), c;
  b.erase(b.begin());  // "apply ...: ok"
  if (!expect.empty()) c = lines(run_command("'" + built(expect, cache, "expected") + "'" + feat).out);
  std::printf("%-40s %-40s %s\n", "deployed, factory values", "deployed + payload", expect.empty() ? "" : "retrained export");
  for (size_t i = 0; i < std::max({a.size(), b.size(), c.size()}); i++)
    std::printf("%-40s %-40s %s\n", i < a.size() ? a[i].c_str() : "", i < b.size() ? b[i].c_str() : "",
                i < c.size() ? c[i].c_str() : "");
  if (expect.empty()) return 0;
  if (b == c) {
    std::printf("identical: the deployed model with the payload computes bit for bit what %s computes\n", expect.c_str());
    return 0;
  }
  std::printf("DIFFERENT: the deployed model with the payload does not compute what %s computes\n", expect.c_str());
  return 3;
}

}  // namespace eiota::cli
