// A byte transport for the delivery client (eiota_client.h): one TCP (or TLS) connection at a
// time. POSIX sockets: eiota_posix_transport.h; an Arduino Client (WiFiClient, WiFiClientSecure,
// EthernetClient): eiota_arduino_transport.h; anything else (esp_tls, mbedTLS over lwIP, a modem's
// AT socket) fills these four callbacks. TLS is the transport's: the client only sees bytes.
//
// Every call that waits is bounded by its timeout_ms and must wait without spinning (poll(),
// select(), an RTOS delay or the modem's own wait between checks).
#ifndef EIOTA_TRANSPORT_H
#define EIOTA_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "eiota_errors.h"

typedef struct eiota_transport {
  void* ctx;
  // Opens a connection to host:port (a DNS name or an IPv4/IPv6 literal). EIOTA_OK,
  // EIOTA_ERR_TIMEOUT, or EIOTA_ERR_NET. The client closes any previous connection first.
  int (*connect)(void* ctx, const char* host, uint16_t port, uint32_t timeout_ms);
  // Sends all `len` bytes: EIOTA_OK, EIOTA_ERR_TIMEOUT (no progress within timeout_ms) or EIOTA_ERR_NET.
  int (*send)(void* ctx, const uint8_t* data, size_t len, uint32_t timeout_ms);
  // Receives up to `cap` (> 0) bytes: how many (> 0), 0 when the peer closed the connection,
  // EIOTA_ERR_TIMEOUT when nothing arrived within timeout_ms, or EIOTA_ERR_NET.
  int (*recv)(void* ctx, uint8_t* buf, size_t cap, uint32_t timeout_ms);
  // Closes the connection (also after an error); safe to call when none is open.
  void (*close)(void* ctx);
} eiota_transport;

#endif  // EIOTA_TRANSPORT_H
