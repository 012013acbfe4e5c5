// A static tree behind a real nginx: the device's requests (docs/DELIVERY.md) get what the
// protocol needs from a plain web server: the pointer, then 304 with nginx's own ETag; the
// payload, and 206 for a resumed Range, 200 when If-Range no longer matches.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sodium.h>

#include <filesystem>

#include "nginx_harness.h"
#include "publish_support.h"

namespace fs = std::filesystem;
using namespace eiota::test;

namespace {

class PublishNginx : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_NGINX();
    ASSERT_GE(sodium_init(), 0);
    fx = publish_fixtures();
    ASSERT_FALSE(fx.empty());
    work = fs::temp_directory_path() / ("eiota-pubnginx-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(work);
    fs::create_directories(work);
    tree = work / "site";
    publish("u3.eiota");
    ASSERT_TRUE(nginx.start(tree)) << nginx.log();
    http = std::make_unique<httplib::Client>("127.0.0.1", nginx.port());
  }
  void TearDown() override { fs::remove_all(work); }

  void publish(const std::string& payload) {
    Result r = run(kCli + " publish --static '" + tree.string() + "' --model demo --channel stable --base " + (fx / "patched").string() +
                   " " + (fx / payload).string());
    ASSERT_EQ(r.code, 0) << r.out;
  }

  fs::path fx, work, tree;
  Nginx nginx;
  std::unique_ptr<httplib::Client> http;
  const std::string base = "/eiota/v1/demo";
};

TEST_F(PublishNginx, PointerThen304WithNginxsETag) {
  std::string bytes = slurp(fx / "u3.eiota");
  auto r = http->Get(base + "/stable/pointer?device=dev-1&running=0-0000000000000000",
                     {{"If-None-Match", "\"0-0000000000000000\""}});
  ASSERT_TRUE(r) << httplib::to_string(r.error()) << "\n" << nginx.log();
  ASSERT_EQ(r->status, 200) << nginx.log();
  EXPECT_EQ(r->body, expected_pointer(bytes));
  EXPECT_EQ(r->get_header_value("Content-Type").rfind("text/plain", 0), 0u) << r->get_header_value("Content-Type");
  std::string etag = r->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());

  auto again = http->Get(base + "/stable/pointer?device=dev-1&running=3-x", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());

  // A new release: the old ETag no longer matches, even written within the same second.
  publish("u5.eiota");
  auto changed = http->Get(base + "/stable/pointer", {{"If-None-Match", etag}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200);
  EXPECT_EQ(changed->body, expected_pointer(slurp(fx / "u5.eiota")));
  EXPECT_NE(changed->get_header_value("ETag"), etag);
}

TEST_F(PublishNginx, PayloadWholeThenResumedWithRange) {
  std::string bytes = slurp(fx / "u3.eiota");
  std::string path = base + "/payloads/" + sha_of(bytes) + ".eiota";
  auto whole = http->Get(path);
  ASSERT_TRUE(whole);
  ASSERT_EQ(whole->status, 200);
  EXPECT_EQ(whole->body, bytes);
  EXPECT_EQ(whole->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_NE(whole->get_header_value("Cache-Control").find("immutable"), std::string::npos);
  std::string etag = whole->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());

  size_t next = bytes.size() / 3;
  auto rest = http->Get(path, {{"Range", "bytes=" + std::to_string(next) + "-"}, {"If-Range", etag}});
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->status, 206);
  EXPECT_EQ(rest->get_header_value("Content-Range"),
            "bytes " + std::to_string(next) + "-" + std::to_string(bytes.size() - 1) + "/" + std::to_string(bytes.size()));
  EXPECT_EQ(rest->body, bytes.substr(next));

  auto changed = http->Get(path, {{"Range", "bytes=" + std::to_string(next) + "-"}, {"If-Range", "\"not-this-one\""}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200);
  EXPECT_EQ(changed->body, bytes);

  auto head = http->Head(path);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), std::to_string(bytes.size()));
}

TEST_F(PublishNginx, WhatWasNotPublishedIs404) {
  auto r = http->Get(base + "/beta/pointer");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  auto p = http->Get(base + "/payloads/" + std::string(64, '0') + ".eiota");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 404);
}

}  // namespace
