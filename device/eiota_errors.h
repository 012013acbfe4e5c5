// The runtime's error vocabulary: one negative code per way an update can fail.
#ifndef EIOTA_ERRORS_H
#define EIOTA_ERRORS_H

enum eiota_err {
  EIOTA_OK = 0,
  EIOTA_ERR_BAD_MAGIC = -1,       // not an eiota payload
  EIOTA_ERR_BAD_VERSION = -2,     // format major version or header length not supported
  EIOTA_ERR_WRONG_MODEL = -3,     // built for another model architecture
  EIOTA_ERR_UNKNOWN_KEY = -4,     // signed by a key this device does not trust
  EIOTA_ERR_BAD_SIGNATURE = -5,   // header or region table not signed by the trusted key
  EIOTA_ERR_OLD_SEQUENCE = -6,    // older than the payload already applied (anti-rollback)
  EIOTA_ERR_SIZE_MISMATCH = -7,   // region table does not match this model's regions
  EIOTA_ERR_HASH_MISMATCH = -8,   // values do not match the signed SHA-256
  EIOTA_ERR_TRUNCATED = -9,       // stream ended before the payload did
  EIOTA_ERR_TIMEOUT = -10,        // no bytes from the stream within its timeout
  EIOTA_ERR_OVERSIZE = -11,       // bytes beyond the declared payload size
  EIOTA_ERR_UNSUPPORTED = -12,    // flag or encoding this runtime does not know
  EIOTA_ERR_STORAGE = -13,        // the storage backend failed
  EIOTA_ERR_STATE = -14,          // call not valid now (API misuse)
  EIOTA_ERR_UPDATING = -15,       // inference or restore refused: an update is in flight
  EIOTA_ERR_FLASH_RANGE = -16,    // flash access outside the area or not aligned to its prog/erase size
  EIOTA_ERR_SLOT_TOO_SMALL = -17, // the payload does not fit in a slot
  EIOTA_ERR_TRIAL = -18,          // a trial is undecided: confirm or revert it before the next update
  EIOTA_ERR_NO_STORE = -20,       // the values are read from flash slots: an update needs a store attached
  // Delta payloads (1.2).
  EIOTA_ERR_WRONG_BASE = -21,     // a delta built on values this device does not serve now
  EIOTA_ERR_NO_BASE_DIGEST = -22, // a delta on the factory values, but the library carries no factory digest
  EIOTA_ERR_DELTA_RESULT = -23,   // the values assembled from base and delta are not the ones signed
  // Self-test (eiota_selftest.h); numbered from -30 to leave room for storage codes.
  EIOTA_ERR_SELFTEST_FAILED = -30,  // the model's outputs differ from the self-test's (or inference failed)
  EIOTA_ERR_SELFTEST_BLOCK = -31,   // the self-test block is malformed or absent
  // HTTP (eiota_http.h); numbered from -40 to leave room for storage codes.
  EIOTA_ERR_HTTP_MALFORMED = -40,     // response not HTTP/1.x, or a line or header it cannot read
  EIOTA_ERR_HTTP_HEADER_TOO_LONG = -41,  // a header line or the header section too long
  EIOTA_ERR_HTTP_TOO_LARGE = -42,     // body or chunk size beyond what the device can take
  EIOTA_ERR_HTTP_UNSUPPORTED = -43,   // transfer coding other than chunked
  EIOTA_ERR_HTTP_EXCESS = -44,        // bytes after the end of the response
  EIOTA_ERR_HTTP_NO_ROOM = -45,       // request does not fit its buffer
  EIOTA_ERR_HTTP_BAD_REQUEST = -46,   // request field missing or holding a forbidden character
  // Delivery (eiota_client.h, eiota_transport.h).
  EIOTA_ERR_NET = -47,                // connect, send or receive failed (or the connection dropped)
  EIOTA_ERR_HTTP_STATUS = -48,        // the server answered with a status the client did not expect
  EIOTA_ERR_POINTER = -49,            // the pointer (or a URL or name given to the client) is malformed
  EIOTA_ERR_INFLATE = -50,            // compressed values malformed, or not decoding to their region's size
};

#ifdef __cplusplus
extern "C" {
#endif

// A short English message for an eiota_err; never NULL.
const char* eiota_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif  // EIOTA_ERRORS_H
