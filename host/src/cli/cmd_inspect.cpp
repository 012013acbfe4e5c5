// `eiota inspect` and `eiota verify`: describe or judge a payload.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "export_files.h"
#include "keys.h"
#include "manifest.h"
#include "eiota_errors.h"
#include "payload.h"

#include "commands.h"

using namespace eiota::host;
namespace fs = std::filesystem;

namespace eiota::cli {
namespace {

std::string hex_u32(uint32_t v) {
  uint8_t b[4];
  eiota::put_u32(b, v);
  return hex(b, 4);
}

// The payload's size with its values decoded: what the plain payload of the same values is.
std::string percent_smaller(uint64_t plain, uint64_t sent) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f %%", plain ? 100.0 * (double(plain) - double(sent)) / double(plain) : 0.0);
  return b;
}

uint64_t decoded_size(const PayloadInfo& p) { return p.data_offset + p.decoded_data_len; }

nlohmann::json info_json(const PayloadInfo& p, const Manifest* m) {
  nlohmann::json regions = nlohmann::json::array();
  for (const auto& e : p.entries) {
    uint64_t decoded = (uint64_t)e.count * eiota::elem_size(e.elem_type);
    nlohmann::json r = {{"region", e.region}, {"type", elem_type_name(e.elem_type)}, {"count", e.count}, {"bytes", p.compressed ? decoded : e.stored_len}};
    if (p.compressed) r["stored_bytes"] = e.stored_len;
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
  if (p.header.flags & EIOTA_FLAG_EXTRA) j["extra_bytes"] = p.header.extra_len;
  if (p.compressed)
    j["compressed"] = {{"data_bytes_decoded", p.decoded_data_len}, {"size_decoded", decoded_size(p)}};
  if (p.header.flags & EIOTA_FLAG_DELTA)
    j["delta"] = {{"base_sequence", p.header.base_sequence},
                  {"base_digest", hex(p.header.base_digest, 32)},
                  {"result_digest", hex(p.header.result_digest, 32)}};
  if (p.selftest)
    j["selftest"] = {{"samples", p.selftest->sample_count},
                     {"inputs", p.selftest->input_count},
                     {"outputs", p.selftest->output_count},
                     {"tolerance", p.selftest->tolerance}};
  if (m) {
    j["fits_base"] = hex(m->fingerprint.data(), 16) == hex(p.header.fingerprint, 16);
    j["base"] = {{"storage", m->storage}, {"slot_size", m->slot_size}};
  }
  return j;
}

}  // namespace

int cmd_inspect(const std::string& file, const std::string& base, const std::string& key, bool json, bool verify_only) {
  std::string bytes = read_file(file);
  std::array<uint8_t, 32> pk{};
  if (!key.empty()) pk = load_public_key(key);
  std::optional<Manifest> m;
  if (!base.empty()) m = load_manifest(base);
  if (m && key.empty()) pk = m->public_key;
  bool have_key = !key.empty() || m;
  PayloadInfo p = read_payload(bytes, have_key ? &pk : nullptr);
  // The verdict is the device reader's, run over a model built from the manifest (or, with only
  // a key, from the payload's own table).
  std::optional<int> device;
  std::optional<DeviceModel> dm;
  if (m) dm = device_model(*m, m->public_key);
  else if (have_key) dm = device_model_of(bytes, pk);
  if (dm) device = device_verdict(bytes, *dm);
  if (device && *device != EIOTA_OK) {
    std::string says = device_refusal(*device, bytes, *dm);
    bool known = false;
    for (const auto& pr : p.problems) known = known || pr == eiota_strerror(*device);
    if (!known) p.problems.push_back("the device refuses it: " + says + " (" + std::to_string(*device) + ")");
  }
  if (m && !key.empty() && pk != m->public_key)
    p.problems.push_back(key + " is not the key " + base + " trusts (key id " + key_id_hex(pk) + ", the device's " +
                         key_id_hex(m->public_key) + ")");
  if (have_key && p.header_ok && p.header.key_id != key_id(pk))
    p.problems.push_back("signed by key id " + hex_u32(p.header.key_id) + ", not by " + (key.empty() ? base : key) + " (key id " +
                         key_id_hex(pk) + ")");
  bool ok = p.problems.empty() && p.hash_ok && (!have_key || p.signature_ok.value_or(false)) && device.value_or(EIOTA_OK) == EIOTA_OK;
  if (json) {
    nlohmann::json j = p.header_ok ? info_json(p, m ? &*m : nullptr) : nlohmann::json{{"size", p.size}};
    j["problems"] = p.problems;
    if (device) j["device"] = {{"code", *device}, {"message", eiota_strerror(*device)}};
    j["ok"] = ok;
    std::cout << j.dump(1) << "\n";
  } else if (!verify_only && p.header_ok) {
    nlohmann::json j = info_json(p, m ? &*m : nullptr);
    std::cout << file << ": eiota payload " << j["format"].get<std::string>() << ", " << p.size << " bytes\n"
              << "  sequence     " << p.header.sequence << "\n"
              << "  fingerprint  " << j["fingerprint"].get<std::string>() << "\n"
              << "  key id       " << j["key_id"].get<std::string>() << "\n"
              << "  regions      " << p.header.region_count << " (" << p.decoded_data_len - p.header.extra_len << " bytes of values"
              << (p.compressed ? ", " + std::to_string(p.header.data_len - p.header.extra_len) + " sent" : std::string()) << ")\n";
    if (p.compressed)
      std::cout << "  compressed   DEFLATE (format 1.3): " << p.size << " bytes sent, " << decoded_size(p) << " decoded ("
                << percent_smaller(decoded_size(p), p.size) << " smaller); the device needs a library patched with --inflate\n";
    std::cout << "  data sha256  " << (p.hash_ok ? "ok" : p.hash_checked ? "MISMATCH" : "not checked")
              << (p.compressed ? " (over the decoded values)" : "") << "\n";
    if (p.selftest)
      std::cout << "  self-test    " << p.selftest->sample_count << " samples, " << p.selftest->input_count << " inputs -> "
                << p.selftest->output_count << " outputs each, tolerance " << p.selftest->tolerance
                << (p.selftest->tolerance == 0 ? " (bit for bit)" : "") << " (" << p.header.extra_len << " bytes)\n";
    else if (p.header.flags & EIOTA_FLAG_EXTRA)
      std::cout << "  self-test    " << p.header.extra_len << " bytes of extra data, not a valid self-test block\n";
    if (p.header.flags & EIOTA_FLAG_DELTA)
      std::cout << "  delta on     " << (p.header.base_sequence ? "release " + std::to_string(p.header.base_sequence) : std::string("the factory values"))
                << ", base digest " << hex(p.header.base_digest, 32) << "\n"
                << "  result       " << hex(p.header.result_digest, 32) << " (every region's values once applied)\n";
    if (p.signature_ok) std::cout << "  signature    " << (*p.signature_ok ? "ok" : "BAD") << "\n";
    if (device) std::cout << "  device       " << (*device == EIOTA_OK ? eiota_strerror(*device) : device_refusal(*device, bytes, *dm)) << "\n";
    if (m)
      std::cout << "  base         storage " << m->storage << ", slot size "
                << (m->slot_size ? std::to_string(m->slot_size) + " bytes" : std::string("unknown (patched before slots)")) << "\n";
    for (const auto& r : j["regions"]) {
      std::cout << "    " << r["region"] << "  " << r.value("name", "") << "  " << r["type"].get<std::string>() << " x "
                << r["count"];
      if (p.compressed) std::cout << "  " << r["stored_bytes"] << " bytes sent, " << r["bytes"] << " decoded";
      std::cout << "\n";
    }
  }
  if (!json) {
    for (const auto& pr : p.problems) std::cerr << file << ": " << pr << "\n";
    if (verify_only && ok)
      std::cout << file << ": ok (the device reader accepts it: signature, key id, hash, structure" << (m ? ", model" : "") << ")\n";
    if (verify_only && ok && p.compressed)
      std::cout << file << ": compressed (format 1.3): " << p.size << " bytes sent, " << decoded_size(p)
                << " decoded; every stream inflates to its entry's size\n";
    if (verify_only && ok && (p.header.flags & EIOTA_FLAG_DELTA))
      std::cout << file << ": a delta on " << (p.header.base_sequence ? "release " + std::to_string(p.header.base_sequence) : std::string("the factory values"))
                << ": a device takes it only while it serves that base, and proves the assembled values by the result digest\n";
  }
  return ok ? 0 : 1;
}

}  // namespace eiota::cli
