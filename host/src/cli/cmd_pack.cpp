// `eiota pack`: check a retrained export against the deployed one and write a signed payload.
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "export_files.h"
#include "keys.h"
#include "manifest.h"
#include "model_export.h"
#include "payload.h"

#include "commands.h"

using namespace eiota::host;
namespace fs = std::filesystem;

namespace eiota::cli {

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

}  // namespace eiota::cli
