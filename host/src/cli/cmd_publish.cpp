// `eiota publish --static DIR | --server URL` and `eiota rollout` (docs/CLI.md, docs/DELIVERY.md).
#include "cmd_publish.h"

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "eiota_format.h"
#include "export_files.h"
#include "keys.h"
#include "manifest.h"
#include "server_client.h"
#include "static_tree.h"

using namespace eiota::host;

namespace eiota::cli {
namespace {

std::string token_of(const PublishCommands& c) {
  if (!c.token.empty()) return c.token;
  const char* t = std::getenv("EIOTA_TOKEN");
  if (t && *t) return t;
  throw std::runtime_error("--server needs --token (or the environment variable EIOTA_TOKEN)");
}

// A delta only suits devices that serve its base: every other device on the channel would fetch it
// at each check-in and refuse it (-21). Refused unless --allow-delta says the whole channel is on it.
void check_not_delta(const PublishCommands& c, const std::string& bytes) {
  eiota::Header h{};
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (eiota::decode_header(p, bytes.size(), &h) != eiota::kDecodeOk) return;  // the checks below say what is wrong
  if (eiota::decode_header_ext(p, bytes.size(), &h) != eiota::kDecodeOk || !(h.flags & EIOTA_FLAG_DELTA)) return;
  if (c.allow_delta) return;
  std::string base = h.base_sequence == 0 ? "the factory values" : "release " + std::to_string(h.base_sequence);
  throw std::runtime_error(c.payload + ": a delta on " + base + ": a device of " + c.model + "/" + c.channel +
                           " that serves anything else would download it at every check-in and refuse it; publish the full payload "
                           "of release " + std::to_string(h.sequence) + " (eiota pack without --delta-from), or pass --allow-delta if every "
                           "device on the channel serves " + base);
}

int publish_static_tree(const PublishCommands& c) {
  check_name("model", c.model);
  check_name("channel", c.channel);
  if (c.base.empty()) throw std::runtime_error("--static needs --base: the patched library the devices run, or its eiota-manifest.json");
  for (const char* server_only : {"--token", "--percent", "--halt-failures", "--halt-min-reports"})
    if (c.publish->count(server_only)) throw std::runtime_error(std::string(server_only) + " is for --server; a static tree has no rollout");
  Manifest m = load_manifest(c.base);
  if (!c.key.empty()) {
    auto pk = load_public_key(c.key);
    if (pk != m.public_key)
      throw std::runtime_error(c.key + " is not the key " + c.base + " trusts (key id " + key_id_hex(pk) + ", the device's " +
                               key_id_hex(m.public_key) + ")");
  }
  std::string bytes = read_file(c.payload);
  check_not_delta(c, bytes);
  StaticPublish r = publish_static(c.static_dir, c.model, c.channel, bytes, c.payload, m);
  std::cout << "published " << r.payload.id << " (" << r.payload.size << " bytes, sha256 " << r.payload.sha256 << ") as " << c.model
            << "/" << c.channel << "\n"
            << "  " << r.payload_path << (r.payload_written ? ": written" : ": already there, unchanged") << "\n"
            << "  " << r.pointer_path << (!r.pointer_written ? ": already names it, unchanged" : r.pointer_existed ? ": replaced" : ": written") << "\n";
  return 0;
}

int publish_server(const PublishCommands& c) {
  if (!c.base.empty() || !c.key.empty())
    throw std::runtime_error("--base and --key are for --static; the server checks the payload against the model it has registered");
  check_name("model", c.model);  // before anything is sent
  check_name("channel", c.channel);
  std::string bytes = read_file(c.payload);
  check_not_delta(c, bytes);
  ServerClient s(c.server, token_of(c));
  Uploaded u = s.upload(c.model, bytes);
  std::cout << "uploaded " << u.id << " (" << u.size << " bytes, sha256 " << u.sha256 << ") to " << c.server << "/" << c.model
            << (u.created ? "" : " (the server had it already)") << "\n";
  if (!u.created) {  // published again (a re-run job): the release is there already, nothing to do
    nlohmann::json ch;
    try {
      ch = nlohmann::json::parse(s.channel_status(c.model, c.channel), nullptr, false);
    } catch (const std::exception&) {
      // no such channel yet: release it below
    }
    if (ch.is_object() && ch["current"].is_object() && ch["current"].value("sha256", "") == u.sha256) {
      std::cout << u.id << " is already the current release of " << c.model << "/" << c.channel << " (" << ch.value("percent", 0)
                << "% of devices, " << ch.value("state", "") << "): nothing changed; `eiota rollout` changes its rollout\n";
      return 0;
    }
  }
  Release rel;
  rel.sha256 = u.sha256;
  rel.percent = c.percent;
  rel.halt_failures = c.halt_failures;
  rel.halt_min_reports = c.halt_min_reports;
  s.release(c.model, c.channel, rel);
  std::cout << "released " << u.id << " on " << c.model << "/" << c.channel << " to " << c.percent << "% of devices (halts when "
            << c.halt_failures << " of at least " << c.halt_min_reports << " reporting devices fail)\n";
  return 0;
}

int rollout(const PublishCommands& c) {
  ServerClient s(c.server, token_of(c));
  std::optional<int> percent;
  if (c.rollout->count("--percent")) percent = c.percent;
  std::optional<std::string> state;
  if (c.pause) state = "paused";
  if (c.resume) state = "active";
  std::string answer = s.rollout(c.model, c.channel, percent, state);
  std::cout << c.model << "/" << c.channel << ":";
  if (percent) std::cout << " percent " << *percent;
  if (state) std::cout << " state " << *state;
  std::cout << "\n";
  if (!answer.empty()) std::cout << answer << (answer.back() == '\n' ? "" : "\n");
  return 0;
}

// The server's own JSON, indented: the channel's (with --channel) and the devices'.
int status(const PublishCommands& c) {
  ServerClient s(c.server, token_of(c));
  nlohmann::json j;
  if (!c.channel.empty()) j["channel"] = nlohmann::json::parse(s.channel_status(c.model, c.channel), nullptr, false);
  nlohmann::json d = nlohmann::json::parse(s.devices(c.model), nullptr, false);
  j["devices"] = d.is_object() && d.contains("devices") ? d["devices"] : d;
  std::cout << j.dump(2) << "\n";
  return 0;
}

}  // namespace

std::unique_ptr<PublishCommands> add_publish_commands(CLI::App& app) {
  auto c = std::make_unique<PublishCommands>();
  auto* p = app.add_subcommand("publish", "offer a payload to devices: write it into a static tree, or upload and release it on eiota serve");
  c->publish = p;
  p->add_option("payload", c->payload, "the payload (eiota pack)")->required();
  auto* st = p->add_option("--static", c->static_dir, "the tree to write: DIR/<model>/payloads/<sha256>.eiota and DIR/<model>/<channel>/pointer");
  auto* sv = p->add_option("--server", c->server, "eiota serve's base URL, e.g. http://updates.example.com/eiota/v1");
  st->excludes(sv);
  sv->excludes(st);
  p->add_option("--token", c->token, "--server: an upload token (eiota serve-admin token); default: $EIOTA_TOKEN");
  p->add_option("--model", c->model, "model name")->required();
  p->add_option("--channel", c->channel, "channel name, e.g. stable or beta")->required();
  p->add_flag("--allow-delta", c->allow_delta, "publish a delta (eiota pack --delta-from): only for a channel whose devices all serve its base");
  p->add_option("--base", c->base, "--static: the patched library the devices run, or its eiota-manifest.json");
  p->add_option("--key", c->key, "--static: the public key; must be the one --base trusts");
  p->add_option("--percent", c->percent, "--server: share of devices offered the release, 0-100 (default 100)")->check(CLI::Range(0, 100));
  p->add_option("--halt-failures", c->halt_failures, "--server: halt when this share of reporting devices failed, 0-1 (default 0.2)")
      ->check(CLI::Range(0.0, 1.0));
  p->add_option("--halt-min-reports", c->halt_min_reports, "--server: reports needed before a halt (default 5)")->check(CLI::Range(0, 1000000));

  auto* r = app.add_subcommand("rollout", "change the current release's rollout on eiota serve: percent, pause, resume");
  c->rollout = r;
  r->add_option("--server", c->server, "eiota serve's base URL")->required();
  r->add_option("--token", c->token, "an upload token; default: $EIOTA_TOKEN");
  r->add_option("--model", c->model, "model name")->required();
  r->add_option("--channel", c->channel, "channel name")->required();
  r->add_option("--percent", c->percent, "share of devices offered the release, 0-100 (devices already running it stay on it)")
      ->check(CLI::Range(0, 100));
  auto* pause = r->add_flag("--pause", c->pause, "stop offering the release to more devices");
  auto* resume = r->add_flag("--resume", c->resume, "offer it again; also clears an automatic halt");
  pause->excludes(resume);

  auto* st2 = app.add_subcommand("status", "what eiota serve knows of a model: a channel's rollout and reports, every device's check-in and report");
  c->status = st2;
  st2->add_option("--server", c->server, "eiota serve's base URL")->required();
  st2->add_option("--token", c->token, "a token; default: $EIOTA_TOKEN");
  st2->add_option("--model", c->model, "model name")->required();
  st2->add_option("--channel", c->channel, "channel name: also show its release, rollout and report counts");
  return c;
}

int run_publish_commands(const PublishCommands& c) {
  if (*c.publish) {
    if (c.static_dir.empty() == c.server.empty()) throw std::runtime_error("give --static DIR or --server URL");
    return c.static_dir.empty() ? publish_server(c) : publish_static_tree(c);
  }
  if (*c.rollout) {
    if (!c.rollout->count("--percent") && !c.pause && !c.resume) throw std::runtime_error("give --percent, --pause or --resume");
    return rollout(c);
  }
  if (*c.status) return status(c);
  return -1;
}

}  // namespace eiota::cli
