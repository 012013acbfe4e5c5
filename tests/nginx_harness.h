// nginx on loopback for tests: a generated config in a temp prefix (no master process, no
// daemon, its error log and pid inside the prefix), serving a static tree under a base path.
// Debian's nginx (scripts/deps.sh); a test skips only when the binary is absent.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "proc_harness.h"

namespace eiota::test {

inline std::string nginx_binary() {
  for (const char* p : {"/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"})
    if (access(p, X_OK) == 0) return p;
  return "";
}

#define SKIP_WITHOUT_NGINX()                                                                        \
  do {                                                                                              \
    if (::eiota::test::nginx_binary().empty())                                                      \
      GTEST_SKIP() << "nginx is not installed (Debian package nginx; scripts/deps.sh installs it)"; \
  } while (0)

class Nginx {
 public:
  // Serves `root` at http://127.0.0.1:<port><base>/ (base: "/eiota/v1", or "" for the root).
  // `access_log`: a file for "<status> <method> <uri> <range> <bytes sent>" lines, or "" for none.
  bool start(const std::filesystem::path& root, const std::string& base = "/eiota/v1", const std::string& access_log = "") {
    namespace fs = std::filesystem;
    prefix_ = fs::temp_directory_path() / ("eiota-nginx-" + std::to_string(getpid()) + "-" + std::to_string(++counter()));
    fs::remove_all(prefix_);
    fs::create_directories(prefix_ / "tmp");
    port_ = free_port();
    base_ = base;
    std::string p = prefix_.string(), www = fs::absolute(root).string();
    if (!base.empty()) {  // the tree appears at <base> through a link, so the config needs no alias
      www = p + "/www";
      fs::path at = www + base;
      fs::create_directories(at.parent_path());
      fs::create_symlink(fs::absolute(root), at);
    }
    std::ofstream conf(prefix_ / "nginx.conf");
    conf << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
         << "error_log " << p << "/error.log;\npid " << p << "/nginx.pid;\n"
         << "events { worker_connections 256; }\n"
         << "http {\n"
         << "  client_body_temp_path " << p << "/tmp/body;\n  proxy_temp_path " << p << "/tmp/proxy;\n"
         << "  fastcgi_temp_path " << p << "/tmp/fastcgi;\n  uwsgi_temp_path " << p << "/tmp/uwsgi;\n"
         << "  scgi_temp_path " << p << "/tmp/scgi;\n";
    if (access_log.empty()) conf << "  access_log off;\n";
    else
      conf << "  log_format eiota '$status $request_method $uri \"$http_range\" $body_bytes_sent';\n"
           << "  access_log " << access_log << " eiota;\n";
    conf << "  sendfile on;\n  keepalive_timeout 10;\n"
         << "  server {\n    listen 127.0.0.1:" << port_ << ";\n    root " << www << ";\n"
         << "    default_type application/octet-stream;\n"
         << "    location ~ /pointer$ { default_type text/plain; add_header Cache-Control \"no-cache\"; }\n"
         << "    location ~ /payloads/ { add_header Cache-Control \"public, max-age=31536000, immutable\"; }\n"
         << "  }\n}\n";
    conf.close();
    child_ = Child({nginx_binary(), "-p", p, "-c", p + "/nginx.conf", "-e", p + "/error.log"}, p + "/stdout.log");
    return child_.wait_port(port_);
  }
  ~Nginx() {
    child_.stop();
    std::error_code ec;
    if (!prefix_.empty()) std::filesystem::remove_all(prefix_, ec);
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + base_; }
  std::string log() const {
    std::ifstream f(prefix_ / "error.log");
    return std::string((std::istreambuf_iterator<char>(f)), {}) + child_.log();
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path prefix_;
  int port_ = -1;
  std::string base_;
  Child child_;
};

}  // namespace eiota::test
