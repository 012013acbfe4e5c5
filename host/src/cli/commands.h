// The verbs of the eiota command line, one file each; main.cpp parses the flags.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "server.h"

namespace eiota::cli {

inline double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int cmd_patch(const std::string& in, const std::string& out, const std::string& key, std::optional<uint32_t> reserve, bool check,
              const std::string& storage = "ram", bool inflate = false);
// `selftest`: a samples file (pack --selftest), "" for none; `cache`: where its build is kept.
struct PackSelftest {
  std::string samples, tolerance = "0", cache;
};
// `delta_from`: "" for a full payload, else the payload file the fleet runs or "factory": a delta (1.2).
// `compress`: auto (a library patched with --inflate gets the compressed payload, 1.3, when smaller), always, never.
int cmd_pack(const std::string& base, const std::string& in, const std::string& out, const std::string& key,
             uint64_t sequence, const PackSelftest& selftest = {}, const std::string& delta_from = "", const std::string& compress = "auto");
// inspect, or verify when `verify_only`.
int cmd_inspect(const std::string& file, const std::string& base, const std::string& key, bool json, bool verify_only);
// `delta_from`: the payload a delta (1.2) is built on, applied first ("" or "factory": none).
int cmd_simulate(const std::string& base, const std::string& payload, const std::string& expect,
                 const std::string& features, const std::string& cache, const std::string& delta_from = "");

// eiota serve (runs until SIGTERM/SIGINT) and eiota serve-admin model / token.
int cmd_serve(const serve::ServeOptions& opts);
int cmd_serve_admin_model(const std::string& db_url, const std::string& name, const std::string& manifest_path,
                          const std::string& ei_project, bool replace);
int cmd_serve_admin_token(const std::string& db_url, const std::string& name);

}  // namespace eiota::cli
