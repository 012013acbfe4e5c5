// What the routes share: the Db, the caches in front of it and the check-in buffer, and the
// handlers themselves (device_routes.cpp: what devices call; admin_routes.cpp: publishing and
// queries, with a token). server.cpp parses paths and calls them.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "checkin_buffer.h"
#include "db.h"
#include "payload_cache.h"
#include "server.h"
#include "ttl_cache.h"

namespace eiota::serve {

// A channel as the pointer route needs it: its row and the rows of its two releases.
struct ChannelView {
  ChannelRow row;
  std::optional<PayloadRow> current, fallback;
  std::string current_pointer, fallback_pointer;  // pointer bodies
};

struct Service {
  Service(Db& db, const ServeOptions& o);

  Db& db;
  ServeOptions opts;
  PayloadCache payloads;
  TtlCache<ChannelView> channels{std::chrono::seconds(1)};
  TtlCache<ModelRow> models{std::chrono::seconds(1)};
  CheckinBuffer checkins;

  std::shared_ptr<const ChannelView> channel(const std::string& model, const std::string& channel);
  void forget_channel(const std::string& model, const std::string& channel);
  std::shared_ptr<const ModelRow> model(const std::string& name);
};

// A refusal: status and one line of text/plain.
void refuse(httplib::Response& res, int status, const std::string& reason);
void reply_json(httplib::Response& res, int status, const std::string& json);

// The request body, read through `reader` (null: the request had none) up to `max` bytes.
// On refusal (413 over max, 400 cut short) fills `res` and returns nullopt.
std::optional<std::string> read_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader,
                                     size_t max);
// Reads and drops a body of at most `max` bytes so the refusal that follows reaches the client;
// a longer one is left unread and the connection closed.
void drop_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader, size_t max);

// Device routes.
void get_pointer(Service& s, const httplib::Request& req, httplib::Response& res, const std::string& model, const std::string& channel);
void get_payload(Service& s, const httplib::Request& req, httplib::Response& res, const std::string& model, const std::string& file);
void post_report(Service& s, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader,
                 const std::string& model);
void get_seed(Service& s, const httplib::Request& req, httplib::Response& res, const std::string& file);

// Token routes.
void put_payload(Service& s, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader,
                 const std::string& model);
void post_release(Service& s, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader,
                  const std::string& model, const std::string& channel);
void post_rollout(Service& s, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader,
                  const std::string& model, const std::string& channel);
void get_channel(Service& s, const httplib::Request& req, httplib::Response& res, const std::string& model, const std::string& channel);
void get_devices(Service& s, const httplib::Request& req, httplib::Response& res, const std::string& model);

}  // namespace eiota::serve
