// `eiota publish --server` and `eiota rollout`: the authenticated endpoints of `eiota serve`
// (docs/DELIVERY.md, "Server-only endpoints") over cpp-httplib.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace eiota::host {

// "http[s]://host[:port][/base]": the origin httplib connects to and the base path (no trailing
// slash, "" for none). Throws std::runtime_error naming the URL when it is not one.
struct ServerUrl {
  std::string origin, base;
};
ServerUrl parse_server_url(const std::string& url);

struct Uploaded {
  bool created = false;  // 201; false: 200, the server had it already
  std::string sha256, id;
  uint64_t sequence = 0, size = 0;
};

struct Release {
  std::string sha256;
  int percent = 100;
  double halt_failures = 0.2;
  int halt_min_reports = 5;
};

// Every call throws std::runtime_error "<url>: <METHOD> <path>: <status> <reason>", quoting the
// server's one-line reason, or naming why there was no answer.
class ServerClient {
 public:
  ServerClient(const std::string& url, const std::string& token);
  Uploaded upload(const std::string& model, const std::string& bytes) const;
  void release(const std::string& model, const std::string& channel, const Release& r) const;
  // At least one of `percent` and `state` ("active" or "paused"). Returns the server's answer body.
  std::string rollout(const std::string& model, const std::string& channel, std::optional<int> percent,
                      std::optional<std::string> state) const;
  // The JSON of GET <base>/<model>/<channel> (a channel's release, rollout and report counts).
  std::string channel_status(const std::string& model, const std::string& channel) const;
  // The JSON of GET <base>/<model>/devices (every device seen: check-in and last report).
  std::string devices(const std::string& model) const;

 private:
  std::string url_, token_;
  ServerUrl at_;
};

}  // namespace eiota::host
