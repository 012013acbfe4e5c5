// A throwaway PostgreSQL server for tests: initdb into a temp dir, `pg_ctl start` on a free
// loopback port, one server per test process (started by the first pg_server() call) and a
// fresh database per test (fresh_database()). The initdb output is made once and copied
// (cluster_template). As root the binaries run as user `postgres`
// (runuser), which owns the temp dir. A watcher process stops the server and removes the dir
// when the test process ends, however it ends.
//
//   auto& pg = eiota::test::pg_server();
//   if (!pg.available()) GTEST_SKIP() << pg.skip_reason();
//   ASSERT_TRUE(pg.ok()) << pg.error();
//   std::string url = pg.fresh_database();  // postgresql://postgres@127.0.0.1:<port>/<new db>
#pragma once

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "proc_harness.h"

namespace eiota::test {

// The directory holding initdb and pg_ctl: $EIOTA_PG_BINDIR, the newest /usr/lib/postgresql/*/bin,
// `pg_config --bindir`, or PATH; empty if none has them.
inline std::string pg_bindir() {
  namespace fs = std::filesystem;
  auto has = [](const fs::path& d) {
    return access((d / "initdb").c_str(), X_OK) == 0 && access((d / "pg_ctl").c_str(), X_OK) == 0;
  };
  if (const char* e = getenv("EIOTA_PG_BINDIR"); e && has(e)) return e;
  std::error_code ec;
  std::string best;
  int best_version = -1;
  for (const auto& v : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = atoi(v.path().filename().c_str());
    if (version > best_version && has(v.path() / "bin")) {
      best_version = version;
      best = (v.path() / "bin").string();
    }
  }
  if (!best.empty()) return best;
  if (FILE* p = popen("pg_config --bindir 2>/dev/null", "r")) {
    char buf[512] = {};
    std::string out = fgets(buf, sizeof buf, p) ? buf : "";
    pclose(p);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (!out.empty() && has(out)) return out;
  }
  if (const char* path = getenv("PATH")) {
    std::string s = path;
    for (size_t at = 0; at <= s.size();) {
      size_t end = s.find(':', at);
      if (end == std::string::npos) end = s.size();
      std::string d = s.substr(at, end - at);
      if (!d.empty() && has(d)) return fs::canonical(fs::path(d) / "initdb", ec).parent_path().string();
      at = end + 1;
    }
  }
  return "";
}

class PgServer {
 public:
  PgServer() {
    bindir_ = pg_bindir();
    if (bindir_.empty()) return;
    start();
  }
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;
  // Ends the watcher's wait: it stops the server and removes the dir; waited for, so that the
  // next test process does not start beside a server still shutting down.
  ~PgServer() {
    if (watch_fd_ >= 0) close(watch_fd_);
    if (watcher_ > 0) waitpid(watcher_, nullptr, 0);
  }

  bool available() const { return !bindir_.empty(); }
  std::string skip_reason() const {
    return "PostgreSQL server binaries (initdb, pg_ctl) not found in $EIOTA_PG_BINDIR, /usr/lib/postgresql/*/bin, "
           "`pg_config --bindir` or PATH: install the Debian package `postgresql` to run these tests";
  }
  bool ok() const { return error_.empty() && port_ > 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string url(const std::string& database) const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }

  // A new empty database; its URL. Empty (and error() says why) if it could not be created.
  std::string fresh_database() {
    std::string name = "eiota_t" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
    PGconn* c = PQconnectdb(url("postgres").c_str());
    // The name is ours (letters and digits): an identifier cannot be a parameter.
    PGresult* r = PQstatus(c) == CONNECTION_OK ? PQexec(c, ("CREATE DATABASE " + name + " STRATEGY FILE_COPY").c_str()) : nullptr;
    bool created = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!created) error_ = "CREATE DATABASE " + name + ": " + PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
    return created ? url(name) : "";
  }

 private:
  // argv run as `postgres` when we are root; its exit status (-1: could not run).
  int run(std::vector<std::string> argv, const std::string& log) {
    if (geteuid() == 0) argv.insert(argv.begin(), {runuser(), "-u", "postgres", "--"});
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      execv(args[0], args.data());
      _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  static std::string runuser() {
    for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"})
      if (access(p, X_OK) == 0) return p;
    return "runuser";
  }
  static std::string slurp(const std::string& path) {
    std::string out;
    if (FILE* f = fopen(path.c_str(), "r")) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
      fclose(f);
    }
    return out;
  }

  void start() {
    // In memory when there is a tmpfs: a cluster on a busy disk takes seconds to copy and start.
    std::string base = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/eiota-pg-XXXXXX";
    if (!mkdtemp(tmpl.data())) {
      error_ = "mkdtemp in " + base + " failed";
      return;
    }
    dir_ = tmpl;
    if (geteuid() == 0) {
      passwd* pw = getpwnam("postgres");
      if (!pw || chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        error_ = "running as root: PostgreSQL needs the user `postgres` to own " + dir_;
        return;
      }
    }
    std::string data = dir_ + "/data", log = dir_ + "/setup.log";
    std::string tpl = cluster_template(log);
    if (tpl.empty()) return;
    if (run({"/bin/cp", "-a", tpl, data}, log) != 0) {
      error_ = "copying the initdb template " + tpl + " failed:\n" + slurp(log);
      return;
    }
    watch(data);
    for (int attempt = 0; attempt < 3 && port_ <= 0; attempt++) {
      int port = free_port();
      std::string opts = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port) + " -k " + dir_ +
                         " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
      if (run({bindir_ + "/pg_ctl", "-D", data, "-l", dir_ + "/server.log", "-w", "-t", "60", "-o", opts, "start"}, log) == 0)
        port_ = port;
    }
    if (port_ <= 0) error_ = "pg_ctl start failed:\n" + slurp(log) + "\nserver.log:\n" + slurp(dir_ + "/server.log");
  }

  // An initdb'd cluster, made once per machine and PostgreSQL build under a lock and kept in
  // /tmp (about 30 MB): initdb costs a second or more on a busy machine, a copy a tenth of it.
  std::string cluster_template(const std::string& log) {
    struct stat st {};
    stat((bindir_ + "/initdb").c_str(), &st);
    std::string tpl = "/tmp/eiota-pg-template-" + std::to_string(geteuid()) + "-" +
                      std::to_string(std::hash<std::string>()(bindir_ + "@" + std::to_string(st.st_mtime) + "/wal1") % 1000000007);
    int lock = open("/tmp/eiota-pg-template.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0666);
    if (lock >= 0) flock(lock, LOCK_EX);
    if (access((tpl + "/PG_VERSION").c_str(), F_OK) != 0) {
      std::string fresh = dir_ + "/template";  // complete before it is renamed into place
      std::filesystem::remove_all(tpl + ".tmp");
      if (run({bindir_ + "/initdb", "-D", fresh, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync",
               "--wal-segsize=1"},
              log) != 0 ||
          run({"/bin/cp", "-a", fresh, tpl + ".tmp"}, log) != 0 || rename((tpl + ".tmp").c_str(), tpl.c_str()) != 0) {
        error_ = "initdb failed:\n" + slurp(log);
        tpl.clear();
      }
    }
    if (lock >= 0) close(lock);  // releases the lock
    return tpl;
  }

  // A process that waits for this one to end (its stdin is a pipe only we hold), then stops
  // the server and removes the dir. In its own session, so a kill of our group spares it.
  void watch(const std::string& data) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    std::string as = geteuid() == 0 ? runuser() + " -u postgres -- " : "";
    std::string script = "cat >/dev/null; " + as + "'" + bindir_ + "/pg_ctl' -D '" + data +
                         "' -m immediate -w stop >/dev/null 2>&1; rm -rf '" + dir_ + "'";
    pid_t pid = fork();
    if (pid == 0) {
      setsid();
      dup2(fds[0], 0);
      int null = open("/dev/null", O_WRONLY);
      if (null >= 0) {
        dup2(null, 1);
        dup2(null, 2);
      }
      execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[0]);
    if (pid < 0) {
      close(fds[1]);
      return;
    }
    watcher_ = pid;
    watch_fd_ = fds[1];
  }

  std::string bindir_, dir_, error_;
  int port_ = -1;
  int databases_ = 0;
  pid_t watcher_ = -1;
  int watch_fd_ = -1;
};

// The test process's server, started on first use.
inline PgServer& pg_server() {
  static PgServer server;
  return server;
}

}  // namespace eiota::test
