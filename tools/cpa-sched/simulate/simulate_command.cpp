// cpa-sched simulate: load one plugin through the host, run a scenario's traffic through
// it in simulated time, report what it did to the accounts.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "command.hpp"
#include "pick/pick_report.hpp"
#include "plugin_config.hpp"
#include "simulate/simulate_html.hpp"
#include "simulate/simulate_run.hpp"
#include "simulate/simulate_scenario.hpp"
#include "simulate/simulate_text.hpp"

namespace cpa_sched {
namespace {

struct SimulateOptions {
  std::string plugin;
  std::string config;
  std::string scenario;
  std::optional<uint64_t> seed;
  std::string report;
  std::string strategy;
};

int Fail(const std::string& message) {
  std::cerr << "cpa-sched simulate: " << message << "\n";
  return kExitUsage;
}

// A progress bar on stderr, only on a terminal and only once a run has taken a second:
// short runs and redirected output stay clean.
class ProgressBar {
 public:
  ProgressBar() : enabled_(isatty(STDERR_FILENO) == 1), start_(Clock::now()) {}
  ~ProgressBar() {
    if (drawn_) std::cerr << "\r\033[K" << std::flush;
  }

  void Update(int64_t done, int64_t total) {
    if (!enabled_ || total <= 0) return;
    if (!drawn_ && Clock::now() - start_ < std::chrono::seconds(1)) return;
    int percent = static_cast<int>(done * 100 / total);
    if (drawn_ && percent == last_percent_) return;
    constexpr int kWidth = 30;
    int filled = percent * kWidth / 100;
    std::cerr << "\rsimulating [" << std::string(static_cast<size_t>(filled), '#')
              << std::string(static_cast<size_t>(kWidth - filled), '.') << "] " << percent << "% "
              << done << "/" << total << " requests" << std::flush;
    drawn_ = true;
    last_percent_ = percent;
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  Clock::time_point start_;
  bool drawn_ = false;
  int last_percent_ = -1;
};

int RunSimulate(const SimulateOptions& options) {
  std::string id = PluginIdFromPath(options.plugin);
  PluginConfig config;
  if (auto s = ReadPluginConfig(options.config, id, &config); !s) return Fail(s.message());
  Scenario scenario;
  if (auto s = ReadScenario(options.scenario, &scenario); !s) return Fail(s.message());
  if (!options.strategy.empty()) {
    scenario.routing_strategy = *cliproxy::host::ParseBuiltinStrategy(options.strategy);
  }

  LogCounter logs;
  cliproxy::host::HostOptions host_options;
  host_options.routing_strategy = scenario.routing_strategy;
  host_options.log_sink = logs.Sink();
  cliproxy::host::PluginHost host(host_options);
  cliproxy::host::Status loaded = host.Load(id, options.plugin, config.settings);
  std::optional<cliproxy::host::PluginInfo> info = host.Info(id);
  if (!info) return Fail(loaded.message());  // the file did not load at all
  if (!loaded) {                             // loaded, but its registration failed
    PrintPlugin(std::cerr, *info);
    PrintLogs(std::cerr, host.Logs());
    return Fail(options.plugin + ": " + loaded.message());
  }
  if (config.from_cliproxy_config && !config.settings.enabled) {
    std::cout << "note: plugins.configs." << id
              << ".enabled is not true: CLIProxyAPI would not load this plugin, so the "
                 "host's built-in decides every pick\n";
  }

  SimulationOptions sim;
  sim.seed = options.seed.value_or(scenario.seed);
  ProgressBar progress;
  sim.progress = [&progress](int64_t done, int64_t total) { progress.Update(done, total); };
  SimulationResult result = Simulate(host, scenario, sim);
  result.logs = logs.Counts();
  info = host.Info(id);  // a fuse during the run shows in the state

  PrintSimulation(std::cout, scenario, *info, result);
  if (!options.report.empty()) {
    std::ofstream report(options.report, std::ios::binary | std::ios::trunc);
    if (report) WriteHtmlReport(report, scenario, *info, result);
    report.close();
    if (!report) return Fail("cannot write the report " + options.report);
    std::cout << "report: " << options.report << "\n";
  }
  return kExitOk;
}

}  // namespace

Command AddSimulateCommand(CLI::App& parent) {
  auto options = std::make_shared<SimulateOptions>();
  CLI::App* app = parent.add_subcommand(
      "simulate",
      "Run a scenario's traffic (accounts, sessions, tenants, cooldowns) through PLUGIN in "
      "simulated time and report picks per account, fairness, stickiness, decisions, errors");
  AddPluginArguments(app, &options->plugin, &options->config);
  app->add_option("--scenario", options->scenario,
                  "the scenario (YAML): accounts, traffic, events, usage; see docs/simulate.md")
      ->required();
  app->add_option("--seed", options->seed,
                  "seed of the simulated traffic (default: the scenario's `seed`, else 1); the "
                  "same seed gives the same output");
  app->add_option("--report", options->report,
                  "also write a self-contained HTML report (chart of picks per account over "
                  "time, and the tables) to this file");
  app->add_option("--strategy", options->strategy,
                  "the host's built-in for unhandled picks (CLIProxyAPI routing.strategy); "
                  "overrides the scenario's `routing_strategy`")
      ->check(CLI::IsMember({"round-robin", "fill-first"}));
  app->footer(
      "Example:\n"
      "  cpa-sched simulate ./scheduler.so --config examples/claude-code-sticky.yaml \\\n"
      "      --scenario examples/scenarios/claude-code-sessions.yaml --seed 7 --report "
      "report.html\n"
      "\n"
      "Exit codes: 0 simulated (failed picks are part of the result), 2 usage, scenario or "
      "load error.");
  return {app, [options] { return RunSimulate(*options); }};
}

}  // namespace cpa_sched
