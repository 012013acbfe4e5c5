// The simulated device's `ota:` line (docs/CLI.md, "The simulated device"), read by the tests
// that drive it against real servers.
#pragma once

#include <regex>
#include <string>

namespace eiota::test {

struct Ota {
  std::string result, id;
  int status = -1;
  long long body_bytes = -1;
};

// "ota: <result> id=<id> status=<status> body_bytes=<n>"; false if the output has no such line.
inline bool parse_ota(const std::string& out, Ota& o) {
  std::smatch m;
  static const std::regex line(R"(ota: (applied|current|failed [^\n]*?) id=(\S+) status=(\d+) body_bytes=(\d+))");
  if (!std::regex_search(out, m, line)) return false;
  o.result = m[1];
  o.id = m[2];
  o.status = std::stoi(m[3]);
  o.body_bytes = std::stoll(m[4]);
  return true;
}

}  // namespace eiota::test
