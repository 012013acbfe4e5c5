// Values read from the Db kept for a short time (the ~1 s rule of docs/DELIVERY.md, "Storage"):
// while one thread re-reads a stale entry the others keep using it, so an expiry costs one query,
// not one per request in flight. Absent values (nullptr) are cached too.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace eiota::serve {

template <class V>
class TtlCache {
 public:
  using Ptr = std::shared_ptr<const V>;
  explicit TtlCache(std::chrono::milliseconds ttl, size_t max_entries = 10000) : ttl_(ttl), max_(max_entries) {}

  // `load(old)` reads the value again (old: what was cached, may be null); it may return `old`.
  template <class F>
  Ptr get(const std::string& key, F&& load) {
    auto now = std::chrono::steady_clock::now();
    {
      std::shared_lock l(mu_);  // the common case: fresh, and many threads at once
      auto it = entries_.find(key);
      if (it != entries_.end() && (now - it->second.fetched < ttl_ || it->second.refreshing)) return it->second.value;
    }
    Ptr old;
    {
      std::lock_guard l(mu_);
      auto it = entries_.find(key);
      if (it != entries_.end()) {
        Entry& e = it->second;
        if (now - e.fetched < ttl_ || e.refreshing) return e.value;
        e.refreshing = true;
        old = e.value;
      }
    }
    Ptr fresh;
    try {
      fresh = load(old);
    } catch (...) {
      std::lock_guard l(mu_);
      auto it = entries_.find(key);
      if (it != entries_.end()) it->second.refreshing = false;
      throw;
    }
    std::lock_guard l(mu_);
    if (entries_.size() >= max_ && !entries_.count(key)) entries_.clear();  // names are cheap to re-read
    entries_[key] = Entry{fresh, std::chrono::steady_clock::now(), false};
    return fresh;
  }
  void erase(const std::string& key) {
    std::lock_guard l(mu_);
    entries_.erase(key);
  }

 private:
  struct Entry {
    Ptr value;
    std::chrono::steady_clock::time_point fetched;
    bool refreshing = false;
  };
  std::chrono::milliseconds ttl_;
  size_t max_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace eiota::serve
