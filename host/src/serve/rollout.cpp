#include "rollout.h"

#include <sodium.h>

namespace eiota::serve {

uint32_t device_bucket(const std::string& model, const std::string& channel, const std::string& device) {
  std::string key = model + "/" + channel + "/" + device;
  uint8_t d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, reinterpret_cast<const uint8_t*>(key.data()), key.size());
  uint32_t v = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | (uint32_t)d[3];
  return v % 10000;
}

Offer choose_offer(const OfferInput& in) {
  if (!in.current_id.empty()) {
    if (in.running_id == in.current_id) return Offer::kCurrent;
    bool full = in.percent >= 100;
    bool in_rollout = in.bucket ? *in.bucket < (uint32_t)in.percent * 100 : full;
    if (in.state == "active" && in_rollout) return Offer::kCurrent;
  }
  return in.fallback_id.empty() ? Offer::kNothing : Offer::kFallback;
}

bool should_halt(const ReportSummary& s, double halt_failures, int halt_min_reports) {
  if (s.devices <= 0 || s.failed <= 0 || s.devices < halt_min_reports) return false;
  // The share itself: failed >= halt_failures * devices misses equality (0.07 * 100 > 7 in doubles).
  return (double)s.failed / (double)s.devices >= halt_failures;
}

}  // namespace eiota::serve
