// Rules of host/src/serve/db.h that tests/db_conformance_test.cpp does not cover, on the SQLite
// backend (the PostgreSQL one already keeps them).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "db.h"

using namespace eiota::serve;

namespace {

class SqliteDb : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/eiota-sqlitetest-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_ = open_db("sqlite:" + dir_ + "/serve.db");
    db_->migrate();
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<Db> db_;
};

TEST_F(SqliteDb, SetRolloutWithNothingToChangeKeepsGeneration) {
  ChannelRow a = db_->set_release("m", "stable", std::string(64, 'a'), 30, 0.2, 5);
  auto same = db_->set_rollout("m", "stable", std::string(64, 'a'), std::nullopt, std::nullopt);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->generation, a.generation) << "a no-op must not make caches refetch";
  EXPECT_EQ(same->percent, 30);
  EXPECT_EQ(db_->channel("m", "stable")->generation, a.generation);
  EXPECT_FALSE(db_->set_rollout("m", "stable", std::string(64, 'b'), std::nullopt, std::nullopt)) << "another release";
}

TEST_F(SqliteDb, RefusalsNameTheDatabaseAndMethod) {
  try {
    db_->set_release("m", "stable", std::string(64, 'a'), 101, 0.2, 5);
    FAIL() << "percent 101 accepted";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("sqlite:" + dir_ + "/serve.db: set_release: "), std::string::npos) << what;
  }
  EXPECT_THROW(db_->set_release("m", "stable", std::string(64, 'a'), 50, 0.2, -1), std::runtime_error);
  EXPECT_FALSE(db_->channel("m", "stable")) << "a refused release created the channel";
}

}  // namespace
