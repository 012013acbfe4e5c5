// What devices call: the pointer, the payload, the report, and the seed-compatible download.
#include <ctime>
#include <iostream>

#include "http_util.h"
#include "names.h"
#include "rollout.h"
#include "service.h"

namespace eiota::serve {
namespace {

const char* kPointerType = "text/plain";

void no_channel(Service& s, httplib::Response& res, const std::string& model, const std::string& channel) {
  if (!s.model(model))
    refuse(res, 404, "unknown model " + model);
  else
    refuse(res, 404, "model " + model + " has no release on channel " + channel);
}

// Serves bytes[first..last] without copying them: the cache entry lives as long as the response.
void send_bytes(httplib::Response& res, std::shared_ptr<const CachedPayload> p, uint64_t first, uint64_t last) {
  size_t len = p->bytes.empty() ? 0 : (size_t)(last - first + 1);
  if (len == 0) {
    res.set_content("", "application/octet-stream");
    return;
  }
  res.set_content_provider(len, "application/octet-stream", [p, first](size_t offset, size_t length, httplib::DataSink& sink) {
    return sink.write(p->bytes.data() + first + offset, length);
  });
}

}  // namespace

void get_pointer(Service& s, const httplib::Request& req, httplib::Response& res, const std::string& model, const std::string& channel) {
  std::string device = req.get_param_value("device"), running = req.get_param_value("running");
  if (req.has_param("device") && !host::valid_device_id(device))
    return refuse(res, 400, "device must be 1-64 characters of [A-Za-z0-9._:-]");
  if (req.has_param("running") && !host::valid_payload_id(running))
    return refuse(res, 400, "running must be a payload id <sequence>-<16 hex digits>");
  std::shared_ptr<const ChannelView> v = s.channel(model, channel);
  if (!v) return no_channel(s, res, model, channel);

  OfferInput in;
  in.state = v->row.state;
  in.percent = v->row.percent;
  if (v->current) in.current_id = v->current->id;
  if (v->fallback) in.fallback_id = v->fallback->id;
  in.running_id = running;
  if (!device.empty()) in.bucket = device_bucket(model, channel, device);
  Offer offer = choose_offer(in);
  if (!device.empty()) s.checkins.add(CheckIn{model, device, channel, running, (int64_t)std::time(nullptr)});

  res.set_header("Cache-Control", "private, no-cache");
  if (offer == Offer::kNothing) {
    res.status = 304;
    return;
  }
  const PayloadRow& p = offer == Offer::kCurrent ? *v->current : *v->fallback;
  std::string etag = "\"" + p.id + "\"";
  res.set_header("ETag", etag);
  if (etag_matches(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(offer == Offer::kCurrent ? v->current_pointer : v->fallback_pointer, kPointerType);
}

void get_payload(Service& s, const httplib::Request& req, httplib::Response& res, const std::string& model, const std::string& file) {
  const std::string ext = ".eiota";
  std::string sha = file.size() > ext.size() && file.compare(file.size() - ext.size(), ext.size(), ext) == 0
                        ? file.substr(0, file.size() - ext.size())
                        : "";
  if (!host::valid_sha256_hex(sha)) return refuse(res, 404, "payloads are named <64 lower-case hex digits>.eiota");
  std::shared_ptr<const CachedPayload> p = s.payloads.get(model, sha);
  if (!p) return refuse(res, 404, "model " + model + " has no payload " + sha);

  std::string etag = "\"" + sha + "\"";
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "public, max-age=31536000, immutable");
  res.set_header("Accept-Ranges", "bytes");
  if (etag_matches(req.get_header_value("If-None-Match"), etag)) {
    res.status = 304;
    return;
  }
  uint64_t size = p->bytes.size();
  ByteRange r = parse_range(req.get_header_value("Range"), size);
  if (req.has_header("If-Range") && req.get_header_value("If-Range") != etag) r.kind = ByteRange::kNone;  // changed: all of it
  if (r.kind == ByteRange::kUnsatisfiable) {
    res.set_header("Content-Range", "bytes */" + std::to_string(size));
    return refuse(res, 416, "the range starts past the payload's " + std::to_string(size) + " bytes");
  }
  if (r.kind == ByteRange::kRange) {
    res.status = 206;
    res.set_header("Content-Range", "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" + std::to_string(size));
    return send_bytes(res, p, r.first, r.last);
  }
  res.status = 200;
  send_bytes(res, p, 0, size ? size - 1 : 0);
}

void post_report(Service& s, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader,
                 const std::string& model) {
  std::optional<std::string> body = read_body(req, res, reader, 512);
  if (!body) return;
  std::optional<std::map<std::string, std::string>> form = parse_form(*body);
  if (!form) return refuse(res, 400, "the report is not a form body (key=value&...)");
  auto field = [&](const char* k) {
    auto it = form->find(k);
    return it == form->end() ? std::string() : it->second;
  };
  for (const auto& [k, v] : *form)
    if (k != "device" && k != "channel" && k != "running" && k != "target" && k != "result" && k != "error")
      return refuse(res, 400, "unknown report field " + k.substr(0, 32));
  Report r{model, field("device"), field("channel"), field("running"), field("target"), field("result"), 0, (int64_t)std::time(nullptr)};
  if (!host::valid_device_id(r.device)) return refuse(res, 400, "device must be 1-64 characters of [A-Za-z0-9._:-]");
  if (!host::valid_name(r.channel)) return refuse(res, 400, "channel must be a name of 1-64 characters of [A-Za-z0-9._-]");
  if (!r.running_id.empty() && !host::valid_payload_id(r.running_id)) return refuse(res, 400, "running must be a payload id");
  if (!r.target_id.empty() && !host::valid_payload_id(r.target_id)) return refuse(res, 400, "target must be a payload id");
  if (r.result != "applied" && r.result != "confirmed" && r.result != "reverted" && r.result != "failed" && r.result != "current" &&
      r.result != "deferred")
    return refuse(res, 400, "result must be applied, confirmed, reverted, failed, deferred or current");
  if (form->count("error")) {
    std::optional<int64_t> e = parse_int(field("error"), INT32_MIN, INT32_MAX);
    if (!e) return refuse(res, 400, "error must be a decimal integer");
    r.error = (int)*e;
  }
  if (r.target_id.empty()) r.target_id = r.running_id;
  std::shared_ptr<const ChannelView> v = s.channel(model, r.channel);
  if (!v) return no_channel(s, res, model, r.channel);
  s.db.record_report(r);
  res.status = 204;

  // The halt check reads the Db, not the cache: a report must see the release as it is now.
  std::optional<ChannelRow> c = s.db.channel(model, r.channel);
  if (!c || c->state == "halted" || c->current_sha.empty()) return;
  std::optional<PayloadRow> cur = s.db.payload(model, c->current_sha);
  if (!cur || cur->id != r.target_id) return;
  ReportSummary sum = s.db.report_summary(model, r.channel, cur->id);
  if (!should_halt(sum, c->halt_failures, c->halt_min_reports)) return;
  if (s.db.set_rollout(model, r.channel, c->current_sha, std::nullopt, std::string("halted"))) {
    s.forget_channel(model, r.channel);
    std::cerr << "eiota serve: halted " << model << "/" << r.channel << " release " << cur->id << ": " << sum.failed << " of "
              << sum.devices << " devices failed or reverted\n";
  }
}

void get_seed(Service& s, const httplib::Request&, httplib::Response& res, const std::string& file) {
  const std::string ext = ".bin";
  std::string id = file.size() > ext.size() && file.compare(file.size() - ext.size(), ext.size(), ext) == 0
                       ? file.substr(0, file.size() - ext.size())
                       : "";
  if (!host::valid_name(id)) return refuse(res, 404, "the seed endpoint is /edgeimpulse-ota/serve/<name>/<project id>.bin");
  std::optional<ModelRow> m = s.db.model_by_project(id);
  std::string model = m ? m->name : (s.model(id) ? id : "");
  if (model.empty()) return refuse(res, 404, "no model registered for project " + id);
  std::shared_ptr<const ChannelView> v = s.channel(model, "stable");
  if (!v) return refuse(res, 404, "model " + model + " has no release on channel stable");
  // The predecessor's sketch cannot name itself, so it gets what every device may have.
  const std::optional<PayloadRow>& p = v->row.state == "active" && v->row.percent >= 100 ? v->current : v->fallback;
  if (!p) return refuse(res, 404, "model " + model + " has no fully rolled-out release on channel stable");
  std::shared_ptr<const CachedPayload> bytes = s.payloads.get(model, p->sha256);
  if (!bytes) return refuse(res, 404, "model " + model + " has no payload " + p->sha256);
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_content("edgeimpulse" + bytes->bytes, "application/octet-stream");
}

}  // namespace eiota::serve
