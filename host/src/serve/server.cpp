// The HTTP server: paths to handlers, the thread pool, signals. GET and HEAD are dispatched in
// the pre-routing handler (no regex per request: check-ins are the hot path); PUT and POST go
// through content-reader handlers so a body is bounded before it is read.
#include "server.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "db.h"
#include "http_util.h"
#include "names.h"
#include "service.h"

namespace eiota::serve {
namespace {

const std::string kSeedPrefix = "/edgeimpulse-ota/serve/";

// Request paths are split after the base (httplib has %-decoded them); each segment must be
// 1-80 characters of [A-Za-z0-9._-] not starting with a dot, which refuses "..", "." and
// anything decoded into NUL or another character. The handlers then check names exactly.
struct Route {
  bool ok = false;
  std::vector<std::string> seg;
};

bool safe_segment(const std::string& s) {
  if (s.empty() || s.size() > 80 || s[0] == '.') return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

// A channel in the path: refused with 400 unless a name.
bool channel_ok(const std::string& c, httplib::Response& res) {
  if (host::valid_name(c)) return true;
  refuse(res, 400, "the channel must be a name of 1-64 characters of [A-Za-z0-9._-]");
  return false;
}

Route route(const std::string& base, const std::string& path, httplib::Response& res) {
  Route r;
  if (path.size() <= base.size() + 1 || path.compare(0, base.size(), base) != 0 || path[base.size()] != '/') {
    refuse(res, 404, "not a path of this server (the base is " + (base.empty() ? std::string("/") : base) + ")");
    return r;
  }
  std::optional<std::vector<std::string>> seg = split_segments(std::string_view(path).substr(base.size() + 1));
  if (!seg) {
    refuse(res, 404, "the path has an empty segment");
    return r;
  }
  for (const std::string& s : *seg)
    if (!safe_segment(s)) {
      refuse(res, 400, "path segments are 1-80 characters of [A-Za-z0-9._-], not starting with a dot");
      return r;
    }
  if (!host::valid_name(seg->front())) {
    refuse(res, 400, "the model must be a name of 1-64 characters of [A-Za-z0-9._-]");
    return r;
  }
  r.ok = true;
  r.seg = std::move(*seg);
  return r;
}

void no_route(httplib::Response& res, const std::string& method) { refuse(res, 404, "no " + method + " route at this path"); }

// httplib decodes %2F into a slash before routing, which would let one segment pose as two.
bool encoded_slash(const httplib::Request& req, httplib::Response& res) {
  std::string_view t(req.target);
  t = t.substr(0, t.find('?'));
  for (size_t i = 0; i + 2 < t.size(); i++)
    if (t[i] == '%' && t[i + 1] == '2' && (t[i + 2] == 'f' || t[i + 2] == 'F')) {
      refuse(res, 400, "the path has an encoded slash (%2F)");
      return true;
    }
  return false;
}

void dispatch_get(Service& s, const httplib::Request& req, httplib::Response& res) {
  if (encoded_slash(req, res)) return;
  if (req.path.compare(0, kSeedPrefix.size(), kSeedPrefix) == 0) {
    size_t slash = req.path.rfind('/');
    if (slash + 1 <= kSeedPrefix.size()) return refuse(res, 404, "the seed endpoint is /edgeimpulse-ota/serve/<name>/<project id>.bin");
    return get_seed(s, req, res, req.path.substr(slash + 1));
  }
  Route r = route(s.opts.base_path, req.path, res);
  if (!r.ok) return;
  const auto& g = r.seg;
  if (g.size() == 3 && g[2] == "pointer" && g[1] != "payloads") return channel_ok(g[1], res) ? get_pointer(s, req, res, g[0], g[1]) : void();
  if (g.size() == 3 && g[1] == "payloads") return get_payload(s, req, res, g[0], g[2]);
  if (g.size() == 2 && g[1] == "devices") return get_devices(s, req, res, g[0]);
  if (g.size() == 2 && g[1] != "payloads" && g[1] != "report") return channel_ok(g[1], res) ? get_channel(s, req, res, g[0], g[1]) : void();
  no_route(res, req.method);
}

void dispatch_write(Service& s, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader) {
  if (encoded_slash(req, res)) return drop_body(req, res, reader, 4096);
  Route r = route(s.opts.base_path, req.path, res);
  if (!r.ok) return drop_body(req, res, reader, 4096);
  const auto& g = r.seg;
  if (req.method == "PUT" && g.size() == 2 && g[1] == "payloads") return put_payload(s, req, res, reader, g[0]);
  if (req.method == "POST" && g.size() == 2 && g[1] == "report") return post_report(s, req, res, reader, g[0]);
  bool channel_write = req.method == "POST" && g.size() == 3 && (g[2] == "release" || g[2] == "rollout");
  if (channel_write && !channel_ok(g[1], res)) return drop_body(req, res, reader, 4096);
  if (channel_write && g[2] == "release") return post_release(s, req, res, reader, g[0], g[1]);
  if (channel_write) return post_rollout(s, req, res, reader, g[0], g[1]);
  drop_body(req, res, reader, 4096);
  no_route(res, req.method);
}

// The handlers answer Range themselves (one range, If-Range, 416 with Content-Range): httplib's
// own range handling must not slice their bodies again.
httplib::Request& own_ranges(const httplib::Request& req) {
  auto& r = const_cast<httplib::Request&>(req);  // httplib's Request is ours for this call
  r.ranges.clear();
  return r;
}

std::string normal_base(std::string b) {
  while (!b.empty() && b.back() == '/') b.pop_back();
  if (!b.empty() && b[0] != '/') b = "/" + b;
  std::optional<std::vector<std::string>> seg = split_segments(b.empty() ? b : b.substr(1));
  if (!seg) throw std::runtime_error("--base-path \"" + b + "\" has an empty segment");
  for (const std::string& s : *seg)
    if (!host::valid_name(s)) throw std::runtime_error("--base-path: \"" + s + "\" is not a name of [A-Za-z0-9._-]");
  if (b == "/edgeimpulse-ota") throw std::runtime_error("--base-path /edgeimpulse-ota is the seed endpoint's");
  return b;
}

}  // namespace

int run_server(const ServeOptions& o) {
  ServeOptions opts = o;
  opts.base_path = normal_base(opts.base_path);
  if (opts.threads < 1 || opts.threads > 4096) throw std::runtime_error("--threads must be 1-4096");
  if (opts.port < 1 || opts.port > 65535) throw std::runtime_error("--port must be 1-65535");
  if (opts.max_payload < 1024 || opts.max_payload > (size_t(1) << 30)) throw std::runtime_error("--max-payload must be 1024 bytes to 1 GiB");

  // Signals are taken by one thread with sigwait, never in a handler: stopping the server is
  // not async-signal-safe. Every thread started from here on (the check-in
  // flusher, the pool) inherits the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<Db> db = open_db(opts.db_url);
  db->migrate();
  Service svc(*db, opts);


  httplib::Server http;
  int threads = opts.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool((size_t)threads); };
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(1000);  // then the connection is closed, so a queued one gets a thread
  http.set_keep_alive_timeout(5);
  http.set_read_timeout(10);
  http.set_write_timeout(10);
  http.set_payload_max_length(opts.max_payload);
  http.set_pre_routing_handler([&svc](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "PUT" || req.method == "POST") return httplib::Server::HandlerResponse::Unhandled;
    if (req.method != "GET" && req.method != "HEAD") {
      // Answered before httplib reads a body it would otherwise take, up to --max-payload, for no route.
      res.set_header("Allow", "GET, HEAD, PUT, POST");
      res.set_header("Connection", "close");
      refuse(res, 405, "this server answers GET, HEAD, PUT and POST only");
      return httplib::Server::HandlerResponse::Handled;
    }
    dispatch_get(svc, own_ranges(req), res);
    return httplib::Server::HandlerResponse::Handled;
  });
  for (const char* m : {"PUT", "POST"}) {
    auto with_body = [&svc](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
      dispatch_write(svc, own_ranges(req), res, &reader);
    };
    auto without_body = [&svc](const httplib::Request& req, httplib::Response& res) { dispatch_write(svc, own_ranges(req), res, nullptr); };
    if (std::string(m) == "PUT") {
      http.Put(".*", with_body);
      http.Put(".*", without_body);
    } else {
      http.Post(".*", with_body);
      http.Post(".*", without_body);
    }
  }
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty() || res.status == 304) return httplib::Server::HandlerResponse::Unhandled;
    std::string why = res.status == 400   ? "malformed request"
                      : res.status == 404 ? "no " + req.method + " route at this path"
                      : res.status == 413 ? "the body is too large"
                      : res.status == 414 ? "the request line is too long"
                      : res.status == 416 ? "the Range header is not one this server can satisfy"
                                          : "refused (HTTP " + std::to_string(res.status) + ")";
    refuse(res, res.status, why);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unexpected error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    std::cerr << "eiota serve: " << what << "\n";
    refuse(res, 500, "the server failed: " + what);
  });

  // httplib's default options add SO_REUSEPORT, which lets a second server bind the same port and
  // split the devices between them; and its backlog of 5 is small for a fleet checking in at once.
  int listen_fd = -1;
  http.set_socket_options([&listen_fd](int fd) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd = fd;
  });
  if (!http.bind_to_port(opts.listen, opts.port))
    throw std::runtime_error("cannot listen on " + opts.listen + ":" + std::to_string(opts.port) + " (in use, or not an address of this machine)");
  if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);  // Linux takes a new backlog for a listening socket
  std::cout << "listening on http://" << opts.listen << ":" << opts.port << opts.base_path << std::endl;

  std::atomic<bool> done{false}, signalled{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&sigs, &sig);
    signalled = true;
    if (!done) http.stop();
  });
  http.listen_after_bind();
  done = true;
  if (!signalled) kill(getpid(), SIGTERM);  // wakes the waiter (the signal is blocked, so it only queues)
  waiter.join();
  svc.checkins.stop();
  if (svc.checkins.dropped()) std::cerr << "eiota serve: " << svc.checkins.dropped() << " check-ins were dropped (buffer full)\n";
  return 0;
}

}  // namespace eiota::serve
