// What an operator meets around the server: serve-admin will not swap a model's registration for
// another model's by mistake and keeps its project id; publishing the same release again (a
// re-run job) succeeds without change; a second server cannot take a port one already serves; the
// devices listing says what a device runs after it reported an update.
#include <chrono>
#include <thread>

#include "serve_harness.h"

using namespace eiota::test;
namespace host = eiota::host;
using json = nlohmann::json;

namespace {

class ServeAdmin : public ServeTest {};

TEST_F(ServeAdmin, AnotherModelUnderARegisteredNameNeedsReplaceAndTheProjectIdIsKept) {
  host::Manifest other = make_manifest(9, key);
  write(dir / "other.json", host::manifest_to_json(other));
  Result r = admin("model --name m1 --manifest " + (dir / "other.json").string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("Pass --replace"), std::string::npos) << r.out;
  // Registered again from the same manifest without --ei-project: the project id stays.
  Result same = admin("model --name m1 --manifest " + (dir / "m.json").string());
  EXPECT_EQ(same.code, 0) << same.out;
  EXPECT_NE(same.out.find("Edge Impulse project 4242"), std::string::npos) << same.out;
  Result forced = admin("model --name m1 --manifest " + (dir / "other.json").string() + " --replace");
  EXPECT_EQ(forced.code, 0) << forced.out;
  EXPECT_NE(forced.out.find("project 4242"), std::string::npos) << forced.out;
}

TEST_F(ServeAdmin, PublishingTheCurrentReleaseAgainChangesNothingAndSucceeds) {
  write(dir / "p.eiota", payload(3));
  std::string cmd = "EIOTA_TOKEN=" + token + " " + kCli + " publish " + (dir / "p.eiota").string() + " --server http://127.0.0.1:" +
                    std::to_string(port) + "/eiota/v1 --model m1 --channel stable";
  Result first = run(cmd);
  ASSERT_EQ(first.code, 0) << first.out;
  int64_t generation = get_json("m1/stable")["generation"].get<int64_t>();
  Result again = run(cmd);
  EXPECT_EQ(again.code, 0) << again.out;
  EXPECT_NE(again.out.find("already the current release"), std::string::npos) << again.out;
  EXPECT_EQ(get_json("m1/stable")["generation"].get<int64_t>(), generation);
}

TEST_F(ServeAdmin, ASecondServerCannotBindAPortInUse) {
  Result r = run(kCli + " serve --db sqlite:" + (dir / "other.db").string() + " --port " + std::to_string(port) + " 2>&1");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("cannot listen"), std::string::npos) << r.out;
}

TEST_F(ServeAdmin, TheDevicesListingSaysWhatADeviceRunsAfterItsUpdateReport) {
  std::string sha = publish(3, 0x22);
  (void)sha;
  std::string id = id_of(payload(3, 0x22));
  auto p = pointer("d1", "0-0000000000000000");
  ASSERT_TRUE(p && p->status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the check-in is in the database, then the report
  auto rep = report("device=d1&channel=stable&running=" + id + "&target=" + id + "&result=applied&error=0");
  ASSERT_TRUE(rep && rep->status == 204) << (rep ? rep->body : "no answer");
  json d = get_json("m1/devices")["devices"];
  ASSERT_EQ(d.size(), 1u) << d.dump();
  EXPECT_EQ(d[0]["running"], id) << d.dump();
}

}  // namespace
