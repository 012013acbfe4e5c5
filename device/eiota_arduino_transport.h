// The delivery transport (eiota_transport.h) over an Arduino Client: WiFiClient, EthernetClient,
// GSMClient, or WiFiClientSecure / BearSSLClient for TLS (set its CA certificate first, see
// docs/PORTING.md). Waits poll available() with delay(1) in between, which yields to the network
// stack and the RTOS; nothing spins on read().
//
//   WiFiClientSecure net;  net.setCACert(kServerCA);
//   eiota_transport t = eiota_arduino_transport(net);
//
// Header-only (a template over the client's class); C++ with an Arduino core only. Connect uses
// the client's own connect timeout (Client::connect has no timeout argument).
#ifndef EIOTA_ARDUINO_TRANSPORT_H
#define EIOTA_ARDUINO_TRANSPORT_H

#include "eiota_transport.h"

#if defined(__cplusplus) && (defined(ARDUINO) || defined(EIOTA_HOST_ARDUINO_SHIM))
#if defined(ARDUINO)
#include <Arduino.h>
#else
#include EIOTA_HOST_ARDUINO_SHIM
#endif

template <class C>
struct eiota_arduino_net {
  static C& of(void* ctx) { return *static_cast<C*>(ctx); }

  static int connect(void* ctx, const char* host, uint16_t port, uint32_t) {
    of(ctx).stop();
    return of(ctx).connect(host, port) ? (int)EIOTA_OK : (int)EIOTA_ERR_NET;
  }

  static int send(void* ctx, const uint8_t* data, size_t len, uint32_t timeout_ms) {
    C& c = of(ctx);
    unsigned long start = millis();
    while (len > 0) {
      size_t n = c.write(data, len);
      if (n > len) return EIOTA_ERR_NET;
      data += n;
      len -= n;
      if (len == 0) break;
      if (!c.connected()) return EIOTA_ERR_NET;
      if (millis() - start >= timeout_ms) return EIOTA_ERR_TIMEOUT;
      if (n == 0) delay(1);
    }
    return EIOTA_OK;
  }

  static int recv(void* ctx, uint8_t* buf, size_t cap, uint32_t timeout_ms) {
    C& c = of(ctx);
    unsigned long start = millis();
    for (;;) {
      int avail = c.available();
      if (avail > 0) {
        size_t want = (size_t)avail < cap ? (size_t)avail : cap;
        int n = c.read(buf, want);
        if (n > 0) return n <= (int)want ? n : (int)EIOTA_ERR_NET;
      } else if (!c.connected()) {
        return 0;  // closed, and everything it sent was read
      }
      if (millis() - start >= timeout_ms) return EIOTA_ERR_TIMEOUT;
      delay(1);
    }
  }

  static void close(void* ctx) { of(ctx).stop(); }
};

// A transport over `client`, which must outlive it.
template <class C>
eiota_transport eiota_arduino_transport(C& client) {
  eiota_transport t = {&client, eiota_arduino_net<C>::connect, eiota_arduino_net<C>::send, eiota_arduino_net<C>::recv,
                       eiota_arduino_net<C>::close};
  return t;
}
#endif

#endif  // EIOTA_ARDUINO_TRANSPORT_H
