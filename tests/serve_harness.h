// A real `eiota serve` on loopback for the serve_*_test.cpp files: a temp dir with a signing key,
// a registered model (an in-memory manifest, as verify_test.cpp makes them), a token, and
// helpers to make, upload and release payloads through httplib::Client.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "keys.h"
#include "manifest.h"
#include "payload.h"
#include "payload_check.h"
#include "proc_harness.h"
#include "test_support.h"

namespace eiota::test {

namespace fs = std::filesystem;
using nlohmann::json;

inline host::Region serve_region(const char* name, host::Region::Kind kind, uint8_t type, uint32_t count) {
  host::Region r;
  r.name = name;
  r.kind = kind;
  r.elem_type = type;
  r.count = count;
  return r;
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    signal(SIGPIPE, SIG_IGN);  // a refused upload may be closed while the client still writes
    dir = fs::temp_directory_path() /
          ("eiota-serve-" + std::to_string(getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    key = host::keygen((dir / "k").string());
    other = host::keygen((dir / "other").string());
    manifest = make_manifest(1, key);
    write(dir / "m.json", host::manifest_to_json(manifest));
    db = "sqlite:" + (dir / "serve.db").string();
    Result r = admin("model --name m1 --manifest " + (dir / "m.json").string() + " --ei-project 4242");
    ASSERT_EQ(r.code, 0) << r.out;
    token = new_token();
    ASSERT_FALSE(token.empty());
    start();
  }
  void TearDown() override {
    server.stop();
    if (HasFailure()) std::cerr << "server log:\n" << server.log();
    fs::remove_all(dir);
  }

  static host::Manifest make_manifest(int salt, const host::SecretKey& k) {
    host::Manifest m;
    for (int i = 0; i < 16; i++) m.fingerprint[i] = (uint8_t)(3 * i + salt);
    m.public_key = k.pk;
    m.regions = {serve_region("b0.t1.data", host::Region::kData, EIOTA_INT8, 6),
                 serve_region("b0.t1.scale", host::Region::kScale, EIOTA_FLOAT32, 2),
                 serve_region("b0.t1.zero", host::Region::kZero, EIOTA_INT32, 2)};
    return m;
  }
  static void write(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

  Result admin(const std::string& args) { return run(kCli + " serve-admin --db " + db + " " + args); }
  std::string new_token() {
    Result r = admin("token --name test");
    EXPECT_EQ(r.code, 0) << r.out;
    std::string out = r.out;
    size_t at = out.find("eiota_");
    return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
  }
  void start(std::vector<std::string> extra = {}) {
    server.stop();
    port = free_port();
    std::vector<std::string> argv = {kCli, "serve", "--db", db, "--port", std::to_string(port), "--threads", "8"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    server = Child(argv, (dir / "serve.log").string());
    ASSERT_TRUE(server.wait_port(port)) << server.log();
  }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10);
    return c;
  }
  httplib::Headers auth() const { return {{"Authorization", "Bearer " + token}}; }

  // A payload of the model: values filled with `fill`, signed with `k` (default: the model's key).
  std::string payload(uint64_t seq, uint8_t fill = 0x11, const host::SecretKey* k = nullptr, const host::Manifest* m = nullptr) {
    const host::Manifest& mm = m ? *m : manifest;
    std::vector<host::Region> rs = mm.regions;
    for (auto& r : rs) r.values.assign(r.count * eiota_elem_size(r.elem_type), (char)fill);
    return host::write_payload(mm.fingerprint, rs, seq, k ? *k : key);
  }
  httplib::Result upload(const std::string& bytes, const std::string& model = "m1") {
    return client().Put(("/eiota/v1/" + model + "/payloads").c_str(), auth(), bytes, "application/octet-stream");
  }
  httplib::Result post(const std::string& path, const json& body) {
    return client().Post(("/eiota/v1/" + path).c_str(), auth(), body.dump(), "application/json");
  }
  // Uploads and releases; returns the payload's sha256.
  std::string publish(uint64_t seq, uint8_t fill, int percent = 100, const std::string& channel = "stable", json extra = json::object()) {
    std::string p = payload(seq, fill);
    auto r = upload(p);
    EXPECT_TRUE(r && (r->status == 201 || r->status == 200)) << (r ? r->body : "no answer");
    std::string sha = host::sha256_hex(p);
    extra["sha256"] = sha;
    extra["percent"] = percent;
    auto rel = post("m1/" + channel + "/release", extra);
    EXPECT_TRUE(rel && rel->status == 200) << (rel ? rel->body : "no answer");
    return sha;
  }
  // The payload id devices know it by.
  std::string id_of(const std::string& bytes) const { return host::check_delivery_payload(bytes, manifest).id; }
  httplib::Result pointer(const std::string& device, const std::string& running = "", const std::string& inm = "",
                          const std::string& channel = "stable") {
    std::string path = "/eiota/v1/m1/" + channel + "/pointer?device=" + device;
    if (!running.empty()) path += "&running=" + running;
    httplib::Headers h;
    if (!inm.empty()) h.emplace("If-None-Match", inm);
    return client().Get(path.c_str(), h);
  }
  httplib::Result report(const std::string& form) {
    return client().Post("/eiota/v1/m1/report", form, "application/x-www-form-urlencoded");
  }
  json get_json(const std::string& path) {
    auto r = client().Get(("/eiota/v1/" + path).c_str(), auth());
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return r ? json::parse(r->body, nullptr, false) : json();
  }
  // The `id` line of a pointer body.
  static std::string pointer_id(const std::string& body) {
    size_t at = body.find("\nid ");
    return at == std::string::npos ? "" : body.substr(at + 4, body.find('\n', at + 4) - at - 4);
  }

  fs::path dir;
  host::SecretKey key, other;
  host::Manifest manifest;
  std::string db, token;
  int port = 0;
  Child server;
};

}  // namespace eiota::test
