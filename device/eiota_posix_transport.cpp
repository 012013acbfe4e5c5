#include "eiota_posix_transport.h"

#if !defined(EIOTA_POSIX_TRANSPORT)
#if (defined(__unix__) || defined(__APPLE__)) && defined(__has_include)
#if __has_include(<sys/socket.h>) && __has_include(<poll.h>) && __has_include(<netdb.h>)
#define EIOTA_POSIX_TRANSPORT 1
#endif
#endif
#endif

#if defined(EIOTA_POSIX_TRANSPORT) && EIOTA_POSIX_TRANSPORT

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

namespace {

uint64_t now_ms() {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

// Waits for `events` on fd until the monotonic `deadline` (ms): 1 ready, 0 timed out, -1 failed.
// A signal does not restart the wait: the time already spent counts.
int wait_for(int fd, short events, uint64_t deadline) {
  struct pollfd p;
  p.fd = fd;
  p.events = events;
  p.revents = 0;
  for (;;) {
    uint64_t now = now_ms();
    uint64_t left = now >= deadline ? 0 : deadline - now;  // 0: still one look at what is ready
    int n = poll(&p, 1, left > 0x7FFFFFFFu ? 0x7FFFFFFF : (int)left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    return n == 0 ? 0 : 1;
  }
}

void posix_close(void* ctx) {
  eiota_posix_socket* s = static_cast<eiota_posix_socket*>(ctx);
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
}

// One address: a non-blocking connect finished by poll().
int connect_one(const struct addrinfo* a, uint64_t deadline, int* out) {
  int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
  if (fd < 0) return EIOTA_ERR_NET;
  int flags = fcntl(fd, F_GETFL, 0);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    close(fd);
    return EIOTA_ERR_NET;
  }
#if defined(SO_NOSIGPIPE)
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
  int err = EIOTA_OK;
  if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      err = EIOTA_ERR_NET;
    } else {
      int w = wait_for(fd, POLLOUT, deadline);
      int so = 0;
      socklen_t len = sizeof so;
      if (w == 0) err = EIOTA_ERR_TIMEOUT;
      else if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len) != 0 || so != 0) err = EIOTA_ERR_NET;
    }
  }
  if (err != EIOTA_OK) {
    close(fd);
    return err;
  }
  *out = fd;
  return EIOTA_OK;
}

int posix_connect(void* ctx, const char* host, uint16_t port, uint32_t timeout_ms) {
  eiota_posix_socket* s = static_cast<eiota_posix_socket*>(ctx);
  posix_close(s);
  char service[6];
  snprintf(service, sizeof service, "%u", (unsigned)port);
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo* list = NULL;
  if (getaddrinfo(host, service, &hints, &list) != 0 || list == NULL) return EIOTA_ERR_NET;
  // One deadline for every address (name resolution itself is the resolver's to bound).
  uint64_t deadline = now_ms() + timeout_ms;
  int err = EIOTA_ERR_NET;
  for (const struct addrinfo* a = list; a != NULL && err != EIOTA_OK; a = a->ai_next) err = connect_one(a, deadline, &s->fd);
  freeaddrinfo(list);
  return err;
}

int posix_send(void* ctx, const uint8_t* data, size_t len, uint32_t timeout_ms) {
  eiota_posix_socket* s = static_cast<eiota_posix_socket*>(ctx);
  if (s->fd < 0) return EIOTA_ERR_NET;
  uint64_t deadline = now_ms() + timeout_ms;
  while (len > 0) {
    int w = wait_for(s->fd, POLLOUT, deadline);
    if (w == 0) return EIOTA_ERR_TIMEOUT;
    if (w < 0) return EIOTA_ERR_NET;
#if defined(MSG_NOSIGNAL)
    ssize_t n = ::send(s->fd, data, len, MSG_NOSIGNAL);  // a closed peer is an error, not a SIGPIPE
#else
    ssize_t n = ::send(s->fd, data, len, 0);
#endif
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) return EIOTA_ERR_NET;
    data += n;
    len -= (size_t)n;
  }
  return EIOTA_OK;
}

int posix_recv(void* ctx, uint8_t* buf, size_t cap, uint32_t timeout_ms) {
  eiota_posix_socket* s = static_cast<eiota_posix_socket*>(ctx);
  if (s->fd < 0) return EIOTA_ERR_NET;
  if (cap > 0x7FFFFFFF) cap = 0x7FFFFFFF;
  uint64_t deadline = now_ms() + timeout_ms;
  for (;;) {
    int w = wait_for(s->fd, POLLIN, deadline);
    if (w == 0) return EIOTA_ERR_TIMEOUT;
    if (w < 0) return EIOTA_ERR_NET;
    ssize_t n = ::recv(s->fd, buf, cap, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n < 0) return EIOTA_ERR_NET;
    return (int)n;
  }
}

}  // namespace

extern "C" void eiota_posix_transport_init(eiota_posix_socket* s, eiota_transport* t) {
  s->fd = -1;
  t->ctx = s;
  t->connect = posix_connect;
  t->send = posix_send;
  t->recv = posix_recv;
  t->close = posix_close;
}

#endif  // EIOTA_POSIX_TRANSPORT
