// The eiota command line: keygen, patch, pack, inspect, verify.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <sstream>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "keys.h"
#include "manifest.h"
#include "model_export.h"
#include "patcher.h"
#include "payload.h"
#include "simulator.h"

using namespace eiota::host;
namespace fs = std::filesystem;

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::array<uint8_t, 32> key_for_patch(const std::string& key) {
  if (fs::exists(key)) return load_public_key(key);
  if (key.size() > 4 && key.substr(key.size() - 4) == ".key") {
    SecretKey k = keygen(key.substr(0, key.size() - 4));
    std::cout << "created signing key " << key << " (keep it secret) and " << key.substr(0, key.size() - 4) << ".pub\n";
    return k.pk;
  }
  throw std::runtime_error(key + ": no such key file (create one with: eiota keygen)");
}

int cmd_patch(const std::string& in, const std::string& out, const std::string& key, uint32_t reserve) {
  auto t0 = std::chrono::steady_clock::now();
  ModelExport x = analyze_export(in);
  auto pk = key_for_patch(key);
  PatchResult r = patch_export(x, pk, reserve);
  write_export(r.out, out);
  std::cout << "patched " << in << " -> " << out << "\n"
            << "  model files: " << x.model_paths.size() + x.interp.size() << ", regions: " << r.region_count
            << ", working copy in RAM: " << r.ram_bytes << " bytes\n"
            << "  fingerprint " << hex(x.fp.data(), 16) << ", key id " << key_id_hex(pk) << "\n"
            << "  manifest " << r.out.library << kManifestName << " (" << ms_since(t0) << " ms)\n";
  return 0;
}

int cmd_pack(const std::string& base, const std::string& in, const std::string& out, const std::string& key,
             uint64_t sequence) {
  auto t0 = std::chrono::steady_clock::now();
  Manifest m = load_manifest(base);
  ModelExport x = analyze_export(in);
  std::vector<std::string> notes;
  std::vector<std::string> diff = arch_diff(m.arch, x.arch, &notes);
  if (!diff.empty()) {
    std::cerr << "eiota pack: " << in << " does not fit the deployed model " << base << ":\n";
    for (size_t i = 0; i < diff.size() && i < 12; i++) std::cerr << "  - " << diff[i] << "\n";
    if (diff.size() > 12) std::cerr << "  ... and " << diff.size() - 12 << " more differences\n";
    return 2;
  }
  for (const auto& n : notes) std::cerr << "eiota pack: note: " << n << "\n";
  // The payload carries exactly the deployed library's regions, in its order; a newer SDK's
  // extra values (e.g. result configs the deployed SDK does not read) are left out.
  std::vector<Region> regions;
  for (const Region& want : m.regions) {
    auto it = std::find_if(x.regions.begin(), x.regions.end(), [&](const Region& r) { return r.name == want.name; });
    if (it == x.regions.end()) throw std::runtime_error(in + ": has no values for " + want.name + ", which the deployed library replaces");
    Region r = *it;
    if (r.kind == Region::kModel && r.count > want.count)
      throw std::runtime_error(in + ": the model is " + std::to_string(r.count) + " bytes, the deployed library reserved " +
                               std::to_string(want.count) + " (eiota patch --reserve sets the room)");
    if (r.kind == Region::kModel) {  // a whole non-EON model, padded to the reserved capacity
      r.values.resize(want.count, 0);
      r.count = want.count;
    }
    if (r.count != want.count || r.elem_type != want.elem_type)
      throw std::runtime_error(in + ": region " + want.name + " differs in size or type from the deployed library");
    regions.push_back(std::move(r));
  }
  SecretKey k = load_secret_key(key);
  if (k.pk != m.public_key)
    throw std::runtime_error(key + ": not the key this library was patched with (key id " + key_id_hex(k.pk) +
                             ", library trusts " + key_id_hex(m.public_key) + ")");
  if (sequence == 0) sequence = (uint64_t)std::time(nullptr);
  std::string payload = write_payload(m.fingerprint, regions, sequence, k);
  write_file_atomic(out, payload);
  size_t values = payload.size() - eiota::table_offset(eiota::kHeaderLen) - eiota::kEntryLen * regions.size();
  std::cout << "packed " << in << " -> " << out << "\n"
            << "  " << regions.size() << " regions, " << values << " bytes of values, " << payload.size()
            << " bytes in all (overhead " << payload.size() - values << ")\n"
            << "  sequence " << sequence << ", key id " << key_id_hex(k.pk) << " (" << ms_since(t0) << " ms)\n";
  return 0;
}

nlohmann::json info_json(const PayloadInfo& p, const Manifest* m) {
  nlohmann::json regions = nlohmann::json::array();
  for (const auto& e : p.entries) {
    nlohmann::json r = {{"region", e.region}, {"type", elem_type_name(e.elem_type)}, {"count", e.count}, {"bytes", e.stored_len}};
    if (m && e.region < m->regions.size()) r["name"] = m->regions[e.region].name;
    regions.push_back(r);
  }
  uint8_t kid[4];
  eiota::put_u32(kid, p.header.key_id);
  nlohmann::json j = {{"size", p.size},
                      {"format", std::to_string(p.header.major) + "." + std::to_string(p.header.minor)},
                      {"sequence", p.header.sequence},
                      {"fingerprint", hex(p.header.fingerprint, 16)},
                      {"key_id", hex(kid, 4)},
                      {"data_bytes", p.header.data_len},
                      {"hash_ok", p.hash_ok},
                      {"regions", regions},
                      {"problems", p.problems}};
  if (p.signature_ok) j["signature_ok"] = *p.signature_ok;
  if (m) j["fits_base"] = hex(m->fingerprint.data(), 16) == hex(p.header.fingerprint, 16);
  return j;
}

int cmd_inspect(const std::string& file, const std::string& base, const std::string& key, bool json, bool verify_only) {
  std::string bytes = read_file(file);
  std::array<uint8_t, 32> pk{};
  if (!key.empty()) pk = load_public_key(key);
  std::optional<Manifest> m;
  if (!base.empty()) m = load_manifest(base);
  if (m && key.empty()) pk = m->public_key;
  bool have_key = !key.empty() || m;
  PayloadInfo p = read_payload(bytes, have_key ? &pk : nullptr);
  nlohmann::json j = info_json(p, m ? &*m : nullptr);
  if (m && !j["fits_base"].get<bool>()) p.problems.push_back("built for another model (fingerprint differs from " + base + ")");
  if (m && p.entries.size() != m->regions.size()) p.problems.push_back("region count differs from the manifest");
  bool ok = p.problems.empty() && p.hash_ok && (!have_key || p.signature_ok.value_or(false));
  if (json) {
    j["problems"] = p.problems;
    j["ok"] = ok;
    std::cout << j.dump(1) << "\n";
  } else if (!verify_only) {
    std::cout << file << ": eiota payload " << j["format"].get<std::string>() << ", " << p.size << " bytes\n"
              << "  sequence     " << p.header.sequence << "\n"
              << "  fingerprint  " << j["fingerprint"].get<std::string>() << "\n"
              << "  key id       " << j["key_id"].get<std::string>() << "\n"
              << "  regions      " << p.entries.size() << " (" << p.header.data_len << " bytes of values)\n"
              << "  data sha256  " << (p.hash_ok ? "ok" : "MISMATCH") << "\n";
    if (p.signature_ok) std::cout << "  signature    " << (*p.signature_ok ? "ok" : "BAD") << "\n";
    for (const auto& r : j["regions"])
      std::cout << "    " << r["region"] << "  " << r.value("name", "") << "  " << r["type"].get<std::string>() << " x "
                << r["count"] << "\n";
  }
  if (!json) {
    for (const auto& pr : p.problems) std::cerr << file << ": " << pr << "\n";
    if (verify_only && ok) std::cout << file << ": ok (signature, hash" << (m ? ", model" : "") << ")\n";
  }
  return ok ? 0 : 1;
}

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

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::cerr << "eiota: libsodium failed to initialise\n";
    return 1;
  }
  CLI::App app{"eiota: over-the-air weight updates for Edge Impulse models"};
  app.require_subcommand(1);

  std::string in, out, key = "eiota.key", base, payload;
  uint64_t sequence = 0;
  bool json = false;

  auto* keygen_cmd = app.add_subcommand("keygen", "create a signing key pair: <name>.key and <name>.pub");
  std::string key_name = "eiota";
  keygen_cmd->add_option("name", key_name, "base name of the key files");

  auto* patch = app.add_subcommand("patch", "make an export's model values replaceable at run time");
  patch->add_option("export", in, "Edge Impulse export: .zip or folder")->required();
  patch->add_option("-o,--output", out, "patched library to write (zip when the input is a zip)")->required();
  patch->add_option("--key", key, "public (.pub) or secret (.key) key; a missing .key is created");
  uint32_t reserve = 0;
  patch->add_option("--reserve", reserve, "non-EON exports: bytes of room for a retrained model to grow (default: a quarter, at least 1 KiB)");

  auto* pack = app.add_subcommand("pack", "write a signed payload from a retrained export");
  pack->add_option("export", in, "the retrained export")->required();
  pack->add_option("--base", base, "the patched library or its eiota-manifest.json")->required();
  pack->add_option("-o,--output", out, "payload file to write")->required();
  pack->add_option("--key", key, "secret signing key");
  pack->add_option("--sequence", sequence, "release number (default: seconds since 1970)");

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
  simulate->add_option("--features", features, "comma-separated raw features (default: generated)");
  simulate->add_option("--cache", cache, "where builds are kept (default ~/.cache/eiota)");

  auto* build_sim = app.add_subcommand("build-sim", "build an export (and optionally a sketch) into a host executable");
  std::string sketch;
  build_sim->add_option("export", in)->required();
  build_sim->add_option("output", out)->required();
  build_sim->add_option("--sketch", sketch, "an .ino to build on the host Arduino shim");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*keygen_cmd) {
      SecretKey k = keygen(key_name);
      std::cout << "wrote " << key_name << ".key (secret) and " << key_name << ".pub, key id " << key_id_hex(k.pk) << "\n";
      return 0;
    }
    if (*patch) return cmd_patch(in, out, key, reserve);
    if (*pack) return cmd_pack(base, in, out, key, sequence);
    if (*simulate) return cmd_simulate(base, payload, expect, features, cache);
    if (*build_sim) {
      build_simulator({in, out, sketch, true});
      return 0;
    }
    if (*inspect) return cmd_inspect(payload, base, inspect->count("--key") ? key : "", json, false);
    if (*verify) {
      if (!verify->count("--key") && base.empty() && !fs::exists(key)) throw std::runtime_error("verify needs --key or --base");
      return cmd_inspect(payload, base, verify->count("--key") || base.empty() ? key : "", false, true);
    }
  } catch (const std::exception& e) {
    std::cerr << "eiota: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
