// `eiota serve` endpoint by endpoint, against a real server process on loopback.
#include "serve_harness.h"

using namespace eiota::test;

namespace {

TEST_F(ServeTest, PrintsWhereItListensAndStopsOnSigterm) {
  std::string log = server.log();
  EXPECT_NE(log.find("listening on http://127.0.0.1:" + std::to_string(port) + "/eiota/v1"), std::string::npos) << log;
  int pid = server.pid();
  kill(pid, SIGTERM);
  int st = 0;
  ASSERT_EQ(waitpid(pid, &st, 0), pid);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
}

TEST_F(ServeTest, UploadStoresOnceAndAnswersItsNames) {
  std::string p = payload(7);
  auto r = upload(p);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  json j = json::parse(r->body);
  EXPECT_EQ(j["sha256"], eiota::host::sha256_hex(p));
  EXPECT_EQ(j["id"], id_of(p));
  EXPECT_EQ(j["sequence"], 7);
  EXPECT_EQ(j["size"], p.size());
  r = upload(p);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(ServeTest, PayloadDownloadEtag304RangeHead) {
  std::string p = payload(7);
  ASSERT_EQ(upload(p)->status, 201);
  std::string sha = eiota::host::sha256_hex(p), path = "/eiota/v1/m1/payloads/" + sha + ".eiota";
  auto c = client();
  auto r = c.Get(path.c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, p);
  EXPECT_EQ(r->get_header_value("ETag"), "\"" + sha + "\"");
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_EQ(r->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");

  r = c.Get(path.c_str(), {{"If-None-Match", "\"" + sha + "\""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_TRUE(r->body.empty());

  r = c.Get(path.c_str(), {{"Range", "bytes=100-"}, {"If-Range", "\"" + sha + "\""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, p.substr(100));
  EXPECT_EQ(r->get_header_value("Content-Range"), "bytes 100-" + std::to_string(p.size() - 1) + "/" + std::to_string(p.size()));

  r = c.Get(path.c_str(), {{"Range", "bytes=10-19"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, p.substr(10, 10));

  r = c.Get(path.c_str(), {{"Range", "bytes=100-"}, {"If-Range", "\"another\""}});  // changed: all of it
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, p);

  r = c.Get(path.c_str(), {{"Range", "bytes=" + std::to_string(p.size()) + "-"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 416);
  EXPECT_EQ(r->get_header_value("Content-Range"), "bytes */" + std::to_string(p.size()));

  r = c.Head(path.c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(r->get_header_value("Content-Length"), std::to_string(p.size()));
  EXPECT_EQ(r->get_header_value("ETag"), "\"" + sha + "\"");

  r = c.Get(("/eiota/v1/m1/payloads/" + std::string(64, 'a') + ".eiota").c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("no payload"), std::string::npos) << r->body;
}

TEST_F(ServeTest, PointerNamesTheReleaseAndAnswers304ForItsId) {
  auto r = pointer("dev-1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;  // nothing released yet
  std::string p = payload(7);
  std::string sha = publish(7, 0x11);
  r = pointer("dev-1", "0-0000000000000000", "\"0-0000000000000000\"");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::string id = id_of(p);
  EXPECT_EQ(r->body, "eiota-pointer 1\nid " + id + "\nsequence 7\nsize " + std::to_string(p.size()) + "\nsha256 " + sha +
                         "\npayload payloads/" + sha + ".eiota\n");
  EXPECT_EQ(r->get_header_value("ETag"), "\"" + id + "\"");
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain");
  r = pointer("dev-1", id, "\"" + id + "\"");  // after a reboot, running it
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_TRUE(r->body.empty());
  r = client().Head("/eiota/v1/m1/stable/pointer?device=dev-1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
}

TEST_F(ServeTest, ReportsAndCheckInsAreQueryable) {
  std::string p = payload(7);
  publish(7, 0x11);
  std::string id = id_of(p);
  ASSERT_EQ(pointer("dev-1", "0-0000000000000000")->status, 200);
  ASSERT_EQ(pointer("dev-2", id)->status, 200);
  auto r = report("device=dev-1&channel=stable&running=0-0000000000000000&target=" + id + "&result=applied&error=0");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204) << r->body;
  r = report("device=dev-2&channel=stable&running=" + id + "&target=" + id + "&result=failed&error=-12");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204) << r->body;

  json d = get_json("m1/devices");
  ASSERT_TRUE(d.is_object()) << d;
  ASSERT_EQ(d["devices"].size(), 2u) << d;
  EXPECT_EQ(d["devices"][0]["id"], "dev-1");
  EXPECT_EQ(d["devices"][0]["channel"], "stable");
  EXPECT_EQ(d["devices"][0]["running"], "0-0000000000000000");
  EXPECT_GT(d["devices"][0]["last_checkin"].get<int64_t>(), 0);
  EXPECT_EQ(d["devices"][0]["last_report"]["result"], "applied");
  EXPECT_EQ(d["devices"][1]["last_report"]["result"], "failed");
  EXPECT_EQ(d["devices"][1]["last_report"]["error"], -12);
  EXPECT_EQ(d["devices"][1]["last_report"]["target"], id);

  json c = get_json("m1/stable");
  EXPECT_EQ(c["current"]["id"], id) << c;
  EXPECT_TRUE(c["fallback"].is_null()) << c;
  EXPECT_EQ(c["percent"], 100);
  EXPECT_EQ(c["state"], "active");
  EXPECT_EQ(c["devices"]["current"], 1) << c;
  EXPECT_EQ(c["devices"]["other"], 1) << c;
  EXPECT_EQ(c["reports"]["applied"], 1) << c;
  EXPECT_EQ(c["reports"]["failed"], 1) << c;
}

TEST_F(ServeTest, CheckInsSurviveARestart) {
  publish(7, 0x11);
  ASSERT_EQ(pointer("dev-9", "0-0000000000000000")->status, 200);
  start();  // SIGTERM flushes what the buffer holds
  json d = get_json("m1/devices");
  ASSERT_EQ(d["devices"].size(), 1u) << d;
  EXPECT_EQ(d["devices"][0]["id"], "dev-9");
}

TEST_F(ServeTest, ReleaseKeepsTheOldOneAsFallbackAndRefusesALowerSequence) {
  std::string a = payload(7, 0x11), b = payload(8, 0x22), old = payload(6, 0x33);
  publish(7, 0x11);
  std::string sb = publish(8, 0x22, 0);  // 0 %: everyone gets the fallback
  json c = get_json("m1/stable");
  EXPECT_EQ(c["current"]["id"], id_of(b)) << c;
  EXPECT_EQ(c["fallback"]["id"], id_of(a)) << c;
  auto r = pointer("dev-1", "0-0000000000000000");
  ASSERT_TRUE(r);
  EXPECT_EQ(pointer_id(r->body), id_of(a)) << r->body;

  ASSERT_EQ(upload(old)->status, 201);
  r = post("m1/stable/release", {{"sha256", eiota::host::sha256_hex(old)}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_NE(r->body.find("sequence 6 is not above"), std::string::npos) << r->body;
  r = post("m1/stable/release", {{"sha256", sb}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  r = post("m1/stable/release", {{"sha256", std::string(64, 'b')}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  EXPECT_EQ(get_json("m1/stable")["current"]["id"], id_of(b));
}

TEST_F(ServeTest, PauseAndResume) {
  std::string a = payload(7, 0x11), b = payload(8, 0x22);
  publish(7, 0x11);
  publish(8, 0x22);
  ASSERT_EQ(pointer_id(pointer("dev-1", id_of(a))->body), id_of(b));
  auto r = post("m1/stable/rollout", {{"state", "paused"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["state"], "paused");
  // Changes made through this process are seen at once; others' within a second.
  EXPECT_EQ(pointer_id(pointer("dev-1", id_of(a))->body), id_of(a));
  EXPECT_EQ(pointer("dev-2", id_of(b), "\"" + id_of(b) + "\"")->status, 304);  // already on it: stays
  r = post("m1/stable/rollout", {{"state", "active"}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(pointer_id(pointer("dev-1", id_of(a))->body), id_of(b));
}

TEST_F(ServeTest, AnotherProcessSeesAPauseWithinASecond) {
  std::string a = payload(7, 0x11), b = payload(8, 0x22);
  publish(7, 0x11);
  publish(8, 0x22);
  ASSERT_EQ(pointer_id(pointer("dev-1", id_of(a))->body), id_of(b));
  // A second server on the same database makes the change.
  int port2 = free_port();
  Child second({kCli, "serve", "--db", db, "--port", std::to_string(port2)}, (dir / "serve2.log").string());
  ASSERT_TRUE(second.wait_port(port2)) << second.log();
  httplib::Client c2("127.0.0.1", port2);
  auto r = c2.Post("/eiota/v1/m1/stable/rollout", auth(), json{{"state", "paused"}}.dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  EXPECT_EQ(pointer_id(pointer("dev-1", id_of(a))->body), id_of(a));
}

TEST_F(ServeTest, SeedEndpointPrefixesEdgeimpulse) {
  auto r = client().Get("/edgeimpulse-ota/serve/ei_0123456789abcdef/4242.bin");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  std::string a = payload(7, 0x11), b = payload(8, 0x22);
  publish(7, 0x11);
  r = client().Get("/edgeimpulse-ota/serve/ei_0123456789abcdef/4242.bin");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "edgeimpulse" + a);
  r = client().Get("/edgeimpulse-ota/serve/anything/m1.bin");  // by model name too
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "edgeimpulse" + a);
  publish(8, 0x22, 50);  // not fully rolled out: the seed sketch keeps the one everyone may have
  r = client().Get("/edgeimpulse-ota/serve/ei_0123456789abcdef/4242.bin");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "edgeimpulse" + a);
  ASSERT_EQ(post("m1/stable/rollout", {{"percent", 100}})->status, 200);
  r = client().Get("/edgeimpulse-ota/serve/ei_0123456789abcdef/4242.bin");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "edgeimpulse" + b);
  EXPECT_EQ(server.log().find("ei_0123456789abcdef"), std::string::npos);  // the API key is not logged
}

TEST_F(ServeTest, AdminRegistersModelsAndRefusesBadNames) {
  Result r = admin("model --name ../x --manifest " + (dir / "m.json").string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("--name"), std::string::npos) << r.out;
  r = admin("model --name m2 --manifest " + (dir / "missing.json").string());
  EXPECT_EQ(r.code, 1) << r.out;
  r = admin("token --name ci");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("shown only this once"), std::string::npos) << r.out;
}

// The whole chain with a real library: generator -> patch -> pack -> upload -> pointer -> download.
TEST_F(ServeTest, RealPatchedLibraryAndPackedPayload) {
  std::string w = dir.string();
  auto sh = [&](const std::string& c) { return run("cd " + w + " && " + c); };
  std::string gen = kGen + " --era 2024 --layout cpp --name demo --synthetic fc-int8 ";
  ASSERT_EQ(sh(gen + "--out lib").code, 0);
  ASSERT_EQ(sh(gen + "--perturb 2 --out new").code, 0);
  Result r = sh(kCli + " patch lib -o patched --key real.key --no-check");
  ASSERT_EQ(r.code, 0) << r.out;
  r = sh(kCli + " pack --base patched new -o u.eiota --key real.key --sequence 3");
  ASSERT_EQ(r.code, 0) << r.out;
  r = admin("model --name demo --manifest " + w + "/patched");
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream f(dir / "u.eiota", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), {});
  auto up = upload(bytes, "demo");
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 201) << up->body;
  // The same payload is another model's for m1.
  auto wrong = upload(bytes, "m1");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 409) << wrong->body;
  std::string sha = eiota::host::sha256_hex(bytes);
  ASSERT_EQ(post("demo/beta/release", {{"sha256", sha}})->status, 200);
  auto p = client().Get("/eiota/v1/demo/beta/pointer?device=d1&running=0-0000000000000000");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->status, 200);
  EXPECT_EQ(pointer_id(p->body), json::parse(up->body)["id"].get<std::string>());
  auto d = client().Get(("/eiota/v1/demo/payloads/" + sha + ".eiota").c_str());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->body, bytes);
}

}  // namespace

namespace {

TEST_F(ServeTest, BasePathMovesEveryDeviceUrl) {
  publish(7, 0x11);
  start({"--base-path", "/ota/"});
  EXPECT_NE(server.log().find("/ota\n"), std::string::npos) << server.log();
  auto r = client().Get("/ota/m1/stable/pointer?device=d1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = client().Get("/eiota/v1/m1/stable/pointer?device=d1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  Result bad = run(kCli + " serve --db " + db + " --port " + std::to_string(free_port()) + " --base-path /a/../b");
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(bad.out.find("--base-path"), std::string::npos) << bad.out;
}

}  // namespace
