#include "payload_cache.h"

namespace eiota::serve {

std::shared_ptr<const CachedPayload> PayloadCache::get(const std::string& model, const std::string& sha256) {
  std::string key = model + "/" + sha256;
  {
    std::lock_guard l(mu_);
    auto it = map_.find(key);
    if (it != map_.end()) return it->second;
  }
  std::optional<PayloadRow> row = db_.payload(model, sha256);
  if (!row) return nullptr;
  std::optional<std::string> bytes = db_.payload_bytes(model, sha256);
  if (!bytes) return nullptr;
  return put(*row, std::move(*bytes));
}

std::shared_ptr<const CachedPayload> PayloadCache::put(const PayloadRow& row, std::string bytes) {
  auto p = std::make_shared<CachedPayload>(CachedPayload{row, std::move(bytes)});
  std::string key = row.model + "/" + row.sha256;
  std::lock_guard l(mu_);
  auto it = map_.find(key);
  if (it != map_.end()) return it->second;
  if (bytes_ + p->bytes.size() > max_bytes_) {
    map_.clear();
    bytes_ = 0;
  }
  bytes_ += p->bytes.size();
  map_.emplace(std::move(key), p);
  return p;
}

}  // namespace eiota::serve
