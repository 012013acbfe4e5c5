// Reviewer's tests for the delivery code (device client, POSIX transport, eiota serve): each one
// fails on the code as reviewed and names the bug it shows.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/time.h>

#include <chrono>
#include <filesystem>

#include "canned_http.h"
#include "db.h"
#include "eiota_client.h"
#include "eiota_posix_transport.h"
#include "rollout.h"
#include "store_harness.h"

using canned::Conn;
using canned::Server;

namespace {

const store_harness::Geometry kGeom = {64, 1, 0xFF, 40};

struct Rig {
  store_harness::Device d{kGeom, false, 3};
  eiota_posix_socket sock;
  eiota_transport t;
  eiota_client c;
  eiota_update u;
  eiota_client_config cfg;
  std::string url;

  explicit Rig(const std::string& u_, uint32_t timeout_ms = 3000) : url(u_) {
    d.known(1);
    EXPECT_EQ(d.boot(), EIOTA_OK);
    eiota_posix_transport_init(&sock, &t);
    cfg = {&t, url.c_str(), "m", "stable", "dev-1", timeout_ms, 3, nullptr, nullptr};
    EXPECT_EQ(eiota_client_init(&c, &cfg), EIOTA_OK);
  }
};

std::string factory_pointer() {
  return "eiota-pointer 1\nid 0-0000000000000000\nsequence 0\nsize 100\nsha256 " + std::string(64, 'a') + "\npayload payloads/" +
         std::string(64, 'a') + ".eiota\n";
}

// A server (or proxy) sends an ETag the client keeps (it only drops ones with '"' or over 64
// bytes) but eiota_http_write_request refuses to send back (a space, a control byte, obs-text,
// which RFC 9110 allows in an entity-tag). The pointer names the running payload, so the ETag is
// settled, and from then on every check fails before it is sent: the device never checks again
// this boot, whatever the server later releases.
TEST(ReviewClient, AnETagTheClientCannotSendBackDoesNotStopLaterChecks) {
  for (const char* etag : {"a b", "caf\xc3\xa9", "x\x01y"}) {
    Server s([&](Conn& c) { c.write("HTTP/1.1 200 OK\r\nETag: \"" + std::string(etag) + "\"\r\nContent-Length: " +
                                    std::to_string(factory_pointer().size()) + "\r\nConnection: close\r\n\r\n" + factory_pointer()); });
    Rig r(s.url());
    ASSERT_EQ(eiota_client_check(&r.c, &r.d.model), EIOTA_CLIENT_CURRENT);
    EXPECT_EQ(eiota_client_check(&r.c, &r.d.model), EIOTA_CLIENT_CURRENT) << "ETag \"" << etag << "\"";
    EXPECT_EQ(s.requests().size(), 2u) << "the second check never reached the server (ETag \"" << etag << "\")";
  }
}

int alarms = 0;
void on_alarm(int) { alarms++; }

// A periodic signal (a profiler, an application timer) interrupts poll() with EINTR, and
// wait_for restarts the whole timeout each time: recv never times out while signals keep coming.
TEST(ReviewPosixTransport, APeriodicSignalDoesNotStretchTheTimeout) {
  Server s([](Conn& c) { c.stall(2500); });
  struct sigaction sa = {};
  sa.sa_handler = on_alarm;  // no SA_RESTART: poll() returns EINTR
  struct sigaction old = {};
  ASSERT_EQ(sigaction(SIGALRM, &sa, &old), 0);
  itimerval every = {{0, 50000}, {0, 50000}};  // every 50 ms
  ASSERT_EQ(setitimer(ITIMER_REAL, &every, nullptr), 0);
  Rig r(s.url(), 300);
  auto t0 = std::chrono::steady_clock::now();
  int got = eiota_client_check(&r.c, &r.d.model);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  itimerval off = {};
  setitimer(ITIMER_REAL, &off, nullptr);
  sigaction(SIGALRM, &old, nullptr);
  EXPECT_GT(alarms, 0);
  EXPECT_EQ(got, EIOTA_ERR_TIMEOUT);
  EXPECT_LT(wall, 1.5) << "a 300 ms timeout took " << wall << " s";
}

// DELIVERY.md: halt when the failed share "reaches halt_failures". 7 of 100 is 0.07, but
// should_halt compares failed >= halt_failures * devices, and 0.07 * 100 is 7.000000000000001.
TEST(ReviewHalt, AShareThatEqualsHaltFailuresHalts) {
  eiota::serve::ReportSummary s;
  s.devices = 100;
  s.failed = 7;
  EXPECT_TRUE(eiota::serve::should_halt(s, 0.07, 5));
  s.devices = 10;
  s.failed = 7;
  EXPECT_TRUE(eiota::serve::should_halt(s, 0.7, 5));
}

class ReviewSqlite : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/eiota-review-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
    db = eiota::serve::open_db("sqlite:" + dir + "/serve.db");
    db->migrate();
  }
  void TearDown() override {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  int64_t count(const char* sql) {
    sqlite3* h = nullptr;
    EXPECT_EQ(sqlite3_open((dir + "/serve.db").c_str(), &h), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(h, sql, -1, &st, nullptr), SQLITE_OK);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
  }
  std::string dir;
  std::unique_ptr<eiota::serve::Db> db;
};

// DELIVERY.md "Storage": "A device's last check-in and last report are one row each, so the
// tables grow with the fleet, not with time." The SQLite backend also appends every report to a
// `reports` table nothing reads, so one device (reports need no token) grows the file forever.
TEST_F(ReviewSqlite, ReportsFromOneDeviceKeepOneRow) {
  for (int i = 0; i < 50; i++)
    db->record_report(eiota::serve::Report{"m", "d1", "stable", "1-0123456789abcdef", "2-0123456789abcdef", "failed", -3, 100 + i});
  EXPECT_EQ(count("SELECT count(*) FROM devices"), 1);
  // No table keeps more rows than one per device (or model, channel, payload): none holds 50.
  for (const char* t : {"models", "tokens", "payloads", "channels", "devices"}) {
    std::string q = std::string("SELECT count(*) FROM ") + t;
    EXPECT_LE(count(q.c_str()), 1) << t;
  }
  EXPECT_EQ(count("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT IN "
                  "('models', 'tokens', 'payloads', 'channels', 'devices', 'meta')"), 0);
}

}  // namespace
