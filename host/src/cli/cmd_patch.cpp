// `eiota patch`: make an export's values replaceable, write the patched library.
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "compile_check.h"
#include "keys.h"
#include "model_export.h"
#include "patcher.h"

#include "commands.h"

using namespace eiota::host;
namespace fs = std::filesystem;

namespace eiota::cli {
namespace {

std::array<uint8_t, 32> key_for_patch(const std::string& key) {
  if (fs::exists(key)) return load_public_key(key);
  if (key.size() > 4 && key.substr(key.size() - 4) == ".key") {
    SecretKey k = keygen(key.substr(0, key.size() - 4));
    std::cout << "created signing key " << key << " (keep it secret) and " << key.substr(0, key.size() - 4) << ".pub\n";
    return k.pk;
  }
  throw std::runtime_error(key + ": no such key file (create one with: eiota keygen)");
}

}  // namespace

int cmd_patch(const std::string& in, const std::string& out, const std::string& key, std::optional<uint32_t> reserve, bool check,
              const std::string& storage_flag, bool inflate) {
  auto t0 = std::chrono::steady_clock::now();
  Storage storage = storage_from_name(storage_flag);
  ModelExport x = analyze_export(in);
  if (reserve && !x.arch.interpreter)
    std::cout << "note: --reserve does not apply to an EON export (its arrays keep their sizes); ignored\n";
  auto pk = key_for_patch(key);
  PatchResult r = patch_export(x, pk, reserve, storage, inflate);
  std::string compiled = "not compiled: --no-check";
  if (check) {
    CompileCheck c = check_compiles(x, r.out);  // throws, naming the file, before anything is written
    compiled = c.message;
    for (const auto& n : c.notes) compiled += "\n  not compiled alone: " + n;
  }
  write_export(r.out, out);
  std::cout << "patched " << in << " -> " << out << "\n"
            << "  model files: " << x.model_paths.size() + x.interp.size() << ", regions: " << r.region_count
            << ", working copy in RAM: " << r.ram_bytes << " bytes\n"
            << "  storage " << storage_name(storage);
  if (storage == Storage::kFlash)
    std::cout << ": tensors read their values in place; RAM quantization structs: " << r.quant_structs << " (12 bytes each on 32-bit)";
  std::cout << "\n  slot size needed: " << r.slot_size << " bytes (without a self-test)\n";
  if (x.arch.interpreter)
    std::cout << "  reserved for retrained models to grow: " << r.reserve_bytes << " bytes"
              << (reserve ? "" : " (default; set with --reserve)") << "\n";
  if (r.ram_bytes > 256 * 1024)
    std::cout << "  warning: the working copy (" << r.ram_bytes / 1024
              << " KiB) is larger than the RAM of most Cortex-M boards; place it with -DEIOTA_RAM_ATTR (e.g. external RAM)\n";
  std::cout << (inflate ? "  decoder linked (--inflate): takes compressed payloads (format 1.3), about 2.3 KB of code\n"
                        : "  no decoder: pack writes plain payloads (patch with --inflate for compressed ones)\n");
  std::cout << "  fingerprint " << hex(x.fp.data(), 16) << ", key id " << key_id_hex(pk) << "\n"
            << "  " << r.runtime_note << "\n"
            << "  " << compiled << "\n"
            << "  manifest " << r.out.library << kManifestName << " (" << ms_since(t0) << " ms)\n";
  return 0;
}

}  // namespace eiota::cli
