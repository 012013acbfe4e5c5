// `eiota serve`: the update server of docs/DELIVERY.md on cpp-httplib.
#pragma once

#include <cstddef>
#include <string>

namespace eiota::serve {

struct ServeOptions {
  std::string db_url = "sqlite:eiota-serve.db";
  std::string listen = "127.0.0.1";
  int port = 8080;
  int threads = 64;  // a keep-alive connection holds one while it is open
  size_t max_payload = size_t(16) << 20;
  std::string base_path = "/eiota/v1";
};

// Serves until SIGTERM or SIGINT, then writes the check-ins it holds and returns 0. Prints
// "listening on http://<listen>:<port><base>" once the port is bound. Throws on setup errors.
int run_server(const ServeOptions& opts);

}  // namespace eiota::serve
