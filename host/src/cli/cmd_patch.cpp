// `eiota patch`: make an export's values replaceable, write the patched library.
#include <filesystem>
#include <iostream>
#include <stdexcept>

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
            << "  " << r.runtime_note << "\n"
            << "  manifest " << r.out.library << kManifestName << " (" << ms_since(t0) << " ms)\n";
  return 0;
}

}  // namespace eiota::cli
