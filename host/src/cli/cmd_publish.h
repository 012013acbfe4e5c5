// `eiota publish` (a static tree, or upload + release to `eiota serve`) `eiota rollout` and
// `eiota status`:
// their flags are added to the app by add_publish_commands and run by run_publish_commands, so
// main.cpp holds only two lines of them.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

namespace eiota::cli {

struct PublishCommands {
  CLI::App* publish = nullptr;
  CLI::App* rollout = nullptr;
  CLI::App* status = nullptr;
  std::string payload, static_dir, server, token, model, channel, base, key;
  int percent = 100, halt_min_reports = 5;
  double halt_failures = 0.2;
  bool pause = false, resume = false;
  bool allow_delta = false;  // publish: a delta, knowing only devices on its base can take it
};

std::unique_ptr<PublishCommands> add_publish_commands(CLI::App& app);
// The exit code when one of these verbs was given, else -1. Throws std::runtime_error on errors.
int run_publish_commands(const PublishCommands& c);

}  // namespace eiota::cli
