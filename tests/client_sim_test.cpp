// The simulated device (`eiota build-sim` of a patched export) updating over HTTP with --server
// against a canned loopback server that answers as docs/DELIVERY.md says `eiota serve` does
// (ETag = payload id, 304, Range): applied after a dropped link resumes, the self-test's verdict
// reported, a 304 on the next boot, an explicit --report, and a refused download with exit 3.
#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "canned_http.h"
#include "test_support.h"

namespace fs = std::filesystem;
using canned::Conn;
using canned::Server;
using namespace eiota::test;

namespace {

std::string hex(const uint8_t* p, size_t n) {
  static const char* x = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; i++) s += {x[p[i] >> 4], x[p[i] & 15]};
  return s;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

struct Published {
  std::string bytes, sha, id;
};

Published publish(const std::string& path) {
  Published p;
  p.bytes = slurp(path);
  uint8_t d[32];
  crypto_hash_sha256(d, (const uint8_t*)p.bytes.data(), p.bytes.size());
  p.sha = hex(d, 32);
  uint64_t seq = 0;
  for (int i = 7; i >= 0; i--) seq = seq << 8 | (uint8_t)p.bytes[16 + i];
  p.id = std::to_string(seq) + "-" + hex((const uint8_t*)p.bytes.data() + 48, 8);
  return p;
}

// As eiota serve answers (docs/DELIVERY.md): the pointer's ETag is the payload id, payloads
// answer Range with 206, reports get 204. `payload_status` other than 200 refuses downloads.
struct FakeServe {
  Published p;
  int payload_status = 200;
  size_t body_sent = 0;

  void operator()(Conn& c) {
    std::string t = c.target();
    if (t.rfind("/eiota/v1/demo/stable/pointer?", 0) == 0) {
      if (c.header("If-None-Match") == "\"" + p.id + "\"") {
        c.write("HTTP/1.1 304 Not Modified\r\nETag: \"" + p.id + "\"\r\n\r\n");
        return;
      }
      std::string body = "eiota-pointer 1\nid " + p.id + "\nsequence " + p.id.substr(0, p.id.find('-')) + "\nsize " +
                         std::to_string(p.bytes.size()) + "\nsha256 " + p.sha + "\npayload payloads/" + p.sha + ".eiota\n";
      c.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"" + p.id + "\"\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body);
    } else if (t == "/eiota/v1/demo/payloads/" + p.sha + ".eiota" && payload_status == 200) {
      std::string range = c.header("Range");
      size_t from = range.empty() ? 0 : std::stoul(range.substr(6));
      std::string head = range.empty() ? "HTTP/1.1 200 OK\r\n"
                                       : "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + std::to_string(from) + "-" +
                                             std::to_string(p.bytes.size() - 1) + "/" + std::to_string(p.bytes.size()) + "\r\n";
      c.write(head + "ETag: \"" + p.sha + "\"\r\nContent-Length: " + std::to_string(p.bytes.size() - from) + "\r\n\r\n");
      c.write(p.bytes.substr(from));
      body_sent += p.bytes.size() - from;
    } else if (t == "/eiota/v1/demo/report" && c.head.rfind("POST ", 0) == 0) {
      c.write("HTTP/1.1 204 No Content\r\n\r\n");
    } else {
      c.write("HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\nnot found\n");
    }
  }
};

std::string ota_line(const std::string& out) {
  std::smatch m;
  std::regex re("(^|\n)(ota: [^\n]*)");
  return std::regex_search(out, m, re) ? m[2].str() : "";
}

TEST(ClientSim, TheSimulatedDeviceUpdatesOverHttpResumesAndReports) {
  std::string dir = std::string(EIOTA_BINARY_DIR) + "/client-sim";
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename() != "objects" && e.path().filename() != "cache") fs::remove_all(e.path());
  auto sh = [&](const std::string& cmd) { return run("cd '" + dir + "' && " + cmd); };
  std::string gen = kGen + " --synthetic fc-int8 --era 2025 --layout arduino --name demo";
  ASSERT_EQ(sh(gen + " --out old").code, 0);
  ASSERT_EQ(sh(gen + " --perturb 42 --out new").code, 0);
  Result p = sh(kCli + " patch old -o patched --key k.key --storage flash");
  ASSERT_EQ(p.code, 0) << p.out;
  std::ofstream(dir + "/samples.txt") << "0.1 0.2 0.3 0.4 -0.5 0.6 0.7 -0.8\n-0.3 0.9 0 0.25 0.5 -0.75 1 -1\n";
  Result k = sh(kCli + " pack --base patched new -o update.eiota --key k.key --sequence 1 --selftest samples.txt --cache cache");
  ASSERT_EQ(k.code, 0) << k.out;
  Result b = sh(kCli + " build-sim --objects objects patched dev");
  ASSERT_EQ(b.code, 0) << b.out;

  FakeServe fake{publish(dir + "/update.eiota")};
  Server s([&](Conn& c) { fake(c); });
  std::string dev = "./dev --store flash --server " + s.url() + " --model demo --channel stable --device-id sim-1";
  const size_t size = fake.p.bytes.size();

  // Boot 1: the link drops after 500 body bytes; the client resumes on a new connection.
  Result a = sh(dev + " --net-drop-after 500");
  EXPECT_EQ(a.code, 0) << a.out;
  EXPECT_EQ(ota_line(a.out), "ota: applied id=" + fake.p.id + " status=206 body_bytes=" + std::to_string(size)) << a.out;
  EXPECT_NE(a.out.find("store: applied: slot A serves (sequence 1), on trial"), std::string::npos) << a.out;
  auto q = s.requests();
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0].target(), "/eiota/v1/demo/stable/pointer?device=sim-1&running=0-0000000000000000");
  EXPECT_EQ(q[1].header("Range"), "");
  std::string range = q[2].header("Range");
  ASSERT_EQ(range.rfind("bytes=", 0), 0u) << range;
  size_t from = std::stoul(range.substr(6));
  EXPECT_GE(from, 500u);
  EXPECT_LT(from, 500u + 512u);  // resumed from what it had: at most one receive beyond the drop point
  EXPECT_EQ(q[2].header("If-Range"), "\"" + fake.p.sha + "\"");
  EXPECT_EQ(q[3].body, "device=sim-1&channel=stable&running=" + fake.p.id + "&target=" + fake.p.id + "&result=applied&error=0");

  // Boot 2: the self-test confirms and says so; no check on this boot.
  Result t = sh(dev + " --selftest");
  EXPECT_EQ(t.code, 0) << t.out;
  EXPECT_NE(t.out.find("every output as expected: confirmed"), std::string::npos) << t.out;
  EXPECT_EQ(ota_line(t.out), "ota: report confirmed status=204") << t.out;
  q = s.requests();
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[4].body, "device=sim-1&channel=stable&running=" + fake.p.id + "&target=" + fake.p.id + "&result=confirmed&error=0");

  // Boot 3: If-None-Match is the running id: a 304, no body.
  Result c = sh(dev);
  EXPECT_EQ(c.code, 0) << c.out;
  EXPECT_EQ(ota_line(c.out), "ota: current id=" + fake.p.id + " status=304 body_bytes=0") << c.out;
  q = s.requests();
  ASSERT_EQ(q.size(), 6u);
  EXPECT_EQ(q[5].header("If-None-Match"), "\"" + fake.p.id + "\"");

  // A report only.
  Result r = sh(dev + " --report reverted");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(ota_line(r.out), "ota: report reverted status=204") << r.out;
  EXPECT_EQ(s.requests().size(), 7u);

  // Another device, whose download is refused: failed, exit 3, reported.
  fake.payload_status = 404;
  Result f = sh("./dev --store flash2 --server " + s.url() + " --model demo --device-id sim-2 --net-attempts 1");
  EXPECT_EQ(f.code, 3) << f.out;
  EXPECT_EQ(ota_line(f.out), "ota: failed -48 unexpected HTTP status from the update server id=" + fake.p.id +
                                 " status=404 body_bytes=0") << f.out;
  q = s.requests();
  ASSERT_EQ(q.size(), 10u);
  EXPECT_EQ(q[9].body, "device=sim-2&channel=stable&running=0-0000000000000000&target=" + fake.p.id + "&result=deferred&error=-48");

  // Bad flags are input errors.
  EXPECT_EQ(sh("./dev --server " + s.url()).code, 2);  // no --model
  EXPECT_EQ(sh("./dev --server ftp://x --model demo").code, 2);
  EXPECT_EQ(sh("./dev --server " + s.url() + " --model demo --net-attempts 0").code, 2);
  EXPECT_EQ(sh("./dev --model demo").code, 2);
  EXPECT_EQ(sh("./dev --server " + s.url() + " --model demo --report maybe").code, 2);
  EXPECT_EQ(s.requests().size(), 10u);  // none of them sent anything
}

}  // namespace
