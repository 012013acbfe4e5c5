// `eiota publish` refuses a delta: a channel's pointer names one payload for every device, and a
// device on another base would fetch and refuse it at each check-in. --allow-delta publishes it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "test_support.h"

namespace fs = std::filesystem;
using namespace eiota::test;

namespace {

class PublishDelta : public ::testing::Test {
 protected:
  void SetUp() override {
    work = fs::temp_directory_path() / ("eiota-publish-delta-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(work);
    fs::create_directories(work);
    std::string gen = kGen + " --era 2025 --layout arduino --name demo --synthetic fc-int8 ";
    for (const std::string& c : {gen + "--out old", gen + "--perturb 4 --tune-last 1 --out tuned",
                                 kCli + " patch old -o patched --key k.key --no-check",
                                 kCli + " pack --base patched tuned -o delta.eiota --key k.key --sequence 3 --delta-from factory"}) {
      Result r = run("cd '" + work.string() + "' && " + c);
      ASSERT_EQ(r.code, 0) << c << "\n" << r.out;
    }
  }
  void TearDown() override { fs::remove_all(work); }

  Result publish(const std::string& where, const std::string& extra = "") {
    return run("cd '" + work.string() + "' && " + kCli + " publish delta.eiota " + where + " --model demo --channel stable " + extra);
  }

  fs::path work;
};

TEST_F(PublishDelta, AStaticTreeRefusesItAndStaysAsItWas) {
  Result r = publish("--static site --base patched");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("a delta on the factory values"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--allow-delta"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(work / "site")) << "nothing may be written";
}

TEST_F(PublishDelta, TheServerIsNotContactedForIt) {
  Result r = publish("--server http://127.0.0.1:9/eiota/v1 --token t");  // nothing listens on port 9
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("a delta on the factory values"), std::string::npos) << r.out;
}

TEST_F(PublishDelta, AllowDeltaPublishesIt) {
  Result r = publish("--static site --base patched", "--allow-delta");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(work / "site/demo/stable/pointer"));
}

}  // namespace
