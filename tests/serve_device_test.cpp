// The simulated device (the POSIX device client of device/eiota_client.h) updating from real
// `eiota serve` processes: one on SQLite, and two on one PostgreSQL database, as behind a load
// balancer, where the device's requests land on either. A download dropped mid-body resumes with
// a Range and re-sends at most one receive buffer; the check-in after the update is a 304 with no
// body; reports and check-ins sent to one process are seen through the other; a pause or resume
// made through one process reaches devices asking the other.
#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "pg_harness.h"
#include "proc_harness.h"
#include "ota_line.h"
#include "publish_support.h"

namespace fs = std::filesystem;
using namespace eiota::test;
using json = nlohmann::json;

namespace {

// What a resumed download may receive twice: the client's receive buffer past the bytes it fed.
constexpr long long kMaxResent = 512;


std::string id_line(const std::string& payload) {
  std::string p = expected_pointer(payload);
  size_t at = p.find("\nid ") + 4;
  return p.substr(at, p.find('\n', at) - at);
}

class ServeDevice : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    fx = publish_fixtures();
    ASSERT_FALSE(fx.empty());
    work = std::string(EIOTA_BINARY_DIR) + "/serve-device";
    fs::create_directories(work);
    dev = simulated_device();
    ASSERT_FALSE(dev.empty());
    std::string name = std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (char& c : name)
      if (c == '/') c = '-';
    dir = work / (name + "-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "store");

    int processes = 1;
    if (GetParam() == "postgres") {
      PgServer& pg = pg_server();
      if (!pg.available()) GTEST_SKIP() << pg.skip_reason();
      ASSERT_TRUE(pg.ok()) << pg.error();
      db = pg.fresh_database();
      ASSERT_FALSE(db.empty()) << pg.error();
      processes = 2;
    } else {
      db = "sqlite:" + (dir / "serve.db").string();
    }
    Result m = admin("model --name demo --manifest " + (fx / "patched").string());
    ASSERT_EQ(m.code, 0) << m.out;
    Result t = run(kCli + " serve-admin --db " + db + " token --name test 2>/dev/null");
    ASSERT_EQ(t.code, 0) << t.out;
    token = t.out.substr(0, t.out.find('\n'));
    ASSERT_EQ(token.rfind("eiota_", 0), 0u) << t.out;
    for (int i = 0; i < processes; i++) {
      int port = free_port();
      servers.emplace_back(std::vector<std::string>{kCli, "serve", "--db", db, "--port", std::to_string(port), "--threads", "8"},
                           (dir / ("serve-" + std::to_string(i) + ".log")).string());
      ASSERT_TRUE(servers.back().wait_port(port)) << servers.back().log();
      urls.push_back("http://127.0.0.1:" + std::to_string(port) + "/eiota/v1");
    }
  }
  void TearDown() override {
    for (auto& s : servers) {
      s.stop();
      if (HasFailure()) std::cerr << "server log:\n" << s.log();
    }
    if (!HasFailure()) fs::remove_all(dir);
  }

  Result admin(const std::string& args) { return run(kCli + " serve-admin --db " + db + " " + args); }
  // The server the device or the publisher reaches this time (with two, a load balancer's pick).
  const std::string& at(size_t i) const { return urls[i % urls.size()]; }
  Result device(size_t server, const std::string& extra = "") {
    return run("cd '" + dir.string() + "' && " + dev.string() + " --store store --server " + at(server) +
               " --model demo --channel stable --device-id dev-1 " + extra);
  }
  Result cli(size_t server, const std::string& args) {
    return run("EIOTA_TOKEN=" + token + " " + kCli + " " + args + " --server " + at(server) + " --model demo --channel stable");
  }
  json status(size_t server) {
    Result r = cli(server, "status");
    EXPECT_EQ(r.code, 0) << r.out;
    return json::parse(r.out, nullptr, false);
  }

  fs::path fx, work, dev, dir;
  std::string db, token;
  std::vector<Child> servers;
  std::vector<std::string> urls;
};

TEST_P(ServeDevice, UpdatesResumesReportsAndFollowsTheRollout) {
  std::string u3 = slurp(fx / "u3.eiota"), u5 = slurp(fx / "u5.eiota");
  Result p = cli(0, "publish " + (fx / "u3.eiota").string() + " --percent 100");
  ASSERT_EQ(p.code, 0) << p.out;

  // The download is cut halfway; the client resumes it with a Range (206).
  Result first = device(0, "--net-drop-after " + std::to_string(u3.size() / 2));
  Ota o;
  ASSERT_TRUE(parse_ota(first.out, o)) << first.out;
  EXPECT_EQ(first.code, 0) << first.out;
  EXPECT_EQ(o.result, "applied") << first.out;
  EXPECT_EQ(o.id, id_line(u3));
  EXPECT_EQ(o.status, 206) << first.out;
  EXPECT_GE(o.body_bytes, (long long)u3.size());
  EXPECT_LE(o.body_bytes, (long long)u3.size() + kMaxResent) << "more than one receive re-sent\n" << first.out;

  // Next boot, through the other process: the application confirms the trial; the check is a 304
  // with no body.
  Result again = device(1, "--confirm");
  Ota c;
  ASSERT_TRUE(parse_ota(again.out, c)) << again.out;
  EXPECT_EQ(c.result, "current") << again.out;
  EXPECT_EQ(c.status, 304) << again.out;
  EXPECT_EQ(c.body_bytes, 0);
  Result rep = device(1, "--report confirmed");
  EXPECT_EQ(rep.code, 0) << rep.out;
  EXPECT_NE(rep.out.find("ota: report confirmed status=204"), std::string::npos) << rep.out;

  // The report and the last check-in (both sent to the last process, which buffers check-ins) are
  // seen through the first: check-ins reach the database within a second.
  json dev;
  for (int i = 0; i < 40; i++) {
    json s = status(0);
    for (const auto& d : s["devices"])
      if (d["id"] == "dev-1") dev = d;
    if (!dev.is_null() && !dev["last_report"].is_null() && dev["running"] == id_line(u3)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(dev.is_null());
  EXPECT_EQ(dev["running"], id_line(u3));
  EXPECT_EQ(dev["last_report"]["result"], "confirmed");
  EXPECT_GT(dev["last_checkin"].get<int64_t>(), 0);

  // A new release, paused through one process: a device asking the other is not offered it.
  ASSERT_EQ(cli(1, "publish " + (fx / "u5.eiota").string() + " --percent 100").code, 0);
  ASSERT_EQ(cli(0, "rollout --pause").code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));  // another process's cache: at most a second
  Result paused = device(1);
  Ota q;
  ASSERT_TRUE(parse_ota(paused.out, q)) << paused.out;
  EXPECT_EQ(q.result, "current") << paused.out;
  EXPECT_EQ(q.id, id_line(u3));
  ASSERT_EQ(cli(0, "rollout --resume").code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  Result resumed = device(1);
  Ota n;
  ASSERT_TRUE(parse_ota(resumed.out, n)) << resumed.out;
  EXPECT_EQ(n.result, "applied") << resumed.out;
  EXPECT_EQ(n.id, id_line(u5));
  EXPECT_EQ(n.body_bytes, (long long)u5.size());
}

TEST_P(ServeDevice, ATamperedPayloadIsRefusedAtUploadAndTheDeviceKeepsItsModel) {
  std::string u3 = slurp(fx / "u3.eiota");
  std::string bad = u3;
  bad[bad.size() - 3] ^= 1;
  std::ofstream(dir / "bad.eiota", std::ios::binary) << bad;
  Result up = cli(0, "publish " + (dir / "bad.eiota").string());
  EXPECT_EQ(up.code, 1) << up.out;
  EXPECT_NE(up.out.find("400"), std::string::npos) << up.out;
  // Nothing released: the channel does not exist, the device has nothing to do.
  Result d = device(servers.size() - 1);
  Ota o;
  ASSERT_TRUE(parse_ota(d.out, o)) << d.out;
  EXPECT_NE(o.result, "applied") << d.out;
  EXPECT_EQ(o.id, "0-0000000000000000") << d.out;
}

INSTANTIATE_TEST_SUITE_P(Backends, ServeDevice, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
