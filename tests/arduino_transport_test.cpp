// The delivery transport over an Arduino Client (device/eiota_arduino_transport.h), on the host
// Arduino shim with a scripted client: bytes as they become available, a close after the last,
// a stall that times out by waiting in delay(1), partial writes, and a whole check through it.
#define EIOTA_HOST_ARDUINO_SHIM "../sim/arduino/Arduino.h"  // relative to device/
#include "eiota_arduino_transport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <string>
#include <thread>

#include "eiota_client.h"

namespace {

unsigned long g_now = 0;  // a fake clock: delay() advances it, so waits are counted, not slept
unsigned long g_delays = 0;

// A client whose peer sends `script` pieces, one per available() poll that finds it ready.
struct ScriptedClient {
  std::deque<std::string> pieces;  // "" = nothing available for one poll
  std::string sent;
  bool open = false, close_after = true;
  size_t write_max = 1000;  // bytes taken per write() call
  int connects = 0, stops = 0;

  int connect(const char*, uint16_t) {
    connects++;
    open = true;
    return 1;
  }
  int available() {
    while (!pieces.empty() && pieces.front().empty()) {
      pieces.pop_front();
      return 0;
    }
    return pieces.empty() ? 0 : (int)pieces.front().size();
  }
  int read(uint8_t* buf, size_t n) {
    std::string& f = pieces.front();
    size_t k = std::min(n, f.size());
    memcpy(buf, f.data(), k);
    f.erase(0, k);
    if (f.empty()) pieces.pop_front();
    return (int)k;
  }
  size_t write(const uint8_t* d, size_t n) {
    size_t k = std::min(n, write_max);
    sent.append((const char*)d, k);
    return k;
  }
  bool connected() { return open && (!close_after || !pieces.empty()); }
  void stop() {
    stops++;
    open = false;
  }
};

}  // namespace

unsigned long millis() { return g_now; }
void delay(unsigned long ms) {
  g_delays++;
  g_now += ms;
}

namespace {

TEST(ArduinoTransport, ReadsWhatIsAvailableThenSeesTheClose) {
  ScriptedClient c;
  c.pieces = {"", "hello ", "", "", "world"};
  eiota_transport t = eiota_arduino_transport(c);
  ASSERT_EQ(t.connect(t.ctx, "h", 80, 1000), EIOTA_OK);
  uint8_t buf[4];
  std::string got;
  int n;
  while ((n = t.recv(t.ctx, buf, sizeof buf, 1000)) > 0) got.append((char*)buf, n);
  EXPECT_EQ(n, 0);
  EXPECT_EQ(got, "hello world");
  EXPECT_EQ(g_delays, 3u);  // one delay(1) per empty poll, never a spin
}

TEST(ArduinoTransport, AStallTimesOutByWaitingInDelay) {
  ScriptedClient c;
  c.close_after = false;  // connected, silent
  eiota_transport t = eiota_arduino_transport(c);
  ASSERT_EQ(t.connect(t.ctx, "h", 80, 1000), EIOTA_OK);
  uint8_t buf[4];
  unsigned long d0 = g_delays, t0 = g_now;
  EXPECT_EQ(t.recv(t.ctx, buf, sizeof buf, 250), EIOTA_ERR_TIMEOUT);
  EXPECT_EQ(g_now - t0, 250u);
  EXPECT_EQ(g_delays - d0, 250u);
}

TEST(ArduinoTransport, PartialWritesAreCompleted) {
  ScriptedClient c;
  c.write_max = 3;
  c.close_after = false;
  eiota_transport t = eiota_arduino_transport(c);
  ASSERT_EQ(t.connect(t.ctx, "h", 80, 1000), EIOTA_OK);
  EXPECT_EQ(t.send(t.ctx, (const uint8_t*)"0123456789", 10, 1000), EIOTA_OK);
  EXPECT_EQ(c.sent, "0123456789");
  c.write_max = 0;  // the peer takes nothing more
  EXPECT_EQ(t.send(t.ctx, (const uint8_t*)"x", 1, 100), EIOTA_ERR_TIMEOUT);
  c.open = false;
  EXPECT_EQ(t.send(t.ctx, (const uint8_t*)"x", 1, 100), EIOTA_ERR_NET);
  t.close(t.ctx);
  EXPECT_FALSE(c.open);
}

TEST(ArduinoTransport, TheClientChecksThroughIt) {
  ScriptedClient c;
  c.pieces = {"HTTP/1.1 304 Not", "", " Modified\r\nETag: \"7-0011223344556677\"\r\n\r\n"};
  eiota_transport t = eiota_arduino_transport(c);
  eiota_client_config cfg = {&t, "http://updates.example.com/eiota/v1", "kws", "stable", "esp32-1", 1000, 0, nullptr, nullptr};
  static eiota_client client;
  ASSERT_EQ(eiota_client_init(&client, &cfg), EIOTA_OK);
  EXPECT_EQ(eiota_client_check(&client, nullptr), EIOTA_CLIENT_CURRENT);
  EXPECT_EQ(client.status, 304);
  EXPECT_EQ(c.sent.rfind("GET /eiota/v1/kws/stable/pointer?device=esp32-1&running=0-0000000000000000 HTTP/1.1\r\n", 0), 0u) << c.sent;
  EXPECT_NE(c.sent.find("\r\nHost: updates.example.com\r\n"), std::string::npos);
  EXPECT_EQ(c.stops, 2);  // before connecting, and after the response
}

}  // namespace
