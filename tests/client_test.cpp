// The device delivery client (device/eiota_client.h) over the POSIX transport against a
// canned-response loopback server: 304 and same-id pointers cost no download, Content-Length and
// chunked payloads apply, a drop mid-body resumes with Range/If-Range (the server counts what it
// re-sends), a 200 to a Range starts over, a reset resumes from eiota_update_resume's offset,
// stalls time out in bounded time without spinning, bad pointers and statuses are refused, and
// reports have the documented body.
#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <ctime>

#include "canned_http.h"
#include "eiota_client.h"
#include "eiota_posix_transport.h"
#include "store_harness.h"

using namespace store_harness;
using canned::Conn;
using canned::Server;

namespace {

const Geometry kGeom = {64, 1, 0xFF, 40};  // small erase blocks: a reset leaves something to resume

std::string hex(const uint8_t* p, size_t n) {
  static const char* x = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; i++) s += {x[p[i] >> 4], x[p[i] & 15]};
  return s;
}

std::string sha256_hex(const std::string& s) {
  uint8_t d[32];
  crypto_hash_sha256(d, (const uint8_t*)s.data(), s.size());
  return hex(d, 32);
}

// The payload id of a payload file: "<sequence>-<first 8 bytes of data_sha256>".
std::string id_of(const std::string& p) {
  eiota_header h;
  EXPECT_EQ(eiota_decode_header((const uint8_t*)p.data(), p.size(), &h), EIOTA_DECODE_OK);
  return std::to_string(h.sequence) + "-" + hex(h.data_sha256, 8);
}

std::string pointer_for(const std::string& p, const std::string& id = "") {
  std::string sha = sha256_hex(p);
  std::string i = id.empty() ? id_of(p) : id;
  return "eiota-pointer 1\nid " + i + "\nsequence " + i.substr(0, i.find('-')) + "\nsize " + std::to_string(p.size()) +
         "\nsha256 " + sha + "\npayload payloads/" + sha + ".eiota\n";
}

std::string ok200(const std::string& body, const std::string& etag, const std::string& type = "text/plain") {
  return "HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nETag: \"" + etag + "\"\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

std::string chunked200(const std::string& body, const std::string& etag, size_t chunk) {
  std::string s = "HTTP/1.1 200 OK\r\nETag: \"" + etag + "\"\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (size_t at = 0; at < body.size(); at += chunk) {
    std::string c = body.substr(at, chunk);
    char len[16];
    snprintf(len, sizeof len, "%zx\r\n", c.size());
    s += len + c + "\r\n";
  }
  return s + "0\r\n\r\n";
}

std::string partial206(const std::string& body, size_t from, const std::string& etag) {
  return "HTTP/1.1 206 Partial Content\r\nETag: \"" + etag + "\"\r\nContent-Range: bytes " + std::to_string(from) + "-" +
         std::to_string(body.size() - 1) + "/" + std::to_string(body.size()) + "\r\nContent-Length: " +
         std::to_string(body.size() - from) + "\r\n\r\n" + body.substr(from);
}

const char* kNoContent = "HTTP/1.1 204 No Content\r\n\r\n";

bool is_pointer(const Conn& c) { return c.head.rfind("GET /eiota/v1/m/stable/pointer?", 0) == 0; }
bool is_payload(const Conn& c) { return c.head.rfind("GET /eiota/v1/m/payloads/", 0) == 0; }
bool is_report(const Conn& c) { return c.head.rfind("POST /eiota/v1/m/report HTTP/1.1", 0) == 0; }

// A device with flash slots, the POSIX transport and a client for `url`.
struct Rig {
  Device d{kGeom, false, 3};
  eiota_posix_socket sock;
  eiota_transport t;
  eiota_client c;
  eiota_update u;
  eiota_client_config cfg;
  std::string url;

  explicit Rig(const std::string& u_, uint32_t timeout_ms = 3000, uint8_t attempts = 3) : url(u_) {
    d.known(1);
    d.known(2);
    EXPECT_EQ(d.boot(), EIOTA_OK);
    eiota_posix_transport_init(&sock, &t);
    cfg = {&t, url.c_str(), "m", "stable", "dev-1", timeout_ms, attempts, nullptr, nullptr};
    EXPECT_EQ(eiota_client_init(&c, &cfg), EIOTA_OK);
  }
  std::string running() {
    char id[EIOTA_PAYLOAD_ID_MAX];
    eiota_client_running_id(&d.model, id);
    return id;
  }
};

TEST(Client, A304CostsNoBody) {
  Server s([](Conn& c) { c.write("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"); });
  Rig r(s.url());
  EXPECT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_CLIENT_CURRENT);
  EXPECT_EQ(r.c.status, 304);
  EXPECT_EQ(r.c.body_bytes, 0u);
  auto q = s.requests();
  ASSERT_EQ(q.size(), 1u);  // no download, no report
  EXPECT_EQ(q[0].target(), "/eiota/v1/m/stable/pointer?device=dev-1&running=0-0000000000000000");
  EXPECT_EQ(q[0].header("If-None-Match"), "\"0-0000000000000000\"");
  EXPECT_EQ(q[0].header("Host"), "127.0.0.1:" + std::to_string(s.port));
  EXPECT_EQ(q[0].header("Connection"), "close");
}

TEST(Client, APointerNamingTheRunningPayloadIsNotDownloadedAndItsETagIsSentNext) {
  std::string factory = "eiota-pointer 1\nid 0-0000000000000000\nsequence 0\nsize 100\nsha256 " + std::string(64, 'a') +
                        "\npayload payloads/" + std::string(64, 'a') + ".eiota\nlater-key ignored\n";
  Server s([&](Conn& c) { c.write(ok200(factory, "nginx-etag-1")); });
  Rig r(s.url());
  EXPECT_EQ(eiota_client_check(&r.c, &r.d.model), EIOTA_CLIENT_CURRENT);
  EXPECT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_CLIENT_CURRENT);
  auto q = s.requests();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_TRUE(is_pointer(q[0]) && is_pointer(q[1]));
  EXPECT_EQ(q[1].header("If-None-Match"), "\"nginx-etag-1\"");
}

// Serves the pointer, then the payload by `payload_response`, then 204 to reports.
Server::Handler serve(const std::string& payload, std::function<void(Conn&)> payload_response) {
  return [payload, payload_response](Conn& c) {
    if (is_pointer(c)) c.write(ok200(pointer_for(payload), id_of(payload)));
    else if (is_payload(c)) payload_response(c);
    else if (is_report(c)) c.write(kNoContent);
    else c.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  };
}

TEST(Client, AppliesAContentLengthPayloadAndReportsIt) {
  Device probe(kGeom, false);
  std::string p = probe.payload(1, 1);
  std::string sha = sha256_hex(p);
  Server s(serve(p, [&](Conn& c) { c.write(ok200(p, sha, "application/octet-stream")); }));
  Rig r(s.url());
  std::vector<uint32_t> progress;
  r.c.cfg.progress = [](void* ctx, uint32_t bytes, uint32_t total) {
    auto* v = static_cast<std::vector<uint32_t>*>(ctx);
    v->push_back(bytes);
    v->push_back(total);
  };
  r.c.cfg.progress_ctx = &progress;
  ASSERT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_CLIENT_APPLIED);
  EXPECT_EQ(r.c.status, 200);
  EXPECT_EQ(r.c.report_status, 204);
  EXPECT_EQ(r.c.body_bytes, p.size());
  EXPECT_EQ(r.d.serving(), 1);
  EXPECT_EQ(eiota_store_status(&r.d.model)->trial, 1);
  ASSERT_GE(progress.size(), 2u);
  EXPECT_EQ(progress[progress.size() - 2], p.size());
  EXPECT_EQ(progress.back(), p.size());
  auto q = s.requests();
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[1].target(), "/eiota/v1/m/payloads/" + sha + ".eiota");
  EXPECT_EQ(q[1].header("Range"), "");
  ASSERT_TRUE(is_report(q[2]));
  std::string id = id_of(p);
  EXPECT_EQ(q[2].body, "device=dev-1&channel=stable&running=" + id + "&target=" + id + "&result=applied&error=0");
  EXPECT_EQ(q[2].header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(q[2].header("Content-Length"), std::to_string(q[2].body.size()));
  // The next check: If-None-Match is the pointer's ETag (eiota serve: the payload id), running the new id.
  EXPECT_EQ(r.running(), id);
  EXPECT_EQ(eiota_client_check(&r.c, &r.d.model), EIOTA_CLIENT_CURRENT);
  q = s.requests();
  EXPECT_EQ(q.back().header("If-None-Match"), "\"" + id + "\"");
  EXPECT_NE(q.back().target().find("&running=" + id), std::string::npos);
}

TEST(Client, AppliesAChunkedPayload) {
  Device probe(kGeom, false);
  std::string p = probe.payload(1, 1);
  Server s(serve(p, [&](Conn& c) { c.write(chunked200(p, "e1", 100)); }));
  Rig r(s.url());
  ASSERT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_CLIENT_APPLIED);
  EXPECT_EQ(r.d.serving(), 1);
  EXPECT_EQ(r.c.body_bytes, p.size());
}

// The head of a 200 with the whole length, and only the first `n` body bytes: then the connection drops.
std::string cut200(const std::string& p, size_t n, const std::string& etag) {
  std::string full = ok200(p, etag, "application/octet-stream");
  return full.substr(0, full.size() - p.size() + n);
}

TEST(Client, ADropMidBodyResumesWithRangeAndIfRangeResendingNothing) {
  Device probe(kGeom, false);
  std::string p = probe.payload(1, 1);
  const size_t cut = 700;
  size_t body_sent = 0;
  Server s(serve(p, [&](Conn& c) {
    std::string range = c.header("Range");
    if (range.empty()) {
      c.write(cut200(p, cut, "strong-1"));
      body_sent += cut;
    } else {
      size_t from = std::stoul(range.substr(6));
      c.write(partial206(p, from, "strong-1"));
      body_sent += p.size() - from;
    }
  }));
  Rig r(s.url());
  ASSERT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_CLIENT_APPLIED);
  EXPECT_EQ(r.d.serving(), 1);
  EXPECT_EQ(r.c.status, 206);
  auto q = s.requests();
  ASSERT_EQ(q.size(), 4u);  // pointer, payload, payload (resumed), report
  EXPECT_EQ(q[2].header("Range"), "bytes=" + std::to_string(cut) + "-");
  EXPECT_EQ(q[2].header("If-Range"), "\"strong-1\"");
  // Re-sent: at most one receive chunk of the client (here none: it resumed exactly where it stopped).
  EXPECT_LE(body_sent - p.size(), (size_t)EIOTA_CLIENT_IO_CAP);
  EXPECT_EQ(body_sent, p.size());
  EXPECT_EQ(r.c.body_bytes, p.size());
  EXPECT_EQ(r.c.restarts, 0u);
}

TEST(Client, A200ToARangeStartsOver) {
  Device probe(kGeom, false);
  std::string p = probe.payload(1, 1);
  Server s(serve(p, [&](Conn& c) {
    if (c.header("Range").empty()) c.write(cut200(p, 500, "v1"));
    else c.write(ok200(p, "v2", "application/octet-stream"));  // If-Range "v1" no longer matches
  }));
  Rig r(s.url());
  ASSERT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_CLIENT_APPLIED);
  EXPECT_EQ(r.d.serving(), 1);
  EXPECT_EQ(r.c.restarts, 1u);
  EXPECT_EQ(r.c.body_bytes, 500 + p.size());
  EXPECT_EQ(s.requests()[2].header("If-Range"), "\"v1\"");
}

TEST(Client, ADropEveryTimeStopsAfterTheAttemptsAndReportsFailed) {
  Device probe(kGeom, false);
  std::string p = probe.payload(1, 1);
  Server s(serve(p, [&](Conn& c) {
    std::string range = c.header("Range");
    size_t from = range.empty() ? 0 : std::stoul(range.substr(6));
    std::string r = range.empty() ? ok200(p, "e", "application/octet-stream") : partial206(p, from, "e");
    c.write(r.substr(0, r.size() - (p.size() - from) + 100));  // 100 more bytes, then drop
  }));
  Rig r(s.url(), 3000, 2);
  EXPECT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_ERR_TRUNCATED);
  EXPECT_EQ(r.d.serving(), 0);
  auto q = s.requests();
  ASSERT_EQ(q.size(), 4u);  // pointer, 2 attempts, report
  EXPECT_EQ(q[2].header("Range"), "bytes=100-");
  EXPECT_EQ(q[3].body, "device=dev-1&channel=stable&running=0-0000000000000000&target=" + id_of(p) + "&result=deferred&error=-9");
}

TEST(Client, AfterAResetTheDownloadResumesFromEiotaUpdateResumesOffset) {
  Device probe(kGeom, false);
  std::string p = probe.payload(1, 1);
  const size_t cut = 1300;
  size_t body_sent = 0;
  Server s(serve(p, [&](Conn& c) {
    std::string range = c.header("Range");
    if (range.empty()) {
      c.write(cut200(p, cut, "s1"));
      body_sent += cut;
    } else {
      size_t from = std::stoul(range.substr(6));
      c.write(partial206(p, from, "s1"));
      body_sent += p.size() - from;
    }
  }));
  Rig r(s.url(), 3000, 1);  // one attempt: the drop ends this boot's download
  EXPECT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_ERR_TRUNCATED);
  // Reset: RAM (the client, the update, the model state) is gone; the slot keeps what was written.
  ASSERT_EQ(r.d.boot(), EIOTA_OK);
  EXPECT_EQ(r.d.serving(), 0);
  eiota_client c2;
  ASSERT_EQ(eiota_client_init(&c2, &r.cfg), EIOTA_OK);
  eiota_update u2;
  ASSERT_EQ(eiota_client_run(&c2, &r.d.model, &u2), EIOTA_CLIENT_APPLIED);
  EXPECT_EQ(r.d.serving(), 1);
  uint32_t from = r.d.store.resumed_from;
  EXPECT_GT(from, 0u);
  EXPECT_LE(from, cut);
  auto q = s.requests();
  ASSERT_EQ(q.size(), 6u);  // pointer, payload, report(failed), pointer, payload (resumed), report
  EXPECT_EQ(q[4].header("Range"), "bytes=" + std::to_string(from) + "-");
  EXPECT_EQ(q[4].header("If-Range"), "");  // the ETag died with the RAM: the URL is content-addressed
  // Re-sent after the reset: the torn erase block and the write buffer at most (eiota_store.h).
  EXPECT_LE(body_sent - p.size(), (size_t)kGeom.erase_size + 64u);
  EXPECT_EQ(c2.body_bytes, p.size() - from);
}

TEST(Client, AResumedSlotHoldingAnotherPayloadIsStartedOver) {
  Device probe(kGeom, false);
  std::string p1 = probe.payload(1, 1), p2 = probe.payload(2, 2);
  bool second = false;
  Server s([&](Conn& c) {
    const std::string& p = second ? p2 : p1;
    if (is_pointer(c)) c.write(ok200(pointer_for(p), id_of(p)));
    else if (is_payload(c)) c.write(second ? ok200(p, "b", "application/octet-stream") : cut200(p, 1300, "a"));
    else c.write(kNoContent);
  });
  Rig r(s.url(), 3000, 1);
  EXPECT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_ERR_TRUNCATED);
  ASSERT_EQ(r.d.boot(), EIOTA_OK);
  second = true;
  eiota_client c2;
  ASSERT_EQ(eiota_client_init(&c2, &r.cfg), EIOTA_OK);
  ASSERT_EQ(eiota_client_run(&c2, &r.d.model, &r.u), EIOTA_CLIENT_APPLIED);
  EXPECT_EQ(r.d.serving(), 2);
  EXPECT_EQ(s.requests()[4].header("Range"), "");
}

double cpu_seconds() { return (double)std::clock() / CLOCKS_PER_SEC; }

TEST(Client, AStalledServerTimesOutInBoundedTimeWithoutSpinning) {
  Server s([](Conn& c) { c.stall(3000); });
  Rig r(s.url(), 300);
  auto t0 = std::chrono::steady_clock::now();
  double c0 = cpu_seconds();
  EXPECT_EQ(eiota_client_check(&r.c, &r.d.model), EIOTA_ERR_TIMEOUT);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(wall, 0.25);
  EXPECT_LT(wall, 1.5);
  EXPECT_LT(cpu_seconds() - c0, 0.1) << "the wait spun";
}

TEST(Client, AStallMidBodyTimesOutAfterTheAttempts) {
  Device probe(kGeom, false);
  std::string p = probe.payload(1, 1);
  Server s(serve(p, [&](Conn& c) {
    c.write(cut200(p, 400, "e"));
    c.stall(3000);
  }));
  Rig r(s.url(), 300, 2);
  auto t0 = std::chrono::steady_clock::now();
  double c0 = cpu_seconds();
  EXPECT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_ERR_TIMEOUT);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(wall, 2.5);
  EXPECT_LT(cpu_seconds() - c0, 0.15);
  EXPECT_EQ(r.d.serving(), 0);
}

TEST(Client, NothingListeningIsANetworkError) {
  int port = [] {
    Server s([](Conn&) {});
    return s.port;
  }();
  Rig r("http://127.0.0.1:" + std::to_string(port) + "/eiota/v1");
  EXPECT_EQ(eiota_client_check(&r.c, &r.d.model), EIOTA_ERR_NET);
  EXPECT_EQ(r.c.status, 0);
}

TEST(Client, OversizeAndMalformedPointersAreRefused) {
  std::string body;
  Server s([&](Conn& c) { c.write(ok200(body, "x")); });
  Rig r(s.url());
  Device probe(kGeom, false);
  std::string good = pointer_for(probe.payload(1, 1));
  body = good + "pad " + std::string(600 - good.size(), 'x') + "\n";
  EXPECT_EQ(eiota_client_check(&r.c, &r.d.model), EIOTA_ERR_POINTER);
  for (std::string bad : {std::string("<html>hello</html>"), std::string("eiota-pointer 2\n") + good.substr(16),
                          good.substr(0, good.find("size")), "x" + good}) {
    body = bad;
    EXPECT_EQ(eiota_client_check(&r.c, &r.d.model), EIOTA_ERR_POINTER) << bad;
  }
  body = good;
  EXPECT_EQ(eiota_client_check(&r.c, &r.d.model), EIOTA_CLIENT_AVAILABLE);
  EXPECT_EQ(r.c.pointer.id, id_of(probe.payload(1, 1)));
  EXPECT_EQ(r.c.pointer.size, probe.payload(1, 1).size());
}

TEST(Client, PointerParserChecksEveryField) {
  const std::string sha(64, 'b');
  auto ptr = [&](const std::string& id, const std::string& seq, const std::string& size, const std::string& h,
                 const std::string& path) {
    return "eiota-pointer 1\nid " + id + "\nsequence " + seq + "\nsize " + size + "\nsha256 " + h + "\npayload " + path + "\n";
  };
  eiota_client_pointer p;
  std::string ok = ptr("7-89abcdef01234567", "7", "1272", sha, "payloads/" + sha + ".eiota");
  ASSERT_EQ(eiota_client_parse_pointer(ok.data(), ok.size(), &p), EIOTA_OK);
  EXPECT_STREQ(p.id, "7-89abcdef01234567");
  EXPECT_EQ(p.sequence, 7u);
  EXPECT_EQ(p.size, 1272u);
  EXPECT_EQ(p.sha256, sha);
  std::string crlf = ok;
  for (size_t at = 0; (at = crlf.find('\n', at)) != std::string::npos; at += 2) crlf.insert(at, "\r");
  EXPECT_EQ(eiota_client_parse_pointer(crlf.data(), crlf.size(), &p), EIOTA_OK);
  for (const std::string& bad : {
           ptr("7-89abcdef01234567", "8", "1272", sha, "p"),          // id and sequence disagree
           ptr("7-89ABCDEF01234567", "7", "1272", sha, "p"),          // upper-case hex
           ptr("07-89abcdef01234567", "7", "1272", sha, "p"),         // leading zero
           ptr("7-89abcdef0123456", "7", "1272", sha, "p"),           // 15 digits
           ptr("7-89abcdef01234567", "7", "0", sha, "p"),             // empty payload
           ptr("7-89abcdef01234567", "7", "4294967296", sha, "p"),    // over 32 bits
           ptr("7-89abcdef01234567", "7", "12x", sha, "p"),
           ptr("7-89abcdef01234567", "7", "1272", sha.substr(1), "p"),
           ptr("7-89abcdef01234567", "7", "1272", sha, "../../etc/passwd"),
           ptr("7-89abcdef01234567", "7", "1272", sha, "/abs"),
           ptr("7-89abcdef01234567", "7", "1272", sha, "a/./b"),
           ptr("7-89abcdef01234567", "7", "1272", sha, "a/.hidden"),
           ptr("7-89abcdef01234567", "7", "1272", sha, "a//b"),
           ptr("7-89abcdef01234567", "7", "1272", sha, "a/"),
           ptr("7-89abcdef01234567", "7", "1272", sha, "a b"),
           ptr("7-89abcdef01234567", "7", "1272", sha, std::string(97, 'a')),
           ok + "id 7-89abcdef01234567\n",                            // a key twice
           ok.substr(0, ok.find("payload")),                           // a key missing
           std::string("eiota-pointer 1"),
           std::string(""),
           std::string("eiota-pointer 1\nid\0x\n", 21),
       })
    EXPECT_EQ(eiota_client_parse_pointer(bad.data(), bad.size(), &p), EIOTA_ERR_POINTER) << bad;
}

TEST(Client, UnexpectedStatusesAreRefused) {
  Device probe(kGeom, false);
  std::string p = probe.payload(1, 1);
  int pointer_status = 500;
  Server s([&](Conn& c) {
    if (is_pointer(c) && pointer_status != 200)
      c.write("HTTP/1.1 " + std::to_string(pointer_status) + " X\r\nContent-Length: 5\r\n\r\noops\n");
    else if (is_pointer(c)) c.write(ok200(pointer_for(p), "e"));
    else if (is_payload(c)) c.write("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nnot found\n");
    else c.write(kNoContent);
  });
  Rig r(s.url());
  EXPECT_EQ(eiota_client_check(&r.c, &r.d.model), EIOTA_ERR_HTTP_STATUS);
  EXPECT_EQ(r.c.status, 500);
  pointer_status = 404;
  EXPECT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_ERR_HTTP_STATUS);
  EXPECT_EQ(s.requests().size(), 2u);  // no report for a failed check
  pointer_status = 200;
  EXPECT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_ERR_HTTP_STATUS);
  EXPECT_EQ(r.c.status, 404);
  auto q = s.requests();
  ASSERT_EQ(q.size(), 5u);
  EXPECT_NE(q[4].body.find("&result=deferred&error=-48"), std::string::npos) << q[4].body;
  // A status error is not the payload's fault: the next check asks again (not If-None-Match: "e").
  EXPECT_EQ(eiota_client_check(&r.c, &r.d.model), EIOTA_CLIENT_AVAILABLE);
  EXPECT_EQ(s.requests().back().header("If-None-Match"), "\"0-0000000000000000\"");
}

TEST(Client, ARefusedPayloadIsReportedAndNotFetchedAgainThisBoot) {
  Device probe(kGeom, false);
  std::string p = probe.payload(1, 1);
  std::string bad = p;
  bad[bad.size() - 3] ^= 1;  // a value bit: the hash check refuses it
  Server s([&](Conn& c) {
    if (is_pointer(c) && c.header("If-None-Match") == "\"ptr-7\"") c.write("HTTP/1.1 304 Not Modified\r\n\r\n");
    else if (is_pointer(c)) c.write(ok200(pointer_for(p), "ptr-7"));
    else if (is_payload(c)) c.write(ok200(bad, "b", "application/octet-stream"));
    else c.write(kNoContent);
  });
  Rig r(s.url());
  EXPECT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_ERR_HASH_MISMATCH);
  EXPECT_EQ(r.d.serving(), 0);
  EXPECT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_CLIENT_CURRENT);
  auto q = s.requests();
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[2].body, "device=dev-1&channel=stable&running=0-0000000000000000&target=" + id_of(p) +
                           "&result=failed&error=" + std::to_string(EIOTA_ERR_HASH_MISMATCH));
}

TEST(Client, A206ForAnotherRangeIsRefusedAndTheSameBootAsksAgain) {
  Device probe(kGeom, false);
  std::string p = probe.payload(1, 1);
  Server s([&](Conn& c) {
    if (is_pointer(c)) c.write(ok200(pointer_for(p), "ptr-1"));
    else if (is_payload(c) && c.header("Range").empty()) c.write(cut200(p, 600, "e"));
    else if (is_payload(c)) c.write(partial206(p, 100, "e"));  // asked for 600-
    else c.write(kNoContent);
  });
  Rig r(s.url());
  EXPECT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_ERR_HTTP_MALFORMED);
  EXPECT_EQ(r.d.serving(), 0);
  EXPECT_EQ(eiota_client_check(&r.c, &r.d.model), EIOTA_CLIENT_AVAILABLE);
  EXPECT_EQ(s.requests().back().header("If-None-Match"), "\"0-0000000000000000\"") << "not the payload's fault: not settled";
}

TEST(Client, NoMoreThanThePointersSizeIsRead) {
  Device probe(kGeom, false);
  std::string p = probe.payload(1, 1);
  std::string small = pointer_for(p);
  small.replace(small.find("size "), small.find('\n', small.find("size ")) - small.find("size "), "size 1000");
  for (bool length : {true, false}) {  // refused from the Content-Length, or when the body passes the size
    Server s([&](Conn& c) {
      if (is_pointer(c)) c.write(ok200(small, "p"));
      else if (is_payload(c) && length) c.write(ok200(p, "e", "application/octet-stream"));
      else if (is_payload(c)) c.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + p);  // until close
      else c.write(kNoContent);
    });
    Rig r(s.url());
    EXPECT_EQ(eiota_client_run(&r.c, &r.d.model, &r.u), EIOTA_ERR_OVERSIZE) << length;
    EXPECT_LE(r.c.fed, 1000u);
    if (length) EXPECT_EQ(r.c.body_bytes, 0u) << "refused from the Content-Length";
    else EXPECT_LE(r.c.body_bytes, 1000u + EIOTA_CLIENT_IO_CAP) << "refused at the size, not after";
    EXPECT_EQ(r.d.serving(), 0);
    EXPECT_EQ(s.requests().size(), 3u) << "not retried";
  }
}

TEST(Client, AReportHasTheDocumentedBody) {
  Server s([](Conn& c) { c.write(kNoContent); });
  Rig r(s.url());
  EXPECT_EQ(eiota_client_report(&r.c, "confirmed", "3-0123456789abcdef", "3-0123456789abcdef", 0), EIOTA_OK);
  EXPECT_EQ(eiota_client_report(&r.c, "reverted", nullptr, "3-0123456789abcdef", 0), EIOTA_OK);
  EXPECT_EQ(eiota_client_report(&r.c, "maybe", nullptr, nullptr, 0), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(eiota_client_report(&r.c, "failed", "x&y", nullptr, -5), EIOTA_ERR_HTTP_BAD_REQUEST);
  auto q = s.requests();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].head.substr(0, q[0].head.find("\r\n")), "POST /eiota/v1/m/report HTTP/1.1");
  EXPECT_EQ(q[0].body, "device=dev-1&channel=stable&running=3-0123456789abcdef&target=3-0123456789abcdef&result=confirmed&error=0");
  EXPECT_EQ(q[1].body, "device=dev-1&channel=stable&running=0-0000000000000000&target=3-0123456789abcdef&result=reverted&error=0");
  EXPECT_LE(q[0].body.size(), 512u);
}

TEST(Client, ConfigAndURLsAreChecked) {
  eiota_posix_socket sock;
  eiota_transport t;
  eiota_posix_transport_init(&sock, &t);
  eiota_client c;
  auto init = [&](const char* url, const char* model = "m", const char* channel = "stable", const char* dev = "d:1") {
    eiota_client_config cfg = {&t, url, model, channel, dev, 0, 0, nullptr, nullptr};
    return eiota_client_init(&c, &cfg);
  };
  ASSERT_EQ(init("http://updates.example.com/eiota/v1/"), EIOTA_OK);
  EXPECT_STREQ(c.host, "updates.example.com");
  EXPECT_STREQ(c.host_header, "updates.example.com");
  EXPECT_EQ(c.port, 80);
  EXPECT_EQ(std::string(c.base, c.base_len), "/eiota/v1");
  EXPECT_EQ(c.cfg.timeout_ms, EIOTA_CLIENT_DEFAULT_TIMEOUT_MS);
  EXPECT_EQ(c.cfg.attempts, EIOTA_CLIENT_DEFAULT_ATTEMPTS);
  ASSERT_EQ(init("https://h:8443"), EIOTA_OK);
  EXPECT_EQ(c.port, 8443);
  EXPECT_STREQ(c.host_header, "h:8443");
  EXPECT_EQ(c.base_len, 0);
  ASSERT_EQ(init("https://h:443/x"), EIOTA_OK);
  EXPECT_STREQ(c.host_header, "h");
  ASSERT_EQ(init("http://[::1]:8080/b"), EIOTA_OK);
  EXPECT_STREQ(c.host, "::1");
  EXPECT_STREQ(c.host_header, "[::1]:8080");
  for (const char* bad : {"ftp://h/", "http://", "http://h:0/", "http://h:65536/", "http://h:x/", "http://h/a b",
                          "http://h/a?q", "http://h\r\nX: y/", "h/x", "http://[::1/"})
    EXPECT_EQ(init(bad), EIOTA_ERR_POINTER) << bad;
  EXPECT_EQ(init(("http://" + std::string(64, 'h')).c_str()), EIOTA_ERR_POINTER);
  EXPECT_EQ(init(("http://h/" + std::string(97, 'p')).c_str()), EIOTA_ERR_POINTER);
  EXPECT_EQ(init("http://h", ".hidden"), EIOTA_ERR_POINTER);
  EXPECT_EQ(init("http://h", "m", "a/b"), EIOTA_ERR_POINTER);
  EXPECT_EQ(init("http://h", "m", "stable", "dev&x=1"), EIOTA_ERR_POINTER);
  EXPECT_EQ(init("http://h", "m", "stable", ""), EIOTA_ERR_POINTER);
  EXPECT_EQ(init("http://h", std::string(65, 'm').c_str()), EIOTA_ERR_POINTER);
  eiota_client_config none = {nullptr, "http://h", "m", "c", "d", 0, 0, nullptr, nullptr};
  EXPECT_EQ(eiota_client_init(&c, &none), EIOTA_ERR_STATE);
}

}  // namespace
