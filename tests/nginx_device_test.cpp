// The simulated device updates through nginx serving a tree `eiota publish --static` wrote:
// applied, then current; a connection dropped mid-body resumes with a Range request (206) and
// re-sends at most one chunk. Needs the device HTTP client (DESIGN9.md part A: the simulator's
// --server); skips, saying so, while the simulator does not have it.
#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>

#include "nginx_harness.h"
#include "ota_line.h"
#include "publish_support.h"

namespace fs = std::filesystem;
using namespace eiota::test;

namespace {

// Payload bytes a resumed download may receive twice: the bytes received past the last ones fed
// to the update when the connection dropped (one receive buffer of the client).
constexpr size_t kMaxResent = 1024;

// The simulator is built from sim/ of this source tree (embedded in eiota), so its source says
// whether it knows --server.
bool sim_has_server_flag() {
  std::string src = slurp(kSource + "/sim/sim_main.cpp");
  return src.find("\"--server\"") != std::string::npos;
}


int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) n++;
  return n;
}

class NginxDevice : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_NGINX();
    if (!sim_has_server_flag())
      GTEST_SKIP() << "the simulated device has no --server yet (sim/sim_main.cpp; DESIGN9.md part A, the device HTTP client)";
    ASSERT_GE(sodium_init(), 0);
    fx = publish_fixtures();
    ASSERT_FALSE(fx.empty());
    work = std::string(EIOTA_BINARY_DIR) + "/nginx-device";
    fs::create_directories(work);
    dev = simulated_device();
    ASSERT_FALSE(dev.empty());
    name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    tree = work / (name + "-site");
    store = work / (name + "-store");
    fs::remove_all(tree);
    fs::remove_all(store);
    fs::create_directories(store);
    Result p = run(kCli + " publish --static '" + tree.string() + "' --model demo --channel stable --base " + (fx / "patched").string() +
                   " " + (fx / "u3.eiota").string());
    ASSERT_EQ(p.code, 0) << p.out;
    access_log = (work / (name + "-access.log")).string();
    fs::remove(access_log);
    ASSERT_TRUE(nginx.start(tree, "/eiota/v1", access_log)) << nginx.log();
  }

  Result device(const std::string& extra = "") {
    return run("cd '" + work.string() + "' && '" + dev.string() + "' --store '" + store.string() + "' --server " + nginx.url() +
               " --model demo --channel stable --device-id dev-" + name + " " + extra);
  }
  std::string access() const { return slurp(access_log); }

  fs::path fx, work, dev, tree, store;
  std::string name, access_log;
  Nginx nginx;
};

TEST_F(NginxDevice, UpdatesThenIsCurrent) {
  std::string bytes = slurp(fx / "u3.eiota");
  std::string id = expected_pointer(bytes).substr(19, expected_pointer(bytes).find('\n', 19) - 19);
  Result first = device();
  Ota o;
  ASSERT_TRUE(parse_ota(first.out, o)) << first.out;
  EXPECT_EQ(first.code, 0) << first.out;
  EXPECT_EQ(o.result, "applied") << first.out;
  EXPECT_EQ(o.id, id);
  EXPECT_EQ(o.body_bytes, (long long)bytes.size()) << first.out;

  // After a "reboot" the device runs it: the pointer names what it runs, no payload is fetched.
  Result again = device();
  Ota c;
  ASSERT_TRUE(parse_ota(again.out, c)) << again.out;
  EXPECT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(c.result, "current") << again.out;
  EXPECT_EQ(c.id, id);
  EXPECT_EQ(c.body_bytes, 0) << again.out;
  EXPECT_EQ(count(access(), " GET /eiota/v1/demo/payloads/"), 1) << access();
}

TEST_F(NginxDevice, ADropMidBodyResumesWithARange) {
  std::string bytes = slurp(fx / "u3.eiota");
  size_t drop = bytes.size() / 2;
  Result r = device("--net-drop-after " + std::to_string(drop));
  Ota o;
  ASSERT_TRUE(parse_ota(r.out, o)) << r.out;
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(o.result, "applied") << r.out;
  EXPECT_GE(o.body_bytes, (long long)bytes.size()) << r.out;
  EXPECT_LE(o.body_bytes, (long long)(bytes.size() + kMaxResent)) << "more than one chunk re-sent\n" << r.out;
  std::string log = access();
  EXPECT_NE(log.find("206 GET /eiota/v1/demo/payloads/" + sha_of(bytes) + ".eiota \"bytes="), std::string::npos) << log;
}

}  // namespace
