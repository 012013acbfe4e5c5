// The delivery transport over POSIX sockets (Linux, macOS; ESP-IDF and Zephyr with their socket
// APIs when built with -DEIOTA_POSIX_TRANSPORT=1): getaddrinfo, non-blocking connect, and poll()
// for every wait, so a stalled server costs a timeout, never a busy loop. Plain TCP; for TLS,
// wrap your TLS library in an eiota_transport instead (docs/PORTING.md, "Transports and TLS").
//
// eiota_posix_transport.cpp compiles to nothing where there are no POSIX sockets (Cortex-M
// bare metal): it is built when EIOTA_POSIX_TRANSPORT is 1, by default on __unix__ / __APPLE__.
#ifndef EIOTA_POSIX_TRANSPORT_H
#define EIOTA_POSIX_TRANSPORT_H

#include "eiota_transport.h"

typedef struct eiota_posix_socket {
  int fd;  // -1 when closed
} eiota_posix_socket;

#ifdef __cplusplus
extern "C" {
#endif

// Fills `t` with the POSIX callbacks over `s` (which must outlive `t`'s use); no connection yet.
void eiota_posix_transport_init(eiota_posix_socket* s, eiota_transport* t);

#ifdef __cplusplus
}
#endif

#endif  // EIOTA_POSIX_TRANSPORT_H
