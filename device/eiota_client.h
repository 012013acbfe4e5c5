// The device side of delivery (docs/DELIVERY.md): checks the channel's pointer, downloads the
// payload it names with resume, feeds it to the update (which verifies it), activates it and
// reports, over any eiota_transport (eiota_transport.h). HTTP/1.1, one request per connection.
//
//   eiota_posix_socket sock;  eiota_transport t;  eiota_posix_transport_init(&sock, &t);
//   eiota_client_config cfg = {&t, "http://updates.example.com/eiota/v1", "kws", "stable", "dev-42"};
//   static eiota_client c;  static eiota_update u;
//   if (eiota_client_init(&c, &cfg) == EIOTA_OK) {
//     int r = eiota_client_run(&c, &eiota_default_model, &u);  // 0 current, 1 applied, < 0 failed
//   }
//
// The caller owns all memory: the eiota_client context is about 2.5 KB (Cortex-M4: see
// EIOTA_CLIENT_CONTEXT_BYTES below), plus the eiota_update context (960 bytes); nothing is
// allocated. The config's strings must outlive the client (they are not copied).
//
// Waits are bounded by the config's timeout per connect, send and receive; a server can keep one
// exchange going at most as long as it sends a byte per timeout, and no exchange reads more than
// its bounds (an 8 KB header section, a 512-byte pointer, the pointer's payload size).
#ifndef EIOTA_CLIENT_H
#define EIOTA_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "eiota_errors.h"
#include "eiota_http.h"
#include "eiota_model.h"
#include "eiota_payload_id.h"
#include "eiota_transport.h"
#include "eiota_update.h"

#define EIOTA_CLIENT_MAX_HOST 63      // host name in the base URL
#define EIOTA_CLIENT_MAX_BASE 96      // path part of the base URL ("/eiota/v1")
#define EIOTA_CLIENT_MAX_NAME 64      // model, channel, device id
#define EIOTA_CLIENT_MAX_POINTER 512  // pointer body (docs/DELIVERY.md)
#define EIOTA_CLIENT_MAX_PAYLOAD_PATH 96  // the pointer's `payload` (payloads/<64 hex>.eiota is 79)
#define EIOTA_CLIENT_PATH_CAP 400     // request target: base + names + query
#define EIOTA_CLIENT_REQUEST_CAP 640  // request head
#define EIOTA_CLIENT_IO_CAP 512       // one receive (and the report body)
// Measured for arm-none-eabi (scripts/check-cortex-m.sh prints the real figure).
#define EIOTA_CLIENT_CONTEXT_BYTES 2544

#define EIOTA_CLIENT_DEFAULT_TIMEOUT_MS 10000u
#define EIOTA_CLIENT_DEFAULT_ATTEMPTS 3u

// Outcomes (>= 0) of eiota_client_check and eiota_client_run; errors are negative eiota_err.
#define EIOTA_CLIENT_CURRENT 0    // nothing to do: 304, or the pointer names the running payload
#define EIOTA_CLIENT_AVAILABLE 1  // check: the pointer (c->pointer) names another payload
#define EIOTA_CLIENT_APPLIED 1    // run: downloaded, verified and activated (on trial with a store)

// Called as payload bytes are accepted: `bytes` of `total` (the pointer's size) so far.
typedef void (*eiota_client_progress_fn)(void* ctx, uint32_t bytes, uint32_t total);

typedef struct eiota_client_config {
  const eiota_transport* transport;
  const char* base_url;   // "http://host[:port][/base]" ("https://" when the transport is TLS)
  const char* model;      // 1-64 of [A-Za-z0-9._-], not starting with '.'
  const char* channel;    // likewise
  const char* device_id;  // 1-64 of [A-Za-z0-9._:-]
  uint32_t timeout_ms;    // per connect, send and receive; 0: EIOTA_CLIENT_DEFAULT_TIMEOUT_MS
  uint8_t attempts;       // connections a download may take (resuming each time); 0: 3
  eiota_client_progress_fn progress;  // optional
  void* progress_ctx;
} eiota_client_config;

// What a pointer says (docs/DELIVERY.md, "Check").
typedef struct eiota_client_pointer {
  char id[EIOTA_PAYLOAD_ID_MAX];
  uint64_t sequence;
  uint32_t size;  // bytes of the payload file
  char sha256[65];
  char payload[EIOTA_CLIENT_MAX_PAYLOAD_PATH + 1];  // relative to <base>/<model>/
} eiota_client_pointer;

typedef struct eiota_client {
  eiota_client_config cfg;
  char host[EIOTA_CLIENT_MAX_HOST + 1];          // for connect (no brackets)
  char host_header[EIOTA_CLIENT_MAX_HOST + 9];   // Host: with brackets and a non-default port
  const char* base;                              // the base URL's path, without a trailing '/'
  uint16_t base_len;
  uint16_t port;
  uint16_t status;         // status of the last check or download response, 0 if none arrived
  uint16_t report_status;  // status of the last report response
  uint8_t has_pointer;     // `pointer` holds the last pointer received
  uint8_t headers_seen;    // the current download response's status was judged
  int16_t update_error;    // the update refused the bytes (not a network error)
  uint32_t body_bytes;     // payload body bytes received over the network by the last download
  uint32_t fed;            // payload bytes the update accepted (where a Range continues)
  uint32_t restarts;       // downloads started over (200 to a Range: the file changed)
  char etag[EIOTA_HTTP_MAX_ETAG + 1];          // If-None-Match: the last pointer's ETag, or ""
  char pending_etag[EIOTA_HTTP_MAX_ETAG + 1];  // the pointer being acted on
  char payload_etag[EIOTA_HTTP_MAX_ETAG + 1];  // If-Range of a resumed download
  eiota_client_pointer pointer;
  const eiota_model* model;
  struct eiota_update* update;
  eiota_http_response resp;
  uint16_t text_len;
  uint8_t io[EIOTA_CLIENT_IO_CAP];
  union {
    struct {
      char path[EIOTA_CLIENT_PATH_CAP];
      char head[EIOTA_CLIENT_REQUEST_CAP];
    } req;                                  // while a request is written and sent
    char text[EIOTA_CLIENT_MAX_POINTER + 1];  // while a pointer is read
  } buf;
} eiota_client;

#ifdef __cplusplus
extern "C" {
#endif

// Checks the config (names, URL) and sets up `c`. EIOTA_OK, or EIOTA_ERR_POINTER naming nothing
// more (a malformed URL or name), EIOTA_ERR_STATE without a transport.
int eiota_client_init(eiota_client* c, const eiota_client_config* cfg);

// The id of the payload the model runs now ("0-0000000000000000" for factory values).
size_t eiota_client_running_id(const eiota_model* m, char out[EIOTA_PAYLOAD_ID_MAX]);

// GET <base>/<model>/<channel>/pointer?device=&running= with If-None-Match. Returns
// EIOTA_CLIENT_CURRENT, EIOTA_CLIENT_AVAILABLE (then c->pointer names the payload), or an error:
// EIOTA_ERR_NET / _TIMEOUT, EIOTA_ERR_HTTP_* (malformed response), EIOTA_ERR_HTTP_STATUS
// (neither 200 nor 304), EIOTA_ERR_POINTER (a body over 512 bytes or not a pointer).
int eiota_client_check(eiota_client* c, const eiota_model* m);

// Downloads the payload c->pointer names into `u` and finishes it (verify, activate). With a
// store, first continues what a reset interrupted (eiota_update_resume) if it is that payload.
// A dropped connection is resumed with Range/If-Range from the bytes accepted, up to
// cfg.attempts connections; a 200 answer to a Range starts over. EIOTA_OK or the error.
int eiota_client_download(eiota_client* c, const eiota_model* m, struct eiota_update* u);

// POST <base>/<model>/report. `result`: applied, confirmed, reverted, failed, deferred or current;
// `running` / `target`: payload ids (running NULL: the running id of the model last given to
// check, download or run, factory if none; target NULL: the same as running);
// `error`: an eiota_err (0 unless failed). EIOTA_OK on a 2xx, else the error (a lost report
// is harmless: the next check-in says what runs).
int eiota_client_report(eiota_client* c, const char* result, const char* running, const char* target, int error);

// check -> download -> verify -> activate -> report: applied; failed with its error when the
// device refused the payload itself (signature, model, hash, size, self-test); deferred when it
// could not take it now (network, server, an undecided trial, no store); current with
// EIOTA_ERR_OLD_SEQUENCE, not downloaded, when it is older than what the device accepted.
// Returns EIOTA_CLIENT_CURRENT, EIOTA_CLIENT_APPLIED or the error. No report when nothing was
// offered (the check-in said what runs) nor for a check that failed.
int eiota_client_run(eiota_client* c, const eiota_model* m, struct eiota_update* u);

// Parses a pointer body (exposed for tests and fuzzing). EIOTA_OK or EIOTA_ERR_POINTER.
int eiota_client_parse_pointer(const char* text, size_t len, eiota_client_pointer* p);

#ifdef __cplusplus
}
#endif

#endif  // EIOTA_CLIENT_H
