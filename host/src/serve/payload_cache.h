// Payload bytes by (model, sha256), kept in memory once read: payloads never change, so nothing
// ever goes stale. Past `max_bytes` the cache starts over (payloads are few and small).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "db.h"

namespace eiota::serve {

struct CachedPayload {
  PayloadRow row;
  std::string bytes;
};

class PayloadCache {
 public:
  explicit PayloadCache(Db& db, size_t max_bytes = size_t(256) << 20) : db_(db), max_bytes_(max_bytes) {}
  // nullptr when the Db has no such payload.
  std::shared_ptr<const CachedPayload> get(const std::string& model, const std::string& sha256);
  std::shared_ptr<const CachedPayload> put(const PayloadRow& row, std::string bytes);

 private:
  Db& db_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const CachedPayload>> map_;
};

}  // namespace eiota::serve
