// A canned-response HTTP server on loopback for the device client's tests: one thread accepts
// connections one at a time, reads each request (head and Content-Length body) and lets the
// test's handler answer it, counting the bytes written. Not a real server: no parsing beyond
// what the tests need.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace canned {

struct Conn {
  int fd;
  int index;  // connections accepted before this one
  std::string head, body;
  std::atomic<bool>* stopping;
  std::atomic<size_t>* sent;

  // Writes all of `s` (stops early if the client went away).
  void write(const std::string& s) {
    size_t at = 0;
    while (at < s.size()) {
      ssize_t n = ::send(fd, s.data() + at, s.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return;
      at += (size_t)n;
      *sent += (size_t)n;
    }
  }
  // Holds the connection open without answering, until the server stops or `ms` pass.
  void stall(int ms) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!*stopping && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // The value of a request header (case-sensitive name, as our client writes it), or "".
  std::string header(const std::string& name) const {
    size_t at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return "";
    at += name.size() + 4;
    return head.substr(at, head.find("\r\n", at) - at);
  }
  std::string target() const {  // "GET /x?y HTTP/1.1" -> "/x?y"
    size_t a = head.find(' ');
    return head.substr(a + 1, head.find(' ', a + 1) - a - 1);
  }
};

class Server {
 public:
  using Handler = std::function<void(Conn&)>;

  explicit Server(Handler h) : handler_(std::move(h)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd_, (sockaddr*)&a, sizeof a) != 0 || listen(fd_, 8) != 0 || getsockname(fd_, (sockaddr*)&a, &len) != 0) abort();
    port = ntohs(a.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~Server() {
    stopping_ = true;
    thread_.join();
    close(fd_);
  }
  std::string url(const std::string& base = "/eiota/v1") const { return "http://127.0.0.1:" + std::to_string(port) + base; }
  std::vector<Conn> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  size_t sent() const { return sent_; }

  int port = 0;

 private:
  static bool read_request(int fd, Conn& c) {
    std::string in;
    char buf[1024];
    size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 5000) <= 0) return false;
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      in.append(buf, (size_t)n);
    }
    c.head = in.substr(0, end + 2);
    c.body = in.substr(end + 4);
    std::string cl = c.header("Content-Length");
    size_t want = cl.empty() ? 0 : std::stoul(cl);
    while (c.body.size() < want) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 5000) <= 0) return false;
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      c.body.append(buf, (size_t)n);
    }
    return true;
  }

  void loop() {
    int index = 0;
    while (!stopping_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      Conn conn{c, index++, "", "", &stopping_, &sent_};
      if (read_request(c, conn)) {
        {
          std::lock_guard<std::mutex> l(mu_);
          requests_.push_back(conn);
        }
        handler_(conn);
      }
      close(c);
    }
  }

  Handler handler_;
  int fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> sent_{0};
  std::mutex mu_;
  std::vector<Conn> requests_;
  std::thread thread_;
};

}  // namespace canned
