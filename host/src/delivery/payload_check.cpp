#include "payload_check.h"

#include <sodium.h>

#include "eiota_errors.h"
#include "eiota_payload_id.h"
#include "keys.h"
#include "payload.h"

namespace eiota::host {

std::string sha256_hex(const std::string& data) {
  uint8_t d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, reinterpret_cast<const uint8_t*>(data.data()), data.size());
  return hex(d, sizeof d);
}

DeliveryPayload check_delivery_payload(const std::string& bytes, const Manifest& m, size_t max_size) {
  DeliveryPayload r;
  r.size = bytes.size();
  if (bytes.size() > max_size) {
    r.problem = "the payload is " + std::to_string(bytes.size()) + " bytes, more than the " + std::to_string(max_size) + " allowed";
    return r;
  }
  PayloadInfo p = read_payload(bytes, &m.public_key);
  if (!p.header_ok) {
    r.problem = p.problems.empty() ? "not an eiota payload" : p.problems.front();
    return r;
  }
  DeviceModel dm = device_model(m, m.public_key);
  int verdict = device_verdict(bytes, dm);
  if (verdict != EIOTA_OK) {
    r.problem = "the device refuses it: " + device_refusal(verdict, bytes, dm) + " (" + std::to_string(verdict) + ")";
    return r;
  }
  if (!p.problems.empty() || !p.hash_ok || !p.signature_ok.value_or(false)) {
    r.problem = p.problems.empty() ? "signature or hash does not verify" : p.problems.front();
    return r;
  }
  char id[EIOTA_PAYLOAD_ID_MAX];
  eiota_payload_id(p.header.sequence, p.header.data_sha256, id);
  r.ok = true;
  r.sha256 = sha256_hex(bytes);
  r.id = id;
  r.sequence = p.header.sequence;
  return r;
}

}  // namespace eiota::host
