// The Db over one SQLite file in WAL mode: one connection for writes and one for reads, each
// behind its own mutex, so a check-in batch being written never holds up a pointer's channel read.
#include <sqlite3.h>

#include <ctime>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "db_backends.h"

namespace eiota::serve {
namespace {

int64_t now() { return (int64_t)std::time(nullptr); }

class Conn {
 public:
  Conn(const std::string& path, bool create) : path_(path) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw std::runtime_error("sqlite:" + path + ": " + why);
    }
    sqlite3_busy_timeout(db_, 10000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
  }
  ~Conn() {
    for (auto& [sql, st] : cache_) sqlite3_finalize(st);
    sqlite3_close(db_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string why = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      throw std::runtime_error("sqlite:" + path_ + ": " + why);
    }
  }
  // A prepared statement, reset and cleared, kept for the connection's life.
  sqlite3_stmt* stmt(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) fail();
    cache_.emplace(sql, st);
    return st;
  }
  int changes() { return sqlite3_changes(db_); }
  [[noreturn]] void fail() { throw std::runtime_error("sqlite:" + path_ + ": " + sqlite3_errmsg(db_)); }
  [[noreturn]] void refuse(const std::string& what, const std::string& why) {
    throw std::runtime_error("sqlite:" + path_ + ": " + what + ": " + why);
  }
  std::mutex mu;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// Binds by position and steps; column readers for the row it is on.
class Q {
 public:
  Q(Conn& c, const std::string& sql) : c_(c), st_(c.stmt(sql)) {}
  ~Q() { sqlite3_reset(st_); }
  Q& b(const std::string& s) {
    sqlite3_bind_text(st_, ++i_, s.data(), (int)s.size(), SQLITE_TRANSIENT);
    return *this;
  }
  Q& blob(const std::string& s) {
    sqlite3_bind_blob(st_, ++i_, s.data(), (int)s.size(), SQLITE_STATIC);
    return *this;
  }
  Q& b(int64_t v) {
    sqlite3_bind_int64(st_, ++i_, v);
    return *this;
  }
  Q& b(double v) {
    sqlite3_bind_double(st_, ++i_, v);
    return *this;
  }
  bool row() {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    c_.fail();
  }
  void run() {
    while (row()) {
    }
  }
  std::string s(int col) {
    const unsigned char* p = sqlite3_column_text(st_, col);
    return p ? std::string((const char*)p, (size_t)sqlite3_column_bytes(st_, col)) : std::string();
  }
  std::string bytes(int col) {
    const void* p = sqlite3_column_blob(st_, col);
    return p ? std::string((const char*)p, (size_t)sqlite3_column_bytes(st_, col)) : std::string();
  }
  int64_t i(int col) { return sqlite3_column_int64(st_, col); }
  double d(int col) { return sqlite3_column_double(st_, col); }
  bool null(int col) { return sqlite3_column_type(st_, col) == SQLITE_NULL; }

 private:
  Conn& c_;
  sqlite3_stmt* st_;
  int i_ = 0;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if an exception leaves the scope.
class Tx {
 public:
  explicit Tx(Conn& c) : c_(c) { c_.exec("BEGIN IMMEDIATE"); }
  void commit() {
    c_.exec("COMMIT");
    done_ = true;
  }
  ~Tx() {
    if (!done_) try {
        c_.exec("ROLLBACK");
      } catch (...) {
      }
  }

 private:
  Conn& c_;
  bool done_ = false;
};

const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS models (name TEXT PRIMARY KEY, manifest_json TEXT NOT NULL, ei_project TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS models_project ON models (ei_project);
CREATE TABLE IF NOT EXISTS tokens (sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS payloads (model TEXT NOT NULL, sha256 TEXT NOT NULL, id TEXT NOT NULL, sequence INTEGER NOT NULL,
  size INTEGER NOT NULL, created INTEGER NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (model, sha256));
CREATE TABLE IF NOT EXISTS channels (model TEXT NOT NULL, channel TEXT NOT NULL, current_sha TEXT NOT NULL, fallback_sha TEXT NOT NULL,
  percent INTEGER NOT NULL, state TEXT NOT NULL, halt_failures REAL NOT NULL, halt_min_reports INTEGER NOT NULL,
  generation INTEGER NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (model, channel));
CREATE TABLE IF NOT EXISTS devices (model TEXT NOT NULL, device TEXT NOT NULL, channel TEXT NOT NULL, running_id TEXT NOT NULL,
  last_checkin INTEGER NOT NULL, r_channel TEXT, r_running TEXT, r_target TEXT, r_result TEXT, r_error INTEGER, r_time INTEGER,
  PRIMARY KEY (model, device));
CREATE INDEX IF NOT EXISTS devices_report ON devices (model, r_channel, r_target);
)";

const char* kChannelCols =
    "SELECT model, channel, current_sha, fallback_sha, percent, state, halt_failures, halt_min_reports, generation, updated FROM channels ";

bool valid_state(const std::string& s) { return s == "active" || s == "paused" || s == "halted"; }

// Refused before the transaction, as the PostgreSQL backend does.
void check_rollout(Conn& c, const char* what, int percent, double halt_failures, int halt_min_reports) {
  if (percent < 0 || percent > 100 || !(halt_failures >= 0 && halt_failures <= 1) || halt_min_reports < 0)
    c.refuse(what, "percent " + std::to_string(percent) + ", halt_failures " + std::to_string(halt_failures) +
                       ", halt_min_reports " + std::to_string(halt_min_reports) + ": out of range (0..100, 0..1, >= 0)");
}

ChannelRow channel_row(Q& q) {
  ChannelRow c;
  c.model = q.s(0);
  c.channel = q.s(1);
  c.current_sha = q.s(2);
  c.fallback_sha = q.s(3);
  c.percent = (int)q.i(4);
  c.state = q.s(5);
  c.halt_failures = q.d(6);
  c.halt_min_reports = (int)q.i(7);
  c.generation = q.i(8);
  c.updated = q.i(9);
  return c;
}

class SqliteDb : public Db {
 public:
  explicit SqliteDb(const std::string& path) : w_(path, true), r_(path, false) {}

  void migrate() override {
    std::lock_guard l(w_.mu);
    w_.exec(kSchema);
  }

  void put_model(const ModelRow& m) override {
    std::lock_guard l(w_.mu);
    Q(w_, "INSERT OR REPLACE INTO models (name, manifest_json, ei_project) VALUES (?, ?, ?)").b(m.name).b(m.manifest_json).b(m.ei_project).run();
  }
  std::optional<ModelRow> model(const std::string& name) override {
    std::lock_guard l(r_.mu);
    Q q(r_, "SELECT name, manifest_json, ei_project FROM models WHERE name = ?");
    q.b(name);
    if (!q.row()) return std::nullopt;
    return ModelRow{q.s(0), q.s(1), q.s(2)};
  }
  std::optional<ModelRow> model_by_project(const std::string& ei_project) override {
    if (ei_project.empty()) return std::nullopt;
    std::lock_guard l(r_.mu);
    Q q(r_, "SELECT name, manifest_json, ei_project FROM models WHERE ei_project = ? ORDER BY name LIMIT 1");
    q.b(ei_project);
    if (!q.row()) return std::nullopt;
    return ModelRow{q.s(0), q.s(1), q.s(2)};
  }

  void add_token(const std::string& name, const std::string& sha256_hex) override {
    std::lock_guard l(w_.mu);
    Q(w_, "INSERT OR REPLACE INTO tokens (sha256, name, created) VALUES (?, ?, ?)").b(sha256_hex).b(name).b(now()).run();
  }
  bool token_known(const std::string& sha256_hex) override {
    std::lock_guard l(r_.mu);
    Q q(r_, "SELECT 1 FROM tokens WHERE sha256 = ?");
    q.b(sha256_hex);
    return q.row();
  }

  bool put_payload(const PayloadRow& p, const std::string& bytes) override {
    std::lock_guard l(w_.mu);
    Q q(w_, "INSERT OR IGNORE INTO payloads (model, sha256, id, sequence, size, created, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)");
    q.b(p.model).b(p.sha256).b(p.id).b((int64_t)p.sequence).b(p.size).b(p.created ? p.created : now()).blob(bytes).run();
    return w_.changes() > 0;
  }
  std::optional<PayloadRow> payload(const std::string& model, const std::string& sha256) override {
    std::lock_guard l(r_.mu);
    Q q(r_, "SELECT model, sha256, id, sequence, size, created FROM payloads WHERE model = ? AND sha256 = ?");
    q.b(model).b(sha256);
    if (!q.row()) return std::nullopt;
    return PayloadRow{q.s(0), q.s(1), q.s(2), (uint64_t)q.i(3), q.i(4), q.i(5)};
  }
  std::optional<std::string> payload_bytes(const std::string& model, const std::string& sha256) override {
    std::lock_guard l(r_.mu);
    Q q(r_, "SELECT bytes FROM payloads WHERE model = ? AND sha256 = ?");
    q.b(model).b(sha256);
    if (!q.row()) return std::nullopt;
    return q.bytes(0);
  }

  std::optional<ChannelRow> channel(const std::string& model, const std::string& channel) override {
    std::lock_guard l(r_.mu);
    return channel_locked(r_, model, channel);
  }
  std::vector<ChannelRow> channels(const std::string& model) override {
    std::lock_guard l(r_.mu);
    Q q(r_, std::string(kChannelCols) + "WHERE model = ? ORDER BY channel");
    q.b(model);
    std::vector<ChannelRow> out;
    while (q.row()) out.push_back(channel_row(q));
    return out;
  }
  ChannelRow set_release(const std::string& model, const std::string& channel, const std::string& sha256, int percent,
                         double halt_failures, int halt_min_reports) override {
    check_rollout(w_, "set_release", percent, halt_failures, halt_min_reports);
    std::lock_guard l(w_.mu);
    Tx tx(w_);
    std::optional<ChannelRow> old = channel_locked(w_, model, channel);
    // Re-releasing the current payload keeps its fallback (it would otherwise become its own).
    std::string fallback = !old ? std::string() : old->current_sha == sha256 ? old->fallback_sha : old->current_sha;
    Q(w_,
      "INSERT OR REPLACE INTO channels (model, channel, current_sha, fallback_sha, percent, state, halt_failures, halt_min_reports, "
      "generation, updated) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)")
        .b(model)
        .b(channel)
        .b(sha256)
        .b(fallback)
        .b((int64_t)percent)
        .b(halt_failures)
        .b((int64_t)halt_min_reports)
        .b(old ? old->generation + 1 : (int64_t)1)
        .b(now())
        .run();
    ChannelRow row = *channel_locked(w_, model, channel);
    tx.commit();
    return row;
  }
  std::optional<ChannelRow> set_rollout(const std::string& model, const std::string& channel, const std::string& expect_sha,
                                        std::optional<int> percent, std::optional<std::string> state) override {
    if (percent) check_rollout(w_, "set_rollout", *percent, 0, 0);
    if (state && !valid_state(*state)) w_.refuse("set_rollout", "unknown state \"" + *state + "\"");
    std::lock_guard l(w_.mu);
    Tx tx(w_);
    std::optional<ChannelRow> old = channel_locked(w_, model, channel);
    if (!old || old->current_sha != expect_sha) return std::nullopt;
    if (!percent && !state) return old;  // nothing to change: no new generation for caches to chase
    Q(w_, "UPDATE channels SET percent = ?, state = ?, generation = generation + 1, updated = ? WHERE model = ? AND channel = ?")
        .b((int64_t)percent.value_or(old->percent))
        .b(state.value_or(old->state))
        .b(now())
        .b(model)
        .b(channel)
        .run();
    std::optional<ChannelRow> row = channel_locked(w_, model, channel);
    tx.commit();
    return row;
  }

  void record_checkins(const std::vector<CheckIn>& batch) override {
    if (batch.empty()) return;
    std::lock_guard l(w_.mu);
    Tx tx(w_);
    sqlite3_stmt* st = w_.stmt(
        "INSERT INTO devices (model, device, channel, running_id, last_checkin) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (model, device) DO UPDATE SET channel = excluded.channel, running_id = excluded.running_id, "
        "last_checkin = excluded.last_checkin WHERE excluded.last_checkin >= devices.last_checkin");
    for (const CheckIn& c : batch) {  // one statement for the batch: this runs every second under load
      sqlite3_reset(st);
      sqlite3_bind_text(st, 1, c.model.data(), (int)c.model.size(), SQLITE_STATIC);
      sqlite3_bind_text(st, 2, c.device.data(), (int)c.device.size(), SQLITE_STATIC);
      sqlite3_bind_text(st, 3, c.channel.data(), (int)c.channel.size(), SQLITE_STATIC);
      sqlite3_bind_text(st, 4, c.running_id.data(), (int)c.running_id.size(), SQLITE_STATIC);
      sqlite3_bind_int64(st, 5, c.time);
      if (sqlite3_step(st) != SQLITE_DONE) w_.fail();  // the next stmt() resets it
    }
    sqlite3_reset(st);
    tx.commit();
  }
  void record_report(const Report& r) override {
    std::lock_guard l(w_.mu);
    Tx tx(w_);
    // One row per device holds its last report: the table grows with the fleet, not with time.
    Q(w_,
      "INSERT INTO devices (model, device, channel, running_id, last_checkin, r_channel, r_running, r_target, r_result, r_error, r_time) "
      "VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?) ON CONFLICT (model, device) DO UPDATE SET r_channel = excluded.r_channel, "
      "r_running = excluded.r_running, r_target = excluded.r_target, r_result = excluded.r_result, r_error = excluded.r_error, "
      "r_time = excluded.r_time WHERE devices.r_time IS NULL OR excluded.r_time >= devices.r_time")
        .b(r.model)
        .b(r.device)
        .b(r.channel)
        .b(r.running_id)
        .b(r.channel)
        .b(r.running_id)
        .b(r.target_id)
        .b(r.result)
        .b((int64_t)r.error)
        .b(r.time)
        .run();
    tx.commit();
  }
  ReportSummary report_summary(const std::string& model, const std::string& channel, const std::string& target_id) override {
    std::lock_guard l(r_.mu);
    Q q(r_, "SELECT r_result, count(*) FROM devices WHERE model = ? AND r_channel = ? AND r_target = ? GROUP BY r_result ORDER BY r_result");
    q.b(model).b(channel).b(target_id);
    ReportSummary s;
    while (q.row()) {
      std::string result = q.s(0);
      int64_t n = q.i(1);
      s.devices += n;
      if (result == "failed" || result == "reverted") s.failed += n;
      s.by_result.emplace_back(result, n);
    }
    return s;
  }
  std::vector<DeviceRow> devices(const std::string& model) override {
    std::lock_guard l(r_.mu);
    Q q(r_,
        "SELECT device, channel, running_id, last_checkin, r_channel, r_running, r_target, r_result, r_error, r_time FROM devices "
        "WHERE model = ? ORDER BY device");
    q.b(model);
    std::vector<DeviceRow> out;
    while (q.row()) {
      DeviceRow d{q.s(0), q.s(1), q.s(2), q.i(3), std::nullopt};
      if (!q.null(7)) d.last_report = Report{model, d.device, q.s(4), q.s(5), q.s(6), q.s(7), (int)q.i(8), q.i(9)};
      out.push_back(std::move(d));
    }
    return out;
  }

 private:
  static std::optional<ChannelRow> channel_locked(Conn& c, const std::string& model, const std::string& channel) {
    Q q(c, std::string(kChannelCols) + "WHERE model = ? AND channel = ?");
    q.b(model).b(channel);
    if (!q.row()) return std::nullopt;
    return channel_row(q);
  }

  Conn w_;  // declared first: it creates the file the reader opens
  Conn r_;
};

}  // namespace

std::unique_ptr<Db> open_sqlite(const std::string& path) {
  if (path.empty()) throw std::runtime_error("--db sqlite: needs a file name (sqlite:<file>)");
  return std::make_unique<SqliteDb>(path);
}

}  // namespace eiota::serve
