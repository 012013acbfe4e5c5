// Device API edge cases: a context begun again while it still owns written values, a zero-length
// write with no buffer, and the Arduino Stream adapter telling a stream's end from a stall.
// Built with -fsanitize=undefined (CMakeLists.txt) together with the device sources.
#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "eiota_update.h"
#include "payload.h"

#ifndef EIOTA_HOST_ARDUINO_SHIM
#define EIOTA_HOST_ARDUINO_SHIM "Arduino.h"
#endif
#include "eiota_arduino.h"

using namespace eiota::host;

namespace {

const int8_t f_a[40] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                        21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40};
const float f_b[6] = {0.5f, 0.25f, 0.125f, 1.5f, 3.0f, -2.0f};
int8_t w_a[40];
float w_b[6];
const eiota_region kRegions[] = {{f_a, w_a, 40, EIOTA_INT8, 0}, {f_b, w_b, 6, EIOTA_FLOAT32, 0}};
const eiota_block kBlocks[] = {{kRegions, 2}};
const uint8_t kFingerprint[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

SecretKey g_key;
eiota_model_state g_state;

eiota_model make_model() {
  if (sodium_init() < 0) abort();
  crypto_sign_keypair(g_key.pk.data(), g_key.sk.data());
  return eiota_model{kBlocks, 1, 2, kFingerprint, g_key.pk.data(), key_id(g_key.pk), &g_state, &eiota_ram_storage};
}

}  // namespace

// The Arduino adapter applies to the library's default model.
extern "C" const eiota_model eiota_default_model = make_model();

namespace {

class DeviceApi : public ::testing::Test {
 protected:
  void SetUp() override {
    g_state = eiota_model_state{};
    std::memcpy(fp.data(), kFingerprint, 16);
    ASSERT_EQ(eiota_model_restore(m()), EIOTA_OK);
  }
  const eiota_model* m() const { return &eiota_default_model; }

  std::string payload(uint64_t seq = 3) const {
    std::vector<Region> rs;
    for (const auto& r : kRegions) {
      Region g;
      g.elem_type = r.elem_type;
      g.count = r.count;
      size_t n = eiota_region_size(&r);
      g.values.assign((const uint8_t*)r.factory, (const uint8_t*)r.factory + n);
      for (auto& v : g.values) v = (uint8_t)(v ^ 0x5a);
      rs.push_back(g);
    }
    return write_payload(fp, rs, seq, g_key);
  }
  static std::vector<uint8_t> bytes(const eiota_region& r, const void* p) {
    return std::vector<uint8_t>((const uint8_t*)p, (const uint8_t*)p + eiota_region_size(&r));
  }
  bool factory_values() const {
    for (const auto& r : kRegions)
      if (bytes(r, r.working) != bytes(r, r.factory)) return false;
    return true;
  }
  int write(eiota_update* u, const std::string& p, size_t from, size_t to) {
    return eiota_update_write(u, (const uint8_t*)p.data() + from, to - from);
  }

  std::array<uint8_t, 16> fp{};
};

const size_t kDataAt = 144 + 2 * 16;

TEST_F(DeviceApi, BeginAgainMidWriteRestoresFactoryValues) {
  std::string p = payload();
  eiota_update u;
  eiota_update_begin(&u, m());
  ASSERT_EQ(write(&u, p, 0, kDataAt + 10), EIOTA_OK);  // some new values written
  EXPECT_EQ(g_state.status, EIOTA_STATUS_UPDATING);
  EXPECT_FALSE(factory_values());

  // A retry on the same context that fails before its data.
  std::string bad = p;
  bad[90] ^= 1;  // signature
  eiota_update_begin(&u, m());
  EXPECT_EQ(g_state.status, EIOTA_STATUS_FACTORY);
  EXPECT_EQ(write(&u, bad, 0, bad.size()), EIOTA_ERR_BAD_SIGNATURE);
  EXPECT_EQ(g_state.status, EIOTA_STATUS_FACTORY);
  EXPECT_TRUE(factory_values());
  EXPECT_TRUE(eiota_model_ready(m()));

  // The context works again afterwards.
  eiota_update_begin(&u, m());
  ASSERT_EQ(write(&u, p, 0, p.size()), EIOTA_OK);
  ASSERT_EQ(eiota_update_finish(&u), EIOTA_OK);
  EXPECT_EQ(g_state.status, EIOTA_STATUS_UPDATED);
}

struct Chunks {
  std::string bytes;
  size_t pos = 0;
};
int read_chunks(void* ctx, uint8_t* buf, uint32_t max) {
  Chunks* c = static_cast<Chunks*>(ctx);
  if (max == 0) return c->pos < c->bytes.size() ? 1 : 0;
  size_t n = std::min<size_t>(max, c->bytes.size() - c->pos);
  std::memcpy(buf, c->bytes.data() + c->pos, n);
  c->pos += n;
  return (int)n;
}

TEST_F(DeviceApi, PullRetryOnAContextLeftWritingNeverLeavesAMix) {
  std::string p = payload();
  static eiota_update u;
  eiota_update_begin(&u, m());
  ASSERT_EQ(write(&u, p, 0, kDataAt + 7), EIOTA_OK);  // a push update walked away mid-data
  Chunks wrong{p.substr(0, 40)};                       // the retry's stream breaks in the header
  EXPECT_EQ(eiota_update_pull(&u, m(), read_chunks, &wrong), EIOTA_ERR_TRUNCATED);
  EXPECT_NE(g_state.status, EIOTA_STATUS_UPDATING);
  EXPECT_TRUE(factory_values());
  EXPECT_TRUE(eiota_model_ready(m()));
  Chunks right{p};
  EXPECT_EQ(eiota_update_pull(&u, m(), read_chunks, &right), EIOTA_OK);
}

TEST_F(DeviceApi, BeginOnAnotherContextLeavesTheWriterAlone) {
  std::string p = payload();
  eiota_update a, b;
  eiota_update_begin(&a, m());
  ASSERT_EQ(write(&a, p, 0, kDataAt + 5), EIOTA_OK);
  eiota_update_begin(&b, m());  // not the writer: a keeps the values
  EXPECT_EQ(g_state.status, EIOTA_STATUS_UPDATING);
  ASSERT_EQ(write(&a, p, kDataAt + 5, p.size()), EIOTA_OK);
  ASSERT_EQ(eiota_update_finish(&a), EIOTA_OK);
  // A finished context begun again restores nothing.
  eiota_update_begin(&a, m());
  EXPECT_EQ(g_state.status, EIOTA_STATUS_UPDATED);
  EXPECT_FALSE(factory_values());
}

TEST_F(DeviceApi, ZeroLengthWritesWithoutABufferAreAllowedAnywhere) {
  std::string p = payload();
  eiota_update u;
  eiota_update_begin(&u, m());
  size_t cuts[] = {0, 40, 80, 100, 144, 150, 160, 170, kDataAt, kDataAt + 3, p.size()};
  size_t at = 0;
  for (size_t cut : cuts) {
    ASSERT_EQ(write(&u, p, at, cut), EIOTA_OK) << cut;
    ASSERT_EQ(eiota_update_write(&u, NULL, 0), EIOTA_OK) << "at " << cut;
    at = cut;
  }
  ASSERT_EQ(eiota_update_finish(&u), EIOTA_OK);
}

// The Arduino Stream adapter.

std::string temp_file(const std::string& bytes) {
  char path[] = "/tmp/eiota-stream-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), (ssize_t)bytes.size());
  close(fd);
  return path;
}

TEST_F(DeviceApi, ArduinoStreamThatEndsEarlyIsTruncated) {
  std::string p = payload();
  for (size_t len : {(size_t)10, (size_t)100, kDataAt + 9}) {
    std::string path = temp_file(p.substr(0, len));
    FileStream f(path.c_str());
    f.setTimeout(5);
    EXPECT_EQ(eiota_update_from_stream(f), EIOTA_ERR_TRUNCATED) << "length " << len;
    unlink(path.c_str());
    EXPECT_TRUE(factory_values());
  }
  std::string path = temp_file(p);
  FileStream f(path.c_str());
  EXPECT_EQ(ei_update_weights(f), "");
  unlink(path.c_str());
  EXPECT_EQ(ei_restore_weights(), "");
}

// A network client: bytes stop arriving while it stays connected.
class StalledClient : public Stream {
 public:
  explicit StalledClient(std::string b) : bytes_(b) {}
  size_t write(uint8_t) override { return 1; }
  int available() override { return (int)(bytes_.size() - pos_); }
  int read() override { return pos_ < bytes_.size() ? (uint8_t)bytes_[pos_++] : -1; }
  int peek() override { return pos_ < bytes_.size() ? (uint8_t)bytes_[pos_] : -1; }
  bool connected() { return open_; }
  void close() { open_ = false; }

 private:
  std::string bytes_;
  size_t pos_ = 0;
  bool open_ = true;
};

TEST_F(DeviceApi, ArduinoClientTellsAStallFromTheEnd) {
  std::string p = payload();
  StalledClient stalled(p.substr(0, kDataAt + 4));
  stalled.setTimeout(5);
  EXPECT_EQ(eiota_update_from_client(stalled), EIOTA_ERR_TIMEOUT);
  EXPECT_TRUE(factory_values());
  StalledClient closed(p.substr(0, kDataAt + 4));
  closed.setTimeout(5);
  closed.close();
  EXPECT_EQ(eiota_update_from_client(closed), EIOTA_ERR_TRUNCATED);
  StalledClient whole(p);
  EXPECT_EQ(eiota_update_from_client(whole), EIOTA_OK);
}

}  // namespace
