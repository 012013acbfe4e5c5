#include "service.h"

#include "http_util.h"

namespace eiota::serve {

Service::Service(Db& d, const ServeOptions& o) : db(d), opts(o), payloads(d), checkins(d) {}

std::shared_ptr<const ChannelView> Service::channel(const std::string& m, const std::string& c) {
  return channels.get(m + "/" + c, [&](const std::shared_ptr<const ChannelView>& old) -> std::shared_ptr<const ChannelView> {
    std::optional<ChannelRow> row = db.channel(m, c);
    if (!row) return nullptr;
    if (old && old->row.generation == row->generation && old->row.current_sha == row->current_sha) return old;
    auto v = std::make_shared<ChannelView>();
    v->row = *row;
    if (!row->current_sha.empty()) v->current = db.payload(m, row->current_sha);
    if (!row->fallback_sha.empty()) v->fallback = db.payload(m, row->fallback_sha);
    if (v->current) v->current_pointer = pointer_body(*v->current);
    if (v->fallback) v->fallback_pointer = pointer_body(*v->fallback);
    return v;
  });
}

void Service::forget_channel(const std::string& m, const std::string& c) { channels.erase(m + "/" + c); }

std::shared_ptr<const ModelRow> Service::model(const std::string& name) {
  return models.get(name, [&](const std::shared_ptr<const ModelRow>&) -> std::shared_ptr<const ModelRow> {
    std::optional<ModelRow> m = db.model(name);
    return m ? std::make_shared<const ModelRow>(std::move(*m)) : nullptr;
  });
}

void refuse(httplib::Response& res, int status, const std::string& reason) {
  std::string line = reason;
  for (char& c : line)
    if ((unsigned char)c < 0x20 || (unsigned char)c == 0x7f) c = '?';  // one line, whatever the client sent
  res.status = status;
  res.set_content(line + "\n", "text/plain");
}

void reply_json(httplib::Response& res, int status, const std::string& json) {
  res.status = status;
  res.set_content(json + "\n", "application/json");
}

namespace {

// The Content-Length a request claims: nullopt when absent, -1 when not a number.
std::optional<int64_t> claimed_length(const httplib::Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  return parse_int(req.get_header_value("Content-Length"), 0, INT64_MAX).value_or(-1);
}

void too_large(httplib::Response& res, size_t max) {
  refuse(res, 413, "the body is larger than the " + std::to_string(max) + " bytes allowed");
  res.set_header("Connection", "close");  // what is left of it is not read
}

}  // namespace

std::optional<std::string> read_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader,
                                     size_t max) {
  if (!reader) return std::string();
  std::optional<int64_t> claimed = claimed_length(req);
  if (claimed && *claimed < 0) {
    refuse(res, 400, "Content-Length is not a number");
    res.set_header("Connection", "close");
    return std::nullopt;
  }
  if (claimed && (uint64_t)*claimed > max) {
    too_large(res, max);
    return std::nullopt;
  }
  std::string body;
  bool over = false;
  bool ok = (*reader)([&](const char* data, size_t n) {
    if (n > max - body.size()) {
      over = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  if (over) {
    too_large(res, max);
    return std::nullopt;
  }
  if (!ok) {
    refuse(res, 400, "the body was cut short");
    res.set_header("Connection", "close");
    return std::nullopt;
  }
  return body;
}

void drop_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader, size_t max) {
  if (!reader) return;
  std::optional<int64_t> claimed = claimed_length(req);
  size_t seen = 0;
  bool ok = (!claimed || (*claimed >= 0 && (uint64_t)*claimed <= max)) && (*reader)([&](const char*, size_t n) {
              seen += n;
              return seen <= max;
            });
  if (!ok) res.set_header("Connection", "close");
}

}  // namespace eiota::serve
