// `eiota pack`: check a retrained export against the deployed one and write a signed payload.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "compress.h"
#include "delta.h"
#include "eiota_errors.h"
#include "eiota_slot_layout.h"
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

namespace {

std::string percent(size_t part, size_t whole) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f %%", 100.0 * double(part) / double(whole));
  return b;
}

bool is_compressed(const std::string& payload) {
  eiota::Header h{};
  return eiota::decode_header((const uint8_t*)payload.data(), payload.size(), &h) == eiota::kDecodeOk && (h.flags & EIOTA_FLAG_DEFLATE);
}

// Compression saves at least this share for pack to suggest patching with --inflate.
constexpr double kHintSaving = 0.15;

// What compressing saves on `plain`, as a percentage of it.
std::string saving(size_t plain, size_t compressed) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f %%", 100.0 * (double(plain) - double(compressed)) / double(plain));
  return b;
}

// For a library with the decoder: the compressed form of `plain` when it is smaller (or `always`),
// else `plain` itself; says which in one line.
std::string smaller_form(const std::string& plain, const SecretKey& k, const std::string& indent, bool always) {
  std::string z = deflate_payload(plain, k);
  if (z.size() >= plain.size() && !always) {
    std::cout << indent << "not compressed: would not be smaller (" << plain.size() << " -> " << z.size() << " bytes)\n";
    return plain;
  }
  std::cout << indent << "compressed: " << plain.size() << " -> " << z.size() << " bytes (" << saving(plain.size(), z.size())
            << " smaller)\n";
  return z;
}

// For a library without the decoder: says when compression would pay.
void compression_hint(const std::string& plain, const SecretKey& k) {
  size_t z = deflate_payload(plain, k).size();
  if (double(z) <= double(plain.size()) * (1 - kHintSaving))
    std::cout << "  hint: patch with --inflate (and flash that library) and this payload would be " << saving(plain.size(), z)
              << " smaller, " << z << " bytes instead of " << plain.size() << "\n";
}

// The delta of `regions` on `from`, judged by the device reader applying it on the base; "" when
// the full payload is the better one (a note says why), exit 2 when nothing changed.
// With `compress`, the delta is the smaller of its plain and compressed forms.
std::string pack_delta(const Manifest& m, const std::string& base, const std::vector<Region>& regions, const std::string& from,
                       uint64_t sequence, const SecretKey& k, const std::string& extra, size_t full_size, bool compress,
                       bool always, bool* nothing) {
  DeltaBase b = from == "factory" ? base_of_factory(m, base) : base_of_payload(read_file(from), from, m);
  if (sequence <= b.sequence)
    throw std::runtime_error("--sequence " + std::to_string(sequence) + " is not above the base's " + std::to_string(b.sequence));
  DeltaStats st;
  std::string delta = write_delta_payload(m.fingerprint, regions, b, sequence, k, extra, &st);
  if (st.regions_sent == 0) {
    *nothing = true;
    return "";
  }
  size_t plain_size = delta.size();
  if (compress) delta = smaller_form(delta, k, "  delta ", always);
  // The device reader applies it on the base: unchanged regions hold the base's values (equal to
  // the new ones), the others anything, since the delta overwrites them; the result digest decides.
  std::vector<std::vector<uint8_t>> values, result;
  std::vector<uint32_t> sent = delta_regions(regions, b);
  for (size_t i = 0; i < regions.size(); i++) {
    values.push_back(regions[i].values);
    if (std::find(sent.begin(), sent.end(), (uint32_t)i) != sent.end()) std::fill(values.back().begin(), values.back().end(), 0x5A);
  }
  int verdict = device_apply(delta, device_model(m, m.public_key), values, b.sequence, b.digest, &result);
  if (verdict != EIOTA_OK)
    throw std::runtime_error("the delta on " + b.what + ": a device of " + base + " serving it would refuse it: " +
                             eiota_strerror(verdict) + " (" + std::to_string(verdict) + ")");
  for (size_t i = 0; i < regions.size(); i++)
    if (result[i] != regions[i].values) throw std::runtime_error("the delta on " + b.what + " does not rebuild region " + regions[i].name);
  std::cout << "delta on " << b.what << " (release " << b.sequence << "): " << st.regions_sent << " of " << regions.size()
            << " regions sent (" << st.bytes_sent << " bytes of values, " << st.runs << (st.runs == 1 ? " run), " : " runs), ") << st.regions_kept
            << " unchanged regions (" << st.bytes_kept << " bytes) kept out\n"
            << "  " << delta.size() << " bytes" << (delta.size() != plain_size ? " compressed" : "") << ", the full payload " << full_size << " (" << percent(delta.size(), full_size)
            << " of it)\n";
  if (delta.size() >= full_size) {
    std::cout << "  not smaller than the full payload: writing the full payload instead\n";
    return "";
  }
  if (!eiota_slot_head_fits(EIOTA_HEADER_DELTA_LEN, (uint32_t)st.regions_sent, (uint32_t)regions.size())) {
    std::cout << "  its table is too long for the slot layout (at most " << regions.size() - 2
              << " regions in a delta of this model): writing the full payload instead\n";
    return "";
  }
  return delta;
}

}  // namespace

int cmd_pack(const std::string& base, const std::string& in, const std::string& out, const std::string& key,
             uint64_t sequence, const PackSelftest& st, const std::string& delta_from, const std::string& compress_mode) {
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
  if (compress_mode == "always" && !m.inflate)
    throw std::runtime_error("--compress always: " + base + " was patched without --inflate: its devices have no decoder and refuse a "
                             "compressed payload");
  const bool compress = m.inflate && compress_mode != "never", always = compress_mode == "always";
  const bool hint = !m.inflate && compress_mode == "auto";
  std::string sent = payload;  // what is written: the full payload, compressed when that is smaller
  if (compress) {
    sent = smaller_form(payload, k, "", always);
    if (is_compressed(sent) && (verdict = device_verdict(sent, device_model(m, m.public_key))) != EIOTA_OK)
      throw std::runtime_error(out + ": not written: a device of " + base + " would refuse the compressed payload: " +
                               eiota_strerror(verdict) + " (" + std::to_string(verdict) + ")");
  }
  if (!delta_from.empty()) {
    bool nothing = false;
    std::string delta = pack_delta(m, base, regions, delta_from, sequence, k, extra, sent.size(), compress, always, &nothing);
    if (nothing) {
      std::cerr << "eiota pack: " << in << " changes no value of " << (delta_from == "factory" ? "the factory values" : delta_from)
                << ": the devices already run these values; nothing written\n";
      return 2;
    }
    if (!delta.empty()) {
      write_file_atomic(out, delta);
      std::cout << "packed " << in << " -> " << out << " (delta" << (is_compressed(delta) ? ", compressed" : "") << ")\n  sequence "
                << sequence << ", key id " << key_id_hex(k.pk) << " (" << ms_since(t0) << " ms)\n";
      if (hint) compression_hint(delta, k);
      return 0;
    }
  }
  write_file_atomic(out, sent);
  uint32_t header_len = extra.empty() ? eiota::kHeaderLen : EIOTA_HEADER_EXTRA_LEN;
  size_t values = payload.size() - eiota::table_offset(header_len) - eiota::kEntryLen * regions.size() - extra.size();
  std::cout << "packed " << in << " -> " << out << (is_compressed(sent) ? " (compressed)" : "") << "\n"
            << "  " << regions.size() << " regions, " << values << " bytes of values, " << payload.size()
            << " bytes in all (overhead " << payload.size() - values - extra.size() << ")"
            << (extra.empty() ? "" : ", " + std::to_string(extra.size()) + " bytes of self-test")
            << (is_compressed(sent) ? ", " + std::to_string(sent.size()) + " bytes compressed" : std::string())
            << "; the device reader accepts it\n"
            << "  sequence " << sequence << ", key id " << key_id_hex(k.pk) << " (" << ms_since(t0) << " ms)\n";
  if (hint) compression_hint(payload, k);
  return 0;
}

}  // namespace eiota::cli
