// A simulated NOR flash behind an eiota_flash: configurable erase and prog sizes and erased value,
// refuses to program bytes that are not erased, counts operations, and can lose power during or
// before the N-th erase/prog, leaving the interrupted bytes in a random state. Undo points let a
// test rewind the flash cheaply to try every cut point of a long sequence.
#ifndef EIOTA_TESTS_NOR_SIM_H
#define EIOTA_TESTS_NOR_SIM_H

#include <cstdint>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "eiota_flash.h"

class NorSim {
 public:
  NorSim(uint32_t size, uint32_t erase_size, uint32_t prog_size, uint8_t erased, uint64_t seed = 1)
      : mem_(size, erased), erase_size_(erase_size), prog_size_(prog_size), erased_(erased), rng_(seed) {}

  eiota_flash flash() {
    eiota_flash f;
    f.ctx = this;
    f.read = &NorSim::read_cb;
    f.prog = &NorSim::prog_cb;
    f.erase = &NorSim::erase_cb;
    f.size = (uint32_t)mem_.size();
    f.erase_size = erase_size_;
    f.prog_size = prog_size_;
    f.erased_value = erased_;
    f.mapped = nullptr;
    return f;
  }

  // Power fails at operation number `op` (1-based, counting erases and progs): torn, the operation
  // runs part way and leaves its bytes random; otherwise it never starts. Nothing runs after it.
  void cut_at(uint64_t op, bool torn) {
    cut_op_ = op;
    torn_ = torn;
  }
  void reboot() {
    dead_ = false;
    cut_op_ = 0;
  }
  bool dead() const { return dead_; }

  uint64_t ops() const { return erases + progs; }
  uint64_t erases = 0, progs = 0, reads = 0, bytes_programmed = 0, refused = 0, misaligned = 0;
  std::vector<uint8_t>& memory() { return mem_; }

  // Every change after mark() is logged so rewind() restores the flash and the counters.
  void mark() {
    undo_.clear();
    marked_ = {erases, progs};
    logging_ = true;
  }
  void rewind() {
    for (size_t i = undo_.size(); i-- > 0;)
      std::memcpy(mem_.data() + undo_[i].first, undo_[i].second.data(), undo_[i].second.size());
    undo_.clear();
    erases = marked_.first;
    progs = marked_.second;
    dead_ = false;
    cut_op_ = 0;
  }

 private:
  static int read_cb(void* ctx, uint32_t addr, uint8_t* buf, uint32_t len) {
    return static_cast<NorSim*>(ctx)->read(addr, buf, len);
  }
  static int prog_cb(void* ctx, uint32_t addr, const uint8_t* buf, uint32_t len) {
    return static_cast<NorSim*>(ctx)->prog(addr, buf, len);
  }
  static int erase_cb(void* ctx, uint32_t addr, uint32_t len) { return static_cast<NorSim*>(ctx)->erase(addr, len); }

  int read(uint32_t addr, uint8_t* buf, uint32_t len) {
    if (dead_) return -1;
    if ((uint64_t)addr + len > mem_.size()) return misaligned++, -2;
    reads++;
    std::memcpy(buf, mem_.data() + addr, len);
    return 0;
  }

  int prog(uint32_t addr, const uint8_t* buf, uint32_t len) {
    if (dead_) return -1;
    if ((uint64_t)addr + len > mem_.size() || addr % prog_size_ || len % prog_size_) return misaligned++, -2;
    for (uint32_t i = 0; i < len; i++)
      if (mem_[addr + i] != erased_) return refused++, -3;
    if (power_fails()) {
      if (torn_) {
        save(addr, len);
        progs++;
        tear(addr, len, buf);
      }
      return -1;
    }
    save(addr, len);
    progs++;
    std::memcpy(mem_.data() + addr, buf, len);
    bytes_programmed += len;
    return 0;
  }

  int erase(uint32_t addr, uint32_t len) {
    if (dead_) return -1;
    if ((uint64_t)addr + len > mem_.size() || addr % erase_size_ || len % erase_size_) return misaligned++, -2;
    if (power_fails()) {
      if (torn_) {
        save(addr, len);
        erases++;
        tear(addr, len, nullptr);
      }
      return -1;
    }
    save(addr, len);
    erases++;
    std::memset(mem_.data() + addr, erased_, len);
    return 0;
  }

  // The operation about to run is number ops() + 1; an untorn cut means it never starts (not counted).
  bool power_fails() {
    if (cut_op_ == 0 || ops() + 1 != cut_op_) return false;
    dead_ = true;
    return true;
  }

  // Done up to a random point, then each byte is the old value, the target value or noise.
  void tear(uint32_t addr, uint32_t len, const uint8_t* target) {
    uint32_t done = std::uniform_int_distribution<uint32_t>(0, len)(rng_);
    for (uint32_t i = 0; i < len; i++) {
      uint8_t want = target ? target[i] : erased_;
      if (i < done) {
        mem_[addr + i] = want;
        continue;
      }
      switch (rng_() % 3) {
        case 0: break;
        case 1: mem_[addr + i] = want; break;
        default: mem_[addr + i] = (uint8_t)rng_(); break;
      }
    }
  }

  void save(uint32_t addr, uint32_t len) {
    if (logging_) undo_.emplace_back(addr, std::vector<uint8_t>(mem_.begin() + addr, mem_.begin() + addr + len));
  }

  std::vector<uint8_t> mem_;
  uint32_t erase_size_, prog_size_;
  uint8_t erased_;
  std::mt19937_64 rng_;
  uint64_t cut_op_ = 0;
  bool torn_ = false, dead_ = false, logging_ = false;
  std::pair<uint64_t, uint64_t> marked_{0, 0};
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> undo_;
};

#endif  // EIOTA_TESTS_NOR_SIM_H
