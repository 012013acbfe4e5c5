#include "server_client.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "names.h"
#include "static_tree.h"

namespace eiota::host {
namespace {

constexpr size_t kMaxReason = 200;

const char* status_text(int s) {
  switch (s) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

// The first line of a refusal's body, as the server wrote it, within reason.
std::string reason_of(const std::string& body) {
  std::string line = body.substr(0, body.find_first_of("\r\n"));
  if (line.size() > kMaxReason) line = line.substr(0, kMaxReason) + "...";
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return line;
}

struct Call {
  const std::string& url;
  const char* method;
  std::string path;
  std::string where() const { return url + ": " + method + " " + path; }
  // The answer when its status is one of `ok`, else the error.
  const httplib::Response& expect(const httplib::Result& res, std::initializer_list<int> ok) const {
    if (!res) throw std::runtime_error(where() + ": no answer (" + httplib::to_string(res.error()) + ")");
    for (int s : ok)
      if (res->status == s) return *res;
    std::string reason = reason_of(res->body);
    throw std::runtime_error(where() + ": " + std::to_string(res->status) + (*status_text(res->status) ? " " : "") + status_text(res->status) +
                             (reason.empty() ? "" : ": \"" + reason + "\""));
  }
};

httplib::Client client(const ServerUrl& at, const std::string& token) {
  httplib::Client c(at.origin);
  c.set_connection_timeout(10);
  c.set_read_timeout(120);
  c.set_write_timeout(120);
  c.set_bearer_token_auth(token);
  c.set_keep_alive(false);
  return c;
}

}  // namespace

ServerUrl parse_server_url(const std::string& url) {
  auto bad = [&](const std::string& why) { return std::runtime_error("--server '" + url + "': " + why + " (http://host[:port][/base])"); };
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) throw bad("no scheme");
  std::string s = url.substr(0, scheme);
  if (s != "http" && s != "https") throw bad("the scheme is not http or https");
  size_t slash = url.find('/', scheme + 3);
  std::string hostport = url.substr(scheme + 3, slash == std::string::npos ? std::string::npos : slash - scheme - 3);
  if (hostport.empty() || hostport.find_first_of("@?# ") != std::string::npos) throw bad("no host, or a user, query or fragment");
  ServerUrl r;
  r.origin = s + "://" + hostport;
  r.base = slash == std::string::npos ? "" : url.substr(slash);
  if (r.base.find_first_of("?# ") != std::string::npos) throw bad("a query or fragment in the base path");
  while (!r.base.empty() && r.base.back() == '/') r.base.pop_back();
  return r;
}

ServerClient::ServerClient(const std::string& url, const std::string& token) : url_(url), token_(token), at_(parse_server_url(url)) {
  if (token.empty() || token.find_first_of("\r\n") != std::string::npos) throw std::runtime_error("--token: empty or not one line");
}

Uploaded ServerClient::upload(const std::string& model, const std::string& bytes) const {
  check_name("model", model);
  Call call{url_, "PUT", at_.base + "/" + model + "/payloads"};
  auto c = client(at_, token_);
  httplib::Result put = c.Put(call.path, bytes, "application/octet-stream");
  const httplib::Response& res = call.expect(put, {200, 201});
  Uploaded u;
  u.created = res.status == 201;
  try {
    auto j = nlohmann::json::parse(res.body);
    u.sha256 = j.at("sha256").get<std::string>();
    u.id = j.at("id").get<std::string>();
    u.sequence = j.at("sequence").get<uint64_t>();
    u.size = j.at("size").get<uint64_t>();
  } catch (const std::exception&) {
    throw std::runtime_error(call.where() + ": " + std::to_string(res.status) + " with a body that is not {\"sha256\",\"id\",\"sequence\",\"size\"}: \"" +
                             reason_of(res.body) + "\"");
  }
  if (!valid_sha256_hex(u.sha256) || !valid_payload_id(u.id))
    throw std::runtime_error(call.where() + ": the answer's sha256 or id is malformed: \"" + reason_of(res.body) + "\"");
  return u;
}

void ServerClient::release(const std::string& model, const std::string& channel, const Release& r) const {
  check_name("model", model);
  check_name("channel", channel);
  Call call{url_, "POST", at_.base + "/" + model + "/" + channel + "/release"};
  nlohmann::json j = {{"sha256", r.sha256}, {"percent", r.percent}, {"halt_failures", r.halt_failures}, {"halt_min_reports", r.halt_min_reports}};
  auto c = client(at_, token_);
  httplib::Result post = c.Post(call.path, j.dump(), "application/json");
  call.expect(post, {200, 201, 204});
}

std::string ServerClient::rollout(const std::string& model, const std::string& channel, std::optional<int> percent,
                                  std::optional<std::string> state) const {
  check_name("model", model);
  check_name("channel", channel);
  if (!percent && !state) throw std::runtime_error("rollout: give --percent, --pause or --resume");
  Call call{url_, "POST", at_.base + "/" + model + "/" + channel + "/rollout"};
  nlohmann::json j = nlohmann::json::object();
  if (percent) j["percent"] = *percent;
  if (state) j["state"] = *state;
  auto c = client(at_, token_);
  httplib::Result post = c.Post(call.path, j.dump(), "application/json");
  return call.expect(post, {200, 201, 204}).body;
}

std::string ServerClient::channel_status(const std::string& model, const std::string& channel) const {
  check_name("model", model);
  check_name("channel", channel);
  Call call{url_, "GET", at_.base + "/" + model + "/" + channel};
  auto c = client(at_, token_);
  return call.expect(c.Get(call.path), {200}).body;
}

std::string ServerClient::devices(const std::string& model) const {
  check_name("model", model);
  Call call{url_, "GET", at_.base + "/" + model + "/devices"};
  auto c = client(at_, token_);
  return call.expect(c.Get(call.path), {200}).body;
}

}  // namespace eiota::host
