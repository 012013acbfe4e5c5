// The Db over PostgreSQL (libpq): several `eiota serve` processes share one database. A small
// pool of connections serves the server's threads; every method is one transaction of
// parameterized statements (PQexecParams), payload bytes travel as binary bytea.
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>

#include "db_backends.h"

namespace eiota::serve {
namespace {

constexpr int kPoolMax = 8;            // connections per process; more threads wait for one
constexpr int kAttempts = 3;           // a deadlock or a connection found dead is retried
constexpr int64_t kMigrateLock = 0x65696f7461;  // pg_advisory_xact_lock key: "eiota"
constexpr int kSchemaVersion = 1;
constexpr size_t kCheckinChunk = 1000;  // rows per INSERT (5 parameters each, libpq allows 65535)

// Oids of the parameter types we send (pg_type.dat).
constexpr Oid kText = 25, kInt8 = 20, kInt4 = 23, kFloat8 = 701, kBytea = 17, kNumeric = 1700;

// The URL as the user wrote it, minus the password (in the authority or a password= parameter).
std::string redact(const std::string& url) {
  std::string s = url;
  size_t scheme = s.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = s.find_first_of("/?", start);
    if (end == std::string::npos) end = s.size();
    size_t at = s.rfind('@', end - 1);
    if (at != std::string::npos && at >= start) {
      size_t colon = s.find(':', start);
      if (colon != std::string::npos && colon < at) s.erase(colon, at - colon);
    }
  }
  size_t q = s.find('?');
  while (q != std::string::npos) {
    size_t key = q + 1;
    size_t next = s.find('&', key);
    if (s.compare(key, 9, "password=") == 0) {
      size_t val = key + 9;
      s.replace(val, (next == std::string::npos ? s.size() : next) - val, "***");
      next = s.find('&', val);
    }
    q = next;
  }
  return s;
}

std::string one_line(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\t', ' ');
  return s.empty() ? "unknown libpq error" : s;
}

struct PgError : std::runtime_error {
  PgError(const std::string& m, std::string state) : std::runtime_error(m), sqlstate(std::move(state)) {}
  std::string sqlstate;
};

// Parameters of one statement; text unless said otherwise. `bytes` points at the caller's
// string (a payload of megabytes is not copied).
class Params {
 public:
  Params& text(const std::string& v) { return add(v, kText); }
  Params& i64(int64_t v) { return add(std::to_string(v), kInt8); }
  Params& i32(int v) { return add(std::to_string(v), kInt4); }
  Params& u64(uint64_t v) { return add(std::to_string(v), kNumeric); }
  Params& f64(double v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back exactly
    return add(std::string(buf, r.ptr), kFloat8);
  }
  Params& bytes(const std::string& v) {
    values_.push_back(v.data());
    lengths_.push_back(static_cast<int>(v.size()));
    formats_.push_back(1);
    types_.push_back(kBytea);
    return *this;
  }
  Params& null(Oid type) {
    values_.push_back(nullptr);
    lengths_.push_back(0);
    formats_.push_back(0);
    types_.push_back(type);
    return *this;
  }
  int size() const { return static_cast<int>(values_.size()); }
  const Oid* types() const { return types_.data(); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  Params& add(std::string v, Oid type) {
    // Text parameters end at a NUL (libpq reads them as C strings): refuse rather than cut.
    if (v.find('\0') != std::string::npos) throw PgError("a text value holds a NUL byte", "22021");
    owned_.push_back(std::move(v));
    values_.push_back(owned_.back().c_str());
    lengths_.push_back(static_cast<int>(owned_.back().size()));
    formats_.push_back(0);
    types_.push_back(type);
    return *this;
  }
  std::deque<std::string> owned_;  // stable addresses for values_
  std::vector<const char*> values_;
  std::vector<int> lengths_, formats_;
  std::vector<Oid> types_;
};

class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result() { PQclear(r_); }
  int rows() const { return PQntuples(r_); }
  bool is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string str(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
  }
  int64_t i64(int row, int col) const {
    int64_t v = 0;
    const char* p = PQgetvalue(r_, row, col);
    std::from_chars(p, p + PQgetlength(r_, row, col), v);
    return v;
  }
  uint64_t u64(int row, int col) const {
    uint64_t v = 0;
    const char* p = PQgetvalue(r_, row, col);
    std::from_chars(p, p + PQgetlength(r_, row, col), v);
    return v;
  }
  double f64(int row, int col) const {
    double v = 0;
    const char* p = PQgetvalue(r_, row, col);
    std::from_chars(p, p + PQgetlength(r_, row, col), v);
    return v;
  }
  const char* cmd_tuples() const { return PQcmdTuples(r_); }
  PGresult* get() const { return r_; }

 private:
  PGresult* r_;
};

// One statement; throws PgError with the server's (or libpq's) message and the SQLSTATE.
Result exec(PGconn* c, const char* sql, const Params& p = Params(), int result_format = 0) {
  Result r(PQexecParams(c, sql, p.size(), p.types(), p.values(), p.lengths(), p.formats(), result_format));
  ExecStatusType st = r.get() ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
  const char* state = r.get() ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
  // The server's message with its detail and hint, without the "ERROR:" and the statement quoted;
  // libpq's own message when the server said nothing (the connection broke).
  const char* primary = r.get() ? PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (!primary) throw PgError(one_line(PQerrorMessage(c)), state ? state : "");
  std::string msg = primary;
  for (int field : {PG_DIAG_MESSAGE_DETAIL, PG_DIAG_MESSAGE_HINT})
    if (const char* more = PQresultErrorField(r.get(), field)) msg += std::string(" (") + more + ")";
  throw PgError(one_line(msg.c_str()), state ? state : "");
}

const char* const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS eiota_meta (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS eiota_models (name text PRIMARY KEY, manifest_json text NOT NULL,"
    " ei_project text NOT NULL DEFAULT '')",
    "CREATE INDEX IF NOT EXISTS eiota_models_project ON eiota_models (ei_project, name)",
    "CREATE TABLE IF NOT EXISTS eiota_tokens (sha256 text PRIMARY KEY, name text NOT NULL, created bigint NOT NULL)",
    "CREATE TABLE IF NOT EXISTS eiota_payloads (model text NOT NULL, sha256 text NOT NULL, id text NOT NULL,"
    " sequence numeric(20,0) NOT NULL, size bigint NOT NULL, created bigint NOT NULL, bytes bytea NOT NULL,"
    " PRIMARY KEY (model, sha256))",
    "CREATE TABLE IF NOT EXISTS eiota_channels (model text NOT NULL, channel text NOT NULL,"
    " current_sha text NOT NULL, fallback_sha text NOT NULL, percent integer NOT NULL, state text NOT NULL,"
    " halt_failures double precision NOT NULL, halt_min_reports integer NOT NULL, generation bigint NOT NULL,"
    " updated bigint NOT NULL, PRIMARY KEY (model, channel))",
    "CREATE TABLE IF NOT EXISTS eiota_checkins (model text NOT NULL, device text NOT NULL, channel text NOT NULL,"
    " running_id text NOT NULL, time bigint NOT NULL, PRIMARY KEY (model, device))",
    "CREATE TABLE IF NOT EXISTS eiota_reports (model text NOT NULL, device text NOT NULL, channel text NOT NULL,"
    " running_id text NOT NULL, target_id text NOT NULL, result text NOT NULL, error integer NOT NULL,"
    " time bigint NOT NULL, PRIMARY KEY (model, device))",
    "CREATE INDEX IF NOT EXISTS eiota_reports_target ON eiota_reports (model, channel, target_id)",
};

constexpr const char* kChannelCols =
    "model, channel, current_sha, fallback_sha, percent, state, halt_failures, halt_min_reports, generation, updated";

ChannelRow channel_row(const Result& r, int i) {
  ChannelRow c;
  c.model = r.str(i, 0);
  c.channel = r.str(i, 1);
  c.current_sha = r.str(i, 2);
  c.fallback_sha = r.str(i, 3);
  c.percent = static_cast<int>(r.i64(i, 4));
  c.state = r.str(i, 5);
  c.halt_failures = r.f64(i, 6);
  c.halt_min_reports = static_cast<int>(r.i64(i, 7));
  c.generation = r.i64(i, 8);
  c.updated = r.i64(i, 9);
  return c;
}

bool valid_state(const std::string& s) { return s == "active" || s == "paused" || s == "halted"; }

class PgDb final : public Db {
 public:
  explicit PgDb(const std::string& url) : url_(url), name_(redact(url)) {
    Lease first = acquire("connect");  // fail now, not at the first request
  }
  ~PgDb() override {
    for (PGconn* c : idle_) PQfinish(c);
  }

  void migrate() override {
    run("migrate", [&](PGconn* c) {
      exec(c, "SET LOCAL client_min_messages = warning");  // not a NOTICE per table that exists
      exec(c, "SELECT pg_advisory_xact_lock($1)", Params().i64(kMigrateLock));
      // Once the schema is there, a role that may only read and write (not create) can start.
      int version = schema_version(c);
      if (version < kSchemaVersion) {
        for (const char* sql : kSchema) exec(c, sql);
        exec(c, "INSERT INTO eiota_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = $1",
             Params().text(std::to_string(kSchemaVersion)));
        version = schema_version(c);
      }
      if (version > kSchemaVersion)
        throw PgError("the schema is version " + std::to_string(version) + ", newer than this eiota's (" +
                          std::to_string(kSchemaVersion) + "): upgrade eiota",
                      "");
      return 0;
    });
  }

  void put_model(const ModelRow& m) override {
    run("put_model", [&](PGconn* c) {
      exec(c,
           "INSERT INTO eiota_models (name, manifest_json, ei_project) VALUES ($1, $2, $3) ON CONFLICT (name)"
           " DO UPDATE SET manifest_json = excluded.manifest_json, ei_project = excluded.ei_project",
           Params().text(m.name).text(m.manifest_json).text(m.ei_project));
      return 0;
    });
  }
  std::optional<ModelRow> model(const std::string& name) override {
    return run("model", [&](PGconn* c) {
      return model_row(exec(c, "SELECT name, manifest_json, ei_project FROM eiota_models WHERE name = $1",
                            Params().text(name)));
    });
  }
  std::optional<ModelRow> model_by_project(const std::string& ei_project) override {
    if (ei_project.empty()) return std::nullopt;
    return run("model_by_project", [&](PGconn* c) {
      return model_row(exec(c,
                            "SELECT name, manifest_json, ei_project FROM eiota_models WHERE ei_project = $1"
                            " ORDER BY name LIMIT 1",
                            Params().text(ei_project)));
    });
  }

  void add_token(const std::string& name, const std::string& sha256_hex) override {
    run("add_token", [&](PGconn* c) {
      exec(c,
           "INSERT INTO eiota_tokens (sha256, name, created) VALUES ($1, $2, $3)"
           " ON CONFLICT (sha256) DO UPDATE SET name = excluded.name",
           Params().text(sha256_hex).text(name).i64(std::time(nullptr)));
      return 0;
    });
  }
  bool token_known(const std::string& sha256_hex) override {
    return run("token_known", [&](PGconn* c) {
      return exec(c, "SELECT 1 FROM eiota_tokens WHERE sha256 = $1", Params().text(sha256_hex)).rows() > 0;
    });
  }

  bool put_payload(const PayloadRow& p, const std::string& bytes) override {
    return run("put_payload", [&](PGconn* c) {
      Result r = exec(c,
                      "INSERT INTO eiota_payloads (model, sha256, id, sequence, size, created, bytes)"
                      " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (model, sha256) DO NOTHING",
                      Params().text(p.model).text(p.sha256).text(p.id).u64(p.sequence).i64(p.size).i64(p.created).bytes(bytes));
      return std::string(r.cmd_tuples()) == "1";
    });
  }
  std::optional<PayloadRow> payload(const std::string& model, const std::string& sha256) override {
    return run("payload", [&](PGconn* c) -> std::optional<PayloadRow> {
      Result r = exec(c,
                      "SELECT model, sha256, id, sequence, size, created FROM eiota_payloads"
                      " WHERE model = $1 AND sha256 = $2",
                      Params().text(model).text(sha256));
      if (r.rows() == 0) return std::nullopt;
      PayloadRow p;
      p.model = r.str(0, 0);
      p.sha256 = r.str(0, 1);
      p.id = r.str(0, 2);
      p.sequence = r.u64(0, 3);
      p.size = r.i64(0, 4);
      p.created = r.i64(0, 5);
      return p;
    });
  }
  std::optional<std::string> payload_bytes(const std::string& model, const std::string& sha256) override {
    return run("payload_bytes", [&](PGconn* c) -> std::optional<std::string> {
      Result r = exec(c, "SELECT bytes FROM eiota_payloads WHERE model = $1 AND sha256 = $2",
                      Params().text(model).text(sha256), 1);  // binary: the bytes as they are
      if (r.rows() == 0) return std::nullopt;
      return r.str(0, 0);
    });
  }

  std::optional<ChannelRow> channel(const std::string& model, const std::string& channel) override {
    return run("channel", [&](PGconn* c) -> std::optional<ChannelRow> {
      Result r = exec(c, (std::string("SELECT ") + kChannelCols + " FROM eiota_channels WHERE model = $1 AND channel = $2").c_str(),
                      Params().text(model).text(channel));
      if (r.rows() == 0) return std::nullopt;
      return channel_row(r, 0);
    });
  }
  std::vector<ChannelRow> channels(const std::string& model) override {
    return run("channels", [&](PGconn* c) {
      Result r = exec(c, (std::string("SELECT ") + kChannelCols + " FROM eiota_channels WHERE model = $1 ORDER BY channel").c_str(),
                      Params().text(model));
      std::vector<ChannelRow> out;
      for (int i = 0; i < r.rows(); i++) out.push_back(channel_row(r, i));
      return out;
    });
  }

  ChannelRow set_release(const std::string& model, const std::string& channel, const std::string& sha256, int percent,
                         double halt_failures, int halt_min_reports) override {
    check_rollout("set_release", percent, halt_failures, halt_min_reports);
    return run("set_release", [&](PGconn* c) {
      // Re-releasing the current payload keeps its fallback (it would otherwise become its own).
      Result r = exec(c,
                      (std::string("INSERT INTO eiota_channels AS ch (") + kChannelCols +
                       ") VALUES ($1, $2, $3, '', $4, 'active', $5, $6, 1, $7) ON CONFLICT (model, channel) DO UPDATE SET"
                       " fallback_sha = CASE WHEN ch.current_sha = excluded.current_sha THEN ch.fallback_sha"
                       " ELSE ch.current_sha END, current_sha = excluded.current_sha, percent = excluded.percent,"
                       " state = 'active', halt_failures = excluded.halt_failures,"
                       " halt_min_reports = excluded.halt_min_reports, generation = ch.generation + 1,"
                       " updated = excluded.updated RETURNING " +
                       kChannelCols)
                          .c_str(),
                      Params().text(model).text(channel).text(sha256).i32(percent).f64(halt_failures).i32(halt_min_reports).i64(std::time(nullptr)));
      return channel_row(r, 0);
    });
  }
  std::optional<ChannelRow> set_rollout(const std::string& model, const std::string& channel, const std::string& expect_sha,
                                        std::optional<int> percent, std::optional<std::string> state) override {
    if (percent) check_rollout("set_rollout", *percent, 0, 0);
    if (state && !valid_state(*state)) throw std::runtime_error(name_ + ": set_rollout: unknown state \"" + *state + "\"");
    return run("set_rollout", [&](PGconn* c) -> std::optional<ChannelRow> {
      Params p;
      p.text(model).text(channel).text(expect_sha);
      std::string sql;
      if (!percent && !state) {
        sql = std::string("SELECT ") + kChannelCols + " FROM eiota_channels WHERE model = $1 AND channel = $2 AND current_sha = $3";
      } else {
        if (percent) p.i32(*percent); else p.null(kInt4);
        if (state) p.text(*state); else p.null(kText);
        p.i64(std::time(nullptr));
        sql = std::string("UPDATE eiota_channels SET percent = COALESCE($4, percent), state = COALESCE($5, state),"
                          " generation = generation + 1, updated = $6"
                          " WHERE model = $1 AND channel = $2 AND current_sha = $3 RETURNING ") + kChannelCols;
      }
      Result r = exec(c, sql.c_str(), p);
      if (r.rows() == 0) return std::nullopt;
      return channel_row(r, 0);
    });
  }

  void record_checkins(const std::vector<CheckIn>& batch) override {
    if (batch.empty()) return;
    // One row per device: the latest time, the later row on a tie. Sorted, so that concurrent
    // batches lock rows in one order and never deadlock.
    std::map<std::pair<std::string, std::string>, const CheckIn*> last;
    for (const CheckIn& ci : batch) {
      const CheckIn*& slot = last[{ci.model, ci.device}];
      if (!slot || ci.time >= slot->time) slot = &ci;
    }
    std::vector<const CheckIn*> rows;
    rows.reserve(last.size());
    for (auto& [key, ci] : last) rows.push_back(ci);
    run("record_checkins", [&](PGconn* c) {
      for (size_t at = 0; at < rows.size(); at += kCheckinChunk) {
        size_t n = std::min(kCheckinChunk, rows.size() - at);
        std::string sql = "INSERT INTO eiota_checkins AS ci (model, device, channel, running_id, time) VALUES ";
        Params p;
        for (size_t i = 0; i < n; i++) {
          const CheckIn& ci = *rows[at + i];
          int b = static_cast<int>(i * 5);
          sql += (i ? ",($" : "($") + std::to_string(b + 1) + ",$" + std::to_string(b + 2) + ",$" + std::to_string(b + 3) +
                 ",$" + std::to_string(b + 4) + ",$" + std::to_string(b + 5) + ")";
          p.text(ci.model).text(ci.device).text(ci.channel).text(ci.running_id).i64(ci.time);
        }
        sql += " ON CONFLICT (model, device) DO UPDATE SET channel = excluded.channel, running_id = excluded.running_id,"
               " time = excluded.time WHERE excluded.time >= ci.time";
        exec(c, sql.c_str(), p);
      }
      return 0;
    });
  }
  void record_report(const Report& r) override {
    run("record_report", [&](PGconn* c) {
      exec(c,
           "INSERT INTO eiota_reports AS r (model, device, channel, running_id, target_id, result, error, time)"
           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (model, device) DO UPDATE SET"
           " channel = excluded.channel, running_id = excluded.running_id, target_id = excluded.target_id,"
           " result = excluded.result, error = excluded.error, time = excluded.time WHERE excluded.time >= r.time",
           Params().text(r.model).text(r.device).text(r.channel).text(r.running_id).text(r.target_id).text(r.result).i32(r.error).i64(r.time));
      return 0;
    });
  }
  ReportSummary report_summary(const std::string& model, const std::string& channel, const std::string& target_id) override {
    return run("report_summary", [&](PGconn* c) {
      Result r = exec(c,
                      "SELECT result, count(*) FROM eiota_reports WHERE model = $1 AND channel = $2 AND target_id = $3"
                      " GROUP BY result ORDER BY result",
                      Params().text(model).text(channel).text(target_id));
      ReportSummary s;
      for (int i = 0; i < r.rows(); i++) {
        std::string result = r.str(i, 0);
        int64_t n = r.i64(i, 1);
        s.devices += n;
        if (result == "failed" || result == "reverted") s.failed += n;
        s.by_result.emplace_back(std::move(result), n);
      }
      return s;
    });
  }
  std::vector<DeviceRow> devices(const std::string& model) override {
    return run("devices", [&](PGconn* c) {
      Result r = exec(c,
                      "SELECT COALESCE(c.device, r.device), COALESCE(c.channel, r.channel),"
                      " COALESCE(c.running_id, r.running_id), COALESCE(c.time, 0), r.device IS NOT NULL,"
                      " r.channel, r.running_id, r.target_id, r.result, r.error, r.time"
                      " FROM (SELECT * FROM eiota_checkins WHERE model = $1) c"
                      " FULL OUTER JOIN (SELECT * FROM eiota_reports WHERE model = $1) r ON c.device = r.device"
                      " ORDER BY 1",
                      Params().text(model));
      std::vector<DeviceRow> out;
      for (int i = 0; i < r.rows(); i++) {
        DeviceRow d;
        d.device = r.str(i, 0);
        d.channel = r.str(i, 1);
        d.running_id = r.str(i, 2);
        d.last_checkin = r.i64(i, 3);
        if (r.str(i, 4) == "t") {
          Report rep;
          rep.model = model;
          rep.device = d.device;
          rep.channel = r.str(i, 5);
          rep.running_id = r.str(i, 6);
          rep.target_id = r.str(i, 7);
          rep.result = r.str(i, 8);
          rep.error = static_cast<int>(r.i64(i, 9));
          rep.time = r.i64(i, 10);
          d.last_report = std::move(rep);
        }
        out.push_back(std::move(d));
      }
      return out;
    });
  }

 private:
  // A pooled connection, back to the pool when the lease ends unless it broke.
  class Lease {
   public:
    Lease(PgDb* db, PGconn* c) : db_(db), c_(c) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { db_->release(c_); }
    PGconn* get() const { return c_; }

   private:
    PgDb* db_;
    PGconn* c_;
  };

  Lease acquire(const char* what) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < kPoolMax; });
    if (!idle_.empty()) {
      PGconn* c = idle_.back();
      idle_.pop_back();
      return Lease(this, c);
    }
    open_++;
    lock.unlock();
    // connect_timeout comes first so that one in the URL overrides it.
    const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
    const char* vals[] = {"10", "eiota-serve", url_.c_str(), nullptr};
    PGconn* c = PQconnectdbParams(keys, vals, 1);
    if (!c || PQstatus(c) != CONNECTION_OK) {
      std::string msg = c ? one_line(PQerrorMessage(c)) : "out of memory";
      PQfinish(c);
      lock.lock();
      open_--;
      cv_.notify_one();
      throw std::runtime_error(name_ + ": " + what + ": cannot connect: " + msg);
    }
    return Lease(this, c);
  }

  // Back to the pool if it is healthy and outside a transaction; a dead connection also means
  // the idle ones are probably dead (the server restarted): they are dropped too.
  void release(PGconn* c) {
    std::vector<PGconn*> drop;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE) {
        idle_.push_back(c);
        c = nullptr;
      } else {
        open_--;
        if (PQstatus(c) != CONNECTION_OK) {
          drop.swap(idle_);
          open_ -= static_cast<int>(drop.size());
        }
      }
    }
    cv_.notify_all();
    PQfinish(c);
    for (PGconn* d : drop) PQfinish(d);
  }

  // `body` in one transaction. A deadlock or serialization failure is retried, and so is a
  // connection found dead at BEGIN (nothing was sent on it yet); any other error throws.
  template <class F>
  auto run(const char* what, F&& body) -> decltype(body(static_cast<PGconn*>(nullptr))) {
    for (int attempt = 1;; attempt++) {
      Lease lease = acquire(what);
      PGconn* c = lease.get();
      bool began = false;
      try {
        exec(c, "BEGIN");
        began = true;
        auto out = body(c);
        exec(c, "COMMIT");
        return out;
      } catch (const PgError& e) {
        bool alive = PQstatus(c) == CONNECTION_OK;
        if (alive && PQtransactionStatus(c) != PQTRANS_IDLE) PQclear(PQexec(c, "ROLLBACK"));
        bool transient = e.sqlstate == "40001" || e.sqlstate == "40P01" || (!alive && !began);
        if (!transient || attempt >= kAttempts) throw std::runtime_error(name_ + ": " + what + ": " + e.what());
      }
    }
  }

  void check_rollout(const char* what, int percent, double halt_failures, int halt_min_reports) const {
    if (percent < 0 || percent > 100 || !(halt_failures >= 0 && halt_failures <= 1) || halt_min_reports < 0)
      throw std::runtime_error(name_ + ": " + what + ": percent " + std::to_string(percent) + ", halt_failures " +
                               std::to_string(halt_failures) + ", halt_min_reports " + std::to_string(halt_min_reports) +
                               ": out of range (0..100, 0..1, >= 0)");
  }

  // 0 when the tables are not there yet.
  static int schema_version(PGconn* c) {
    if (exec(c, "SELECT to_regclass('eiota_meta') IS NOT NULL").str(0, 0) != "t") return 0;
    Result v = exec(c, "SELECT value FROM eiota_meta WHERE key = 'schema_version'");
    return v.rows() ? static_cast<int>(v.i64(0, 0)) : 0;
  }

  static std::optional<ModelRow> model_row(const Result& r) {
    if (r.rows() == 0) return std::nullopt;
    return ModelRow{r.str(0, 0), r.str(0, 1), r.str(0, 2)};
  }

  const std::string url_, name_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PGconn*> idle_;
  int open_ = 0;  // connections out of the pool plus idle ones
};

}  // namespace

std::unique_ptr<Db> open_postgres(const std::string& url) { return std::make_unique<PgDb>(url); }

}  // namespace eiota::serve
