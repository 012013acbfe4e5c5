// Device check-ins kept in memory and written to the Db in batches by a background thread, so a
// pointer GET never waits for the database. A device that checks in twice between flushes is
// written once (its latest); past `max_devices` distinct devices waiting, new ones are dropped
// (and counted) until the next flush.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "db.h"

namespace eiota::serve {

class CheckinBuffer {
 public:
  CheckinBuffer(Db& db, int interval_ms = 1000, size_t max_devices = 200000);
  ~CheckinBuffer();  // stops and flushes
  CheckinBuffer(const CheckinBuffer&) = delete;
  CheckinBuffer& operator=(const CheckinBuffer&) = delete;

  void add(CheckIn c);
  // Writes what is waiting now (the background thread calls it every interval; stop() once more).
  void flush();
  void stop();
  uint64_t dropped();

 private:
  void loop();
  std::vector<CheckIn> take();

  Db& db_;
  int interval_ms_;
  size_t max_devices_;
  // Sharded by device so the pool's threads seldom wait for each other on the hot path.
  static constexpr size_t kShards = 16;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, CheckIn> waiting;  // key: model + '\n' + device
    uint64_t dropped = 0;
  };
  Shard shards_[kShards];
  std::mutex mu_;  // stopping_
  std::mutex flush_mu_;  // one flush at a time, in order
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace eiota::serve
