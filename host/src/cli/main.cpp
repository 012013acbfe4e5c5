// The eiota command line: parses the flags and calls one verb (cmd_*.cpp). Exit codes: docs/CLI.md.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "cmd_publish.h"
#include "commands.h"
#include "eiota_format.h"
#include "keys.h"
#include "numbers.h"
#include "simulator.h"

using namespace eiota::host;
using namespace eiota::cli;
namespace fs = std::filesystem;

#ifndef EIOTA_VERSION
#define EIOTA_VERSION "unknown"
#endif

namespace {

std::string version_text() {
  // The newest minor it writes (compressed values); it reads every minor of the major.
  return std::string("eiota ") + EIOTA_VERSION + " (payload format " + std::to_string(eiota::kMajor) + "." +
         std::to_string(EIOTA_FORMAT_MINOR_DEFLATE) + ", reads " + std::to_string(eiota::kMajor) + ".0 to " +
         std::to_string(eiota::kMajor) + "." + std::to_string(EIOTA_FORMAT_MINOR_DEFLATE) + ")";
}

// The verb given on the command line, for error messages: "eiota pack: ...".
std::string label(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) return "eiota " + sub->get_name();
  return "eiota";
}

int run(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // only setup can get here; the verbs are caught in run()
    std::cerr << "eiota: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "eiota: unexpected error\n";
  }
  return 1;
}

namespace {

int run(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::cerr << "eiota: libsodium failed to initialise\n";
    return 1;
  }
  CLI::App app{"eiota: over-the-air weight updates for Edge Impulse models"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text(), "print the eiota version and the payload format version");

  std::string in, out, key = "eiota.key", base, payload;
  std::string sequence;
  bool json = false;

  auto* keygen_cmd = app.add_subcommand("keygen", "create a signing key pair: <name>.key and <name>.pub");
  std::string key_name = "eiota";
  keygen_cmd->add_option("name", key_name, "base name of the key files");

  auto* patch = app.add_subcommand("patch", "make an export's model values replaceable at run time");
  patch->add_option("export", in, "Edge Impulse export: .zip or folder")->required();
  patch->add_option("-o,--output", out, "patched library to write (zip when the input is a zip)")->required();
  patch->add_option("--key", key, "public (.pub) or secret (.key) key; a missing .key is created");
  uint32_t reserve = 0;
  bool no_check = false;
  patch->add_option("--reserve", reserve, "non-EON exports: bytes of room for a retrained model to grow (default: a quarter, at least 1 KiB; 0: none)");
  patch->add_flag("--no-check", no_check, "do not compile the rewritten files (for machines without g++)");
  std::string storage = "ram";
  patch->add_option("--storage", storage, "ram: working copies of all values in RAM; flash: EON tensors read their values in place (flash or the factory arrays)")
      ->check(CLI::IsMember({"ram", "flash"}));
  bool inflate = false;
  patch->add_flag("--inflate", inflate,
                  "link the DEFLATE decoder so pack may send compressed payloads (format 1.3): about 2.3 KB of code, and the "
                  "eiota_update context holds its 1 056 B state; pays on TFLite-interpreter exports (~45 % smaller), "
                  "large EON models (~15 %), little on small EON ones (3-6 %)");

  auto* pack = app.add_subcommand("pack", "write a signed payload from a retrained export");
  pack->add_option("export", in, "the retrained export")->required();
  pack->add_option("--base", base, "the patched library or its eiota-manifest.json")->required();
  pack->add_option("-o,--output", out, "payload file to write")->required();
  pack->add_option("--key", key, "secret signing key");
  pack->add_option("--sequence", sequence, "release number, 1 to 2^63-1; devices refuse a lower one than they applied (default: seconds since 1970)");

  PackSelftest selftest;
  selftest.cache = std::string(std::getenv("HOME") ? std::getenv("HOME") : ".") + "/.cache/eiota";
  pack->add_option("--selftest", selftest.samples,
                   "embed a self-test: a file of samples (one per line, raw features separated by commas or spaces); "
                   "the retrained export is built on this machine to compute their outputs");
  pack->add_option("--selftest-tolerance", selftest.tolerance,
                   "absolute difference a device's outputs may have from the host's (default 0: bit for bit)");
  pack->add_option("--cache", selftest.cache, "where --selftest keeps its build (default ~/.cache/eiota)");
  std::string delta_from;
  pack->add_option("--delta-from", delta_from,
                   "write a delta (format 1.2) carrying only the regions that changed since BASE: the full payload file the "
                   "fleet runs, or 'factory' for the deployed library's own values; devices on another base refuse it");
  std::string compress = "auto";
  pack->add_option("--compress", compress,
                   "auto (default): for a library patched with --inflate, the compressed payload (format 1.3) when it is "
                   "smaller; always: compressed even when not smaller; never: plain (a compressed payload is downloaded "
                   "again whole after a reset: for links that drop often)")
      ->check(CLI::IsMember({"auto", "always", "never"}));

  auto* inspect = app.add_subcommand("inspect", "describe a payload");
  inspect->add_option("payload", payload)->required();
  inspect->add_option("--base", base, "patched library or manifest, to name regions and check the model");
  inspect->add_option("--key", key, "public key to check the signature with")->default_str("");
  inspect->add_flag("--json", json, "machine-readable output");

  auto* verify = app.add_subcommand("verify", "check a payload's signature, hash and model; exit 1 if bad");
  verify->add_option("payload", payload)->required();
  verify->add_option("--key", key, "public key");
  verify->add_option("--base", base, "patched library or manifest");

  auto* simulate = app.add_subcommand("simulate", "build the deployed export on this machine, apply a payload, compare with the retrained export");
  std::string expect, features, cache = std::string(std::getenv("HOME") ? std::getenv("HOME") : ".") + "/.cache/eiota";
  simulate->add_option("--base", base, "the patched library the devices run")->required();
  simulate->add_option("--payload", payload, "the payload to apply")->required();
  simulate->add_option("--expect", expect, "the retrained export: its outputs must be identical");
  simulate->add_option("--features", features, "raw features: a file, or the numbers separated by commas (default: generated)");
  simulate->add_option("--cache", cache, "where builds are kept (default ~/.cache/eiota)");
  simulate->add_option("--delta-from", delta_from, "the payload is a delta on this release: the device applies this payload first");

  auto* build_sim = app.add_subcommand("build-sim", "build an export (and optionally a sketch) into a host executable");
  std::string sketch, objects;
  build_sim->add_option("export", in)->required();
  build_sim->add_option("output", out)->required();
  build_sim->add_option("--sketch", sketch, "an .ino to build on the host Arduino shim");
  build_sim->add_option("--objects", objects, "object files shared by builds, kept by content (default OUTPUT.objs/cache)");

  auto publish_cmds = add_publish_commands(app);  // publish, rollout (cmd_publish.cpp)
  // The update server (docs/DELIVERY.md) and its registry.
  eiota::serve::ServeOptions serve_opts;
  auto* serve_cmd = app.add_subcommand("serve", "run the update server: channels, staged rollout, reports (docs/DELIVERY.md)");
  serve_cmd->add_option("--db", serve_opts.db_url, "sqlite:<file> or postgresql://... (default sqlite:eiota-serve.db)");
  serve_cmd->add_option("--listen", serve_opts.listen, "address to listen on (default 127.0.0.1)");
  serve_cmd->add_option("--port", serve_opts.port, "TCP port (default 8080)");
  serve_cmd->add_option("--threads", serve_opts.threads, "worker threads; each open keep-alive connection holds one (default 64)");
  std::string max_payload;
  serve_cmd->add_option("--max-payload", max_payload, "largest upload in bytes (default 16777216)");
  serve_cmd->add_option("--base-path", serve_opts.base_path, "URL path the device URLs start with (default /eiota/v1)");
  auto* admin_cmd = app.add_subcommand("serve-admin", "register models and create tokens in an eiota serve database");
  std::string admin_db = "sqlite:eiota-serve.db", admin_name, admin_manifest, admin_project;
  admin_cmd->add_option("--db", admin_db, "the server's database (default sqlite:eiota-serve.db)");
  admin_cmd->require_subcommand(1);
  auto* admin_model = admin_cmd->add_subcommand("model", "register (or replace) a model: its manifest holds the key payloads must be signed with");
  admin_model->add_option("--name", admin_name, "model name in URLs")->required();
  admin_model->add_option("--manifest", admin_manifest, "the patched library or its eiota-manifest.json")->required();
  admin_model->add_option("--ei-project", admin_project, "Edge Impulse project id, for /edgeimpulse-ota/serve/<name>/<id>.bin (kept when not given)");
  bool admin_replace = false;
  admin_model->add_flag("--replace", admin_replace, "register another model (fingerprint or key) under a name already in use");
  auto* admin_token = admin_cmd->add_subcommand("token", "create an upload/admin token, printed once");
  admin_token->add_option("--name", admin_name, "what the token is for")->required();

  CLI11_PARSE(app, argc, argv);  // a parse error exits with CLI11's own code (docs/CLI.md)
  try {
    if (int code = run_publish_commands(*publish_cmds); code >= 0) return code;
    if (*keygen_cmd) {
      SecretKey k = keygen(key_name);
      std::cout << "wrote " << key_name << ".key (secret) and " << key_name << ".pub, key id " << key_id_hex(k.pk) << "\n";
      return 0;
    }
    if (*patch) return cmd_patch(in, out, key, patch->count("--reserve") ? std::optional<uint32_t>(reserve) : std::nullopt, !no_check, storage, inflate);
    if (*pack) {
      // 0 is the factory model's; a wrapped negative number would lock devices out of every later release.
      uint64_t seq = sequence.empty() ? (uint64_t)std::time(nullptr) : (uint64_t)parse_int(sequence, "--sequence", 1, INT64_MAX);
      if (selftest.samples.empty() && pack->count("--selftest-tolerance"))
        throw std::runtime_error("--selftest-tolerance needs --selftest");
      return cmd_pack(base, in, out, key, seq, selftest, delta_from, compress);
    }
    if (*serve_cmd) {
      if (!max_payload.empty()) serve_opts.max_payload = (size_t)parse_int(max_payload, "--max-payload", 1024, int64_t(1) << 30);
      return cmd_serve(serve_opts);
    }
    if (*admin_model) return cmd_serve_admin_model(admin_db, admin_name, admin_manifest, admin_project, admin_replace);
    if (*admin_token) return cmd_serve_admin_token(admin_db, admin_name);
    if (*simulate) return cmd_simulate(base, payload, expect, features, cache, delta_from);
    if (*build_sim) {
      build_simulator({in, out, sketch, true, objects});
      return 0;
    }
    if (*inspect) return cmd_inspect(payload, base, inspect->count("--key") ? key : "", json, false);
    if (*verify) {
      if (!verify->count("--key") && base.empty() && !fs::exists(key)) throw std::runtime_error("verify needs --key or --base");
      return cmd_inspect(payload, base, verify->count("--key") || base.empty() ? key : "", false, true);
    }
  } catch (const std::exception& e) {
    std::cerr << label(app) << ": " << e.what() << "\n";
    return 1;
  } catch (...) {
    std::cerr << label(app) << ": unexpected error (not a std::exception)\n";
    return 1;
  }
  return 0;
}

}  // namespace
