// The device HTTP/1.1 response reader and request writer (device/eiota_http.h).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "eiota_http.h"

namespace {

struct Parsed {
  int feed = EIOTA_OK;    // the first error from feed, or EIOTA_OK
  int finish = EIOTA_OK;  // eiota_http_finish, when called
  eiota_http_response r;
  std::string body;
  int body_calls = 0;
  bool out_of_bounds = false;
};

struct Sink {
  Parsed* p;
  const uint8_t* lo;
  const uint8_t* hi;
  int fail_at_call;  // -1: never
};

int collect(void* ctx, const eiota_http_response* r, const uint8_t* data, size_t len) {
  Sink* s = static_cast<Sink*>(ctx);
  if (len == 0 || data < s->lo || data + len > s->hi) s->p->out_of_bounds = true;
  if (r->body_len != s->p->body.size()) s->p->out_of_bounds = true;  // the offset the parser reports
  if (!(r->flags & EIOTA_HTTP_F_HEADERS)) s->p->out_of_bounds = true;
  if (s->p->body_calls++ == s->fail_at_call) return EIOTA_ERR_STORAGE;
  s->p->body.append(reinterpret_cast<const char*>(data), len);
  return EIOTA_OK;
}

// Feeds `in` in pieces of the given sizes (cycled), each from its own exact-size heap copy so
// that a read past a piece is caught by ASan; then finishes.
Parsed parse_pieces(const std::string& in, const std::vector<size_t>& sizes, unsigned options = 0,
                    int fail_at_call = -1) {
  Parsed p;
  eiota_http_begin(&p.r, options);
  size_t at = 0, k = 0;
  while (at < in.size()) {
    size_t n = std::min(sizes[k++ % sizes.size()], in.size() - at);
    std::vector<uint8_t> piece(in.begin() + at, in.begin() + at + n);
    Sink s{&p, piece.data(), piece.data() + piece.size(), fail_at_call};
    int err = eiota_http_feed(&p.r, piece.data(), piece.size(), collect, &s);
    at += n;
    if (err != EIOTA_OK) {
      p.feed = err;
      break;
    }
  }
  p.finish = eiota_http_finish(&p.r);
  return p;
}

Parsed parse(const std::string& in, size_t step = 0, unsigned options = 0) {
  return parse_pieces(in, {step == 0 ? in.size() + 1 : step}, options);
}

const std::string kChunked =
    "HTTP/1.1 200 OK\r\n"
    "Transfer-Encoding: chunked\r\n"
    "ETag: \"p-42\"\r\n"
    "\r\n"
    "5;name=value;x=\"q\"\r\nhello\r\n"
    "1\r\n,\r\n"
    "00007 ; ext\r\n world!\r\n"
    "0\r\n"
    "X-Checksum: abc\r\n"
    "X-Other: 1\r\n"
    "\r\n";

TEST(HttpParser, StatusCodesAndCapturedHeaders) {
  Parsed ok = parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nETag: \"abc-1\"\r\n\r\nxyz");
  EXPECT_EQ(ok.feed, EIOTA_OK);
  EXPECT_EQ(ok.finish, EIOTA_OK);
  EXPECT_EQ(ok.r.status, 200);
  EXPECT_EQ(ok.body, "xyz");
  EXPECT_STREQ(ok.r.etag, "abc-1");
  EXPECT_TRUE(ok.r.flags & EIOTA_HTTP_F_LENGTH);
  EXPECT_EQ(ok.r.content_length, 3u);
  EXPECT_FALSE(ok.r.flags & EIOTA_HTTP_F_CLOSE);
  EXPECT_TRUE(ok.r.flags & EIOTA_HTTP_F_DONE);

  Parsed part = parse(
      "HTTP/1.1 206 Partial Content\r\ncontent-range: bytes 100-104/2000\r\nCONTENT-LENGTH: 5\r\n"
      "connection: keep-alive, Close\r\n\r\n01234");
  EXPECT_EQ(part.finish, EIOTA_OK);
  EXPECT_EQ(part.r.status, 206);
  EXPECT_TRUE(part.r.flags & EIOTA_HTTP_F_RANGE);
  EXPECT_TRUE(part.r.flags & EIOTA_HTTP_F_TOTAL);
  EXPECT_EQ(part.r.range_first, 100u);
  EXPECT_EQ(part.r.range_last, 104u);
  EXPECT_EQ(part.r.range_total, 2000u);
  EXPECT_TRUE(part.r.flags & EIOTA_HTTP_F_CLOSE);
  EXPECT_EQ(part.body, "01234");

  Parsed nm = parse("HTTP/1.1 304 Not Modified\r\nETag: W/\"p-7\"\r\nContent-Length: 900\r\n\r\n");
  EXPECT_EQ(nm.finish, EIOTA_OK);
  EXPECT_EQ(nm.r.status, 304);
  EXPECT_STREQ(nm.r.etag, "p-7");
  EXPECT_TRUE(nm.r.flags & EIOTA_HTTP_F_WEAK_ETAG);
  EXPECT_EQ(nm.body_calls, 0);

  Parsed nf = parse("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found");
  EXPECT_EQ(nf.finish, EIOTA_OK);
  EXPECT_EQ(nf.r.status, 404);
  EXPECT_EQ(nf.body, "not found");
}

TEST(HttpParser, ContentRangeForms) {
  Parsed unknown_total = parse("HTTP/1.1 206 x\r\nContent-Range: bytes 0-0/*\r\n\r\nA");
  EXPECT_EQ(unknown_total.finish, EIOTA_OK);
  EXPECT_TRUE(unknown_total.r.flags & EIOTA_HTTP_F_RANGE);
  EXPECT_FALSE(unknown_total.r.flags & EIOTA_HTTP_F_TOTAL);
  EXPECT_EQ(unknown_total.body, "A");  // no length: until close

  Parsed unsatisfied = parse("HTTP/1.1 416 x\r\nContent-Range: bytes */77\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(unsatisfied.finish, EIOTA_OK);
  EXPECT_FALSE(unsatisfied.r.flags & EIOTA_HTTP_F_RANGE);
  EXPECT_EQ(unsatisfied.r.range_total, 77u);

  for (const char* bad : {"bytes 5-4/10", "bytes 0-10/10", "bytes */*", "items 0-1/2", "bytes 1-2", "bytes -2/5",
                          "bytes 0-1/2x"}) {
    Parsed p = parse(std::string("HTTP/1.1 206 x\r\nContent-Range: ") + bad + "\r\nContent-Length: 2\r\n\r\nab");
    EXPECT_EQ(p.feed, EIOTA_ERR_HTTP_MALFORMED) << bad;
  }
  EXPECT_EQ(parse("HTTP/1.1 206 x\r\nContent-Length: 2\r\n\r\nab").feed, EIOTA_ERR_HTTP_MALFORMED);  // no range
  EXPECT_EQ(parse("HTTP/1.1 206 x\r\nContent-Range: bytes 0-9/10\r\nContent-Length: 2\r\n\r\nab").feed,
            EIOTA_ERR_HTTP_MALFORMED);  // length disagrees with the range
  EXPECT_EQ(parse("HTTP/1.1 206 x\r\nContent-Range: bytes 0-4294967295/*\r\nContent-Length: 0\r\n\r\n").feed,
            EIOTA_ERR_HTTP_MALFORMED);  // 2^32 bytes: the range's length must not wrap to 0
  EXPECT_EQ(parse("HTTP/1.1 206 x\r\nContent-Range: bytes 0-4294967296/*\r\n\r\n").feed, EIOTA_ERR_HTTP_TOO_LARGE);
}

TEST(HttpParser, ChunkedBodyWithExtensionsAndTrailers) {
  Parsed p = parse(kChunked);
  EXPECT_EQ(p.feed, EIOTA_OK);
  EXPECT_EQ(p.finish, EIOTA_OK);
  EXPECT_EQ(p.body, "hello, world!");
  EXPECT_TRUE(p.r.flags & EIOTA_HTTP_F_CHUNKED);
  EXPECT_STREQ(p.r.etag, "p-42");
  EXPECT_EQ(p.r.body_len, 13u);
  EXPECT_FALSE(p.out_of_bounds);
}

TEST(HttpParser, EveryChunkingGivesTheSameBody) {
  const std::string fixed = "HTTP/1.1 200 OK\r\nContent-Length: 26\r\nServer: t\r\n\r\nabcdefghijklmnopqrstuvwxyz";
  for (const std::string& in : {kChunked, fixed}) {
    Parsed whole = parse(in);
    ASSERT_EQ(whole.finish, EIOTA_OK);
    for (size_t step = 1; step <= in.size(); step++) {
      Parsed p = parse(in, step);
      EXPECT_EQ(p.finish, EIOTA_OK) << step;
      EXPECT_EQ(p.body, whole.body) << step;
      EXPECT_STREQ(p.r.etag, whole.r.etag);
      EXPECT_FALSE(p.out_of_bounds) << step;
    }
    std::mt19937 rng(7);
    for (int round = 0; round < 200; round++) {
      std::vector<size_t> sizes;
      for (int k = 0; k < 16; k++) sizes.push_back(1 + rng() % 9);
      Parsed p = parse_pieces(in, sizes);
      EXPECT_EQ(p.finish, EIOTA_OK);
      EXPECT_EQ(p.body, whole.body);
    }
  }
}

TEST(HttpParser, LfOnlyLineEnds) {
  Parsed p = parse("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nETag: \"e\"\n\n3\nabc\n2;x\nde\n0\nT: 1\n\n", 1);
  EXPECT_EQ(p.finish, EIOTA_OK);
  EXPECT_EQ(p.body, "abcde");
  EXPECT_STREQ(p.r.etag, "e");
  Parsed q = parse("\r\n\nHTTP/1.0 200 OK\nContent-Length: 2\n\nhi");  // empty lines before: skipped
  EXPECT_EQ(q.finish, EIOTA_OK);
  EXPECT_EQ(q.body, "hi");
  EXPECT_TRUE(q.r.flags & EIOTA_HTTP_F_CLOSE);  // HTTP/1.0
}

TEST(HttpParser, OversizeLinesRefused) {
  const std::string longer(EIOTA_HTTP_MAX_LINE, 'a');
  // A read header longer than the line buffer: refused, in any chunking.
  for (size_t step : {size_t(0), size_t(1), size_t(7)}) {
    Parsed p = parse("HTTP/1.1 200 OK\r\nETag: \"" + longer + "\"\r\nContent-Length: 0\r\n\r\n", step);
    EXPECT_EQ(p.feed, EIOTA_ERR_HTTP_HEADER_TOO_LONG) << step;
    EXPECT_EQ(p.finish, EIOTA_ERR_HTTP_HEADER_TOO_LONG);
  }
  EXPECT_EQ(parse("HTTP/1.1 200 " + longer + "\r\n\r\n").feed, EIOTA_ERR_HTTP_HEADER_TOO_LONG);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nX-" + longer + ": 1\r\n\r\n").feed, EIOTA_ERR_HTTP_HEADER_TOO_LONG);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(300, '0') + "1\r\n").feed,
            EIOTA_ERR_HTTP_HEADER_TOO_LONG);

  // Exactly the limit fits, with CRLF or LF.
  const std::string at_limit = "X-A: " + std::string(EIOTA_HTTP_MAX_LINE - 5, 'v');
  const std::string etag_limit = "ETag: " + std::string(EIOTA_HTTP_MAX_LINE - 6, 'v');
  for (const char* eol : {"\r\n", "\n"})
    for (size_t step : {size_t(0), size_t(1)}) {
      Parsed p = parse("HTTP/1.1 200 OK" + std::string(eol) + at_limit + eol + etag_limit + eol +
                           "Content-Length: 1" + eol + eol + "z",
                       step);
      EXPECT_EQ(p.finish, EIOTA_OK) << step;
      EXPECT_EQ(p.body, "z");
      EXPECT_STREQ(p.r.etag, "");  // longer than EIOTA_HTTP_MAX_ETAG: not kept
    }

  // What is not read may be longer: an unread header's value, a chunk's extensions, trailers.
  const std::string huge(3000, 'q');
  Parsed skipped = parse("HTTP/1.1 200 OK\r\nContent-Security-Policy: " + huge +
                             "\r\nTransfer-Encoding: chunked\r\n\r\n2;ext=" + huge + "\r\nok\r\n0\r\nT: " + huge +
                             "\r\n\r\n",
                         5);
  EXPECT_EQ(skipped.finish, EIOTA_OK);
  EXPECT_EQ(skipped.body, "ok");

  // The header section as a whole is bounded.
  std::string many = "HTTP/1.1 200 OK\r\n";
  while (many.size() <= EIOTA_HTTP_MAX_HEAD) many += "X-Filler: 0123456789\r\n";
  EXPECT_EQ(parse(many + "\r\n").feed, EIOTA_ERR_HTTP_HEADER_TOO_LONG);
}

TEST(HttpParser, HugeLengthsRefusedWithoutOverflow) {
  for (const char* cl : {"4294967296", "18446744073709551616", "99999999999999999999999999999999"}) {
    Parsed p = parse(std::string("HTTP/1.1 200 OK\r\nContent-Length: ") + cl + "\r\n\r\nabc");
    EXPECT_EQ(p.feed, EIOTA_ERR_HTTP_TOO_LARGE) << cl;
    EXPECT_EQ(p.body_calls, 0);
  }
  Parsed max = parse("HTTP/1.1 200 OK\r\nContent-Length: 4294967295\r\n\r\nabc");
  EXPECT_EQ(max.feed, EIOTA_OK);
  EXPECT_EQ(max.finish, EIOTA_ERR_TRUNCATED);
  for (const char* size : {"100000000", "ffffffffffffffffffff", "0000000000000000100000000"}) {
    Parsed p = parse(std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") + size + "\r\nabc");
    EXPECT_EQ(p.feed, EIOTA_ERR_HTTP_TOO_LARGE) << size;
  }
  // The sum of the chunks is bounded too.
  Parsed sum = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\nffffffff\r\nabc");
  EXPECT_EQ(sum.feed, EIOTA_ERR_HTTP_TOO_LARGE);
  EXPECT_EQ(sum.body, "a");
}

TEST(HttpParser, NoBodyResponses) {
  Parsed nm = parse("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n");
  EXPECT_EQ(nm.finish, EIOTA_OK);
  EXPECT_TRUE(nm.r.flags & EIOTA_HTTP_F_DONE);
  EXPECT_EQ(nm.body_calls, 0);
  Parsed nm_extra = parse("HTTP/1.1 304 Not Modified\r\n\r\nsurprise");
  EXPECT_EQ(nm_extra.feed, EIOTA_ERR_HTTP_EXCESS);

  Parsed head = parse("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nETag: \"h\"\r\n\r\n", 0, EIOTA_HTTP_HEAD_REQUEST);
  EXPECT_EQ(head.finish, EIOTA_OK);
  EXPECT_EQ(head.r.content_length, 5000u);
  EXPECT_EQ(head.body_calls, 0);

  Parsed interim = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 3);
  EXPECT_EQ(interim.finish, EIOTA_OK);
  EXPECT_EQ(interim.r.status, 200);
  EXPECT_EQ(interim.body, "ok");
}

TEST(HttpParser, TruncatedResponsesDetectedAtEndOfStream) {
  const std::string fixed = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
  for (size_t cut = 0; cut < fixed.size(); cut++) {
    Parsed p = parse(fixed.substr(0, cut));
    EXPECT_EQ(p.feed, EIOTA_OK) << cut;
    EXPECT_EQ(p.finish, EIOTA_ERR_TRUNCATED) << cut;
  }
  for (size_t cut = 0; cut < kChunked.size(); cut++) {
    Parsed p = parse(kChunked.substr(0, cut));
    EXPECT_EQ(p.finish, EIOTA_ERR_TRUNCATED) << cut;
  }
  Parsed until_close = parse("HTTP/1.1 200 OK\r\n\r\nall of it", 2);
  EXPECT_EQ(until_close.finish, EIOTA_OK);
  EXPECT_EQ(until_close.body, "all of it");
  EXPECT_TRUE(until_close.r.flags & EIOTA_HTTP_F_CLOSE);
}

TEST(HttpParser, BodyBiggerThanDeclaredRefused) {
  Parsed p = parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcd", 1);
  EXPECT_EQ(p.feed, EIOTA_ERR_HTTP_EXCESS);
  EXPECT_EQ(p.body, "abc");
  EXPECT_EQ(p.finish, EIOTA_ERR_HTTP_EXCESS);  // sticky
  EXPECT_EQ(parse(kChunked + "0\r\n\r\n").feed, EIOTA_ERR_HTTP_EXCESS);
  // A chunk longer than its size line says: its data is not followed by the line end.
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n").feed,
            EIOTA_ERR_HTTP_MALFORMED);
}

TEST(HttpParser, FramingRules) {
  // Transfer-Encoding wins over Content-Length.
  Parsed both = parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: Chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n");
  EXPECT_EQ(both.finish, EIOTA_OK);
  EXPECT_EQ(both.body, "z");
  EXPECT_FALSE(both.r.flags & EIOTA_HTTP_F_LENGTH);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").feed, EIOTA_ERR_HTTP_UNSUPPORTED);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n").feed,
            EIOTA_ERR_HTTP_MALFORMED);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab").feed,
            EIOTA_ERR_HTTP_MALFORMED);
  Parsed same = parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length:2 \r\n\r\nab");
  EXPECT_EQ(same.finish, EIOTA_OK);
  for (const char* bad : {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
                          "HTTP/1.1 099 x\r\n\r\n", "ICY 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n", "HTTP/1.1 200 OK\r\n: empty\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n", "HTTP/1.1 200 OK\r\nA: x\ry\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nx\r\n",
                          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1 x\r\n"}) {
    EXPECT_EQ(parse(bad).feed, EIOTA_ERR_HTTP_MALFORMED) << bad;
  }
  EXPECT_EQ(parse(std::string("HTTP/1.1 200 OK\r\nA: \0\r\n\r\n", 25)).feed, EIOTA_ERR_HTTP_MALFORMED);
}

TEST(HttpParser, BodyCallbackErrorStopsAndSticks) {
  Parsed p = parse_pieces(kChunked, {3}, 0, 1);
  EXPECT_EQ(p.feed, EIOTA_ERR_STORAGE);
  EXPECT_EQ(p.finish, EIOTA_ERR_STORAGE);
  uint8_t more = 'x';
  EXPECT_EQ(eiota_http_feed(&p.r, &more, 1, nullptr, nullptr), EIOTA_ERR_STORAGE);
  // A NULL callback discards the body; a NULL pointer with length 0 is fine.
  eiota_http_response r;
  eiota_http_begin(&r, 0);
  EXPECT_EQ(eiota_http_feed(&r, nullptr, 0, nullptr, nullptr), EIOTA_OK);
  EXPECT_EQ(eiota_http_feed(&r, reinterpret_cast<const uint8_t*>(kChunked.data()), kChunked.size(), nullptr, nullptr),
            EIOTA_OK);
  EXPECT_EQ(eiota_http_finish(&r), EIOTA_OK);
  EXPECT_EQ(r.body_len, 13u);
}

TEST(HttpParser, ErrorsHaveMessages) {
  for (int e = EIOTA_ERR_HTTP_BAD_REQUEST; e <= EIOTA_ERR_HTTP_MALFORMED; e++)
    EXPECT_STRNE(eiota_strerror(e), "unknown error") << e;
}

// Mutated responses in random chunkings: never a crash or a read outside the bytes fed (ASan
// build), never a body beyond what was fed, and the outcome never depends on the chunking.
TEST(HttpParser, MutatedResponsesAreSafeAndChunkingIndependent) {
  const std::vector<std::string> seeds = {
      kChunked,
      "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nETag: \"abc\"\r\nConnection: close\r\n\r\nhello world!",
      "HTTP/1.1 206 Partial\r\nContent-Range: bytes 2-5/10\r\nContent-Length: 4\r\n\r\nwxyz",
      "HTTP/1.1 304 Not Modified\r\nETag: W/\"abc\"\r\n\r\n",
      "HTTP/1.0 404 Not Found\n\nmissing",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\na;x=y\r\n0123456789\r\n0\r\n\r\n",
  };
  const std::string alphabet = "\r\n:;, \"/-*0123456789abcdefFxW\t\x00\x7f\xff";
  std::mt19937 rng(20261201);
  int ok_count = 0;
  for (int round = 0; round < 4000; round++) {
    std::string in = seeds[rng() % seeds.size()];
    int edits = 1 + rng() % 4;
    for (int e = 0; e < edits && !in.empty(); e++) {
      size_t at = rng() % in.size();
      switch (rng() % 6) {
        case 0: in[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: in.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 2: in.erase(at, 1 + rng() % 8); break;
        case 3: in.insert(at, in.substr(at, rng() % 40)); break;
        case 4: in.insert(at, std::string(1 + rng() % 400, alphabet[rng() % alphabet.size()])); break;
        case 5: in.insert(at, "ffffffff"); break;
      }
    }
    Parsed whole = parse(in);
    std::vector<size_t> sizes;
    for (int k = 0; k < 8; k++) sizes.push_back(1 + rng() % 16);
    Parsed split = parse_pieces(in, sizes);
    Parsed bytes = parse(in, 1);
    for (const Parsed* p : {&whole, &split, &bytes}) {
      ASSERT_FALSE(p->out_of_bounds) << round;
      ASSERT_LE(p->body.size(), in.size());
      ASSERT_EQ(p->r.body_len, p->body.size());
      ASSERT_LT(p->finish, 1);
      ASSERT_LT(std::strlen(p->r.etag), sizeof p->r.etag);
    }
    ASSERT_EQ(split.feed, whole.feed) << round;
    ASSERT_EQ(bytes.feed, whole.feed) << round;
    ASSERT_EQ(split.finish, whole.finish) << round;
    ASSERT_EQ(bytes.finish, whole.finish) << round;
    ASSERT_EQ(split.body, whole.body) << round;
    ASSERT_EQ(bytes.body, whole.body) << round;
    ASSERT_EQ(split.r.status, whole.r.status);
    ASSERT_STREQ(split.r.etag, whole.r.etag);
    ok_count += whole.finish == EIOTA_OK;
  }
  EXPECT_GT(ok_count, 100);  // the mutations leave enough responses valid to reach the bodies
}

TEST(HttpRequest, WritesTheRequestHead) {
  eiota_http_request q = {};
  q.host = "updates.example.com:8080";
  q.path = "/v1/models/demo/payload?channel=stable";
  q.if_none_match = "p-41";
  q.has_range = 1;
  q.range_from = 4096;
  q.if_range = "p-42";
  q.close = 1;
  q.extra_headers = "X-Device: dev-1\r\nUser-Agent: eiota/0.1\r\n";
  char buf[512];
  int n = eiota_http_write_request(&q, buf, sizeof buf);
  const std::string want =
      "GET /v1/models/demo/payload?channel=stable HTTP/1.1\r\n"
      "Host: updates.example.com:8080\r\n"
      "If-None-Match: \"p-41\"\r\n"
      "Range: bytes=4096-\r\n"
      "If-Range: \"p-42\"\r\n"
      "Connection: close\r\n"
      "X-Device: dev-1\r\nUser-Agent: eiota/0.1\r\n"
      "\r\n";
  ASSERT_EQ(n, (int)want.size());
  EXPECT_EQ(std::string(buf), want);

  // Every buffer too small by even one byte (the NUL) is refused, and left an empty string.
  for (size_t cap = 0; cap <= want.size(); cap++) {
    std::vector<char> small(cap + 1, 'X');
    EXPECT_EQ(eiota_http_write_request(&q, cap ? small.data() : nullptr, cap), EIOTA_ERR_HTTP_NO_ROOM) << cap;
    if (cap) {
      EXPECT_EQ(small[0], '\0');
    }
    EXPECT_EQ(small[cap], 'X');  // nothing written past cap
  }
  std::vector<char> exact(want.size() + 1);
  EXPECT_EQ(eiota_http_write_request(&q, exact.data(), exact.size()), (int)want.size());

  eiota_http_request minimal = {};
  minimal.method = "HEAD";
  minimal.host = "h";
  minimal.path = "/";
  minimal.has_range = 1;
  minimal.range_from = 4294967295u;
  ASSERT_GT(eiota_http_write_request(&minimal, buf, sizeof buf), 0);
  EXPECT_EQ(std::string(buf), "HEAD / HTTP/1.1\r\nHost: h\r\nRange: bytes=4294967295-\r\n\r\n");
}

TEST(HttpRequest, RefusesFieldsThatWouldBreakTheRequest) {
  char buf[256];
  auto write = [&](const char* host, const char* path, const char* etag, const char* extra, const char* method) {
    eiota_http_request q = {};
    q.host = host;
    q.path = path;
    q.if_none_match = etag;
    q.extra_headers = extra;
    q.method = method;
    return eiota_http_write_request(&q, buf, sizeof buf);
  };
  EXPECT_GT(write("h", "/p", "e", "A: b\r\n", nullptr), 0);
  EXPECT_EQ(write(nullptr, "/p", nullptr, nullptr, nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("", "/p", nullptr, nullptr, nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h", nullptr, nullptr, nullptr, nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h", "p", nullptr, nullptr, nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h\r\nX: 1", "/p", nullptr, nullptr, nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h", "/p q", nullptr, nullptr, nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h", "/p\n", nullptr, nullptr, nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h", "/p", "a\"b", nullptr, nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h", "/p", "a b", nullptr, nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h", "/p", nullptr, "A: b", nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h", "/p", nullptr, "A: b\n", nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h", "/p", nullptr, "A: b\r\n\r\nGET / HTTP/1.1\r\n", nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h", "/p", nullptr, "A b\r\n", nullptr), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h", "/p", nullptr, nullptr, "GET /x"), EIOTA_ERR_HTTP_BAD_REQUEST);
  EXPECT_EQ(write("h", "/p", nullptr, nullptr, ""), EIOTA_ERR_HTTP_BAD_REQUEST);
}

}  // namespace

namespace {

// Interim responses share the header budget with the final one: a server that sends 1xx forever
// is refused once EIOTA_HTTP_MAX_HEAD bytes of heads arrived, instead of holding the device.
TEST(HttpParser, EndlessInterimResponsesExhaustTheHeaderBudget) {
  std::string in;
  while (in.size() <= EIOTA_HTTP_MAX_HEAD) in += "HTTP/1.1 100 Continue\r\n\r\n";
  in += "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  Parsed p = parse(in, 7);
  EXPECT_EQ(p.feed, EIOTA_ERR_HTTP_HEADER_TOO_LONG);
  EXPECT_EQ(p.body, "");
  // A few are fine.
  Parsed few = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 5);
  EXPECT_EQ(few.feed, EIOTA_OK);
  EXPECT_EQ(few.body, "ok");
}

}  // namespace
