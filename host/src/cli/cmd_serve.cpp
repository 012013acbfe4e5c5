// eiota serve and eiota serve-admin (docs/CLI.md): the update server and its registry of
// models and tokens.
#include <iostream>

#include "auth.h"
#include "commands.h"
#include "db.h"
#include "keys.h"
#include "manifest.h"
#include "model_arch.h"
#include "names.h"
#include "server.h"

namespace eiota::cli {

int cmd_serve(const serve::ServeOptions& opts) { return serve::run_server(opts); }

int cmd_serve_admin_model(const std::string& db_url, const std::string& name, const std::string& manifest_path,
                          const std::string& ei_project, bool replace) {
  if (!host::valid_name(name)) throw std::runtime_error("--name \"" + name + "\" is not 1-64 characters of [A-Za-z0-9._-] (not starting with a dot)");
  if (!ei_project.empty() && !host::valid_name(ei_project))
    throw std::runtime_error("--ei-project \"" + ei_project + "\" is not 1-64 characters of [A-Za-z0-9._-]");
  host::Manifest m = host::load_manifest(manifest_path);
  std::unique_ptr<serve::Db> db = serve::open_db(db_url);
  db->migrate();
  std::string project = ei_project;
  if (std::optional<serve::ModelRow> old = db->model(name)) {
    host::Manifest was = host::manifest_from_json(old->manifest_json, "model " + name + " in " + db_url.substr(0, db_url.find(':')));
    if (!replace && (was.fingerprint != m.fingerprint || was.public_key != m.public_key))
      throw std::runtime_error("model " + name + " is registered with fingerprint " + host::hex(was.fingerprint.data(), was.fingerprint.size()) +
                               ", key id " + host::key_id_hex(was.public_key) + "; " + manifest_path + " has " +
                               host::hex(m.fingerprint.data(), m.fingerprint.size()) + ", key id " + host::key_id_hex(m.public_key) +
                               ": its devices would refuse every payload for the new one. Pass --replace if that is meant");
    if (project.empty()) project = old->ei_project;
  }
  db->put_model({name, host::manifest_to_json(m), project});
  std::cout << "model " << name << ": fingerprint " << host::hex(m.fingerprint.data(), m.fingerprint.size()) << ", key id "
            << host::key_id_hex(m.public_key) << (project.empty() ? "" : ", Edge Impulse project " + project) << "\n";
  return 0;
}

int cmd_serve_admin_token(const std::string& db_url, const std::string& name) {
  if (name.empty() || name.size() > 64) throw std::runtime_error("--name must be 1-64 characters");
  std::unique_ptr<serve::Db> db = serve::open_db(db_url);
  db->migrate();
  std::string token = serve::new_token();
  db->add_token(name, serve::token_hash(token));
  std::cout << token << "\n";
  std::cerr << "token " << name << " created: it is shown only this once (the server keeps its SHA-256)\n";
  return 0;
}

}  // namespace eiota::cli
