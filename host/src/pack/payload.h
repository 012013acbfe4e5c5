// Writing and reading payloads on the host, through the shared codec in device/eiota_format.h.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eiota_format.h"
#include "eiota_selftest.h"
#include "keys.h"
#include "manifest.h"
#include "model_arch.h"

namespace eiota::host {

// Builds and signs a payload carrying `regions` (with values) for a model with `fp`. With
// `extra` (a self-test block) it is a 1.1 payload (EIOTA_FLAG_EXTRA, 88-byte header) whose data
// section ends with those bytes; without, the 1.0 payload, byte for byte as before.
std::string write_payload(const std::array<uint8_t, 16>& fp, const std::vector<Region>& regions,
                          uint64_t sequence, const SecretKey& key, const std::string& extra = {});

// header || signature || table || data, the Ed25519 signature over header || table.
std::string signed_payload(const std::string& head, const std::string& table, const std::string& data, const SecretKey& key);

struct PayloadInfo {
  bool header_ok = false;            // the 80-byte header decoded (magic, version, flags)
  eiota::Header header{};
  std::vector<eiota::Entry> entries;
  std::array<uint8_t, 64> signature{};
  size_t size = 0;
  size_t data_offset = 0;
  bool hash_checked = false;  // every value byte was there to hash
  bool hash_ok = false;
  std::optional<bool> signature_ok;  // set when a public key was given
  std::vector<std::string> problems; // the first structural problem found, empty when well formed
  size_t extra_offset = 0;  // 1.1: where the extra data starts (header.extra_len bytes), past the streams in 1.3
  bool compressed = false;  // 1.3 (EIOTA_FLAG_DEFLATE): every entry's values a DEFLATE stream of stored_len bytes
  uint64_t decoded_data_len = 0;  // the data section decoded: the entries' count x size, then the extra data
  // The self-test block of a 1.1 payload, when its bytes are all there.
  std::optional<eiota_selftest_header> selftest;
  int selftest_decode = 0;  // eiota_selftest_decode_result of the extra data
};

// Parses a payload to describe it, up to its first structural problem. Never throws on bad
// bytes: the problem is listed in the result. Whether a device accepts it is device_verdict's.
// A compressed payload's streams are inflated (each bounded by its entry's count x size) and
// hash_ok is over the decoded values; a bad stream is a problem naming its entry.
PayloadInfo read_payload(const std::string& bytes, const std::array<uint8_t, 32>* public_key);

// The values of entry i (decoded when compressed) of a payload read_payload found well formed.
// Throws std::runtime_error on a bad stream.
std::string entry_values(const std::string& bytes, const PayloadInfo& p, size_t i);

// A device's view of a model: what device/eiota_update.cpp checks a payload against.
struct DeviceModel {
  std::array<uint8_t, 16> fingerprint{};
  std::array<uint8_t, 32> public_key{};
  struct Shape {
    uint32_t count = 0;
    uint8_t elem_type = 0;
    uint8_t flags = 0;  // EIOTA_REGION_*
  };
  std::vector<Shape> regions;
  uint32_t region_count = 0;  // may exceed regions.size() (a payload's truncated table)
  bool inflate = false;       // the library links the decoder (patch --inflate): takes format 1.3
};

// The model a patched library built from `m` runs, trusting `public_key`. Non-EON model regions
// carry EIOTA_REGION_PREFIX; it inflates compressed payloads when the manifest says so.
DeviceModel device_model(const Manifest& m, const std::array<uint8_t, 32>& public_key);
// Without the deployed model: the payload's own header and table (as far as the bytes hold
// them) stand for it, so signature, key id, hash and structure are still judged; a compressed
// payload's stands for a library that has the decoder.
DeviceModel device_model_of(const std::string& payload, const std::array<uint8_t, 32>& public_key);

// Runs the device reader (eiota_update_begin / write / finish) over `payload` for `model`, with
// a storage that discards the values. Returns EIOTA_OK or the device's eiota_err.
// A delta (1.2) is judged as a device re-validating it would (device_check): its structure,
// signature and data hash; whether it fits a base is device_apply's.
int device_verdict(const std::string& payload, const DeviceModel& model);
// The device reader in EIOTA_UPDATE_CHECK mode: every check but the sequence, the base and the result.
int device_check(const std::string& payload, const DeviceModel& model);
// Applies `payload` as a RAM-mode device would that serves `base_values` as release
// `base_sequence` (0: as its factory values) whose full-data digest is `base_digest`: EIOTA_OK or
// its eiota_err, and the values it then serves in *result.
int device_apply(const std::string& payload, const DeviceModel& model, const std::vector<std::vector<uint8_t>>& base_values,
                 uint64_t base_sequence, const std::array<uint8_t, 32>& base_digest, std::vector<std::vector<uint8_t>>* result);

// What the device reader's `verdict` on `payload` means, as eiota_strerror says it; when a
// compressed payload meets a library without the decoder (EIOTA_ERR_UNSUPPORTED), also why.
std::string device_refusal(int verdict, const std::string& payload, const DeviceModel& model);

const char* elem_type_name(uint8_t t);

}  // namespace eiota::host
