// `eiota publish --server` and `eiota rollout` against a stand-in for `eiota serve` in this test
// (an httplib::Server answering as docs/DELIVERY.md says): the requests they send, and errors
// that name the server and quote its reason.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sodium.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "proc_harness.h"
#include "publish_support.h"

using namespace eiota::test;
using nlohmann::json;

namespace {

struct Seen {
  std::string method, path, auth, content_type, body;
};

class PublishServer : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    fx = publish_fixtures();
    ASSERT_FALSE(fx.empty());
    auto record = [this](const httplib::Request& q) {
      std::lock_guard<std::mutex> l(mu);
      seen.push_back({q.method, q.path, q.get_header_value("Authorization"), q.get_header_value("Content-Type"), q.body});
    };
    srv.Put(R"(/eiota/v1/([^/]+)/payloads)", [this, record](const httplib::Request& q, httplib::Response& r) {
      record(q);
      if (q.get_header_value("Authorization") != "Bearer tok-1") return refuse(r, 401, "bad or missing token\n");
      if (upload_status != 201) return refuse(r, upload_status, upload_reason);
      r.status = 201;
      json j = {{"sha256", sha_of(q.body)}, {"id", "3-0123456789abcdef"}, {"sequence", 3}, {"size", q.body.size()}};
      r.set_content(j.dump(), "application/json");
    });
    srv.Post(R"(/eiota/v1/([^/]+)/([^/]+)/(release|rollout))", [this, record](const httplib::Request& q, httplib::Response& r) {
      record(q);
      if (q.get_header_value("Authorization") != "Bearer tok-1") return refuse(r, 401, "bad or missing token");
      if (post_status != 200) return refuse(r, post_status, post_reason);
      r.set_content("{\"state\":\"active\"}", "application/json");
    });
    port = free_port();
    thread = std::thread([this] { srv.listen("127.0.0.1", port); });
    for (int i = 0; i < 200 && !srv.is_running(); i++) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(srv.is_running());
    url = "http://127.0.0.1:" + std::to_string(port) + "/eiota/v1";
  }
  void TearDown() override {
    srv.stop();
    if (thread.joinable()) thread.join();
  }
  static void refuse(httplib::Response& r, int status, const std::string& reason) {
    r.status = status;
    r.set_content(reason, "text/plain");
  }
  Result cli(const std::string& args) { return run(kCli + " " + args); }
  std::vector<Seen> requests() {
    std::lock_guard<std::mutex> l(mu);
    return seen;
  }

  std::filesystem::path fx;
  httplib::Server srv;
  std::thread thread;
  int port = 0;
  std::string url;
  std::mutex mu;
  std::vector<Seen> seen;
  int upload_status = 201, post_status = 200;
  std::string upload_reason, post_reason;
};

TEST_F(PublishServer, UploadsThenReleases) {
  std::string bytes = slurp(fx / "u3.eiota");
  Result r = cli("publish --server " + url + " --token tok-1 --model demo --channel beta --percent 10 --halt-failures 0.5 "
                 "--halt-min-reports 20 " + (fx / "u3.eiota").string());
  ASSERT_EQ(r.code, 0) << r.out;
  auto q = requests();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].method, "PUT");
  EXPECT_EQ(q[0].path, "/eiota/v1/demo/payloads");
  EXPECT_EQ(q[0].auth, "Bearer tok-1");
  EXPECT_EQ(q[0].body, bytes);
  EXPECT_EQ(q[1].method, "POST");
  EXPECT_EQ(q[1].path, "/eiota/v1/demo/beta/release");
  EXPECT_EQ(q[1].content_type, "application/json");
  json rel = json::parse(q[1].body);
  EXPECT_EQ(rel.at("sha256"), sha_of(bytes));
  EXPECT_EQ(rel.at("percent"), 10);
  EXPECT_DOUBLE_EQ(rel.at("halt_failures").get<double>(), 0.5);
  EXPECT_EQ(rel.at("halt_min_reports"), 20);
  EXPECT_NE(r.out.find("uploaded 3-0123456789abcdef"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("released 3-0123456789abcdef on demo/beta to 10%"), std::string::npos) << r.out;
}

TEST_F(PublishServer, DefaultsAreDeliveryMds) {
  setenv("EIOTA_TOKEN", "tok-1", 1);  // inherited by the CLI: no --token
  Result r = cli("publish --server " + url + "/ --model demo --channel stable " + (fx / "u3.eiota").string());
  unsetenv("EIOTA_TOKEN");
  ASSERT_EQ(r.code, 0) << r.out;
  auto q = requests();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].path, "/eiota/v1/demo/payloads");  // the trailing slash of the URL is not doubled
  json rel = json::parse(q[1].body);
  EXPECT_EQ(rel.at("percent"), 100);
  EXPECT_DOUBLE_EQ(rel.at("halt_failures").get<double>(), 0.2);
  EXPECT_EQ(rel.at("halt_min_reports"), 5);
}

TEST_F(PublishServer, ARefusalNamesTheServerAndQuotesItsReason) {
  Result bad_token = cli("publish --server " + url + " --token nope --model demo --channel stable " + (fx / "u3.eiota").string());
  EXPECT_EQ(bad_token.code, 1);
  EXPECT_NE(bad_token.out.find("eiota publish: " + url + ": PUT /eiota/v1/demo/payloads: 401 Unauthorized: \"bad or missing token\""),
            std::string::npos)
      << bad_token.out;
  EXPECT_EQ(requests().size(), 1u) << "released after a refused upload";

  upload_status = 409;
  upload_reason = "signed by key id 1234abcd, not by the key registered for demo\nsecond line not shown";
  Result other = cli("publish --server " + url + " --token tok-1 --model demo --channel stable " + (fx / "foreign-key.eiota").string());
  EXPECT_EQ(other.code, 1);
  EXPECT_NE(other.out.find("409 Conflict: \"signed by key id 1234abcd, not by the key registered for demo\""), std::string::npos) << other.out;
  EXPECT_EQ(other.out.find("second line"), std::string::npos) << other.out;

  upload_status = 201;
  post_status = 409;
  post_reason = "sequence 3 is lower than the current release's 5";
  Result lower = cli("publish --server " + url + " --token tok-1 --model demo --channel stable " + (fx / "u3.eiota").string());
  EXPECT_EQ(lower.code, 1);
  EXPECT_NE(lower.out.find(url + ": POST /eiota/v1/demo/stable/release: 409 Conflict: \"sequence 3 is lower"), std::string::npos)
      << lower.out;
}

TEST_F(PublishServer, NoServerIsSaidSo) {
  std::string nowhere = "http://127.0.0.1:" + std::to_string(free_port()) + "/eiota/v1";
  Result r = cli("publish --server " + nowhere + " --token t --model demo --channel stable " + (fx / "u3.eiota").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find(nowhere + ": PUT /eiota/v1/demo/payloads: no answer ("), std::string::npos) << r.out;
}

TEST_F(PublishServer, BadUrlsNamesAndFlagsAreRefusedBeforeAnyRequest) {
  std::string p = " " + (fx / "u3.eiota").string();
  for (const std::string& args : {"--server ftp://x --token t --model demo --channel stable" + p,
                                  "--server 127.0.0.1:80 --token t --model demo --channel stable" + p,
                                  "--server " + url + " --model demo --channel stable" + p,
                                  "--server " + url + " --token t --model ../x --channel stable" + p,
                                  "--server " + url + " --token t --model demo --channel a/b" + p,
                                  "--server " + url + " --token t --model demo --channel stable --base x" + p}) {
    unsetenv("EIOTA_TOKEN");
    Result r = cli("publish " + args);
    EXPECT_EQ(r.code, 1) << args << "\n" << r.out;
  }
  Result pct = cli("publish --server " + url + " --token t --model demo --channel stable --percent 101" + p);
  EXPECT_NE(pct.code, 0) << pct.out;
  EXPECT_TRUE(requests().empty());
}

TEST_F(PublishServer, RolloutSendsWhatWasAsked) {
  std::string common = "rollout --server " + url + " --token tok-1 --model demo --channel stable ";
  Result pause = cli(common + "--pause");
  ASSERT_EQ(pause.code, 0) << pause.out;
  Result pct = cli(common + "--percent 50");
  ASSERT_EQ(pct.code, 0) << pct.out;
  Result both = cli(common + "--percent 75 --resume");
  ASSERT_EQ(both.code, 0) << both.out;
  auto q = requests();
  ASSERT_EQ(q.size(), 3u);
  for (const auto& s : q) EXPECT_EQ(s.path, "/eiota/v1/demo/stable/rollout");
  EXPECT_EQ(json::parse(q[0].body), json({{"state", "paused"}}));
  EXPECT_EQ(json::parse(q[1].body), json({{"percent", 50}}));
  EXPECT_EQ(json::parse(q[2].body), json({{"percent", 75}, {"state", "active"}}));
  EXPECT_NE(both.out.find("demo/stable: percent 75 state active"), std::string::npos) << both.out;

  Result nothing = cli(common);
  EXPECT_EQ(nothing.code, 1);
  EXPECT_NE(nothing.out.find("give --percent, --pause or --resume"), std::string::npos) << nothing.out;
  Result clash = cli(common + "--pause --resume");
  EXPECT_NE(clash.code, 0);
  post_status = 404;
  post_reason = "no release on demo/stable";
  Result none = cli(common + "--pause");
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.out.find("404 Not Found: \"no release on demo/stable\""), std::string::npos) << none.out;
}

}  // namespace
