// `eiota publish --static`: the tree of docs/DELIVERY.md ("Static trees"), byte for byte; a
// payload is written once and the pointer replaced whole; anything refused leaves the tree as it
// was and nothing is written outside it.
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "publish_support.h"

namespace fs = std::filesystem;
using namespace eiota::test;

namespace {

class PublishStatic : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    fx = publish_fixtures();
    ASSERT_FALSE(fx.empty());
    work = fs::temp_directory_path() / ("eiota-publish-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(work);
    fs::create_directories(work);
    tree = work / "site";
  }
  void TearDown() override { fs::remove_all(work); }

  Result publish(const std::string& payload, const std::string& extra = "", const std::string& model = "demo",
                 const std::string& channel = "stable") {
    return run(kCli + " publish --static '" + tree.string() + "' --model '" + model + "' --channel '" + channel + "' --base " +
               (fx / "patched").string() + " " + extra + " " + (fx / payload).string());
  }
  std::set<std::string> files() const {
    std::set<std::string> s;
    for (auto& [k, _] : snapshot(tree)) s.insert(k);
    return s;
  }

  fs::path fx, work, tree;
};

TEST_F(PublishStatic, WritesTheTreeOfDeliveryMd) {
  Result r = publish("u3.eiota");
  ASSERT_EQ(r.code, 0) << r.out;
  std::string bytes = slurp(fx / "u3.eiota"), sha = sha_of(bytes);
  std::set<std::string> want = {"demo/", "demo/payloads/", "demo/payloads/" + sha + ".eiota", "demo/stable/", "demo/stable/pointer"};
  EXPECT_EQ(files(), want);
  EXPECT_EQ(slurp(tree / "demo/payloads" / (sha + ".eiota")), bytes);
  std::string pointer = slurp(tree / "demo/stable/pointer");
  EXPECT_EQ(pointer, expected_pointer(bytes));
  EXPECT_EQ(pointer.rfind("eiota-pointer 1\nid 3-", 0), 0u) << pointer;
  EXPECT_LE(pointer.size(), 512u);
  EXPECT_NE(r.out.find("published 3-"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(": written"), std::string::npos) << r.out;
}

TEST_F(PublishStatic, RepublishingTheSamePayloadChangesNothing) {
  ASSERT_EQ(publish("u3.eiota").code, 0);
  auto before = snapshot(tree);
  Result r = publish("u3.eiota");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(snapshot(tree), before);  // contents and modification times
  EXPECT_NE(r.out.find("already there, unchanged"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("already names it, unchanged"), std::string::npos) << r.out;
}

TEST_F(PublishStatic, ANewReleaseReplacesThePointerAndKeepsTheOldPayload) {
  ASSERT_EQ(publish("u3.eiota").code, 0);
  std::string old = slurp(fx / "u3.eiota"), now = slurp(fx / "u5.eiota");
  auto before = snapshot(tree);
  ASSERT_EQ(publish("u5.eiota").code, 0);
  auto after = snapshot(tree);
  std::string old_file = "demo/payloads/" + sha_of(old) + ".eiota";
  EXPECT_EQ(after.at(old_file), before.at(old_file));  // untouched, same mtime
  EXPECT_EQ(slurp(tree / "demo/payloads" / (sha_of(now) + ".eiota")), now);
  EXPECT_EQ(slurp(tree / "demo/stable/pointer"), expected_pointer(now));
  EXPECT_EQ(after.size(), before.size() + 1) << "a temp file was left beside the pointer";
}

// nginx's ETag is the modification time in seconds and the size: two same-sized pointers in one
// second must still differ, or a device holding the first ETag gets 304s for the second.
TEST_F(PublishStatic, AReplacedPointerIsNewerInWholeSeconds) {
  ASSERT_EQ(publish("u3.eiota").code, 0);
  struct stat a{}, b{};
  ASSERT_EQ(stat((tree / "demo/stable/pointer").c_str(), &a), 0);
  ASSERT_EQ(publish("u5.eiota").code, 0);
  ASSERT_EQ(stat((tree / "demo/stable/pointer").c_str(), &b), 0);
  ASSERT_EQ(a.st_size, b.st_size);  // what makes this case matter
  EXPECT_GT(b.st_mtim.tv_sec, a.st_mtim.tv_sec);
}

TEST_F(PublishStatic, ChannelsShareTheModelsPayloads) {
  ASSERT_EQ(publish("u3.eiota").code, 0);
  ASSERT_EQ(publish("u5.eiota", "", "demo", "beta").code, 0);
  EXPECT_EQ(slurp(tree / "demo/stable/pointer"), expected_pointer(slurp(fx / "u3.eiota")));
  EXPECT_EQ(slurp(tree / "demo/beta/pointer"), expected_pointer(slurp(fx / "u5.eiota")));
  EXPECT_EQ(std::distance(fs::directory_iterator(tree / "demo/payloads"), fs::directory_iterator()), 2);
}

TEST_F(PublishStatic, ALowerSequenceThanThePointersIsRefused) {
  ASSERT_EQ(publish("u5.eiota").code, 0);
  auto before = snapshot(tree);
  Result r = publish("u3.eiota");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("names sequence 5, not lower than"), std::string::npos) << r.out;
  EXPECT_EQ(snapshot(tree), before);
}

// One sequence names one payload (FORMAT.md): another retrain under the pointer's number is refused,
// as eiota serve refuses it (409), and so is a channel named like one of the model's URLs.
TEST_F(PublishStatic, AnotherPayloadUnderTheSameSequenceAndReservedChannelsAreRefused) {
  ASSERT_EQ(publish("u3.eiota").code, 0);
  auto before = snapshot(tree);
  fs::path other = tree.parent_path() / (tree.filename().string() + "-u3b.eiota");
  Result pk = run("cd '" + fx.string() + "' && " + kCli + " pack --base patched new2 -o '" + other.string() + "' --key k.key --sequence 3");
  ASSERT_EQ(pk.code, 0) << pk.out;
  Result r = run(kCli + " publish --static '" + tree.string() + "' --model demo --channel stable --base " + (fx / "patched").string() +
                 " '" + other.string() + "'");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("another payload under that number"), std::string::npos) << r.out;
  EXPECT_EQ(snapshot(tree), before);
  for (const char* reserved : {"payloads", "devices", "report"}) {
    Result q = publish("u5.eiota", "", "demo", reserved);
    EXPECT_EQ(q.code, 1) << q.out;
    EXPECT_NE(q.out.find("is reserved"), std::string::npos) << q.out;
  }
  EXPECT_EQ(snapshot(tree), before);
  fs::remove(other);
}

TEST_F(PublishStatic, BadOrForeignPayloadsAreRefusedAndTheTreeStaysAsItWas) {
  std::string good = slurp(fx / "u3.eiota");
  std::string flipped = good;
  flipped[flipped.size() - 3] ^= 0x40;
  std::ofstream(work / "flipped.eiota", std::ios::binary) << flipped;
  std::ofstream(work / "short.eiota", std::ios::binary) << good.substr(0, good.size() / 2);
  std::ofstream(work / "junk.eiota", std::ios::binary) << std::string(300, 'x');
  std::ofstream(work / "empty.eiota", std::ios::binary) << "";
  struct Bad {
    std::string path, says;
  };
  for (const Bad& b : {Bad{(work / "flipped.eiota").string(), "hash"}, Bad{(work / "short.eiota").string(), ""},
                       Bad{(work / "junk.eiota").string(), ""}, Bad{(work / "empty.eiota").string(), ""},
                       Bad{(fx / "foreign-key.eiota").string(), "key"}, Bad{(fx / "other-model.eiota").string(), "wrong model"}}) {
    // On an absent tree: not even DIR is created. On a published one: nothing changes.
    for (bool existing : {false, true}) {
      fs::remove_all(tree);
      if (existing) ASSERT_EQ(publish("u3.eiota").code, 0);
      auto before = snapshot(tree);
      Result r = run(kCli + " publish --static '" + tree.string() + "' --model demo --channel stable --base " + (fx / "patched").string() +
                     " " + b.path);
      EXPECT_EQ(r.code, 1) << b.path << "\n" << r.out;
      EXPECT_NE(r.out.find(b.path + ": refused, nothing published"), std::string::npos) << r.out;
      if (!b.says.empty()) EXPECT_NE(r.out.find(b.says), std::string::npos) << b.path << "\n" << r.out;
      EXPECT_EQ(snapshot(tree), before) << b.path;
      EXPECT_EQ(fs::exists(tree), existing);
    }
  }
}

TEST_F(PublishStatic, AKeyOtherThanTheBasesIsRefused) {
  Result r = publish("u3.eiota", "--key " + (fx / "k2.pub").string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("is not the key"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(tree));
  Result ok = publish("u3.eiota", "--key " + (fx / "k.pub").string());
  EXPECT_EQ(ok.code, 0) << ok.out;
}

TEST_F(PublishStatic, NamesThatCouldLeaveTheTreeAreRefused) {
  fs::create_directories(tree);
  auto outside = snapshot(work);
  for (const std::string& bad : std::vector<std::string>{"..", "../escape", "a/b", "/abs", ".hidden", "", std::string(65, 'm'), "sp ace", "a\\b"}) {
    for (bool as_model : {true, false}) {
      Result r = as_model ? publish("u3.eiota", "", bad, "stable") : publish("u3.eiota", "", "demo", bad);
      EXPECT_EQ(r.code, 1) << "'" << bad << "'\n" << r.out;
      EXPECT_NE(r.out.find("is not a name of 1-64 characters"), std::string::npos) << r.out;
      EXPECT_EQ(snapshot(work), outside) << "'" << bad << "'";
    }
  }
  EXPECT_FALSE(fs::exists(work / "escape"));
}

TEST_F(PublishStatic, LinksInsideTheTreeAreNotFollowed) {
  fs::create_directories(tree);
  fs::create_directories(work / "elsewhere");
  fs::create_directory_symlink(work / "elsewhere", tree / "demo");
  Result r = publish("u3.eiota");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("is a symbolic link"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::is_empty(work / "elsewhere"));
}

TEST_F(PublishStatic, ADamagedPayloadFileIsReportedNotOverwritten) {
  ASSERT_EQ(publish("u3.eiota").code, 0);
  fs::path file = tree / "demo/payloads" / (sha_of(slurp(fx / "u3.eiota")) + ".eiota");
  std::ofstream(file, std::ios::binary) << "damaged";
  auto before = snapshot(tree);
  Result r = publish("u3.eiota");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("exists with other content"), std::string::npos) << r.out;
  EXPECT_EQ(snapshot(tree), before);
}

TEST_F(PublishStatic, FlagsAreCheckedBeforeAnythingIsRead) {
  Result neither = run(kCli + " publish --model demo --channel stable " + (fx / "u3.eiota").string());
  EXPECT_EQ(neither.code, 1) << neither.out;
  EXPECT_NE(neither.out.find("give --static DIR or --server URL"), std::string::npos) << neither.out;
  Result no_base = run(kCli + " publish --static '" + tree.string() + "' --model demo --channel stable " + (fx / "u3.eiota").string());
  EXPECT_EQ(no_base.code, 1) << no_base.out;
  EXPECT_NE(no_base.out.find("--static needs --base"), std::string::npos) << no_base.out;
  Result token = publish("u3.eiota", "--percent 50");
  EXPECT_EQ(token.code, 1) << token.out;
  EXPECT_NE(token.out.find("--percent is for --server"), std::string::npos) << token.out;
  EXPECT_FALSE(fs::exists(tree));
}

}  // namespace

namespace {

// A pointer that is not one (another tool's file, a sequence past 2^63-1) is replaced, not obeyed.
TEST_F(PublishStatic, AMalformedPointerIsReplaced) {
  for (const std::string& old : {std::string("eiota-pointer 1\nsequence 9999999999999999999\n"), std::string("hello\nsequence 9\n"),
                                 std::string("eiota-pointer 1\nsequence 12x\n")}) {
    fs::remove_all(tree);
    fs::create_directories(tree / "demo/stable");
    std::ofstream(tree / "demo/stable/pointer") << old;
    Result r = publish("u3.eiota");
    EXPECT_EQ(r.code, 0) << old << "\n" << r.out;
    EXPECT_EQ(slurp(tree / "demo/stable/pointer"), expected_pointer(slurp(fx / "u3.eiota")));
  }
}

}  // namespace
