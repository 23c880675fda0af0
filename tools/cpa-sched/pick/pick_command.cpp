// cpa-sched pick: load one plugin through the host, register it, send one pick, report.
// A plugin that answers the extension `scheduler.explain` (scheduler.so) is asked it
// first, with the same body, and the report names the rule or route that decided.
#include <iostream>
#include <memory>

#include "check/check_config.hpp"
#include "cliproxy/json.hpp"
#include "command.hpp"
#include "pick/pick_explain.hpp"
#include "pick/pick_report.hpp"
#include "pick/pick_request.hpp"
#include "plugin_config.hpp"

namespace cpa_sched {
namespace {

using cliproxy::host::BuiltinStrategy;

struct PickOptions {
  std::string plugin;
  std::string config;
  std::string request;
  std::string strategy = "round-robin";
  PickFlags flags;
};

int Fail(const std::string& message) {
  std::cerr << "cpa-sched pick: " << message << "\n";
  return kExitUsage;
}

int RunPick(const PickOptions& options) {
  std::string id = PluginIdFromPath(options.plugin);
  PluginConfig config;
  if (auto s = ReadCommandConfig(options.config, id, &config); !s) return Fail(s.message());
  cliproxy::PickRequest request;
  auto built = options.request.empty() ? BuildPickRequest(options.flags, &request)
                                       : ReadPickRequest(options.request, &request);
  if (!built) return Fail(built.message());

  cliproxy::host::HostOptions host_options;
  host_options.routing_strategy = *cliproxy::host::ParseBuiltinStrategy(options.strategy);
  cliproxy::host::PluginHost host(host_options);
  cliproxy::host::Status loaded = host.Load(id, options.plugin, config.settings);
  std::optional<cliproxy::host::PluginInfo> info = host.Info(id);
  if (!info) return Fail(loaded.message());  // the file did not load at all
  PrintPlugin(std::cout, *info);
  if (!loaded) {  // loaded, but its registration failed
    PrintLogs(std::cout, host.Logs());
    return Fail(options.plugin + ": " + loaded.message());
  }
  if (config.from_cliproxy_config && !config.settings.enabled) {
    std::cout << "note: plugins.configs." << id
              << ".enabled is not true: CLIProxyAPI would not load this plugin\n";
  }

  // scheduler.explain says what the live policy would decide now without changing its
  // state; asked right before the pick, it sees the state that pick meets.
  std::optional<Explanation> explanation;
  if (info->state == cliproxy::host::PluginState::kActive &&
      info->registration.capabilities.scheduler) {
    // Sent as the host sends a pick: with the plugin's own metadata.
    if (auto reply =
            host.Call(id, kExplainMethod,
                      cliproxy::json::EncodePickRequest(request, info->registration.metadata))) {
      explanation = ReadExplanation(*reply);
    }
  }
  cliproxy::host::PickOutcome outcome = host.Pick(request);
  PrintPickOutcome(std::cout, outcome, host_options.routing_strategy,
                   explanation ? &*explanation : nullptr);
  PrintLogs(std::cout, host.Logs());
  return outcome.ok() ? kExitOk : kExitFailed;
}

}  // namespace

Command AddPickCommand(CLI::App& parent) {
  auto options = std::make_shared<PickOptions>();
  CLI::App* app = parent.add_subcommand(
      "pick", "Load PLUGIN through the host, register it, send one scheduler.pick and report");
  AddPluginArguments(app, &options->plugin, &options->config);
  CLI::Option* request = app->add_option("--request", options->request,
                                         "a scheduler.pick body (JSON, Go field names) to send");
  PickFlags& f = options->flags;
  std::vector<CLI::Option*> flags = {
      app->add_option("--model", f.model, "the requested model"),
      app->add_option("--provider", f.provider, "the provider; a,b for a mixed route"),
      app->add_flag("--stream", f.stream, "a streaming request"),
      app->add_option("--candidate", f.candidates, "a candidate auth: ID or ID:priority")
          ->allow_extra_args(false),
      app->add_option("--header", f.headers, "a client header: 'Name: value'")
          ->allow_extra_args(false),
      app->add_option("--metadata", f.metadata, "request metadata: key=value")
          ->allow_extra_args(false)};
  for (CLI::Option* flag : flags) request->excludes(flag);
  app->add_option("--strategy", options->strategy,
                  "the host's built-in for unhandled picks (CLIProxyAPI routing.strategy)")
      ->check(CLI::IsMember({"round-robin", "fill-first"}));
  app->footer(
      "Example:\n"
      "  cpa-sched pick ./scheduler.so --config config.yaml --model gpt-5 --provider codex \\\n"
      "      --candidate codex-a.json --candidate codex-b.json:1 --header 'X-Session-Id: s1'\n"
      "  cpa-sched pick ./scheduler.so --config scheduler.yaml --request testdata/pick-10.json\n"
      "\n"
      "A plugin that answers the extension method scheduler.explain (scheduler.so) is asked\n"
      "it first with the same body; the report's `rule:` line names the rule or route that\n"
      "decided (auth_id, delegate, deny, routes[<i>] <name>). Other plugins: the raw reply.\n"
      "\n"
      "Exit codes: 0 an auth was chosen, 1 the pick failed, 2 usage or load error.");
  return {app, [options] { return RunPick(*options); }};
}

}  // namespace cpa_sched
