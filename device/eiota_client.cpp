#include "eiota_client.h"

#include <string.h>

#include "eiota_text_out.h"

#include "eiota_store.h"
#include "eiota_update.h"

namespace {

// --- strings ------------------------------------------------------------------------------------

bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }
bool is_alnum(char ch) { return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }
bool is_lower_hex(char ch) { return is_digit(ch) || (ch >= 'a' && ch <= 'f'); }

bool valid_chars(const char* s, size_t n, const char* extra) {
  for (size_t i = 0; i < n; i++)
    if (!is_alnum(s[i]) && (s[i] == '\0' || strchr(extra, s[i]) == NULL)) return false;
  return true;
}

size_t bounded_len(const char* s, size_t max) {
  size_t n = 0;
  while (n <= max && s[n] != '\0') n++;
  return n;
}

bool valid_name(const char* s) {
  if (s == NULL) return false;
  size_t n = bounded_len(s, EIOTA_CLIENT_MAX_NAME);
  return n >= 1 && n <= EIOTA_CLIENT_MAX_NAME && s[0] != '.' && valid_chars(s, n, "._-");
}

bool valid_device_id(const char* s) {
  if (s == NULL) return false;
  size_t n = bounded_len(s, EIOTA_CLIENT_MAX_NAME);
  return n >= 1 && n <= EIOTA_CLIENT_MAX_NAME && valid_chars(s, n, "._:-");
}

// "<decimal sequence>-<16 lower-case hex digits>"; stores the sequence.
bool valid_id(const char* s, size_t n, uint64_t* sequence) {
  size_t dash = 0;
  uint64_t v = 0;
  while (dash < n && is_digit(s[dash])) {
    uint64_t d = (uint64_t)(s[dash] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
    dash++;
  }
  if (dash == 0 || dash > 20 || (dash > 1 && s[0] == '0') || dash + 17 != n || s[dash] != '-') return false;
  for (size_t i = dash + 1; i < n; i++)
    if (!is_lower_hex(s[i])) return false;
  if (sequence != NULL) *sequence = v;
  return true;
}

bool valid_id(const char* s) {
  return s != NULL && valid_id(s, bounded_len(s, EIOTA_PAYLOAD_ID_MAX), NULL);
}

using eiota_internal::Out;

Out out_of(char* buf, size_t cap) {
  Out o = {buf, cap, 0, false};
  buf[0] = '\0';
  return o;
}

// --- URL ----------------------------------------------------------------------------------------

// "http://host[:port][/path]" or "https://...": host, port and the path (into `url`).
int parse_url(eiota_client* c, const char* url) {
  if (url == NULL) return EIOTA_ERR_POINTER;
  uint16_t port = 80;
  const char* p = url;
  if (strncmp(p, "http://", 7) == 0) {
    p += 7;
  } else if (strncmp(p, "https://", 8) == 0) {
    p += 8;
    port = 443;
  } else {
    return EIOTA_ERR_POINTER;
  }
  bool default_port = true;
  const char* host = p;
  size_t host_len;
  bool bracketed = *p == '[';
  if (bracketed) {  // an IPv6 literal
    host = ++p;
    while (*p != '\0' && *p != ']' && (is_lower_hex(*p) || (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.')) p++;
    if (*p != ']') return EIOTA_ERR_POINTER;
    host_len = (size_t)(p - host);
    p++;
  } else {
    while (*p != '\0' && (is_alnum(*p) || *p == '.' || *p == '-')) p++;
    host_len = (size_t)(p - host);
  }
  if (host_len == 0 || host_len > EIOTA_CLIENT_MAX_HOST) return EIOTA_ERR_POINTER;
  if (*p == ':') {
    uint32_t v = 0;
    const char* digits = ++p;
    while (is_digit(*p) && v <= 65535) v = v * 10 + (uint32_t)(*p++ - '0');
    if (p == digits || v == 0 || v > 65535) return EIOTA_ERR_POINTER;
    default_port = v == port;
    port = (uint16_t)v;
  }
  if (*p != '\0' && *p != '/') return EIOTA_ERR_POINTER;
  size_t path_len = strlen(p);
  while (path_len > 0 && p[path_len - 1] == '/') path_len--;
  if (path_len > EIOTA_CLIENT_MAX_BASE || !valid_chars(p, path_len, "/._~-!$&'()*+,;=:@%")) return EIOTA_ERR_POINTER;
  memcpy(c->host, host, host_len);
  c->host[host_len] = '\0';
  Out h = out_of(c->host_header, sizeof c->host_header);
  if (bracketed) h.put("[");
  h.put(host, host_len);
  if (bracketed) h.put("]");
  if (!default_port) {
    h.put(":");
    h.put_int(port);
  }
  if (h.full) return EIOTA_ERR_POINTER;
  c->port = port;
  c->base = p;
  c->base_len = (uint16_t)path_len;
  return EIOTA_OK;
}

// --- exchanges ----------------------------------------------------------------------------------

bool retryable(int err) { return err == EIOTA_ERR_NET || err == EIOTA_ERR_TIMEOUT || err == EIOTA_ERR_TRUNCATED; }

// Path under the base: "<base>/<model>/".
Out path_start(eiota_client* c) {
  Out o = out_of(c->buf.req.path, sizeof c->buf.req.path);
  o.put(c->base, c->base_len);
  o.put("/");
  o.put(c->cfg.model);
  o.put("/");
  return o;
}

// Sends the head in buf.req.head (and `body`), then reads the response into c->resp, passing its
// body to `on_body`. The connection is closed on return.
int exchange(eiota_client* c, int head_len, const uint8_t* body, size_t body_len, eiota_http_body_fn on_body, void* ctx) {
  const eiota_transport* t = c->cfg.transport;
  uint32_t timeout = c->cfg.timeout_ms;
  eiota_http_begin(&c->resp, 0);
  if (head_len < 0) return head_len;
  int err = t->connect(t->ctx, c->host, c->port, timeout);
  if (err == EIOTA_OK) err = t->send(t->ctx, (const uint8_t*)c->buf.req.head, (size_t)head_len, timeout);
  if (err == EIOTA_OK && body_len > 0) err = t->send(t->ctx, body, body_len, timeout);
  while (err == EIOTA_OK && !(c->resp.flags & EIOTA_HTTP_F_DONE)) {
    int n = t->recv(t->ctx, c->io, sizeof c->io, timeout);
    if (n == 0) {
      err = eiota_http_finish(&c->resp);
    } else if (n < 0 || n > (int)sizeof c->io) {
      err = n == EIOTA_ERR_TIMEOUT ? EIOTA_ERR_TIMEOUT : EIOTA_ERR_NET;
    } else {
      err = eiota_http_feed(&c->resp, c->io, (size_t)n, on_body, ctx);
    }
  }
  if (c->resp.flags & EIOTA_HTTP_F_HEADERS) c->status = c->resp.status;
  t->close(t->ctx);
  return err;
}

int write_head(eiota_client* c, eiota_http_request* q) {
  q->host = c->host_header;
  q->path = c->buf.req.path;
  q->close = 1;
  return eiota_http_write_request(q, c->buf.req.head, sizeof c->buf.req.head);
}

// --- pointer ------------------------------------------------------------------------------------

int collect_pointer(void* ctx, const eiota_http_response* r, const uint8_t* data, size_t len) {
  eiota_client* c = static_cast<eiota_client*>(ctx);
  if (r->status != 200) return EIOTA_ERR_HTTP_STATUS;
  if (len > (size_t)EIOTA_CLIENT_MAX_POINTER - c->text_len) return EIOTA_ERR_POINTER;
  memcpy(c->buf.text + c->text_len, data, len);
  c->text_len = (uint16_t)(c->text_len + len);
  return EIOTA_OK;
}

bool parse_u64(const char* s, size_t n, uint64_t* out) {
  uint64_t v = 0;
  if (n == 0 || n > 20 || (n > 1 && s[0] == '0')) return false;
  for (size_t i = 0; i < n; i++) {
    if (!is_digit(s[i])) return false;
    uint64_t d = (uint64_t)(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool valid_payload_path(const char* s, size_t n) {
  if (n == 0 || n > EIOTA_CLIENT_MAX_PAYLOAD_PATH || s[0] == '/' || !valid_chars(s, n, "/._-")) return false;
  for (size_t i = 0; i < n; i++) {  // segments are names: not empty, not starting with a dot ("..", ".x")
    bool seg_start = i == 0 || s[i - 1] == '/';
    if (seg_start && (s[i] == '.' || s[i] == '/')) return false;
  }
  return s[n - 1] != '/';
}

enum Seen { kId = 1, kSequence = 2, kSize = 4, kSha = 8, kPayload = 16, kAll = 31 };

int pointer_line(const char* key, size_t kn, const char* v, size_t vn, unsigned* seen, eiota_client_pointer* p) {
  unsigned bit = 0;
  if (kn == 2 && memcmp(key, "id", 2) == 0) bit = kId;
  else if (kn == 8 && memcmp(key, "sequence", 8) == 0) bit = kSequence;
  else if (kn == 4 && memcmp(key, "size", 4) == 0) bit = kSize;
  else if (kn == 6 && memcmp(key, "sha256", 6) == 0) bit = kSha;
  else if (kn == 7 && memcmp(key, "payload", 7) == 0) bit = kPayload;
  if (bit == 0) return EIOTA_OK;  // a key of a later version
  if (*seen & bit) return EIOTA_ERR_POINTER;
  *seen |= bit;
  uint64_t n = 0;
  switch (bit) {
    case kId:
      if (vn >= EIOTA_PAYLOAD_ID_MAX || !valid_id(v, vn, NULL)) return EIOTA_ERR_POINTER;
      memcpy(p->id, v, vn);
      p->id[vn] = '\0';
      return EIOTA_OK;
    case kSequence:
      if (!parse_u64(v, vn, &p->sequence)) return EIOTA_ERR_POINTER;
      return EIOTA_OK;
    case kSize:
      if (!parse_u64(v, vn, &n) || n == 0 || n > UINT32_MAX) return EIOTA_ERR_POINTER;
      p->size = (uint32_t)n;
      return EIOTA_OK;
    case kSha:
      if (vn != 64) return EIOTA_ERR_POINTER;
      for (size_t i = 0; i < vn; i++)
        if (!is_lower_hex(v[i])) return EIOTA_ERR_POINTER;
      memcpy(p->sha256, v, 64);
      p->sha256[64] = '\0';
      return EIOTA_OK;
    default:
      if (!valid_payload_path(v, vn)) return EIOTA_ERR_POINTER;
      memcpy(p->payload, v, vn);
      p->payload[vn] = '\0';
      return EIOTA_OK;
  }
}

// --- download -----------------------------------------------------------------------------------

// The first look at a download response: which bytes it carries.
int judge_download(eiota_client* c, const eiota_http_response* r) {
  c->headers_seen = 1;
  if (r->status == 200) {
    if (c->fed > 0) {  // the Range was not honoured (or If-Range did not match): from the start
      eiota_update_begin(c->update, c->model);
      c->fed = 0;
      c->restarts++;
    }
  } else if (r->status == 206) {
    if (r->range_first != c->fed) return EIOTA_ERR_HTTP_MALFORMED;
  } else {
    return EIOTA_ERR_HTTP_STATUS;
  }
  // Never more than the pointer said: a longer body is refused before it is read.
  uint32_t size = c->pointer.size;
  if ((r->status == 200 && (r->flags & EIOTA_HTTP_F_LENGTH) && r->content_length > size) ||
      (r->status == 206 && (r->flags & EIOTA_HTTP_F_TOTAL) && r->range_total > size)) {
    c->update_error = EIOTA_ERR_OVERSIZE;
    return EIOTA_ERR_OVERSIZE;
  }
  if (r->etag[0] != '\0' && !(r->flags & EIOTA_HTTP_F_WEAK_ETAG)) {
    memcpy(c->payload_etag, r->etag, sizeof c->payload_etag);
  }
  return EIOTA_OK;
}

int feed_payload(void* ctx, const eiota_http_response* r, const uint8_t* data, size_t len) {
  eiota_client* c = static_cast<eiota_client*>(ctx);
  if (!c->headers_seen) {
    int err = judge_download(c, r);
    if (err != EIOTA_OK) return err;
  }
  c->body_bytes = len > UINT32_MAX - c->body_bytes ? UINT32_MAX : c->body_bytes + (uint32_t)len;  // payload bytes only
  size_t room = c->fed >= c->pointer.size ? 0 : (size_t)(c->pointer.size - c->fed);
  int err = len > room ? (int)EIOTA_ERR_OVERSIZE : eiota_update_write(c->update, data, len);
  if (err != EIOTA_OK) {
    c->update_error = (int16_t)err;
    return err;
  }
  c->fed += (uint32_t)len;  // at most the pointer's size
  if (c->cfg.progress != NULL) c->cfg.progress(c->cfg.progress_ctx, c->fed, c->pointer.size);
  return EIOTA_OK;
}

// One connection: GET the payload from c->fed on.
int download_once(eiota_client* c) {
  Out o = path_start(c);
  o.put(c->pointer.payload);
  if (o.full) return EIOTA_ERR_HTTP_NO_ROOM;
  eiota_http_request q;
  memset(&q, 0, sizeof q);
  if (c->fed > 0) {
    q.has_range = 1;
    q.range_from = c->fed;
    if (c->payload_etag[0] != '\0') q.if_range = c->payload_etag;
  }
  c->headers_seen = 0;
  int err = exchange(c, write_head(c, &q), NULL, 0, feed_payload, c);
  if (c->update_error != EIOTA_OK) return c->update_error;
  if (err == EIOTA_OK && !c->headers_seen) err = judge_download(c, &c->resp);  // no body
  if (err == EIOTA_OK && eiota_update_remaining(c->update) != 0) err = EIOTA_ERR_TRUNCATED;
  return err;
}

// The payload a resumed update continues is the one the pointer names.
bool resumed_is_pointer(const struct eiota_update* u, const eiota_client_pointer* p) {
  char id[EIOTA_PAYLOAD_ID_MAX];
  eiota_payload_id(u->header.sequence, u->header.data_sha256, id);
  return strcmp(id, p->id) == 0;
}

const char* const kResults[] = {"applied", "confirmed", "reverted", "failed", "deferred", "current"};

}  // namespace

extern "C" {

int eiota_client_init(eiota_client* c, const eiota_client_config* cfg) {
  memset(c, 0, sizeof *c);
  if (cfg == NULL || cfg->transport == NULL || cfg->transport->connect == NULL || cfg->transport->send == NULL ||
      cfg->transport->recv == NULL || cfg->transport->close == NULL)
    return EIOTA_ERR_STATE;
  if (!valid_name(cfg->model) || !valid_name(cfg->channel) || !valid_device_id(cfg->device_id)) return EIOTA_ERR_POINTER;
  c->cfg = *cfg;
  if (c->cfg.timeout_ms == 0) c->cfg.timeout_ms = EIOTA_CLIENT_DEFAULT_TIMEOUT_MS;
  if (c->cfg.attempts == 0) c->cfg.attempts = EIOTA_CLIENT_DEFAULT_ATTEMPTS;
  return parse_url(c, cfg->base_url);
}

size_t eiota_client_running_id(const eiota_model* m, char out[EIOTA_PAYLOAD_ID_MAX]) {
  static const uint8_t kFactory[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const eiota_model_state* s = m != NULL ? m->state : NULL;
  bool factory = s == NULL || s->status != EIOTA_STATUS_UPDATED || s->applied_sequence == 0;
  return eiota_payload_id(factory ? 0 : s->applied_sequence, factory ? kFactory : s->applied_digest, out);
}

int eiota_client_parse_pointer(const char* text, size_t len, eiota_client_pointer* p) {
  memset(p, 0, sizeof *p);
  unsigned seen = 0;
  bool first = true;
  size_t i = 0;
  if (memchr(text, '\0', len) != NULL) return EIOTA_ERR_POINTER;
  while (i < len) {
    const char* line = text + i;
    const char* nl = (const char*)memchr(line, '\n', len - i);
    size_t n = nl != NULL ? (size_t)(nl - line) : len - i;
    i += nl != NULL ? n + 1 : n;
    if (n > 0 && line[n - 1] == '\r') n--;
    if (first) {
      if (n != 15 || memcmp(line, "eiota-pointer 1", 15) != 0) return EIOTA_ERR_POINTER;
      first = false;
      continue;
    }
    if (n == 0) continue;
    const char* sp = (const char*)memchr(line, ' ', n);
    if (sp == NULL || sp == line) return EIOTA_ERR_POINTER;
    size_t kn = (size_t)(sp - line);
    int err = pointer_line(line, kn, sp + 1, n - kn - 1, &seen, p);
    if (err != EIOTA_OK) return err;
  }
  if (first || seen != kAll) return EIOTA_ERR_POINTER;
  uint64_t id_sequence = 0;
  valid_id(p->id, strlen(p->id), &id_sequence);
  if (id_sequence != p->sequence) return EIOTA_ERR_POINTER;
  return EIOTA_OK;
}

int eiota_client_check(eiota_client* c, const eiota_model* m) {
  char running[EIOTA_PAYLOAD_ID_MAX];
  eiota_client_running_id(m, running);
  c->model = m;
  c->status = 0;
  Out o = path_start(c);
  o.put(c->cfg.channel);
  o.put("/pointer?device=");
  o.put(c->cfg.device_id);
  o.put("&running=");
  o.put(running);
  if (o.full) return EIOTA_ERR_HTTP_NO_ROOM;
  eiota_http_request q;
  memset(&q, 0, sizeof q);
  q.if_none_match = c->etag[0] != '\0' ? c->etag : running;
  int head = write_head(c, &q);
  c->text_len = 0;  // the request is sent before the text (its union twin) is written
  int err = exchange(c, head, NULL, 0, collect_pointer, c);
  if (err != EIOTA_OK) return err;
  if (c->resp.status == 304) return EIOTA_CLIENT_CURRENT;
  if (c->resp.status != 200) return EIOTA_ERR_HTTP_STATUS;
  c->has_pointer = 0;
  err = eiota_client_parse_pointer(c->buf.text, c->text_len, &c->pointer);  // in place: no copy on the stack
  if (err != EIOTA_OK) return err;
  c->has_pointer = 1;
  memcpy(c->pending_etag, c->resp.etag, sizeof c->pending_etag);
  if (strcmp(c->pointer.id, running) == 0) {
    memcpy(c->etag, c->pending_etag, sizeof c->etag);
    return EIOTA_CLIENT_CURRENT;
  }
  return EIOTA_CLIENT_AVAILABLE;
}

int eiota_client_download(eiota_client* c, const eiota_model* m, struct eiota_update* u) {
  if (!c->has_pointer || m == NULL || u == NULL) return EIOTA_ERR_STATE;
  c->model = m;
  c->update = u;
  c->body_bytes = 0;
  c->fed = 0;
  c->restarts = 0;
  c->update_error = EIOTA_OK;
  c->payload_etag[0] = '\0';
  c->status = 0;
  uint32_t from = 0;
  if (m->state != NULL && m->state->store != NULL && eiota_update_resume(u, m, &from) == EIOTA_OK &&
      resumed_is_pointer(u, &c->pointer)) {
    c->fed = from;  // after a reset: the slot holds the start of this payload
  } else {
    eiota_update_begin(u, m);
  }
  int err = EIOTA_ERR_NET;
  for (unsigned attempt = 0; attempt < c->cfg.attempts; attempt++) {
    err = download_once(c);
    if (!retryable(err) || c->update_error != EIOTA_OK) break;
  }
  bool refused = c->update_error != EIOTA_OK;  // the device refused the bytes, not the network
  if (err == EIOTA_OK) {
    err = eiota_update_finish(u);
    refused = err != EIOTA_OK;
  }
  if (err != EIOTA_OK) eiota_update_abort(u, err);
  // Applied or refused: settled, the next check sends its ETag (a refused payload is not fetched
  // again this boot). A network or HTTP failure is asked for again.
  if (err == EIOTA_OK || refused) memcpy(c->etag, c->pending_etag, sizeof c->etag);
  return err;
}

int eiota_client_report(eiota_client* c, const char* result, const char* running, const char* target, int error) {
  char now[EIOTA_PAYLOAD_ID_MAX];
  eiota_client_running_id(c->model, now);
  if (running == NULL) running = now;
  if (target == NULL) target = running;
  bool known = false;
  for (size_t k = 0; result != NULL && k < sizeof kResults / sizeof kResults[0]; k++) known = known || strcmp(result, kResults[k]) == 0;
  if (!known || !valid_id(running) || !valid_id(target) || error > 0 || error < -32768) return EIOTA_ERR_HTTP_BAD_REQUEST;
  c->report_status = 0;
  Out b = out_of((char*)c->io, sizeof c->io);
  b.put("device=");
  b.put(c->cfg.device_id);
  b.put("&channel=");
  b.put(c->cfg.channel);
  b.put("&running=");
  b.put(running);
  b.put("&target=");
  b.put(target);
  b.put("&result=");
  b.put(result);
  b.put("&error=");
  b.put_int(error);
  char extra[96];
  Out h = out_of(extra, sizeof extra);
  h.put("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ");
  h.put_int((int)b.len);
  h.put("\r\n");
  Out o = path_start(c);
  o.put("report");
  if (b.full || h.full || o.full) return EIOTA_ERR_HTTP_NO_ROOM;
  eiota_http_request q;
  memset(&q, 0, sizeof q);
  q.method = "POST";
  q.extra_headers = extra;
  uint16_t status = c->status;
  // The body sits in io until sent; the response then reuses io.
  int err = exchange(c, write_head(c, &q), c->io, b.len, NULL, NULL);
  c->report_status = (c->resp.flags & EIOTA_HTTP_F_HEADERS) ? c->resp.status : 0;
  c->status = status;
  if (err != EIOTA_OK) return err;
  return c->report_status >= 200 && c->report_status < 300 ? EIOTA_OK : EIOTA_ERR_HTTP_STATUS;
}

// The device judged the payload itself and refused it (it counts toward a halt), as against a
// network, server or device-state reason to try again later (an undecided trial, no store...).
static bool payload_refused(int err) {
  switch (err) {
    case EIOTA_ERR_BAD_MAGIC: case EIOTA_ERR_BAD_VERSION: case EIOTA_ERR_WRONG_MODEL: case EIOTA_ERR_UNKNOWN_KEY:
    case EIOTA_ERR_BAD_SIGNATURE: case EIOTA_ERR_SIZE_MISMATCH: case EIOTA_ERR_HASH_MISMATCH: case EIOTA_ERR_OVERSIZE:
    case EIOTA_ERR_UNSUPPORTED: case EIOTA_ERR_SLOT_TOO_SMALL: case EIOTA_ERR_SELFTEST_FAILED: case EIOTA_ERR_SELFTEST_BLOCK:
      return true;
    default:
      return false;
  }
}

int eiota_client_run(eiota_client* c, const eiota_model* m, struct eiota_update* u) {
  int r = eiota_client_check(c, m);
  if (r != EIOTA_CLIENT_AVAILABLE) return r;
  int err;
  if (m->state != NULL && c->pointer.sequence < m->state->sequence_floor) {
    // The device would refuse it: not downloaded. Not a fault of that release (this device runs a
    // newer one, from another channel say), so it is reported as "current", which no halt counts.
    memcpy(c->etag, c->pending_etag, sizeof c->etag);
    char running[EIOTA_PAYLOAD_ID_MAX];
    eiota_client_running_id(m, running);
    eiota_client_report(c, "current", running, c->pointer.id, EIOTA_ERR_OLD_SEQUENCE);
    return EIOTA_ERR_OLD_SEQUENCE;
  } else {
    err = eiota_client_download(c, m, u);
  }
  if (err == EIOTA_OK) {
    eiota_client_report(c, "applied", c->pointer.id, c->pointer.id, 0);
    return EIOTA_CLIENT_APPLIED;
  }
  char running[EIOTA_PAYLOAD_ID_MAX];  // after the failure: RAM mode went back to the factory values
  eiota_client_running_id(m, running);
  eiota_client_report(c, payload_refused(err) ? "failed" : "deferred", running, c->pointer.id, err);
  return err;
}

}  // extern "C"
