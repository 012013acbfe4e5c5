// Staged rollout: the bucket, the offer, the halt (pure functions), then the same over HTTP
// against a real server: percentages, monotonicity when raised, automatic halt at the threshold.
#include "checkin_buffer.h"
#include "db_backends.h"
#include "http_util.h"
#include "rollout.h"
#include "serve_harness.h"

using namespace eiota::test;
using namespace eiota::serve;

namespace {

TEST(Rollout, BucketIsTheFirstFourBytesOfTheHashModulo10000) {
  std::string key = "m1/stable/dev-1";
  std::string h = eiota::host::sha256_hex(key);
  uint32_t v = (uint32_t)std::stoul(h.substr(0, 8), nullptr, 16);
  EXPECT_EQ(device_bucket("m1", "stable", "dev-1"), v % 10000);
  EXPECT_NE(device_bucket("m1", "stable", "dev-1"), device_bucket("m1", "beta", "dev-1"));
}

TEST(Rollout, Offer) {
  OfferInput in;
  in.current_id = "8-bb";
  in.fallback_id = "7-aa";
  in.percent = 50;
  in.bucket = 4999;
  EXPECT_EQ(choose_offer(in), Offer::kCurrent);
  in.bucket = 5000;
  EXPECT_EQ(choose_offer(in), Offer::kFallback);
  in.running_id = "8-bb";  // already on it: never sent back
  EXPECT_EQ(choose_offer(in), Offer::kCurrent);
  in.running_id = "7-aa";
  in.bucket = 0;
  for (const char* st : {"paused", "halted"}) {
    in.state = st;
    EXPECT_EQ(choose_offer(in), Offer::kFallback) << st;
  }
  in.fallback_id.clear();
  EXPECT_EQ(choose_offer(in), Offer::kNothing);
  in.state = "active";
  in.bucket.reset();  // no device id: only a full rollout reaches it
  EXPECT_EQ(choose_offer(in), Offer::kNothing);
  in.percent = 100;
  EXPECT_EQ(choose_offer(in), Offer::kCurrent);
  in.percent = 0;
  in.bucket = 0;
  EXPECT_EQ(choose_offer(in), Offer::kNothing);
}

TEST(Rollout, HaltNeedsMinReportsAFailureAndTheShare) {
  ReportSummary s;
  s.devices = 4;
  s.failed = 4;
  EXPECT_FALSE(should_halt(s, 0.2, 5));
  s.devices = 5;
  s.failed = 0;
  EXPECT_FALSE(should_halt(s, 0.0, 5));  // 0.0: the first failure halts, not none
  s.failed = 1;
  EXPECT_TRUE(should_halt(s, 0.2, 5));
  EXPECT_TRUE(should_halt(s, 0.0, 5));
  s.devices = 6;
  EXPECT_FALSE(should_halt(s, 0.2, 5));
}

TEST(HttpUtil, Ranges) {
  auto r = parse_range("bytes=10-", 100);
  EXPECT_EQ(r.kind, ByteRange::kRange);
  EXPECT_EQ(r.first, 10u);
  EXPECT_EQ(r.last, 99u);
  r = parse_range("bytes=10-1000", 100);
  EXPECT_EQ(r.last, 99u);
  r = parse_range("bytes=-30", 100);
  EXPECT_EQ(r.first, 70u);
  r = parse_range("bytes=100-", 100);
  EXPECT_EQ(r.kind, ByteRange::kUnsatisfiable);
  EXPECT_EQ(parse_range("bytes=1-2,5-6", 100).kind, ByteRange::kNone);
  EXPECT_EQ(parse_range("bytes=5-2", 100).kind, ByteRange::kNone);
  EXPECT_EQ(parse_range("items=1-2", 100).kind, ByteRange::kNone);
  EXPECT_EQ(parse_range("bytes=99999999999999999999-", 100).kind, ByteRange::kNone);
  EXPECT_EQ(parse_range("", 100).kind, ByteRange::kNone);
}

TEST(HttpUtil, EtagsFormsSegments) {
  EXPECT_TRUE(etag_matches("\"7-aa\"", "\"7-aa\""));
  EXPECT_TRUE(etag_matches("\"x\", W/\"7-aa\"", "\"7-aa\""));
  EXPECT_TRUE(etag_matches("*", "\"7-aa\""));
  EXPECT_FALSE(etag_matches("\"7-ab\"", "\"7-aa\""));
  EXPECT_FALSE(etag_matches("", "\"7-aa\""));
  auto f = parse_form("a=1&b=x%20y+z&&c=");
  ASSERT_TRUE(f);
  EXPECT_EQ((*f)["b"], "x y z");
  EXPECT_EQ((*f)["c"], "");
  EXPECT_FALSE(parse_form("a=1&a=2"));
  EXPECT_FALSE(parse_form("a"));
  EXPECT_FALSE(parse_form("a=%4"));
  EXPECT_FALSE(parse_form("a=%g0"));
  EXPECT_FALSE(split_segments("a//b"));
  EXPECT_FALSE(split_segments("a/"));
  EXPECT_EQ(split_segments("m/stable/pointer")->size(), 3u);
}

TEST(CheckinBuffer, WritesEachDevicesLatestOnceAndFlushesOnStop) {
  fs::path file = fs::temp_directory_path() / ("eiota-checkins-" + std::to_string(getpid()) + ".db");
  fs::remove(file);
  std::unique_ptr<Db> db = open_sqlite(file.string());
  db->migrate();
  {
    CheckinBuffer buf(*db, 60000, 4);  // no timed flush during the test
    buf.add({"m", "d1", "stable", "1-0000000000000001", 10});
    buf.add({"m", "d1", "beta", "2-0000000000000002", 11});
    buf.add({"m", "d2", "stable", "1-0000000000000001", 12});
    EXPECT_TRUE(db->devices("m").empty());  // nothing written yet
    buf.flush();
    auto d = db->devices("m");
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].channel, "beta");
    EXPECT_EQ(d[0].running_id, "2-0000000000000002");
    EXPECT_EQ(d[0].last_checkin, 11);
    for (int i = 0; i < 100; i++) buf.add({"m", "x" + std::to_string(i), "stable", "", 13});
    EXPECT_GT(buf.dropped(), 0u);  // bounded: past max_devices new devices wait for the next flush
    buf.add({"m", "d3", "stable", "", 14});
  }  // the destructor flushes what is left
  auto d = db->devices("m");
  EXPECT_LT(d.size(), 103u);
  EXPECT_GT(d.size(), 2u);
  fs::remove(file);
}

class ServeRollout : public ServeTest {
 protected:
  // How many of `n` devices (running `running`) the pointer offers `want`.
  int offered(int n, const std::string& running, const std::string& want, const std::string& prefix = "dev-") {
    auto c = client();
    int hits = 0;
    for (int i = 0; i < n; i++) {
      auto r = c.Get(("/eiota/v1/m1/stable/pointer?device=" + prefix + std::to_string(i) + "&running=" + running).c_str());
      EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
      if (r && pointer_id(r->body) == want) hits++;
    }
    return hits;
  }
};

TEST_F(ServeRollout, AFirstReleaseAtZeroPercentOffersNothing) {
  publish(7, 0x11, 0);
  auto r = pointer("dev-1", "0-0000000000000000", "\"0-0000000000000000\"");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_TRUE(r->body.empty());
}

TEST_F(ServeRollout, PercentagesHoldAndRaisingOnlyAddsDevices) {
  std::string a = payload(7, 0x11), b = payload(8, 0x22);
  publish(7, 0x11);
  publish(8, 0x22, 10);
  std::string ia = id_of(a), ib = id_of(b);
  int at10 = offered(1000, ia, ib);
  EXPECT_NEAR(at10, 100, 30);
  std::vector<bool> in10(1000);
  auto c = client();
  for (int i = 0; i < 1000; i++) in10[i] = device_bucket("m1", "stable", "dev-" + std::to_string(i)) < 1000;
  ASSERT_EQ(post("m1/stable/rollout", {{"percent", 50}})->status, 200);
  int at50 = 0;
  for (int i = 0; i < 1000; i++) {
    auto r = c.Get(("/eiota/v1/m1/stable/pointer?device=dev-" + std::to_string(i) + "&running=" + ia).c_str());
    ASSERT_TRUE(r);
    bool got = pointer_id(r->body) == ib;
    at50 += got;
    if (in10[i]) EXPECT_TRUE(got) << "dev-" << i << " had the release at 10 % and lost it at 50 %";
  }
  EXPECT_NEAR(at50, 500, 30);
  ASSERT_EQ(post("m1/stable/rollout", {{"percent", 100}})->status, 200);
  EXPECT_EQ(offered(200, ia, ib), 200);
  ASSERT_EQ(post("m1/stable/rollout", {{"percent", 0}})->status, 200);
  EXPECT_EQ(offered(200, ia, ib), 0);
  EXPECT_EQ(offered(50, ib, ib), 50);  // those already on it stay on it
}

TEST_F(ServeRollout, HaltsAtTheThresholdAndResumes) {
  std::string a = payload(7, 0x11), b = payload(8, 0x22);
  publish(7, 0x11);
  publish(8, 0x22, 100, "stable", {{"halt_failures", 0.5}, {"halt_min_reports", 4}});
  std::string ia = id_of(a), ib = id_of(b);
  auto rep = [&](int dev, const char* result) {
    auto r = report("device=d" + std::to_string(dev) + "&channel=stable&running=" + ia + "&target=" + ib + "&result=" + result +
                    "&error=" + (std::string(result) == "failed" ? "-12" : "0"));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 204) << r->body;
  };
  rep(1, "applied");
  rep(2, "failed");
  rep(3, "confirmed");
  EXPECT_EQ(get_json("m1/stable")["state"], "active");  // 3 reports < 4
  rep(4, "applied");
  EXPECT_EQ(get_json("m1/stable")["state"], "active");  // 1 of 4 < 50 %
  rep(1, "reverted");                                    // d1's last report is now a revert: 2 of 4
  json c = get_json("m1/stable");
  EXPECT_EQ(c["state"], "halted") << c;
  EXPECT_EQ(c["failed"], 2) << c;
  // Halted: new devices get the fallback, devices on it stay.
  EXPECT_EQ(offered(100, ia, ia, "new-"), 100);
  EXPECT_EQ(offered(20, ib, ib), 20);
  // Reports for an old release never halt the current one.
  ASSERT_EQ(post("m1/stable/rollout", {{"state", "active"}})->status, 200);
  EXPECT_EQ(get_json("m1/stable")["state"], "active");
  EXPECT_EQ(offered(100, ia, ib, "new-"), 100);
  auto r = report("device=d9&channel=stable&running=" + ia + "&target=" + ia + "&result=failed&error=-3");
  ASSERT_EQ(r->status, 204);
  EXPECT_EQ(get_json("m1/stable")["state"], "active");
  // The halt check runs again after resuming: the next failure for the current release halts.
  rep(5, "failed");
  EXPECT_EQ(get_json("m1/stable")["state"], "halted");
}

}  // namespace
