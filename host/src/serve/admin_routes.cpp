// Publishing and queries, for holders of a token: upload, release, rollout, channel, devices.
#include <nlohmann/json.hpp>

#include <cstring>
#include <ctime>

#include "auth.h"
#include "eiota_format.h"
#include "keys.h"
#include "manifest.h"
#include "names.h"
#include "payload_check.h"
#include "service.h"

namespace eiota::serve {
namespace {

using nlohmann::json;

constexpr size_t kMaxJsonBody = 4096;

// Checks the token, then that the model exists; on refusal fills `res` (having read and dropped
// a small body so the client sees the answer) and returns null.
std::shared_ptr<const ModelRow> admit(Service& s, const httplib::Request& req, httplib::Response& res,
                                      const httplib::ContentReader* reader, const std::string& model, size_t max_body) {
  if (!req.has_header("Authorization")) {
    drop_body(req, res, reader, max_body);
    refuse(res, 401, "this needs Authorization: Bearer <token> (eiota serve-admin token)");
    return nullptr;
  }
  if (!authorized(s.db, req.get_header_value("Authorization"))) {
    drop_body(req, res, reader, max_body);
    refuse(res, 401, "the token is not known to this server");
    return nullptr;
  }
  std::shared_ptr<const ModelRow> m = s.model(model);
  if (!m) {
    drop_body(req, res, reader, max_body);
    refuse(res, 404, "unknown model " + model + " (eiota serve-admin model)");
  }
  return m;
}

json payload_json(const std::optional<PayloadRow>& p) {
  if (!p) return nullptr;
  return json{{"sha256", p->sha256}, {"id", p->id}, {"sequence", p->sequence}, {"size", p->size}, {"created", p->created}};
}

bool reserved_channel(const std::string& c) { return c == "payloads" || c == "devices" || c == "report"; }

// The JSON object of a small body: nullopt (and `res` filled) when it is not one.
std::optional<json> json_object(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader) {
  std::optional<std::string> body = read_body(req, res, reader, kMaxJsonBody);
  if (!body) return std::nullopt;
  json j = json::parse(*body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    refuse(res, 400, "the body must be a JSON object");
    return std::nullopt;
  }
  return j;
}

std::optional<std::string> unknown_key(const json& j, std::initializer_list<const char*> known) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok) return it.key().substr(0, 32);
  }
  return std::nullopt;
}

std::optional<int64_t> int_in(const json& j, const char* key, int64_t lo, int64_t hi) {
  if (!j.contains(key) || !j[key].is_number_integer()) return std::nullopt;
  int64_t v = j[key].get<int64_t>();
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

}  // namespace

namespace {

// The channel as GET <base>/<model>/<channel> shows it; nullopt when there is no such channel.
std::optional<json> channel_state(Service& s, const std::string& model, const std::string& channel) {
  std::optional<ChannelRow> c = s.db.channel(model, channel);
  if (!c) return std::nullopt;
  std::optional<PayloadRow> cur, fb;
  if (!c->current_sha.empty()) cur = s.db.payload(model, c->current_sha);
  if (!c->fallback_sha.empty()) fb = s.db.payload(model, c->fallback_sha);
  s.checkins.flush();  // so the counts include every check-in this process has seen
  int64_t on_current = 0, on_fallback = 0, other = 0;
  for (const DeviceRow& d : s.db.devices(model)) {
    if (d.channel != channel) continue;
    if (cur && d.running_id == cur->id)
      on_current++;
    else if (fb && d.running_id == fb->id)
      on_fallback++;
    else
      other++;
  }
  json reports = json::object();
  int64_t reported = 0, failed = 0;
  if (cur) {
    ReportSummary sum = s.db.report_summary(model, channel, cur->id);
    for (const auto& [result, n] : sum.by_result) reports[result] = n;
    reported = sum.devices;
    failed = sum.failed;
  }
  return json{{"model", model},
              {"channel", channel},
              {"current", payload_json(cur)},
              {"fallback", payload_json(fb)},
              {"percent", c->percent},
              {"state", c->state},
              {"halt_failures", c->halt_failures},
              {"halt_min_reports", c->halt_min_reports},
              {"generation", c->generation},
              {"updated", c->updated},
              {"devices", {{"current", on_current}, {"fallback", on_fallback}, {"other", other}}},
              {"reports", reports},
              {"reported", reported},
              {"failed", failed}};
}

void reply_channel(Service& s, httplib::Response& res, const std::string& model, const std::string& channel) {
  std::optional<json> j = channel_state(s, model, channel);
  if (!j) return refuse(res, 404, "model " + model + " has no release on channel " + channel);
  reply_json(res, 200, j->dump());
}

}  // namespace

void put_payload(Service& s, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader,
                 const std::string& model) {
  std::shared_ptr<const ModelRow> m = admit(s, req, res, reader, model, s.opts.max_payload);
  if (!m) return;
  host::Manifest manifest = host::manifest_from_json(m->manifest_json, "the manifest of model " + model);
  std::optional<std::string> bytes = read_body(req, res, reader, s.opts.max_payload);
  if (!bytes) return;
  if (bytes->empty()) return refuse(res, 400, "the body must be the payload file");
  host::DeliveryPayload d = host::check_delivery_payload(*bytes, manifest, s.opts.max_payload);
  if (!d.ok) {
    // Another model's or another key's payload is well formed, just not this model's: 409.
    eiota_header h;
    if (eiota_decode_header((const uint8_t*)bytes->data(), bytes->size(), &h) == EIOTA_DECODE_OK) {
      if (std::memcmp(h.fingerprint, manifest.fingerprint.data(), manifest.fingerprint.size()) != 0)
        return refuse(res, 409, "the payload is for another model than " + model + ": " + d.problem);
      if (h.key_id != host::key_id(manifest.public_key))
        return refuse(res, 409, "the payload is signed by another key than model " + model + "'s: " + d.problem);
    }
    return refuse(res, 400, "not a valid payload for model " + model + ": " + d.problem);
  }
  PayloadRow row{model, d.sha256, d.id, d.sequence, (int64_t)bytes->size(), (int64_t)std::time(nullptr)};
  bool added = s.db.put_payload(row, *bytes);
  if (!added) row = s.db.payload(model, d.sha256).value_or(row);
  s.payloads.put(row, std::move(*bytes));
  reply_json(res, added ? 201 : 200, json{{"sha256", row.sha256}, {"id", row.id}, {"sequence", row.sequence}, {"size", row.size}}.dump());
}

void post_release(Service& s, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader,
                  const std::string& model, const std::string& channel) {
  if (!admit(s, req, res, reader, model, kMaxJsonBody)) return;
  std::optional<json> j = json_object(req, res, reader);
  if (!j) return;
  if (auto k = unknown_key(*j, {"sha256", "percent", "halt_failures", "halt_min_reports"})) return refuse(res, 400, "unknown key " + *k);
  if (reserved_channel(channel)) return refuse(res, 400, "\"" + channel + "\" is a path of the server, not a channel name");
  if (!j->contains("sha256") || !(*j)["sha256"].is_string() || !host::valid_sha256_hex((*j)["sha256"].get<std::string>()))
    return refuse(res, 400, "sha256 must be the payload's 64 lower-case hex digits");
  std::string sha = (*j)["sha256"].get<std::string>();
  std::optional<int64_t> percent = j->contains("percent") ? int_in(*j, "percent", 0, 100) : 100;
  if (!percent) return refuse(res, 400, "percent must be an integer 0-100");
  double halt_failures = 0.2;
  if (j->contains("halt_failures")) {
    const json& h = (*j)["halt_failures"];
    if (!h.is_number() || h.get<double>() < 0.0 || h.get<double>() > 1.0) return refuse(res, 400, "halt_failures must be a number 0.0-1.0");
    halt_failures = h.get<double>();
  }
  std::optional<int64_t> min_reports = j->contains("halt_min_reports") ? int_in(*j, "halt_min_reports", 1, 1000000000) : 5;
  if (!min_reports) return refuse(res, 400, "halt_min_reports must be an integer 1-1000000000");

  std::optional<PayloadRow> p = s.db.payload(model, sha);
  if (!p) return refuse(res, 404, "model " + model + " has no payload " + sha + " (upload it first)");
  if (std::optional<ChannelRow> c = s.db.channel(model, channel); c && !c->current_sha.empty()) {
    if (c->current_sha == sha) return refuse(res, 409, p->id + " is already the current release of " + channel + " (change it with .../rollout)");
    std::optional<PayloadRow> cur = s.db.payload(model, c->current_sha);
    if (cur && p->sequence <= cur->sequence)
      return refuse(res, 409, "sequence " + std::to_string(p->sequence) + " is not above the current release's " +
                                  std::to_string(cur->sequence) + " (devices would refuse it)");
  }
  s.db.set_release(model, channel, sha, (int)*percent, halt_failures, (int)*min_reports);
  s.forget_channel(model, channel);
  reply_channel(s, res, model, channel);
}

void post_rollout(Service& s, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader,
                  const std::string& model, const std::string& channel) {
  if (!admit(s, req, res, reader, model, kMaxJsonBody)) return;
  std::optional<json> j = json_object(req, res, reader);
  if (!j) return;
  if (auto k = unknown_key(*j, {"percent", "state"})) return refuse(res, 400, "unknown key " + *k);
  std::optional<int> percent;
  std::optional<std::string> state;
  if (j->contains("percent")) {
    std::optional<int64_t> p = int_in(*j, "percent", 0, 100);
    if (!p) return refuse(res, 400, "percent must be an integer 0-100");
    percent = (int)*p;
  }
  if (j->contains("state")) {
    const json& st = (*j)["state"];
    if (!st.is_string() || (st.get<std::string>() != "active" && st.get<std::string>() != "paused"))
      return refuse(res, 400, "state must be \"active\" or \"paused\"");
    state = st.get<std::string>();
  }
  if (!percent && !state) return refuse(res, 400, "give percent and/or state");
  std::optional<ChannelRow> c = s.db.channel(model, channel);
  if (!c || c->current_sha.empty()) return refuse(res, 404, "model " + model + " has no release on channel " + channel);
  if (!s.db.set_rollout(model, channel, c->current_sha, percent, state))
    return refuse(res, 409, "the release of " + channel + " changed meanwhile; look again");
  s.forget_channel(model, channel);
  reply_channel(s, res, model, channel);
}

void get_channel(Service& s, const httplib::Request& req, httplib::Response& res, const std::string& model, const std::string& channel) {
  if (!admit(s, req, res, nullptr, model, 0)) return;
  reply_channel(s, res, model, channel);
}

void get_devices(Service& s, const httplib::Request& req, httplib::Response& res, const std::string& model) {
  if (!admit(s, req, res, nullptr, model, 0)) return;
  s.checkins.flush();
  json list = json::array();
  for (const DeviceRow& d : s.db.devices(model)) {
    json r = nullptr;
    if (d.last_report)
      r = json{{"result", d.last_report->result},   {"error", d.last_report->error},     {"target", d.last_report->target_id},
               {"running", d.last_report->running_id}, {"channel", d.last_report->channel}, {"time", d.last_report->time}};
    // What it runs now: its last report when that came after its last check-in (an applied update).
    bool report_newer = d.last_report && !d.last_report->running_id.empty() && d.last_report->time >= d.last_checkin;
    list.push_back(json{{"id", d.device}, {"channel", d.channel}, {"running", report_newer ? d.last_report->running_id : d.running_id},
                        {"last_checkin", d.last_checkin}, {"last_report", r}});
  }
  reply_json(res, 200, json{{"model", model}, {"devices", list}}.dump());
}

}  // namespace eiota::serve
