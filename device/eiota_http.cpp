#include "eiota_http.h"

#include <string.h>

#include "eiota_text_out.h"

namespace {

enum Phase : uint8_t {
  kStatus,      // lines: status line (empty lines before it are skipped)
  kHeader,      // lines: headers up to the empty line
  kChunkSize,   // lines: chunk size [; extensions]
  kChunkEnd,    // lines: the empty line after a chunk's data
  kTrailer,     // lines: trailers up to the empty line (skipped)
  kBody,        // data: Content-Length body
  kChunkData,   // data: a chunk's data
  kUntilClose,  // data: everything until the connection closes
  kDone,
};

const uint32_t kU32Max = 0xFFFFFFFFu;

int fail(eiota_http_response* r, int err) {
  if (r->error == EIOTA_OK) r->error = (int16_t)err;
  return r->error;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

bool equals_ci(const char* s, size_t n, const char* lit) {
  size_t i = 0;
  for (; i < n; i++)
    if (lit[i] == '\0' || lower(s[i]) != lit[i]) return false;
  return lit[i] == '\0';
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_tchar(char c) {
  if (is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  c = lower(c);
  return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

// Reads the digits at s[*i] (base 10 or 16) into *out. At least one digit; leading zeros are
// fine; a value beyond 32 bits is EIOTA_ERR_HTTP_TOO_LARGE, never wrapped.
int parse_number(const char* s, size_t n, size_t* i, unsigned base, uint32_t* out) {
  uint32_t v = 0;
  size_t start = *i;
  for (; *i < n; (*i)++) {
    int d = base == 16 ? hex_value(s[*i]) : (is_digit(s[*i]) ? s[*i] - '0' : -1);
    if (d < 0) break;
    if (v > (kU32Max - (uint32_t)d) / base) return EIOTA_ERR_HTTP_TOO_LARGE;
    v = v * base + (uint32_t)d;
  }
  if (*i == start) return EIOTA_ERR_HTTP_MALFORMED;
  *out = v;
  return EIOTA_OK;
}

// A whole value that must be one decimal number.
int parse_decimal(const char* s, size_t n, uint32_t* out) {
  size_t i = 0;
  int err = parse_number(s, n, &i, 10, out);
  if (err == EIOTA_OK && i != n) err = EIOTA_ERR_HTTP_MALFORMED;
  return err;
}

const char* const kReadHeaders[] = {"content-length", "transfer-encoding", "etag", "content-range", "connection"};

bool is_read_header(const char* name, size_t n) {
  for (size_t k = 0; k < sizeof kReadHeaders / sizeof kReadHeaders[0]; k++)
    if (equals_ci(name, n, kReadHeaders[k])) return true;
  return false;
}

bool counts_as_head(uint8_t phase) { return phase == kStatus || phase == kHeader || phase == kTrailer; }

// A line longer than the buffer may be cut (the rest skipped) only where its tail is not read:
// an unread header's value, a trailer, a chunk's extensions.
bool may_cut(const eiota_http_response* r) {
  const char* colon = (const char*)memchr(r->line, ':', r->line_len);
  if (r->phase == kTrailer) return true;
  if (r->phase == kHeader) return colon != NULL && !is_read_header(r->line, (size_t)(colon - r->line));
  if (r->phase == kChunkSize) return memchr(r->line, ';', r->line_len) != NULL;
  return false;
}

// Takes the current line's bytes from data[*i..len). Returns 1 once the line is complete in
// r->line (line end stripped), 0 if it needs more bytes, or an error.
int take_line(eiota_http_response* r, const uint8_t* data, size_t len, size_t* i) {
  const uint8_t* start = data + *i;
  size_t avail = len - *i;
  const uint8_t* lf = (const uint8_t*)memchr(start, '\n', avail);
  size_t n = lf != NULL ? (size_t)(lf - start) : avail;
  size_t used = lf != NULL ? n + 1 : n;
  if (counts_as_head(r->phase)) {
    if (used > EIOTA_HTTP_MAX_HEAD - r->head_len) return EIOTA_ERR_HTTP_HEADER_TOO_LONG;
    r->head_len += (uint32_t)used;
  }
  *i += used;
  if (!r->line_skip) {
    // One byte beyond EIOTA_HTTP_MAX_LINE is kept for a CR that may end the line.
    size_t room = (size_t)EIOTA_HTTP_MAX_LINE + 1 - r->line_len;
    size_t keep = n < room ? n : room;
    memcpy(r->line + r->line_len, start, keep);
    r->line_len = (uint16_t)(r->line_len + keep);
    if (keep < n) {
      r->line_len = EIOTA_HTTP_MAX_LINE;
      if (!may_cut(r)) return EIOTA_ERR_HTTP_HEADER_TOO_LONG;
      r->line_skip = 1;
    }
  }
  if (lf == NULL) return 0;
  if (!r->line_skip) {
    if (r->line_len > 0 && r->line[r->line_len - 1] == '\r') r->line_len--;
    if (r->line_len > EIOTA_HTTP_MAX_LINE) {
      r->line_len = EIOTA_HTTP_MAX_LINE;
      if (!may_cut(r)) return EIOTA_ERR_HTTP_HEADER_TOO_LONG;
      r->line_skip = 1;
    }
    // A bare CR or a NUL inside a line would let two readers see different headers.
    if (memchr(r->line, '\r', r->line_len) != NULL || memchr(r->line, '\0', r->line_len) != NULL)
      return EIOTA_ERR_HTTP_MALFORMED;
  }
  return 1;
}

int on_status(eiota_http_response* r) {
  const char* s = r->line;
  size_t n = r->line_len;
  if (n == 0) return EIOTA_OK;  // empty lines before the status line are allowed
  if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || !is_digit(s[7]) || s[8] != ' ') return EIOTA_ERR_HTTP_MALFORMED;
  if (!is_digit(s[9]) || !is_digit(s[10]) || !is_digit(s[11]) || (n > 12 && s[12] != ' '))
    return EIOTA_ERR_HTTP_MALFORMED;
  r->status = (uint16_t)((s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0'));
  if (r->status < 100 || r->status > 599) return EIOTA_ERR_HTTP_MALFORMED;
  if (s[7] == '0') r->flags |= EIOTA_HTTP_F_CLOSE;  // HTTP/1.0: keep-alive is not relied on
  r->phase = kHeader;
  return EIOTA_OK;
}

// Calls `token` for each comma-separated element of a list value (empty elements skipped).
template <typename F>
int for_each_token(const char* v, size_t n, F token) {
  size_t i = 0;
  while (i < n) {
    while (i < n && (is_ows(v[i]) || v[i] == ',')) i++;
    size_t start = i;
    while (i < n && v[i] != ',') i++;
    size_t end = i;
    while (end > start && is_ows(v[end - 1])) end--;
    if (end > start) {
      int err = token(v + start, end - start);
      if (err != EIOTA_OK) return err;
    }
  }
  return EIOTA_OK;
}

int on_content_length(eiota_http_response* r, const char* v, size_t n) {
  uint32_t length = 0;
  int err = parse_decimal(v, n, &length);
  if (err != EIOTA_OK) return err;
  if ((r->flags & EIOTA_HTTP_F_LENGTH) && length != r->content_length) return EIOTA_ERR_HTTP_MALFORMED;
  r->content_length = length;
  r->flags |= EIOTA_HTTP_F_LENGTH;
  return EIOTA_OK;
}

int on_transfer_encoding(eiota_http_response* r, const char* v, size_t n) {
  uint8_t before = r->te_chunked;
  int err = for_each_token(v, n, [r](const char* t, size_t len) -> int {
    if (!equals_ci(t, len, "chunked")) return (int)EIOTA_ERR_HTTP_UNSUPPORTED;
    if (r->te_chunked++ != 0) return (int)EIOTA_ERR_HTTP_MALFORMED;  // chunked twice
    return (int)EIOTA_OK;
  });
  if (err == EIOTA_OK && r->te_chunked == before) err = EIOTA_ERR_HTTP_MALFORMED;  // empty value
  return err;
}

// etagc of RFC 9110 that eiota_http_write_request also accepts: visible ASCII but '"'. A value
// kept with any other byte would make every later request refuse to be written.
bool sendable_etag(const char* v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)v[i];
    if (c < 0x21 || c == '"' || c > 0x7E) return false;
  }
  return true;
}

int on_etag(eiota_http_response* r, const char* v, size_t n) {
  uint16_t weak = 0;
  if (n >= 2 && v[0] == 'W' && v[1] == '/') {
    weak = EIOTA_HTTP_F_WEAK_ETAG;
    v += 2;
    n -= 2;
  }
  if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
    v++;
    n -= 2;
  }
  r->flags = (uint16_t)((r->flags & ~EIOTA_HTTP_F_WEAK_ETAG) | weak);
  if (n > EIOTA_HTTP_MAX_ETAG || !sendable_etag(v, n)) n = 0;  // not one we could send back
  memcpy(r->etag, v, n);
  r->etag[n] = '\0';
  return EIOTA_OK;
}

// Content-Range: bytes first-last/total, bytes first-last/*, or bytes */total.
int on_content_range(eiota_http_response* r, const char* v, size_t n) {
  if (n < 6 || !equals_ci(v, 5, "bytes") || v[5] != ' ') return EIOTA_ERR_HTTP_MALFORMED;
  size_t i = 6;
  uint16_t flags = 0;
  uint32_t first = 0, last = 0, total = 0;
  int err;
  if (i < n && v[i] == '*') {
    i++;
  } else {
    if ((err = parse_number(v, n, &i, 10, &first)) != EIOTA_OK) return err;
    if (i >= n || v[i++] != '-') return EIOTA_ERR_HTTP_MALFORMED;
    if ((err = parse_number(v, n, &i, 10, &last)) != EIOTA_OK) return err;
    if (last < first) return EIOTA_ERR_HTTP_MALFORMED;
    flags |= EIOTA_HTTP_F_RANGE;
  }
  if (i >= n || v[i++] != '/') return EIOTA_ERR_HTTP_MALFORMED;
  if (i + 1 == n && v[i] == '*') {
    if (!(flags & EIOTA_HTTP_F_RANGE)) return EIOTA_ERR_HTTP_MALFORMED;  // "*/*"
  } else {
    if ((err = parse_decimal(v + i, n - i, &total)) != EIOTA_OK) return err;
    if ((flags & EIOTA_HTTP_F_RANGE) && last >= total) return EIOTA_ERR_HTTP_MALFORMED;
    flags |= EIOTA_HTTP_F_TOTAL;
  }
  r->range_first = first;
  r->range_last = last;
  r->range_total = total;
  r->flags = (uint16_t)((r->flags & ~(EIOTA_HTTP_F_RANGE | EIOTA_HTTP_F_TOTAL)) | flags);
  return EIOTA_OK;
}

int on_connection(eiota_http_response* r, const char* v, size_t n) {
  return for_each_token(v, n, [r](const char* t, size_t len) -> int {
    if (equals_ci(t, len, "close")) r->flags |= EIOTA_HTTP_F_CLOSE;
    return (int)EIOTA_OK;
  });
}

int on_header(eiota_http_response* r) {
  const char* s = r->line;
  size_t n = r->line_len;
  if (is_ows(s[0])) return EIOTA_ERR_HTTP_MALFORMED;  // obsolete line folding
  const char* colon = (const char*)memchr(s, ':', n);
  if (colon == NULL || colon == s) return EIOTA_ERR_HTTP_MALFORMED;
  size_t name_len = (size_t)(colon - s);
  for (size_t k = 0; k < name_len; k++)
    if (!is_tchar(s[k])) return EIOTA_ERR_HTTP_MALFORMED;
  if (r->line_skip) return EIOTA_OK;  // cut lines are only ever unread headers
  const char* v = colon + 1;
  size_t vn = n - name_len - 1;
  while (vn > 0 && is_ows(v[0])) v++, vn--;
  while (vn > 0 && is_ows(v[vn - 1])) vn--;
  if (equals_ci(s, name_len, "content-length")) return on_content_length(r, v, vn);
  if (equals_ci(s, name_len, "transfer-encoding")) return on_transfer_encoding(r, v, vn);
  if (equals_ci(s, name_len, "etag")) return on_etag(r, v, vn);
  if (equals_ci(s, name_len, "content-range")) return on_content_range(r, v, vn);
  if (equals_ci(s, name_len, "connection")) return on_connection(r, v, vn);
  return EIOTA_OK;
}

int end_of_headers(eiota_http_response* r) {
  if (r->status < 200) {  // interim response (100 Continue...): the real one follows
    uint32_t used = r->head_len;  // within the same header budget, so endless 1xx cannot hold the device
    eiota_http_begin(r, r->options);
    r->head_len = used;
    return EIOTA_OK;
  }
  r->flags |= EIOTA_HTTP_F_HEADERS;
  r->head_len = 0;  // trailers get their own budget
  if (r->te_chunked) {
    r->flags = (uint16_t)((r->flags & ~EIOTA_HTTP_F_LENGTH) | EIOTA_HTTP_F_CHUNKED);  // chunked wins
    r->content_length = 0;
  }
  if (r->status == 206) {
    if (!(r->flags & EIOTA_HTTP_F_RANGE)) return EIOTA_ERR_HTTP_MALFORMED;  // we never ask for several ranges
    if ((r->flags & EIOTA_HTTP_F_LENGTH) && (uint64_t)r->content_length != (uint64_t)r->range_last - r->range_first + 1)
      return EIOTA_ERR_HTTP_MALFORMED;
  }
  if ((r->options & EIOTA_HTTP_HEAD_REQUEST) || r->status == 204 || r->status == 304) {
    r->phase = kDone;
  } else if (r->flags & EIOTA_HTTP_F_CHUNKED) {
    r->phase = kChunkSize;
  } else if (r->flags & EIOTA_HTTP_F_LENGTH) {
    r->left = r->content_length;
    r->phase = r->left == 0 ? kDone : kBody;
  } else {
    r->flags |= EIOTA_HTTP_F_CLOSE;
    r->phase = kUntilClose;
  }
  return EIOTA_OK;
}

int on_chunk_size(eiota_http_response* r) {
  const char* s = r->line;
  size_t n = r->line_len;
  size_t i = 0;
  uint32_t size = 0;
  int err = parse_number(s, n, &i, 16, &size);
  if (err != EIOTA_OK) return err;
  while (i < n && is_ows(s[i])) i++;
  if (i < n && s[i] != ';') return EIOTA_ERR_HTTP_MALFORMED;  // extensions after ';' are ignored
  if (size == 0) {
    r->phase = kTrailer;
    return EIOTA_OK;
  }
  if (size > kU32Max - r->body_len) return EIOTA_ERR_HTTP_TOO_LARGE;
  r->left = size;
  r->phase = kChunkData;
  return EIOTA_OK;
}

int on_line(eiota_http_response* r) {
  switch (r->phase) {
    case kStatus: return on_status(r);
    case kHeader: return r->line_len == 0 ? end_of_headers(r) : on_header(r);
    case kChunkSize: return on_chunk_size(r);
    case kChunkEnd:
      if (r->line_len != 0) return EIOTA_ERR_HTTP_MALFORMED;
      r->phase = kChunkSize;
      return EIOTA_OK;
    case kTrailer:
      if (r->line_len == 0) r->phase = kDone;
      return EIOTA_OK;
    default: return EIOTA_ERR_STATE;
  }
}

int deliver(eiota_http_response* r, const uint8_t* data, size_t n, eiota_http_body_fn body, void* ctx) {
  if (body != NULL) {
    int err = body(ctx, r, data, n);
    if (err < 0) return err;
  }
  r->body_len += (uint32_t)n;  // callers checked it fits
  return EIOTA_OK;
}

}  // namespace

extern "C" {

void eiota_http_begin(eiota_http_response* r, unsigned options) {
  memset(r, 0, sizeof *r);
  r->phase = kStatus;
  r->options = (uint8_t)options;
}

int eiota_http_feed(eiota_http_response* r, const uint8_t* data, size_t len, eiota_http_body_fn body, void* ctx) {
  if (r->error != EIOTA_OK) return r->error;
  size_t i = 0;
  while (i < len) {
    int err = EIOTA_OK;
    size_t avail = len - i;
    switch (r->phase) {
      case kBody:
      case kChunkData: {
        size_t n = avail < r->left ? avail : r->left;
        err = deliver(r, data + i, n, body, ctx);
        i += n;
        r->left -= (uint32_t)n;
        if (err == EIOTA_OK && r->left == 0) r->phase = r->phase == kBody ? kDone : kChunkEnd;
        break;
      }
      case kUntilClose:
        if (avail > kU32Max - r->body_len) return fail(r, EIOTA_ERR_HTTP_TOO_LARGE);
        err = deliver(r, data + i, avail, body, ctx);
        i = len;
        break;
      case kDone: return fail(r, EIOTA_ERR_HTTP_EXCESS);
      default:
        err = take_line(r, data, len, &i);
        if (err == 1) {
          err = on_line(r);
          r->line_len = 0;
          r->line_skip = 0;
        }
        break;
    }
    if (err < 0) return fail(r, err);
    if (r->phase == kDone) r->flags |= EIOTA_HTTP_F_DONE;
  }
  return EIOTA_OK;
}

int eiota_http_finish(eiota_http_response* r) {
  if (r->error != EIOTA_OK) return r->error;
  if (r->phase == kUntilClose) r->phase = kDone;
  if (r->phase != kDone) return fail(r, EIOTA_ERR_TRUNCATED);
  r->flags |= EIOTA_HTTP_F_DONE;
  return EIOTA_OK;
}

}  // extern "C"

namespace {

using eiota_internal::Out;

// Visible ASCII only, minus `forbidden`: no line ends, spaces or control bytes in a field.
bool clean(const char* s, const char* forbidden) {
  for (; *s != '\0'; s++)
    if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7F || strchr(forbidden, *s) != NULL) return false;
  return true;
}

// Complete "Name: value\r\n" lines, values without control bytes but for HT.
bool clean_header_lines(const char* s) {
  while (*s != '\0') {
    const char* name = s;
    while (is_tchar(*s)) s++;
    if (s == name || *s++ != ':') return false;
    for (; *s != '\r'; s++)
      if (*s == '\0' || *s == '\n' || ((unsigned char)*s < ' ' && *s != '\t') || (unsigned char)*s == 0x7F) return false;
    if (*++s != '\n') return false;
    s++;
  }
  return true;
}

}  // namespace

extern "C" int eiota_http_write_request(const eiota_http_request* q, char* buf, size_t cap) {
  const char* method = q->method != NULL ? q->method : "GET";
  if (buf == NULL || cap == 0) return EIOTA_ERR_HTTP_NO_ROOM;
  buf[0] = '\0';
  bool ok = q->host != NULL && q->path != NULL && q->path[0] == '/' && method[0] != '\0' &&
            clean(q->host, "/\"") && q->host[0] != '\0' && clean(q->path, "\"") && clean(method, "\"/:") &&
            (q->if_none_match == NULL || clean(q->if_none_match, "\"")) &&
            (q->if_range == NULL || clean(q->if_range, "\"")) &&
            (q->extra_headers == NULL || clean_header_lines(q->extra_headers));
  for (const char* m = method; ok && *m != '\0'; m++) ok = is_tchar(*m);
  if (!ok) return EIOTA_ERR_HTTP_BAD_REQUEST;
  Out o = {buf, cap, 0, false};
  o.put(method);
  o.put(" ");
  o.put(q->path);
  o.put(" HTTP/1.1\r\nHost: ");
  o.put(q->host);
  o.put("\r\n");
  if (q->if_none_match != NULL) {
    o.put("If-None-Match: \"");
    o.put(q->if_none_match);
    o.put("\"\r\n");
  }
  if (q->has_range) {
    o.put("Range: bytes=");
    o.put_u32(q->range_from);
    o.put("-\r\n");
    if (q->if_range != NULL) {
      o.put("If-Range: \"");
      o.put(q->if_range);
      o.put("\"\r\n");
    }
  }
  if (q->close) o.put("Connection: close\r\n");
  if (q->extra_headers != NULL) o.put(q->extra_headers);
  o.put("\r\n");
  if (o.full) {
    buf[0] = '\0';
    return EIOTA_ERR_HTTP_NO_ROOM;
  }
  buf[o.len] = '\0';
  return (int)o.len;
}
