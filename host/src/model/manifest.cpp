#include "manifest.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "eiota_format.h"
#include "eiota_model.h"
#include "eiota_slot_layout.h"
#include "export_files.h"
#include "model_export.h"
#include "numbers.h"

using nlohmann::json;

namespace eiota::host {
namespace {

template <size_t N>
std::array<uint8_t, N> unhex(const std::string& s, const std::string& what) {
  std::array<uint8_t, N> out{};
  if (s.size() != 2 * N) throw std::runtime_error(what + ": expected " + std::to_string(2 * N) + " hex digits");
  for (size_t i = 0; i < N; i++) out[i] = (uint8_t)parse_int(s.substr(2 * i, 2), what, 0, 255, 16);
  return out;
}

// Region::Binding::To in order.
const std::string kBindingNames[] = {"tensor", "array", "field", "centroids", "macro", "model", "variable"};

bool kind_from_name(const std::string& k, Region::Kind* out) {
  for (int i = Region::kData; i <= Region::kScaler; i++)
    if (k == kind_name((Region::Kind)i)) {
      *out = (Region::Kind)i;
      return true;
    }
  return false;
}

json block_json(const ArchBlock& b) {
  json ops = json::array(), tensors = json::array();
  for (const auto& o : b.ops) ops.push_back({{"kind", o.kind}, {"options", o.options}, {"in", o.inputs}, {"out", o.outputs}});
  for (const auto& t : b.tensors)
    tensors.push_back({{"dtype", t.dtype}, {"dims", t.dims}, {"const", t.constant}, {"bytes", t.bytes},
                       {"nscale", t.nscale}, {"nzero", t.nzero}, {"qdim", t.qdim}, {"fixed", t.fixed_hex},
                       {"export_index", t.export_index}});
  return {{"stem", b.stem}, {"arena", b.arena}, {"ops", ops}, {"tensors", tensors},
          {"inputs", b.inputs}, {"outputs", b.outputs}, {"first_unused", b.first_unused}};
}

ArchBlock block_from(const json& j) {
  ArchBlock b;
  b.stem = j.at("stem");
  b.arena = j.at("arena");
  for (const auto& o : j.at("ops")) b.ops.push_back({o.at("kind"), o.at("options"), o.at("in"), o.at("out")});
  for (const auto& t : j.at("tensors")) {
    ArchTensor a;
    a.dtype = t.at("dtype");
    a.dims = t.at("dims").get<std::vector<int>>();
    a.constant = t.at("const");
    a.bytes = t.at("bytes");
    a.nscale = t.at("nscale");
    a.nzero = t.at("nzero");
    a.qdim = t.at("qdim");
    a.fixed_hex = t.at("fixed");
    a.export_index = t.at("export_index");
    b.tensors.push_back(a);
  }
  b.inputs = j.at("inputs").get<std::vector<int>>();
  b.outputs = j.at("outputs").get<std::vector<int>>();
  b.first_unused = j.at("first_unused");
  return b;
}

// The offsets a manifest states are the ones the device layout gives for its regions and flags.
void check_slot_layout(const Manifest& m) {
  uint64_t at = eiota_slot_values_start((uint32_t)m.regions.size());
  for (const Region& r : m.regions) {
    uint64_t off = eiota_slot_place(at, r.elem_type, r.flags);
    if (off != r.slot_offset)
      throw std::runtime_error("region " + r.name + ": slot_offset " + std::to_string(r.slot_offset) + ", the slot layout gives " +
                               std::to_string(off));
    at = off + (uint64_t)r.count * eiota::elem_size(r.elem_type);
  }
  if (at != m.slot_size)
    throw std::runtime_error("slot_size " + std::to_string(m.slot_size) + ", the regions end at " + std::to_string(at));
}

}  // namespace

std::string manifest_to_json(const Manifest& m) {
  json blocks = json::array(), regions = json::array();
  for (const auto& b : m.arch.blocks) blocks.push_back(block_json(b));
  for (size_t i = 0; i < m.regions.size(); i++) {
    const Region& r = m.regions[i];
    json bind = {{"to", kBindingNames[r.bind.to]}, {"symbol", r.bind.symbol}};
    if (!r.bind.field.empty()) bind["field"] = r.bind.field;
    if (r.bind.index >= 0) bind["index"] = r.bind.index;
    if (r.bind.tfarray) bind["tfarray"] = true;
    regions.push_back({{"index", i}, {"name", r.name}, {"block", r.block}, {"tensor", r.tensor},
                       {"kind", kind_name(r.kind)}, {"elem_type", r.elem_type}, {"count", r.count}, {"array", r.array},
                       {"binding", bind}, {"flags", r.flags}, {"slot_offset", r.slot_offset}});
    if (i < m.factory_region_digests.size()) regions.back()["factory_sha256"] = hex(m.factory_region_digests[i].data(), 32);
  }
  json j = {{"eiota_manifest", 2},
            {"fingerprint", hex(m.fingerprint.data(), 16)},
            {"public_key", hex(m.public_key.data(), 32)},
            {"source", m.source},
            {"model_files", m.model_files},
            {"labels", m.arch.labels},
            {"engine", m.arch.interpreter ? "tflite" : "eon"},
            {"dsp", m.arch.dsp},
            {"settings", m.arch.settings},
            {"outside_quant", m.arch.outside_quant},
            {"config_fields", m.arch.config_fields},
            {"anomaly", m.arch.anomaly},
            {"blocks", blocks},
            {"storage", m.storage},
            {"slot_size", m.slot_size},
            {"regions", regions}};
  if (!m.factory_digest.empty()) j["factory_digest"] = hex(m.factory_digest.data(), m.factory_digest.size());
  if (m.inflate) j["inflate"] = true;
  return j.dump(1) + "\n";
}

Manifest manifest_from_json(const std::string& text, const std::string& what) {
  try {
    json j = json::parse(text);
    int version = j.value("eiota_manifest", 0);
    if (version == 1)  // DSP configs and settings were recorded in a form this version cannot compare by name
      throw std::runtime_error("written by an eiota before 2026-11-25 (manifest 1): pack with that eiota, or patch and flash again");
    if (version != 2) throw std::runtime_error("not an eiota manifest (version 2)");
    Manifest m;
    m.fingerprint = unhex<16>(j.at("fingerprint"), what + ": fingerprint");
    m.public_key = unhex<32>(j.at("public_key"), what + ": public_key");
    m.source = j.value("source", "");
    m.model_files = j.at("model_files").get<std::vector<std::string>>();
    m.arch.labels = j.at("labels").get<std::vector<std::string>>();
    m.arch.interpreter = j.at("engine") == "tflite";
    m.arch.dsp = j.at("dsp").get<std::map<std::string, std::string>>();
    m.arch.settings = j.at("settings").get<std::map<std::string, std::string>>();
    m.arch.outside_quant = j.value("outside_quant", std::map<std::string, std::string>{});
    m.arch.config_fields = j.value("config_fields", std::vector<std::string>{});
    m.arch.anomaly = j.value("anomaly", std::map<std::string, std::string>{});
    for (const auto& b : j.at("blocks")) m.arch.blocks.push_back(block_from(b));
    m.storage = j.value("storage", "ram");
    if (m.storage != "ram" && m.storage != "flash")
      throw std::runtime_error("unknown storage '" + m.storage + "': written by a newer eiota? (known: ram, flash)");
    m.slot_size = j.value("slot_size", (uint64_t)0);
    if (j.contains("inflate") && !j.at("inflate").is_boolean()) throw std::runtime_error("\"inflate\" must be true or false");
    m.inflate = j.value("inflate", false);
    for (const auto& r : j.at("regions")) {
      Region g;
      g.name = r.at("name");
      g.block = r.at("block");
      g.tensor = r.at("tensor");
      std::string k = r.at("kind");
      if (!kind_from_name(k, &g.kind))
        throw std::runtime_error("region " + std::to_string(m.regions.size()) + " (" + g.name + ") has the unknown kind '" + k +
                                 "': written by a newer eiota? (known: data, scale, zero, config, macro, anomaly, model, model_len, scaler)");
      g.elem_type = r.at("elem_type");
      if (eiota::elem_size(g.elem_type) == 0)
        throw std::runtime_error("region " + std::to_string(m.regions.size()) + " (" + g.name + ") has the unknown element type " + std::to_string(g.elem_type));
      g.count = r.at("count");
      g.array = r.value("array", "");
      if (r.contains("binding")) {
        const json& b = r.at("binding");
        std::string to = b.at("to");
        auto at = std::find(std::begin(kBindingNames), std::end(kBindingNames), to);
        if (at == std::end(kBindingNames)) throw std::runtime_error("region " + g.name + " has the unknown binding '" + to + "'");
        g.bind.to = (Region::Binding::To)(at - std::begin(kBindingNames));
        g.bind.symbol = b.at("symbol");
        g.bind.field = b.value("field", "");
        g.bind.index = b.value("index", -1);
        g.bind.tfarray = b.value("tfarray", false);
      }
      // Before slots only PREFIX existed, implied by the kind.
      int64_t flags = r.value("flags", (int64_t)(g.kind == Region::kModel ? EIOTA_REGION_PREFIX : 0));
      if (flags < 0 || (flags & ~(int64_t)(EIOTA_REGION_PREFIX | EIOTA_REGION_COUNTED | EIOTA_REGION_ALIGN16)))
        throw std::runtime_error("region " + g.name + " has unknown flags " + std::to_string(flags) + ": written by a newer eiota?");
      g.flags = (uint8_t)flags;
      uint64_t offset = r.value("slot_offset", (uint64_t)0);
      if (offset > UINT32_MAX) throw std::runtime_error("region " + g.name + ": slot_offset " + std::to_string(offset) + " is out of range");
      g.slot_offset = (uint32_t)offset;
      if (r.contains("factory_sha256"))
        m.factory_region_digests.push_back(unhex<32>(r.at("factory_sha256"), "region " + g.name + ": factory_sha256"));
      m.regions.push_back(g);
    }
    if (j.contains("factory_digest")) {
      auto d = unhex<32>(j.at("factory_digest"), "factory_digest");
      m.factory_digest.assign(d.begin(), d.end());
    }
    if (!m.factory_region_digests.empty() && (m.factory_digest.empty() || m.factory_region_digests.size() != m.regions.size()))
      throw std::runtime_error("factory digests given for " + std::to_string(m.factory_region_digests.size()) + " of " +
                               std::to_string(m.regions.size()) + " regions");
    if (m.regions.empty()) throw std::runtime_error("the manifest lists no regions: nothing a payload could replace");
    if (m.slot_size) check_slot_layout(m);
    return m;
  } catch (const json::exception& e) {
    throw std::runtime_error(what + ": malformed manifest: " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(what + ": " + e.what());
  }
}

Manifest load_manifest(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::is_regular_file(path) && path.size() > 5 && path.substr(path.size() - 5) == ".json")
    return manifest_from_json(read_file(path), path);
  ExportFiles f = load_export(path);
  for (const std::string& p : {f.library + kManifestName, f.root + kManifestName})
    if (f.has(p)) return manifest_from_json(f.files.at(p), path + "/" + p);
  throw std::runtime_error(path + ": no " + std::string(kManifestName) + " found: is this a library patched by eiota?");
}

}  // namespace eiota::host
