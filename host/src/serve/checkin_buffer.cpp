#include "checkin_buffer.h"

#include <chrono>
#include <iostream>

namespace eiota::serve {

CheckinBuffer::CheckinBuffer(Db& db, int interval_ms, size_t max_devices)
    : db_(db), interval_ms_(interval_ms), max_devices_(max_devices), thread_([this] { loop(); }) {}

CheckinBuffer::~CheckinBuffer() { stop(); }

void CheckinBuffer::add(CheckIn c) {
  std::string key = c.model + '\n' + c.device;
  Shard& s = shards_[std::hash<std::string>()(key) % kShards];
  std::lock_guard l(s.mu);
  auto it = s.waiting.find(key);
  if (it != s.waiting.end()) {
    it->second = std::move(c);
  } else if (s.waiting.size() < max_devices_ / kShards + 1) {
    s.waiting.emplace(std::move(key), std::move(c));
  } else {
    s.dropped++;
  }
}

std::vector<CheckIn> CheckinBuffer::take() {
  std::vector<CheckIn> out;
  for (Shard& s : shards_) {
    std::unordered_map<std::string, CheckIn> batch;
    {
      std::lock_guard l(s.mu);
      batch.swap(s.waiting);
    }
    for (auto& [k, c] : batch) out.push_back(std::move(c));
  }
  return out;
}

void CheckinBuffer::flush() {
  std::lock_guard f(flush_mu_);
  std::vector<CheckIn> batch = take();
  if (batch.empty()) return;
  try {
    db_.record_checkins(batch);
  } catch (const std::exception& e) {
    // Check-ins are a record of what devices said, not state anyone waits on: a failed batch is
    // reported and dropped rather than retried forever against a database that refuses it.
    std::cerr << "eiota serve: " << batch.size() << " check-ins not recorded: " << e.what() << "\n";
  }
}

void CheckinBuffer::loop() {
  std::unique_lock l(mu_);
  while (!stopping_) {
    cv_.wait_for(l, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
    l.unlock();
    flush();
    l.lock();
  }
}

void CheckinBuffer::stop() {
  {
    std::lock_guard l(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  flush();
}

uint64_t CheckinBuffer::dropped() {
  uint64_t n = 0;
  for (Shard& s : shards_) {
    std::lock_guard l(s.mu);
    n += s.dropped;
  }
  return n;
}

}  // namespace eiota::serve
