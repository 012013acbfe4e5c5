// `eiota pack`: check a retrained export against the deployed one and write a signed payload.
#include <ctime>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "eiota_errors.h"
#include "export_files.h"
#include "keys.h"
#include "manifest.h"
#include "model_export.h"
#include "pack.h"
#include "payload.h"
#include "selftest.h"

#include "commands.h"

using namespace eiota::host;
namespace fs = std::filesystem;

namespace eiota::cli {

int cmd_pack(const std::string& base, const std::string& in, const std::string& out, const std::string& key,
             uint64_t sequence, const PackSelftest& st) {
  auto t0 = std::chrono::steady_clock::now();
  Manifest m = load_manifest(base);
  // The samples are checked before anything is built.
  std::vector<Sample> samples;
  float tolerance = 0;
  if (!st.samples.empty()) {
    tolerance = parse_tolerance(st.tolerance, "--selftest-tolerance");
    samples = read_selftest_samples(st.samples, arch_setting(m.arch, "EI_CLASSIFIER_DSP_INPUT_FRAME_SIZE"));
  }
  ModelExport x = analyze_export(in);
  PackPlan plan = plan_pack(m, x);
  if (!plan.fits()) {
    std::cerr << "eiota pack: " << in << " does not fit the deployed model " << base << ":\n";
    for (size_t i = 0; i < plan.diff.size() && i < 12; i++) std::cerr << "  - " << plan.diff[i] << "\n";
    if (plan.diff.size() > 12) std::cerr << "  ... and " << plan.diff.size() - 12 << " more differences\n";
    return 2;
  }
  for (const auto& n : plan.notes) std::cerr << "eiota pack: note: " << n << "\n";
  const std::vector<Region>& regions = plan.regions;
  SecretKey k = load_secret_key(key);
  if (k.pk != m.public_key)
    throw std::runtime_error(key + ": not the key this library was patched with (key id " + key_id_hex(k.pk) +
                             ", library trusts " + key_id_hex(m.public_key) + ")");
  std::string extra;
  if (!samples.empty()) {
    std::vector<Sample> outputs = selftest_outputs(in, samples, st.cache);
    extra = selftest_block(samples, outputs, tolerance);
    std::cout << "self-test: " << samples.size() << " samples, " << samples[0].size() << " inputs -> "
              << outputs[0].size() << " outputs each, computed by " << in << " on this machine, tolerance "
              << tolerance << (tolerance == 0 ? " (bit for bit)" : "") << "\n";
    bool all_zero = true;
    for (const auto& o : outputs)
      for (float v : o) all_zero = all_zero && v == 0.0f;
    if (all_zero)  // e.g. an object detector that detects nothing in the samples
      std::cerr << "eiota pack: warning: every expected output of the self-test is 0, so it cannot tell a working "
                   "model from a broken one: choose samples in which the model finds something\n";
    std::cout << "  a slot for this payload needs " << ((m.slot_size + 15) & ~uint64_t{15}) + extra.size() << " bytes (" << m.slot_size
              << " without the self-test)\n";
  }
  std::string payload = write_payload(m.fingerprint, regions, sequence, k, extra);
  // Judged by the device's own reader against the deployed model before it is written.
  int verdict = device_verdict(payload, device_model(m, m.public_key));
  if (verdict != EIOTA_OK)
    throw std::runtime_error(out + ": not written: a device of " + base + " would refuse it: " + eiota_strerror(verdict) +
                             " (" + std::to_string(verdict) + ")");
  write_file_atomic(out, payload);
  uint32_t header_len = extra.empty() ? eiota::kHeaderLen : EIOTA_HEADER_EXTRA_LEN;
  size_t values = payload.size() - eiota::table_offset(header_len) - eiota::kEntryLen * regions.size() - extra.size();
  std::cout << "packed " << in << " -> " << out << "\n"
            << "  " << regions.size() << " regions, " << values << " bytes of values, " << payload.size()
            << " bytes in all (overhead " << payload.size() - values - extra.size() << ")"
            << (extra.empty() ? "" : ", " + std::to_string(extra.size()) + " bytes of self-test")
            << "; the device reader accepts it\n"
            << "  sequence " << sequence << ", key id " << key_id_hex(k.pk) << " (" << ms_since(t0) << " ms)\n";
  return 0;
}

}  // namespace eiota::cli
