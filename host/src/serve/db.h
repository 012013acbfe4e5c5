// The update server's state (docs/DELIVERY.md), behind one interface with two backends: SQLite
// (one machine, the default) and PostgreSQL (any number of `eiota serve` processes). Every
// method is one transaction; methods throw std::runtime_error naming the database on failure
// ("<url without password>: <method>: <the driver's message>"). Times are seconds since the Unix
// epoch. Implementations must be safe to call from many threads. Lists come sorted by name.
// tests/db_conformance_test.cpp holds both backends to the behaviour written here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace eiota::serve {

struct ModelRow {
  std::string name;
  std::string manifest_json;  // eiota-manifest.json as `eiota patch` wrote it (holds the public key)
  std::string ei_project;     // Edge Impulse project id for the seed-compatible endpoint, may be empty
};

struct PayloadRow {
  std::string model;
  std::string sha256;  // of the whole file: the content address
  std::string id;      // "<sequence>-<16 hex>"
  uint64_t sequence = 0;
  int64_t size = 0;
  int64_t created = 0;
};

// A channel's current release and the one it replaced (the fallback).
struct ChannelRow {
  std::string model, channel;
  std::string current_sha;   // empty: no release yet
  std::string fallback_sha;  // empty: none
  int percent = 100;         // 0..100 of devices offered the current release
  std::string state = "active";  // "active", "paused" or "halted"
  double halt_failures = 0.2;    // share of failed/reverted reports that halts the rollout
  int halt_min_reports = 5;      // devices that must have reported before a halt
  int64_t generation = 0;        // bumped by every change: caches compare it
  int64_t updated = 0;
};

struct CheckIn {
  std::string model, device, channel, running_id;
  int64_t time = 0;
};

struct Report {
  std::string model, device, channel, running_id, target_id, result;  // result: DELIVERY.md "Report"
  int error = 0;
  int64_t time = 0;
};

struct DeviceRow {
  std::string device, channel, running_id;
  int64_t last_checkin = 0;
  std::optional<Report> last_report;
};

struct ReportSummary {
  int64_t devices = 0;  // distinct devices whose last report names this target
  int64_t failed = 0;   // of them, last result "failed" or "reverted"
  std::vector<std::pair<std::string, int64_t>> by_result;  // last result -> devices
};

class Db {
 public:
  virtual ~Db() = default;
  // Creates the tables if absent (idempotent; safe when several processes start at once).
  // open_db does not: call it before anything else.
  virtual void migrate() = 0;

  virtual void put_model(const ModelRow& m) = 0;  // insert or replace
  virtual std::optional<ModelRow> model(const std::string& name) = 0;
  // An empty id names no model; of several models on one project, the first by name.
  virtual std::optional<ModelRow> model_by_project(const std::string& ei_project) = 0;

  // Keyed by the hash: the same hash again only renames it; names are labels (several tokens
  // may share one).
  virtual void add_token(const std::string& name, const std::string& sha256_hex) = 0;
  virtual bool token_known(const std::string& sha256_hex) = 0;

  // Stores a payload once: false (and nothing written) if (model, sha256) is already there.
  // The same file under another model is another payload. The caller checks bytes against sha256.
  virtual bool put_payload(const PayloadRow& p, const std::string& bytes) = 0;
  virtual std::optional<PayloadRow> payload(const std::string& model, const std::string& sha256) = 0;
  virtual std::optional<std::string> payload_bytes(const std::string& model, const std::string& sha256) = 0;

  virtual std::optional<ChannelRow> channel(const std::string& model, const std::string& channel) = 0;
  virtual std::vector<ChannelRow> channels(const std::string& model) = 0;
  // Makes `sha256` the current release (the old current becomes the fallback), with a fresh state
  // "active", `percent` and halt settings; creates the channel if absent. Returns the new row.
  // Re-releasing the current sha keeps the fallback. A new channel starts at generation 1. Throws
  // on percent outside 0..100, halt_failures outside 0..1 or halt_min_reports < 0; whether the
  // payload exists is the caller's check.
  virtual ChannelRow set_release(const std::string& model, const std::string& channel, const std::string& sha256,
                                 int percent, double halt_failures, int halt_min_reports) = 0;
  // Changes percent and/or state of the channel, only if its current release is still `expect_sha`
  // (a halt races with a new release). Returns the row after, or nullopt if the channel is absent
  // or its current release changed. Neither given: the row as it is, generation unchanged.
  // Throws on percent outside 0..100 or a state other than the three.
  virtual std::optional<ChannelRow> set_rollout(const std::string& model, const std::string& channel,
                                                const std::string& expect_sha, std::optional<int> percent,
                                                std::optional<std::string> state) = 0;

  // Check-ins arrive in batches (the server buffers them): each row updates the device's last one.
  // Per (model, device) the latest time wins, on equal times the later row or call; an older one
  // (another process's buffer flushed late) changes nothing.
  virtual void record_checkins(const std::vector<CheckIn>& batch) = 0;
  // Keeps each (model, device)'s last report, by the same rule as check-ins.
  virtual void record_report(const Report& r) = 0;
  // Over devices whose last report (of any channel) is in `channel` and names `target_id`;
  // by_result sorted by result.
  virtual ReportSummary report_summary(const std::string& model, const std::string& channel, const std::string& target_id) = 0;
  // Every device with a check-in or a report, by id. channel and running_id are the last
  // check-in's; a device that only reported has last_checkin 0 and its report's channel and running id.
  virtual std::vector<DeviceRow> devices(const std::string& model) = 0;
};

// "sqlite:<path>" or "postgresql://..." / "postgres://..." (a libpq conninfo URI). Throws naming
// the URL (without its password: neither user:password@ nor ?password=) when it cannot connect.
std::unique_ptr<Db> open_db(const std::string& url);

}  // namespace eiota::serve
