// A heap-free HTTP/1.1 response reader (push parser) and request writer, for the device's
// download loop over any byte transport (Arduino Client, POSIX socket, TLS stream).
//
// Feed the bytes read from the connection in any chunking; the status line and headers are
// read into a fixed line buffer, the headers that matter are captured, and the body is passed
// to a callback, de-chunked, without copying. The parser checks every length: a body, chunk or
// header longer than it may be is refused with an EIOTA_ERR_HTTP_* code, never wrapped.
// The caller owns the eiota_http_response context (about 360 bytes); nothing is allocated.
#ifndef EIOTA_HTTP_H
#define EIOTA_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "eiota_errors.h"

// Longest status, header, chunk-size or trailer line kept (without its line end). A longer
// line is refused, except the value of a header this parser does not read and a chunk's
// extensions, which are skipped. The struct depends on it: define it the same for every file.
#ifndef EIOTA_HTTP_MAX_LINE
#define EIOTA_HTTP_MAX_LINE 256
#endif
// Longest header section (status line, headers and their line ends), and likewise trailers.
#ifndef EIOTA_HTTP_MAX_HEAD
#define EIOTA_HTTP_MAX_HEAD 8192
#endif
// Longest ETag kept (without its quotes); a longer one is ignored (etag stays empty).
#define EIOTA_HTTP_MAX_ETAG 64

// eiota_http_begin options.
#define EIOTA_HTTP_HEAD_REQUEST 1u  // the request was HEAD: the response has no body

// eiota_http_response.flags.
#define EIOTA_HTTP_F_LENGTH 0x01u     // Content-Length given (content_length)
#define EIOTA_HTTP_F_CHUNKED 0x02u    // Transfer-Encoding: chunked
#define EIOTA_HTTP_F_CLOSE 0x04u      // the server closes after this response (Connection: close, HTTP/1.0)
#define EIOTA_HTTP_F_RANGE 0x08u      // Content-Range first-last given (range_first, range_last)
#define EIOTA_HTTP_F_TOTAL 0x10u      // Content-Range total given (range_total)
#define EIOTA_HTTP_F_WEAK_ETAG 0x20u  // the ETag was weak (W/"...")
#define EIOTA_HTTP_F_HEADERS 0x40u    // the header section is complete: status and headers are valid
#define EIOTA_HTTP_F_DONE 0x80u       // the response is complete (body included)

typedef struct eiota_http_response {
  int16_t error;         // first error, sticky
  uint8_t phase;
  uint8_t options;
  uint16_t status;       // 200, 206, 304, 404...; 0 until the status line is read
  uint16_t flags;        // EIOTA_HTTP_F_*
  uint32_t content_length;
  uint32_t range_first;  // Content-Range: bytes first-last/total
  uint32_t range_last;
  uint32_t range_total;
  uint32_t body_len;     // body bytes passed to the callback so far
  uint32_t left;         // bytes left in the Content-Length body or the current chunk
  uint32_t head_len;     // bytes of the header section (or trailers) so far
  uint16_t line_len;
  uint8_t line_skip;     // the rest of the current line is being skipped
  uint8_t te_chunked;    // "chunked" tokens seen in Transfer-Encoding
  char etag[EIOTA_HTTP_MAX_ETAG + 1];  // the ETag's opaque value without quotes, NUL-terminated
  char line[EIOTA_HTTP_MAX_LINE + 1];  // one more for a CR before the LF
} eiota_http_response;

#ifdef __cplusplus
extern "C" {
#endif

// Receives the next `len` (> 0) body bytes; `data` points into the bytes being fed. Returns
// EIOTA_OK, or a negative eiota_err that stops the parse (and becomes its sticky error).
// `r`'s status and headers are complete when it is called; r->body_len is the offset of `data`.
typedef int (*eiota_http_body_fn)(void* ctx, const eiota_http_response* r, const uint8_t* data, size_t len);

// Starts reading one response. `options`: EIOTA_HTTP_HEAD_REQUEST or 0.
void eiota_http_begin(eiota_http_response* r, unsigned options);

// Feeds the next `len` bytes read from the connection (`data` may be NULL when `len` is 0).
// `body` may be NULL to discard the body. Interim 1xx responses are skipped. Returns EIOTA_OK
// or the (sticky) error; bytes after the end of the response are refused (EIOTA_ERR_HTTP_EXCESS).
int eiota_http_feed(eiota_http_response* r, const uint8_t* data, size_t len, eiota_http_body_fn body, void* ctx);

// The connection ended (closed by the server): completes a body read until close, otherwise
// returns EIOTA_ERR_TRUNCATED if the response was not complete. Returns EIOTA_OK or the error.
int eiota_http_finish(eiota_http_response* r);

// A request. Strings are NUL-terminated; NULL leaves the header out.
typedef struct eiota_http_request {
  const char* method;         // NULL: "GET"
  const char* host;           // Host header, with ":port" when not the default; required
  const char* path;           // starts with '/'; required
  const char* if_none_match;  // an ETag value without quotes: the server answers 304 if it matches
  const char* if_range;       // an ETag value without quotes: send the Range only if it still matches
  uint32_t range_from;        // with has_range: "Range: bytes=<range_from>-"
  uint8_t has_range;
  uint8_t close;              // "Connection: close"
  const char* extra_headers;  // NULL, or complete header lines, each ending in "\r\n"
} eiota_http_request;

// Writes the request head into `buf` (NUL-terminated). Returns its length (without the NUL),
// EIOTA_ERR_HTTP_NO_ROOM if it does not fit in `cap` bytes, or EIOTA_ERR_HTTP_BAD_REQUEST if a
// field is missing or holds a character that would break the request (line ends, quotes...).
int eiota_http_write_request(const eiota_http_request* q, char* buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif  // EIOTA_HTTP_H
