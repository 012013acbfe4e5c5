// Which release a device is offered, and when a rollout halts (docs/DELIVERY.md, "Which release a
// device is offered" and "Automatic halt"): pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "db.h"

namespace eiota::serve {

// 0..9999: the first 4 bytes (big endian) of SHA-256("<model>/<channel>/<device>") modulo 10000.
uint32_t device_bucket(const std::string& model, const std::string& channel, const std::string& device);

enum class Offer { kCurrent, kFallback, kNothing };

struct OfferInput {
  std::string state = "active";  // of the current release
  int percent = 100;
  std::string current_id, fallback_id;  // payload ids; fallback_id empty when there is none
  std::string running_id;               // what the device says it runs, may be empty
  std::optional<uint32_t> bucket;       // nullopt: the device did not say who it is
};

// A device running the current release is always told so; otherwise it gets the current release
// when the rollout is active and its bucket is below percent x 100 (a device that gave no id only
// at 100 %), else the fallback, else nothing.
Offer choose_offer(const OfferInput& in);

// After a report for the current release: true when at least halt_min_reports devices reported on
// it, at least one of them failed, and the failed share reaches halt_failures.
bool should_halt(const ReportSummary& s, double halt_failures, int halt_min_reports);

}  // namespace eiota::serve
