// Every bad input the issue lists gets its 4xx with a one-line reason, and nothing is stored.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "serve_harness.h"

using namespace eiota::test;

namespace {

// Sends `request` raw and returns what came back until the server closed or 3 s passed.
std::string raw(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons((uint16_t)port);
  if (connect(fd, (sockaddr*)&a, sizeof a) != 0) {
    close(fd);
    return "";
  }
  timeval tv{3, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
    out.append(buf, (size_t)n);
    if (out.find("\r\n\r\n") != std::string::npos && out.find('\n', out.find("\r\n\r\n") + 4) != std::string::npos) break;
  }
  close(fd);
  return out;
}

class ServeRefusals : public ServeTest {
 protected:
  // The status and that the reason is one non-empty line of text/plain.
  void expect_refused(const httplib::Result& r, int status, const std::string& words) {
    ASSERT_TRUE(r) << "no answer";
    EXPECT_EQ(r->status, status) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain") << r->body;
    ASSERT_FALSE(r->body.empty());
    EXPECT_EQ(r->body.find('\n'), r->body.size() - 1) << r->body;
    EXPECT_NE(r->body.find(words), std::string::npos) << r->body;
  }
  size_t stored_payloads() {
    Result r = run("sqlite3 " + (dir / "serve.db").string() + " 'SELECT count(*) FROM payloads'");
    EXPECT_EQ(r.code, 0) << r.out;
    return r.code == 0 ? std::stoul(r.out) : SIZE_MAX;
  }
};

TEST_F(ServeRefusals, UploadWithoutOrWithABadToken) {
  std::string p = payload(7);
  auto r = client().Put("/eiota/v1/m1/payloads", p, "application/octet-stream");
  expect_refused(r, 401, "Authorization: Bearer");
  r = client().Put("/eiota/v1/m1/payloads", {{"Authorization", "Bearer eiota_nottherighttoken"}}, p, "application/octet-stream");
  expect_refused(r, 401, "not known");
  r = client().Put("/eiota/v1/m1/payloads", {{"Authorization", "Basic " + token}}, p, "application/octet-stream");
  expect_refused(r, 401, "not known");
  // Nothing was stored: the payload is unknown, and a real upload is a new one.
  expect_refused(client().Get(("/eiota/v1/m1/payloads/" + eiota::host::sha256_hex(p) + ".eiota").c_str()), 404, "no payload");
  EXPECT_EQ(upload(p)->status, 201);
}

TEST_F(ServeRefusals, AdminRoutesNeedTheToken) {
  publish(7, 0x11);
  for (const char* path : {"/eiota/v1/m1/devices", "/eiota/v1/m1/stable"}) expect_refused(client().Get(path), 401, "Bearer");
  expect_refused(client().Post("/eiota/v1/m1/stable/rollout", json{{"state", "paused"}}.dump(), "application/json"), 401, "Bearer");
  expect_refused(client().Post("/eiota/v1/m1/stable/release", {{"Authorization", "Bearer x"}}, "{}", "application/json"), 401, "not known");
  EXPECT_EQ(get_json("m1/stable")["state"], "active");
}

TEST_F(ServeRefusals, PathTraversal) {
  std::string p = payload(7);
  for (const char* path : {"/eiota/v1/../payloads", "/eiota/v1/%2e%2e/payloads", "/eiota/v1/m1/payloads/..%2f..%2fetc",
                           "/eiota/v1/.hidden/payloads", "/eiota/v1/m1%2fpayloads"}) {
    auto r = client().Put(path, auth(), p, "application/octet-stream");
    ASSERT_TRUE(r) << path;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << path << " " << r->status << " " << r->body;
    EXPECT_FALSE(r->body.empty()) << path;
  }
  expect_refused(client().Get("/eiota/v1/m1/payloads/%2e%2e%2f%2e%2e%2fserve.db"), 400, "encoded slash");
  expect_refused(client().Get("/eiota/v1/m1/payloads/%2e%2e"), 400, "path segments");
  expect_refused(client().Get("/eiota/v1/%2e%2e/stable/pointer"), 400, "path segments");
  EXPECT_EQ(stored_payloads(), 0u);
}

TEST_F(ServeRefusals, OversizeUploadIsRefusedBeforeItIsRead) {
  // A claimed length over --max-payload: 413 at once, though not one body byte was sent.
  std::string resp = raw(port, "PUT /eiota/v1/m1/payloads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                                   "\r\nContent-Length: 1000000000000\r\n\r\n");
  EXPECT_EQ(resp.rfind("HTTP/1.1 413", 0), 0u) << resp;
  EXPECT_NE(resp.find("larger than the 16777216 bytes allowed"), std::string::npos) << resp;
  // A real body over a small limit, and a chunked one that never says its length.
  start({"--max-payload", "2048"});
  std::string big(4096, 'x');
  expect_refused(client().Put("/eiota/v1/m1/payloads", auth(), big, "application/octet-stream"), 413, "2048 bytes");
  // Streamed bodies: the server stops reading at the limit, so a client still writing may see the
  // connection close instead of the 413; either way nothing is stored and the server goes on.
  auto streamed = client().Put(
      "/eiota/v1/m1/payloads", auth(), big.size(),
      [&](size_t offset, size_t length, httplib::DataSink& sink) { return sink.write(big.data() + offset, std::min<size_t>(length, 512)); },
      "application/octet-stream");
  if (streamed) EXPECT_EQ(streamed->status, 413) << streamed->body;
  auto chunked = client().Put(
      "/eiota/v1/m1/payloads", auth(),
      [&](size_t offset, httplib::DataSink& sink) {
        if (offset >= big.size()) {
          sink.done();
          return true;
        }
        return sink.write(big.data() + offset, 512);
      },
      "application/octet-stream");
  if (chunked) EXPECT_EQ(chunked->status, 413) << chunked->body;
  EXPECT_EQ(upload(payload(7))->status, 201);
  EXPECT_EQ(stored_payloads(), 1u);
}

TEST_F(ServeRefusals, MalformedUploads) {
  expect_refused(client().Put("/eiota/v1/m1/payloads", auth(), "", "application/octet-stream"), 400, "payload");
  expect_refused(client().Put("/eiota/v1/m1/payloads", auth(), std::string(300, 'z'), "application/octet-stream"), 400, "not a valid payload");
  std::string p = payload(7);
  std::string cut = p.substr(0, p.size() - 5);
  expect_refused(client().Put("/eiota/v1/m1/payloads", auth(), cut, "application/octet-stream"), 400, "not a valid payload");
  std::string flipped = p;
  flipped[flipped.size() - 1] ^= 1;
  expect_refused(client().Put("/eiota/v1/m1/payloads", auth(), flipped, "application/octet-stream"), 400, "not a valid payload");
  expect_refused(client().Put("/eiota/v1/nomodel/payloads", auth(), p, "application/octet-stream"), 404, "unknown model");
  EXPECT_EQ(stored_payloads(), 0u);
}

TEST_F(ServeRefusals, AnotherKeyOrAnotherModel) {
  expect_refused(upload(payload(7, 0x11, &other)), 409, "another key");
  eiota::host::Manifest m2 = make_manifest(2, key);
  expect_refused(upload(payload(7, 0x11, &key, &m2)), 409, "another model");
  EXPECT_EQ(stored_payloads(), 0u);
}

TEST_F(ServeRefusals, BadReleasesAndRollouts) {
  std::string sha = publish(7, 0x11);
  std::string sha8 = eiota::host::sha256_hex(payload(8, 0x22));
  ASSERT_EQ(upload(payload(8, 0x22))->status, 201);
  expect_refused(client().Post("/eiota/v1/m1/stable/release", auth(), "{not json", "application/json"), 400, "JSON object");
  expect_refused(post("m1/stable/release", {{"sha256", "ABC"}}), 400, "sha256");
  expect_refused(post("m1/stable/release", {{"sha256", sha8}, {"percent", 101}}), 400, "percent");
  expect_refused(post("m1/stable/release", {{"sha256", sha8}, {"percent", "50"}}), 400, "percent");
  expect_refused(post("m1/stable/release", {{"sha256", sha8}, {"halt_failures", 2}}), 400, "halt_failures");
  expect_refused(post("m1/stable/release", {{"sha256", sha8}, {"halt_min_reports", 0}}), 400, "halt_min_reports");
  expect_refused(post("m1/stable/release", {{"sha256", sha8}, {"percnt", 5}}), 400, "unknown key percnt");
  expect_refused(post("m1/devices/release", {{"sha256", sha8}}), 400, "not a channel name");
  expect_refused(post("m2/stable/release", {{"sha256", sha8}}), 404, "unknown model");
  expect_refused(post("m1/stable/rollout", json::object()), 400, "percent and/or state");
  expect_refused(post("m1/stable/rollout", {{"state", "halted"}}), 400, "state");
  expect_refused(post("m1/beta/rollout", {{"percent", 5}}), 404, "no release on channel beta");
  expect_refused(client().Post("/eiota/v1/m1/stable/release", auth(), std::string(5000, ' '), "application/json"), 413, "4096");
  json c = get_json("m1/stable");
  EXPECT_EQ(c["current"]["sha256"], sha) << c;
  EXPECT_EQ(c["percent"], 100);
  EXPECT_EQ(c["generation"], 1);
}

TEST_F(ServeRefusals, BadPointerAndReportInput) {
  publish(7, 0x11);
  expect_refused(client().Get("/eiota/v1/m1/stable/pointer?device=a%20b"), 400, "device");
  expect_refused(client().Get(("/eiota/v1/m1/stable/pointer?device=" + std::string(65, 'a')).c_str()), 400, "device");
  expect_refused(client().Get("/eiota/v1/m1/stable/pointer?device=d&running=7"), 400, "running");
  expect_refused(client().Get("/eiota/v1/m1/nochannel/pointer?device=d"), 404, "no release on channel nochannel");
  expect_refused(client().Get("/eiota/v1/nomodel/stable/pointer?device=d"), 404, "unknown model nomodel");
  expect_refused(report("device=d&channel=stable&result=exploded"), 400, "result");
  expect_refused(report("device=d&channel=stable&result=failed&error=x"), 400, "error");
  expect_refused(report("device=d&channel=stable&result=failed&error=%zz"), 400, "form");
  expect_refused(report("device=d&channel=stable&result=failed&color=red"), 400, "unknown report field");
  expect_refused(report("channel=stable&result=failed"), 400, "device");
  expect_refused(report("device=d&channel=beta&result=failed"), 404, "no release on channel beta");
  expect_refused(report("device=d&channel=stable&result=failed&target=" + std::string(600, '1')), 413, "512");
  expect_refused(client().Get("/elsewhere"), 404, "not a path");
  expect_refused(client().Delete("/eiota/v1/m1/stable"), 405, "GET, HEAD, PUT and POST only");
  json d = get_json("m1/devices");
  EXPECT_EQ(d["devices"].size(), 0u) << d;
}

}  // namespace
